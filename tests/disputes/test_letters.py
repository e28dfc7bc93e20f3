"""Formal letters: contents of the PDF, freezing, superseding, and the tracked deadline."""

import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from disputes.formatting import format_money
from disputes.models import Case, Letter, TimelineEntry
from disputes.services.letters import (
    letter_defaults,
    letter_discard,
    letter_draft,
    letter_finalize,
    letter_update,
)
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add, entry_correct
from tests.factories import AgreementFactory, CaseFactory, MilestoneFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def pdf_text(letter: Letter) -> str:
    data = Path(letter.pdf.path).read_bytes()
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def billing_case():
    owner = UserFactory(email="fran@example.com", name="Fran Lancer", business_name="Lancer Studio", time_zone="UTC")
    case = CaseFactory(
        project__client__owner=owner,
        project__client__name="Acme Bakery",
        project__title="Brand identity",
        project__currency="EUR",
        currency="EUR",
        stage="reminders",
    )
    AgreementFactory(
        project=case.project,
        version=1,
        price=Decimal("2400"),
        currency="EUR",
        accepted_at=dt.datetime(2026, 1, 14, 9, 30, tzinfo=dt.UTC),
        accepted_via="email",
    )
    MilestoneFactory(
        project=case.project, title="Final payment", amount=Decimal("1200.50"), due_date=dt.date(2026, 3, 1)
    )
    MilestoneFactory(project=case.project, title="Extra revisions", amount=Decimal("50"), due_date=dt.date(2026, 3, 5))
    MilestoneFactory(project=case.project, title="Prepayment", amount=Decimal("1200"), paid_on=dt.date(2026, 1, 15))
    return case


def draft(case, kind="demand", **changes):
    data = {**letter_defaults(case=case, kind=kind), **changes}
    return letter_draft(case=case, author=case.owner, kind=kind, data=data)


def test_defaults_come_from_the_case(billing_case):
    values = letter_defaults(case=billing_case, kind="demand")
    assert values["amount_owed"] == Decimal("1250.50")  # unpaid milestones only
    assert values["agreement"].version == 1 and "currency" not in values
    assert "Acme Bakery" in values["body"]


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("1250.5"), "EUR", "1,250.50 EUR"),
        (Decimal("120000"), "JPY", "120,000 JPY"),
        (Decimal("0.5"), "USD", "0.50 USD"),
    ],
)
def test_money_is_formatted_for_its_currency(amount, currency, text):
    assert format_money(amount, currency) == text


def test_the_pdf_states_amounts_agreement_and_deadline(billing_case):
    letter = draft(billing_case)
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        letter = letter_finalize(letter=letter, actor=billing_case.owner)
    text = pdf_text(letter)
    for expected in (
        "Payment demand: Brand identity",
        "Lancer Studio",
        "Acme Bakery",
        "scope agreement version 1",
        "14 January 2026",
        "1,200.50 EUR",
        "50.00 EUR",
        "Total owed: 1,250.50 EUR",
        "10 March 2026",
        "Payment deadline: 17 March 2026",
    ):
        assert expected in text, expected
    assert letter.deadline == dt.date(2026, 3, 17)
    assert letter.sha256 == hashlib.sha256(Path(letter.pdf.path).read_bytes()).hexdigest()


def test_a_deadline_across_a_month_end(billing_case):
    with time_machine.travel("2026-01-28 12:00:00+00:00", tick=False):
        letter = letter_finalize(letter=draft(billing_case), actor=billing_case.owner)
    assert letter.deadline == dt.date(2026, 2, 4)
    assert "Payment deadline: 4 February 2026" in pdf_text(letter)


def test_a_deadline_across_a_daylight_saving_change(billing_case):
    owner = billing_case.owner
    owner.time_zone = "America/New_York"
    owner.save()
    # Sent on 5 March; New York springs forward on 8 March; deadline 12 March.
    with time_machine.travel("2026-03-05 17:00:00+00:00", tick=False):
        letter = letter_finalize(letter=draft(billing_case), actor=owner)
    assert letter.deadline == dt.date(2026, 3, 12)
    assert "Payment deadline: 12 March 2026" in pdf_text(letter)
    # The deadline passes at local midnight after 12 March: 04:00 UTC (EDT), not 05:00 (EST).
    assert letter.deadline_at == dt.datetime(2026, 3, 13, 4, 0, tzinfo=dt.UTC)


