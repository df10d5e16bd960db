"""Rate limits on database counters (SQLite and PostgreSQL) and, where configured, Redis."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches
from django.test import override_settings

from creditbank.kernel import ratelimit
from creditbank.kernel.errors import RateLimited

DB_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "creditbank_cache"}
BACKENDS = {"database": ("database", DB_CACHE)}
if os.environ.get("REDIS_TEST_URL"):  # CI sets it; the Redis store is then tested too
    BACKENDS["redis"] = (
        "cache",
        # Other test processes (pytest -n workers, another checkout) may use the same Redis
        # database at the same time: this one keeps to its own keys.
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_TEST_URL"],
            "KEY_PREFIX": f"creditbank-test-{os.getpid()}",
        },
    )


def _empty(cache) -> None:  # type: ignore[no-untyped-def]
    """Remove this process's counters (on Redis only its own keys: FLUSHDB would remove others')."""
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(params=sorted(BACKENDS))
def backend(request, db):  # type: ignore[no-untyped-def]
    store, cache_config = BACKENDS[request.param]
    with override_settings(RATELIMIT_STORE=store, CACHES={"default": cache_config}):
        _empty(caches["default"])
        yield request.param
        _empty(caches["default"])


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


@pytest.mark.django_db(transaction=True)
def test_database_counters_hold_under_parallel_hits() -> None:
    import threading

    from django.db import connections

    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                try:
                    results.append(ratelimit.hit("parallel", limit=20, window=600))
                except RateLimited:
                    results.append(-1)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    # 30 hits against a limit of 20: exactly 20 pass, whatever the interleaving
    assert len([r for r in results if r > 0]) == 20
    assert results.count(-1) == 10


def test_client_address_behind_trusted_proxies(settings, rf) -> None:  # type: ignore[no-untyped-def]
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_address(request) == "203.0.113.7"  # the spoofable left part is ignored
    settings.TRUSTED_PROXY_COUNT = 3
    assert ratelimit.client_address(request) == "10.0.0.1"  # fewer hops than proxies: fall back


def test_current_reads_without_counting(backend) -> None:  # type: ignore[no-untyped-def]
    assert ratelimit.current("r", window=60) == 0
    ratelimit.hit("r", limit=10, window=60)
    ratelimit.hit("r", limit=10, window=60)
    assert ratelimit.current("r", window=60) == 2
    assert ratelimit.current("r", window=60) == 2


#: 2026-03-01 23:50:00 in Asia/Shanghai.
LATE_EVENING = 1772380200.0


@pytest.mark.parametrize(
    ("language", "retry_after", "text"),
    [
        ("en", 1, "in 1 second"),
        ("en", 40, "in 40 seconds"),
        ("en", 60, "at 23:51 (in 1 minute)"),
        ("en", 300, "at 23:55 (in 5 minutes)"),
        ("en", 1200, "at 2026-03-02 00:10 (in 20 minutes)"),  # past midnight: with the date
    ],
)
def test_until_says_when_in_the_site_time_zone(monkeypatch, language, retry_after, text) -> None:  # type: ignore[no-untyped-def]
    import time

    from django.utils import translation

    monkeypatch.setattr(time, "time", lambda: LATE_EVENING)
    with translation.override(language):
        assert ratelimit.until(retry_after) == text


def test_refusal_names_the_time(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    from django.utils import translation

    monkeypatch.setattr(time, "time", lambda: LATE_EVENING)
    with translation.override("en"):
        exc = ratelimit.refusal("Wait. Try again %(when)s.", retry_after=300)
    assert exc.retry_after == 300
    assert exc.code == "rate_limited"
    assert exc.message == "Wait. Try again at 23:55 (in 5 minutes)."


def test_release_takes_back_one_event_never_below_zero(backend) -> None:  # type: ignore[no-untyped-def]
    ratelimit.hit("g", limit=2, window=60)
    ratelimit.hit("g", limit=2, window=60)
    ratelimit.release("g", window=60)
    assert ratelimit.current("g", window=60) == 1
    assert ratelimit.hit("g", limit=2, window=60) == 2
    ratelimit.release("g", window=60)
    ratelimit.release("g", window=60)
    ratelimit.release("g", window=60)
    ratelimit.release("never-counted", window=60)
    assert ratelimit.current("g", window=60) == 0
    assert ratelimit.current("never-counted", window=60) == 0
