"""The audit row a review decision must leave, computed independently of the services."""

from __future__ import annotations

from typing import Any

from creditbank.reviews.domain.workflow import Decision, DecisionSnapshot


def decision_digest(*, kind: str, request: Any, decision: str, reason_code: str, actor: Any) -> str:
    """SHA-256 of the decision's canonical snapshot: pseudonymous subject and reviewer
    (``user:<pk>``), the decision time as stored on the request."""
    return DecisionSnapshot(
        kind=kind,
        request_id=str(request.pk),
        subject=f"user:{request.user_id}",
        decision=Decision(decision),
        reason_code=reason_code,
        reviewer=f"user:{actor.pk}" if actor is not None else "",
        auto=actor is None,
        decided_at=request.decided_at,
    ).sha256()
