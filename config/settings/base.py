"""Settings shared by every environment. Values that vary come from ``config.env``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dj_database_url
import django_stubs_ext

from config import env

django_stubs_ext.monkeypatch()

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR

SECRET_KEY = env.secret("DJANGO_SECRET_KEY", "SECRET_KEY")
DEBUG = env.get_bool("DJANGO_DEBUG", not env.IS_PRODUCTION)
ALLOWED_HOSTS = env.get_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "creditbank.kernel",
    "creditbank.audit",
    "creditbank.accounts",
    "creditbank.notifications",
    "creditbank.reviews",
    "creditbank.identity",
    "creditbank.profiles",
    "creditbank.notices",
    "creditbank.institutions",
    "creditbank.ledger",
    "creditbank.outcomes",
    "creditbank.rules",
    "creditbank.portal",
    "creditbank.demo",
]

MIDDLEWARE = [
    # outermost: API answers and pages for signed-in accounts are never cached (personal data)
    "creditbank.kernel.middleware.NoStoreMiddleware",
    # records every API call made with an institution's client token, with its final status
    "creditbank.institutions.middleware.ClientCallRecordMiddleware",
    "creditbank.kernel.middleware.ApiProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # reads every body first: one that cannot be read is refused here (413/400), see kernel.request_body
    "creditbank.kernel.request_body.RequestBodyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "creditbank.accounts.middleware.MustChangePasswordMiddleware",
    # pages: a NotFound or PermissionDenied that leaves a view is the 404 or 403 page
    "creditbank.kernel.middleware.DomainErrorPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "creditbank.accounts.context_processors.account_state",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; PostgreSQL is the system of record (DATABASE_URL).
_database_url = env.get("DATABASE_URL")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=env.get_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.get("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits) -----------------------------------------------------------------------
_redis_url = env.get("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "creditbank"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "creditbank_cache",
        }
    }

# Rate-limit counters: atomic database rows, or Redis when REDIS_URL is set ("cache").
RATELIMIT_STORE = "cache" if _redis_url else "database"
# Reverse proxies in front of the app (each appends to X-Forwarded-For); 0 = use REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.get_int("CREDITBANK_TRUSTED_PROXY_COUNT", 0)

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["creditbank.accounts.backends.IdentifierBackend"]
# The API's ways in, tried in order (dotted paths of django-ninja authenticators; kernel.api_auth)
API_AUTHENTICATORS = [
    "config.api_auth.BearerTokenAuth",
    "config.api_auth.SessionCookieAuth",
    "config.api_auth.ClientCredentialsAuth",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "creditbank.accounts.hashers.CreditBankArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("name", "email", "account_no")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "creditbank.accounts.passwords.MaximumLengthValidator"},
]
# Argon2id cost: see docs/adr/0003-argon2id-cost.md
ARGON2_TIME_COST = env.get_int("ARGON2_TIME_COST", 2)
ARGON2_MEMORY_COST_KIB = env.get_int("ARGON2_MEMORY_COST_KIB", 19 * 1024)
ARGON2_PARALLELISM = env.get_int("ARGON2_PARALLELISM", 1)

SESSION_COOKIE_AGE = env.get_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "creditbank.kernel.error_pages.csrf_failure"
API_TOKEN_TTL = timedelta(seconds=env.get_int("API_TOKEN_TTL_SECONDS", 60 * 60 * 2))
ACTIVATION_TOKEN_MAX_AGE = env.get_int("ACTIVATION_TOKEN_MAX_AGE", 48 * 3600)
PASSWORD_RESET_TIMEOUT = env.get_int("PASSWORD_RESET_TIMEOUT", 2 * 3600)

# --- Personal information keys (AES-256-GCM, HMAC-SHA256 blind index) -----------------------------
# "kid:base64(32 bytes)" comma-separated; the FIRST key is the active one, others only decrypt.
PII_KEYS = env.parse_keyring("CREDITBANK_PII_KEYS", env.secret("CREDITBANK_PII_KEYS", "PII_KEYS"))
BLIND_INDEX_KEYS = env.parse_keyring(
    "CREDITBANK_BLIND_INDEX_KEYS", env.secret("CREDITBANK_BLIND_INDEX_KEYS", "BLIND_INDEX_KEYS")
)
PRIVATE_STORAGE_ROOT = env.get("CREDITBANK_PRIVATE_STORAGE", str(VAR_DIR / "private"))

# --- Email -------------------------------------------------------------------------------------
EMAIL_BACKEND: str = env.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env.get_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.get_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.get_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "学分银行 Credit Bank <no-reply@creditbank.localhost>")
SITE_URL: str = env.get("CREDITBANK_SITE_URL", "http://127.0.0.1:8000")

# --- Background tasks ---------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
        "ENQUEUE_ON_COMMIT": False,
    }
}

# --- Internationalisation --------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

# A body without files (JSON, form fields) is at most 2 MiB; a whole request, files included, at most
# MAX_REQUEST_BYTES (413 request_too_large). The reverse proxy should refuse the same (docs/OPERATIONS.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_REQUEST_BYTES = env.get_int("CREDITBANK_MAX_REQUEST_BYTES", 50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None
FILE_UPLOAD_PERMISSIONS = 0o600

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- The deployment's policy (docs/POLICY.md) -----------------------------------------------------
# Different credit banks run different procedures; every knob is here, with the national
# bank's practice as the default.
CREDITBANK_POLICY: dict[str, Any] = {
    # Real-name verification
    "VERIFICATION_ATTEMPTS_PER_DAY": env.get_int("POLICY_VERIFICATION_ATTEMPTS_PER_DAY", 3),
    "VERIFICATION_AUTO_APPROVE": env.get_bool("POLICY_VERIFICATION_AUTO_APPROVE", False),
    "VERIFICATION_PHOTO_RETENTION_DAYS": env.get_int("POLICY_VERIFICATION_PHOTO_RETENTION_DAYS", 30),
    "VERIFICATION_MAX_UPLOAD_BYTES": env.get_int("POLICY_VERIFICATION_MAX_UPLOAD_BYTES", 8 * 1024 * 1024),
    "VERIFICATION_MAX_PIXELS": env.get_int("POLICY_VERIFICATION_MAX_PIXELS", 25_000_000),
    "VERIFICATION_OCR": env.get_bool("POLICY_VERIFICATION_OCR", True),
    # ONNX Runtime threads of one OCR run (at most the CPU count); each worker process runs one
    "VERIFICATION_OCR_THREADS": env.get_int("POLICY_VERIFICATION_OCR_THREADS", 2),
    "VERIFICATION_FACE_CHECK": env.get_bool("POLICY_VERIFICATION_FACE_CHECK", True),
    "IDENTITY_PROVIDER": env.get("POLICY_IDENTITY_PROVIDER", "creditbank.identity.providers.LocalChecksProvider"),
    # Minors (PIPL art. 31): "refuse" or "guardian_consent" (the latter is not built yet)
    "MINIMUM_AGE": env.get_int("POLICY_MINIMUM_AGE", 14),
    "UNDER_MINIMUM_AGE": env.get("POLICY_UNDER_MINIMUM_AGE", "refuse"),
    # Accounts
    "TERMS_VERSION": env.get("POLICY_TERMS_VERSION", "2026-01"),
    # Login throttling (ADR 0011): slow down guessing on an account, never lock its owner out
    "LOGIN_FAILURES_PER_ACCOUNT": env.get_int("POLICY_LOGIN_FAILURES_PER_ACCOUNT", 5),
    "LOGIN_FAILURES_PER_ACCOUNT_WINDOW": env.get_int("POLICY_LOGIN_FAILURES_PER_ACCOUNT_WINDOW", 900),
    "LOGIN_DELAY_BASE": env.get_int("POLICY_LOGIN_DELAY_BASE", 2),
    "LOGIN_DELAY_MAX": env.get_int("POLICY_LOGIN_DELAY_MAX", 300),
    "LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS": env.get_int("POLICY_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", 5),
    "LOGIN_ALERT_AFTER_FAILURES": env.get_int("POLICY_LOGIN_ALERT_AFTER_FAILURES", 10),
    "LOGIN_ATTEMPTS_PER_ADDRESS": env.get_int("POLICY_LOGIN_ATTEMPTS_PER_ADDRESS", 50),
    "LOGIN_ATTEMPTS_PER_ADDRESS_WINDOW": env.get_int("POLICY_LOGIN_ATTEMPTS_PER_ADDRESS_WINDOW", 900),
    # registrations that passed every check, and different people whose registration was refused
    # (a retry sharing a field value with a refused one is the same person fixing a typo)
    "REGISTRATIONS_PER_ADDRESS_PER_HOUR": env.get_int("POLICY_REGISTRATIONS_PER_ADDRESS_PER_HOUR", 60),
    "REGISTRATION_REFUSED_PEOPLE_PER_ADDRESS_PER_HOUR": env.get_int(
        "POLICY_REGISTRATION_REFUSED_PEOPLE_PER_ADDRESS_PER_HOUR", 60
    ),
    "REGISTRATION_REFUSALS_PER_PERSON_PER_HOUR": env.get_int("POLICY_REGISTRATION_REFUSALS_PER_PERSON_PER_HOUR", 30),
    "ACTIVATION_RESENDS_PER_HOUR": env.get_int("POLICY_ACTIVATION_RESENDS_PER_HOUR", 3),
    "PASSWORD_RESETS_PER_HOUR": env.get_int("POLICY_PASSWORD_RESETS_PER_HOUR", 3),
    # Files uploaded by one account per hour, all upload paths together (ID photos, proofs,
    # evidence, ticket attachments); counted before any file is decoded
    "UPLOADS_PER_ACCOUNT_PER_HOUR": env.get_int("POLICY_UPLOADS_PER_ACCOUNT_PER_HOUR", 60),
    # Profiles: editable fields whose change waits for a staff review (comma-separated names)
    "PROFILE_FIELDS_REQUIRING_REVIEW": env.get_list("POLICY_PROFILE_FIELDS_REQUIRING_REVIEW", []),
    # Support tickets
    "TICKETS_PER_DAY": env.get_int("POLICY_TICKETS_PER_DAY", 10),
    "TICKET_MESSAGES_PER_HOUR": env.get_int("POLICY_TICKET_MESSAGES_PER_HOUR", 30),
    "TICKET_REOPEN_DAYS": env.get_int("POLICY_TICKET_REOPEN_DAYS", 14),
    # Institutions' API clients: after a rotation the previous secret still works this long;
    # client tokens live this long; token requests per client id and per address per hour
    "API_CLIENT_SECRET_OVERLAP_HOURS": env.get_int("POLICY_API_CLIENT_SECRET_OVERLAP_HOURS", 24),
    "CLIENT_TOKEN_TTL_SECONDS": env.get_int("POLICY_CLIENT_TOKEN_TTL_SECONDS", 3600),
    "CLIENT_TOKEN_REQUESTS_PER_CLIENT_PER_HOUR": env.get_int("POLICY_CLIENT_TOKEN_REQUESTS_PER_CLIENT_PER_HOUR", 120),
    "CLIENT_TOKEN_REQUESTS_PER_ADDRESS_PER_HOUR": env.get_int("POLICY_CLIENT_TOKEN_REQUESTS_PER_ADDRESS_PER_HOUR", 600),
    # Credits: whether the credits of a certified outcome expire with it (its expires_on)
    "CREDITS_EXPIRE_WITH_CERTIFICATE": env.get_bool("POLICY_CREDITS_EXPIRE_WITH_CERTIFICATE", False),
    # Accounts opened by institutions in bulk (ADR 0023): whether the institution's word verifies
    # the identity; rows per file; hours the result file (initial passwords) waits for its one
    # download; files per institution per hour
    "INSTITUTION_VOUCHES_IDENTITY": env.get_bool("POLICY_INSTITUTION_VOUCHES_IDENTITY", False),
    "ACCOUNT_OPENING_MAX_ROWS": env.get_int("POLICY_ACCOUNT_OPENING_MAX_ROWS", 5000),
    "ACCOUNT_OPENING_RESULT_HOURS": env.get_int("POLICY_ACCOUNT_OPENING_RESULT_HOURS", 24),
    "ACCOUNT_OPENINGS_PER_INSTITUTION_PER_HOUR": env.get_int("POLICY_ACCOUNT_OPENINGS_PER_INSTITUTION_PER_HOUR", 20),
    # Conversion (docs/adr/0028): "once", a converted outcome is used once (已转换); or
    # "per_programme", several programmes may recognise one outcome, never one programme twice
    "OUTCOME_REUSE": env.get("POLICY_OUTCOME_REUSE", "once"),
}

# --- Text messages (confirmation codes); see creditbank/profiles/sms.py ------------------------
SMS_BACKEND: str = env.get("SMS_BACKEND", "creditbank.profiles.sms.ConsoleSmsBackend")
SMS_GATEWAY_URL: str = env.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN: str = env.get("SMS_GATEWAY_TOKEN", "")

NINJA_PAGINATION_MAX_LIMIT = 100

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "creditbank.kernel.masking.MaskPiiFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_pii"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's default "django" logger, whose own console handler (when DEBUG) printed
        # every message a second time before it reached the root handler.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
