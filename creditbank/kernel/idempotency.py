"""``Idempotency-Key`` for create requests: the same key and body give the same answer once."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError, ErrorCode
from creditbank.kernel.models import IdempotencyRecord
from creditbank.kernel.security_writes import atomic_keeping_security_writes

MAX_KEY_LENGTH = 128
IDEMPOTENCY_TTL = timedelta(hours=24)


def _hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_idempotent(
    *, scope: str, key: str | None, payload: Any, create: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any]]:
    """Call ``create`` once per (scope, key); replay its answer for the same payload.

    A reused key with a different payload answers 422 ``idempotency_key_reused``. Failures
    (DomainError) are not stored: the client may fix the input and retry with the same key.
    The create and its record commit together; rate-limit counts made by a refused create
    survive its rollback (``kernel.security_writes``).
    """
    if not key:
        return create()
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise DomainError(
            ErrorCode.IDEMPOTENCY_KEY_INVALID, _("The Idempotency-Key header is at most 128 printable characters.")
        )
    digest = _hash(payload)
    cutoff = timezone.now() - IDEMPOTENCY_TTL
    if random.random() < 0.01:  # noqa: S311 - housekeeping
        IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    IdempotencyRecord.objects.filter(scope=scope, key=key, created_at__lt=cutoff).delete()
    existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if existing is not None:
        if existing.request_hash != digest:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                _("This Idempotency-Key was already used with a different request."),
                status=422,
            )
        return existing.status, dict(existing.body)
    with atomic_keeping_security_writes():
        status, body = create()
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(scope=scope, key=key, request_hash=digest, status=status, body=body)
        except IntegrityError as exc:  # a concurrent request with the same key won: undo ours
            raise DomainError(
                ErrorCode.IDEMPOTENCY_CONFLICT,
                _("A request with this Idempotency-Key is being processed. Retry shortly."),
                status=409,
            ) from exc
    return status, body
