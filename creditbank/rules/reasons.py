"""Reason codes of a conversion application that is not approved, in the review registry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.reviews.errors import ErrorCode as ReviewsCode
from creditbank.reviews.reasons import Reason, register_reasons
from creditbank.reviews.services import ReviewKind
from creditbank.rules.errors import ErrorCode

KIND = "conversion"

REASONS = register_reasons(
    KIND,
    [
        Reason(
            "content_mismatch",
            _("Learning does not match the course"),
            _("What the outcomes show does not cover what the programme's course requires."),
            ("contact_support",),
        ),
        Reason(
            "outcome_doubtful",
            _("Outcome to be confirmed"),
            _("An outcome used could not be confirmed with its issuer."),
            ("contact_support",),
        ),
        Reason(
            "programme_closed",
            _("Not accepted by the programme now"),
            _("The programme does not accept conversions for this learner at present."),
            ("contact_support",),
        ),
        Reason("other", _("Other"), _("See the reviewer's note."), ("read_note",)),
    ],
)

REASON_CODES: dict[str, Any] = {code: reason.explanation for code, reason in REASONS.items()}

CONVERSION_REVIEW = ReviewKind(
    KIND,
    codes={
        ReviewsCode.NOT_PENDING: ErrorCode.CONVERSION_NOT_PENDING,
        ReviewsCode.NOTE_TOO_LONG: KernelCode.TOO_LONG,
    },
    messages={
        ReviewsCode.NOT_PENDING: _("This conversion application has already been decided or withdrawn."),
        ReviewsCode.OWN_REQUEST: _("You cannot decide your own application."),
    },
)
