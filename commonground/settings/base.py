"""Settings shared by every environment, read from environment variables (see docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from .env import email_settings, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env_str("COMMONGROUND_VAR_DIR", str(BASE_DIR / "var")))
DATA_DIR = Path(env_str("COMMONGROUND_DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SITE_NAME = env_str("SITE_NAME", "Common Ground")
COUNCIL_NAME = env_str("COUNCIL_NAME", "Bath and North East Somerset Council")

INSTALLED_APPS = [
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    # Foundation: shared models, people who log in, geography, the programme register
    "commonground.core",
    "commonground.accounts",
    "commonground.places",
    "commonground.programme",
    # The walk from a conversation to a change
    "commonground.listening",
    "commonground.insight",
    "commonground.action",
    # Money, measures and where to work next
    "commonground.funding",
    "commonground.impact",
    "commonground.priorities",
    # Residents' rights and what residents see
    "commonground.privacy",
    "commonground.public",
]

# The apps above whose urls.py, api.py (``router``), dashboard.py (``panels``) and stats.py
# (``STATS_MODELS``) are wired in automatically, in this order (see core/discovery.py).
COMMONGROUND_APPS = [
    app.rsplit(".", 1)[1] for app in INSTALLED_APPS if app.startswith("commonground.")
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "commonground.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "commonground.core.security.RateLimitMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "commonground.accounts.middleware.RequireTwoFactorMiddleware",
    "commonground.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "commonground.urls"
WSGI_APPLICATION = "commonground.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "commonground" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commonground.core.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'commonground.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A kept connection is checked before each request, so one the database dropped (a restart,
        # a failover) is replaced instead of failing the request that finds it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The default database file lives in var/, which a fresh clone does not have yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the task worker and the web process share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Repeated failed logins lock an account for a while; see accounts/services.py.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "commonground" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Project photos and forum papers, served only through views that check permission first.
ACTION_PRIVATE_ROOT = Path(env_str("ACTION_PRIVATE_ROOT", str(VAR_DIR / "private" / "action")))
# The site's public address, used to build links in e-mails (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
MEDIA_URL = "/media/"

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

globals().update(email_settings(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Common Ground <no-reply@localhost>")

OTP_TOTP_ISSUER = SITE_NAME

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # weasyprint logs every stylesheet it parses at INFO, including its own on import.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# What `commonground stats --json` counts for the foundation: name -> "app_label.Model". Other apps
# add theirs in their own stats.py.
STATS_MODELS = {
    "authorities": "places.LocalAuthority",
    "wards": "places.Ward",
    "lsoas": "places.Lsoa",
    "neighbourhoods": "places.Neighbourhood",
    "gp_practices": "places.GpPractice",
    "organisations": "programme.Organisation",
    "programmes": "programme.Programme",
    "organisers": "programme.Organiser",
    "agreements": "programme.Agreement",
    "users": "accounts.User",
    "audit_events": "core.AuditEvent",
}

# Rate limits per client address: (name, methods, path prefixes, requests, per seconds).
RATE_LIMITS = [
    (
        "login",
        ["POST"],
        ["/accounts/login/", "/accounts/two-factor/"],
        env_int("RATE_LIMIT_LOGIN", 20),
        300,
    ),
    ("public-forms", ["POST"], ["/public/"], env_int("RATE_LIMIT_PUBLIC_FORMS", 30), 300),
    (
        "api",
        ["GET", "POST", "PUT", "PATCH", "DELETE"],
        ["/api/", "/open311/"],
        env_int("RATE_LIMIT_API", 600),
        60,
    ),
]

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "commonground_cache",
    },
    # Each process's own memory, for the busy pages' answers (see commonground/core/caching.py).
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "commonground-local",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
# How long a busy page's answer is kept at most; any change drops it sooner. 0 turns it off.
COMMONGROUND_CACHE_SECONDS = env_int("COMMONGROUND_CACHE_SECONDS", 60)
