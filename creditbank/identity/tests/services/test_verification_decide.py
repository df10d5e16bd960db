"""verification_decide: a verification reviewer approves (the account becomes verified) or rejects
with a reason; each decision writes one audit row with its digest and emails the learner. Every
refusal changes nothing: no decision, no audit row, no email, the account as it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.roles import Role
from creditbank.audit.models import AuditEvent
from creditbank.identity.models import VerificationAttempt
from creditbank.identity.reasons import REASONS
from creditbank.identity.services import verification_decide, verification_submit
from creditbank.kernel.errors import DomainError, NotFound
from tests import factories
from tests.decisions import decision_digest


@pytest.fixture
def attempt(db: Any) -> VerificationAttempt:
    attempt = factories.VerificationAttemptFactory()
    mail.outbox.clear()
    return attempt


@pytest.fixture
def reviewer(db: Any) -> User:
    return factories.VerificationReviewerFactory()


def decide(reviewer: User, attempt: VerificationAttempt, **decision: Any) -> VerificationAttempt:
    with factories.committed():
        verification_decide(reviewer=reviewer, attempt_id=attempt.pk, **decision)
    return VerificationAttempt.objects.get(pk=attempt.pk)


def test_an_approval_verifies_the_account_and_is_audited_with_its_digest(
    attempt: VerificationAttempt, reviewer: User
) -> None:
    decided = decide(reviewer, attempt, decision="approve", note="清晰", client_address="203.0.113.7")

    assert (decided.status, decided.reviewer, decided.reason_code, decided.note) == ("approved", reviewer, "", "清晰")
    assert decided.auto_decided is False
    user = User.objects.get(pk=attempt.user_id)
    assert (user.status, user.verified_at) == (AccountStatus.VERIFIED, decided.decided_at)
    [event] = AuditEvent.objects.all()
    assert (event.action, event.actor, event.subject) == ("verification.approve", reviewer, user)
    assert (event.object_type, event.object_id, event.reason) == ("verification", str(attempt.pk), "")
    assert event.client_address == "203.0.113.7"
    assert event.digest == decision_digest(
        kind="verification", request=decided, decision="approve", reason_code="", actor=reviewer
    )
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_a_rejection_keeps_the_account_activated_and_records_the_reason(
    attempt: VerificationAttempt, reviewer: User
) -> None:
    decided = decide(reviewer, attempt, decision="reject", reason_code="card_expired", note="有效期已过")

    assert (decided.status, decided.reason_code, decided.note) == ("rejected", "card_expired", "有效期已过")
    user = User.objects.get(pk=attempt.user_id)
    assert (user.status, user.verified_at) == (AccountStatus.ACTIVATED, None)
    [event] = AuditEvent.objects.all()
    assert (event.action, event.reason) == ("verification.reject", "card_expired")
    assert event.digest == decision_digest(
        kind="verification", request=decided, decision="reject", reason_code="card_expired", actor=reviewer
    )
    assert len(mail.outbox) == 1
    assert "有效期已过" in mail.outbox[0].body


def refused(reviewer: Any, attempt: VerificationAttempt, **decision: Any) -> DomainError:
    before = VerificationAttempt.objects.filter(pk=attempt.pk).values().get()
    user_before = User.objects.filter(pk=attempt.user_id).values().get()
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(DomainError) as info, factories.committed():
        verification_decide(reviewer=reviewer, attempt_id=attempt.pk, **decision)
    assert VerificationAttempt.objects.filter(pk=attempt.pk).values().get() == before
    assert User.objects.filter(pk=attempt.user_id).values().get() == user_before
    assert AuditEvent.objects.count() == audit_rows
    assert mail.outbox == []
    return info.value


@pytest.mark.parametrize(
    ("decision", "code", "field"),
    [
        ({"decision": "maybe"}, "decision_invalid", "decision"),
        ({"decision": "reject"}, "reason_code_invalid", "reason_code"),
        ({"decision": "reject", "reason_code": "no_such_reason"}, "reason_code_invalid", "reason_code"),
        ({"decision": "approve", "reason_code": "no_such_reason"}, "reason_code_invalid", "reason_code"),
        ({"decision": "reject", "reason_code": "photo_unclear", "note": "长" * 1001}, "note_too_long", "note"),
    ],
    ids=["unknown-decision", "reject-without-reason", "unknown-reason", "approve-with-unknown-reason", "long-note"],
)
def test_a_bad_decision_is_refused_naming_its_field(
    attempt: VerificationAttempt, reviewer: User, decision: dict[str, str], code: str, field: str
) -> None:
    error = refused(reviewer, attempt, **decision)
    assert (error.code, error.status, list(error.errors)) == (code, 400, [field])
    if code == "reason_code_invalid":
        assert error.extra == {"allowed": sorted(REASONS)}


def test_a_note_of_exactly_the_limit_is_accepted(attempt: VerificationAttempt, reviewer: User) -> None:
    assert decide(reviewer, attempt, decision="reject", reason_code="other", note="长" * 1000).note == "长" * 1000


def test_a_reviewer_cannot_decide_their_own_verification(reviewer: User) -> None:
    learner = factories.LearnerFactory()
    learner.groups.add(factories.role_group(Role.VERIFICATION_REVIEWER))
    own = factories.VerificationAttemptFactory(user=learner)
    mail.outbox.clear()
    error = refused(User.objects.get(pk=learner.pk), own, decision="approve")
    assert (error.code, error.status) == ("own_verification", 403)


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_a_decided_verification_cannot_be_decided_again(
    attempt: VerificationAttempt, reviewer: User, first: str
) -> None:
    decided = decide(reviewer, attempt, decision=first, reason_code="photo_unclear" if first == "reject" else "")
    mail.outbox.clear()
    error = refused(factories.VerificationReviewerFactory(), decided, decision="approve")
    assert (error.code, error.status) == ("verification_not_pending", 409)


def test_no_approval_before_the_automatic_checks_finished(reviewer: User) -> None:
    learner = factories.LearnerFactory()
    front, back = factories.id_card_photos(learner, 1)
    attempt = verification_submit(user=learner, consent=True, id_front=front, id_back=back)  # pre-check not run
    mail.outbox.clear()
    error = refused(reviewer, attempt, decision="approve")
    assert (error.code, error.status) == ("checks_pending", 409)
    assert decide(reviewer, attempt, decision="reject", reason_code="photo_unclear").status == "rejected"


@pytest.mark.parametrize(
    "make", [factories.ChangeReviewerFactory, factories.SupportStaffFactory, factories.StaffFactory]
)
def test_staff_without_the_role_get_not_found(attempt: VerificationAttempt, make: Any) -> None:
    error = refused(make(), attempt, decision="approve")
    assert isinstance(error, NotFound)
    assert (error.code, error.status) == ("not_found", 404)


def test_the_learner_cannot_decide_and_gets_not_found(attempt: VerificationAttempt) -> None:
    assert isinstance(refused(attempt.user, attempt, decision="approve"), NotFound)


def test_an_unknown_attempt_is_not_found(reviewer: User) -> None:
    with pytest.raises(NotFound):
        verification_decide(reviewer=reviewer, attempt_id=987654, decision="approve")
    assert not AuditEvent.objects.exists()
