"""Django settings for Ventanilla: every knob is an environment variable with a safe default.

The list of variables, with their help text, is in ``SETTINGS_HELP`` at the end of this module;
``ventanilla settings-help`` prints it and docs/operations.md is written from it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
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
VENTANILLA_VAR_DIR = Path(
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


VENTANILLA_ENVIRONMENT = env(
    "VENTANILLA_ENV",
    "development",
    "'production' enforces a real secret key, allowed hosts and secure cookies; "
    "'development' allows the built-in demo defaults",
)
if VENTANILLA_ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"VENTANILLA_ENV must be 'development' or 'production', not {VENTANILLA_ENVIRONMENT!r}."
    )
VENTANILLA_PRODUCTION = VENTANILLA_ENVIRONMENT == "production"

_DEV_SECRET = "development-only-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env(
    "VENTANILLA_SECRET_KEY", "", "secret used to sign sessions and tokens; required in production"
)
if not SECRET_KEY:
    if VENTANILLA_PRODUCTION:
        raise ImproperlyConfigured(
            "VENTANILLA_SECRET_KEY is not set. In production Ventanilla refuses to start without "
            "it. Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET


def _installation_key(path: Path) -> str:
    """A random key made at the first start and kept in var/ (readable by its owner only), so no
    two development installations share one and none is published with the source."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
        try:
            # Linking the full file into place is atomic: of two processes starting together,
            # one key wins and both read it.
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: remove it and a new key is made.")
    return key


