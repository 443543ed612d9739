"""Test settings: same database choice as dev (SQLite unless DATABASE_URL says PostgreSQL), fast hashing,
tasks run immediately."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Uploaded files of the tests go to a throw-away folder, never into var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="amity-test-media-"))
