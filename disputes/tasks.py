"""Celery tasks: thin wrappers that call one service each."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accounts.models import User
from disputes.models import Case
from disputes.services.evidence import evidence_checks_for_case, evidence_recheck_due
from disputes.services.notifications import notification_send
from disputes.services.review import staff_digest_queue
from disputes.services.sweep import outbox_deliver, sweep_run

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
