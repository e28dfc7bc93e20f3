"""A letter's life after drafting: refusals on closed cases, two drafts at once, paid both ways, discards."""

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from disputes.models import Case, Letter, TimelineEntry
from disputes.services.letters import letter_defaults, letter_discard, letter_draft, letter_finalize, letter_update
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add, entry_correct
from tests.disputes.conftest import draft
from tests.factories import AgreementFactory, CaseFactory, MilestoneFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_letter_is_in_its_cases_currency(billing_case):
    letter = draft(billing_case)
    assert letter.currency == "EUR" == billing_case.project.currency
    with pytest.raises(TypeError):
        draft(billing_case, currency="USD")


class TestFinalisingRefusesClearly:
    def test_with_move_on_a_closed_case_nothing_is_written(self, billing_case, client):
        letter = draft(billing_case)
        Case.objects.filter(pk=billing_case.pk).update(status="resolved")
        client.force_login(billing_case.owner)
        url = reverse("disputes:letter_finalize", args=[billing_case.pk, letter.pk])
        response = client.post(url, {"move_case": "on", "delivery": "recorded"}, follow=True)
        assert response.status_code == 200
        assert "The case is closed. Reopen it" in response.content.decode()
        letter.refresh_from_db()
        assert letter.status == "draft" and not letter.pdf and letter.entry is None
        assert not TimelineEntry.objects.filter(case=billing_case).exists()

    def test_without_move_on_a_closed_case_too(self, billing_case):
        letter = draft(billing_case)
        Case.objects.filter(pk=billing_case.pk).update(status="walked_away")
        with pytest.raises(ValidationError, match="closed"):
            letter_finalize(letter=letter, actor=billing_case.owner)
        assert Letter.objects.get().status == "draft"

    def test_no_draft_on_a_closed_case(self, billing_case):
        Case.objects.filter(pk=billing_case.pk).update(status="resolved")
        billing_case.refresh_from_db()
        with pytest.raises(ValidationError, match="closed"):
            draft(billing_case)

    def test_two_drafts_finalised_one_after_the_other_climb_once(self, billing_case):
        first, second = draft(billing_case), draft(billing_case, subject="Second demand")
        # Both pages were opened while the case was on reminders, both ask to move it.
        letter_finalize(letter=first, actor=billing_case.owner, move_case=True)
        letter_finalize(letter=second, actor=billing_case.owner, move_case=True)
        assert Case.objects.get(pk=billing_case.pk).stage == "formal_letter"
        assert TimelineEntry.objects.filter(case=billing_case, move="escalate").count() == 1
        assert Letter.objects.filter(status="final").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_drafts_finalised_at_the_same_moment_on_postgres_climb_once():
    import threading

    from django.db import connection

    from tests.services import require_postgres

    require_postgres()
    owner = UserFactory(time_zone="UTC")
    case = CaseFactory(project__client__owner=owner, stage="reminders")
    MilestoneFactory(project=case.project, amount=Decimal("100"))
    letters = [draft(case, subject=f"Demand {i}") for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def finalise(letter):
        try:
            barrier.wait()
            letter_finalize(letter=letter, actor=owner, move_case=True)
            outcomes.append("final")
        except Exception as error:  # a 500 in the view would come from here
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=finalise, args=(letter,)) for letter in letters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["final", "final"]
    assert Case.objects.get(pk=case.pk).stage == "formal_letter"
    assert TimelineEntry.objects.filter(case=case, move="escalate").count() == 1


