"""Luoshi settings: everything comes from the environment and bad values fail loudly."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


DEBUG = env_bool("LUOSHI_DEBUG", False)
DATA_DIR = Path(os.environ.get("LUOSHI_DATA_DIR") or BASE_DIR / "var").resolve()


def _refuse_wide(path: Path, holds: str, fix: str) -> None:
    import stat

    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ImproperlyConfigured(
            f"{path} holds {holds} and must be readable by its owner only ({fix} {path}); "
            f"it is {oct(mode)}"
        )


def _private_data_dir(path: Path) -> Path:
    """The data directory holds the database, the keys, sessions and uploads: created 0700
    (whatever the umask), and a directory others may enter is refused."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    else:
        path.chmod(0o700)  # mkdir's mode passes through the umask
    _refuse_wide(path, "Luoshi's database, keys and uploads", "chmod 700")
    return path


def _private_key(path: Path, holds: str) -> str:
    """A key kept outside the database, generated once into a file only its owner may read
    (a readable one is refused); the database backup does not contain it."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    _refuse_wide(path, holds, "chmod 600")
    return path.read_text().strip()


def _private_database(path: Path) -> None:
    """The SQLite file created 0600 before SQLite creates it (its -wal and -shm files take
    the database file's mode); a database file others may read is refused."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            _refuse_wide(name, "Luoshi's database (password hashes, sessions)", "chmod 600")


_private_data_dir(DATA_DIR)

SECRET_KEY = os.environ.get("LUOSHI_SECRET_KEY", "")
if not SECRET_KEY:
    # A per-installation key kept in the data directory, so a fresh machine works without
    # a shared default secret; production sets LUOSHI_SECRET_KEY explicitly.
    SECRET_KEY = _private_key(DATA_DIR / "secret_key", "the secret key")
elif len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("LUOSHI_SECRET_KEY must be at least 32 characters long")


def _audit_key(path: Path) -> str:
    """The key that seals the audit chain (HMAC), kept outside the database: a database
    backup or a stolen database alone cannot re-seal a forged trail."""
    return _private_key(path, "the audit key")


AUDIT_KEY = os.environ.get("LUOSHI_AUDIT_KEY", "") or _audit_key(DATA_DIR / "audit_key")
if len(AUDIT_KEY) < 32:
    raise ImproperlyConfigured("the audit key (LUOSHI_AUDIT_KEY) must be at least 32 characters")
# The key that encrypts the two-factor (TOTP) secrets stored in the database (accounts/
# crypto.py): whoever reads the database or a backup without it cannot make the codes.
TOTP_KEY = os.environ.get("LUOSHI_TOTP_KEY", "") or _private_key(
    DATA_DIR / "totp_key", "the two-factor secrets' key"
)
if len(TOTP_KEY) < 32:
    raise ImproperlyConfigured("LUOSHI_TOTP_KEY must be at least 32 characters")
# The chain head written outside the database (append-only JSON lines), compared by
# `luoshi audit_verify`; see audit/anchors.py.
AUDIT_ANCHOR_FILE = Path(
    os.environ.get("LUOSHI_AUDIT_ANCHOR_FILE") or DATA_DIR / "audit_anchors.jsonl"
).resolve()
# Seconds between two anchorings while `luoshi serve` runs (at most 10 minutes: the newest
# events are protected only by the key until the next anchoring).
AUDIT_ANCHOR_INTERVAL = env_int("LUOSHI_AUDIT_ANCHOR_SECONDS", 600)
if not 1 <= AUDIT_ANCHOR_INTERVAL <= 600:
    raise ImproperlyConfigured("LUOSHI_AUDIT_ANCHOR_SECONDS must be between 1 and 600")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("LUOSHI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_htmx",
    "django_filters",
    "ninja",  # the API docs page and its bundled (local) Swagger UI files
    "django_tasks",
    "django_tasks_db",  # background jobs' queue in the database: no broker (design §6)
    "common",
    "audit",
    "org",
    "accounts",
    "jobs",
    "policy",
    "funding",
    "reporting",
    "supervision",
    "ledger",
    "reminders",
    "dashboard",
    "api",
    "demo",
    "luoshi",  # project-wide commands (serve), above every app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "common.middleware.InputGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.LoginPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.AuditContextMiddleware",
]

AUTHENTICATION_BACKENDS = ["accounts.backends.MembershipBackend"]
SESSION_ENGINE = "accounts.sessions"

# Form widgets render with the project's templates, so luoshi/templates/django/forms/ can
# replace one of Django's (the select, whose options it includes one by one).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "luoshi.urls"
WSGI_APPLICATION = "luoshi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "luoshi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "common.context_processors.luoshi",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'luoshi.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or _default_sqlite,
            # seconds a worker thread keeps its database connection (0: one per request).
            # A connection per request costs PostgreSQL a backend start and SQLite its
            # PRAGMAs each time: under benchmarks/load.py 57.6 → 87.5 req/s on PostgreSQL.
            conn_max_age=env_int("LUOSHI_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        _private_database(Path(DATABASES["default"]["NAME"]))
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of
        # failing with "database is locked" half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL")
elif env_bool("LUOSHI_PG_PREPARED", True):
    # Parameters bound by the server and statements prepared on a connection's second use:
    # PostgreSQL parses and plans a page's queries once per connection, not per request
    # (benchmarks/load.py: 133 → 162 req/s, PostgreSQL's CPU 2.2 → 1.2 ms a request). Off
    # (0) behind a pooler that cannot keep prepared statements (PgBouncer in transaction
    # mode before 1.21).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}

# The cockpit's and the workbench's exact page cache (common/stamps.py, docs/caching.md): keyed
# by data stamps that every write replaces, never by time; files, so a server's workers share it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "reporting.cache.PageCache",
        "LOCATION": str(DATA_DIR / "cache" / "pages"),
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
# false: no page cache at all, every page computed afresh (to compare; docs/caching.md)
PAGE_CACHE = env_bool("LUOSHI_PAGE_CACHE", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (jobs/): queued in the database, run by the worker `luoshi serve` starts
# (or `luoshi db_worker` on its own, e.g. under systemd)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
    {"NAME": "accounts.validators.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "luoshi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login protection (MLPS 2.0 level 3); each is a setting with this default.
LUOSHI_DEMO = env_bool("LUOSHI_DEMO", False)  # demo accounts may log in only when on
LOGIN_MAX_FAILURES = env_int("LUOSHI_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("LUOSHI_LOGIN_LOCK_MINUTES", 30)
PASSWORD_MAX_AGE_DAYS = env_int("LUOSHI_PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HISTORY = 5
SESSION_IDLE_SECONDS = env_int("LUOSHI_SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = env_int("LUOSHI_SESSION_ABSOLUTE_HOURS", 12) * 3600
TOTP_FOR_EVERYONE = env_bool("LUOSHI_TOTP_FOR_EVERYONE", False)  # always for the 3 admins

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
if env_bool("LUOSHI_HTTPS", False):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("LUOSHI_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
LEDGER_MAX_UPLOAD_BYTES = env_int("LUOSHI_LEDGER_MAX_UPLOAD_MB", 50) * 1024 * 1024
# documents attached to work items, time nodes and projects (LUOSHI_EVIDENCE_MAX_MB: older name)
UPLOAD_MAX_BYTES = (
    env_int("LUOSHI_UPLOAD_MAX_MB", env_int("LUOSHI_EVIDENCE_MAX_MB", 20)) * 1024 * 1024
)
# a list export of more rows than this is written by a background job (jobs/), never cut
EXPORT_IMMEDIATE_ROWS = env_int("LUOSHI_EXPORT_IMMEDIATE_ROWS", 100_000)
if EXPORT_IMMEDIATE_ROWS < 1:
    raise ImproperlyConfigured("LUOSHI_EXPORT_IMMEDIATE_ROWS must be at least 1")
AUDIT_RETENTION_DAYS = env_int("LUOSHI_AUDIT_RETENTION_DAYS", 180)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("LUOSHI_AUDIT_RETENTION_DAYS must be at least 180 (MLPS 2.0)")

# E-mail for reminders (SMTP). Without LUOSHI_SMTP_HOST no e-mail is sent: reminders go in
# the app and to the units' chat robots only.
EMAIL_HOST = os.environ.get("LUOSHI_SMTP_HOST", "").strip()
EMAIL_PORT = env_int("LUOSHI_SMTP_PORT", 25)
EMAIL_HOST_USER = os.environ.get("LUOSHI_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LUOSHI_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LUOSHI_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("LUOSHI_SMTP_SSL", False)
EMAIL_TIMEOUT = env_int("LUOSHI_SMTP_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("LUOSHI_SMTP_FROM", "") or "luoshi@localhost"
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("LUOSHI_SMTP_STARTTLS and LUOSHI_SMTP_SSL cannot both be true")
if not 1 <= EMAIL_PORT <= 65535:
    raise ImproperlyConfigured(f"LUOSHI_SMTP_PORT must be a port number, got {EMAIL_PORT}")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
LUOSHI_SMTP_ENABLED = bool(EMAIL_HOST)
# The address people open Luoshi at, for links in e-mails and chat messages.
LUOSHI_BASE_URL = os.environ.get("LUOSHI_BASE_URL", "").strip().rstrip("/")
if LUOSHI_BASE_URL and not LUOSHI_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("LUOSHI_BASE_URL must start with http:// or https://")
# Reminders: escalate after this many working days without an update; a submitted project
# with no contact or stage change for this many working days goes to the overseeing leader.
LUOSHI_REMIND_ESCALATE_WORKDAYS = env_int("LUOSHI_REMIND_ESCALATE_WORKDAYS", 5)
LUOSHI_REMIND_PROJECT_SILENT_WORKDAYS = env_int("LUOSHI_REMIND_PROJECT_SILENT_WORKDAYS", 20)
# A reminder not acknowledged (签收) within this many working days is escalated like silence.
LUOSHI_REMIND_ACK_WORKDAYS = env_int("LUOSHI_REMIND_ACK_WORKDAYS", 2)
# Hosts robots may send to besides WeCom's and DingTalk's (reminders/webhooks.py): a private
# deployment's gateway or a test server, comma-separated `host[:port]` (https) or
# `http://host[:port]` (plain http too). The administrator's explicit choice: may be internal.
LUOSHI_ROBOT_HOSTS = [
    entry.strip() for entry in os.environ.get("LUOSHI_ROBOT_HOSTS", "").split(",") if entry.strip()
]
for _entry in LUOSHI_ROBOT_HOSTS:
    if "/" in _entry.split("://", 1)[-1] or "@" in _entry or " " in _entry:
        raise ImproperlyConfigured(
            f"LUOSHI_ROBOT_HOSTS: {_entry!r} is not host[:port], https://host[:port] or "
            "http://host[:port]"
        )
# WeCom and DingTalk group robots take at most 20 messages a minute.
LUOSHI_ROBOT_INTERVAL_SECONDS = 3.1
for _name in (
    "LUOSHI_REMIND_ESCALATE_WORKDAYS",
    "LUOSHI_REMIND_PROJECT_SILENT_WORKDAYS",
    "LUOSHI_REMIND_ACK_WORKDAYS",
):
    if not 1 <= globals()[_name] <= 250:
        raise ImproperlyConfigured(f"{_name} must be between 1 and 250 working days")

# A running background job whose worker is gone is shown interrupted: at once when the worker
# ran on this machine (its process no longer exists); after this many seconds without a
# heartbeat when it ran on another one (jobs/services.py).
LUOSHI_JOB_LOST_SECONDS = env_int("LUOSHI_JOB_LOST_SECONDS", 120)
if not 1 <= LUOSHI_JOB_LOST_SECONDS <= 3600:
    raise ImproperlyConfigured("LUOSHI_JOB_LOST_SECONDS must be between 1 and 3600 seconds")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
