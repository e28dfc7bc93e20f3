"""Loading the objects a URL names, for the person asking, or 404.

One small loader per viewer and object: the owner's (`case_for_owner`, …),
staff's (`case_for_staff`: escalated cases only) and a mediator's
(`case_for_mediator`: the cases they were let into). Each is one
`get_object_or_404` on the right queryset; a child (entry, evidence,
letter…) is looked up through its parent's queryset, so your own case with
someone else's evidence id is a 404 like any other.

Views wear them through `loads`, outside Django's `require_GET` /
`require_POST`, so for every method the order is fixed by the decorators,
not by the view's body: signed in? → yours? (404) → method allowed? (405).

    @login_required
    @loads(case_for_owner)
    @require_POST
    def entry_add(request, case): ...
"""

import inspect
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from disputes.models import (
    Case,
    Client,
    ClientMail,
    Deadline,
    DeadlineTemplate,
    Evidence,
    Letter,
    MediatorAccess,
    MediatorInvitation,
    Milestone,
    Offer,
    Phrase,
    Project,
    ReceivedMessage,
    ScopeAgreement,
    SettlementProposal,
    TimelineEntry,
)
from disputes.prepared import prepared
from disputes.selectors_outbox import KINDS
from disputes.services.mediation import InvitationInvalid, invitation_for_token
from disputes.services.offers import OfferLinkInvalid, offer_for_token


def loads(loader: Callable):
    """Call `loader` with the URL's id arguments and hand the view what it returns."""
    names = [name for name in inspect.signature(loader).parameters if name != "request"]

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, **kwargs):
            ids = {name: kwargs.pop(name) for name in names}
            return view(request, loader(request, **ids), **kwargs)

        return wrapped

    return decorator


# --- The owner --------------------------------------------------------------------------
def _owner_cases(request: HttpRequest):
    return Case.objects.for_owner(request.user)


@prepared
def _owner_case(owner_id: int, pk: int):
    return Case.objects.filter(owner_id=owner_id, pk=pk).select_related("project", "client")


def case_for_owner(request: HttpRequest, pk: int) -> Case:
    # Every page of a case starts here: the query is built once per process (disputes.prepared).
    found = _owner_case(request.user.pk, int(pk))
    if not found:
        raise Http404
    case = found[0]
    case.owner = request.user  # the query asked for this owner's case: no join to read them again
    return case


def entry_for_owner(request: HttpRequest, pk: int, entry_pk: int) -> TimelineEntry:
    entries = TimelineEntry.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(
        entries.select_related("case__project", "case__client", "case__owner", "author"), pk=entry_pk
    )


def evidence_for_owner(request: HttpRequest, pk: int, evidence_pk: int) -> Evidence:
    evidence = Evidence.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(evidence.select_related("case"), pk=evidence_pk)


def letter_for_owner(request: HttpRequest, pk: int, letter_pk: int) -> Letter:
    letters = Letter.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(
        letters.select_related("case__project", "case__client", "case__owner", "agreement"), pk=letter_pk
    )


def invitation_for_owner(request: HttpRequest, pk: int, invitation_pk: int) -> MediatorInvitation:
    invitations = MediatorInvitation.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(invitations.select_related("case"), pk=invitation_pk)


def access_for_owner(request: HttpRequest, pk: int, access_pk: int) -> MediatorAccess:
    accesses = MediatorAccess.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(accesses.select_related("case"), pk=access_pk)


def proposal_for_owner(request: HttpRequest, pk: int, proposal_pk: int) -> SettlementProposal:
    proposals = SettlementProposal.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(proposals.select_related("case", "entry"), pk=proposal_pk)


def offer_for_owner(request: HttpRequest, pk: int, offer_pk: int) -> Offer:
    offers = Offer.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(offers.select_related("case", "entry"), pk=offer_pk)


def client_mail_for_owner(request: HttpRequest, pk: int, mail_pk: int) -> ClientMail:
    mails = ClientMail.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(mails.select_related("case"), pk=mail_pk)


