"""Django settings for Ventanilla: every knob is an environment variable with a safe default.

The list of variables, with their help text, is in ``SETTINGS_HELP`` at the end of this module;
``ventanilla settings-help`` prints it and docs/operations.md is written from it.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets admin.ModelAdmin[Party] and the like be subscripted at run time, as mypy wants.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
SETTINGS_HELP: dict[str, str] = {}


def env(name: str, default: str, help_text: str, *, shown_default: str | None = None) -> str:
    """Read one environment variable and remember its help text for the operations docs."""
    shown = shown_default or default
    SETTINGS_HELP[name] = f"{help_text} (default: `{shown}`)" if shown else f"{help_text} (unset)"
    return os.environ.get(name, default)


BASE_DIR = Path(
    env(
        "VENTANILLA_HOME",
        str(Path.cwd()),
        "folder the instance runs from",
        shown_default="the current folder",
    )
).resolve()
VAR_DIR = Path(
    env(
        "VENTANILLA_VAR_DIR",
        str(BASE_DIR / "var"),
        "folder of the embedded database, uploads and collected static files",
        shown_default="var/ under VENTANILLA_HOME",
    )
).resolve()


def env_bool(name: str, default: bool, help_text: str) -> bool:
    raw = env(name, "true" if default else "false", help_text)
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str, help_text: str) -> list[str]:
    return [item.strip() for item in env(name, default, help_text).split(",") if item.strip()]


ENVIRONMENT = env(
    "VENTANILLA_ENV",
    "development",
    "'production' enforces a real secret key, allowed hosts and secure cookies; "
    "'development' allows the built-in demo defaults",
)
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"VENTANILLA_ENV must be 'development' or 'production', not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

_DEV_SECRET = "development-only-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env(
    "VENTANILLA_SECRET_KEY", "", "secret used to sign sessions and tokens; required in production"
)
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "VENTANILLA_SECRET_KEY is not set. In production Ventanilla refuses to start without "
            "it. Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET

AUDIT_KEY = env(
    "VENTANILLA_AUDIT_KEY",
    "",
    "key that signs audit-log checkpoints; keep it outside the database and its backups; "
    "required in production",
)
if not AUDIT_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "VENTANILLA_AUDIT_KEY is not set. In production the audit log's checkpoints must be "
            "signed with a key kept outside the database. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    AUDIT_KEY = "development-only-audit-key:" + SECRET_KEY
AUDIT_CHECKPOINT_EVERY = int(
    env("VENTANILLA_AUDIT_CHECKPOINT_EVERY", "1000", "sign a checkpoint every this many entries")
)

DEBUG = env_bool("VENTANILLA_DEBUG", False, "show Django's debug pages; never in production")
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("VENTANILLA_DEBUG cannot be on when VENTANILLA_ENV=production.")

ALLOWED_HOSTS = env_list(
    "VENTANILLA_ALLOWED_HOSTS",
    "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]",
    "comma-separated host names this server answers to; required in production",
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "VENTANILLA_ALLOWED_HOSTS is not set. In production list the host names, e.g. "
        "VENTANILLA_ALLOWED_HOSTS=ventanilla.ayuntamiento.es"
    )
CSRF_TRUSTED_ORIGINS = env_list(
    "VENTANILLA_CSRF_TRUSTED_ORIGINS", "", "origins trusted for form posts behind a proxy"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "ventanilla.core",
    "ventanilla.access",
    "ventanilla.catalog",
    "ventanilla.parties",
    "ventanilla.identity",
    "ventanilla.interactions",
    "ventanilla.cases",
    "ventanilla.channels",
    "ventanilla.api",
    "ventanilla.demo",
    "ventanilla.audit",
    "ventanilla.consent",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ventanilla.core.context.RequestIdMiddleware",
    "ventanilla.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ventanilla.api.ratelimit.RateLimitHeadersMiddleware",
    "ventanilla.api.middleware.SingleValuedQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ventanilla.urls"
WSGI_APPLICATION = "ventanilla.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'ventanilla.sqlite3'}",
    "database to use: sqlite:///path (embedded) or postgres://user:pass@host:5432/name",
    shown_default="sqlite:///<VAR_DIR>/ventanilla.sqlite3",
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE avoids upgrade deadlocks.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # The embedded database lives in var/; make sure the folder is there on a first run.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "", "Redis for the shared cache, e.g. redis://127.0.0.1:6379/0")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ventanilla",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:search"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env("VENTANILLA_LANGUAGE", "es", "default interface language (es or en)")
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("VENTANILLA_TIME_ZONE", "Europe/Madrid", "local time zone of the administration")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # Static files come from the package in development; an empty root keeps whitenoise quiet.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "uploads"

SESSION_COOKIE_AGE = int(env("VENTANILLA_SESSION_SECONDS", "28800", "staff session lifetime"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Bodies larger than this are refused before parsing (API and forms alike).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    env("VENTANILLA_MAX_BODY_BYTES", "1048576", "largest request body accepted, in bytes")
)

# Documents attached to interactions: the largest accepted, checked after upload and before
# anything is stored. Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, not memory.
VENTANILLA_MAX_UPLOAD_BYTES = int(
    env(
        "VENTANILLA_MAX_UPLOAD_BYTES",
        "10485760",
        "largest document accepted as an attachment, in bytes",
    )
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
FILE_UPLOAD_PERMISSIONS = 0o640

# Rate limits of the API, counted in the cache (shared by every process when REDIS_URL is set).
VENTANILLA_API_RATE_PER_MINUTE = int(
    env(
        "VENTANILLA_API_RATE_PER_MINUTE",
        "600",
        "API calls one key may make per minute (a key's own limit overrides it); 0 turns it off",
    )
)
VENTANILLA_API_ANONYMOUS_RATE_PER_MINUTE = int(
    env(
        "VENTANILLA_API_ANONYMOUS_RATE_PER_MINUTE",
        "1200",
        "API calls per minute from one client address without an API key (staff sessions and "
        "the public catalogue); 0 turns it off",
    )
)

NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("VENTANILLA_LOG_LEVEL", "INFO", "log level")},
}

VENTANILLA_BIND = env("VENTANILLA_BIND", "127.0.0.1:8000", "address `ventanilla serve` binds to")
VENTANILLA_WORKERS = int(
    env(
        "VENTANILLA_WORKERS",
        str(min(4, (os.cpu_count() or 1) * 2)),
        "gunicorn worker processes",
        shown_default="twice the cores, at most 4",
    )
)
VENTANILLA_MUNICIPALITY = env(
    "VENTANILLA_MUNICIPALITY", "Villanueva del Río", "name of the administration shown on pages"
)
VENTANILLA_CASE_PREFIX = env(
    "VENTANILLA_CASE_PREFIX", "AY", "letters that open every case reference (AY-2026-000123)"
)
