"""GET /api/v1/staff/credit-accounts/{account_no}: ledger auditors, with a reason, each call in
the audit log; everyone else 404."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Api, make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.audit.models import AuditEvent
from creditbank.ledger.models import CreditAccount
from tests.ledger_entries import small_ledger

REASON = "工单 12：学员询问学分余额"


@pytest.fixture
def learner(make_learner: Any) -> Any:
    user = make_learner(AccountStatus.VERIFIED)
    small_ledger(user)
    return user


@pytest.fixture
def auditor(api: Api) -> Any:
    user = make_reviewer_user(perms=("view_credit_account",))
    api.login(user.email)
    return user


def url(account_no: str) -> str:
    return f"/api/v1/staff/credit-accounts/{account_no}"


def recorded() -> list[tuple[Any, ...]]:
    return list(
        AuditEvent.objects.filter(action__startswith="ledger.")
        .order_by("id")
        .values_list("actor_id", "subject_id", "action", "object_type", "object_id", "reason", "client_address")
    )


def test_an_auditor_reads_with_a_reason_and_each_call_is_recorded(api: Api, learner: Any, auditor: Any) -> None:
    account = CreditAccount.objects.get(user=learner)
    response = api.get(url(learner.account_no), {"reason": REASON, "kind": "deposit", "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["account_no"] == learner.account_no and body["name"] == learner.name
    assert body["balance"] == {"total": "4.00", "available": "3.00", "frozen": "1.00"}
    assert body["by_type"] == {"academic_credit": "2.50", "unspecified": "1.50"}
    assert body["programmes"] == []
    assert [e["seq"] for e in body["entries"]] == [4, 2] and body["count"] == 3
    row = (auditor.pk, learner.pk, "ledger.account_viewed", "credit_account", str(account.pk), REASON, "127.0.0.1")
    assert recorded() == [row]
    api.get(url(learner.account_no), {"reason": REASON})
    assert recorded() == [row, row]


@pytest.mark.parametrize(
    ("query", "code"),
    [({}, "reason_required"), ({"reason": " "}, "reason_required"), ({"reason": "x" * 501}, "too_long")],
)
def test_the_reason_is_required(api: Api, learner: Any, auditor: Any, query: dict[str, str], code: str) -> None:
    response = api.get(url(learner.account_no), query)
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["errors"])) == (code, ["reason"])
    assert recorded() == []


def test_a_wrong_filter_records_nothing(api: Api, learner: Any, auditor: Any) -> None:
    response = api.get(url(learner.account_no), {"reason": REASON, "type": "poetry"})
    assert (response.status_code, response.json()["code"]) == (400, "choice_invalid")
    assert recorded() == []


def test_unknown_account_numbers_and_accounts_without_credits_are_not_found(
    api: Api, make_learner: Any, auditor: Any
) -> None:
    for number in ("000000000000", make_learner(AccountStatus.VERIFIED).account_no):
        response = api.get(url(number), {"reason": REASON})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert recorded() == []


def test_everyone_else_gets_404(api: Api, learner: Any, make_learner: Any, reviewer: Any) -> None:
    other = make_learner(AccountStatus.VERIFIED)
    for person in (learner, other, reviewer):  # the owner too: learners use /me/credits
        api.login(person.email)
        response = api.get(url(learner.account_no), {"reason": REASON})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert api.get(url(learner.account_no)).status_code == 404  # not told that a reason is missing
    assert recorded() == []
    api.token = None
    assert api.get(url(learner.account_no), {"reason": REASON}).status_code == 401
