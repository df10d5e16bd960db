from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class IdempotencyRecord(models.Model):
    """The stored answer to a create request sent with an ``Idempotency-Key``, kept 24 hours.

    PII: the stored answer may repeat what its owner sent (a ticket's text, a change request's
    masked values, a history entry); the request body itself is kept only as a SHA-256. Rows
    older than ``IDEMPOTENCY_TTL`` are ignored and deleted.
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="kernel_idempotency_scope_key_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class RateCounter(models.Model):
    """One rate-limit counter (fixed window) kept in the database when Redis is not configured.

    No PII: keys are keyed hashes of identifiers and addresses.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
