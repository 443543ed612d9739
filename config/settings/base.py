"""Settings shared by every environment; values that differ per deployment come from the environment."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Generic Django classes (ListView, ModelForm, ModelAdmin, …) take type arguments as base classes at run time:
# `class RecordForm(forms.ModelForm[_M])`. django-tasks does the same on import; done here, it does not depend
# on the order of INSTALLED_APPS or on django-tasks.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("AMITY_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key_in(path: Path) -> str:
    """The key kept in `path`, made (random, readable by its owner only) the first time it is asked for. Written
    aside and linked into place, so that processes starting together (web workers, a task worker) share one key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, aside = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(50))
            os.link(aside, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            os.unlink(aside)
    return path.read_text().strip()


def database_from_url(url: str) -> dj_database_url.DBConfig:
    """Parse DATABASE_URL, refusing anything but SQLite and PostgreSQL with one clear message."""
    try:
        config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")))
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL ({exc}).") from exc
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL uses an unsupported database ({engine or 'unknown'}); use sqlite:/// or postgres://."
        )
    if engine == "django.db.backends.sqlite3":
        name = str(config["NAME"])
        if name not in {"", ":memory:"}:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the web process read while a task worker writes.
        config.setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        config["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    return config


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'amity.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # static files through WhiteNoise under runserver too, as when served
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "django_htmx",
    "amity.core",
    "amity.accounts",
    "amity.reference",
    "amity.organisations",
    "amity.aid",
    "amity.reports",
    "amity.interop",
    "amity.diplomacy",
    "amity.documents",
    "amity.obligations",
    "amity.portal",
    "amity.demo",
    # After Amity's apps: `manage.py db_worker` is amity.interop's (it recovers the imports of dead workers).
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "amity.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "amity" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.navigation",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A form sent with a missing or stale CSRF token: Amity's page in the user's language, not Django's English one.
CSRF_FAILURE_VIEW = "amity.core.views.csrf_failure"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Vietnamese is the default whatever the browser asks for; users switch with the language menu.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English")), ("ar", _("Arabic"))]
LANGUAGE_COOKIE_NAME = "amity_language"
LOCALE_PATHS = [BASE_DIR / "amity" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["amity.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "amity" / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON, and the browsable API for developers (its pages alone allow inline styles: amity.core.api).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "amity.core.api.BrowsableAPIRenderer"],
    "EXCEPTION_HANDLER": "amity.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Amity API",
    "DESCRIPTION": "Foreign non-governmental aid and people's diplomacy in Viet Nam",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Enums used by several components keep one stable name (else drf-spectacular names them by a hash).
    "ENUM_NAME_OVERRIDES": {"AttachmentKindEnum": "amity.diplomacy.choices.AttachmentKind"},
}

# The API's schema (/api/schema/) and documentation page (/api/docs/) are for signed-in users (session or token);
# `1` publishes them to anyone (docs/SECURITY.md).
AMITY_API_DOCS_PUBLIC = env_bool("AMITY_API_DOCS_PUBLIC", False)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SIMPLE_HISTORY_REVERT_DISABLED = False
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

FORM_RENDERER = "amity.core.renderers.AmityFormRenderer"
FILTERS_EMPTY_CHOICE_LABEL = _("All")
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AMITY_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Amity's own settings.
AMITY_PAGE_SIZE = 50
# The largest file an import takes (IATI XML or Excel); IATI files are read streaming, so size costs only disk.
AMITY_IMPORT_MAX_BYTES = int(os.environ.get("AMITY_IMPORT_MAX_BYTES", str(2 * 1024**3)))
# The largest file a user attaches to a record (documents, photos, reports); each field may set a lower one.
AMITY_UPLOAD_MAX_BYTES = int(os.environ.get("AMITY_UPLOAD_MAX_BYTES", str(20 * 1024**2)))
# Behind nginx: downloads answered with `X-Accel-Redirect: <prefix><storage name>` after the scope check, the
# bytes sent by nginx from an `internal` location (docs/DEPLOYMENT.md); empty: Django sends the file itself.
AMITY_FILES_ACCEL_PREFIX = os.environ.get("AMITY_FILES_ACCEL_PREFIX", "")
# Open data files (amity/portal/opendata_files.py; docs/PORTAL.md): written by the task worker and served ready.
# The languages of the CSV and XLSX files (comma-separated; all of Amity's by default), the most rows a workbook
# is written with (a sheet holds 1,048,576; larger: CSV only), whether publishing a report queues a build (and
# how many seconds later, so that several publications cost one build).
AMITY_OPEN_DATA_LANGUAGES = [
    code
    for code in os.environ.get("AMITY_OPEN_DATA_LANGUAGES", ",".join(code for code, _name in LANGUAGES)).split(",")
    if code.strip()
]
AMITY_OPEN_DATA_XLSX_MAX_ROWS = int(os.environ.get("AMITY_OPEN_DATA_XLSX_MAX_ROWS", "1000000"))
AMITY_OPEN_DATA_AUTO_BUILD = env_bool("AMITY_OPEN_DATA_AUTO_BUILD", True)
AMITY_OPEN_DATA_BUILD_DELAY = int(os.environ.get("AMITY_OPEN_DATA_BUILD_DELAY", "300"))
# Exports of more records than this are prepared by a background task instead of streamed in the request.
AMITY_EXPORT_INLINE_MAX = int(os.environ.get("AMITY_EXPORT_INLINE_MAX", "2000"))
# Bounds of an import's database session on PostgreSQL, in seconds (0: none): ended when idle in its transaction
# this long (a worker that stopped responding), a statement cancelled after this long (or waiting on a lock).
AMITY_IMPORT_IDLE_TIMEOUT = float(os.environ.get("AMITY_IMPORT_IDLE_TIMEOUT", "120"))
AMITY_IMPORT_STATEMENT_TIMEOUT = float(os.environ.get("AMITY_IMPORT_STATEMENT_TIMEOUT", "900"))
# How often (seconds) each task worker looks for imports whose worker died, to mark them failed (0: only at start).
AMITY_WORKER_RECOVERY_INTERVAL = float(os.environ.get("AMITY_WORKER_RECOVERY_INTERVAL", "60"))
# Import progress is shared between the task worker and the web process through the cache: Redis when
# REDIS_URL is set (several hosts), else files under var/cache (one host, the embedded mode).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
AMITY_REFERENCE_DATA_DIR = BASE_DIR / "amity" / "reference" / "data"

# The organisation that publishes this instance's IATI files (`reporting-org`). Its identifier must begin with a
# prefix of the IATI OrganisationRegistrationAgency codelist; a Vietnamese state agency's is VN-COA-<its budget
# relationship code>. The defaults are placeholders, to be replaced in every real deployment.
AMITY_IATI_REPORTING_ORG = {
    "ref": os.environ.get("AMITY_IATI_REPORTING_ORG_REF", "VN-COA-PLACEHOLDER"),
    "type": os.environ.get("AMITY_IATI_REPORTING_ORG_TYPE", "10"),  # OrganisationType 10: Government
    "name": os.environ.get("AMITY_IATI_REPORTING_ORG_NAME", "Amity (placeholder reporting organisation)"),
}

# --- Sign-in security: lockout after failed sign-ins (django-axes; docs/SECURITY.md) ----------------------------
INSTALLED_APPS += ["axes"]
# Last, so that it turns a sign-in refused during a lockout into Amity's lockout page (429).
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Failures (per user name and per address) before signing in is locked, and the first cool-off; each further
# AMITY_LOGIN_FAILURE_LIMIT failures within AMITY_LOGIN_COOLOFF_MAX_HOURS double it, up to that maximum.
AMITY_LOGIN_FAILURE_LIMIT = int(os.environ.get("AMITY_LOGIN_FAILURE_LIMIT", "5"))
AMITY_LOGIN_COOLOFF_MINUTES = int(os.environ.get("AMITY_LOGIN_COOLOFF_MINUTES", "15"))
AMITY_LOGIN_COOLOFF_MAX_HOURS = int(os.environ.get("AMITY_LOGIN_COOLOFF_MAX_HOURS", "24"))
# Reverse proxies in front of Amity that append the client's address to X-Forwarded-For (0: none, header ignored).
AMITY_PROXY_COUNT = int(os.environ.get("AMITY_PROXY_COUNT", "0"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "amity.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "amity.accounts.lockout.cool_off"
AXES_LOCKOUT_CALLABLE = "amity.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "amity.core.net.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the failures the back-off counts
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in Amity's audit log
AXES_VERBOSE = False

# --- API throttling (DRF; docs/SECURITY.md) ----------------------------------------------------------------------
# Per signed-in user (session or token) and, for anonymous requests, per address; "N/second|minute|hour|day".
AMITY_API_THROTTLE_RATES = {
    "anon": os.environ.get("AMITY_API_RATE_ANON", "60/minute"),
    "user": os.environ.get("AMITY_API_RATE_USER", "600/minute"),
    # The public API (/api/public/v1/) by address, signed in or not (amity.portal.api.views.PublicAddressRate).
    "public": os.environ.get("AMITY_API_RATE_PUBLIC", "60/minute"),
}
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["amity.core.throttling.AnonymousRate", "amity.core.throttling.UserRate"]

# --- Audit log (amity.audit; docs/SECURITY.md) -------------------------------------------------------------------
INSTALLED_APPS += ["amity.audit"]
# Days an audit event is kept; `manage.py purge_audit` (daily) removes older ones.
AMITY_AUDIT_RETENTION_DAYS = int(os.environ.get("AMITY_AUDIT_RETENTION_DAYS", "365"))

# --- Two-factor sign-in (django-otp, TOTP and backup codes; docs/SECURITY.md) ------------------------------------
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
# request.user.is_verified(): right after the authentication middleware.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
# Roles that must sign in with a second factor (superusers always do); others may turn it on. Never empty in
# production (config/settings/production.py); the dev settings (`make dev`) leave it optional for everyone.
AMITY_TWO_FACTOR_REQUIRED_ROLES = env_list(
    "AMITY_TWO_FACTOR_REQUIRED_ROLES", "administrator,central_officer,provincial_approver"
)
AMITY_TWO_FACTOR_BACKUP_CODES = 10
OTP_TOTP_ISSUER = "Amity"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key
# A new session cookie name with two-factor sign-in: sessions opened before it (by the password alone) are no
# longer read, so everyone signs in again once, through both steps.
SESSION_COOKIE_NAME = "amity_session"


# --- Official documents (amity/documents/) ------------------------------------------------------------------------
# Files of documents and consultations are kept by the default storage: under var/media, or in an S3-compatible
# bucket (AWS S3, MinIO, Ceph…) when AMITY_STORAGE_S3_BUCKET is set (django-storages; docs/DEPLOYMENT.md). Either
# way no URL maps them: every download is a scoped view (amity.core.files.file_response).
def s3_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """The default storage in an S3-compatible bucket, from AMITY_STORAGE_S3_* (docs/DEPLOYMENT.md)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["AMITY_STORAGE_S3_BUCKET"],
            "endpoint_url": environ.get("AMITY_STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AMITY_STORAGE_S3_REGION") or None,
            "access_key": environ.get("AMITY_STORAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AMITY_STORAGE_S3_SECRET_ACCESS_KEY") or None,
            "location": environ.get("AMITY_STORAGE_S3_PREFIX", "amity"),
            "default_acl": "private",
            "querystring_auth": True,  # never a public object URL
            "file_overwrite": False,
        },
    }


if os.environ.get("AMITY_STORAGE_S3_BUCKET"):
    STORAGES["default"] = s3_storage(os.environ)
# Files up to this size have their text read for the search in the request that uploads them; larger ones by the
# task worker (a long PDF may take seconds).
AMITY_DOCUMENT_TEXT_INLINE_BYTES = int(os.environ.get("AMITY_DOCUMENT_TEXT_INLINE_BYTES", str(2 * 1024**2)))
# The most characters of one file's text kept for the search.
AMITY_DOCUMENT_TEXT_MAX_CHARS = int(os.environ.get("AMITY_DOCUMENT_TEXT_MAX_CHARS", "1000000"))
# Reporting duties (amity.obligations): obligations are generated for periods ending on or after this date (earlier
# reports were kept on paper), and reminders are e-mailed from this address.
AMITY_OBLIGATIONS_START = os.environ.get("AMITY_OBLIGATIONS_START", "2025-01-01")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "amity@localhost")
# E-mail: printed on the console unless an SMTP server is given (EMAIL_HOST); the rest from the environment.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "true").lower() in ("1", "true", "yes")
# The address of this Amity as its users reach it: links in e-mails.
AMITY_BASE_URL = os.environ.get("AMITY_BASE_URL", "http://localhost:8000")
# --- Content-Security-Policy (django-csp; docs/SECURITY.md) ------------------------------------------------------
# Every page loads its scripts, styles, fonts and images from Amity itself and runs no inline script, style or
# event handler (amity.js and reports.js do what those did), so a script injected into a page cannot run and
# nothing is loaded from elsewhere. `data:` images are Bootstrap's icons drawn in its CSS (select arrows, close
# buttons). The browser tests (amity/tests_browser/) fail on any violation of it. The header lists the directives in
# the order below in every process (amity.core.csp: django-csp alone shuffles them by each process's string hashes).
INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "amity.core.csp.OrderedCSPMiddleware"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Where browsers send the reports of what the policy blocked (a collector of the operator's; empty: none).
if os.environ.get("AMITY_CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [os.environ["AMITY_CSP_REPORT_URI"]]
