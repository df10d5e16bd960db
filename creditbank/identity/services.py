"""Writes of real-name verification: submit, pre-check, decide, withdraw, reset, purge."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.roles import Role, has_role
from creditbank.accounts.services import (
    uploads_allow,
    user_mark_unverified,
    user_mark_verified,
    user_reveal_pii,
)
from creditbank.audit.services import audit_record
from creditbank.identity import photo_reuse, tasks
from creditbank.identity.models import PortraitHashBand, VerificationAttempt, VerificationStatus
from creditbank.identity.personal_data import PHOTO_CONTEXT
from creditbank.identity.providers import FAILED, NOT_RUN, PASSED, WARNING, Check, Submission, get_provider
from creditbank.identity.reasons import VERIFICATION_REVIEW
from creditbank.identity.selectors import (
    attempts_left_today,
    next_attempt_at,
    photo_reuse_matches,
    verification_get_for_actor,
)
from creditbank.kernel.errors import DomainError, NotFound, PermissionDenied, RateLimited
from creditbank.kernel.images import CleanImage, ImagePolicy, clean_image, read_limited
from creditbank.kernel.policy import policy
from creditbank.kernel.vault import vault
from creditbank.notifications.services import Topic, notify
from creditbank.reviews.services import review_decide, review_reset, review_withdraw

log = logging.getLogger(__name__)

CONSENT_VERSION = "2026-01"


#: The long side of an ID card photo divided by its short side, in either orientation. The card
#: is 85.6 x 54 mm (about 1.59); a photo framed around it, slightly tilted or with some margin,
#: stays well inside this range, a strip or a square does not.
ID_CARD_ASPECT = (1.2, 2.2)
SIDE_NAMES = {"id_front": _("the portrait side"), "id_back": _("the national emblem side")}


def _image_policy() -> ImagePolicy:
    return ImagePolicy(
        max_bytes=policy().verification_max_upload_bytes,
        max_pixels=policy().verification_max_pixels,
        min_aspect=ID_CARD_ASPECT[0],
        max_aspect=ID_CARD_ASPECT[1],
    )


def _clean_side(data: bytes, field: str, policy: ImagePolicy) -> CleanImage:
    try:
        return clean_image(data, policy=policy, field=field)
    except DomainError as exc:
        if exc.code != "image_aspect_ratio":
            raise
        width, height = exc.extra["width"], exc.extra["height"]
        message = _(
            "The photo of %(side)s is %(ratio).1f times as long as it is wide; an ID card is about 1.6 times, "
            "so its photo must be between %(min)s and %(max)s times. Photograph the whole card so that it "
            "fills most of the picture."
        ) % {
            "side": SIDE_NAMES[field],
            "ratio": max(width, height) / max(1, min(width, height)),
            "min": ID_CARD_ASPECT[0],
            "max": ID_CARD_ASPECT[1],
        }
        raise DomainError(exc.code, message, field=field, extra=exc.extra) from None


def _read_upload(upload: Any, field: str, policy: ImagePolicy) -> bytes:
    if upload is None:
        raise DomainError("upload_missing", _("Choose a photo of this side of your ID card."), field=field)
    source: IO[bytes] | Any = upload.chunks() if hasattr(upload, "chunks") else upload
    return read_limited(source, max_bytes=policy.max_bytes, field=field)


def verification_submit(*, user: User, consent: bool, id_front: Any, id_back: Any) -> VerificationAttempt:
    """Check the uploads, store them encrypted and queue the automatic pre-check.

    Every refusal leaves nothing stored.
    """
    if user.status == AccountStatus.REGISTERED:
        raise PermissionDenied(
            "not_activated",
            _("Activate your account first: open the link in the email we sent you."),
            extra={"next_step": "activate_email"},
        )
    if user.status == AccountStatus.VERIFIED:
        raise DomainError("already_verified", _("Your identity is already verified."), status=409)
    if user.status != AccountStatus.ACTIVATED:
        raise PermissionDenied("account_inactive", _("This account is suspended or closed. Contact support."))
    if VerificationAttempt.objects.filter(user=user, status=VerificationStatus.PENDING).exists():
        raise DomainError(
            "verification_pending",
            _("A verification is already waiting for review. Wait for the decision or withdraw it first."),
            status=409,
        )
    if attempts_left_today(user) <= 0:
        retry = next_attempt_at(user)
        seconds = max(1, int((retry - timezone.now()).total_seconds()))
        raise RateLimited(
            _("You have used today's %(n)d verification attempts. You can try again from %(at)s.")
            % {
                "n": policy().verification_attempts_per_day,
                "at": timezone.localtime(retry).strftime("%Y-%m-%d %H:%M"),
            },
            retry_after=seconds,
            code="verification_attempts_exhausted",
        )
    if consent is not True:
        raise DomainError(
            "consent_required",
            _("Consent to the processing of your ID card photos is required for real-name verification."),
            field="consent",
        )

    # counted before the photos are read or decoded (refused uploads count too: the attempts per
    # day only count stored attempts)
    uploads_allow(user=user, files=sum(upload is not None for upload in (id_front, id_back)))
    images = _image_policy()
    front = _clean_side(_read_upload(id_front, "id_front", images), "id_front", images)
    back = _clean_side(_read_upload(id_back, "id_back", images), "id_back", images)
    if front.sha256 == back.sha256:
        raise DomainError(
            "photos_identical", _("The front and the back are the same photo. Upload both sides."), field="id_back"
        )

    store = vault()
    front_name = store.save(front.data, context=PHOTO_CONTEXT)
    back_name = store.save(back.data, context=PHOTO_CONTEXT)
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            if locked.status != AccountStatus.ACTIVATED:
                raise DomainError("verification_not_allowed", _("Your account cannot submit a verification now."))
            attempt = VerificationAttempt.objects.create(
                user=locked,
                declared_name=locked.name,
                declared_gender=locked.gender,
                consent_at=timezone.now(),
                consent_version=CONSENT_VERSION,
                front_blob=front_name,
                back_blob=back_name,
                front_dhash=front.dhash,
                back_dhash=back.dhash,
                front_sha256=front.sha256,
                back_sha256=back.sha256,
                checks=[{"name": "precheck", "status": "queued", "detail": "", "data": {}}],
            )
            attempt_id = attempt.pk
            transaction.on_commit(lambda: tasks.run_precheck.enqueue(attempt_id))
    except IntegrityError as exc:
        store.delete(front_name)
        store.delete(back_name)
        raise DomainError(
            "verification_pending",
            _("A verification is already waiting for review. Wait for the decision or withdraw it first."),
            status=409,
        ) from exc
    except BaseException:
        store.delete(front_name)
        store.delete(back_name)
        raise
    log.info("verification submitted attempt=%s", attempt.pk)
    return attempt


def _store_portrait_hash(attempt: VerificationAttempt, portrait_hash: str) -> None:
    """The portrait hash and its bands (the index the reuse look-up searches); replaces any earlier."""
    with transaction.atomic():
        VerificationAttempt.objects.filter(pk=attempt.pk).update(portrait_hash=portrait_hash)
        PortraitHashBand.objects.filter(attempt_id=attempt.pk).delete()
        PortraitHashBand.objects.bulk_create(
            PortraitHashBand(attempt_id=attempt.pk, band=band, value=value)
            for band, value in enumerate(photo_reuse.bands(portrait_hash))
        )
    attempt.portrait_hash = portrait_hash


def _reuse_check(attempt: VerificationAttempt) -> Check:
    """The same photo in another account's submissions: the same file on either side, or the same
    portrait (see ``photo_reuse``). Advisory: it names the matched attempt for the reviewer."""
    hashes = None
    try:
        hashes = photo_reuse.portrait_hashes(vault().read(attempt.front_blob, context=PHOTO_CONTEXT))
    except Exception:
        log.exception("portrait hash failed attempt=%s", attempt.pk)
    if hashes is not None:
        _store_portrait_hash(attempt, hashes.upright)
    matches = photo_reuse_matches(attempt=attempt, hashes=hashes)
    if matches:
        best = matches[0]
        return Check(
            "photo_not_reused",
            FAILED,
            "photo matches another account's submission",
            {
                "reason": "same_file" if best.distance is None else "portrait",
                "matched_attempt_id": best.attempt_id,
                "matched_account_no": best.account_no,
                "distance": best.distance,
                "matches": len(matches),
            },
        )
    if hashes is None:
        return Check("photo_not_reused", NOT_RUN, "the portrait could not be compared")
    return Check("photo_not_reused", PASSED, "", {"card_found": hashes.card_found})


def verification_portrait_hashes_recompute(*, redo: bool = False, batch_size: int = 100) -> int:
    """Portrait hashes for attempts whose photos are still stored: those without one (after an
    upgrade), or all of them with ``redo`` (after the hash changed). Returns how many were hashed.

    Attempts whose photos were already deleted keep no portrait hash: only their SHA-256 (the same
    file) can still be matched.
    """
    qs = VerificationAttempt.objects.exclude(front_blob="").filter(photos_deleted_at__isnull=True)
    if not redo:
        qs = qs.filter(portrait_hash="")
    store = vault()
    done = 0
    for attempt in qs.only("pk", "front_blob").order_by("pk").iterator(chunk_size=batch_size):
        try:
            hashes = photo_reuse.portrait_hashes(store.read(attempt.front_blob, context=PHOTO_CONTEXT))
        except Exception:
            log.exception("portrait hash failed attempt=%s", attempt.pk)
            continue
        _store_portrait_hash(attempt, hashes.upright)
        done += 1
    return done


def _unique_check(user: User) -> Check:
    duplicate = (
        User.objects.filter(id_number_index=user.id_number_index, status=AccountStatus.VERIFIED)
        .exclude(pk=user.pk)
        .exists()
    )
    return Check("id_number_unique", FAILED if duplicate else PASSED)


def verification_precheck(*, attempt_id: int) -> VerificationAttempt | None:
    """The automatic pre-check; its results are shown to the learner and to the reviewer."""
    attempt = VerificationAttempt.objects.select_related("user").filter(pk=attempt_id).first()
    if attempt is None or attempt.status != VerificationStatus.PENDING or attempt.photos_deleted_at:
        return attempt
    user = attempt.user
    provider = get_provider()
    store = vault()
    try:
        # only the ID number: a damaged phone must not stop the checks
        id_number = user_reveal_pii(user=user, fields=("id_number",))["id_number"]
    except DomainError:  # record_damaged, already logged for the operators
        checks = [Check("provider", NOT_RUN, "the stored ID number is damaged")]
    else:
        try:
            submission = Submission(
                user_id=user.pk,
                declared_name=attempt.declared_name,
                declared_gender=attempt.declared_gender,
                id_number=id_number,
                front=store.read(attempt.front_blob, context=PHOTO_CONTEXT),
                back=store.read(attempt.back_blob, context=PHOTO_CONTEXT),
            )
            checks = provider.checks(submission)
        except Exception:
            log.exception("identity provider failed attempt=%s", attempt.pk)
            checks = [Check("provider", NOT_RUN, "the identity provider failed; a reviewer decides")]
    checks += [_unique_check(user), _reuse_check(attempt)]
    if user.region_flagged:
        checks.append(Check("region_known", WARNING, "region code not in the GB/T 2260 list"))
    with transaction.atomic():
        attempt = VerificationAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status != VerificationStatus.PENDING:
            return attempt
        attempt.checks = [c.as_dict() for c in checks]
        attempt.checks_completed_at = timezone.now()
        attempt.provider = provider.name
        attempt.save(update_fields=["checks", "checks_completed_at", "provider"])
    if policy().verification_auto_approve and all(c.status == PASSED for c in checks):
        return _decide(attempt_id=attempt.pk, reviewer=None, decision="approve", reason_code="", note="")
    return attempt


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
                    "checks_pending",
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
                "nothing_to_reset",
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
        raise DomainError("reason_required", _("Say why the verification is reset."), field="reason")
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
    if not has_role(reviewer, Role.VERIFICATION_REVIEWER) or side not in {"front", "back"}:
        raise NotFound(_("No such verification."))
    attempt = verification_get_for_actor(actor=reviewer, id=attempt_id)
    name = attempt.front_blob if side == "front" else attempt.back_blob
    if not name:
        raise NotFound(_("The photos of this verification have been deleted."), code="photos_deleted")
    data = vault().read(name, context=PHOTO_CONTEXT)
    audit_record(
        actor=reviewer,
        action="verification.photo_viewed",
        subject=attempt.user,
        object_type="verification",
        object_id=f"{attempt.pk}:{side}",
        client_address=client_address,
    )
    return data


def verification_reveal_pii(
    *, reviewer: User, attempt_id: int, reason: str, client_address: str = ""
) -> dict[str, str]:
    """The full ID number and phone of the learner behind an attempt, audited with the reason."""
    if not has_role(reviewer, Role.VERIFICATION_REVIEWER):
        raise NotFound(_("No such verification."))
    if not (reason or "").strip():
        raise DomainError("reason_required", _("Say why you need to see the full value."), field="reason")
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


__all__ = [
    "FAILED",
    "verification_decide",
    "verification_precheck",
    "verification_purge_photos",
    "verification_staff_reset",
    "verification_submit",
    "verification_withdraw",
]
