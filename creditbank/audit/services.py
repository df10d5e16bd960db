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


def audited_file(
    *,
    actor: Any,
    owner: Any,
    blob: str,
    context: str,
    action: str,
    object_type: str,
    object_id: object,
    client_address: str = "",
) -> bytes:
    """Read a sealed file from the private vault on ``actor``'s behalf. Anyone but its ``owner``
    (staff reviewing a proof, a photo, an attachment) leaves an audit row: every view of someone
    else's document is on record."""
    from creditbank.kernel.vault import vault

    data = vault().read(blob, context=context)
    if getattr(actor, "pk", None) != getattr(owner, "pk", None):
        audit_record(
            actor=actor,
            action=action,
            subject=owner,
            object_type=object_type,
            object_id=object_id,
            client_address=client_address,
        )
    return data
