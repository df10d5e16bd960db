"""Reason codes of a rejected change request, in the review registry (``reviews.reasons``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

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
    codes={"not_pending": "change_not_pending", "note_too_long": "too_long"},
    messages={
        "reason_code_invalid": _("Choose a reason for the rejection."),
        "note_too_long": _("At most 1000 characters."),
    },
)
