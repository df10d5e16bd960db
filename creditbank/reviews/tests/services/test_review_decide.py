"""review_decide: the one way a reviewed request is decided. It checks the decision, moves the
request to its new status, applies the approval's effect once, and records the decision (audit row
with the snapshot's digest). A refusal carries the kind's public code and writes nothing.

The requests are verification attempts (any concrete ReviewedRequest would do; the reviews context
has no table of its own), decided under kinds made for the tests over the verification reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from creditbank.audit.models import AuditEvent
from creditbank.kernel.errors import DomainError
from creditbank.reviews.domain.workflow import CheckedDecision, Decision
from creditbank.reviews.services import ReviewKind, review_decide
from tests import factories
from tests.decisions import decision_digest

KIND = ReviewKind("verification")
RENAMED = ReviewKind("verification", codes={"not_pending": "already_done", "own_request": "yours"})


@pytest.fixture
def request_(db: Any) -> Any:
    return factories.VerificationAttemptFactory()


@pytest.fixture
def reviewer(db: Any) -> Any:
    return factories.VerificationReviewerFactory()


def decide(
    request: Any, actor: Any, *, kind: ReviewKind = KIND, effect: Callable[[], None] | None = None, **decision: Any
) -> tuple[CheckedDecision, list[str]]:
    """Decide ``request`` as a context does: locked in a transaction; the effect of an approval is
    ``effect``, by default noting "applied"."""
    effects: list[str] = []
    with transaction.atomic():
        locked = type(request).objects.select_for_update().get(pk=request.pk)
        checked = review_decide(
            kind=kind,
            request=locked,
            subject=locked.user,
            actor=actor,
            on_approve=effect or (lambda: effects.append("applied")),
            **decision,
        )
    request.refresh_from_db()
    return checked, effects


def test_an_approval_applies_its_effect_once_and_is_recorded(request_: Any, reviewer: Any) -> None:
    checked, effects = decide(request_, reviewer, decision="approve", note=" 已核对 \r\n", client_address="192.0.2.1")

    assert checked == CheckedDecision(Decision.APPROVE, "", "已核对")
    assert effects == ["applied"]
    assert (request_.status, request_.reviewer, request_.note, request_.reason_code) == (
        "approved", reviewer, "已核对", "",
    )  # fmt: skip
    assert request_.decided_at is not None
    [event] = AuditEvent.objects.all()
    assert (event.action, event.actor, event.subject, event.object_type, event.object_id) == (
        "verification.approve", reviewer, request_.user, "verification", str(request_.pk),
    )  # fmt: skip
    assert (event.reason, event.client_address) == ("", "192.0.2.1")
    assert event.digest == decision_digest(
        kind="verification", request=request_, decision="approve", reason_code="", actor=reviewer
    )


def test_a_rejection_applies_nothing_and_records_the_reason(request_: Any, reviewer: Any) -> None:
    checked, effects = decide(request_, reviewer, decision="reject", reason_code="not_id_card")

    assert (checked.decision, checked.reason_code, effects) == (Decision.REJECT, "not_id_card", [])
    assert (request_.status, request_.reason_code) == ("rejected", "not_id_card")
    [event] = AuditEvent.objects.all()
    assert (event.action, event.reason) == ("verification.reject", "not_id_card")
    assert event.digest == decision_digest(
        kind="verification", request=request_, decision="reject", reason_code="not_id_card", actor=reviewer
    )


def test_an_approval_with_a_known_reason_keeps_no_reason(request_: Any, reviewer: Any) -> None:
    checked, _effects = decide(request_, reviewer, decision="approve", reason_code="photo_unclear")
    assert (checked.reason_code, request_.reason_code) == ("", "")


def test_the_audit_reason_replaces_the_reason_in_the_trail_not_in_the_snapshot(request_: Any, reviewer: Any) -> None:
    decide(request_, reviewer, decision="reject", reason_code="card_expired", audit_reason="what the trail shows")
    [event] = AuditEvent.objects.all()
    assert event.reason == "what the trail shows"
    assert event.digest == decision_digest(
        kind="verification", request=request_, decision="reject", reason_code="card_expired", actor=reviewer
    )


def test_an_automatic_decision_has_no_actor(request_: Any) -> None:
    _checked, effects = decide(request_, None, decision="approve")
    assert (request_.status, request_.reviewer, effects) == ("approved", None, ["applied"])
    [event] = AuditEvent.objects.all()
    assert (event.actor, event.reason) == (None, "auto")
    assert event.digest == decision_digest(
        kind="verification", request=request_, decision="approve", reason_code="", actor=None
    )


def refused(request: Any, actor: Any, *, kind: ReviewKind = KIND, **decision: Any) -> DomainError:
    before = type(request).objects.filter(pk=request.pk).values().get()
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(DomainError) as info:
        decide(request, actor, kind=kind, **decision)
    assert type(request).objects.filter(pk=request.pk).values().get() == before
    assert AuditEvent.objects.count() == audit_rows
    return info.value


@pytest.mark.parametrize(
    ("decision", "code", "field"),
    [
        ({"decision": "APPROVE"}, "decision_invalid", "decision"),
        ({"decision": "reject", "reason_code": ""}, "reason_code_invalid", "reason_code"),
        ({"decision": "reject", "reason_code": "proof_unreadable"}, "reason_code_invalid", "reason_code"),
        ({"decision": "approve", "note": "x" * 1001}, "note_too_long", "note"),
        ({"decision": "approve", "note": "x" * 4001}, "too_long", "note"),
        ({"decision": "approve", "note": "a\u200bb"}, "invalid_characters", "note"),
    ],
    ids=["decision-case", "no-reason", "another-kinds-reason", "note-over-1000", "note-over-4000", "invisible"],
)
def test_a_bad_decision_is_refused_naming_its_field(
    request_: Any, reviewer: Any, decision: dict[str, str], code: str, field: str
) -> None:
    error = refused(request_, reviewer, **decision)
    assert (error.code, error.status, list(error.errors)) == (code, 400, [field])


def test_the_requester_cannot_decide_their_own_request_and_the_kind_names_the_code(request_: Any) -> None:
    error = refused(request_, request_.user, kind=RENAMED, decision="approve")
    assert (error.code, error.status) == ("yours", 403)
    assert refused(request_, request_.user, decision="approve").code == "own_request"


def test_a_decided_request_is_not_pending_and_the_kind_names_the_code(request_: Any, reviewer: Any) -> None:
    decide(request_, reviewer, decision="reject", reason_code="other")
    error = refused(request_, factories.VerificationReviewerFactory(), kind=RENAMED, decision="approve")
    assert (error.code, error.status) == ("already_done", 409)
    assert refused(request_, None, decision="reject", reason_code="other").code == "not_pending"


def test_a_failing_effect_leaves_the_request_pending(request_: Any, reviewer: Any) -> None:
    def fail() -> None:
        raise DomainError("effect_failed", "no")

    with pytest.raises(DomainError, match="effect_failed"):
        decide(request_, reviewer, decision="approve", effect=fail)
    request_.refresh_from_db()
    assert (request_.status, request_.reviewer, request_.decided_at) == ("pending", None, None)
    assert not AuditEvent.objects.exists()
