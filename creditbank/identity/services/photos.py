"""The ID card photos after submission: purged on schedule, shown to reviewers (audited), and the reveal of PII."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.roles import Acting, Role, has_role
from creditbank.accounts.services import (
    user_reveal_pii,
)
from creditbank.audit.services import audit_record, audited_file
from creditbank.identity.errors import ErrorCode
from creditbank.identity.models import VerificationAttempt
from creditbank.identity.personal_data import PHOTO_CONTEXT
from creditbank.identity.selectors import (
    verification_get_for_actor,
)
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.policy import policy
from creditbank.kernel.vault import vault

log = logging.getLogger(__name__)


def _delete_photos(attempt: VerificationAttempt) -> None:
    store = vault()
    for name in (attempt.front_blob, attempt.back_blob):
        if name:
            store.delete(name)
    VerificationAttempt.objects.filter(pk=attempt.pk).update(
        front_blob="", back_blob="", photos_deleted_at=timezone.now()
    )


def verification_purge_photos(*, now: datetime | None = None, attempt_id: int | None = None) -> int:
    """Delete photos of attempts decided more than the retention period ago (hashes kept)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=policy().verification_photo_retention_days)
    qs = VerificationAttempt.objects.filter(photos_deleted_at__isnull=True, decided_at__lte=cutoff)
    if attempt_id is not None:
        qs = qs.filter(pk=attempt_id)
    count = 0
    for attempt in qs.iterator():
        _delete_photos(attempt)
        count += 1
    return count


def verification_photo_for_reviewer(*, reviewer: User, attempt_id: int, side: str, client_address: str = "") -> bytes:
    """A photo for the reviewer's screen; every view is audited."""
    if side not in {"front", "back"}:
        raise NotFound(_("No such verification."))
    attempt = verification_get_for_actor(actor=reviewer, id=attempt_id, acting=Acting.STAFF)
    name = attempt.front_blob if side == "front" else attempt.back_blob
    if not name:
        raise NotFound(_("The photos of this verification have been deleted."), code=ErrorCode.PHOTOS_DELETED)
    return audited_file(
        actor=reviewer,
        owner=attempt.user,
        blob=name,
        context=PHOTO_CONTEXT,
        action="verification.photo_viewed",
        object_type="verification",
        object_id=f"{attempt.pk}:{side}",
        client_address=client_address,
    )


def verification_reveal_pii(
    *, reviewer: User, attempt_id: int, reason: str, client_address: str = ""
) -> dict[str, str]:
    """The full ID number and phone of the learner behind an attempt, audited with the reason."""
    if not has_role(reviewer, Role.VERIFICATION_REVIEWER):
        raise NotFound(_("No such verification."))
    if not (reason or "").strip():
        raise DomainError(ErrorCode.REASON_REQUIRED, _("Say why you need to see the full value."), field="reason")
    attempt = verification_get_for_actor(actor=reviewer, id=attempt_id)
    values = user_reveal_pii(user=attempt.user)  # first: a damaged record shows (and records) nothing
    audit_record(
        actor=reviewer,
        action="pii.revealed",
        subject=attempt.user,
        object_type="verification",
        object_id=attempt.pk,
        reason=reason.strip(),
        client_address=client_address,
    )
    return values
