"""The automatic pre-check of a submitted attempt: the provider's checks, photo reuse, one verified account per identity."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.services import (
    user_reveal_pii,
)
from creditbank.identity import photo_reuse
from creditbank.identity.models import PortraitHashBand, VerificationAttempt, VerificationStatus
from creditbank.identity.personal_data import PHOTO_CONTEXT
from creditbank.identity.providers import FAILED, NOT_RUN, PASSED, WARNING, Check, Submission, get_provider
from creditbank.identity.selectors import (
    photo_reuse_matches,
)
from creditbank.identity.services.decisions import _decide
from creditbank.kernel.errors import DomainError
from creditbank.kernel.policy import policy
from creditbank.kernel.vault import vault

log = logging.getLogger(__name__)


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
