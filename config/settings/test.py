"""Test settings: fast hashing, in-memory email, immediate tasks, throwaway keys."""

import base64
import os
import tempfile

os.environ.setdefault("CREDITBANK_VAR_DIR", tempfile.mkdtemp(prefix="creditbank-test-"))
if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest -n: the workers inherit the run's directory (and keys); each keeps its own files in it
    # (vault, SQLite database), so that no worker sees another's uploads.
    _run_dir = os.environ.get("CREDITBANK_TEST_RUN_DIR") or os.environ["CREDITBANK_VAR_DIR"]
    os.environ["CREDITBANK_TEST_RUN_DIR"] = _run_dir
    os.environ["CREDITBANK_VAR_DIR"] = os.path.join(_run_dir, os.environ["PYTEST_XDIST_WORKER"])
    os.makedirs(os.environ["CREDITBANK_VAR_DIR"], exist_ok=True)
os.environ.setdefault("CREDITBANK_PII_KEYS", "t1:" + base64.b64encode(os.urandom(32)).decode())
os.environ.setdefault("CREDITBANK_BLIND_INDEX_KEYS", "tb1:" + base64.b64encode(os.urandom(32)).decode())
os.environ.setdefault("DJANGO_SECRET_KEY", base64.b64encode(os.urandom(40)).decode())

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import CREDITBANK_POLICY, DATABASES  # noqa: E402

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "creditbank.profiles.sms.LocmemSmsBackend"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "creditbank.accounts.hashers.CreditBankArgon2PasswordHasher",
]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "creditbank_cache",
    }
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file (WAL, busy timeout) rather than shared-cache memory, so threads (the race tests,
    # the live server of the browser tests) wait for each other's locks as in `./dev run`.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["CREDITBANK_VAR_DIR"], "test.sqlite3")}
CREDITBANK_POLICY = {**CREDITBANK_POLICY, "VERIFICATION_OCR": False}
LANGUAGE_CODE = "zh-hans"
