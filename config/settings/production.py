"""Production: behind a reverse proxy that ends TLS (docs/DEPLOYMENT.md). Secrets and hosts come from the
environment; static files compressed and hashed; HTTPS only (redirect, HSTS, secure cookies);
`manage.py check --deploy` is clean with these settings (`make lint` runs it)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")

DEBUG = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS. The proxy ends TLS and says so in X-Forwarded-Proto, which it must set itself (never pass the client's on).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A request that came over plain HTTP is redirected to HTTPS (better done by the proxy too); the health check
# answers over HTTP, so that a probe on the machine itself needs no certificate.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HTTP Strict Transport Security: browsers that saw the site once use HTTPS only, for this many seconds (a year by
# default; 0 turns it off, e.g. for a first trial with a temporary certificate). Subdomains too, unless told not to.
# Preloading (browsers shipping the host as HTTPS-only) is the domain owner's decision: off unless asked for.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "not preloaded": see above
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Two-factor sign-in is never optional for every role in production.
if not AMITY_TWO_FACTOR_REQUIRED_ROLES:  # noqa: F405
    raise ImproperlyConfigured("AMITY_TWO_FACTOR_REQUIRED_ROLES must name at least one role in production.")
