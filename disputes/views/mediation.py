"""Mediators' pages, and the freelancer's management of mediators and settlements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from disputes import ladder
from disputes.forms_review import MediatorInviteForm, MediatorNoteForm, SettlementAnswerForm, SettlementForm
from disputes.models import Case, Evidence, MediatorAccess, MediatorInvitation, SettlementProposal
from disputes.services import mediation as mediation_services
from disputes.views.cases import build_timeline, owned_case
from disputes.views.common import allow_methods, form_errors, owned_or_404
from disputes.views.evidence import attachment_response


# --- The invitation link (public: the token is the key) ---------------------------------
def invitation(request, token: str):
    try:
        invite = mediation_services.invitation_for_token(token)
    except mediation_services.InvitationInvalid:
        raise Http404("This invitation link is not valid any more.") from None
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    error = None
    if request.method == "POST" and request.user.is_authenticated:
        try:
            access = mediation_services.mediator_accept(token=token, user=request.user)
        except mediation_services.InvitationInvalid:
            raise Http404("This invitation link is not valid any more.") from None
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, "You now have access to this case as its mediator.")
            return redirect("disputes:mediation_case", pk=access.case_id)
    here = reverse("disputes:mediation_invitation", args=[token])
    return render(
        request,
        "mediation/invitation.html",
        {"invitation": invite, "error": error, "here": here, "login_url": reverse("accounts:login")},
        status=400 if error else 200,
    )


# --- The mediator's view of the case ----------------------------------------------------
def _mediated_case(request, pk: int, *, final: bool = True) -> Case:
    queryset = Case.objects.for_mediator(request.user).select_related("client", "project", "owner")
    return owned_or_404(request, queryset, final=final, pk=pk)


@login_required
@allow_methods("GET")
def mediation_case(request, pk: int):
    return _mediation_page(request, _mediated_case(request, pk))


def _mediation_page(request, case: Case, note_form=None, settlement_form=None):
    entries = list(case.entries.select_related("author").order_by("happened_at", "id"))
    context = {
        "case": case,
        "timeline": build_timeline(entries),
        "evidence": case.evidence.order_by("-uploaded_at", "-id"),
        "proposals": case.settlement_proposals.all(),
        "note_form": note_form or MediatorNoteForm(),
        "settlement_form": settlement_form or SettlementForm(),
    }
    return render(request, "mediation/case.html", context)


@login_required
@allow_methods("POST")
def mediation_note(request, pk: int):
    case = _mediated_case(request, pk)
    form = MediatorNoteForm(request.POST)
    if form.is_valid():
        try:
            mediation_services.mediator_note(case=case, mediator=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Note added to the case's timeline.")
            return redirect("disputes:mediation_case", pk=case.pk)
    return _mediation_page(request, case, note_form=form)


@login_required
@allow_methods("POST")
def mediation_propose(request, pk: int):
    case = _mediated_case(request, pk)
    form = SettlementForm(request.POST)
    if form.is_valid():
        try:
            mediation_services.settlement_propose(case=case, mediator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Settlement proposed. The freelancer is told by e-mail.")
            return redirect("disputes:mediation_case", pk=case.pk)
    return _mediation_page(request, case, settlement_form=form)


@login_required
@allow_methods("GET")
def mediation_evidence(request, pk: int, evidence_pk: int):
    case = _mediated_case(request, pk, final=False)
    evidence = owned_or_404(request, Evidence.objects.filter(case=case), pk=evidence_pk)
    return attachment_response(evidence)


# --- The freelancer's side ---------------------------------------------------------------
@login_required
@allow_methods("GET", "POST")
def case_mediators(request, pk: int):
    case = owned_case(request, pk)
    form = MediatorInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mediation_services.mediator_invite(case=case, owner=request.user, email=form.cleaned_data["email"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Invitation sent. The link works once, for 7 days.")
            return redirect("disputes:case_mediators", pk=case.pk)
    context = {
        "case": case,
        "form": form,
        "can_invite": case.stage == ladder.MEDIATION and case.is_open,
        "invitations": case.mediator_invitations.select_related("used_by"),
        "accesses": case.mediator_accesses.select_related("mediator"),
        "now": timezone.now(),
    }
    return render(
        request,
        "disputes/case_mediators.html",
        context,
        status=400 if form.errors else 200,
    )


@login_required
@allow_methods("POST")
def invitation_revoke(request, pk: int, invitation_pk: int):
    case = owned_case(request, pk, final=False)
    invite = owned_or_404(request, MediatorInvitation.objects.filter(case=case), pk=invitation_pk)
    if mediation_services.invitation_revoke(invitation=invite, owner=request.user):
        messages.success(request, "Invitation withdrawn: the link no longer works.")
    return redirect("disputes:case_mediators", pk=case.pk)


@login_required
@allow_methods("POST")
def access_revoke(request, pk: int, access_pk: int):
    case = owned_case(request, pk, final=False)
    access = owned_or_404(request, MediatorAccess.objects.filter(case=case), pk=access_pk)
    if mediation_services.mediator_revoke(access=access, owner=request.user):
        messages.success(request, "The mediator no longer has access to this case.")
    return redirect("disputes:case_mediators", pk=case.pk)


@login_required
@allow_methods("POST")
def settlement_answer(request, pk: int, proposal_pk: int, answer: str):
    case = owned_case(request, pk, final=False)
    proposal = owned_or_404(request, SettlementProposal.objects.filter(case=case), pk=proposal_pk)
    if answer not in ("accept", "reject"):
        raise Http404
    form = SettlementAnswerForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        mediation_services.settlement_answer(
            proposal=proposal, owner=request.user, accept=answer == "accept", note=note
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Settlement {'accepted' if answer == 'accept' else 'rejected'}; it is on the timeline."
        )
    return redirect(f"{case.get_absolute_url()}#entry-{proposal.entry_id}")
