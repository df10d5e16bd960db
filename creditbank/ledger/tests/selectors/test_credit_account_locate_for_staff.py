"""credit_account_locate_for_staff, then credit_account_get_for_actor with the reason: a ledger
auditor finds an account by account number saying why, and the read is audited with the reason.
Everyone else, and every refusal, records nothing."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_reviewer_user
from creditbank.accounts.roles import Acting
from creditbank.audit.models import AuditEvent
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.ledger.models import CreditAccount
from creditbank.ledger.selectors import credit_account_get_for_actor, credit_account_locate_for_staff
from creditbank.ledger.services import ledger_post

pytestmark = pytest.mark.django_db
REASON = "工单 12：学员询问学分余额"


@pytest.fixture
def learner(make_learner: Any) -> Any:
    user = make_learner()
    ledger_post(user=user, kind="deposit", amount="2.50", outcome_type="mooc")
    return user


def credit_account_find_for_staff(*, actor: Any, account_no: str, reason: str, client_address: str = "") -> Any:
    """What the staff page and API do: locate, then read through the gate with the reason."""
    found, why = credit_account_locate_for_staff(actor=actor, account_no=account_no, reason=reason)
    return credit_account_get_for_actor(
        actor=actor, id=found, acting=Acting.STAFF, reason=why, client_address=client_address
    )


@pytest.fixture
def auditor() -> Any:
    return make_reviewer_user(perms=("view_credit_account",))


def audit_rows() -> list[dict[str, Any]]:
    return list(
        AuditEvent.objects.order_by("id").values(
            "actor_id", "subject_id", "action", "object_type", "object_id", "reason", "client_address", "digest"
        )
    )


def test_an_auditor_with_a_reason_reads_and_is_recorded(learner: Any, auditor: Any) -> None:
    account = credit_account_find_for_staff(
        actor=auditor, account_no=f" {learner.account_no} ", reason=f"  {REASON} ", client_address="10.0.0.7"
    )
    assert account == CreditAccount.objects.get(user=learner)
    assert audit_rows() == [
        {
            "actor_id": auditor.pk,
            "subject_id": learner.pk,
            "action": "ledger.account_viewed",
            "object_type": "credit_account",
            "object_id": str(account.pk),
            "reason": REASON,
            "client_address": "10.0.0.7",
            "digest": "",
        }
    ]


def test_each_read_is_recorded(learner: Any, auditor: Any) -> None:
    for _ in range(3):
        credit_account_find_for_staff(actor=auditor, account_no=learner.account_no, reason=REASON)
    assert [row["reason"] for row in audit_rows()] == [REASON] * 3


def test_locating_reads_nothing_and_records_nothing(learner: Any, auditor: Any) -> None:
    found = credit_account_locate_for_staff(actor=auditor, account_no=learner.account_no, reason=REASON)
    assert found == (CreditAccount.objects.get(user=learner).pk, REASON)
    assert audit_rows() == []


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "reason_required"), ("   ", "reason_required"), ("x" * 501, "too_long"), ("why\u202e", "invalid_characters")],
)
def test_an_auditor_must_say_why(learner: Any, auditor: Any, reason: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        credit_account_find_for_staff(actor=auditor, account_no=learner.account_no, reason=reason)
    assert (refused.value.code, refused.value.status, list(refused.value.errors)) == (code, 400, ["reason"])
    assert audit_rows() == []


@pytest.mark.parametrize("account_no", ["", "000000000000", "not-a-number"])
def test_an_unknown_account_number_is_not_found(learner: Any, auditor: Any, account_no: str) -> None:
    with pytest.raises(NotFound):
        credit_account_find_for_staff(actor=auditor, account_no=account_no, reason=REASON)
    assert audit_rows() == []


def test_a_learner_without_a_credit_account_is_not_found(make_learner: Any, auditor: Any) -> None:
    nobody = make_learner()
    with pytest.raises(NotFound) as refused:
        credit_account_find_for_staff(actor=auditor, account_no=nobody.account_no, reason=REASON)
    assert refused.value.code == "not_found"
    assert audit_rows() == []


def test_everyone_else_gets_not_found_whatever_they_say(learner: Any, make_learner: Any, reviewer: Any) -> None:
    others = [make_learner(), reviewer, learner]  # another learner, staff of other roles, the owner
    for stranger in others:
        for reason in (REASON, ""):
            with pytest.raises(NotFound):
                credit_account_find_for_staff(actor=stranger, account_no=learner.account_no, reason=reason)
    assert audit_rows() == []
