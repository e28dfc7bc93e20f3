"""The hash chain of a case's timeline: the canonical form of an entry, the links, and their check.

Pure Python, no ORM. Each entry has a sequence number in its case (1, 2, 3…
in the order it was written) and three fingerprints:

- content   SHA-256 of the entry's canonical content (below);
- previous  the link fingerprint of the entry before it (64 zeros for the first);
- link      SHA-256 of previous + content.

The case keeps the last link: its head. Changing, removing, inserting or
reordering any entry changes every link after it, so a head written down
elsewhere (a signed case file, a seal, a court filing) no longer matches.
Anyone can redo the arithmetic from the case file's timeline.json with this
module alone.

The canonical content is JSON with sorted keys and no spaces, UTF-8, of:
case, sequence, kind, happened_at and recorded_at (UTC, ISO 8601 with
microseconds), channel, body, amount (two decimals, or null), author (user
id), corrects and about (the sequence of the entry meant, or null), the
ladder move fields, fingerprints (SHA-256 of the files the entry carries)
shared (whether staff, mediators and the case file see it), and salt (32
random hex digits, so the fingerprint of a private note, which others see,
cannot be used to guess its text).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64
VERSION = 1


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def entry_fields(entry: Any, *, sequence_of: Callable[[int | None], int | None]) -> dict[str, Any]:
    """The canonical content of an entry-like object (attribute access only), as a dict.

    `sequence_of` turns the database id in `corrects_id` / `about_id` into
    that entry's sequence number, which a reader of the case file can follow.
    """
    return {
        "v": VERSION,
        "case": entry.case_id,
        "sequence": entry.sequence,
        "kind": entry.kind,
        "happened_at": _utc(entry.happened_at),
        "recorded_at": _utc(entry.recorded_at),
        "channel": entry.channel,
        "body": entry.body,
        "amount": _amount(entry.amount),
        "author": entry.author_id,
        "corrects": sequence_of(entry.corrects_id),
        "about": sequence_of(entry.about_id),
        "move": entry.move,
        "from_stage": entry.from_stage,
        "to_stage": entry.to_stage,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "ground": entry.ground,
        "fingerprints": [part for part in (entry.fingerprints or "").split(",") if part],
        "shared": bool(entry.shared),
        "salt": entry.salt,
    }


SEAL_FORMAT = "settle-seal/1"


def seal_statement(*, case: int, sequence: int, head: str, sealed_at: dt.datetime, key: str) -> bytes:
    """The exact bytes a seal signs: which case, up to which entry, that entry's link, when, with which key."""
    statement = {"format": SEAL_FORMAT, "case": case, "sequence": sequence, "head": head, "key": key}
    return canonical({**statement, "sealed_at": _utc(sealed_at)})


def canonical(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def link_hash(previous: str, content: str) -> str:
    return hashlib.sha256(f"{previous}{content}".encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    """One entry as the chain sees it. `fields` is None for an entry whose content is withheld."""

    sequence: int
    content_sha256: str
    previous_sha256: str
    entry_sha256: str
    fields: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ChainReport:
    length: int
    head: str
    # The first link that does not hold, and why; None when the whole chain holds.
    broken_at: int | None = None
    reason: str = ""
    withheld: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(links: Iterable[Link], *, expected_head: str | None = None, expected_length: int | None = None):
    """Walk the links in sequence order and name the first one that does not hold."""
    previous, length, withheld = GENESIS, 0, 0
    for link in links:
        length += 1
        if link.sequence != length:
            return ChainReport(length - 1, previous, length, f"entry {length} is missing or out of order")
        if link.fields is None:
            withheld += 1
        else:
            if link.fields.get("sequence") != link.sequence:
                return ChainReport(length - 1, previous, link.sequence, "its content names another position")
            if content_hash(link.fields) != link.content_sha256:
                return ChainReport(length - 1, previous, link.sequence, "its content was changed")
        if link.previous_sha256 != previous:
            return ChainReport(length - 1, previous, link.sequence, "it does not follow the entry before it")
        if link_hash(previous, link.content_sha256) != link.entry_sha256:
            return ChainReport(length - 1, previous, link.sequence, "its link fingerprint is wrong")
        previous = link.entry_sha256
    if expected_length is not None and expected_length != length:
        return ChainReport(length, previous, length + 1, f"the record says {expected_length} entries, {length} found")
    if expected_head is not None and expected_head != previous:
        return ChainReport(length, previous, length, "the last entry is not the recorded head", withheld)
    return ChainReport(length, previous, None, "", withheld)