# Keys once written in the source (they signed the demo's checkpoints): never valid in production.
_PUBLISHED_AUDIT_KEYS = {"development-only-audit-key:" + _DEV_SECRET}
VENTANILLA_AUDIT_KEY = env(
    "VENTANILLA_AUDIT_KEY",
    "",
    "key that signs audit-log checkpoints and seals each entry; keep it outside the database "
    "and its backups; required in production (development makes a random one in "
    "var/audit.key)",
)
if VENTANILLA_PRODUCTION:
    if not VENTANILLA_AUDIT_KEY:
        raise ImproperlyConfigured(
            "VENTANILLA_AUDIT_KEY is not set. In production the audit log's checkpoints must be "
            "signed with a key kept outside the database. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if (
        VENTANILLA_AUDIT_KEY in _PUBLISHED_AUDIT_KEYS
        or VENTANILLA_AUDIT_KEY.startswith("development-only")
        or VENTANILLA_AUDIT_KEY == SECRET_KEY
        or len(VENTANILLA_AUDIT_KEY) < 20
    ):
        raise ImproperlyConfigured(
            "VENTANILLA_AUDIT_KEY is a development key, the secret key or shorter than 20 "
            "characters: anyone who knows it can rewrite the audit log unseen. Generate one "
            "with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
elif not VENTANILLA_AUDIT_KEY:
    VENTANILLA_AUDIT_KEY = _installation_key(VENTANILLA_VAR_DIR / "audit.key")

# The analytical warehouse: where it lives, the key of its pseudonymous party keys (without it a
# key cannot be traced back to a person; change it and the next build starts again from scratch)
# and the smallest number of people a published figure may count.
VENTANILLA_WAREHOUSE_PATH = Path(
    env(
        "VENTANILLA_WAREHOUSE_PATH",
        str(VENTANILLA_VAR_DIR / "warehouse.duckdb"),
        "the DuckDB file `ventanilla warehouse build` writes",
        shown_default="<VENTANILLA_VAR_DIR>/warehouse.duckdb",
    )
)
# The districts' boundaries, for the dashboards' map: a GeoJSON FeatureCollection of polygons whose
# property "name" is the district as the cases record it. Without the file there is no map.
VENTANILLA_DISTRICTS_GEOJSON = Path(
    env(
        "VENTANILLA_DISTRICTS_GEOJSON",
        str(VENTANILLA_VAR_DIR / "districts.geojson"),
        "GeoJSON of the districts' boundaries (property `name`, as cases record the district) "
        "for the dashboards' map; without it the dashboards show no map",
        shown_default="<VENTANILLA_VAR_DIR>/districts.geojson",
    )
)
# The open data of service requests: the nightly build publishes its files here and the portal
# serves them at /open-data/.
VENTANILLA_OPEN_DATA_DIR = Path(
    env(
        "VENTANILLA_OPEN_DATA_DIR",
        str(VENTANILLA_VAR_DIR / "opendata"),
        "folder the nightly warehouse build publishes the open data of service requests to "
        "(CSV and JSON); the portal serves it at /open-data/",
        shown_default="<VENTANILLA_VAR_DIR>/opendata",
    )
)
VENTANILLA_WAREHOUSE_KEY = env(
    "VENTANILLA_WAREHOUSE_KEY",
    "",
    "key of the warehouse's pseudonymous party keys (HMAC-SHA256 of the party id); keep it "
    "outside the warehouse and apart from the people who read it; in production the build "
    "refuses to run without one (development makes a random one in var/warehouse.key)",
)
if not VENTANILLA_WAREHOUSE_KEY and not VENTANILLA_PRODUCTION:
    VENTANILLA_WAREHOUSE_KEY = _installation_key(VENTANILLA_VAR_DIR / "warehouse.key")
VENTANILLA_SMALL_CELL_THRESHOLD = int(
    env(
        "VENTANILLA_SMALL_CELL_THRESHOLD",
        "5",
        "published statistics hide any figure counting fewer people than this",
    )
)
if VENTANILLA_SMALL_CELL_THRESHOLD < 1:
    raise ImproperlyConfigured("VENTANILLA_SMALL_CELL_THRESHOLD must be 1 or more.")
VENTANILLA_WAREHOUSE_HOUR = int(
    env(
        "VENTANILLA_WAREHOUSE_HOUR",
        "2",
        "local hour (0-23) at which the worker refreshes the warehouse every night",
    )
)
if not 0 <= VENTANILLA_WAREHOUSE_HOUR <= 23:
    raise ImproperlyConfigured("VENTANILLA_WAREHOUSE_HOUR must be an hour from 0 to 23.")
# Segments: the number of groups the population is clustered into at every warehouse build.
VENTANILLA_SEGMENTS = int(
    env("VENTANILLA_SEGMENTS", "6", "number of segments the population is divided into (2-20)")
)
if not 2 <= VENTANILLA_SEGMENTS <= 20:
    raise ImproperlyConfigured("VENTANILLA_SEGMENTS must be from 2 to 20.")
# Emerging problems: a (service, district) day is flagged when its count is at least the minimum
# and the Poisson probability of so many, given the same weekday's trailing level, is below the
# threshold (lower: fewer false alarms, later detection).
VENTANILLA_ALERT_THRESHOLD = float(
    env("VENTANILLA_ALERT_THRESHOLD", "0.001", "p-value below which a day's count is an alert")
)
if not 0 < VENTANILLA_ALERT_THRESHOLD < 1:
    raise ImproperlyConfigured("VENTANILLA_ALERT_THRESHOLD must be between 0 and 1.")
VENTANILLA_ALERT_MIN_COUNT = int(
    env("VENTANILLA_ALERT_MIN_COUNT", "5", "fewest contacts in a day that can make an alert")
)
if VENTANILLA_ALERT_MIN_COUNT < 1:
    raise ImproperlyConfigured("VENTANILLA_ALERT_MIN_COUNT must be at least 1.")
VENTANILLA_ALERT_HOUR = int(
    env(
        "VENTANILLA_ALERT_HOUR",
        "1",
        "local hour (0-23) at which the worker looks for emerging problems in the day before",
    )
)
if not 0 <= VENTANILLA_ALERT_HOUR <= 23:
    raise ImproperlyConfigured("VENTANILLA_ALERT_HOUR must be an hour from 0 to 23.")
# Services that follow each other: "who asks for A also asks for B within so many days", mined
# every night from cases and contacts; a rule needs VENTANILLA_SMALL_CELL_THRESHOLD people behind
# it, this confidence at least, and a lift above 1 (B is likelier after A than in general).
VENTANILLA_ASSOCIATION_WINDOW_DAYS = int(
    env(
        "VENTANILLA_ASSOCIATION_WINDOW_DAYS",
        "90",
        "days after someone first asks for a service within which a first request for another "
        "counts as following it",
    )
)
if VENTANILLA_ASSOCIATION_WINDOW_DAYS < 1:
    raise ImproperlyConfigured("VENTANILLA_ASSOCIATION_WINDOW_DAYS must be 1 or more.")
VENTANILLA_ASSOCIATION_MIN_CONFIDENCE = float(
    env(
        "VENTANILLA_ASSOCIATION_MIN_CONFIDENCE",
        "0.2",
        "smallest share of the people who asked for a service who then asked for another, for "
        "the pair to be kept as a rule",
    )
)
if not 0 < VENTANILLA_ASSOCIATION_MIN_CONFIDENCE <= 1:
    raise ImproperlyConfigured("VENTANILLA_ASSOCIATION_MIN_CONFIDENCE must be above 0, up to 1.")
VENTANILLA_ASSOCIATION_HOUR = int(
    env(
        "VENTANILLA_ASSOCIATION_HOUR",
        "3",
        "local hour (0-23) at which the worker mines the services that follow each other",
    )
)
if not 0 <= VENTANILLA_ASSOCIATION_HOUR <= 23:
    raise ImproperlyConfigured("VENTANILLA_ASSOCIATION_HOUR must be an hour from 0 to 23.")
VENTANILLA_DEADLINE_RISK_THRESHOLD = float(
    env(
        "VENTANILLA_DEADLINE_RISK_THRESHOLD",
        "0.5",
        "share of late cases among those a deadline-risk rule describes at which its open cases "
        "are flagged as at risk",
    )
)
if not 0 < VENTANILLA_DEADLINE_RISK_THRESHOLD <= 1:
    raise ImproperlyConfigured("VENTANILLA_DEADLINE_RISK_THRESHOLD must be above 0, up to 1.")
VENTANILLA_DEADLINE_RISK_DEPTH = int(
    env(
        "VENTANILLA_DEADLINE_RISK_DEPTH",
        "4",
        "levels of the deadline-risk tree: each adds a condition to its rules (1 to 8)",
    )
)
if not 1 <= VENTANILLA_DEADLINE_RISK_DEPTH <= 8:
    raise ImproperlyConfigured("VENTANILLA_DEADLINE_RISK_DEPTH must be from 1 to 8.")
VENTANILLA_DEADLINE_RISK_HOUR = int(
    env(
        "VENTANILLA_DEADLINE_RISK_HOUR",
        "4",
        "local hour (0-23) at which the worker trains the deadline-risk tree and scores open cases",
    )
)
if not 0 <= VENTANILLA_DEADLINE_RISK_HOUR <= 23:
    raise ImproperlyConfigured("VENTANILLA_DEADLINE_RISK_HOUR must be an hour from 0 to 23.")
# Who hears of a new emerging problem by email, besides the supervisors of the agency that provides
# the service (those whose account has an email address).
VENTANILLA_ALERT_EMAILS = env_list(
    "VENTANILLA_ALERT_EMAILS",
    "",
    "comma-separated addresses told of every new emerging problem, besides the supervisors of "
    "the agency that provides the service",
)
VENTANILLA_AUDIT_CHECKPOINT_EVERY = int(
    env("VENTANILLA_AUDIT_CHECKPOINT_EVERY", "1000", "sign a checkpoint every this many entries")
)
if VENTANILLA_AUDIT_CHECKPOINT_EVERY < 1:
    raise ImproperlyConfigured("VENTANILLA_AUDIT_CHECKPOINT_EVERY must be 1 or more.")
VENTANILLA_AUDIT_CHECKPOINT_MINUTES = int(
    env(
        "VENTANILLA_AUDIT_CHECKPOINT_MINUTES",
        "10",
        "the worker signs a checkpoint this many minutes after the last one when entries were "
        "added since; 0 turns it off",
    )
)
VENTANILLA_AUDIT_SINK = env(
    "VENTANILLA_AUDIT_SINK",
    "",
    "where each checkpoint is also copied, outside the database: file:/path (one JSON line "
    "appended per checkpoint, synced to disk), syslog: (the local /dev/log), syslog:/path or "
    "syslog:host:port (UDP); unset keeps checkpoints in the database only, which production "
    "warns about",
)
if VENTANILLA_AUDIT_SINK and not VENTANILLA_AUDIT_SINK.startswith(("file:/", "syslog:")):
    raise ImproperlyConfigured(
        "VENTANILLA_AUDIT_SINK must be file:/absolute/path, syslog:, syslog:/dev/log or "
        f"syslog:host:port, not {VENTANILLA_AUDIT_SINK!r}."
    )

DEBUG = env_bool("VENTANILLA_DEBUG", False, "show Django's debug pages; never in production")
if DEBUG and VENTANILLA_PRODUCTION:
    raise ImproperlyConfigured("VENTANILLA_DEBUG cannot be on when VENTANILLA_ENV=production.")

ALLOWED_HOSTS = env_list(
    "VENTANILLA_ALLOWED_HOSTS",
    "" if VENTANILLA_PRODUCTION else "127.0.0.1,localhost,testserver,[::1]",
    "comma-separated host names this server answers to; required in production",
)
if VENTANILLA_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "VENTANILLA_ALLOWED_HOSTS is not set. In production list the host names, e.g. "
        "VENTANILLA_ALLOWED_HOSTS=ventanilla.ayuntamiento.es"
    )
