"""Writes of the review workflow: the one way every reviewed request is decided or withdrawn.

A context keeps its own table and its own effects (marking an account verified, applying a
changed field); the workflow's rules, the refusals and the record of the decision are here, once.
Every decision passes through :func:`decision_record`: it writes the audit row with the hash of
the decision's canonical snapshot; the transparency log will append the same snapshot there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.audit.services import audit_record
from creditbank.kernel.errors import DomainError
from creditbank.kernel.text import clean_text
from creditbank.reviews.bases import ReviewedRequest
from creditbank.reviews.domain.workflow import (
    MAX_NOTE,
    CheckedDecision,
    Decision,
    DecisionSnapshot,
    Event,
    WorkflowError,
    check_decision,
    next_status,
)
from creditbank.reviews.errors import ErrorCode
from creditbank.reviews.reasons import reasons_for

_DEFAULT_MESSAGES: dict[ErrorCode, Any] = {
    ErrorCode.DECISION_INVALID: _("The decision is 'approve' or 'reject'."),
    ErrorCode.REASON_CODE_INVALID: _("Choose a reason for the rejection from the list."),
    ErrorCode.NOTE_TOO_LONG: _("The note has at most 1000 characters."),
    ErrorCode.OWN_REQUEST: _("You cannot review your own request."),
    ErrorCode.NOT_PENDING: _("This request has already been decided or withdrawn."),
    ErrorCode.NOT_APPROVED: _("Only an approved request can be reset."),
}
_STATUS = {ErrorCode.OWN_REQUEST: 403, ErrorCode.NOT_PENDING: 409, ErrorCode.NOT_APPROVED: 409}
_FIELD = {
    ErrorCode.DECISION_INVALID: "decision",
    ErrorCode.REASON_CODE_INVALID: "reason_code",
    ErrorCode.NOTE_TOO_LONG: "note",
}


@dataclass(frozen=True)
class ReviewKind:
    """One kind of reviewed request: its name, and the public codes and messages of its
    refusals where they differ from the workflow's (the API's codes never change). ``codes``
    maps a workflow code (``reviews.errors.ErrorCode``) to a member of the kind's context's
    ``ErrorCode``."""

    name: str
    codes: Mapping[ErrorCode, StrEnum] = field(default_factory=dict)
    messages: Mapping[ErrorCode, Any] = field(default_factory=dict)

    def error(self, exc: WorkflowError) -> DomainError:
        code: StrEnum = self.codes.get(exc.code, exc.code)
        message = self.messages.get(exc.code, _DEFAULT_MESSAGES[exc.code])
        extra = {"allowed": sorted(reasons_for(self.name))} if exc.code == ErrorCode.REASON_CODE_INVALID else None
        if exc.code in _FIELD:
            return DomainError(code, message, field=_FIELD[exc.code], extra=extra)
        return DomainError(code, message, status=_STATUS.get(exc.code, 400), extra=extra)


def _pseudonym(user: Any) -> str:
    return f"user:{user.pk}" if getattr(user, "pk", None) else ""


def decision_record(
    *,
    kind: str,
    request: ReviewedRequest,
    subject: Any,
    actor: Any,
    decision: Decision,
    reason_code: str,
    client_address: str = "",
    audit_reason: str | None = None,
) -> DecisionSnapshot:
    """Record one decision: the audit row (with the snapshot's SHA-256) now, the transparency
    log later. Call inside the transaction that changes the request."""
    snapshot = DecisionSnapshot(
        kind=kind,
        request_id=str(request.pk),
        subject=_pseudonym(subject),
        decision=decision,
        reason_code=reason_code,
        reviewer=_pseudonym(actor),
        auto=actor is None,
        decided_at=request.decided_at or timezone.now(),
    )
    audit_record(
        actor=actor,
        action=f"{kind}.{decision.value}",
        subject=subject,
        object_type=kind,
        object_id=request.pk,
        reason=audit_reason if audit_reason is not None else (reason_code or ("auto" if actor is None else "")),
        client_address=client_address,
        digest=snapshot.sha256(),
    )
    return snapshot


def review_decide(
    *,
    kind: ReviewKind,
    request: ReviewedRequest,
    subject: Any,
    actor: Any,
    decision: str,
    reason_code: str = "",
    note: str = "",
    client_address: str = "",
    on_approve: Callable[[], None] | None = None,
    audit_reason: str | None = None,
) -> CheckedDecision:
    """Decide a request the caller has locked (``select_for_update``) inside its transaction.

    ``actor`` None is an automatic decision. Refusals are :class:`DomainError` with the kind's
    codes; nothing is written then. ``on_approve`` applies the approval's effect.
    ``audit_reason`` replaces the reason code in the audit row (what the reviewer's
    trail should show), never in the snapshot.
    """
    note = clean_text(note, field="note", max_length=MAX_NOTE * 4, multiline=True)
    try:
        checked = check_decision(
            decision=decision,
            reason_code=reason_code,
            note=note,
            known_reasons=reasons_for(kind.name),
            requester_id=getattr(request, "user_id", None),
            reviewer_id=getattr(actor, "pk", None),
            status=request.status,
        )
    except WorkflowError as exc:
        raise kind.error(exc) from exc
    request.status = next_status(request.status, checked.event).value
    request.reviewer = actor
    request.decided_at = timezone.now()
    request.reason_code = checked.reason_code
    request.note = checked.note
    request.save(update_fields=["status", "reviewer", "decided_at", "reason_code", "note"])
    if checked.decision is Decision.APPROVE and on_approve is not None:
        on_approve()
    decision_record(
        kind=kind.name,
        request=request,
        subject=subject,
        actor=actor,
        decision=checked.decision,
        reason_code=checked.reason_code,
        client_address=client_address,
        audit_reason=audit_reason,
    )
    return checked


def review_withdraw(*, kind: ReviewKind, request: ReviewedRequest) -> None:
    """The requester withdraws a pending request (locked by the caller)."""
    _transition(kind, request, Event.WITHDRAW)


def review_reset(*, kind: ReviewKind, request: ReviewedRequest) -> None:
    """Staff reset an approved request, so that the person asks again (locked by the caller)."""
    _transition(kind, request, Event.RESET)


def _transition(kind: ReviewKind, request: ReviewedRequest, event: Event) -> None:
    try:
        request.status = next_status(request.status, event).value
    except WorkflowError as exc:
        raise kind.error(exc) from exc
