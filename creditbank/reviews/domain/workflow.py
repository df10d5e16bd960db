"""The review workflow of reviewed requests (pure; no Django).

Real-name verification, profile change requests, and later certification and conversion
applications all run the same small state machine::

    pending --approve--> approved --reset--> reset
    pending --reject---> rejected
    pending --withdraw-> withdrawn

and every decision passes the same checks, in this order (the first that fails is reported,
with a stable code): the decision is ``approve`` or ``reject`` (``decision_invalid``); a
rejection names a known reason and an approval names none or a known one
(``reason_code_invalid``); the note has at most :data:`MAX_NOTE` characters (``note_too_long``);
the reviewer is not the requester (``own_request``); the request is still pending
(``not_pending``). A decided request is described by a :class:`DecisionSnapshot`, whose
canonical bytes and SHA-256 are what the audit trail and the transparency log record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from creditbank.reviews.errors import ErrorCode

MAX_NOTE = 1000
SNAPSHOT_VERSION = 1


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    RESET = "reset"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Event(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    RESET = "reset"


TRANSITIONS: Mapping[tuple[Status, Event], Status] = {
    (Status.PENDING, Event.APPROVE): Status.APPROVED,
    (Status.PENDING, Event.REJECT): Status.REJECTED,
    (Status.PENDING, Event.WITHDRAW): Status.WITHDRAWN,
    (Status.APPROVED, Event.RESET): Status.RESET,
}


class WorkflowError(ValueError):
    """A decision or transition the workflow refuses; ``code`` is stable."""

    CODES = (
        ErrorCode.DECISION_INVALID,
        ErrorCode.REASON_CODE_INVALID,
        ErrorCode.NOTE_TOO_LONG,
        ErrorCode.OWN_REQUEST,
        ErrorCode.NOT_PENDING,
        ErrorCode.NOT_APPROVED,
    )

    def __init__(self, code: ErrorCode) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown workflow error code {code!r}")
        super().__init__(str(code))
        self.code = code


def next_status(current: str, event: Event) -> Status:
    """The status after ``event``; ``not_pending`` / ``not_approved`` if it does not apply."""
    try:
        status = Status(current)
    except ValueError as exc:
        raise WorkflowError(ErrorCode.NOT_PENDING) from exc
    target = TRANSITIONS.get((status, event))
    if target is None:
        raise WorkflowError(ErrorCode.NOT_APPROVED if event is Event.RESET else ErrorCode.NOT_PENDING)
    return target


@dataclass(frozen=True)
class CheckedDecision:
    decision: Decision
    reason_code: str  # "" for an approval
    note: str

    @property
    def event(self) -> Event:
        return Event(self.decision.value)


def check_decision(
    *,
    decision: str,
    reason_code: str,
    note: str,
    known_reasons: Collection[str],
    requester_id: object,
    reviewer_id: object | None,
    status: str,
) -> CheckedDecision:
    """Validate one decision on a request in ``status`` (see the module docstring for the order).

    ``reviewer_id`` is None for an automatic decision (no person, so never "their own").
    """
    try:
        parsed = Decision(decision)
    except ValueError as exc:
        raise WorkflowError(ErrorCode.DECISION_INVALID) from exc
    reason_code = reason_code or ""
    if parsed is Decision.REJECT and reason_code not in known_reasons:
        raise WorkflowError(ErrorCode.REASON_CODE_INVALID)
    if parsed is Decision.APPROVE and reason_code and reason_code not in known_reasons:
        raise WorkflowError(ErrorCode.REASON_CODE_INVALID)
    note = note or ""
    if len(note) > MAX_NOTE:
        raise WorkflowError(ErrorCode.NOTE_TOO_LONG)
    if reviewer_id is not None and reviewer_id == requester_id:
        raise WorkflowError(ErrorCode.OWN_REQUEST)
    next_status(status, Event(parsed.value))
    return CheckedDecision(parsed, reason_code if parsed is Decision.REJECT else "", note)


@dataclass(frozen=True)
class DecisionSnapshot:
    """What was decided, without personal data: the record the audit trail and the transparency
    log keep. ``subject`` and ``reviewer`` are pseudonymous account identifiers."""

    kind: str
    request_id: str
    subject: str
    decision: Decision
    reason_code: str
    reviewer: str
    auto: bool
    decided_at: datetime

    def as_dict(self) -> dict[str, object]:
        if self.decided_at.tzinfo is None:
            raise ValueError("decided_at must be timezone-aware")
        return {
            "v": SNAPSHOT_VERSION,
            "kind": self.kind,
            "request_id": self.request_id,
            "subject": self.subject,
            "decision": self.decision.value,
            "reason_code": self.reason_code,
            "reviewer": self.reviewer,
            "auto": self.auto,
            "decided_at": self.decided_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }

    def canonical_bytes(self) -> bytes:
        """UTF-8 JSON with sorted keys and no insignificant white space: equal snapshots give
        equal bytes on every machine and Python version."""
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_bytes()).hexdigest()
