"""Checking the record as stored: every case's hash chain, link by link.

The chain (`rules.chain`) is written by `services.timeline.entry_append`;
this reads it back. A raw change to an entry's text, a removed or inserted
row, or a reordering shows up here as the first link that does not hold.
"""

import datetime
import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import IntegrityError, transaction
from rfc3161_client import decode_timestamp_response

from disputes import timestamps
from disputes.models import Case, Seal, SealTimestamp, TimelineEntry
from disputes.rules import chain

logger = logging.getLogger(__name__)

FIELDS = (
    "id",
    "case_id",
    "sequence",
    "kind",
    "happened_at",
    "recorded_at",
    "channel",
    "body",
    "amount",
    "author_id",
    "corrects_id",
    "about_id",
    "move",
    "from_stage",
    "to_stage",
    "from_status",
    "to_status",
    "ground",
    "fingerprints",
    "shared",
    "salt",
    "content_sha256",
    "previous_sha256",
    "entry_sha256",
)


def chain_links(case: Case, *, shared_only: bool = False) -> list[chain.Link]:
    """The case's links in order; with `shared_only`, private entries keep their fingerprints but not their content."""
    entries = list(TimelineEntry.objects.filter(case_id=case.pk).order_by("sequence", "id").only(*FIELDS))
    sequence_of = {entry.pk: entry.sequence for entry in entries}
    return [
        chain.Link(
            sequence=entry.sequence,
            content_sha256=entry.content_sha256,
            previous_sha256=entry.previous_sha256,
            entry_sha256=entry.entry_sha256,
            fields=None
            if shared_only and not entry.shared
            else chain.entry_fields(entry, sequence_of=lambda pk: None if pk is None else sequence_of.get(pk)),
        )
        for entry in entries
    ]


def chain_verify(*, case: Case) -> chain.ChainReport:
    """Recompute the case's chain from its stored entries and compare it with the case's head."""
    stored = Case.objects.values_list("chain_length", "chain_head").get(pk=case.pk)
    return chain.verify_chain(chain_links(case), expected_length=stored[0], expected_head=stored[1])


def chains_verify_all() -> Iterator[tuple[Case, chain.ChainReport]]:
    """Every case whose chain does not hold, with its report."""
    for case in Case.objects.order_by("pk").only("pk", "title", "chain_length", "chain_head").iterator():
        report = chain_verify(case=case)
        if not report.ok:
            yield case, report


# --- Trusted timestamps on seals ---------------------------------------------------------------
def seal_timestamp_fetch(*, seal: Seal) -> SealTimestamp | None:
    """Ask the timestamp authority to stamp a seal's statement and keep the token (once per seal).

    Returns None when timestamps are off, the seal already has one, or another
    process stored one first. Raises TimestampError when the authority cannot
    be reached or its token does not verify (nothing is kept then).
    """
    if not timestamps.enabled() or SealTimestamp.objects.filter(seal=seal).exists():
        return None
    token = timestamps.request_token(seal.statement.encode())
    stamped_at = decode_timestamp_response(token).tst_info.gen_time
    try:
        with transaction.atomic():
            return SealTimestamp.objects.create(
                seal=seal, authority=settings.TIMESTAMP_AUTHORITY_URL, token=token, stamped_at=stamped_at
            )
    except IntegrityError:
        return None


def seals_timestamp_pending(*, now: datetime.datetime, limit: int = 100) -> int:
    """Stamp the seals of the last 30 days that have no token yet (the authority was down, say)."""
    if not timestamps.enabled():
        return 0
    pending = Seal.objects.filter(timestamp__isnull=True, sealed_at__gte=now - datetime.timedelta(days=30))
    stamped = 0
    for seal in pending.order_by("sealed_at")[:limit]:
        try:
            stamped += seal_timestamp_fetch(seal=seal) is not None
        except timestamps.TimestampError:
            logger.warning("Seal %s could not be timestamped", seal.pk, exc_info=True)
            break  # the authority is down or wrong: try again next time
    return stamped
