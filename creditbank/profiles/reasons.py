"""Reason codes of a rejected change request, in the review registry (``reviews.reasons``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.profiles.errors import ErrorCode
from creditbank.reviews.errors import ErrorCode as ReviewsCode
from creditbank.reviews.reasons import Reason, register_reasons
from creditbank.reviews.services import ReviewKind

KIND = "change_request"

REASONS = register_reasons(
    KIND,
    [
        Reason(
            "proof_insufficient",
            _("Proof not clear enough"),
            _("The proof does not show the new value clearly enough."),
            ("clearer_proof",),
        ),
        Reason("proof_unreadable", _("Proof unreadable"), _("The proof files cannot be read."), ("clearer_proof",)),
        Reason(
            "info_mismatch",
            _("Proof does not match"),
            _("The proof does not match the requested value."),
            ("matching_proof",),
        ),
        Reason(
            "not_allowed",
            _("Not possible this way"),
            _("This change cannot be made this way. Contact support."),
            ("contact_support",),
        ),
        Reason("other", _("Other"), _("See the reviewer's note."), ("read_note",)),
    ],
)

#: What each code means, as shown next to a decision (kept for forms, templates and emails).
REASON_CODES: dict[str, Any] = {code: reason.explanation for code, reason in REASONS.items()}

CHANGE_REVIEW = ReviewKind(
    KIND,
    codes={ReviewsCode.NOT_PENDING: ErrorCode.CHANGE_NOT_PENDING, ReviewsCode.NOTE_TOO_LONG: KernelCode.TOO_LONG},
    messages={
        ReviewsCode.REASON_CODE_INVALID: _("Choose a reason for the rejection."),
        ReviewsCode.NOTE_TOO_LONG: _("At most 1000 characters."),
    },
)
