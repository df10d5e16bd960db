"""change_request_decide: a change reviewer approves (the change applies in the same transaction,
with its history; a new name or ID number must be verified again) or rejects with a reason. Each
decision writes one audit row with its digest. Every refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.roles import Role
from creditbank.accounts.services import user_reveal_pii
from creditbank.audit.models import AuditEvent
from creditbank.identity.models import VerificationAttempt
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.profiles.models import ChangeRequest, ProfileHistory
from creditbank.profiles.reasons import REASONS
from creditbank.profiles.services import change_request_decide, change_request_withdraw
from tests import factories
from tests.decisions import decision_digest


@pytest.fixture
def reviewer(db: Any) -> User:
    return factories.ChangeReviewerFactory()


@pytest.fixture
def name_change(db: Any) -> ChangeRequest:
    request = factories.ChangeRequestFactory(user=factories.VerifiedLearnerFactory(name="张三"), new_value="张三丰")
    mail.outbox.clear()
    return request


def decide(reviewer: User, request: ChangeRequest, **decision: Any) -> ChangeRequest:
    with factories.committed():
        change_request_decide(reviewer=reviewer, request_id=request.pk, **decision)
    return ChangeRequest.objects.get(pk=request.pk)


def audited(request: ChangeRequest, reviewer: User, decision: str, reason: str, reason_code: str = "") -> None:
    [event] = AuditEvent.objects.filter(action__startswith="change_request.")
    assert (event.action, event.actor_id, event.subject_id) == (
        f"change_request.{decision}",
        reviewer.pk,
        request.user_id,
    )
    assert (event.object_type, event.object_id, event.reason) == ("change_request", str(request.pk), reason)
    assert event.digest == decision_digest(
        kind="change_request", request=request, decision=decision, reason_code=reason_code, actor=reviewer
    )


def test_an_approved_name_change_applies_keeps_history_and_asks_to_verify_again(
    name_change: ChangeRequest, reviewer: User
) -> None:
    decided = decide(reviewer, name_change, decision="approve", note="户口簿已核对", client_address="203.0.113.9")

    assert (decided.status, decided.reviewer, decided.note) == ("approved", reviewer, "户口簿已核对")
    user = User.objects.get(pk=name_change.user_id)
    assert (user.name, user.status, user.verified_at) == ("张三丰", AccountStatus.ACTIVATED, None)
    [history] = ProfileHistory.objects.filter(user=user)
    assert (history.field, history.old_value, history.new_value) == ("name", "张三", "张三丰")
    assert (history.actor, history.source, history.evidence) == (
        reviewer,
        "change_request",
        f"change_request:{decided.pk}",
    )
    assert VerificationAttempt.objects.get(user=user).status == "reset"
    audited(decided, reviewer, "approve", reason="name")
    assert AuditEvent.objects.get(action="verification.invalidated").subject == user
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_an_approved_gender_change_keeps_the_account_verified(reviewer: User) -> None:
    learner = factories.VerifiedLearnerFactory()
    request = factories.ChangeRequestFactory(user=learner, field="gender")
    new_gender = request.new_value_masked

    decided = decide(reviewer, request, decision="approve")

    user = User.objects.get(pk=learner.pk)
    assert (user.gender, user.status) == (new_gender, AccountStatus.VERIFIED)
    audited(decided, reviewer, "approve", reason="gender")


def test_an_approved_id_number_change_reseals_the_number(reviewer: User) -> None:
    request = factories.ChangeRequestFactory(field="id_number", new_value=factories.id_number_for(888_001))
    decide(reviewer, request, decision="approve")
    user = User.objects.get(pk=request.user_id)
    assert user_reveal_pii(user=user, fields=("id_number",)) == {"id_number": factories.id_number_for(888_001)}
    assert user.status == AccountStatus.ACTIVATED


def test_a_rejection_applies_nothing_and_records_the_reason(name_change: ChangeRequest, reviewer: User) -> None:
    before = User.objects.filter(pk=name_change.user_id).values().get()

    decided = decide(reviewer, name_change, decision="reject", reason_code="proof_unreadable", note="看不清")

    assert (decided.status, decided.reason_code, decided.note) == ("rejected", "proof_unreadable", "看不清")
    assert User.objects.filter(pk=name_change.user_id).values().get() == before
    assert not ProfileHistory.objects.exists()
    audited(decided, reviewer, "reject", reason="proof_unreadable", reason_code="proof_unreadable")
    assert len(mail.outbox) == 1


def refused(reviewer: Any, request: ChangeRequest, **decision: Any) -> DomainError:
    before = ChangeRequest.objects.filter(pk=request.pk).values().get()
    user_before = User.objects.filter(pk=request.user_id).values().get()
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(DomainError) as info, factories.committed():
        change_request_decide(reviewer=reviewer, request_id=request.pk, **decision)
    assert ChangeRequest.objects.filter(pk=request.pk).values().get() == before
    assert User.objects.filter(pk=request.user_id).values().get() == user_before
    assert AuditEvent.objects.count() == audit_rows
    assert not ProfileHistory.objects.exists()
    assert mail.outbox == []
    return info.value


@pytest.mark.parametrize(
    ("decision", "code", "field"),
    [
        ({"decision": "maybe"}, "decision_invalid", "decision"),
        ({"decision": "reject"}, "reason_code_invalid", "reason_code"),
        ({"decision": "reject", "reason_code": "photo_unclear"}, "reason_code_invalid", "reason_code"),
        ({"decision": "reject", "reason_code": "other", "note": "长" * 1001}, "too_long", "note"),
    ],
    ids=["unknown-decision", "reject-without-reason", "a-verification-reason", "long-note"],
)
def test_a_bad_decision_is_refused_naming_its_field(
    name_change: ChangeRequest, reviewer: User, decision: dict[str, str], code: str, field: str
) -> None:
    error = refused(reviewer, name_change, **decision)
    assert (error.code, error.status, list(error.errors)) == (code, 400, [field])
    if code == "reason_code_invalid":
        assert error.extra == {"allowed": sorted(REASONS)}


def test_a_reviewer_cannot_decide_their_own_request(reviewer: User) -> None:
    learner = factories.VerifiedLearnerFactory()
    learner.groups.add(factories.role_group(Role.CHANGE_REVIEWER))
    own = factories.ChangeRequestFactory(user=learner)
    mail.outbox.clear()
    error = refused(User.objects.get(pk=learner.pk), own, decision="approve")
    assert (error.code, error.status) == ("own_request", 403)


def test_a_withdrawn_or_decided_request_is_not_pending(name_change: ChangeRequest, reviewer: User) -> None:
    change_request_withdraw(user=name_change.user, request_id=name_change.pk)
    error = refused(reviewer, name_change, decision="approve")
    assert (error.code, error.status) == ("change_not_pending", 409)
    gender = factories.ChangeRequestFactory(field="gender")
    decide(reviewer, gender, decision="reject", reason_code="other")
    mail.outbox.clear()
    assert refused(reviewer, gender, decision="approve").code == "change_not_pending"


def test_an_id_number_another_account_holds_cannot_be_approved(reviewer: User) -> None:
    taken = factories.id_number_for(888_002)
    request = factories.ChangeRequestFactory(field="id_number", new_value=taken)
    factories.LearnerFactory(id_number=taken)
    mail.outbox.clear()
    error = refused(reviewer, request, decision="approve")
    assert (error.code, error.status) == ("id_number_taken", 409)


@pytest.mark.parametrize(
    "make", [factories.VerificationReviewerFactory, factories.SupportStaffFactory, factories.StaffFactory]
)
def test_staff_without_the_role_get_not_found(name_change: ChangeRequest, make: Any) -> None:
    error = refused(make(), name_change, decision="approve")
    assert isinstance(error, NotFound)
    assert (error.code, error.status) == ("not_found", 404)


def test_an_unknown_request_is_not_found(reviewer: User) -> None:
    with pytest.raises(NotFound):
        change_request_decide(reviewer=reviewer, request_id=987654, decision="approve")
    assert not AuditEvent.objects.exists()
