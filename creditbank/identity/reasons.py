"""Reason codes of a rejected verification: what went wrong and what to do, in both languages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.identity.errors import ErrorCode
from creditbank.reviews.errors import ErrorCode as ReviewsCode
from creditbank.reviews.reasons import ADVICE, Reason, register_reasons
from creditbank.reviews.reasons import reason_as_dict as _reason_as_dict
from creditbank.reviews.services import ReviewKind

KIND = "verification"

REASONS: dict[str, Reason] = register_reasons(
    KIND,
    [
        Reason(
            "photo_unclear",
            _("Photo unclear"),
            _("The photos are blurred, dark or have glare, so the card cannot be read."),
            ("reupload_clearer", "other_device", "reset_and_restart"),
        ),
        Reason(
            "photo_incomplete",
            _("Card not fully visible"),
            _("Part of the card is cut off or covered."),
            ("reupload_clearer", "reset_and_restart"),
        ),
        Reason(
            "info_mismatch",
            _("Information does not match"),
            _("The name or ID number on the card differs from what you registered."),
            ("correct_information", "contact_support", "reset_and_restart"),
        ),
        Reason(
            "not_id_card",
            _("Not a resident ID card"),
            _("The photos do not show the front and back of a resident ID card."),
            ("reupload_clearer", "reset_and_restart"),
        ),
        Reason(
            "card_expired",
            _("Card expired"),
            _("The ID card's validity period has ended."),
            ("contact_support", "reset_and_restart"),
        ),
        Reason(
            "photo_reused",
            _("Photos used by another account"),
            _("The same photos were submitted for another account."),
            ("contact_support",),
        ),
        Reason(
            "upload_problem",
            _("Upload problem"),
            _("The photos could not be processed."),
            ("other_device", "reupload_clearer", "contact_support"),
        ),
        Reason(
            "other",
            _("Other"),
            _("The reviewer explains the reason in the note."),
            ("contact_support", "reset_and_restart"),
        ),
    ],
)


def reason_as_dict(code: str) -> dict[str, Any]:
    return _reason_as_dict(KIND, code)


VERIFICATION_REVIEW = ReviewKind(
    KIND,
    codes={
        ReviewsCode.OWN_REQUEST: ErrorCode.OWN_VERIFICATION,
        ReviewsCode.NOT_PENDING: ErrorCode.VERIFICATION_NOT_PENDING,
        ReviewsCode.NOT_APPROVED: ErrorCode.VERIFICATION_NOT_APPROVED,
    },
    messages={
        ReviewsCode.OWN_REQUEST: _("You cannot review your own verification."),
        ReviewsCode.NOT_PENDING: _("This verification has already been decided or withdrawn."),
        ReviewsCode.NOT_APPROVED: _("Only an approved verification can be reset."),
    },
)

__all__ = ["ADVICE", "KIND", "REASONS", "VERIFICATION_REVIEW", "reason_as_dict"]
