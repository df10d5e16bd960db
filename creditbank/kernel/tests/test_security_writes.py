"""Rate-limit counts survive the rollback of the request that made them."""

from __future__ import annotations

import pytest
from django.db import transaction

from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.models import IdempotencyRecord
from creditbank.kernel.security_writes import atomic_keeping_security_writes

pytestmark = pytest.mark.django_db


def counted_then_refused() -> tuple[int, dict[str, object]]:
    ratelimit.hit("probe", limit=100, window=60)
    raise DomainError("refused", "refused")


def counted_then_created() -> tuple[int, dict[str, object]]:
    ratelimit.hit("probe", limit=100, window=60)
    return 201, {"ok": True}


def test_refusals_with_an_idempotency_key_are_counted() -> None:
    for i in range(3):
        with pytest.raises(DomainError):
            run_idempotent(scope="t", key=f"key-{i}", payload={}, create=counted_then_refused)
    assert ratelimit.current("probe", window=60) == 3
    assert IdempotencyRecord.objects.count() == 0


def test_the_same_key_refused_three_times_counts_three() -> None:
    for _ in range(3):
        with pytest.raises(DomainError):
            run_idempotent(scope="t", key="same", payload={}, create=counted_then_refused)
    assert ratelimit.current("probe", window=60) == 3


def test_a_success_counts_once_and_its_replay_not_at_all() -> None:
    assert run_idempotent(scope="t", key="k", payload={}, create=counted_then_created) == (201, {"ok": True})
    assert run_idempotent(scope="t", key="k", payload={}, create=counted_then_created) == (201, {"ok": True})
    assert ratelimit.current("probe", window=60) == 1


def test_the_rate_limit_refusal_itself_is_counted() -> None:
    def over_limit() -> tuple[int, dict[str, object]]:
        ratelimit.hit("tight", limit=1, window=60)
        return 201, {}

    run_idempotent(scope="t", key="a", payload={}, create=over_limit)
    for key in ("b", "c"):
        with pytest.raises(DomainError) as exc:
            run_idempotent(scope="t", key=key, payload={}, create=over_limit)
        assert exc.value.code == "rate_limited"
    assert ratelimit.current("tight", window=60) == 3


def refuse_inside(block, key: str, inner=None) -> None:  # type: ignore[no-untyped-def]
    """Count ``key`` in ``block``, run ``inner`` (expected to raise), then refuse."""
    with block():
        ratelimit.hit(key, limit=100, window=60)
        if inner is not None:
            with pytest.raises(DomainError):
                inner()
        raise DomainError("refused", f"{key} refused")


def test_nested_blocks_keep_the_count_through_every_rollback() -> None:
    def inner() -> None:
        refuse_inside(atomic_keeping_security_writes, "inner")

    with pytest.raises(DomainError):
        refuse_inside(atomic_keeping_security_writes, "outer", inner)
    assert ratelimit.current("inner", window=60) == 1
    assert ratelimit.current("outer", window=60) == 1


def test_business_writes_still_roll_back() -> None:
    def create_then_refuse() -> None:
        with atomic_keeping_security_writes():
            IdempotencyRecord.objects.create(scope="s", key="k", request_hash="h", status=201, body={})
            raise DomainError("refused", "refused")

    with pytest.raises(DomainError):
        create_then_refuse()
    assert IdempotencyRecord.objects.count() == 0


def test_a_plain_atomic_block_still_undoes_counts() -> None:
    """The guarantee is opt-in: only the protected block replays (the control for the tests above)."""
    with pytest.raises(DomainError):
        refuse_inside(transaction.atomic, "plain")
    assert ratelimit.current("plain", window=60) == 0
