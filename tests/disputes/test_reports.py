"""Reports, the lessons page, the CSV exports and the follow-up after a resolution."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes.models import Case, Concern, Notification
from disputes.selectors_reports import report
from disputes.services.cases import case_move
from disputes.services.followup import feedback_reminder_set
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add
from tests.factories import CaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def _close(case, *, outcome="paid_in_full", recovered=None, cause="", lessons_text="", when=T0):
    with time_machine.travel(when, tick=False):
        return case_move(case=case, actor=case.owner, move="resolve", reason="Paid", outcome=outcome,
                         amount_recovered=recovered, root_cause_kind=cause, lessons_learned=lessons_text)  # fmt: skip


@pytest.fixture
def history(owner):
    """Three cases over two months in Berlin, one closed with a root cause, and client concerns."""
    owner.time_zone = "Europe/Berlin"
    owner.save(update_fields=["time_zone"])
    project = ProjectFactory(client__owner=owner, client__name="Acme", currency="EUR")
    # 22:30 UTC on 31 January is still January in Berlin; 23:30 UTC (the USD case) is 1 February there.
    jan = CaseFactory(project=project, currency="EUR", amount_in_dispute=Decimal("1000"), kind="billing",
                      opened_at=dt.datetime(2026, 1, 31, 22, 30, tzinfo=dt.UTC))  # fmt: skip
    feb = CaseFactory(project=project, currency="EUR", amount_in_dispute=Decimal("400"), kind="quality",
                      opened_at=dt.datetime(2026, 2, 15, 10, 0, tzinfo=dt.UTC))  # fmt: skip
    usd = CaseFactory(project__client__owner=owner, currency="USD", amount_in_dispute=Decimal("250"), kind="billing",
                      opened_at=dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC))  # Berlin: 1 February  # fmt: skip
    _close(jan, recovered=Decimal("800"), cause="no_prepayment", lessons_text="Half up front next time.",
           when=dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC))  # fmt: skip
    # A concern answered in 2 hours, one answered after 30 hours, one still waiting past its window.
    received = dt.datetime(2026, 2, 16, 8, 0, tzinfo=dt.UTC)
    for case, answer_after in ((feb, 2), (usd, 30)):
        entry_add(case=case, author=owner, kind="message_in", channel="email", body="Where is it?",
                  happened_at=received)  # fmt: skip
        with time_machine.travel(received + dt.timedelta(hours=answer_after), tick=False):
            entry_add(case=case, author=owner, kind="message_out", channel="email", body="On it.")
    entry_add(case=feb, author=owner, kind="message_in", channel="email", body="And now?",
              happened_at=dt.datetime(2026, 2, 20, 8, 0, tzinfo=dt.UTC))  # fmt: skip
    CaseFactory(title="Someone else's", opened_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    return owner


def test_the_figures_count_by_the_users_months(history):
    data = report(history, dt.date(2026, 1, 1), dt.date(2026, 3, 1), dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
    assert data.opened == {dt.date(2026, 1, 1): 1, dt.date(2026, 2, 1): 2}
    assert data.closed == {dt.date(2026, 3, 1): 1}
    assert dict(data.by_kind) == {"Billing (unpaid, late or disputed amount)": 2, "Quality of the work": 1}
    assert data.by_rung == [("Direct talk", 1)] and data.by_outcome == [("Paid in full", 1)]
    assert data.root_causes == [("No prepayment or payment per stage", 1)]
    assert [(m["currency"], m["cases"], m["disputed"], m["recovered"]) for m in data.money] == [
        ("EUR", 2, Decimal("1400"), Decimal("800")),
        ("USD", 1, Decimal("250"), Decimal("0")),
    ]
    assert (data.concerns, data.answered, data.within_window, data.overdue) == (3, 2, 1, 2)
    assert data.average_answer == dt.timedelta(hours=16)


def test_a_range_outside_the_data_is_empty(history):
    data = report(history, dt.date(2025, 1, 1), dt.date(2025, 12, 1), dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
    assert data.empty and data.within_share is None


def test_the_report_costs_five_queries_whatever_the_range(history):
    """Two tallies, the cases at the two kinds of month starts, and the concerns."""
    for first in (dt.date(2026, 1, 1), dt.date(2017, 1, 1)):
        with CaptureQueriesContext(connection) as captured:
            report(history, first, dt.date(2026, 12, 1), dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
        assert len(captured) == 5


def test_the_page_draws_every_chart_with_its_table(history, owner_client):
    response = owner_client.get(reverse("disputes:reports") + "?start=2026-01&end=2026-03")
    html = response.content.decode()
    assert response.status_code == 200
    for chart in ("per-month", "by-kind", "by-rung", "by-outcome", "root-causes", "money"):
        assert f'id="chart-{chart}"' in html
    assert 'id="report-charts" type="application/json"' in html and "vendor/chartjs/chart.umd.min" in html
    assert '<th scope="row" class="fw-normal">Feb 2026</th><td class="text-end">2</td>' in html
    assert "Someone else" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [("?start=2010-01&end=2026-01", "at most 10 years"), ("?start=2026-05&end=2026-01", "swap them"),
     ("?start=nonsense", "Enter a month")],
)  # fmt: skip
def test_a_bad_range_is_explained_and_the_last_year_shown(owner_client, query, message):
    response = owner_client.get(reverse("disputes:reports") + query)
    assert response.status_code == 200
    assert message in response.content.decode() and "The last 12 months are shown instead" in response.content.decode()


def test_a_user_with_no_cases_sees_an_empty_state(owner_client):
    response = owner_client.get(reverse("disputes:reports"))
    assert b'data-testid="reports-empty"' in response.content and b"chart.umd" not in response.content


# --- CSV ---------------------------------------------------------------------------------------
def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_cases_csv_has_my_cases_in_the_range_in_my_zone(history, owner_client):
    rows = _csv(owner_client.get(reverse("disputes:cases_export") + "?start=2026-01&end=2026-02"))
    assert rows[0][:3] == ["id", "title", "client"]
    assert len(rows) == 4
    closed = next(row for row in rows if row[7] == "Paid in full")
    assert closed[11] == "2026-01-31T23:30+01:00" and closed[13] == "No prepayment or payment per stage"
    assert not any("Someone else" in ",".join(row) for row in rows)


def test_a_message_that_looks_like_a_formula_stays_text(owner, owner_client, case):
    entry_add(case=case, author=owner, kind="message_in", channel="email", body='=HYPERLINK("http://x","pay")')
    rows = _csv(owner_client.get(reverse("disputes:timeline_export", args=[case.pk])))
    assert rows[1][7] == '\'=HYPERLINK("http://x","pay")' and len(rows[1][8]) == 64


def test_someone_elses_timeline_is_not_exported(outsider_client, case):
    assert outsider_client.get(reverse("disputes:timeline_export", args=[case.pk])).status_code == 404


# --- Lessons -----------------------------------------------------------------------------------
def test_the_lessons_page_gathers_causes_and_lessons(history, owner_client):
    html = owner_client.get(reverse("disputes:lessons")).content.decode()
    assert "Half up front next time." in html and 'data-testid="cause-row"' in html
    assert "Ask for part of the price up front" in html
    filtered = owner_client.get(reverse("disputes:lessons") + "?kind=quality").content.decode()
    assert "Half up front" not in filtered and "No lesson matches" in filtered


def test_new_work_with_the_same_client_shows_what_was_learned(history, owner_client):
    client = Case.objects.filter(owner=history, closed_at__isnull=False).get().client
    html = owner_client.get(reverse("disputes:project_create") + f"?client={client.pk}").content.decode()
    assert 'data-testid="past-lessons"' in html and "Half up front next time." in html
    project = client.projects.first()
    html = owner_client.get(reverse("disputes:agreement_create", args=[project.pk])).content.decode()
    assert "Half up front next time." in html
    other = ProjectFactory(client__owner=history)
    html = owner_client.get(reverse("disputes:agreement_create", args=[other.pk])).content.decode()
    assert 'data-testid="past-lessons"' not in html


def test_an_unknown_root_cause_is_refused(case):
    from disputes.services.cases import MoveRefused

    with pytest.raises(MoveRefused, match="root cause"):
        case_move(case=case, actor=case.owner, move="resolve", reason="x", outcome="paid_in_full",
                  root_cause_kind="bad_luck")  # fmt: skip
    assert Case.objects.get(pk=case.pk).status == "open"


# --- After a resolution ------------------------------------------------------------------------
def test_a_resolved_case_suggests_a_follow_up_and_a_feedback_reminder(owner_client, owner, case, mailoutbox):
    _close(case, when=dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC))
    html = owner_client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="follow-up"' in html and "Thank you for working through" in html
    with time_machine.travel(dt.datetime(2026, 3, 1, 11, 0, tzinfo=dt.UTC), tick=False):
        feedback_reminder_set(case=case, actor=owner)
        feedback_reminder_set(case=case, actor=owner)  # once per case
        sweep_run()
    assert Notification.objects.filter(key=f"feedback-reminder:{case.pk}").count() == 1 and mailoutbox == []
    with time_machine.travel(dt.datetime(2026, 3, 15, 11, 1, tzinfo=dt.UTC), tick=False):
        sweep_run()
    [mail] = mailoutbox
    assert mail.subject == "Settle: ask your client for feedback" and "14 days ago" in mail.body


def test_an_open_case_gets_no_feedback_reminder(owner, case):
    with pytest.raises(ValidationError, match="resolved"):
        feedback_reminder_set(case=case, actor=owner)
    assert not Concern.objects.exists() and not Notification.objects.exists()
