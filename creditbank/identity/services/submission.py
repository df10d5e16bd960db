"""A learner submits real-name verification: consent, the two ID card photos, checked and sealed."""

from __future__ import annotations

import logging
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.errors import ErrorCode as AccountsCode
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.services import (
    uploads_allow,
)
from creditbank.identity import tasks
from creditbank.identity.errors import ErrorCode
from creditbank.identity.models import VerificationAttempt, VerificationStatus
from creditbank.identity.personal_data import PHOTO_CONTEXT
from creditbank.identity.selectors import (
    attempts_left_today,
    next_attempt_at,
)
from creditbank.kernel.errors import DomainError, PermissionDenied, RateLimited
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.images import CleanImage, ImagePolicy, clean_image, read_limited
from creditbank.kernel.policy import policy
from creditbank.kernel.vault import vault

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
        if exc.code != KernelCode.IMAGE_ASPECT_RATIO:
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
        raise DomainError(KernelCode.UPLOAD_MISSING, _("Choose a photo of this side of your ID card."), field=field)
    source: IO[bytes] | Any = upload.chunks() if hasattr(upload, "chunks") else upload
    return read_limited(source, max_bytes=policy.max_bytes, field=field)


def verification_submit(*, user: User, consent: bool, id_front: Any, id_back: Any) -> VerificationAttempt:
    """Check the uploads, store them encrypted and queue the automatic pre-check.

    Every refusal leaves nothing stored.
    """
    if user.status == AccountStatus.REGISTERED:
        raise PermissionDenied(
            ErrorCode.NOT_ACTIVATED,
            _("Activate your account first: open the link in the email we sent you."),
            extra={"next_step": "activate_email"},
        )
    if user.status == AccountStatus.VERIFIED:
        raise DomainError(ErrorCode.ALREADY_VERIFIED, _("Your identity is already verified."), status=409)
    if user.status != AccountStatus.ACTIVATED:
        raise PermissionDenied(
            AccountsCode.ACCOUNT_INACTIVE, _("This account is suspended or closed. Contact support.")
        )
    if VerificationAttempt.objects.filter(user=user, status=VerificationStatus.PENDING).exists():
        raise DomainError(
            ErrorCode.VERIFICATION_PENDING,
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
            code=ErrorCode.VERIFICATION_ATTEMPTS_EXHAUSTED,
        )
    if consent is not True:
        raise DomainError(
            ErrorCode.CONSENT_REQUIRED,
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
            ErrorCode.PHOTOS_IDENTICAL,
            _("The front and the back are the same photo. Upload both sides."),
            field="id_back",
        )

    store = vault()
    front_name = store.save(front.data, context=PHOTO_CONTEXT)
    back_name = store.save(back.data, context=PHOTO_CONTEXT)
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            if locked.status != AccountStatus.ACTIVATED:
                raise DomainError(
                    ErrorCode.VERIFICATION_NOT_ALLOWED, _("Your account cannot submit a verification now.")
                )
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
            ErrorCode.VERIFICATION_PENDING,
            _("A verification is already waiting for review. Wait for the decision or withdraw it first."),
            status=409,
        ) from exc
    except BaseException:
        store.delete(front_name)
        store.delete(back_name)
        raise
    log.info("verification submitted attempt=%s", attempt.pk)
    return attempt
