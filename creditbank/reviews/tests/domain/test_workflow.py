from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.reviews.domain.workflow import (
    MAX_NOTE,
    TRANSITIONS,
    Decision,
    DecisionSnapshot,
    Event,
    Status,
    WorkflowError,
    check_decision,
    next_status,
)

REASONS = {"photo_unclear", "other"}


def check(**over: object) -> object:
    args: dict[str, object] = {
        "decision": "reject",
        "reason_code": "photo_unclear",
        "note": "",
        "known_reasons": REASONS,
        "requester_id": 1,
        "reviewer_id": 2,
        "status": "pending",
    }
    args.update(over)
    return check_decision(**args)  # type: ignore[arg-type]


def code_of(**over: object) -> str:
    with pytest.raises(WorkflowError) as info:
        check(**over)
    return info.value.code


def test_the_transitions_are_exactly_these() -> None:
    assert dict(TRANSITIONS) == {
        (Status.PENDING, Event.APPROVE): Status.APPROVED,
        (Status.PENDING, Event.REJECT): Status.REJECTED,
        (Status.PENDING, Event.WITHDRAW): Status.WITHDRAWN,
        (Status.APPROVED, Event.RESET): Status.RESET,
    }


@given(st.sampled_from(list(Status)), st.sampled_from(list(Event)))
def test_every_other_transition_is_refused(status: Status, event: Event) -> None:
    if (status, event) in TRANSITIONS:
        assert next_status(status.value, event) is TRANSITIONS[(status, event)]
        return
    with pytest.raises(WorkflowError) as info:
        next_status(status.value, event)
    assert info.value.code == ("not_approved" if event is Event.RESET else "not_pending")


def test_a_rejection_with_a_known_reason_passes() -> None:
    decided = check(note="照片反光")
    assert decided.decision is Decision.REJECT  # type: ignore[attr-defined]
    assert decided.reason_code == "photo_unclear"  # type: ignore[attr-defined]
    assert decided.note == "照片反光"  # type: ignore[attr-defined]


def test_an_approval_drops_a_known_reason_and_refuses_an_unknown_one() -> None:
    assert check(decision="approve", reason_code="other").reason_code == ""  # type: ignore[attr-defined]
    assert check(decision="approve", reason_code="").reason_code == ""  # type: ignore[attr-defined]
    assert code_of(decision="approve", reason_code="made_up") == "reason_code_invalid"


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"decision": "maybe"}, "decision_invalid"),
        ({"decision": "APPROVE"}, "decision_invalid"),
        ({"reason_code": ""}, "reason_code_invalid"),
        ({"reason_code": "made_up"}, "reason_code_invalid"),
        ({"note": "x" * (MAX_NOTE + 1)}, "note_too_long"),
        ({"reviewer_id": 1}, "own_request"),
        ({"status": "approved"}, "not_pending"),
        ({"status": "withdrawn"}, "not_pending"),
        ({"status": "garbage"}, "not_pending"),
    ],
)
def test_each_refusal_has_its_code(over: dict[str, object], code: str) -> None:
    assert code_of(**over) == code


def test_checks_run_in_the_documented_order() -> None:
    everything_wrong = {"decision": "maybe", "reason_code": "x", "note": "x" * 2000, "reviewer_id": 1, "status": "x"}
    assert code_of(**everything_wrong) == "decision_invalid"
    assert code_of(**{**everything_wrong, "decision": "reject"}) == "reason_code_invalid"
    assert code_of(**{**everything_wrong, "decision": "reject", "reason_code": "other"}) == "note_too_long"
    assert code_of(decision="reject", reason_code="other", reviewer_id=1, status="x") == "own_request"


def test_an_automatic_decision_has_no_reviewer_and_is_never_its_own() -> None:
    assert check(decision="approve", reason_code="", reviewer_id=None).decision is Decision.APPROVE  # type: ignore[attr-defined]


def snapshot(**over: object) -> DecisionSnapshot:
    args: dict[str, object] = {
        "kind": "verification",
        "request_id": "12",
        "subject": "acct:3f9a",
        "decision": Decision.REJECT,
        "reason_code": "photo_unclear",
        "reviewer": "acct:77b0",
        "auto": False,
        "decided_at": datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
    }
    args.update(over)
    return DecisionSnapshot(**args)  # type: ignore[arg-type]


def test_snapshot_canonical_bytes_are_exact() -> None:
    assert snapshot().canonical_bytes() == (
        b'{"auto":false,"decided_at":"2026-12-03T09:30:00.000000Z","decision":"reject","kind":"verification",'
        b'"reason_code":"photo_unclear","request_id":"12","reviewer":"acct:77b0","subject":"acct:3f9a","v":1}'
    )
    assert snapshot().sha256() == "9315eef81c3ada6f4c07323abdb20d1098c85457346acb9fa875808b7cf70a06"


def test_snapshot_hash_is_sha256_of_the_bytes_and_independent_of_the_time_zone() -> None:
    import hashlib

    shanghai = timezone(timedelta(hours=8))
    same_moment = snapshot(decided_at=datetime(2026, 12, 3, 17, 30, tzinfo=shanghai))
    assert same_moment.canonical_bytes() == snapshot().canonical_bytes()
    assert snapshot().sha256() == hashlib.sha256(snapshot().canonical_bytes()).hexdigest()
    assert snapshot(reason_code="other").sha256() != snapshot().sha256()


def test_snapshot_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        snapshot(decided_at=datetime(2026, 12, 3, 9, 30)).canonical_bytes()  # noqa: DTZ001


@given(st.text(max_size=40), st.text(max_size=40))
def test_snapshot_bytes_round_trip_as_json(reason: str, subject: str) -> None:
    s = snapshot(reason_code=reason, subject=subject)
    assert json.loads(s.canonical_bytes()) == s.as_dict()
