"""Reason codes of a certification application that is not approved, in the review registry.

``more_evidence`` asks for more evidence: the outcome goes back to the learner as a draft to
complete and apply again; every other reason rejects the application (the learner may still
correct the outcome and apply again).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.outcomes.errors import ErrorCode
from creditbank.reviews.errors import ErrorCode as ReviewsCode
from creditbank.reviews.reasons import Reason, register_reasons
from creditbank.reviews.services import ReviewKind

KIND = "certification"
MORE_EVIDENCE = "more_evidence"

REASONS = register_reasons(
    KIND,
    [
        Reason(
            MORE_EVIDENCE,
            _("More evidence needed"),
            _("The evidence does not yet show the outcome well enough to certify it."),
            ("add_evidence",),
        ),
        Reason(
            "evidence_unreadable",
            _("Evidence unreadable"),
            _("The evidence files cannot be read."),
            ("add_evidence",),
        ),
        Reason(
            "details_mismatch",
            _("Details do not match the evidence"),
            _("The outcome's details (title, code, date, result or credits) differ from the evidence."),
            ("correct_outcome",),
        ),
        Reason(
            "no_standard",
            _("Not covered by a standard"),
            _("No certification standard covers this outcome, or it does not meet the standard's requirements."),
            ("check_standard", "contact_support"),
        ),
        Reason(
            "not_authentic",
            _("Not confirmed by the issuer"),
            _("The issuer could not confirm this outcome."),
            ("contact_support",),
        ),
        Reason("other", _("Other"), _("See the reviewer's note."), ("read_note",)),
    ],
)

REASON_CODES: dict[str, Any] = {code: reason.explanation for code, reason in REASONS.items()}

CERTIFICATION_REVIEW = ReviewKind(
    KIND,
    codes={
        ReviewsCode.NOT_PENDING: ErrorCode.APPLICATION_NOT_PENDING,
        ReviewsCode.NOTE_TOO_LONG: KernelCode.TOO_LONG,
    },
    messages={
        ReviewsCode.NOT_PENDING: _("This application has already been decided or withdrawn."),
        ReviewsCode.OWN_REQUEST: _("You cannot decide your own application."),
    },
)
