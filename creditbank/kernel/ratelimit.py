"""Fixed-window rate limits: atomic counters in Redis (``REDIS_URL``) or in the database.

Database counters are one row per key and window, incremented with ``UPDATE … SET count =
count + 1`` (atomic on SQLite and PostgreSQL), so parallel requests cannot slip past a limit,
and no cache eviction can wipe them. Keys never hold personal data: callers pass a keyed hash.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from creditbank.kernel.errors import RateLimited
from creditbank.kernel.models import RateCounter
from creditbank.kernel.security_writes import keep_if_rolled_back


def _bucket(key: str, window: int, now: float) -> tuple[str, int]:
    bucket = int(now // window)
    retry_after = max(1, int(window - (now % window)))
    return f"rl:{key}:{window}:{bucket}", retry_after


def _use_cache() -> bool:
    return settings.RATELIMIT_STORE == "cache"


def hashed(*parts: str) -> str:
    """A stable, non-reversible key part for an identifier or a client address."""
    msg = "\x00".join(parts).encode()
    return hashlib.sha256(settings.SECRET_KEY.encode() + b"\x00" + msg).hexdigest()[:32]


def _increment(cache_key: str, window: int) -> int:
    """Count one event atomically. Database counts are written in the current transaction, and
    written again if an enclosing ``atomic_keeping_security_writes`` block rolls back."""
    if _use_cache():
        cache.add(cache_key, 0, window + 1)
        try:
            return int(cache.incr(cache_key))
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, window + 1)
            return 1
    now = timezone.now()
    with transaction.atomic():
        if not RateCounter.objects.filter(key=cache_key).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=cache_key, count=1, expires_at=now + timedelta(seconds=window + 1))
            except IntegrityError:  # created meanwhile by a parallel request
                RateCounter.objects.filter(key=cache_key).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=cache_key).values_list("count", flat=True).first() or 1
    # A refusal that rolls back an enclosing transaction must not undo the count.
    keep_if_rolled_back(lambda: _count_again(cache_key, window))
    if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
        RateCounter.objects.filter(expires_at__lt=now).delete()
    return int(count)


def _count_again(cache_key: str, window: int) -> None:
    _increment(cache_key, window)


def _current(cache_key: str) -> int:
    if _use_cache():
        return int(cache.get(cache_key, 0))
    return int(RateCounter.objects.filter(key=cache_key).values_list("count", flat=True).first() or 0)


def hit(key: str, *, limit: int, window: int, message: object | None = None) -> int:
    """Count one event; raise :class:`RateLimited` once more than ``limit`` fall in the window."""
    cache_key, retry_after = _bucket(key, window, time.time())
    count = _increment(cache_key, window)
    if count > limit:
        raise RateLimited(message or _("Too many attempts. Please try again later."), retry_after=retry_after)
    return count


def check(key: str, *, limit: int, window: int, message: object | None = None) -> None:
    """Raise :class:`RateLimited` if ``limit`` events already fell in the window (no count)."""
    cache_key, retry_after = _bucket(key, window, time.time())
    if _current(cache_key) >= limit:
        raise RateLimited(message or _("Too many attempts. Please try again later."), retry_after=retry_after)


def clear(key: str, *, window: int) -> None:
    cache_key, _retry = _bucket(key, window, time.time())
    if _use_cache():
        cache.delete(cache_key)
    else:
        RateCounter.objects.filter(key=cache_key).delete()


def release(key: str, *, window: int) -> None:
    """Take back one event counted in the current window (never below zero): for attempts counted
    before the outcome was known that turned out not to be what the limit is about."""
    cache_key, _retry = _bucket(key, window, time.time())
    if _use_cache():
        try:
            if int(cache.get(cache_key, 0)) > 0:
                cache.decr(cache_key)
        except ValueError:  # expired meanwhile
            pass
        return
    RateCounter.objects.filter(key=cache_key, count__gt=0).update(count=F("count") - 1)


def current(key: str, *, window: int) -> int:
    """How many events fell in the current window (nothing is counted)."""
    cache_key, _retry = _bucket(key, window, time.time())
    return _current(cache_key)


def until(retry_after: int) -> str:
    """When a refused client may try again, for a message: "in 40 seconds" or "at 14:35 (in 23
    minutes)" in the site's time zone (with the date when it is not today)."""
    seconds = max(1, int(retry_after))
    if seconds < 60:
        return ngettext("in %(n)d second", "in %(n)d seconds", seconds) % {"n": seconds}
    now = time.time()
    zone = timezone.get_current_timezone()
    at = datetime.fromtimestamp(now + seconds, tz=zone)
    same_day = at.date() == datetime.fromtimestamp(now, tz=zone).date()
    minutes = math.ceil(seconds / 60)
    return ngettext("at %(time)s (in %(n)d minute)", "at %(time)s (in %(n)d minutes)", minutes) % {
        "time": at.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M"),
        "n": minutes,
    }


def refusal(message: Any, *, retry_after: int) -> RateLimited:
    """A 429 whose message says when to retry: ``message`` holds a ``%(when)s`` placeholder."""
    return RateLimited(message % {"when": until(retry_after)}, retry_after=retry_after)


def client_address(request: object) -> str:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, the address the
    outermost trusted proxy saw (the N-th entry from the right of X-Forwarded-For)."""
    meta = getattr(request, "META", {})
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        hops = [h.strip() for h in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies][:64]
    return str(meta.get("REMOTE_ADDR") or "unknown")
