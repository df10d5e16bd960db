"""The error codes of the review workflow (every reviewed request: verifications, change requests …).

Pure Python (no Django): ``reviews.domain.workflow`` raises these codes. A kind of request may
answer some of them with codes of its own (``ReviewKind.codes``: verification answers
``own_verification`` for ``own_request``); the kind's context defines those. Listed in
docs/API-ERRORS.md.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """400 unless said."""

    # Decisions, checked in this order (reviews.domain.workflow)
    DECISION_INVALID = "decision_invalid"  # not "approve" or "reject"
    REASON_CODE_INVALID = "reason_code_invalid"  # a rejection without a known reason (extra "allowed")
    NOTE_TOO_LONG = "note_too_long"  # a note over 1000 characters
    OWN_REQUEST = "own_request"  # 403: a reviewer deciding their own request
    NOT_PENDING = "not_pending"  # 409: already decided or withdrawn
    NOT_APPROVED = "not_approved"  # 409: only an approved request can be reset

    # Access to the review queues
    NOT_REVIEWER = "not_reviewer"  # 403: the queue needs the reviewer role
