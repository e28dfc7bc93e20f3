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
from disputes.services.letters import letter_defaults, letter_draft, letter_finalize, letter_update
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add
from tests.disputes.conftest import draft
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def pdf_text(letter: Letter) -> str:
    data = Path(letter.pdf.path).read_bytes()
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages)


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


def _page_texts(letter: Letter) -> list[str]:
    data = Path(letter.pdf.path).read_bytes()
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("kind", ["demand", "final_notice"])
def test_a_long_letter_keeps_amount_deadline_and_how_to_pay_together_on_page_one(billing_case, kind):
    sentence = "the work was delivered as agreed and approved. "
    long_body = "\n\n".join(f"Paragraph {n}: " + sentence * 12 for n in range(9))
    extra = {"legal_action_date": dt.date(2026, 4, 30)} if kind == "final_notice" else {}
    iban = "IBAN DE02 1203 0000 0000 2020 51"
    letter = draft(billing_case, kind=kind, body=long_body, payment_instructions=iban, **extra)
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        letter = letter_finalize(letter=letter, actor=billing_case.owner)
    pages = _page_texts(letter)
    assert len(pages) >= 2  # long enough that the old layout put the deadline on page 2
    first = pages[0]
    assert "Amount owed: 1,250.50 EUR" in first and "IBAN DE02 1203 0000 0000 2020 51" in first
    assert ("Payment deadline: 17 March 2026" if kind == "demand" else "30 April 2026") in first
    assert "Paragraph 8" not in first  # the terms come before the letter's own text


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
        assert letter.deadline_flagged_at is None and [m for m in mailoutbox if "deadline passed" in m.subject] == []
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
    finalize = reverse("disputes:letter_finalize", args=[billing_case.pk, letter.pk])
    client.post(finalize, {"move_case": "on", "delivery": "recorded"})
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