CSRF_TRUSTED_ORIGINS = env_list(
    "VENTANILLA_CSRF_TRUSTED_ORIGINS", "", "origins trusted for form posts behind a proxy"
)

INSTALLED_APPS = [
    # The admin site asks for the second factor too (ventanilla.access.admin_site).
    "ventanilla.access.admin_config.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Single-use recovery codes, for a member of staff without their phone.
    "django_otp.plugins.otp_static",
    "axes",
    "ventanilla.core",
    "ventanilla.runtime",
    "ventanilla.access",
    "ventanilla.catalog",
    "ventanilla.parties",
    "ventanilla.identity",
    "ventanilla.interactions",
    "ventanilla.notifications",
    "ventanilla.cases",
    "ventanilla.web.accounts",
    "ventanilla.api",
    "ventanilla.demo",
    "ventanilla.audit",
    "ventanilla.consent",
    "ventanilla.retention",
    "ventanilla.citizen360",
    "ventanilla.open311",
    "ventanilla.sharing",
    "ventanilla.privacy",
    "ventanilla.merging",
    "ventanilla.appointments",
    "ventanilla.notices",
    "ventanilla.surveys",
    "ventanilla.loops",
    "ventanilla.debates",
    "ventanilla.budgets",
    "ventanilla.proposals",
    "ventanilla.mail",
    "ventanilla.warehouse",
    "ventanilla.analytics",
    "ventanilla.associations",
    "ventanilla.risk",
    "ventanilla.events",
    "ventanilla.classifier",
    "ventanilla.precedents",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ventanilla.core.context.RequestIdMiddleware",
    # Refusals met inside a transaction are written once the request's work is over.
    "ventanilla.access.guards.RefusalsKeptMiddleware",
    "ventanilla.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: marks request.user as verified by a second factor (or not) ...
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # ... and ends idle or too-old staff sessions (it adds a message, so after messages).
    "ventanilla.core.sessions.SessionLimitsMiddleware",
    "ventanilla.api.ratelimit.RateLimitHeadersMiddleware",
    "ventanilla.api.middleware.SingleValuedQueryMiddleware",
    "ventanilla.api.middleware.BodyContentTypeMiddleware",
    "ventanilla.core.contention.ContentionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
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
                "ventanilla.web.console.navigation.staff_navigation",
            ],
            # Its date and time filters replace Django's: they cannot fail on a stored time.
            "builtins": ["ventanilla.core.templatetags.local_time"],
        },
    },
]

