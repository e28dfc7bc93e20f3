"""Celery tasks: thin wrappers that call one service each."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from disputes.services.reminders import concerns_sweep


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