class TestPaidIsRecomputed:
    SENT = "2026-03-10 15:00:00+00:00"

    def test_a_payment_logged_earlier_on_the_sending_day_counts_at_finalising(self, billing_case):
        with time_machine.travel("2026-03-10 09:00:00+00:00", tick=False):
            entry_add(case=billing_case, author=billing_case.owner, kind="payment", body="", amount=Decimal("1250.50"))
        with time_machine.travel(self.SENT, tick=False):
            letter = letter_finalize(letter=draft(billing_case), actor=billing_case.owner)
        assert letter.paid_at is not None and letter.tracking == "paid"

    def test_a_payment_corrected_downwards_makes_the_letter_unpaid_again(self, billing_case, mailoutbox):
        with time_machine.travel(self.SENT, tick=False):
            letter = letter_finalize(letter=draft(billing_case), actor=billing_case.owner)
        with time_machine.travel("2026-03-12 10:00:00+00:00", tick=False):
            payment = entry_add(
                case=billing_case, author=billing_case.owner, kind="payment", body="", amount=Decimal("1250.50")
            )
        letter.refresh_from_db()
        assert letter.paid_at is not None
        with time_machine.travel("2026-03-13 10:00:00+00:00", tick=False):
            entry_correct(original=payment, author=billing_case.owner, body="Only part arrived", amount=Decimal("250"))
        letter.refresh_from_db()
        assert letter.paid_at is None and letter.tracking == "waiting"
        # ... so its deadline is flagged and e-mailed by the sweep after all.
        with time_machine.travel("2026-03-18 00:01:00+00:00", tick=False):
            sweep_run()
        letter.refresh_from_db()
        assert letter.deadline_flagged_at is not None
        assert len([m for m in mailoutbox if "deadline passed" in m.subject]) == 1


class TestDiscardingDrafts:
    def test_an_abandoned_superseding_draft_can_be_discarded_to_write_another(self, billing_case):
        first = letter_finalize(letter=draft(billing_case), actor=billing_case.owner)
        data = letter_defaults(case=billing_case, kind="demand")
        abandoned = letter_draft(
            case=billing_case, author=billing_case.owner, kind="demand", data=data, supersedes=first
        )
        with pytest.raises(ValidationError, match="already a draft replacing"):
            letter_draft(case=billing_case, author=billing_case.owner, kind="demand", data=data, supersedes=first)
        letter_discard(letter=abandoned, actor=billing_case.owner)
        second = letter_draft(case=billing_case, author=billing_case.owner, kind="demand", data=data, supersedes=first)
        second = letter_finalize(letter=second, actor=billing_case.owner)
        first.refresh_from_db()
        assert first.superseded_by == second and first.tracking == "superseded"

    def test_only_drafts_are_discarded_and_a_discarded_one_stays_gone(self, billing_case):
        final = letter_finalize(letter=draft(billing_case), actor=billing_case.owner)
        with pytest.raises(ValidationError, match="Only a draft"):
            letter_discard(letter=final, actor=billing_case.owner)
        thrown = letter_discard(letter=draft(billing_case), actor=billing_case.owner)
        assert thrown.status == "discarded"
        with pytest.raises(ValidationError):
            letter_discard(letter=thrown, actor=billing_case.owner)
        with pytest.raises(ValidationError):
            letter_update(letter=thrown, author=billing_case.owner, data={"subject": "Back"})
        with pytest.raises(ValidationError):
            letter_finalize(letter=thrown, actor=billing_case.owner)

    def test_discarding_through_the_page(self, billing_case, client):
        letter = draft(billing_case)
        client.force_login(billing_case.owner)
        url = reverse("disputes:letter_discard", args=[billing_case.pk, letter.pk])
        assert client.get(url).status_code == 405
        response = client.post(url, follow=True)
        assert "Draft discarded" in response.content.decode()
        letter.refresh_from_db()
        assert letter.status == "discarded"
        assert letter.pk not in [shown.pk for shown in response.context["view"].letters]


def test_the_draft_page_says_when_the_agreement_and_the_plan_disagree(billing_case, client):
    # Version 1 says 2,400.00 EUR; the plan adds up to 2,450.50 EUR.
    client.force_login(billing_case.owner)
    for url in (
        reverse("disputes:letter_new", args=[billing_case.pk, "demand"]),
        billing_case.get_absolute_url(),
        billing_case.project.get_absolute_url(),
    ):
        html = client.get(url).content.decode()
        assert 'data-testid="plan-difference"' in html, url
        assert "2,400.00 EUR" in html and "2,450.50 EUR" in html, url


def test_no_warning_when_they_agree(client):
    project = ProjectFactory(currency="EUR", price=Decimal("500"))
    case = CaseFactory(project=project, currency="EUR")
    AgreementFactory(project=project, version=1, price=Decimal("500"), currency="EUR")
    MilestoneFactory(project=project, amount=Decimal("500"))
    client.force_login(case.owner)
    assert 'data-testid="plan-difference"' not in client.get(case.get_absolute_url()).content.decode()
