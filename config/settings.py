"""Settle's settings, read from environment variables.

Every variable is listed in README.md and `.env.example`. Local runs get safe
embedded defaults (SQLite, a file-system Celery broker, e-mail to the
console); production names its services by URL. With DEBUG off the process
refuses to start unless SECRET_KEY and ALLOWED_HOSTS are set.
"""

import datetime
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.database import default_database
from config.env import env_bool, env_int, env_list, env_str
from config.storage import file_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SETTLE_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=False)
# A SECRET_KEY containing any of these was copied from an example, not generated.
PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "placeholder", "insecure")

SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-local-development-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
else:
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 10:
        raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters when DEBUG is off.")
    if any(word in SECRET_KEY.lower() for word in PLACEHOLDER_WORDS):
        raise ImproperlyConfigured(
            "SECRET_KEY is a placeholder (it contains words like 'change-me' or 'insecure'). "
            'Generate one: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set (comma-separated) when DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Links in e-mails are built from this, never from the request's Host header.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "accounts",
    "disputes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a django-axes lockout into Settle's own "too many tries" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "disputes.context_processors.response_clock",
            ],
            # {% translate %} and {% blocktranslate %} in every template without a {% load %}.
            "builtins": ["django.templatetags.i18n"],
        },
    },
    {
        # The partials a page repeats per row (see config/jinja2.py), included from Django templates.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {"default": default_database(VAR_DIR)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "disputes:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins for one address are refused after this many tries within the
# window (django-axes, in the database: shared by every process; see accounts/throttle.py).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_ip"
# How many proxies of ours put the client's address in X-Forwarded-For (0: trust none, use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_USERNAME_CALLABLE = "accounts.throttle.username_of"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# The cache holds nothing another process needs (sessions and the sign-in
# throttle are in the database). Local memory by default; Redis by URL.
_cache_url = env_str("CACHE_URL")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
elif _cache_url:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL; got {_cache_url!r}.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Internationalisation and time ---------------------------------------------
LANGUAGE_CODE = "en"
# The languages Settle is written in. A user picks one in the profile (the browser's by default);
# letters and e-mails to a client are written in the client's language (see disputes.languages).
LANGUAGES = [("en", "English"), ("de", "Deutsch")]  # each in its own words, as a picker shows them
TIME_ZONE = "UTC"
USE_I18N = True
# Settle's own catalogues, read before Django's: locale/en gives the forms' messages in Settle's
# words, locale/de all of Settle in German (tests/test_translations.py keeps it complete).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static files and uploads ----------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)

# Uploaded evidence lives outside static/ and has no public URL: it is only
# ever served by a view that checks who is asking.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media"))).resolve()
MEDIA_URL = None

# The installation's signing keys (disputes/signing.py): outside MEDIA_ROOT, backed up with the
# database. Every web and worker process must see the same folder.
SIGNING_KEY_DIR = Path(env_str("SIGNING_KEY_DIR", str(VAR_DIR / "keys"))).resolve()
# Optional RFC 3161 timestamps on seals and case files (disputes/timestamps.py): the authority's
# URL and the PEM file of its root certificate(s), which every token is checked against.
TIMESTAMP_AUTHORITY_URL = env_str("TIMESTAMP_AUTHORITY_URL", "")
TIMESTAMP_AUTHORITY_CA = env_str("TIMESTAMP_AUTHORITY_CA", "")
TIMESTAMP_AUTHORITY_TIMEOUT = env_int("TIMESTAMP_AUTHORITY_TIMEOUT", 10, minimum=1)
# Where files live: the local folder MEDIA_ROOT (the default), or an S3-compatible bucket
# (FILE_STORAGE=s3: AWS S3, MinIO, Ceph, …) through django-storages, shared by every machine.
# Either way files have no public URL: views that check access stream them.
FILE_STORAGE = env_str("FILE_STORAGE", "filesystem")
DEFAULT_STORAGE = file_storage(FILE_STORAGE, MEDIA_ROOT)
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_HANDLERS = ["disputes.uploads.HashingUploadHandler"]
EVIDENCE_MAX_FILE_BYTES = env_int("EVIDENCE_MAX_FILE_MB", 20, minimum=1) * 1024 * 1024
EVIDENCE_MAX_FILES_PER_UPLOAD = env_int("EVIDENCE_MAX_FILES_PER_UPLOAD", 10, minimum=1)
EVIDENCE_MAX_IMAGE_PIXELS = env_int("EVIDENCE_MAX_IMAGE_PIXELS", 50_000_000, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES_PER_UPLOAD + 1

# --- E-mail ------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Settle <no-reply@settle.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery --------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The no-server broker for local runs: folders shared by every process on
    # this machine. Tasks in flight when the worker dies are lost; production
    # uses Redis.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    for _folder in ("queue", "control", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message not acknowledged within this time is handed to another worker:
    # it must be well above the longest task time limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3 * CELERY_TASK_TIME_LIMIT}

# --- Security ------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer checks health over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Structured logs: one JSON object a line (time, level, logger, message, and any `extra`), for log
# collectors; plain text when developing. LOG_FORMAT=json|text chooses.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The PDF engine reports each step of each document at INFO; only its warnings are news.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

PAGE_SIZE = 20

# --- The response clock ----------------------------------------------------------------
# A client's concern must be answered within this many hours (users may choose
# a shorter window, never a longer one).
RESPONSE_WINDOW_HOURS = env_int("RESPONSE_WINDOW_HOURS", 24, minimum=1)
# Less than this many hours left counts as "due soon".
DUE_SOON_HOURS = env_int("DUE_SOON_HOURS", 4, minimum=0)
SWEEP_INTERVAL_SECONDS = env_int("SWEEP_INTERVAL_SECONDS", 300, minimum=10)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5, minimum=1)
# How long a claim on an outgoing e-mail holds before the sweep takes it back from a sender that died.
# It must outlast the slowest real send: every SMTP step may take EMAIL_TIMEOUT.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300, minimum=60)
if OUTBOX_LEASE_SECONDS < 10 * EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        f"OUTBOX_LEASE_SECONDS ({OUTBOX_LEASE_SECONDS}) must be at least 10 x EMAIL_TIMEOUT ({EMAIL_TIMEOUT})."
    )
