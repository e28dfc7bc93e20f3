"""Creating things at most once per submitted form (see `models.FormSubmission`)."""

import datetime
import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from disputes.models import FormSubmission

KEEP_FOR = datetime.timedelta(days=1)


def _parse(key: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(key))
    except (TypeError, ValueError):
        return None


def submission_once(*, user: User, key: str | None, run: Callable[[], str]) -> tuple[str, bool]:
    """Run `run` (which creates something and returns its URL) once per key.

    Returns (url, created). The key is claimed by inserting its row first, in
    the same transaction as the creation: a second post with the same key
    waits on the unique index until the first commits, then gets the first
    one's URL and creates nothing. If the creation fails (a form error, say),
    the claim rolls back with it and the same key can be sent again. A post
    without a valid key (an old page) simply runs.
    """
    parsed = _parse(key)
    if parsed is None:
        return run(), True
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = FormSubmission.objects.create(user=user, key=parsed, created_at=timezone.now())
        except IntegrityError:
            return FormSubmission.objects.get(user=user, key=parsed).url, False
        url = run()
        FormSubmission.objects.filter(pk=row.pk).update(url=url[:500])
    return url, True


def submissions_prune(*, now: datetime.datetime) -> int:
    """Forget keys older than a day (a form is not replayed after that)."""
    deleted, _ = FormSubmission.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    return deleted