def test_a_final_notice_names_the_date_legal_action_follows(billing_case):
    with pytest.raises(ValidationError):
        draft(billing_case, kind="final_notice", legal_action_date=None)
    letter = draft(billing_case, kind="final_notice", legal_action_date=dt.date(2026, 4, 30))
    letter = letter_finalize(letter=letter, actor=billing_case.owner)
    assert "legal action follows" in pdf_text(letter) and "30 April 2026" in pdf_text(letter)


def test_finalising_puts_it_on_the_timeline_as_an_outgoing_message(billing_case):
    letter = draft(billing_case, channel="letter")
    letter = letter_finalize(letter=letter, actor=billing_case.owner)
    entry = letter.entry
    assert entry.kind == "message_out" and entry.channel == "letter" and letter.sha256 in entry.body


def test_a_final_letter_never_changes(billing_case):
    letter = letter_finalize(letter=draft(billing_case), actor=billing_case.owner)
    pdf_bytes = Path(letter.pdf.path).read_bytes()
    with pytest.raises(ValidationError):
        letter_update(letter=letter, author=billing_case.owner, data={"subject": "Changed"})
    with pytest.raises(ValidationError):
        letter_finalize(letter=letter, actor=billing_case.owner)
    letter.refresh_from_db()
    assert letter.subject.startswith("Payment demand") and Path(letter.pdf.path).read_bytes() == pdf_bytes
    assert TimelineEntry.objects.filter(kind="message_out").count() == 1


def test_a_new_letter_supersedes_the_old_one(billing_case):
    first = letter_finalize(letter=draft(billing_case), actor=billing_case.owner)
    data = letter_defaults(case=billing_case, kind="demand")
    second = letter_draft(case=billing_case, author=billing_case.owner, kind="demand", data=data, supersedes=first)
    second = letter_finalize(letter=second, actor=billing_case.owner)
    first.refresh_from_db()
    assert second.supersedes == first and first.superseded_by == second and first.superseded_at is not None


def test_finalising_can_climb_to_the_formal_letter_rung_through_the_ladder(billing_case):
    letter_finalize(letter=draft(billing_case), actor=billing_case.owner, move_case=True)
    case = Case.objects.get(pk=billing_case.pk)
    assert case.stage == "formal_letter"
    assert TimelineEntry.objects.filter(case=case, move="escalate", to_stage="formal_letter").exists()


def test_the_ladder_refuses_a_jump_from_direct_talk(billing_case):
    Case.objects.filter(pk=billing_case.pk).update(stage="direct_talk")
    billing_case.refresh_from_db()
    with pytest.raises(ValidationError, match="one rung at a time"):
        letter_finalize(letter=draft(billing_case), actor=billing_case.owner, move_case=True)
    assert Letter.objects.get().status == "draft"


def test_an_agreement_of_another_project_is_refused(billing_case):
    other = AgreementFactory()
    with pytest.raises(ValidationError):
        draft(billing_case, agreement=other)


class TestDeadlineSweep:
    SENT = "2026-03-10 15:00:00+00:00"  # deadline 17 March, passes 18 March 00:00 UTC

    def finalised(self, case):
        with time_machine.travel(self.SENT, tick=False):
            return letter_finalize(letter=draft(case), actor=case.owner)

    def sweep(self, when):
        with time_machine.travel(when, tick=False):
            sweep_run()

    def test_before_at_and_after_the_deadline_one_flag_one_email(self, billing_case, mailoutbox):
        letter = self.finalised(billing_case)
        self.sweep("2026-03-17 23:59:00+00:00")
        letter.refresh_from_db()
        assert letter.deadline_flagged_at is None and mailoutbox == []
        self.sweep("2026-03-18 00:00:00+00:00")
        letter.refresh_from_db()
        assert letter.deadline_flagged_at is not None
        deadline_mails = [m for m in mailoutbox if "deadline passed" in m.subject]
        assert len(deadline_mails) == 1 and "platform support" in deadline_mails[0].body
        self.sweep("2026-03-19 00:00:00+00:00")
        self.sweep("2026-03-25 00:00:00+00:00")
        assert len([m for m in mailoutbox if "deadline passed" in m.subject]) == 1

    def test_payment_in_full_before_the_deadline_clears_it(self, billing_case, mailoutbox):
        letter = self.finalised(billing_case)
        with time_machine.travel("2026-03-12 10:00:00+00:00", tick=False):
            entry_add(case=billing_case, author=billing_case.owner, kind="payment", body="", amount=Decimal("1000"))
            letter.refresh_from_db()
            assert letter.paid_at is None  # not yet in full
            entry_add(case=billing_case, author=billing_case.owner, kind="payment", body="", amount=Decimal("250.50"))
        letter.refresh_from_db()
        assert letter.paid_at is not None
        self.sweep("2026-03-20 00:00:00+00:00")
        letter.refresh_from_db()
        assert letter.deadline_flagged_at is None
        assert not [m for m in mailoutbox if "deadline passed" in m.subject]

    def test_the_case_page_says_what_to_do_next(self, billing_case, client):
        self.finalised(billing_case)
        self.sweep("2026-03-18 00:05:00+00:00")
        client.force_login(billing_case.owner)
        html = client.get(billing_case.get_absolute_url()).content.decode()
        assert "Letter deadline passed — next step: platform support" in html