# A case waiting longer than this for its first staff review is flagged and listed in the daily digest.
REVIEW_FIRST_RESPONSE_HOURS = env_int("REVIEW_FIRST_RESPONSE_HOURS", 48, minimum=1)
MEDIATOR_INVITATION_DAYS = env_int("MEDIATOR_INVITATION_DAYS", 7, minimum=1)
# Invitations are e-mails from Settle's domain to any address: capped per case and per person per day.
MEDIATOR_INVITATIONS_PER_CASE_PER_DAY = env_int("MEDIATOR_INVITATIONS_PER_CASE_PER_DAY", 5, minimum=1)
MEDIATOR_INVITATIONS_PER_USER_PER_DAY = env_int("MEDIATOR_INVITATIONS_PER_USER_PER_DAY", 20, minimum=1)
# Offers e-mailed to a client with an answer link: a few per case a day.
OFFER_EMAILS_PER_CASE_PER_DAY = env_int("OFFER_EMAILS_PER_CASE_PER_DAY", 3, minimum=1)
# A payment demand asks for payment within this many days of the date it is sent.
LETTER_DEADLINE_DAYS = env_int("LETTER_DEADLINE_DAYS", 7, minimum=1)
# Timeline entries per page on a case (newest page first; older pages by link).
TIMELINE_PAGE_SIZE = env_int("TIMELINE_PAGE_SIZE", 25, minimum=5)
# Mail with the client. Replies reach a case at MAIL_REPLY_PREFIX+<token>@MAIL_REPLY_DOMAIN: point that
# domain's mail (or a catch-all) at `manage.py mail_in`, or at a mailbox polled over IMAP (MAIL_IN_IMAP_URL,
# e.g. imaps://user:password@imap.example.com/INBOX). A reply written within MAIL_COOL_OFF_MINUTES of a
# heated message from the client is held MAIL_HOLD_MINUTES before it goes (the page offers "send now").
MAIL_REPLY_PREFIX = env_str("MAIL_REPLY_PREFIX", "reply")
MAIL_REPLY_DOMAIN = env_str("MAIL_REPLY_DOMAIN", "settle.localhost")
MAIL_IN_IMAP_URL = env_str("MAIL_IN_IMAP_URL")
MAIL_IN_POLL_SECONDS = env_int("MAIL_IN_POLL_SECONDS", 120, minimum=10)
MAIL_COOL_OFF_MINUTES = env_int("MAIL_COOL_OFF_MINUTES", 30, minimum=0)
MAIL_HOLD_MINUTES = env_int("MAIL_HOLD_MINUTES", 15, minimum=1)
MAIL_MAX_BYTES = env_int("MAIL_MAX_MB", 25, minimum=1) * 1024 * 1024
# Imports of .eml, .mbox and chat exports on a case page.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 50, minimum=1) * 1024 * 1024
# What the case-file check accepts (the page and `manage.py verify_casefile`): the upload and
# everything in it once unpacked, each file in it, how many files, how long it may take; and how
# many checks one person may run on the page per hour.
CASEFILE_VERIFY_MAX_MB = env_int("CASEFILE_VERIFY_MAX_MB", 1024, minimum=1)
CASEFILE_VERIFY_MAX_MEMBER_MB = env_int("CASEFILE_VERIFY_MAX_MEMBER_MB", 100, minimum=1)
CASEFILE_VERIFY_MAX_MEMBERS = env_int("CASEFILE_VERIFY_MAX_MEMBERS", 5000, minimum=10)
CASEFILE_VERIFY_SECONDS = env_int("CASEFILE_VERIFY_SECONDS", 60, minimum=5)
CASEFILE_VERIFY_PER_HOUR = env_int("CASEFILE_VERIFY_PER_HOUR", 20, minimum=1)
STAFF_DIGEST_HOUR_UTC = env_int("STAFF_DIGEST_HOUR_UTC", 7, minimum=0)
# Every stored evidence file is re-hashed against its upload fingerprint at least this often,
# at most this many files a night (staff can also ask for one case's files at once).
EVIDENCE_RECHECK_DAYS = env_int("EVIDENCE_RECHECK_DAYS", 7, minimum=1)
EVIDENCE_RECHECK_MAX_FILES = env_int("EVIDENCE_RECHECK_MAX_FILES", 500, minimum=1)
EVIDENCE_RECHECK_HOUR_UTC = env_int("EVIDENCE_RECHECK_HOUR_UTC", 3, minimum=0)
CELERY_BEAT_SCHEDULE = {
    "sweep": {"task": "disputes.tasks.sweep", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "staff-digest": {
        "task": "disputes.tasks.send_staff_digest",
        "schedule": crontab(hour=STAFF_DIGEST_HOUR_UTC, minute=0),
    },
    "seal-timestamps": {"task": "disputes.tasks.seal_timestamps", "schedule": crontab(minute=17)},
    "verify-chains": {"task": "disputes.tasks.verify_chains", "schedule": crontab(hour=3, minute=41)},
    "analyze-database": {"task": "disputes.tasks.analyze_database", "schedule": crontab(hour=4, minute=11)},
    "evidence-recheck": {
        "task": "disputes.tasks.recheck_evidence",
        "schedule": crontab(hour=EVIDENCE_RECHECK_HOUR_UTC, minute=30),
    },
}
if MAIL_IN_IMAP_URL:
    CELERY_BEAT_SCHEDULE["poll-mailbox"] = {
        "task": "disputes.tasks.poll_mailbox",
        "schedule": float(MAIL_IN_POLL_SECONDS),
    }
