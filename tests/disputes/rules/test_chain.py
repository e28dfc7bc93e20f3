"""The hash chain's arithmetic, without a database."""

import dataclasses
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from disputes.rules.chain import GENESIS, Link, content_hash, entry_fields, link_hash, verify_chain

T = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)


def entry(sequence: int, text: str, **changes) -> SimpleNamespace:
    base = dict(
        case_id=7, sequence=sequence, kind="message_in", happened_at=T, recorded_at=T, channel="email", body=text,
        amount=None, author_id=3, corrects_id=None, about_id=None, move="", from_stage="", to_stage="",
        from_status="", to_status="", ground="", fingerprints="", shared=True, salt="5a" * 16,
    )  # fmt: skip
    return SimpleNamespace(**{**base, **changes})


def chained(bodies: list[str]) -> list[Link]:
    links, previous = [], GENESIS
    for sequence, body in enumerate(bodies, start=1):
        fields = entry_fields(entry(sequence, body), sequence_of=lambda pk: None)
        content = content_hash(fields)
        link = link_hash(previous, content)
        links.append(Link(sequence, content, previous, link, fields))
        previous = link
    return links


def test_a_chain_holds_and_its_head_is_the_last_link():
    links = chained(["one", "two", "three"])
    report = verify_chain(links, expected_head=links[-1].entry_sha256, expected_length=3)
    assert report.ok and report.length == 3 and report.head == links[-1].entry_sha256


def test_a_changed_word_is_named_by_its_position():
    links = chained(["one", "two", "three"])
    forged = dict(links[1].fields, body="TWO")
    links[1] = dataclasses.replace(links[1], fields=forged)
    report = verify_chain(links)
    assert (report.broken_at, report.reason) == (2, "its content was changed")


def test_rehashing_a_changed_entry_still_breaks_the_next_link():
    links = chained(["one", "two", "three"])
    forged = dict(links[1].fields, body="TWO")
    content = content_hash(forged)
    links[1] = Link(2, content, links[1].previous_sha256, link_hash(links[1].previous_sha256, content), forged)
    assert verify_chain(links).broken_at == 3


def test_a_removed_entry_and_a_reordering_are_named():
    links = chained(["one", "two", "three"])
    removed = verify_chain([links[0], links[2]])
    assert (removed.broken_at, removed.reason) == (2, "entry 2 is missing or out of order")
    assert verify_chain([links[1], links[0], links[2]]).broken_at == 1
    assert verify_chain(links[:2], expected_length=3).broken_at == 3
    assert (
        verify_chain(links[:2], expected_head=links[2].entry_sha256).reason == "the last entry is not the recorded head"
    )


def test_withheld_content_keeps_the_chain_checkable():
    links = chained(["one", "private", "three"])
    links[1] = dataclasses.replace(links[1], fields=None)
    report = verify_chain(links, expected_head=links[-1].entry_sha256)
    assert report.ok and report.withheld == 1


def test_the_canonical_form_covers_every_field_that_matters():
    base = entry_fields(entry(1, "x"), sequence_of=lambda pk: None)
    for field, value in [
        ("body", "y"), ("happened_at", T + dt.timedelta(microseconds=1)), ("amount", Decimal("1")),
        ("channel", "phone"), ("author_id", 4), ("fingerprints", "ab" * 32), ("shared", False), ("kind", "note"),
        ("salt", "00" * 16),
    ]:  # fmt: skip
        changed = entry_fields(entry(1, "x", **{field: value}), sequence_of=lambda pk: None)
        assert content_hash(changed) != content_hash(base), field


def test_times_count_in_utc_whatever_zone_they_were_told_in():
    from zoneinfo import ZoneInfo

    in_tokyo = T.astimezone(ZoneInfo("Asia/Tokyo"))
    fields = entry_fields(entry(1, "x", happened_at=in_tokyo, recorded_at=in_tokyo), sequence_of=lambda pk: None)
    assert fields["happened_at"] == "2026-05-01T10:00:00.000000+00:00"
    assert content_hash(fields) == content_hash(entry_fields(entry(1, "x"), sequence_of=lambda pk: None))
