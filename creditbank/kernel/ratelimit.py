"""Fixed-window rate limits on Django's cache (Redis in production, the database otherwise).

Keys never hold personal data: callers pass a blind index or a hash, never an email or phone.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import RateLimited


def _bucket(key: str, window: int, now: float) -> tuple[str, int]:
    bucket = int(now // window)
    retry_after = max(1, int(window - (now % window)))
    return f"rl:{key}:{window}:{bucket}", retry_after


def hashed(*parts: str) -> str:
    """A stable, non-reversible key part for an identifier or a client address."""
    msg = "\x00".join(parts).encode()
    return hashlib.sha256(settings.SECRET_KEY.encode() + b"\x00" + msg).hexdigest()[:32]


def hit(key: str, *, limit: int, window: int, message: object | None = None) -> int:
    """Count one event; raise :class:`RateLimited` once more than ``limit`` fall in the window."""
    cache_key, retry_after = _bucket(key, window, time.time())
    cache.add(cache_key, 0, window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window + 1)
        count = 1
    if count > limit:
        raise RateLimited(message or _("Too many attempts. Please try again later."), retry_after=retry_after)
    return count


def check(key: str, *, limit: int, window: int, message: object | None = None) -> None:
    """Raise :class:`RateLimited` if ``limit`` events already fell in the window (no count)."""
    cache_key, retry_after = _bucket(key, window, time.time())
    count = cache.get(cache_key, 0)
    if count >= limit:
        raise RateLimited(message or _("Too many attempts. Please try again later."), retry_after=retry_after)


def clear(key: str, *, window: int) -> None:
    cache_key, _retry = _bucket(key, window, time.time())
    cache.delete(cache_key)


def client_address(request: object) -> str:
    """The client address as the server sees it (REMOTE_ADDR; set a trusted proxy to rewrite it)."""
    meta = getattr(request, "META", {})
    return str(meta.get("REMOTE_ADDR") or "unknown")
