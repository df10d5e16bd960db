"""The one place where settings read the environment.

Development needs no configuration: every value has a safe default, and development keys are
generated once under ``var/`` (which git ignores). In production (``CREDITBANK_ENV=production``)
a missing secret stops start-up with a message that names it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path
from typing import overload

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CREDITBANK_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENT = os.environ.get("CREDITBANK_ENV", "development")
IS_PRODUCTION = ENVIRONMENT == "production"


@overload
def get(name: str) -> str | None: ...
@overload
def get(name: str, default: str) -> str: ...
def get(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def get_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def get_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def require(name: str, *, dev_default: str | None = None) -> str:
    """A value production must set; development falls back to ``dev_default``."""
    value = os.environ.get(name)
    if value:
        return value
    if IS_PRODUCTION or dev_default is None:
        raise ImproperlyConfigured(
            f"The environment variable {name} is required in production. "
            "See README.md, section 'Production configuration'."
        )
    return dev_default


def _dev_keys() -> dict[str, str]:
    """Development secrets, generated on first use under var/ and reused after."""
    path = VAR_DIR / "dev-keys.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        return data
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    data = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PII_KEYS": "dev1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "BLIND_INDEX_KEYS": "bi1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.chmod(0o600)
    tmp.replace(path)
    return data


def secret(name: str, dev_key: str) -> str:
    """A secret: from the environment, else (development only) from var/dev-keys.json."""
    value = os.environ.get(name)
    if value:
        return value
    if IS_PRODUCTION:
        return require(name)
    return _dev_keys()[dev_key]


def parse_keyring(name: str, raw: str) -> dict[str, bytes]:
    """``kid:base64key,kid2:base64key`` → {kid: 32 raw bytes}; the first is the active key."""
    ring: dict[str, bytes] = {}
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        kid, sep, b64 = part.partition(":")
        if not sep or not kid.isalnum():
            raise ImproperlyConfigured(f"{name}: each key is 'id:base64', got {part[:8]!r}…")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: key {kid!r} is not valid base64") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(f"{name}: key {kid!r} must be 32 bytes (256 bits)")
        ring[kid] = key
    if not ring:
        raise ImproperlyConfigured(f"{name} holds no key")
    return ring
