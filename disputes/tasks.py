"""Celery tasks: thin wrappers that call one service each."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from disputes.services.notifications import notifications_send_due
from disputes.services.reminders import concerns_sweep
from disputes.services.review import staff_digest_queue


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def sweep_concerns() -> dict:
    """Flag concerns that became due soon or overdue and send the reminder e-mails."""
    return concerns_sweep().as_dict()


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def send_staff_digest() -> int:
    """Queue today's digest of cases waiting too long for a first review, and send it."""
    queued = staff_digest_queue()
    notifications_send_due(now=timezone.now())
    return queued
