"""Archive and restore a client, project or case (services.archive): POST only, back to its page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from disputes.services import archive as archive_services
from disputes.views.common import refusal
from disputes.views.loaders import case_for_owner, client_for_owner, loads, project_for_owner

# Whole sentences for each kind of record: a translation agrees with its noun.
_RESTORED = {
    "client": _("The client is back in your lists."),
    "project": _("The project is back in your lists."),
    "case": _("The case is back in your lists."),
}
_ARCHIVED = {
    "client": _(
        "The client is archived: it has left your lists and nothing in it was deleted. "
        "You can restore it from its page."
    ),
    "project": _(
        "The project is archived: it has left your lists and nothing in it was deleted. "
        "You can restore it from its page."
    ),
    "case": _(
        "The case is archived: it has left your lists and nothing in it was deleted. You can restore it from its page."
    ),
}
_NOT_ARCHIVED = {
    "client": _("The client was not archived: %(why)s"),
    "project": _("The project was not archived: %(why)s"),
    "case": _("The case was not archived: %(why)s"),
}


def _archive(request, record, *, restore: bool):
    kind = record._meta.model_name
    try:
        if restore:
            archive_services.restore(record=record, actor=request.user)
            messages.success(request, _RESTORED[kind])
        else:
            archive_services.archive(record=record, actor=request.user)
            messages.success(request, _ARCHIVED[kind])
    except ValidationError as error:
        messages.error(request, _NOT_ARCHIVED[kind] % {"why": refusal(error)})
    return redirect(record.get_absolute_url())


@login_required
@loads(client_for_owner)
@require_POST
def client_archive(request, client):
    return _archive(request, client, restore=False)


@login_required
@loads(client_for_owner)
@require_POST
def client_restore(request, client):
    return _archive(request, client, restore=True)


@login_required
@loads(project_for_owner)
@require_POST
def project_archive(request, project):
    return _archive(request, project, restore=False)


@login_required
@loads(project_for_owner)
@require_POST
def project_restore(request, project):
    return _archive(request, project, restore=True)


@login_required
@loads(case_for_owner)
@require_POST
def case_archive(request, case):
    return _archive(request, case, restore=False)


@login_required
@loads(case_for_owner)
@require_POST
def case_restore(request, case):
    return _archive(request, case, restore=True)
