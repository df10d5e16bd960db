"""The error codes of real-name verification (the identity context).

Pure Python (no Django). Upload and image codes are the kernel's, account-state codes the
accounts context's, the review workflow's own the reviews context's; verification answers some
of the workflow's refusals with the codes below (``identity.reasons.VERIFICATION_REVIEW``).
Listed in docs/API-ERRORS.md.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """400 unless said."""

    # Submitting a verification
    NOT_ACTIVATED = "not_activated"  # 403: activate the account first (extra "next_step")
    ALREADY_VERIFIED = "already_verified"  # 409
    VERIFICATION_PENDING = "verification_pending"  # 409: one attempt already waits for review
    VERIFICATION_ATTEMPTS_EXHAUSTED = "verification_attempts_exhausted"  # 429: today's attempts used up
    VERIFICATION_NOT_ALLOWED = "verification_not_allowed"  # the account's state changed while submitting
    CONSENT_REQUIRED = "consent_required"  # no consent to processing the ID card photos
    PHOTOS_IDENTICAL = "photos_identical"  # the front and the back are the same photo

    # Withdrawing, deciding, resetting
    NOTHING_TO_RESET = "nothing_to_reset"  # 409: no pending or rejected attempt to withdraw or reset
    CHECKS_PENDING = "checks_pending"  # 409: approving before the automatic checks finished
    OWN_VERIFICATION = "own_verification"  # 403: a reviewer deciding their own attempt
    VERIFICATION_NOT_PENDING = "verification_not_pending"  # 409: already decided or withdrawn
    VERIFICATION_NOT_APPROVED = "verification_not_approved"  # 409: only an approved attempt is reset
    REASON_REQUIRED = "reason_required"  # staff must say why (a reset, the full personal data)

    # Photos
    PHOTOS_DELETED = "photos_deleted"  # 404: the attempt's photos were deleted
