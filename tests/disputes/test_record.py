"""The record as stored: the database refuses rewrites, and the hash chain names any that got through."""

import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from disputes import db_guard
from disputes.models import (
    Case,
    CasefileExport,
    Client,
    Evidence,
    EvidenceCheck,
    EvidenceCopy,
    FieldChange,
    Letter,
    Project,
    ReviewAction,
    Seal,
    TimelineEntry,
)
from disputes.services.casefile import casefile_stream
from disputes.services.cases import case_move, case_update
from disputes.services.record import chain_verify
from disputes.services.timeline import entry_add
from tests.factories import CaseFactory, EntryFactory, UserFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


def raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused(sql: str, params=()) -> bool:
    try:
        raw(sql, params)
    except DatabaseError:
        return True
    return False


def tamper(sql: str, params=()) -> None:
    """What someone with the power to lift the protection (a DBA) could do."""
    with db_guard.rewrite_permitted():
        raw(sql, params)


@pytest.fixture
def record(case):
    for body in ("first", "second", "third"):
        entry_add(case=case, author=case.owner, kind="note", body=body)
    return case


@pytest.fixture
def full_record(record, staff):
    """A case with a row in every protected table."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from disputes.models import Review
    from disputes.services.evidence import EvidenceDetails, evidence_add
    from disputes.services.review import review_note
    from tests.conftest import png_bytes

    evidence_add(
        case=record, author=record.owner, uploads=[SimpleUploadedFile("a.png", png_bytes())],
        details=EvidenceDetails(kind="photo"),
    )  # fmt: skip
    moved = case_move(case=record, actor=record.owner, move="fast_track", reason="Threats", ground="conduct")
    review_note(review=Review.objects.get(case=moved), actor=staff, body="Seen", visible=False)
    case_update(case=moved, actor=moved.owner, data={"amount_in_dispute": moved.amount_in_dispute + 1})
    b"".join(casefile_stream(case=moved, user=moved.owner))
    return moved


LATER_TABLES = {
    "disputes_seal": Seal,
    "disputes_casefileexport": CasefileExport,
    "disputes_fieldchange": FieldChange,
    "disputes_evidencecopy": EvidenceCopy,
    "disputes_evidencecheck": EvidenceCheck,
}


@pytest.mark.parametrize("table", sorted(LATER_TABLES))
def test_seals_exports_history_and_copies_are_append_only_too(full_record, table):
    model = LATER_TABLES[table]
    assert model.objects.count() >= 1
    rows = list(model.objects.values().order_by("pk"))
    assert refused(f"DELETE FROM {table}")  # noqa: S608 (a fixed table name from the list above)
    assert refused(f"UPDATE {table} SET id = id")  # noqa: S608
    assert list(model.objects.values().order_by("pk")) == rows


def test_every_protected_trigger_is_installed():
    assert db_guard.expected_triggers(connection) <= db_guard.installed_triggers(connection)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE disputes_timelineentry SET body = 'rewritten'",
        "DELETE FROM disputes_timelineentry",
        "UPDATE disputes_evidence SET sha256 = 'x'",
        "DELETE FROM disputes_evidence",
        "UPDATE disputes_reviewaction SET body = 'x'",
        "DELETE FROM disputes_case",
        "DELETE FROM disputes_client",
        "DELETE FROM disputes_project",
    ],
)
def test_raw_sql_cannot_rewrite_or_remove_the_record(full_record, sql):
    before = (TimelineEntry.objects.count(), Evidence.objects.count(), ReviewAction.objects.count())
    assert before[1] == before[2] == 1
    assert refused(sql)
    assert (TimelineEntry.objects.count(), Evidence.objects.count(), ReviewAction.objects.count()) == before
    assert Case.objects.count() == Client.objects.count() == Project.objects.count() == 1
    assert not TimelineEntry.objects.filter(body="rewritten").exists()


def test_a_queryset_delete_is_refused_too(record):
    with pytest.raises(DatabaseError), transaction.atomic():
        TimelineEntry.objects.filter(case=record).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Client.objects.all().delete()
    assert Project.objects.count() == 1


def test_a_final_letter_keeps_its_content_but_its_tracking_moves(owner):
    from disputes.services.letters import letter_defaults, letter_draft, letter_finalize

    case = CaseFactory(project__client__owner=owner, stage="reminders")
    letter = letter_finalize(
        letter=letter_draft(case=case, author=owner, kind="demand", data=letter_defaults(case=case, kind="demand")),
        actor=owner,
    )
    assert refused("UPDATE disputes_letter SET amount_owed = 1 WHERE id = %s", [letter.pk])
    assert refused("UPDATE disputes_letter SET sha256 = 'x' WHERE id = %s", [letter.pk])
    assert refused("DELETE FROM disputes_letter WHERE id = %s", [letter.pk])
    raw("UPDATE disputes_letter SET paid_at = %s WHERE id = %s", [timezone.now(), letter.pk])
    assert Letter.objects.get(pk=letter.pk).paid_at is not None


def test_a_draft_is_still_a_draft(owner):
    from disputes.services.letters import letter_defaults, letter_draft

    case = CaseFactory(project__client__owner=owner)
    draft = letter_draft(case=case, author=owner, kind="demand", data=letter_defaults(case=case, kind="demand"))
    raw("UPDATE disputes_letter SET subject = 'edited' WHERE id = %s", [draft.pk])
    assert Letter.objects.get(pk=draft.pk).subject == "edited"


def test_the_door_chains_every_entry_and_the_case_keeps_the_head(record):
    entries = list(TimelineEntry.objects.filter(case=record).order_by("sequence"))
    assert [e.sequence for e in entries] == [1, 2, 3]
    assert entries[0].previous_sha256 == "0" * 64
    assert all(later.previous_sha256 == earlier.entry_sha256 for earlier, later in itertools.pairwise(entries))
    record.refresh_from_db()
    assert (record.chain_length, record.chain_head) == (3, entries[-1].entry_sha256)
    assert chain_verify(case=record).ok


def test_evidence_and_letters_carry_their_fingerprints_in_the_chain(case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from disputes.services.evidence import EvidenceDetails, evidence_add
    from tests.conftest import png_bytes

    [evidence] = evidence_add(
        case=case, author=case.owner, uploads=[SimpleUploadedFile("a.png", png_bytes())],
        details=EvidenceDetails(kind="photo"),
    )  # fmt: skip
    expected = f"{evidence.sha256},{evidence.shared_copy.sha256}"  # the original and the copy others see
    assert TimelineEntry.objects.get(case=case, kind="evidence").fingerprints == expected


@pytest.mark.parametrize(
    ("tampering", "first_broken"),
    [
        ("UPDATE disputes_timelineentry SET body = 'I will pay' WHERE case_id = %s AND sequence = 2", 2),
        ("DELETE FROM disputes_timelineentry WHERE case_id = %s AND sequence = 2", 2),
        (
            "UPDATE disputes_timelineentry SET happened_at = '2020-01-01 00:00:00' WHERE case_id = %s AND sequence = 3",
            3,
        ),
    ],
)
def test_a_rewrite_that_got_past_the_triggers_is_named_by_the_chain(record, tampering, first_broken):
    tamper(tampering, [record.pk])
    report = chain_verify(case=record)
    assert not report.ok and report.broken_at == first_broken


def test_reordering_entries_is_named(record):
    with db_guard.rewrite_permitted():
        raw("UPDATE disputes_timelineentry SET sequence = sequence + 100 WHERE case_id = %s", [record.pk])
        raw("UPDATE disputes_timelineentry SET sequence = 1 WHERE case_id = %s AND sequence = 102", [record.pk])
        raw("UPDATE disputes_timelineentry SET sequence = 2 WHERE case_id = %s AND sequence = 101", [record.pk])
        raw("UPDATE disputes_timelineentry SET sequence = 3 WHERE case_id = %s AND sequence = 103", [record.pk])
    assert chain_verify(case=record).broken_at == 1


def test_the_command_checks_every_case_and_names_the_first_broken_link(record, capsys):
    other = CaseFactory()
    EntryFactory(case=other)
    call_command("verify_chains")
    assert "the chains of all 2 case(s) hold" in capsys.readouterr().out
    tamper("UPDATE disputes_timelineentry SET body = 'x' WHERE case_id = %s AND sequence = 3", [record.pk])
    with pytest.raises(CommandError, match="1 of 2 case"):
        call_command("verify_chains")
    assert f"BROKEN   case {record.pk} at entry 3: its content was changed" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgres_never_fork_the_chain():
    require_postgres()
    user = UserFactory()
    case = CaseFactory(project__client__owner=user)
    barrier = threading.Barrier(6)
    errors = []

    def write(i):
        try:
            barrier.wait()
            for n in range(5):
                entry_add(case=Case.objects.get(pk=case.pk), author=user, kind="note", body=f"{i}-{n}")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(TimelineEntry.objects.filter(case=case).values_list("sequence", flat=True)) == list(range(1, 31))
    assert chain_verify(case=case).ok
