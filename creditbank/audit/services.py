"""Writes of the audit context: one append per staff access or decision."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.audit.models import AuditEvent
from creditbank.kernel.errors import NotFound


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


def audited_document(
    *,
    actor: Any,
    owner: Any,
    document: Any,
    context: str,
    action: str,
    object_type: str,
    object_id: object,
    client_address: str = "",
) -> tuple[bytes, str, str]:
    """A stored document (a row with ``blob``, ``content_type`` and ``filename``; None when the
    caller found none) read as :func:`audited_file` reads it: (data, content type, the name to
    download it as). NotFound ("No such file.") when there is no document or its file is gone."""
    from creditbank.kernel.documents import download_name
    from creditbank.kernel.vault import vault

    if document is None or not vault().exists(document.blob):
        raise NotFound(_("No such file."))
    data = audited_file(
        actor=actor, owner=owner, blob=document.blob, context=context, action=action, object_type=object_type,
        object_id=object_id, client_address=client_address,
    )  # fmt: skip
    return data, document.content_type, download_name(document.filename, content_type=document.content_type)
