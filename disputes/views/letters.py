"""Formal letters on a case, and the case file (export and verification)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from disputes.forms_letters import FinalizeForm, LetterForm, VerifyCasefileForm
from disputes.models import Case, Letter
from disputes.services import letters as letter_services
from disputes.services.casefile import casefile_name, casefile_stream, casefile_verify
from disputes.views.cases import owned_case
from disputes.views.common import allow_methods, form_errors, owned_or_404
from disputes.views.staff import staff_required


def _owned_letter(request, pk: int, letter_pk: int) -> Letter:
    case = owned_case(request, pk, final=False)
    return owned_or_404(
        request, Letter.objects.filter(case=case).select_related("case__project", "agreement"), pk=letter_pk
    )


@login_required
@allow_methods("GET", "POST")
def letter_new(request, pk: int, kind: str):
    case = owned_case(request, pk)
    if kind not in Letter.Kind.values:
        raise Http404
    supersedes = None
    if request.GET.get("supersedes", "").isdigit():
        supersedes = Letter.objects.filter(case=case, pk=request.GET["supersedes"], status="final").first()
    form = LetterForm(
        request.POST or None, case=case, kind=kind, initial=letter_services.letter_defaults(case=case, kind=kind)
    )
    if request.method == "POST" and form.is_valid():
        try:
            letter = letter_services.letter_draft(
                case=case, author=request.user, kind=kind, data=form.cleaned_data, supersedes=supersedes
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Draft saved. Read it through, then finalise it when you send it.")
            return redirect("disputes:letter_detail", pk=case.pk, letter_pk=letter.pk)
    return render(
        request,
        "letters/letter_form.html",
        {"case": case, "form": form, "kind_label": Letter.Kind(kind).label, "supersedes": supersedes},
    )


@login_required
@allow_methods("GET", "POST")
def letter_edit(request, pk: int, letter_pk: int):
    letter = _owned_letter(request, pk, letter_pk)
    if letter.is_final:
        messages.info(request, "A final letter is never changed. Write a new one to supersede it.")
        return redirect("disputes:letter_detail", pk=pk, letter_pk=letter.pk)
    form = LetterForm(request.POST or None, instance=letter, case=letter.case, kind=letter.kind)
    if request.method == "POST" and form.is_valid():
        try:
            letter_services.letter_update(letter=letter, author=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Draft saved.")
            return redirect("disputes:letter_detail", pk=pk, letter_pk=letter.pk)
    return render(
        request,
        "letters/letter_form.html",
        {"case": letter.case, "form": form, "letter": letter, "kind_label": letter.get_kind_display()},
    )


@login_required
@allow_methods("GET")
def letter_detail(request, pk: int, letter_pk: int):
    letter = _owned_letter(request, pk, letter_pk)
    sent_on = letter.sent_on or timezone.localdate()
    context = letter_services.letter_context(letter, sent_on=sent_on, user=request.user)
    context.update(
        {
            "finalize_form": FinalizeForm(initial={"move_case": letter.case.stage == "reminders"}),
            "can_move": letter.case.stage == "reminders",
        }
    )
    return render(request, "letters/letter_detail.html", context)


@login_required
@allow_methods("POST")
def letter_finalize(request, pk: int, letter_pk: int):
    letter = _owned_letter(request, pk, letter_pk)
    form = FinalizeForm(request.POST)
    move_case = form.is_valid() and form.cleaned_data["move_case"]
    try:
        letter_services.letter_finalize(letter=letter, actor=request.user, move_case=move_case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Letter finalised: its PDF is stored with its fingerprint and it is on the timeline.")
    return redirect("disputes:letter_detail", pk=pk, letter_pk=letter.pk)


@login_required
@allow_methods("GET")
def letter_pdf(request, pk: int, letter_pk: int):
    letter = _owned_letter(request, pk, letter_pk)
    if not letter.is_final:
        raise Http404("Drafts have no PDF yet.")
    name = f"{letter.kind.replace('_', '-')}-{letter.sent_on:%Y-%m-%d}.pdf"
    response = FileResponse(letter.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


def _casefile_response(case: Case, user) -> StreamingHttpResponse:
    response = StreamingHttpResponse(casefile_stream(case=case, user=user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{casefile_name(case)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@allow_methods("GET")
def casefile_export(request, pk: int):
    return _casefile_response(owned_case(request, pk), request.user)


@staff_required
@allow_methods("GET")
def staff_casefile_export(request, pk: int):
    case = owned_or_404(request, Case.objects.for_staff().select_related("client", "project", "owner"), pk=pk)
    return _casefile_response(case, request.user)


@login_required
@require_http_methods(["GET", "POST"])
def casefile_verify_page(request):
    form = VerifyCasefileForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if getattr(upload, "oversize", False):
            form.add_error("file", "This file is larger than the case-file limit.")
        else:
            report = casefile_verify(upload)
    return render(request, "letters/verify.html", {"form": form, "report": report})