def test_letter_pages(client, billing_case):
    client.force_login(billing_case.owner)
    form_page = client.get(reverse("disputes:letter_new", args=[billing_case.pk, "demand"]))
    assert form_page.status_code == 200 and "1250.50" in form_page.content.decode()
    data = {
        "subject": "Payment demand",
        "body": "Dear Acme,\n\nPlease pay.\n\n<script>alert(1)</script>",
        "amount_owed": "1250.50",
        "payment_instructions": "IBAN DE00 0000",
        "channel": "email",
    }
    response = client.post(reverse("disputes:letter_new", args=[billing_case.pk, "demand"]), data)
    letter = Letter.objects.get()
    assert response["Location"] == reverse("disputes:letter_detail", args=[billing_case.pk, letter.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;" in preview and "<script>alert" not in preview
    client.post(reverse("disputes:letter_edit", args=[billing_case.pk, letter.pk]), {**data, "subject": "Edited"})
    letter.refresh_from_db()
    assert letter.subject == "Edited"
    assert client.get(reverse("disputes:letter_pdf", args=[billing_case.pk, letter.pk])).status_code == 404
    client.post(reverse("disputes:letter_finalize", args=[billing_case.pk, letter.pk]), {"move_case": "on"})
    response = client.get(reverse("disputes:letter_pdf", args=[billing_case.pk, letter.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    edit = client.get(reverse("disputes:letter_edit", args=[billing_case.pk, letter.pk]))
    assert edit.status_code == 302  # final letters are not editable


def test_only_payments_from_the_sending_day_count(billing_case):
    with time_machine.travel("2026-03-09 12:00:00+00:00", tick=False):
        entry_add(case=billing_case, author=billing_case.owner, kind="payment", body="", amount=Decimal("5000"))
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        letter = letter_finalize(letter=draft(billing_case), actor=billing_case.owner)
        entry_add(case=billing_case, author=billing_case.owner, kind="payment", body="", amount=Decimal("1"))
    letter.refresh_from_db()
    assert letter.paid_at is None  # the big payment was before the letter


def test_a_failure_while_finalising_leaves_no_orphan_pdf(billing_case, monkeypatch, settings):
    letter = draft(billing_case)

    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("disputes.services.letters.entry_append", explode)
    with pytest.raises(RuntimeError):
        letter_finalize(letter=letter, actor=billing_case.owner)
    letter.refresh_from_db()
    assert letter.status == "draft" and not letter.pdf
    assert not list((Path(settings.MEDIA_ROOT) / "letters").rglob("*.pdf"))


def test_tracking_states(billing_case):
    letter = draft(billing_case)
    assert letter.tracking == "draft"
    letter = letter_finalize(letter=letter, actor=billing_case.owner)
    assert letter.tracking == "waiting"
    letter.deadline_flagged_at = letter.finalized_at
    assert letter.tracking == "deadline_passed"
    letter.superseded_at = letter.finalized_at
    assert letter.tracking == "superseded"
    letter.paid_at = letter.finalized_at
    assert letter.tracking == "paid"


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
        response = client.post(url, {"move_case": "on"}, follow=True)
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
