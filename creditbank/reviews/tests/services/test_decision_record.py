"""decision_record: one audit row per decision, with the SHA-256 of the decision's canonical
snapshot (pseudonymous subject and reviewer, no personal data), returned to the caller."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from creditbank.audit.models import AuditEvent
from creditbank.reviews.domain.workflow import Decision, DecisionSnapshot
from creditbank.reviews.services import decision_record
from tests import factories
from tests.decisions import decision_digest

DECIDED_AT = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def request_(db: Any) -> Any:
    attempt = factories.VerificationAttemptFactory()
    attempt.decided_at = DECIDED_AT
    return attempt


def test_records_the_decision_with_the_snapshots_digest(request_: Any) -> None:
    reviewer = factories.VerificationReviewerFactory()

    snapshot = decision_record(
        kind="verification",
        request=request_,
        subject=request_.user,
        actor=reviewer,
        decision=Decision.REJECT,
        reason_code="photo_unclear",
        client_address="198.51.100.2",
    )

    assert snapshot == DecisionSnapshot(
        kind="verification",
        request_id=str(request_.pk),
        subject=f"user:{request_.user_id}",
        decision=Decision.REJECT,
        reason_code="photo_unclear",
        reviewer=f"user:{reviewer.pk}",
        auto=False,
        decided_at=DECIDED_AT,
    )
    [event] = AuditEvent.objects.all()
    assert (event.action, event.actor, event.subject, event.object_type, event.object_id) == (
        "verification.reject", reviewer, request_.user, "verification", str(request_.pk),
    )  # fmt: skip
    assert (event.reason, event.client_address) == ("photo_unclear", "198.51.100.2")
    assert (
        event.digest
        == snapshot.sha256()
        == decision_digest(
            kind="verification", request=request_, decision="reject", reason_code="photo_unclear", actor=reviewer
        )
    )
    canonical = snapshot.canonical_bytes().decode()
    assert request_.user.name not in canonical and request_.user.email not in canonical
    assert '"decided_at":"2026-03-01T08:30:15.123456Z"' in canonical


def test_an_automatic_decision_is_recorded_as_auto(request_: Any) -> None:
    snapshot = decision_record(
        kind="verification", request=request_, subject=request_.user, actor=None, decision=Decision.APPROVE,
        reason_code="",
    )  # fmt: skip
    assert (snapshot.auto, snapshot.reviewer) == (True, "")
    [event] = AuditEvent.objects.all()
    assert (event.action, event.actor, event.reason, event.digest) == (
        "verification.approve", None, "auto", snapshot.sha256(),
    )  # fmt: skip


def test_the_audit_reason_is_what_the_trail_shows(request_: Any) -> None:
    snapshot = decision_record(
        kind="change_request", request=request_, subject=request_.user, actor=factories.StaffFactory(),
        decision=Decision.APPROVE, reason_code="", audit_reason="name",
    )  # fmt: skip
    [event] = AuditEvent.objects.all()
    assert (event.action, event.object_type, event.reason) == ("change_request.approve", "change_request", "name")
    assert event.digest == snapshot.sha256()


def test_an_undecided_request_is_recorded_at_the_time_of_recording(request_: Any) -> None:
    request_.decided_at = None
    before = datetime.now(tz=UTC)
    snapshot = decision_record(
        kind="verification", request=request_, subject=request_.user, actor=None, decision=Decision.APPROVE,
        reason_code="",
    )  # fmt: skip
    assert before <= snapshot.decided_at <= datetime.now(tz=UTC)
    assert AuditEvent.objects.get().digest == snapshot.sha256()
