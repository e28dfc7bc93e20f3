"""The record's public face: the installation's signing keys, and staff checking a case's chain."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from disputes import signing
from disputes.models import Case
from disputes.services.record import chain_verify
from disputes.views.loaders import case_for_staff, loads, staff_required


def _keys() -> list[signing.PublicKey]:
    signing.current_key()  # made on first use, so there is always one to publish
    return signing.public_keys()


@require_safe
def signing_key(request):
    """Public: the key this installation signs case files and seals with, and the keys it used before."""
    keys = _keys()
    return render(request, "record/signing_key.html", {"current": keys[-1], "retired": keys[-2::-1]})


@require_safe
def signing_key_pem(request):
    """Public: the current public key, PEM, for `openssl pkeyutl -verify` and `verify_casefile --public-key`."""
    response = HttpResponse(_keys()[-1].pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="settle-signing-key.pem"'
    return response


@require_safe
def signing_keys_json(request):
    """Public: every key, current and retired, with its fingerprint and dates."""
    body = json.dumps({"keys": [key.as_json() for key in reversed(_keys())]}, indent=2)
    return HttpResponse(body, content_type="application/json")


@staff_required
@loads(case_for_staff)
@require_POST
def chain_check(request, case: Case):
    report = chain_verify(case=case)
    if report.ok:
        messages.success(
            request,
            _("The timeline's hash chain holds: %(count)s entries, from the first to the recorded head.")
            % {"count": report.length},
        )
    else:
        messages.error(
            request,
            _("The timeline's hash chain breaks at entry %(entry)s: %(why)s.")
            % {"entry": report.broken_at, "why": report.reason},
        )
    return redirect(f"{case.get_staff_url()}#timeline")
