"""Who may do what on an escalated case: every role against every case, evidence and review URL.

Allowed requests succeed (and, for POSTs, write what they should); refused
ones are 404 for signed-in users and a login redirect for anonymous visitors,
and change nothing.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone

from disputes.models import Notification, Review, ReviewAction, SettlementProposal, TimelineEntry
from disputes.services.cases import case_move
from disputes.services.evidence import EvidenceDetails, evidence_add
from disputes.services.mediation import mediator_accept, mediator_invite, mediator_revoke, settlement_propose
from tests.conftest import png_bytes
from tests.factories import CaseFactory, UserFactory
from tests.test_security import url_patterns_by_name

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other_freelancer", "staff", "mediator", "other_mediator", "revoked_mediator"]


@dataclass
class Setup:
    users: dict
    case: object
    evidence: object
    proposal: object
    notification: object


@pytest.fixture
def setup():
    owner = UserFactory(email="owner@example.com")
    case = CaseFactory(project__client__owner=owner, title="The escalated case")
    case = case_move(case=case, actor=owner, move="fast_track", reason="Threats", ground="conduct")
    case = case_move(case=case, actor=owner, move="escalate", reason="Support suggested mediation")
    [evidence] = evidence_add(
        case=case,
        author=owner,
        uploads=[SimpleUploadedFile("a.png", png_bytes())],
        details=EvidenceDetails(kind="photo"),
    )
    users = {
        "owner": owner,
        "other_freelancer": UserFactory(email="other@example.com"),
        "staff": UserFactory(email="staff@example.com", is_staff=True),
        "mediator": UserFactory(email="mediator@example.com"),
        "other_mediator": UserFactory(email="other-mediator@example.com"),
        "revoked_mediator": UserFactory(email="revoked@example.com"),
    }
    _, token = mediator_invite(case=case, owner=owner, email="mediator@example.com")
    mediator_accept(token=token, user=users["mediator"])
    _, token = mediator_invite(case=case, owner=owner, email="revoked@example.com")
    mediator_revoke(access=mediator_accept(token=token, user=users["revoked_mediator"]), owner=owner)
    other_case = CaseFactory(project__client__owner=users["other_freelancer"], stage="mediation")
    _, token = mediator_invite(case=other_case, owner=users["other_freelancer"], email="other-mediator@example.com")
    mediator_accept(token=token, user=users["other_mediator"])
    proposal = settlement_propose(
        case=case,
        mediator=users["mediator"],
        amount=Decimal("100"),
        terms="Half now",
        deadline=timezone.localdate() + dt.timedelta(days=5),
    )
    return Setup(
        users=users, case=case, evidence=evidence, proposal=proposal, notification=Notification.objects.latest("pk")
    )


def actions(s: Setup) -> dict:
    """name: (method, url, data, who may, what changes when allowed)."""
    c, e = s.case.pk, s.evidence.pk
    entries = lambda kind: lambda: TimelineEntry.objects.filter(kind=kind).count()  # noqa: E731
    return {
        "case page": ("get", reverse("disputes:case_detail", args=[c]), {}, {"owner"}, None),
        "evidence download": ("get", reverse("disputes:evidence_download", args=[c, e]), {}, {"owner"}, None),
        "add timeline entry": (
            "post",
            reverse("disputes:entry_add", args=[c]),
            {"kind": "note", "body": "x"},
            {"owner"},
            entries("note"),
        ),
        "mediators page": ("get", reverse("disputes:case_mediators", args=[c]), {}, {"owner"}, None),
        "answer settlement": (
            "post",
            reverse("disputes:settlement_answer", args=[c, s.proposal.pk, "accept"]),
            {},
            {"owner"},
            lambda: SettlementProposal.objects.filter(status="accepted").count(),
        ),
        "case file export": ("get", reverse("disputes:casefile_export", args=[c]), {}, {"owner"}, None),
        "staff case view": ("get", reverse("disputes:staff_case", args=[c]), {}, {"staff"}, None),
        "staff evidence": ("get", reverse("disputes:staff_evidence", args=[c, e]), {}, {"staff"}, None),
        "staff thumbnail": ("get", reverse("disputes:staff_evidence_thumbnail", args=[c, e]), {}, {"staff"}, None),
        "staff case file": ("get", reverse("disputes:staff_casefile_export", args=[c]), {}, {"staff"}, None),
        "staff outbox": ("get", reverse("disputes:staff_outbox"), {}, {"staff"}, None),
        "staff evidence check": (
            "post",
            reverse("disputes:staff_evidence_check", args=[c]),
            {},
            {"staff"},
            None,  # queued after the commit; see test_evidence_checks.py
        ),
        "staff chain check": ("post", reverse("disputes:staff_chain_check", args=[c]), {}, {"staff"}, None),
        "staff outbox retry": (
            "post",
            reverse("disputes:staff_outbox_retry", args=["notification", s.notification.pk]),
            {},
            {"staff"},
            None,
        ),
        "staff assign": (
            "post",
            reverse("disputes:review_assign", args=[c]),
            {"assignee": s.users["staff"].pk},
            {"staff"},
            lambda: ReviewAction.objects.count(),
        ),
        "staff decision": (
            "post",
            reverse("disputes:review_decide", args=[c]),
            {"recommendation": "no_action", "reasons": "x"},
            {"staff"},
            lambda: ReviewAction.objects.count(),
        ),
        "staff close review": (
            "post",
            reverse("disputes:review_close", args=[c]),
            {"reason": "x"},
            {"staff"},
            lambda: ReviewAction.objects.count(),
        ),
        "staff note": (
            "post",
            reverse("disputes:review_note", args=[c]),
            {"body": "x", "visible": "on"},
            {"staff"},
            lambda: ReviewAction.objects.count(),
        ),
        "mediation view": ("get", reverse("disputes:mediation_case", args=[c]), {}, {"mediator"}, None),
        "mediation evidence": ("get", reverse("disputes:mediation_evidence", args=[c, e]), {}, {"mediator"}, None),
        "mediation thumbnail": (
            "get",
            reverse("disputes:mediation_evidence_thumbnail", args=[c, e]),
            {},
            {"mediator"},
            None,
        ),
        "mediator note": (
            "post",
            reverse("disputes:mediation_note", args=[c]),
            {"body": "x"},
            {"mediator"},
            entries("mediator_note"),
        ),
        "propose settlement": (
            "post",
            reverse("disputes:mediation_propose", args=[c]),
            {"amount": "5", "terms": "x", "deadline": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
            {"mediator"},
            lambda: SettlementProposal.objects.count(),
        ),
    }


ACTION_NAMES = [
    "case page",
    "evidence download",
    "add timeline entry",
    "mediators page",
    "answer settlement",
    "case file export",
    "staff case view",
    "staff evidence",
    "staff thumbnail",
    "staff case file",
    "staff outbox",
    "staff evidence check",
    "staff chain check",
    "staff outbox retry",
    "staff assign",
    "staff decision",
    "staff close review",
    "staff note",
    "mediation view",
    "mediation evidence",
    "mediation thumbnail",
    "mediator note",
    "propose settlement",
]


def snapshot():
    return (
        TimelineEntry.objects.count(),
        ReviewAction.objects.count(),
        list(SettlementProposal.objects.values_list("status", flat=True).order_by("pk")),
        list(Review.objects.values().order_by("pk")),
    )


@pytest.mark.parametrize("action", ACTION_NAMES)
@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix(client, setup, role, action):
    method, url, data, allowed, changed = actions(setup)[action]
    if role != "anonymous":
        client.force_login(setup.users[role])
    before = snapshot()
    counted = changed() if changed else None
    response = getattr(client, method)(url, data)
    if role in allowed:
        assert response.status_code in (200, 302), f"{role} {action}: {response.status_code}"
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
        if changed:
            assert changed() == counted + 1, f"{role} {action} wrote nothing"
    else:
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        else:
            assert response.status_code == 404, f"{role} {action}: {response.status_code}"
            assert b"The escalated case" not in response.content
        assert snapshot() == before


def test_the_matrix_covers_every_staff_and_mediator_route_both_ways(setup):
    """Each action is allowed to some role and refused to some signed-in role, and no staff or
    mediator route is left out: a new one must be added to the matrix."""
    table = actions(setup)
    assert sorted(table) == sorted(ACTION_NAMES)
    for name, (_, _, _, allowed, _) in table.items():
        assert allowed and allowed <= set(ROLES) - {"anonymous"}, name
        assert set(ROLES) - {"anonymous"} - allowed, name
    covered = {resolve_name(url) for _, url, _, _, _ in table.values()}
    wanted = {
        name
        for name in url_patterns_by_name()
        if name.startswith(("disputes:staff_", "disputes:review_", "disputes:mediation_"))
        # Lists of one's own (the queue, the cases one mediates: test_mediation_list.py) and the invitation link.
        and name not in ("disputes:staff_queue", "disputes:mediation_cases", "disputes:mediation_invitation")
    }
    assert wanted <= covered, sorted(wanted - covered)


def resolve_name(url: str) -> str:
    match = resolve(url)
    return f"{match.namespace}:{match.url_name}"
