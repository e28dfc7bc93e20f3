"""Mediators' pages, and the freelancer's management of mediators and settlements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from disputes.forms import MediatorInviteForm, MediatorNoteForm, SettlementAnswerForm, SettlementForm
from disputes.models import Case, Evidence, MediatorAccess, MediatorInvitation, SettlementProposal
from disputes.rules import ladder
from disputes.selectors import MEDIATOR, case_view
from disputes.services import mediation as mediation_services
from disputes.views.common import create_once, form_errors, paginate, refusal
from disputes.views.evidence import attachment_response, thumbnail_response
from disputes.views.loaders import (
    access_for_owner,
    case_for_mediator,
    case_for_owner,
    evidence_for_mediator,
    invitation_by_token,
    invitation_for_owner,
    loads,
    proposal_for_owner,
)


# --- The invitation link (public: the token is the key) ---------------------------------
@loads(invitation_by_token)
@require_http_methods(["GET", "POST"])
def invitation(request, invite: MediatorInvitation):
    token = request.resolver_match.kwargs["token"]
    error = None
    if request.method == "POST" and request.user.is_authenticated:
        try:
            access = mediation_services.mediator_accept(token=token, user=request.user)
        except mediation_services.InvitationInvalid:
            raise Http404(_("This invitation link is not valid any more.")) from None
        except ValidationError as refused:
            error = refusal(refused)
        else:
            messages.success(request, _("You now have access to this case as its mediator."))
            return redirect("disputes:mediation_case", pk=access.case_id)
    here = reverse("disputes:mediation_invitation", args=[token])
    return render(
        request,
        "mediation/invitation.html",
        {"invitation": invite, "error": error, "here": here, "login_url": reverse("accounts:login")},
        status=400 if error else 200,
    )


# --- The mediator's cases -----------------------------------------------------------------
@login_required
@require_safe
def mediation_cases(request):
    """The cases the signed-in user mediates (access not revoked), newest access first."""
    accesses = (
        MediatorAccess.objects.active()
        .filter(mediator=request.user)
        .select_related("case__client", "case__owner")
        .order_by("-granted_at", "-id")
    )
    return render(request, "mediation/cases.html", {"page": paginate(request, accesses)})


# --- The mediator's view of the case ----------------------------------------------------
@login_required
@loads(case_for_mediator)
@require_safe
def mediation_case(request, case: Case):
    return _mediation_page(request, case)


def _mediation_page(request, case: Case, note_form=None, settlement_form=None):
    context = {
        "case": case,
        "view": case_view(case, viewer=MEDIATOR, params=request.GET),
        "note_form": note_form or MediatorNoteForm(),
        "settlement_form": settlement_form or SettlementForm(),
    }
    return render(request, "mediation/case.html", context)


@login_required
@loads(case_for_mediator)
@require_POST
def mediation_note(request, case: Case):
    form = MediatorNoteForm(request.POST)
    if form.is_valid():
        try:
            return create_once(
                request,
                lambda: _mediated_url(
                    mediation_services.mediator_note(case=case, mediator=request.user, body=form.cleaned_data["body"])
                ),
                success=_("Note added to the case's timeline."),
            )
        except ValidationError as error:
            form_errors(form, error)
    return _mediation_page(request, case, note_form=form)


def _mediated_url(entry) -> str:
    return f"{reverse('disputes:mediation_case', args=[entry.case_id])}?at={entry.pk}#entry-{entry.pk}"


@login_required
@loads(case_for_mediator)
@require_POST
def mediation_propose(request, case: Case):
    form = SettlementForm(request.POST)
    if form.is_valid():
        try:
            return create_once(
                request,
                lambda: _mediated_url(
                    mediation_services.settlement_propose(case=case, mediator=request.user, **form.cleaned_data).entry
                ),
                success=_("Settlement proposed. The freelancer is told by e-mail."),
            )
        except ValidationError as error:
            form_errors(form, error)
    return _mediation_page(request, case, settlement_form=form)


@login_required
@loads(evidence_for_mediator)
@require_safe
def mediation_evidence(request, evidence: Evidence):
    return attachment_response(evidence, shared=True)


@login_required
@loads(evidence_for_mediator)
@require_safe
def mediation_evidence_thumbnail(request, evidence: Evidence):
    return thumbnail_response(evidence)


# --- The freelancer's side ---------------------------------------------------------------
@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def case_mediators(request, case: Case):
    form = MediatorInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            return create_once(
                request,
                lambda: _invite(case, request.user, form.cleaned_data["email"]),
                success=_("Invitation queued for sending. The link works once, for 7 days."),
            )
        except ValidationError as error:
            form_errors(form, error)
    context = {
        "case": case,
        "form": form,
        "can_invite": case.stage == ladder.MEDIATION and case.is_open,
        "invitations": case.mediator_invitations.select_related("used_by"),
        "accesses": case.mediator_accesses.select_related("mediator"),
        "now": timezone.now(),
    }
    return render(request, "disputes/case_mediators.html", context, status=400 if form.errors else 200)


def _invite(case: Case, owner, email: str) -> str:
    mediation_services.mediator_invite(case=case, owner=owner, email=email)
    return reverse("disputes:case_mediators", args=[case.pk])


@login_required
@loads(invitation_for_owner)
@require_POST
def invitation_revoke(request, invite: MediatorInvitation):
    if mediation_services.invitation_revoke(invitation=invite, owner=request.user):
        messages.success(request, _("Invitation withdrawn: the link no longer works."))
    else:
        messages.info(request, _("That invitation was already used or withdrawn."))
    return redirect("disputes:case_mediators", pk=invite.case_id)


@login_required
@loads(access_for_owner)
@require_POST
def access_revoke(request, access: MediatorAccess):
    if mediation_services.mediator_revoke(access=access, owner=request.user):
        messages.success(request, _("The mediator no longer has access to this case."))
    else:
        messages.info(request, _("That mediator's access was already revoked."))
    return redirect("disputes:case_mediators", pk=access.case_id)


@login_required
@loads(proposal_for_owner)
@require_POST
def settlement_answer(request, proposal: SettlementProposal, answer: str):
    if answer not in ("accept", "reject"):
        raise Http404
    form = SettlementAnswerForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        mediation_services.settlement_answer(
            proposal=proposal, owner=request.user, accept=answer == "accept", note=note
        )
    except ValidationError as error:
        messages.error(request, refusal(error))
    else:
        if answer == "accept":
            messages.success(request, _("Settlement accepted; it is on the timeline."))
        else:
            messages.success(request, _("Settlement rejected; it is on the timeline."))
    return redirect(f"{proposal.case.get_absolute_url()}?at={proposal.entry_id}#entry-{proposal.entry_id}")
