"""Celery tasks: thin wrappers that call one service each."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import mail_admins
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from accounts.models import User
from disputes import timestamps
from disputes.models import Case, Seal
from disputes.services.evidence import evidence_checks_for_case, evidence_recheck_due
from disputes.services.mail_out import mail_send
from disputes.services.mailbox import mailbox_poll
from disputes.services.notifications import notification_send
from disputes.services.record import chains_verify_all, seal_timestamp_fetch, seals_timestamp_pending
from disputes.services.review import staff_digest_queue
from disputes.services.sweep import outbox_deliver, sweep_run

logger = logging.getLogger(__name__)

RETRYING = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 3,
    "soft_time_limit": 240,
    "time_limit": 300,
}


@shared_task(**RETRYING)
def sweep() -> dict:
    """The periodic sweep: concerns, letter deadlines, the outbox (see `services.sweep`)."""
    return sweep_run().as_dict()


@shared_task(**RETRYING)
def send_notification(pk: int) -> str:
    """Send one notification right after the request that queued it committed (the sweep is the safety net)."""
    return notification_send(pk=pk).value


@shared_task(**RETRYING)
def check_case_evidence(case_id: int, user_id: int) -> int:
    """Re-hash every evidence file of one case (staff asked for it)."""
    case = Case.objects.get(pk=case_id)
    return evidence_checks_for_case(case=case, by=User.objects.filter(pk=user_id).first())


@shared_task(**RETRYING)
def recheck_evidence() -> int:
    """The nightly check of evidence files not checked for EVIDENCE_RECHECK_DAYS."""
    return evidence_recheck_due(now=timezone.now())


@shared_task(**RETRYING)
def send_staff_digest() -> int:
    """Queue today's digest of cases waiting too long for a first review, and send it."""
    now = timezone.now()
    queued = staff_digest_queue(now=now)
    outbox_deliver(now=now)
    return queued


@shared_task(**RETRYING)
def seal_timestamp(seal_id: int) -> bool:
    """Fetch the trusted timestamp of a seal just made (`seal_timestamps` catches up on failures)."""
    try:
        return seal_timestamp_fetch(seal=Seal.objects.get(pk=seal_id)) is not None
    except timestamps.TimestampError:
        logger.warning("Seal %s could not be timestamped now; the hourly job tries again.", seal_id, exc_info=True)
        return False


@shared_task(**RETRYING)
def seal_timestamps() -> int:
    """Hourly: timestamp the recent seals that have no token yet."""
    return seals_timestamp_pending(now=timezone.now())


@shared_task(**RETRYING)
def verify_chains() -> int:
    """Nightly: recompute every case's hash chain; a broken one is logged as an error and mailed to ADMINS."""
    broken = [(case.pk, report.broken_at, report.reason) for case, report in chains_verify_all()]
    if broken:
        lines = "\n".join(f"case {pk} at entry {at}: {reason}" for pk, at, reason in broken)
        logger.error("Timeline hash chains broken:\n%s", lines)
        mail_admins(f"{len(broken)} case record(s) do not verify", lines, fail_silently=True)
    return len(broken)


@shared_task(**RETRYING)
def send_client_mail(pk: int) -> str:
    """Send one mail to a client right after the request that wrote it committed (the sweep is the safety net)."""
    return mail_send(pk=pk).value


@shared_task(**RETRYING)
def poll_mailbox() -> dict:
    """File the replies waiting in the IMAP mailbox of MAIL_IN_IMAP_URL (beat runs it when the URL is set)."""
    if not settings.MAIL_IN_IMAP_URL:
        return {"seen": 0}
    result = mailbox_poll(settings.MAIL_IN_IMAP_URL)
    return {"seen": result.seen, **result.outcomes}


@shared_task(**RETRYING)
def analyze_database() -> str:
    """Nightly, on SQLite: refresh the query planner's statistics, without which it picks poor indexes
    on large tables (the case list read every case). PostgreSQL's autovacuum does this by itself."""
    if connection.vendor != "sqlite":
        return "skipped"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return "analyzed"
