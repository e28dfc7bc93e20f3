"""Formal letters on a case, and the case file (export and verification)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from disputes.forms import FinalizeForm, LetterForm, VerifyCasefileForm
from disputes.models import Case, Channel, Letter
from disputes.selectors import plan_differences
from disputes.selectors_phrases import phrasebook_for
from disputes.services import letters as letter_services
from disputes.services.casefile import casefile_name, casefile_stream
from disputes.services.proofs import given_keys
from disputes.services.verification import (
    casefile_check_record,
    casefile_checks_allowed,
    casefile_verify,
)
from disputes.storage import open_stream
from disputes.views.common import create_once, form_errors, refusal
from disputes.views.loaders import case_for_owner, case_for_staff, letter_for_owner, loads, staff_required


@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def letter_new(request, case: Case, kind: str):
    if kind not in (Letter.Kind.DEMAND, Letter.Kind.FINAL_NOTICE):
        raise Http404
    supersedes = None
    if request.GET.get("supersedes", "").isdigit():
        supersedes = Letter.objects.filter(case=case, pk=request.GET["supersedes"], status="final").first()
    form = LetterForm(
        request.POST or None, case=case, kind=kind, initial=letter_services.letter_defaults(case=case, kind=kind)
    )
    if request.method == "POST" and form.is_valid():
        try:
            return create_once(
                request,
                lambda: _letter_url(
                    letter_services.letter_draft(
                        case=case, author=request.user, kind=kind, data=form.cleaned_data, supersedes=supersedes
                    )
                ),
                success=_("Draft saved. Read it through, then finalise it when you send it."),
            )
        except ValidationError as error:
            form_errors(form, error)
    return render(
        request,
        "letters/letter_form.html",
        {
            "case": case,
            "form": form,
            "phrase_moments": phrasebook_for(request.user)[0],
            "kind_label": Letter.Kind(kind).label,
            "supersedes": supersedes,
            "differences": plan_differences(case.project),
        },
    )


def _letter_url(letter: Letter) -> str:
    return reverse("disputes:letter_detail", args=[letter.case_id, letter.pk])


@login_required
@loads(letter_for_owner)
@require_http_methods(["GET", "POST"])
def letter_edit(request, letter: Letter):
    if not letter.is_draft:
        messages.info(request, _("Only a draft can be changed. A final letter is superseded by writing a new one."))
        return redirect(_letter_url(letter))
    form = LetterForm(request.POST or None, instance=letter, case=letter.case, kind=letter.kind)
    if request.method == "POST" and form.is_valid():
        try:
            letter_services.letter_update(letter=letter, author=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(_letter_url(letter))
    return render(
        request,
        "letters/letter_form.html",
        {
            "case": letter.case,
            "form": form,
            "letter": letter,
            "phrase_moments": phrasebook_for(request.user)[0],
            "kind_label": letter.get_kind_display(),
            "differences": plan_differences(letter.case.project),
        },
    )


@login_required
@loads(letter_for_owner)
@require_safe
def letter_detail(request, letter: Letter):
    sent_on = letter.sent_on or timezone.localdate()
    context = letter_services.letter_context(letter, sent_on=sent_on, user=request.user)
    can_move = letter.case.stage == "reminders" and letter.case.is_open
    context.update(
        {
            "finalize_form": _finalize_form(letter, initial={"move_case": can_move}),
            "letter_days": settings.LETTER_DEADLINE_DAYS,
            "can_move": can_move,
            "differences": plan_differences(letter.case.project) if letter.is_draft else [],
        }
    )
    return render(request, "letters/letter_detail.html", context)


@login_required
@loads(letter_for_owner)
@require_POST
def letter_finalize(request, letter: Letter):
    form = _finalize_form(letter, data=request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}"
                             for name, errors in form.errors.items())  # fmt: skip
        messages.error(request, _("The letter was not finalised: %(why)s") % {"why": problems})
        return redirect(_letter_url(letter))
    data = form.cleaned_data
    by_settle = data["delivery"] == FinalizeForm.SETTLE
    try:
        letter_services.letter_finalize(
            letter=letter,
            actor=request.user,
            move_case=data["move_case"],
            delivery=Letter.Delivery.SETTLE if by_settle else Letter.Delivery.RECORDED,
            sent_on=None if by_settle else data["sent_on"],
            channel=None if by_settle else data["channel"] or None,
            cover_note=data["cover_note"] if by_settle else "",
        )
    except ValidationError as error:
        messages.error(request, _("The letter was not finalised: %(why)s") % {"why": refusal(error)})
    else:
        if by_settle:
            messages.success(
                request,
                "Letter finalised and handed to the outbox. It is dated, its deadline starts and it goes on the "
                "timeline when the mail server accepts it.",
            )
        else:
            messages.success(request, _("Letter finalised and recorded as sent by you; it is on the timeline."))
    return redirect(_letter_url(letter))


def _finalize_form(letter: Letter, **kwargs) -> FinalizeForm:
    channels = [(value, label) for value, label in Channel.choices]
    initial = {
        "channel": letter.channel,
        "cover_note": letter_services.letter_cover_note(letter, letter.created_by),
        "delivery": FinalizeForm.SETTLE if letter.case.client.email else FinalizeForm.RECORDED,
        **kwargs.pop("initial", {}),
    }
    return FinalizeForm(channels=channels, initial=initial, **kwargs)


@login_required
@loads(letter_for_owner)
@require_POST
def letter_discard(request, letter: Letter):
    try:
        letter_services.letter_discard(letter=letter, actor=request.user)
    except ValidationError as error:
        messages.error(request, refusal(error))
        return redirect(_letter_url(letter))
    messages.success(request, _("Draft discarded. It was never sent and is not on the timeline."))
    return redirect(f"{letter.case.get_absolute_url()}#letters")


@login_required
@loads(letter_for_owner)
@require_safe
def letter_pdf(request, letter: Letter):
    if not letter.is_final:
        raise Http404(_("Drafts have no PDF yet."))
    name = f"{letter.kind.replace('_', '-')}-{letter.sent_on or timezone.localdate(letter.finalized_at):%Y-%m-%d}.pdf"
    response = FileResponse(open_stream(letter.pdf), as_attachment=True, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


def _casefile_response(case: Case, user) -> StreamingHttpResponse:
    response = StreamingHttpResponse(casefile_stream(case=case, user=user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{casefile_name(case)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@loads(case_for_owner)
@require_safe
def casefile_export(request, case: Case):
    return _casefile_response(case, request.user)


@staff_required
@loads(case_for_staff)
@require_safe
def staff_casefile_export(request, case: Case):
    return _casefile_response(case, request.user)


@login_required
@require_http_methods(["GET", "POST"])
def casefile_verify_page(request):
    form = VerifyCasefileForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            casefile_checks_allowed(user=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
            status = 429
        else:
            if getattr(upload, "oversize", False):
                limit = number_format(settings.CASEFILE_VERIFY_MAX_MB, force_grouping=True)
                form.add_error(
                    "file", _("This file is larger than the %(limit)s MB this page checks.") % {"limit": limit}
                )
            else:
                given = form.cleaned_data["public_key"]
                report = casefile_verify(upload, keys=given_keys([given]) if given else None)
                casefile_check_record(user=request.user, name=upload.name, size=upload.size or 0, report=report)
    return render(request, "letters/verify.html", {"form": form, "report": report}, status=status)
