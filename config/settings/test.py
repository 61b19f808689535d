"""Test profile: fast password hashing, a fixed secret, tasks inline unless REDIS_URL is given."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Letters written by tests go to a folder of this run, not the checkout's var/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="complaints-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No worker runs during tests: tasks execute inline even when REDIS_URL points at a real Redis.
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the apps' folders (no collectstatic in tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests cache in memory and clear it before each test (tests/conftest.py); Redis is exercised where
# a test asks for it, never as a cache that outlives a test's rolled-back data.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# No persistent connections in tests: threads that touch the database (Channels' sync-to-async,
# the concurrency test) must not hold one open when the test database is dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# A tracked model with database-side defaults and generated fields (tests/probe).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe"]  # noqa: F405
