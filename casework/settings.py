"""Django settings for casework.

Configuration comes from the environment (DESIGN.md, "Environment"):

* ``CASEWORK_DATABASE_URL`` -- ``postgres://user@host:5432/db``; unset means the embedded SQLite
  file ``$CASEWORK_DATA_DIR/casework.sqlite3``.
* ``CASEWORK_DATA_DIR`` -- where the SQLite file, media and secrets live (default ``./var``).
* ``CASEWORK_SECRET_KEY`` -- unset means a random key generated once and kept in the data dir.
* ``CASEWORK_DEBUG`` -- ``1``/``true`` for development.
* ``CASEWORK_ALLOWED_HOSTS`` -- comma-separated host names.
* ``CASEWORK_SWEEP_MINUTES`` -- how often ``casework worker`` runs the monitoring sweep (15).
* ``CASEWORK_DIGEST_AT`` -- when it sends the daily digest, ``HH:MM`` agency time (``07:00``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("CASEWORK_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = os.environ.get("CASEWORK_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("CASEWORK_DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("CASEWORK_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
        ","
    )
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "casework.core",
    "casework.accounts",
    "casework.audit",
    "casework.programs",
    "casework.clients",
    "casework.cases",
    "casework.assessments",
    "casework.careplans",
    "casework.consent",
    "casework.coverage",
    "casework.coordination",
    "casework.risk",
    "casework.monitoring",
    "casework.encounters",
    "casework.web",
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
    "casework.audit.middleware.AuditContextMiddleware",
    "casework.core.middleware.ApiErrorShapeMiddleware",
]

ROOT_URLCONF = "casework.urls"
WSGI_APPLICATION = "casework.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.web.context_processors.navigation",
            ],
        },
    },
]


def _sqlite(name: str | Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue instead
        # of one failing on commit; WAL lets readers proceed while someone writes.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


def _database() -> dict[str, Any]:
    url = os.environ.get("CASEWORK_DATABASE_URL", "").strip()
    if url.startswith("sqlite:"):
        # Another SQLite file (a second worker on the same file, a test database): the same
        # locking and journal settings as the embedded default.
        name = str(dj_database_url.parse(url)["NAME"])
        return {**_sqlite(name), "TEST": {"NAME": f"{name}-test"}}
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        config.setdefault("TEST", {})
        return config
    return {
        **_sqlite(DATA_DIR / "casework.sqlite3"),
        # Tests use a file too (not Django's in-memory default) so that locking, WAL and
        # concurrent writers behave exactly as in production.
        "TEST": {"NAME": DATA_DIR / "test-casework.sqlite3"},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:caseload"
LOGOUT_REDIRECT_URL = "web:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_COOKIE_SECURE = _flag("CASEWORK_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = os.environ.get("CASEWORK_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"casework": {"level": os.environ.get("CASEWORK_LOG_LEVEL", "INFO")}},
}

NINJA_PAGINATION_PER_PAGE = 50

# Email (notifications and the daily digest; docs/operations.md, "Email"). CASEWORK_EMAIL_BACKEND
# is a Django backend path or a short name: smtp, console, file (under the data dir), locmem.
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = os.environ.get("CASEWORK_EMAIL_BACKEND", "").strip() or (
    "console" if DEBUG else "smtp"
)
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("CASEWORK_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CASEWORK_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CASEWORK_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CASEWORK_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _flag("CASEWORK_EMAIL_USE_TLS")
EMAIL_USE_SSL = _flag("CASEWORK_EMAIL_USE_SSL")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("CASEWORK_EMAIL_FROM", "casework <casework@localhost>")
# The site's public address, for links in email (no request to take it from in the worker).
CASEWORK_BASE_URL = os.environ.get("CASEWORK_BASE_URL", "http://127.0.0.1:8000")

# Background jobs (casework/monitoring/jobs.py) wait in the database, in django-tasks-db's table,
# until a ``casework worker`` runs them: no broker to run, and several workers on PostgreSQL share
# the queue (SELECT ... FOR UPDATE SKIP LOCKED). Queues: ``default`` (sweeps, digests) and
# ``email`` (one message each), so a site may give email its own worker.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        "QUEUES": ["default", "email"],
    }
}
# The worker's periodic schedule (casework/monitoring/schedule.py). Every 15 minutes: NCQA asks
# that staff be prompted for follow-up in time, and every prompt rule counts in days, so a quarter
# of an hour is prompt enough; a sweep over 100,000 open cases costs seconds (bench/).
CASEWORK_SWEEP_MINUTES = int(os.environ.get("CASEWORK_SWEEP_MINUTES", "15"))
# The daily digest goes out at the start of the working day, agency time (TIME_ZONE).
CASEWORK_DIGEST_AT = os.environ.get("CASEWORK_DIGEST_AT", "07:00")

# Demo and first-run helpers read this; production installs set their own passwords.
CASEWORK_DEMO_PASSWORD = os.environ.get("CASEWORK_DEMO_PASSWORD", "casework-demo-2026")
