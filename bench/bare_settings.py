"""Settings of the bare reference page (bench/bare.py): Settle's own database, users and sessions,
with nothing else: only the session and authentication middleware, no templates' context processors."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "OPTIONS": {}}]
