"""Evidence files on a case: upload, detail, and the one way every viewer downloads them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from disputes.forms import EvidenceForm
from disputes.models import Case, Evidence
from disputes.rules import checklist, filenames
from disputes.services.evidence import (
    EvidenceDetails,
    EvidenceRefused,
    FileLabel,
    evidence_add,
    evidence_shared_copy,
)
from disputes.services.evidence import evidence_tag as evidence_tag_service
from disputes.storage import open_stream
from disputes.uploads import safe_download_name
from disputes.views.common import create_once, refusal
from disputes.views.loaders import case_for_owner, evidence_for_owner, loads


@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def evidence_upload(request, case: Case):
    form = EvidenceForm(request.POST or None, request.FILES or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = EvidenceDetails(
            kind=data["kind"],
            caption=data["caption"],
            captured_on=data["captured_on"],
            entry=data["entry"],
            checklist_item=data["checklist_item"],
        )
        count = len(data["files"])
        labels = [FileLabel(kind, caption) for kind, caption in data["labels"]] if data["labels"] else None

        def store() -> str:
            evidence_add(case=case, author=request.user, uploads=data["files"], details=details, labels=labels)
            return f"{case.get_absolute_url()}#evidence"

        try:
            return create_once(
                request,
                store,
                success=ngettext(
                    "%(count)s file added as evidence, fingerprinted.",
                    "%(count)s files added as evidence, fingerprinted.",
                    count,
                )
                % {"count": count},
            )
        except EvidenceRefused as refusal:
            for name, reason in refusal.errors.items():
                form.add_error("files", f"{name}: {reason}" if name else reason)
        except ValidationError as error:
            form.add_error(None, error.messages)
    status = 400 if request.method == "POST" else 200
    context = {"case": case, "form": form, "name_hints": filenames.hints()}
    return render(request, "disputes/evidence_form.html", context, status=status)


@login_required
@loads(evidence_for_owner)
@require_POST
def evidence_tag(request, evidence: Evidence):
    """Tag a file with the checklist item it stands for, from the case page's checklist."""
    try:
        evidence_tag_service(evidence=evidence, actor=request.user, item=request.POST.get("checklist_item", ""))
    except ValidationError as error:
        messages.error(request, refusal(error))
    else:
        label = dict(checklist.choices(evidence.case.kind)).get(evidence.checklist_item)
        if label:
            messages.success(request, _("“%(file)s” now counts for %(item)s.") % {"file": evidence, "item": label})
        else:
            messages.success(request, _("“%(file)s” untagged.") % {"file": evidence})
    return redirect(f"{evidence.case.get_absolute_url()}#checklist")


def attachment_response(evidence: Evidence, *, shared: bool = False) -> FileResponse:
    """The file, as a download that no browser will render or run.

    Every view serving evidence (owner, staff, mediator) answers with this,
    after its own loader checked access. With `shared` (staff, mediators, and
    the owner asking what they see), an image is served as its copy without
    metadata; the original, with its EXIF and GPS position, goes to the owner only.
    """
    stored = evidence.file
    if shared:
        try:
            copy = evidence_shared_copy(evidence=evidence)
        except FileNotFoundError:
            raise Http404(_("This file is missing from storage.")) from None
        if copy is not None:
            stored = copy.file
    try:
        opened = open_stream(stored)
    except FileNotFoundError:
        raise Http404(_("This file is missing from storage.")) from None
    response = FileResponse(
        opened,
        as_attachment=True,
        filename=safe_download_name(evidence.original_name, evidence.extension),
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def thumbnail_response(evidence: Evidence) -> FileResponse:
    """The preview image, inline: a JPEG Settle re-encoded itself, so safe to show."""
    if not evidence.thumbnail:
        raise Http404(_("No thumbnail."))
    response = FileResponse(evidence.thumbnail.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@loads(evidence_for_owner)
@require_safe
def evidence_download(request, evidence: Evidence):
    return attachment_response(evidence)


@login_required
@loads(evidence_for_owner)
@require_safe
def evidence_shared_download(request, evidence: Evidence):
    return attachment_response(evidence, shared=True)


@login_required
@loads(evidence_for_owner)
@require_safe
def evidence_thumbnail(request, evidence: Evidence):
    return thumbnail_response(evidence)


@login_required
@loads(evidence_for_owner)
@require_safe
def evidence_detail(request, evidence: Evidence):
    try:
        copy = evidence_shared_copy(evidence=evidence)
    except FileNotFoundError:
        copy = None
    return render(request, "disputes/evidence_detail.html", {"case": evidence.case, "item": evidence, "copy": copy})
