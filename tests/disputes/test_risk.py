"""A client's risk level: the pure rules (rules.risk), the facts gathered for them
(selectors_risk), and where the level shows with its reasons and advice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.models import Milestone, WarningSign
from disputes.rules import risk
from disputes.selectors_risk import client_history, client_risk
from disputes.services.cases import case_move
from tests.factories import CaseFactory, ClientFactory, ProjectFactory


# --- The rules, without a database ------------------------------------------------------------
def test_no_history_is_low_risk_and_says_so():
    assessed = risk.assess(risk.History())
    assert assessed.level == risk.LOW and assessed.points == 0
    assert assessed.reasons == ("Nothing on record against this client yet.",)
    assert any("in writing" in line for line in assessed.advice)


def test_one_serious_sign_puts_a_client_on_watch_with_the_reason():
    assessed = risk.assess(risk.History(signs={"refused_prepayment": "Refused any prepayment"}))
    assert assessed.level == risk.WATCH
    assert assessed.reasons == ("Warning sign: refused any prepayment.",)
    assert any("up front" in line for line in assessed.advice)


def test_a_mild_sign_alone_stays_low():
    assert risk.assess(risk.History(signs={"never_satisfied": "Never satisfied"})).level == risk.LOW


@pytest.mark.parametrize(
    ("history", "level"),
    [
        (risk.History(open_cases=1), risk.WATCH),
        (risk.History(closed_cases=1), risk.LOW),
        (risk.History(closed_cases=1, losses=1), risk.WATCH),
        (risk.History(open_cases=1, escalated_cases=1, losses=1), risk.HIGH),
        (risk.History(unpaid_overdue=1), risk.WATCH),
        (risk.History(late_payments=1, concerns_late=1), risk.WATCH),
        (risk.History(signs={"source_before_payment": "x", "off_platform": "y", "never_satisfied": "z"}), risk.HIGH),
        (risk.History(walked_away=1, unpaid_overdue=1, late_payments=1), risk.HIGH),
    ],
)
def test_the_level_is_where_the_points_land(history, level):
    assessed = risk.assess(history)
    assert assessed.level == level
    assert (assessed.points >= risk.HIGH_AT) == (level == risk.HIGH)
    assert len(assessed.reasons) >= 1 and assessed.advice == risk.ADVICE[level]


def test_every_fact_gives_its_own_reason_in_words():
    facts = {"open_cases": 2, "closed_cases": 1, "escalated_cases": 1, "losses": 1, "walked_away": 1,
             "late_payments": 3, "unpaid_overdue": 1, "concerns_late": 2}  # fmt: skip
    assessed = risk.assess(risk.History(**facts))
    text = " ".join(assessed.reasons)
    for words in ("2 cases are open", "1 past case", "platform support", "less than the full amount", "walked away",
                  "1 payment is unpaid", "3 payments came after", "2 concerns"):  # fmt: skip
        assert words in text, words
    assert assessed.level == risk.HIGH and len(risk.ADVICE[risk.HIGH]) > len(risk.ADVICE[risk.WATCH])


# --- The facts, from the database ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_history_counts_this_clients_facts_only(owner, django_assert_max_num_queries):
    client = ClientFactory(owner=owner)
    project = ProjectFactory(client=client)
    today = timezone.localdate()
    WarningSign.objects.create(client=client, kind="refused_prepayment", noticed_on=today)
    WarningSign.objects.create(client=client, kind="refused_prepayment", noticed_on=today - dt.timedelta(days=3))
    Milestone.objects.create(project=project, title="Late", amount=Decimal(10), due_date=today - dt.timedelta(days=9),
                             paid_on=today - dt.timedelta(days=2))  # fmt: skip
    Milestone.objects.create(project=project, title="Unpaid", amount=Decimal(10), due_date=today - dt.timedelta(days=1))
    Milestone.objects.create(project=project, title="Future", amount=Decimal(10), due_date=today + dt.timedelta(days=5))
    CaseFactory(project=project, stage="platform_support")
    lost = CaseFactory(project=project)
    case_move(case=lost, actor=owner, move="resolve", reason="Half paid", outcome="partial_payment")
    # Someone else's client with the same facts changes nothing here.
    other = ProjectFactory()
    WarningSign.objects.create(client=other.client, kind="abusive_language", noticed_on=today)
    CaseFactory(project=other)
    with django_assert_max_num_queries(4):
        history = client_history(client)
    assert history.signs == {"refused_prepayment": "Refused any prepayment"}
    assert (history.open_cases, history.closed_cases, history.escalated_cases, history.losses) == (1, 1, 1, 1)
    assert (history.late_payments, history.unpaid_overdue) == (1, 1)
    assert client_risk(client).level == risk.HIGH


# --- Where it shows -----------------------------------------------------------------------------
@pytest.fixture
def risky(owner):
    client = ClientFactory(owner=owner, name="Shady Ltd")
    WarningSign.objects.create(client=client, kind="source_before_payment", noticed_on=timezone.localdate())
    WarningSign.objects.create(client=client, kind="off_platform", noticed_on=timezone.localdate())
    CaseFactory(project__client=client)
    return client


@pytest.mark.django_db
def test_the_client_project_and_agreement_pages_show_the_level_reasons_and_advice(owner_client, risky):
    project = ProjectFactory(client=risky)
    for url in (risky.get_absolute_url(), project.get_absolute_url(),
                reverse("disputes:agreement_create", args=[project.pk])):  # fmt: skip
        html = owner_client.get(url).content.decode()
        assert 'data-testid="risk-level">High risk' in html, url
        assert "Warning sign: asked for source files before paying." in html, url
        assert "No source files, full-resolution files or access before full payment." in html, url


@pytest.mark.django_db
def test_the_new_project_page_shows_the_chosen_clients_risk_and_never_another_users(owner_client, risky, outsider):
    html = owner_client.get(reverse("disputes:project_create"), {"client": risky.pk}).content.decode()
    assert "Shady Ltd: <span" in html and "High risk" in html
    panel = owner_client.get(reverse("disputes:project_lessons"), {"client": risky.pk}).content.decode()
    assert "High risk" in panel and "Warning sign: proposed working or paying off-platform." in panel
    theirs = ClientFactory(owner=outsider, name="Not yours")
    WarningSign.objects.create(client=theirs, kind="abusive_language", noticed_on=timezone.localdate())
    panel = owner_client.get(reverse("disputes:project_lessons"), {"client": theirs.pk}).content.decode()
    assert "client-risk" not in panel and "Not yours" not in panel
