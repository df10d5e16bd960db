"""Decisions on an attempt: a reviewer approves or rejects, the learner withdraws, staff reset, a changed name invalidates."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.roles import Role, has_role
from creditbank.accounts.services import (
    user_mark_unverified,
    user_mark_verified,
)
from creditbank.audit.services import audit_record
from creditbank.identity import tasks
from creditbank.identity.errors import ErrorCode
from creditbank.identity.models import VerificationAttempt, VerificationStatus
from creditbank.identity.reasons import VERIFICATION_REVIEW
from creditbank.identity.selectors import (
    verification_get_for_actor,
)
from creditbank.identity.services.photos import _delete_photos
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.policy import policy
from creditbank.notifications.services import Topic, notify
from creditbank.reviews.services import review_decide, review_reset, review_withdraw

log = logging.getLogger(__name__)


def verification_decide(
    *, reviewer: User, attempt_id: int, decision: str, reason_code: str = "", note: str = "", client_address: str = ""
) -> VerificationAttempt:
    """A reviewer approves or rejects (with a reason code and a note) a pending verification."""
    if not has_role(reviewer, Role.VERIFICATION_REVIEWER):
        raise NotFound(_("No such verification."))
    return _decide(
        attempt_id=attempt_id,
        reviewer=reviewer,
        decision=decision,
        reason_code=reason_code,
        note=note,
        client_address=client_address,
    )


def _decide(
    *,
    attempt_id: int,
    reviewer: User | None,
    decision: str,
    reason_code: str,
    note: str,
    client_address: str = "",
) -> VerificationAttempt:
    """Decide through the review workflow; ``reviewer`` None is the automatic approval."""
    with transaction.atomic():
        if reviewer is None:
            attempt = VerificationAttempt.objects.select_for_update().get(pk=attempt_id)
        else:
            attempt = verification_get_for_actor(actor=reviewer, id=attempt_id, for_update=True)
        user = User.objects.select_for_update().get(pk=attempt.user_id)

        def approve() -> None:
            if attempt.checks_completed_at is None:
                raise DomainError(
                    ErrorCode.CHECKS_PENDING,
                    _("The automatic checks have not finished yet. Reload in a moment, then decide."),
                    status=409,
                )
            user_mark_verified(user=user, at=attempt.decided_at)

        decided = review_decide(
            kind=VERIFICATION_REVIEW,
            request=attempt,
            subject=user,
            actor=reviewer,
            decision=decision,
            reason_code=reason_code,
            note=note,
            client_address=client_address,
            on_approve=approve,
        )
        attempt.auto_decided = reviewer is None
        attempt.save(update_fields=["auto_decided"])
        attempt_id = attempt.pk
        template = "identity/email/approved" if decided.decision.value == "approve" else "identity/email/rejected"
        notify(
            user=user,
            topic=Topic.DECISION,
            template=template,
            context={"reason_code": decided.reason_code, "note": decided.note},
        )
        assert attempt.decided_at is not None
        run_after = attempt.decided_at + timedelta(days=policy().verification_photo_retention_days)
        transaction.on_commit(lambda: _schedule_purge(attempt_id, run_after))
    return attempt


def _schedule_purge(attempt_id: int, run_after: datetime) -> None:
    try:
        tasks.purge_attempt_photos.using(run_after=run_after).enqueue(attempt_id)
    except Exception:  # the immediate/dummy backends refuse run_after; the daily command covers it
        log.debug("purge not scheduled for attempt=%s; purge_verification_photos will", attempt_id)


def verification_withdraw(*, user: User) -> VerificationAttempt:
    """Withdraw the pending attempt (photos deleted at once) or reset a rejected one."""
    with transaction.atomic():
        attempt = (
            VerificationAttempt.objects.select_for_update()
            .filter(user=user, closed_at__isnull=True)
            .exclude(status=VerificationStatus.APPROVED)
            .order_by("-created_at", "-id")
            .first()
        )
        if attempt is None or attempt.status not in (VerificationStatus.PENDING, VerificationStatus.REJECTED):
            raise DomainError(
                ErrorCode.NOTHING_TO_RESET,
                _("There is no pending or rejected verification to withdraw or reset."),
                status=409,
            )
        if attempt.status == VerificationStatus.PENDING:
            review_withdraw(kind=VERIFICATION_REVIEW, request=attempt)
        attempt.closed_at = timezone.now()
        attempt.save(update_fields=["status", "closed_at"])
        _delete_photos(attempt)
    return attempt


def verification_staff_reset(
    *, staff: User, attempt_id: int, reason: str, client_address: str = ""
) -> VerificationAttempt:
    """Staff undo an approval: the account returns to activated and must verify again."""
    if not has_role(staff, Role.VERIFICATION_REVIEWER):
        raise NotFound(_("No such verification."))
    if not reason.strip():
        raise DomainError(ErrorCode.REASON_REQUIRED, _("Say why the verification is reset."), field="reason")
    with transaction.atomic():
        attempt = verification_get_for_actor(actor=staff, id=attempt_id, for_update=True)
        review_reset(kind=VERIFICATION_REVIEW, request=attempt)
        attempt.closed_at = timezone.now()
        attempt.save(update_fields=["status", "closed_at"])
        user = User.objects.select_for_update().get(pk=attempt.user_id)
        user_mark_unverified(user=user)
        audit_record(
            actor=staff,
            action="verification.reset",
            subject=user,
            object_type="verification",
            object_id=attempt.pk,
            reason=reason,
            client_address=client_address,
        )
        _delete_photos(attempt)  # last: a reset attempt keeps its hashes, not its photos
    return attempt


def verification_invalidate(*, user: User, actor: User | None, reason: str) -> bool:
    """The verified identity no longer holds (name or ID number changed): verify again.

    Call inside the caller's transaction. Returns True if the account was verified.
    """
    attempt = (
        VerificationAttempt.objects.select_for_update().filter(user=user, status=VerificationStatus.APPROVED).first()
    )
    was_verified = user.status == AccountStatus.VERIFIED
    if attempt is not None:
        review_reset(kind=VERIFICATION_REVIEW, request=attempt)
        attempt.closed_at = timezone.now()
        attempt.save(update_fields=["status", "closed_at"])
    if was_verified:
        user_mark_unverified(user=user)
        audit_record(
            actor=actor,
            action="verification.invalidated",
            subject=user,
            object_type="verification",
            object_id=attempt.pk if attempt else "",
            reason=reason,
        )
    if attempt is not None:
        _delete_photos(attempt)  # last: the photos show an identity that no longer holds (hashes kept)
    return was_verified
