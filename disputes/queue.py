"""Asking a Celery worker to do something once the current transaction has committed.

Saving a person's data never waits on the broker or fails because of it:
the task is published after the commit (`transaction.on_commit`), without
retrying, and a broker that is down is logged, not raised. Whatever a task
would have done is also done by the periodic sweep, which finds the row in
the database. Tasks are named, not imported, so services need not import the
tasks module that imports them.
"""

import logging
from functools import partial

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_after_commit(task_name: str, *args) -> None:
    transaction.on_commit(partial(_publish, task_name, args))


def _publish(task_name: str, args: tuple) -> None:
    try:
        current_app.tasks[task_name].apply_async(args=args, retry=False)
    except Exception:  # The broker is down or slow: the sweep sends it instead.
        logger.warning("Could not queue %s%r; the sweep will pick it up.", task_name, args, exc_info=True)
