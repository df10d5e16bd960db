"""Production: every secret from the environment, HTTPS, SMTP, PostgreSQL.

Start-up stops with a clear message when DJANGO_SECRET_KEY, CREDITBANK_PII_KEYS,
CREDITBANK_BLIND_INDEX_KEYS or DATABASE_URL is missing (see README.md).
"""

import os

os.environ.setdefault("CREDITBANK_ENV", "production")

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from config import env  # noqa: E402
from config.settings.base import *  # noqa: E402, F403

if not env.get("DATABASE_URL"):
    raise ImproperlyConfigured("The environment variable DATABASE_URL is required in production.")

DEBUG = False
EMAIL_BACKEND = env.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
SMS_BACKEND = env.get("SMS_BACKEND", "creditbank.profiles.sms.HttpSmsBackend")
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