DATABASE_URL = env(
    "DATABASE_URL",
    f"sqlite:///{VENTANILLA_VAR_DIR / 'ventanilla.sqlite3'}",
    "database to use: sqlite:///path (embedded) or postgres://user:pass@host:5432/name",
    shown_default="sqlite:///<VENTANILLA_VAR_DIR>/ventanilla.sqlite3",
)
VENTANILLA_DB_PREPARED_STATEMENTS = env_bool(
    "VENTANILLA_DB_PREPARED_STATEMENTS",
    True,
    "on PostgreSQL, send values apart from the statement and prepare the statements a "
    "connection runs again, which spares the server a third of its work on a case opened; "
    "turn off behind a pooler that shares connections by transaction (PgBouncer's "
    "transaction mode)",
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open between requests like PostgreSQL's (conn_max_age above): a new SQLite connection
    # starts with a cold page cache and reads the planner's statistics again, which made a work
    # queue page over 100,000 open cases four times slower.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE avoids upgrade deadlocks.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VENTANILLA_VAR_DIR / "test.sqlite3")}
    # The embedded database lives in var/; make sure the folder is there on a first run.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wait for a lock at most as long as SQLite does (busy_timeout above), then give up: the
    # request answers 503 with Retry-After (core/contention.py) instead of holding its worker.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c lock_timeout=5000"
    if VENTANILLA_DB_PREPARED_STATEMENTS:
        DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 2}

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
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = env("VENTANILLA_LANGUAGE", "es", "default interface language (es or en)")
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# English pages write dates day/month/year (07/12/2026) and times on the 24-hour clock.
FORMAT_MODULE_PATH = ["ventanilla.core.formats"]
TIME_ZONE = env("VENTANILLA_TIME_ZONE", "Europe/Madrid", "local time zone of the administration")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VENTANILLA_VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if VENTANILLA_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not VENTANILLA_PRODUCTION
if not VENTANILLA_PRODUCTION:
    # Static files come from the package in development; an empty root keeps whitenoise quiet.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VENTANILLA_VAR_DIR / "uploads"