def received_for_owner(request: HttpRequest, pk: int, received_pk: int) -> ReceivedMessage:
    received = ReceivedMessage.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(received.select_related("case__client", "case__owner"), pk=received_pk)


def client_for_owner(request: HttpRequest, pk: int) -> Client:
    return get_object_or_404(Client.objects.for_owner(request.user), pk=pk)


def project_for_owner(request: HttpRequest, pk: int) -> Project:
    return get_object_or_404(Project.objects.for_owner(request.user).select_related("client"), pk=pk)


def milestone_for_owner(request: HttpRequest, pk: int, milestone_pk: int) -> Milestone:
    milestones = Milestone.objects.filter(project__owner=request.user, project_id=pk)
    return get_object_or_404(milestones.select_related("project"), pk=milestone_pk)


def agreement_for_owner(request: HttpRequest, pk: int, version: int) -> ScopeAgreement:
    agreements = ScopeAgreement.objects.filter(project__owner=request.user, project_id=pk)
    return get_object_or_404(agreements.select_related("project__client", "created_by"), version=version)


# --- Staff: escalated cases only --------------------------------------------------------
def case_for_staff(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(Case.objects.for_staff().select_related("client", "project", "owner"), pk=pk)


def evidence_for_staff(request: HttpRequest, pk: int, evidence_pk: int) -> Evidence:
    evidence = Evidence.objects.filter(case__in=Case.objects.for_staff(), case_id=pk)
    return get_object_or_404(evidence.select_related("case"), pk=evidence_pk)


def outbox_row_for_staff(request: HttpRequest, kind: str, pk: int):
    """One outgoing e-mail row (reminder or notification), for the staff outbox page."""
    if kind not in KINDS:
        raise Http404(_("No such outbox."))
    return get_object_or_404(KINDS[kind], pk=pk)


# --- A mediator: the cases they were let into -------------------------------------------
def case_for_mediator(request: HttpRequest, pk: int) -> Case:
    cases = Case.objects.for_mediator(request.user).select_related("client", "project", "owner")
    return get_object_or_404(cases, pk=pk)


def evidence_for_mediator(request: HttpRequest, pk: int, evidence_pk: int) -> Evidence:
    evidence = Evidence.objects.filter(case__in=Case.objects.for_mediator(request.user), case_id=pk)
    return get_object_or_404(evidence.select_related("case"), pk=evidence_pk)


# --- Anyone holding an invitation link ---------------------------------------------------
def invitation_by_token(request: HttpRequest, token: str) -> MediatorInvitation:
    """The usable invitation behind a link's token; used, expired, withdrawn or unknown are all 404."""
    try:
        return invitation_for_token(token)
    except InvitationInvalid:
        raise Http404(_("This invitation link is not valid any more.")) from None


def offer_by_token(request: HttpRequest, token: str) -> Offer:
    """The offer behind a client's link, whatever its state (its page says why it cannot be answered).

    An unknown token is 404."""
    try:
        return offer_for_token(token)
    except OfferLinkInvalid:
        raise Http404(_("This link is not valid. Check that it was copied whole from the e-mail.")) from None


def staff_required(view):
    """Signed-in staff only; anyone else signed in gets 404, as for a missing page."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def deadline_for_owner(request: HttpRequest, pk: int, deadline_pk: int) -> Deadline:
    deadlines = Deadline.objects.filter(case__in=_owner_cases(request), case_id=pk)
    return get_object_or_404(deadlines.select_related("case__owner", "ticket"), pk=deadline_pk)


def template_for_owner(request: HttpRequest, template_pk: int) -> DeadlineTemplate:
    """One of the user's own catalogue entries (the shared ones cannot be deleted)."""
    return get_object_or_404(DeadlineTemplate.objects.filter(owner=request.user), pk=template_pk)


def phrase_for_owner(request: HttpRequest, pk: int) -> Phrase:
    return get_object_or_404(Phrase.objects.filter(owner=request.user, removed=False), pk=pk)
