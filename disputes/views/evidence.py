from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from disputes.forms import EvidenceForm
from disputes.models import Evidence
from disputes.services.evidence import EvidenceDetails, EvidenceRefused, evidence_add
from disputes.uploads import safe_download_name
from disputes.views.cases import owned_case
from disputes.views.common import allow_methods, owned_or_404


@login_required
@allow_methods("GET", "POST")
def evidence_upload(request, pk: int):
    case = owned_case(request, pk)
    form = EvidenceForm(request.POST or None, request.FILES or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = EvidenceDetails(
            kind=data["kind"], caption=data["caption"], captured_on=data["captured_on"], entry=data["entry"]
        )
        try:
            stored = evidence_add(case=case, author=request.user, uploads=data["files"], details=details)
        except EvidenceRefused as refusal:
            for name, reason in refusal.errors.items():
                form.add_error("files", f"{name}: {reason}" if name else reason)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            count = len(stored)
            messages.success(request, f"{count} file{'s' if count != 1 else ''} added as evidence, fingerprinted.")
            return redirect(f"{case.get_absolute_url()}#evidence")
    status = 400 if request.method == "POST" else 200
    return render(request, "disputes/evidence_form.html", {"case": case, "form": form}, status=status)


def _owned_evidence(request, pk: int, evidence_pk: int) -> Evidence:
    case = owned_case(request, pk, final=False)
    return owned_or_404(request, Evidence.objects.filter(case=case), pk=evidence_pk)


def attachment_response(evidence: Evidence) -> FileResponse:
    """The original file, as a download that no browser will render or run.

    Every view serving evidence (owner, staff, mediator) answers with this,
    after its own access check.
    """
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=safe_download_name(evidence.original_name, evidence.extension),
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@allow_methods("GET")
def evidence_download(request, pk: int, evidence_pk: int):
    return attachment_response(_owned_evidence(request, pk, evidence_pk))


def thumbnail_response(evidence: Evidence) -> FileResponse:
    """The preview image, inline: a JPEG Settle re-encoded itself, so safe to show."""
    if not evidence.thumbnail:
        raise Http404("No thumbnail.")
    response = FileResponse(evidence.thumbnail.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@allow_methods("GET")
def evidence_thumbnail(request, pk: int, evidence_pk: int):
    return thumbnail_response(_owned_evidence(request, pk, evidence_pk))


@login_required
@allow_methods("GET")
def evidence_detail(request, pk: int, evidence_pk: int):
    evidence = _owned_evidence(request, pk, evidence_pk)
    return render(request, "disputes/evidence_detail.html", {"case": evidence.case, "item": evidence})