SESSION_COOKIE_AGE = int(
    env(
        "VENTANILLA_SESSION_SECONDS",
        "28800",
        "staff session lifetime in seconds: after this a member of staff signs in again, "
        "however active",
    )
)
VENTANILLA_SESSION_IDLE_SECONDS = int(
    env(
        "VENTANILLA_SESSION_IDLE_SECONDS",
        "1800",
        "a staff session left unused this many seconds ends; the next page asks to sign in",
    )
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = VENTANILLA_PRODUCTION
CSRF_COOKIE_SECURE = VENTANILLA_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if VENTANILLA_PRODUCTION:
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
VENTANILLA_MATCH_CACHE_MB = int(
    env(
        "VENTANILLA_MATCH_CACHE_MB",
        "1024",
        "megabytes of the SQLite database that identity matching holds in memory while it "
        "writes its links and new parties (a million records want about 1,000); 0 keeps the "
        "usual cache",
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

# Background work goes through the Django Tasks API; the database backend needs nothing beyond the
# database, and `ventanilla worker` runs it.
# With VENTANILLA_TASKS_BACKEND=rq the queue lives in Redis (REDIS_URL) and `ventanilla worker`
# runs RQ workers instead; the code that queues work is the same.
VENTANILLA_TASKS_BACKEND = env(
    "VENTANILLA_TASKS_BACKEND",
    "database",
    "where background work is queued: 'database' (needs nothing more) or 'rq' (Redis, REDIS_URL)",
)
if VENTANILLA_TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("VENTANILLA_TASKS_BACKEND=rq needs REDIS_URL.")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
elif VENTANILLA_TASKS_BACKEND == "database":
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
        }
    }
else:
    raise ImproperlyConfigured("VENTANILLA_TASKS_BACKEND must be 'database' or 'rq'.")

# What `ventanilla worker` keeps scheduled when it starts: each entry names a function that
# queues its job unless one is already waiting (returning whether it queued), and what to say
# when it did. A new periodic job is one more line here; the worker imports none of them itself.
VENTANILLA_PERIODIC_JOBS = [
    ("ventanilla.retention.jobs.schedule_retention", "Scheduled the daily retention run."),
    ("ventanilla.cases.jobs.schedule_deadlines", "Scheduled the daily deadline sweep."),
    (
        "ventanilla.audit.jobs.schedule_checkpoints",
        "Scheduled the audit log's periodic checkpoint.",
    ),
    ("ventanilla.notifications.jobs.schedule_outbox_check", "Scheduled the outbox check."),
    ("ventanilla.mail.jobs.schedule_mail_fetch", "Scheduled the reading of the mailbox."),
    (
        "ventanilla.notifications.jobs.catch_up_notifications",
        "Queued the sending of waiting notifications.",
    ),
    (
        "ventanilla.appointments.jobs.schedule_reminders",
        "Scheduled the daily appointment reminders.",
    ),
    ("ventanilla.warehouse.jobs.schedule_warehouse", "Scheduled the nightly warehouse build."),
    ("ventanilla.analytics.jobs.schedule_alerts", "Scheduled the daily emerging-problem check."),
    (
        "ventanilla.associations.jobs.schedule_associations",
        "Scheduled the nightly mining of services that follow each other.",
    ),
    (
        "ventanilla.risk.jobs.schedule_deadline_risk",
        "Scheduled the nightly training of the deadline-risk tree.",
    ),
    ("ventanilla.events.jobs.catch_up_events", "Queued the delivery of waiting events."),
    (
        "ventanilla.notices.jobs.schedule_notice_delivery",
        "Scheduled the sending of notices to their subscribers.",
    ),
    (
        "ventanilla.surveys.jobs.schedule_closed_surveys_mix",
        "Scheduled the hourly mixing of closed surveys' sealed answers.",
    ),
]

# Cases: the department that receives what no routing rule places, the deadline warnings and
# escalations, and how near a new request must be to an earlier one to look like a duplicate.
VENTANILLA_TRIAGE_DEPARTMENT = env(
    "VENTANILLA_TRIAGE_DEPARTMENT",
    "atencion-ciudadana",
    "code of the department whose triage queue receives cases no routing rule places",
)
VENTANILLA_DEADLINE_WARNING_DAYS = int(
    env(
        "VENTANILLA_DEADLINE_WARNING_DAYS",
        "2",
        "working days before a case's due date at which its department is warned",
    )
)
VENTANILLA_DEADLINE_HOUR = int(
    env(
        "VENTANILLA_DEADLINE_HOUR",
        "6",
        "local hour (0-23) at which the daily deadline task warns and escalates",
    )
)
if not 0 <= VENTANILLA_DEADLINE_HOUR <= 23:
    raise ImproperlyConfigured("VENTANILLA_DEADLINE_HOUR must be an hour from 0 to 23.")
VENTANILLA_DUPLICATE_DAYS = int(
    env(
        "VENTANILLA_DUPLICATE_DAYS",
        "7",
        "a request for the same service within this many days may be a duplicate",
    )
)
VENTANILLA_DUPLICATE_METRES = int(
    env(
        "VENTANILLA_DUPLICATE_METRES",
        "150",
        "a request for the same service within this distance may be a duplicate",
    )
)
VENTANILLA_PUBLIC_URL = env(
    "VENTANILLA_PUBLIC_URL",
    "http://127.0.0.1:8000",
    "address citizens reach the portal at, used in the links of notifications",
)
VENTANILLA_RETENTION_HOUR = int(
    env(
        "VENTANILLA_RETENTION_HOUR",
        "3",
        "local hour (0-23) at which the daily retention task applies the retention rules",
    )
)
if not 0 <= VENTANILLA_RETENTION_HOUR <= 23:
    raise ImproperlyConfigured("VENTANILLA_RETENTION_HOUR must be an hour from 0 to 23.")

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

# Staff sign-in: a second factor for the roles that see sensitive data, lock-out after failures.
VENTANILLA_STAFF_SECOND_FACTOR = env(
    "VENTANILLA_STAFF_SECOND_FACTOR",
    "required",
    "'required': case workers, supervisors, data-protection officers, administrators and "
    "superusers confirm each sign-in with a code from an authenticator app (TOTP); 'off' only "
    "in development",
)
if VENTANILLA_STAFF_SECOND_FACTOR not in {"required", "off"}:
    raise ImproperlyConfigured(
        "VENTANILLA_STAFF_SECOND_FACTOR must be 'required' or 'off', "
        f"not {VENTANILLA_STAFF_SECOND_FACTOR!r}."
    )
if VENTANILLA_STAFF_SECOND_FACTOR == "off" and VENTANILLA_PRODUCTION:
    raise ImproperlyConfigured(
        "VENTANILLA_STAFF_SECOND_FACTOR=off is only allowed when VENTANILLA_ENV=development: "
        "staff who see personal data must confirm their sign-in with a second factor."
    )
OTP_TOTP_ISSUER = f"Ventanilla {VENTANILLA_MUNICIPALITY}"
# The admin lists authenticator devices (to remove a lost one) without showing their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Each wrong code doubles the wait before the next one is checked (1 s, 2 s, 4 s …).
OTP_TOTP_THROTTLE_FACTOR = 1

AXES_FAILURE_LIMIT = int(
    env(
        "VENTANILLA_LOGIN_FAILURE_LIMIT",
        "5",
        "wrong passwords for one user name from one address before sign-in is locked",
    )
)
AXES_COOLOFF_TIME = timedelta(
    minutes=int(
        env(
            "VENTANILLA_LOGIN_COOLOFF_MINUTES",
            "15",
            "minutes a locked sign-in stays locked; "
            "`ventanilla axes_reset_username <name>` unlocks it sooner",
        )
    )
)
# Per user name and address together: one attacker cannot lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Attempts are rows in the database, shared by every process (SQLite and PostgreSQL alike).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_CALLABLE = "ventanilla.web.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Email: the citizen portal's sign-in links. Development writes each message as a file in
# var/mail/ so nothing leaves the machine; production sends through an SMTP relay.
EMAIL_BACKEND = env(
    "VENTANILLA_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if VENTANILLA_PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
    "Django email backend; the file backend writes messages to var/mail/",
    shown_default="SMTP in production, the file backend in development",
)
EMAIL_FILE_PATH = VENTANILLA_VAR_DIR / "mail"
EMAIL_HOST = env("VENTANILLA_EMAIL_HOST", "localhost", "SMTP server that sends email")
EMAIL_PORT = int(env("VENTANILLA_EMAIL_PORT", "587", "SMTP port"))
EMAIL_HOST_USER = env("VENTANILLA_EMAIL_USER", "", "SMTP user name")
EMAIL_HOST_PASSWORD = env("VENTANILLA_EMAIL_PASSWORD", "", "SMTP password")
EMAIL_USE_TLS = env_bool("VENTANILLA_EMAIL_TLS", True, "use STARTTLS with the SMTP server")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env(
    "VENTANILLA_EMAIL_FROM",
    "Ventanilla <no-reply@localhost>",
    "sender of the emails Ventanilla sends",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Email from citizens: a mailbox read over IMAP by `ventanilla mail fetch` (and by the worker
# every few minutes when a host is set), or a mail gateway posting each raw message to the API.
VENTANILLA_MAIL_DOMAIN = env(
    "VENTANILLA_MAIL_DOMAIN",
    "ventanilla.invalid",
    "domain of the Message-IDs of the emails Ventanilla sends; mail carrying it is its own and "
    "is never answered",
)
VENTANILLA_MAIL_SERVICE = env(
    "VENTANILLA_MAIL_SERVICE",
    "",
    "code of the service a new email opens a case of (the routing rules read its text); empty: "
    "a new email waits in the triage list for a person",
)
# The service classifier (`ventanilla classifier train`): suggests the service of a request
# written in free text; below the threshold the case goes to triage as it would without it.
VENTANILLA_CLASSIFIER_DIR = Path(
    env(
        "VENTANILLA_CLASSIFIER_DIR",
        str(VENTANILLA_VAR_DIR / "models"),
        "folder of the trained service classifiers (one file per version; the newest is used)",
        shown_default="models/ under VENTANILLA_VAR_DIR",
    )
)
VENTANILLA_CLASSIFIER_THRESHOLD = float(
    env(
        "VENTANILLA_CLASSIFIER_THRESHOLD",
        "0.6",
        "confidence (0-1) from which the classifier's suggested service is applied to a case "
        "opened from free text; below it the case goes to triage",
    )
)
VENTANILLA_MAIL_IMAP_HOST = env(
    "VENTANILLA_MAIL_IMAP_HOST", "", "IMAP server of the citizens' mailbox; empty: not read"
)
VENTANILLA_MAIL_IMAP_PORT = int(env("VENTANILLA_MAIL_IMAP_PORT", "993", "IMAP port"))
VENTANILLA_MAIL_IMAP_USER = env("VENTANILLA_MAIL_IMAP_USER", "", "IMAP user name")
VENTANILLA_MAIL_IMAP_PASSWORD = env("VENTANILLA_MAIL_IMAP_PASSWORD", "", "IMAP password")
VENTANILLA_MAIL_IMAP_FOLDER = env("VENTANILLA_MAIL_IMAP_FOLDER", "INBOX", "IMAP folder read")
VENTANILLA_MAIL_IMAP_SSL = env_bool(
    "VENTANILLA_MAIL_IMAP_SSL",
    True,
    "IMAP over TLS (port 993); off: plain IMAP, upgraded with STARTTLS when the server offers it",
)
VENTANILLA_MAIL_FETCH_MINUTES = int(
    env("VENTANILLA_MAIL_FETCH_MINUTES", "5", "minutes between two readings of the mailbox")
)

# Text messages to citizens about their cases: a pluggable backend like the email one. The default
# writes each message as a file in var/sms/; a provider's gateway is a class with send().
VENTANILLA_SMS_BACKEND = env(
    "VENTANILLA_SMS_BACKEND",
    "ventanilla.core.sms.FileBackend",
    "dotted path of the SMS backend: a class with send(recipient, body); the default writes "
    "each message to var/sms/, ventanilla.core.sms.LogBackend to the log",
)
VENTANILLA_SMS_FILE_PATH = VENTANILLA_VAR_DIR / "sms"

# Events out (CloudEvents to webhooks and to a message bus): docs/events.md.
VENTANILLA_EVENTS_SOURCE = env(
    "VENTANILLA_EVENTS_SOURCE",
    "",
    "the CloudEvents `source` of every event this installation publishes",
    shown_default="VENTANILLA_PUBLIC_URL",
)
VENTANILLA_EVENTS_GIVE_UP_DAYS = int(
    env(
        "VENTANILLA_EVENTS_GIVE_UP_DAYS",
        "3",
        "days an event is retried while a subscriber's webhook fails (after 1, 5, 30 and 120 "
        "minutes, then every 4 hours); then it is given up and logged",
    )
)
VENTANILLA_EVENTS_KEEP_DAYS = int(
    env(
        "VENTANILLA_EVENTS_KEEP_DAYS",
        "30",
        "days an event is kept once every subscriber and the bus have it (or it was given up); "
        "older ones are removed by the delivery runs",
    )
)
if VENTANILLA_EVENTS_KEEP_DAYS <= VENTANILLA_EVENTS_GIVE_UP_DAYS:
    raise ImproperlyConfigured(
        "VENTANILLA_EVENTS_KEEP_DAYS must be more than VENTANILLA_EVENTS_GIVE_UP_DAYS."
    )
VENTANILLA_EVENTS_AMQP_URL = env(
    "VENTANILLA_EVENTS_AMQP_URL",
    "",
    "AMQP address of a RabbitMQ to publish every event to (amqp://user:password@host:5672/vhost); "
    "empty: no publishing",
)
VENTANILLA_EVENTS_AMQP_EXCHANGE = env(
    "VENTANILLA_EVENTS_AMQP_EXCHANGE",
    "ventanilla.events",
    "name of the topic exchange events are published to (routing key: the event's type)",
)
VENTANILLA_EVENTS_AMQP_PERSONAL = env_bool(
    "VENTANILLA_EVENTS_AMQP_PERSONAL",
    False,
    "whether events published to the bus carry names and texts, not only ids and codes",
)

# The outbox of messages to citizens: how long a failing message is retried, and when the
# worker raises the alarm that messages are not leaving.
VENTANILLA_NOTIFICATION_GIVE_UP_DAYS = int(
    env(
        "VENTANILLA_NOTIFICATION_GIVE_UP_DAYS",
        "7",
        "days a message to a citizen is retried while the mail server or SMS gateway fails "
        "(after 1, 5, 30 and 120 minutes, then every 4 hours); after that it is marked not "
        "delivered and staff can send it again from the console",
    )
)
VENTANILLA_OUTBOX_ALERT_MINUTES = int(
    env(
        "VENTANILLA_OUTBOX_ALERT_MINUTES",
        "60",
        "the worker logs an error and emails the administrators (at most once an hour) when the "
        "oldest queued message to a citizen has waited longer than this many minutes",
    )
)
VENTANILLA_OUTBOX_ALERT_FAILED = int(
    env(
        "VENTANILLA_OUTBOX_ALERT_FAILED",
        "1",
        "the same alert when at least this many messages were given up in the last day",
    )
)

# A citizen signed in to the portal is signed out after this long without a request.
VENTANILLA_PORTAL_IDLE_SECONDS = int(
    env(
        "VENTANILLA_PORTAL_IDLE_SECONDS",
        "900",
        "a citizen's portal session ends after this many seconds without activity",
    )
)

# Sign-in with a national eID through OpenID Connect (Cl@ve, or the administration's own
# provider), beside the emailed link. Empty issuer: the portal offers only the link.
VENTANILLA_OIDC_ISSUER = env(
    "VENTANILLA_OIDC_ISSUER",
    "",
    "the eID provider's issuer URL (its /.well-known/openid-configuration is read); empty turns "
    "eID sign-in off",
).rstrip("/")
VENTANILLA_OIDC_CLIENT_ID = env(
    "VENTANILLA_OIDC_CLIENT_ID", "", "the client id the eID provider gave this installation"
)
VENTANILLA_OIDC_CLIENT_SECRET = env(
    "VENTANILLA_OIDC_CLIENT_SECRET",
    "",
    "the client secret the eID provider gave this installation",
)
VENTANILLA_OIDC_IDENTIFIER_CLAIM = env(
    "VENTANILLA_OIDC_IDENTIFIER_CLAIM",
    "dni",
    "the claim of the ID token or user info that carries the person's DNI or NIE",
)
VENTANILLA_OIDC_SCOPES = env(
    "VENTANILLA_OIDC_SCOPES",
    "openid profile email",
    "the scopes asked of the eID provider (openid is needed)",
)
VENTANILLA_OIDC_NAME = env(
    "VENTANILLA_OIDC_NAME",
    "Cl@ve",
    "the eID's name on the portal's sign-in button",
)
# The office kiosks' screens (/kiosk/) answer only to these networks: typing a DNI there shows the
# person's bookings of the day, so the kiosk pages are not for the open internet.
VENTANILLA_KIOSK_NETWORKS = env_list(
    "VENTANILLA_KIOSK_NETWORKS",
    "127.0.0.1/32,::1/128",
    "comma-separated networks (CIDR) the office kiosks' pages (/kiosk/) answer to",
)
for _network in VENTANILLA_KIOSK_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _bad:
        raise ImproperlyConfigured(
            f"VENTANILLA_KIOSK_NETWORKS: {_network!r} is not a network (e.g. 10.20.0.0/16)."
        ) from _bad
VENTANILLA_KIOSK_IDLE_SECONDS = int(
    env(
        "VENTANILLA_KIOSK_IDLE_SECONDS",
        "60",
        "seconds without a touch after which a kiosk screen goes back to its start",
    )
)
# A DNI typed at a kiosk lists that person's bookings of the day: each screen may look up only so
# many a minute, far more than a queue of people needs and too few to try DNIs one after another.
VENTANILLA_KIOSK_LOOKUPS_PER_MINUTE = int(
    env(
        "VENTANILLA_KIOSK_LOOKUPS_PER_MINUTE",
        "20",
        "appointment look-ups (by reference or DNI/NIE) one kiosk screen may make in a minute",
    )
)
if VENTANILLA_KIOSK_LOOKUPS_PER_MINUTE < 1:
    raise ImproperlyConfigured("VENTANILLA_KIOSK_LOOKUPS_PER_MINUTE must be at least 1.")
VENTANILLA_PARTICIPATION_MIN_AGE = int(
    env(
        "VENTANILLA_PARTICIPATION_MIN_AGE",
        "16",
        "age from which a registered resident may support proposals and vote in budgets (0: any)",
    )
)
if not 0 <= VENTANILLA_PARTICIPATION_MIN_AGE <= 120:
    raise ImproperlyConfigured("VENTANILLA_PARTICIPATION_MIN_AGE must be between 0 and 120.")
# A secret ballot, or an anonymous survey answer, waits sealed until this many wait beside it; then
# they join the count together, in shuffled order, written by a transaction none of their
# givers wrote, and stamped with the time they were mixed.
VENTANILLA_SEALED_MIX_SIZE = int(
    env(
        "VENTANILLA_SEALED_MIX_SIZE",
        "25",
        "secret ballots of a participatory budget, or anonymous answers of a survey, mixed "
        "together before they join the count: the fewest people any counted one could be told "
        "apart from",
    )
)
if VENTANILLA_SEALED_MIX_SIZE < 2:
    raise ImproperlyConfigured("VENTANILLA_SEALED_MIX_SIZE must be at least 2.")
# A proposal with this many supports obliges the administration to answer it, within so many days
# of the day it reached it.
VENTANILLA_PROPOSAL_SUPPORTS_NEEDED = int(
    env(
        "VENTANILLA_PROPOSAL_SUPPORTS_NEEDED",
        "100",
        "supports of registered residents a citizen proposal needs to oblige an official answer",
    )
)
if VENTANILLA_PROPOSAL_SUPPORTS_NEEDED < 1:
    raise ImproperlyConfigured("VENTANILLA_PROPOSAL_SUPPORTS_NEEDED must be at least 1.")
VENTANILLA_PROPOSAL_ANSWER_DAYS = int(
    env(
        "VENTANILLA_PROPOSAL_ANSWER_DAYS",
        "90",
        "days the administration has to answer a proposal from the day it reached its supports",
    )
)
if VENTANILLA_PROPOSAL_ANSWER_DAYS < 1:
    raise ImproperlyConfigured("VENTANILLA_PROPOSAL_ANSWER_DAYS must be at least 1.")
# Behind a reverse proxy every connection comes from the proxy; the header it sets names the
# visitor, for the per-address limits. Trust it only when a proxy you run always sets it.
VENTANILLA_CLIENT_ADDRESS_HEADER = env(
    "VENTANILLA_CLIENT_ADDRESS_HEADER",
    "",
    "request header in which your reverse proxy passes the visitor's address (e.g. "
    "X-Forwarded-For, of which the last entry is used); unset uses the connection's address",
)
