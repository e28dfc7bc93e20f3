"""Every route the app has, with the objects its ids name: shared by the resolver-wide tests.

A route must be listed here three times to pass the suite: its ids
(`route_kwargs`), its methods (`GET_ONLY`, `POST_ONLY` or `GET_POST`) and,
if it takes a form, a body that would succeed for the owner (`POST_DATA`).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from disputes.models import (
    CalendarFeed,
    Case,
    Client,
    ClientMail,
    Concern,
    Deadline,
    DeadlineTemplate,
    Evidence,
    Letter,
    MediatorAccess,
    MediatorInvitation,
    Milestone,
    Notification,
    Offer,
    Phrase,
    Project,
    ReceivedMessage,
    Review,
    ReviewAction,
    ScopeAgreement,
    SettlementProposal,
    Ticket,
    TimelineEntry,
    WarningSign,
)
from disputes.services.deadlines import deadline_add, feed_issue, template_add, ticket_add
from disputes.services.evidence import EvidenceDetails, evidence_add
from disputes.services.letters import letter_defaults, letter_draft, letter_finalize
from disputes.services.mail_out import mail_queue
from disputes.services.mediation import mediator_accept, mediator_invite, settlement_propose
from disputes.services.offers import offer_make
from disputes.services.phrases import phrase_add
from tests.conftest import png_bytes
from tests.factories import (
    AgreementFactory,
    CaseFactory,
    EntryFactory,
    MilestoneFactory,
    UserFactory,
    WarningSignFactory,
)
from tests.route_methods import GET_ONLY, GET_POST, POST_ONLY, PUBLIC

__all__ = ["GET_ONLY", "GET_POST", "POST_ONLY", "PUBLIC"]


@dataclass
class World:
    client: Client
    project: Project
    milestone: Milestone
    agreement: ScopeAgreement
    case: Case
    entry: TimelineEntry
    evidence: Evidence
    invitation: MediatorInvitation
    access: MediatorAccess
    proposal: SettlementProposal
    letter: Letter
    draft: Letter
    invitation_token: str
    notification: Notification
    mail: ClientMail
    received: ReceivedMessage
    ticket: Ticket
    deadline: Deadline
    template: DeadlineTemplate
    feed_token: str
    phrase: Phrase
    offer: Offer
    offer_token: str


def build_world(user) -> World:
    # On the mediation rung, so every staff and mediator route has something to show.
    case = CaseFactory(project__client__owner=user, title="Secret case", stage="mediation")
    WarningSignFactory(client=case.client)
    agreement = AgreementFactory(project=case.project, version=1)
    entry = EntryFactory(case=case)
    [evidence] = evidence_add(
        case=case,
        author=user,
        uploads=[SimpleUploadedFile("a.png", png_bytes())],
        details=EvidenceDetails(kind="photo"),
    )
    mediator = UserFactory()
    _, token = mediator_invite(case=case, owner=user, email=mediator.email)
    access = mediator_accept(token=token, user=mediator)
    proposal = settlement_propose(
        case=case, mediator=mediator, amount=Decimal("10"), terms="Half", deadline=datetime.date(2099, 1, 1)
    )
    second, second_token = mediator_invite(case=case, owner=user, email="second-mediator@example.com")
    letter = letter_draft(case=case, author=user, kind="demand", data=letter_defaults(case=case, kind="demand"))
    letter = letter_finalize(letter=letter, actor=user)
    draft = letter_draft(case=case, author=user, kind="demand", data=letter_defaults(case=case, kind="demand"))
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    mail = mail_queue(case=case, author=user, subject="Scheduled", body="Later", send_at=later)
    received = ReceivedMessage.objects.create(
        case=case,
        key=f"<held-{case.pk}@example.com>",
        source="mail_in",
        status="held",
        sender="someone@example.com",
        subject="Held",
        received_at=datetime.datetime.now(datetime.UTC),
    )
    ticket = ticket_add(case=case, actor=user, body="Upwork dispute team", reference="T-1")
    deadline = deadline_add(
        case=case, actor=user, title="Send evidence", due_at=later + datetime.timedelta(days=3), owed_by="me",
        ticket=ticket,
    )  # fmt: skip
    template = template_add(owner=user, title="My own deadline", days=3, owed_by="me")
    offer, _ = offer_make(
        case=case, actor=user, side="client", amount=Decimal("10"), currency=case.currency, terms="Ten",
        expires_on=datetime.date.today() + datetime.timedelta(days=30),
    )  # fmt: skip
    _, offer_token = offer_make(
        case=case, actor=user, side="freelancer", amount=Decimal("12"), currency=case.currency, terms="Twelve",
        expires_on=datetime.date.today() + datetime.timedelta(days=30), email=True,
    )  # fmt: skip
    return World(
        offer=offer,
        offer_token=offer_token,
        phrase=phrase_add(user=user, moment="boundary", text="Outside the scope."),
        ticket=ticket,
        deadline=deadline,
        template=template,
        feed_token=feed_issue(user=user),
        client=case.client,
        project=case.project,
        milestone=MilestoneFactory(project=case.project),
        agreement=agreement,
        case=case,
        entry=entry,
        evidence=evidence,
        invitation=second,
        access=access,
        proposal=proposal,
        letter=letter,
        draft=draft,
        invitation_token=second_token,
        notification=Notification.objects.filter(key__startswith="mediator-invitation:").latest("pk"),
        mail=mail,
        received=received,
    )


def route_kwargs(name: str, w: World, *, secondary: World | None = None) -> dict:
    """URL arguments for every route that takes ids. A route missing here fails the suite."""
    s = secondary or w
    table = {
        "disputes:client_detail": {"pk": w.client.pk},
        "disputes:client_edit": {"pk": w.client.pk},
        "disputes:warning_sign_add": {"pk": w.client.pk},
        "disputes:project_detail": {"pk": w.project.pk},
        "disputes:project_edit": {"pk": w.project.pk},
        "disputes:milestone_add": {"pk": w.project.pk},
        "disputes:project_work_stop": {"pk": w.project.pk},
        "disputes:milestone_paid": {"pk": w.project.pk, "milestone_pk": s.milestone.pk},
        "disputes:agreement_create": {"pk": w.project.pk},
        "disputes:agreement_compare": {"pk": w.project.pk},
        "disputes:agreement_detail": {"pk": w.project.pk, "version": 1},
        "disputes:case_detail": {"pk": w.case.pk},
        "disputes:case_edit": {"pk": w.case.pk},
        "disputes:case_move": {"pk": w.case.pk, "move": "escalate"},
        "disputes:entry_add": {"pk": w.case.pk},
        "disputes:entry_correct": {"pk": w.case.pk, "entry_pk": s.entry.pk},
        "disputes:concern_dismiss": {"pk": w.case.pk, "entry_pk": s.entry.pk},
        "disputes:evidence_upload": {"pk": w.case.pk},
        "disputes:evidence_detail": {"pk": w.case.pk, "evidence_pk": s.evidence.pk},
        "disputes:evidence_download": {"pk": w.case.pk, "evidence_pk": s.evidence.pk},
        "disputes:evidence_tag": {"pk": w.case.pk, "evidence_pk": s.evidence.pk},
        "disputes:phrase_update": {"pk": w.phrase.pk},
        "disputes:evidence_shared_download": {"pk": w.case.pk, "evidence_pk": s.evidence.pk},
        "disputes:evidence_thumbnail": {"pk": w.case.pk, "evidence_pk": s.evidence.pk},
        "disputes:case_mediators": {"pk": w.case.pk},
        "disputes:invitation_revoke": {"pk": w.case.pk, "invitation_pk": s.invitation.pk},
        "disputes:access_revoke": {"pk": w.case.pk, "access_pk": s.access.pk},
        "disputes:settlement_answer": {"pk": w.case.pk, "proposal_pk": s.proposal.pk, "answer": "accept"},
        "disputes:staff_case": {"pk": w.case.pk},
        "disputes:staff_evidence": {"pk": w.case.pk, "evidence_pk": s.evidence.pk},
        "disputes:staff_evidence_thumbnail": {"pk": w.case.pk, "evidence_pk": s.evidence.pk},
        "disputes:review_assign": {"pk": w.case.pk},
        "disputes:review_note": {"pk": w.case.pk},
        "disputes:review_decide": {"pk": w.case.pk},
        "disputes:review_close": {"pk": w.case.pk},
        "disputes:mediation_case": {"pk": w.case.pk},
        "disputes:mediation_note": {"pk": w.case.pk},
        "disputes:mediation_propose": {"pk": w.case.pk},
        "disputes:mediation_evidence": {"pk": w.case.pk, "evidence_pk": s.evidence.pk},
        "disputes:mediation_evidence_thumbnail": {"pk": w.case.pk, "evidence_pk": s.evidence.pk},
        "disputes:mediation_invitation": {"token": "not-a-real-token"},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "accounts:sign_up_confirm": {"uidb64": "MQ", "token": "confirm"},
        "disputes:letter_new": {"pk": w.case.pk, "kind": "demand"},
        "disputes:letter_detail": {"pk": w.case.pk, "letter_pk": s.letter.pk},
        "disputes:letter_edit": {"pk": w.case.pk, "letter_pk": s.letter.pk},
        "disputes:letter_finalize": {"pk": w.case.pk, "letter_pk": s.letter.pk},
        "disputes:letter_discard": {"pk": w.case.pk, "letter_pk": s.draft.pk},
        "disputes:letter_pdf": {"pk": w.case.pk, "letter_pk": s.letter.pk},
        "disputes:casefile_export": {"pk": w.case.pk},
        "disputes:staff_casefile_export": {"pk": w.case.pk},
        "disputes:staff_evidence_check": {"pk": w.case.pk},
        "disputes:staff_chain_check": {"pk": w.case.pk},
        "disputes:client_archive": {"pk": w.client.pk},
        "disputes:client_restore": {"pk": w.client.pk},
        "disputes:project_archive": {"pk": w.project.pk},
        "disputes:project_restore": {"pk": w.project.pk},
        "disputes:case_archive": {"pk": w.case.pk},
        "disputes:case_restore": {"pk": w.case.pk},
        "disputes:staff_outbox_retry": {"kind": "notification", "pk": w.notification.pk},
        "disputes:mail_compose": {"pk": w.case.pk},
        "disputes:mail_send_now": {"pk": w.case.pk, "mail_pk": s.mail.pk},
        "disputes:mail_cancel": {"pk": w.case.pk, "mail_pk": s.mail.pk},
        "disputes:received_decide": {"pk": w.case.pk, "received_pk": s.received.pk, "decision": "reject"},
        "disputes:mail_import": {"pk": w.case.pk},
        "disputes:mail_import_preview": {"pk": w.case.pk},
        "disputes:case_deadlines": {"pk": w.case.pk},
        "disputes:ticket_add": {"pk": w.case.pk},
        "disputes:deadline_met": {"pk": w.case.pk, "deadline_pk": s.deadline.pk},
        "disputes:deadline_move": {"pk": w.case.pk, "deadline_pk": s.deadline.pk},
        "disputes:deadline_template_delete": {"template_pk": w.template.pk},
        "disputes:calendar_ics": {"token": "not-a-real-token"},
        "disputes:timeline_export": {"pk": w.case.pk},
        "disputes:feedback_reminder": {"pk": w.case.pk},
        "disputes:offer_new": {"pk": w.case.pk},
        "disputes:offer_action": {"pk": w.case.pk, "offer_pk": s.offer.pk, "action": "decline"},
        "disputes:offer_public": {"token": "not-a-real-token"},
    }
    return table[name]


# Secondary ids: a route whose second id belongs to another user must 404 even under my own first id.
MIXED = [
    "disputes:milestone_paid",
    "disputes:entry_correct",
    "disputes:concern_dismiss",
    "disputes:invitation_revoke",
    "disputes:access_revoke",
    "disputes:settlement_answer",
    "disputes:staff_evidence",
    "disputes:letter_detail",
    "disputes:letter_edit",
    "disputes:letter_finalize",
    "disputes:letter_discard",
    "disputes:letter_pdf",
    "disputes:evidence_detail",
    "disputes:evidence_download",
    "disputes:evidence_tag",
    "disputes:evidence_shared_download",
    "disputes:evidence_thumbnail",
    "disputes:mail_send_now",
    "disputes:mail_cancel",
    "disputes:received_decide",
    "disputes:deadline_met",
    "disputes:deadline_move",
    "disputes:offer_action",
]

# Ten days ahead: a due time every deadline form accepts.
SOON = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
# A POST body that would succeed for the owner, so a 404 proves the ownership check, not a form error.
PROJECT_DATA = {"title": "Hijacked", "price": "1", "currency": "USD", "prepayment_percent": 0, "status": "active"}
POST_DATA = {
    "disputes:client_edit": {
        "name": "Hijacked",
        "preferred_channel": "email",
        "platform": "direct",
        "time_zone": "UTC",
    },
    "disputes:warning_sign_add": {"kind": "never_satisfied", "noticed_on": "2026-01-01"},
    "disputes:project_edit": PROJECT_DATA,
    "disputes:milestone_add": {"title": "Hijacked", "amount": "1"},
    "disputes:milestone_paid": {"paid_on": "2026-01-01"},
    "disputes:project_work_stop": {"reason": "Hijacked"},
    "disputes:evidence_tag": {"checklist_item": "client_messages"},
    "disputes:phrasebook": {"moment": "acknowledge", "text": "Hijacked"},
    "disputes:phrase_update": {"text": "Hijacked"},
    "disputes:offer_new": {
        "side": "client",
        "amount": "5",
        "currency": "USD",
        "terms": "Hijacked",
        "expires_on": (datetime.date.today() + datetime.timedelta(days=5)).isoformat(),
    },
    "disputes:agreement_create": {
        "deliverables": "Hijacked",
        "price": "1",
        "currency": "USD",
        "revision_rounds": 1,
        "source": "email",
    },
    "disputes:case_edit": {"title": "Hijacked", "kind": "billing", "amount_in_dispute": "1", "currency": "USD"},
    "disputes:case_move": {"expected_stage": "direct_talk", "expected_status": "open", "reason": "Hijacked"},
    "disputes:entry_add": {"kind": "note", "body": "Hijacked"},
    "disputes:entry_correct": {"happened_at": "2026-01-01T10:00", "body": "Hijacked", "channel": "email"},
    "disputes:evidence_upload": {"kind": "other"},
    "disputes:concern_dismiss": {"reason": "Hijacked"},
    "disputes:case_mediators": {"email": "hijack@example.com"},
    "disputes:letter_new": {
        "subject": "Hijacked",
        "body": "x",
        "amount_owed": "1",
        "currency": "USD",
        "payment_instructions": "x",
        "channel": "email",
    },
    "disputes:review_note": {"body": "Hijacked", "visible": "on"},
    "disputes:review_decide": {"recommendation": "no_action", "reasons": "Hijacked"},
    "disputes:review_close": {"reason": "Hijacked"},
    "disputes:mediation_note": {"body": "Hijacked"},
    "disputes:mediation_propose": {"amount": "1", "terms": "Hijacked", "deadline": "2099-01-01"},
    "disputes:mail_compose": {"subject": "Hijacked", "body": "Hijacked"},
    "disputes:case_deadlines": {"title": "Hijacked", "due_at": SOON, "owed_by": "me"},
    "disputes:ticket_add": {"body": "Hijacked"},
    "disputes:deadline_move": {"due_at": SOON, "reason": "Hijacked"},
}


def all_route_names() -> list[str]:
    names = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def url_patterns_by_name() -> dict[str, URLPattern]:
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                found[f"{namespace}:{pattern.name}" if namespace else pattern.name] = pattern

    walk(get_resolver().url_patterns, None)
    return found


def routes_with_ids() -> list[str]:
    return [name for name in all_route_names() if url_patterns_by_name()[name].pattern.converters]


def snapshot() -> dict:
    """Everything a request could change, to compare before and after."""
    return {
        "clients": list(Client.objects.values().order_by("pk")),
        "signs": WarningSign.objects.count(),
        "projects": list(Project.objects.values().order_by("pk")),
        "milestones": list(Milestone.objects.values().order_by("pk")),
        "agreements": ScopeAgreement.objects.count(),
        "cases": list(Case.objects.values().order_by("pk")),
        "entries": TimelineEntry.objects.count(),
        "evidence": Evidence.objects.count(),
        "concerns": list(Concern.objects.values().order_by("pk")),
        "reviews": list(Review.objects.values().order_by("pk")),
        "review_actions": ReviewAction.objects.count(),
        "invitations": list(MediatorInvitation.objects.values().order_by("pk")),
        "accesses": list(MediatorAccess.objects.values().order_by("pk")),
        "proposals": list(SettlementProposal.objects.values().order_by("pk")),
        "notifications": Notification.objects.count(),
        "letters": list(Letter.objects.values().order_by("pk")),
        "mails": list(ClientMail.objects.values().order_by("pk")),
        "received": list(ReceivedMessage.objects.values().order_by("pk")),
        "tickets": list(Ticket.objects.values().order_by("pk")),
        "deadlines": list(Deadline.objects.values().order_by("pk")),
        "templates": list(DeadlineTemplate.objects.values().order_by("pk")),
        # A calendar's read of its feed records when (last_read_at): reading, not changing.
        "feeds": list(CalendarFeed.objects.values("user_id", "token_sha256", "created_at").order_by("pk")),
    }
