"""Writes of the audit context: one append per staff access or decision."""

from __future__ import annotations

from typing import Any

from creditbank.audit.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: Any = None,
    object_type: str = "",
    object_id: object = "",
    reason: str = "",
    client_address: str = "",
    digest: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        subject=subject if getattr(subject, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        reason=reason[:500],
        client_address=client_address[:64],
        digest=digest,
    )
