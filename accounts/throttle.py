"""Failed sign-in throttling, counted in the cache per address and per client IP.

After LOGIN_FAILURE_LIMIT failures for one e-mail address (or five times that
from one IP) within LOGIN_FAILURE_WINDOW_SECONDS, sign-in is refused until the
window passes, even with the right password.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

IP_MULTIPLIER = 5


def _keys(email: str, ip: str) -> tuple[str, str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"login-fail:email:{digest}", f"login-fail:ip:{ip}"


def is_locked(*, email: str, ip: str) -> bool:
    email_key, ip_key = _keys(email, ip)
    counts = cache.get_many([email_key, ip_key])
    limit = settings.LOGIN_FAILURE_LIMIT
    return counts.get(email_key, 0) >= limit or counts.get(ip_key, 0) >= limit * IP_MULTIPLIER


def record_failure(*, email: str, ip: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(email, ip):
        # add() is a no-op when the key exists, so the window starts at the first failure.
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def clear(*, email: str, ip: str) -> None:
    cache.delete(_keys(email, ip)[0])
