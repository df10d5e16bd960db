"""Rate limits on the database cache (SQLite and PostgreSQL) and, where configured, Redis."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches
from django.test import override_settings

from creditbank.kernel import ratelimit
from creditbank.kernel.errors import RateLimited

BACKENDS = {"database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "creditbank_cache"}}
if os.environ.get("REDIS_TEST_URL"):  # CI sets it; the Redis backend is then tested too
    BACKENDS["redis"] = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": os.environ["REDIS_TEST_URL"]}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request, db):  # type: ignore[no-untyped-def]
    with override_settings(CACHES={"default": BACKENDS[request.param]}):
        caches["default"].clear()
        yield request.param
        caches["default"].clear()


def test_hit_counts_then_refuses_with_retry_after(backend) -> None:  # type: ignore[no-untyped-def]
    assert [ratelimit.hit("k", limit=3, window=60) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(RateLimited) as info:
        ratelimit.hit("k", limit=3, window=60)
    assert 1 <= info.value.retry_after <= 60
    assert info.value.status == 429
    # another key is independent
    assert ratelimit.hit("other", limit=3, window=60) == 1


def test_check_does_not_count_and_clear_resets(backend) -> None:  # type: ignore[no-untyped-def]
    ratelimit.check("c", limit=1, window=60)
    ratelimit.check("c", limit=1, window=60)
    ratelimit.hit("c", limit=10, window=60)
    with pytest.raises(RateLimited):
        ratelimit.check("c", limit=1, window=60)
    ratelimit.clear("c", window=60)
    ratelimit.check("c", limit=1, window=60)


def test_keys_hold_no_identifier(settings) -> None:  # type: ignore[no-untyped-def]
    key = ratelimit.hashed("zhang@example.com")
    assert "zhang" not in key
    assert len(key) == 32
    assert key == ratelimit.hashed("zhang@example.com")
