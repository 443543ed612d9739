"""Test settings: same database choice as dev (SQLite unless DATABASE_URL says PostgreSQL), fast hashing,
tasks run immediately."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Publishing a report does not build every open data file in the test that published it (the tests that check
# the queueing turn it on).
AMITY_OPEN_DATA_AUTO_BUILD = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Uploaded files of the tests go to a throw-away folder, never into var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="amity-test-media-"))

# API throttling: the tests' users share ids and the cache across tests, so the rates are far above any test's
# requests; the throttling tests set their own (amity/core/tests/test_throttling.py).
AMITY_API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
