"""Settings shared by every profile, read from the environment (twelve-factor).

DATABASE_URL  default: SQLite file under var/ (the embedded default)
REDIS_URL     absent: in-memory channel layer, local-memory cache, Celery tasks run inline
SECRET_KEY    required unless DEBUG is on (then a development-only fallback is used)
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .storage import file_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default=None)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_fsm",
    "channels",
    "core",
    "accounts",
    "notifications",
    "cases",
    "complaints",
    "escalation",
    "audit",
    "seeding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.ReadOnlyRoleMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.bell",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'complaints.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: the app runs short queries, and on a large table their cost estimates pass
    # jit_above_cost, so PostgreSQL spent 10–15 ms compiling for a query that runs in 30 (a search's
    # capped count at 1M cases). PostgreSQL's own advice for OLTP; an explicit OPTIONS wins.
    # No parallel workers either: starting them cost that count more than they saved (34 ms with a
    # gather, 21 ms without, on 2 cores where the other requests need the second one).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c max_parallel_workers_per_gather=0"
    )
else:
    # WAL lets readers and one writer work at once; the timeout turns lock contention into a wait.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:queue"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files (resolution letters) go through Django's storage API: the file system under MEDIA_ROOT by
# default; S3-compatible object storage with django-storages by configuration (FILE_STORAGE=s3 and
# its AWS_* variables, read by storage.py; see docs/deployment.md). Files are never served from
# MEDIA_URL: a letter is downloaded through a view that checks who asks.
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
STORAGES = {
    "default": file_storage(os.environ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8's defaults break channels-redis: a 5 s socket timeout equal to its blocking
            # read kills idle consumers (channels_redis#422), and 100 pooled connections make mass
            # disconnects fail. A longer timeout and a larger pool.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 10, "max_connections": 1000}]},
        }
    }
else:
    # Files, not process memory: `make run`'s web server and Celery beat are two processes, and the
    # caches are how one tells the other (a local closure added in the admin reaches the sweeps'
    # business calendar; the status page sees when beat last ran a job).
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": VAR_DIR / "cache"}
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery: with no broker the tasks run inline, so a single machine needs no servers.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# A worker child that grew past this (KiB) is replaced after its task: letters are rendered in the
# workers, and a pathological one must not keep its memory.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=400_000)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="complaints@localhost")
# Links in e-mails point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
CELERY_BEAT_SCHEDULE = {
    # E-mails whose sending failed or was never queued (broker down) are retried by this sweep.
    "email-send-pending": {"task": "notifications.tasks.email_send_pending", "schedule": 300.0},
    # Reminders before promised calls, and promises missed (cases/services/promise_sweeps.py).
    "promises-sweep": {
        "task": "cases.tasks.promises_sweep_task",
        "schedule": env.float("PROMISE_SWEEP_SECONDS", default=60.0),
    },
    # Deadline warnings at 80% and breaches (cases/services/deadline_sweeps.py).
    "deadlines-sweep": {
        "task": "cases.tasks.deadlines_sweep_task",
        "schedule": env.float("PROMISE_SWEEP_SECONDS", default=60.0),
    },
    # The default dashboard's figures, recomputed before their five minutes run out (audit/dashboard.py).
    "audit-dashboard-warm": {
        "task": "audit.tasks.dashboard_warm_task",
        "schedule": env.float("DASHBOARD_WARM_SECONDS", default=240.0),
    },
    # The case timelines' hash chains, walked once a day (cases/services/chain_check.py).
    "audit-chains-verify": {
        "task": "cases.tasks.event_chains_verify_task",
        "schedule": env.float("AUDIT_VERIFY_SECONDS", default=86400.0),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes unauthenticated API calls a 401, not a 403.
        "accounts.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON parser plus depth, text and number limits (core/parsers.py); forms and uploads as usual.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.CheckedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.ErrorDocumentingSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Complaint handling API",
    "DESCRIPTION": "Log complaints and walk their cases through the 7A lifecycle (CTI/CRM integration).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for a choice set several fields use (the complaint's channel, the withdrawal's).
    "ENUM_NAME_OVERRIDES": {"ChannelEnum": "cases.choices.Channel"},
}

# History rows record who changed what; the case page and the API show them to auditors.
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO: seven lines per letter.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# Reopening a closed case is allowed this long after closing (domain rule, issue #2).
CASE_REOPEN_WINDOW_DAYS = 30

# Promises to the customer (cases/services/promises.py). A promise not even attempted this long after
# its time is missed. A call that does not reach the customer is an attempt; the promise is kept once
# the customer is reached, or after PROMISE_RETRY_ATTEMPTS unreached attempts at least
# PROMISE_RETRY_SPACING_MINUTES apart (we did what we promised; the outcome says so).
PROMISE_GRACE_MINUTES = env.int("PROMISE_GRACE_MINUTES", default=30)
PROMISE_RETRY_ATTEMPTS = 3
PROMISE_RETRY_SPACING_MINUTES = 30

# The team's business hours (HH:MM, in TIME_ZONE) on working days (cases/business_calendar.py): a
# promised time outside them needs the customer to have asked for it.
BUSINESS_HOURS_START = env("BUSINESS_HOURS_START", default="09:00")
BUSINESS_HOURS_END = env("BUSINESS_HOURS_END", default="18:00")
# e.g. "cases.W002" while chinesecalendar has no release with next year's holidays yet.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

APP_NAME = _("Complaint desk")

# Resolution letters (cases/letters/): who signs them and how the customer reaches us. LOGO is a file
# name inside cases/letters/assets/ (the letters' URL fetcher serves nothing else).
LETTERS = {
    "ORGANISATION_NAME_ZH": env("LETTERS_ORGANISATION_NAME_ZH", default="客户服务中心"),
    "ORGANISATION_NAME_EN": env("LETTERS_ORGANISATION_NAME_EN", default="Customer Service Centre"),
    "CONTACT_PHONE": env("LETTERS_CONTACT_PHONE", default="10000"),
    "CONTACT_EMAIL": env("LETTERS_CONTACT_EMAIL", default=DEFAULT_FROM_EMAIL),
    "LOGO": env("LETTERS_LOGO", default="logo.svg"),
}
