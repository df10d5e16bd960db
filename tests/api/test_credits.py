"""GET /api/v1/me/credits: the contract's shape, paging, filters, verified accounts only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Api
from creditbank.accounts.models import AccountStatus
from creditbank.ledger.services import conversion_claims_take, ledger_post, ledger_post_conversion

URL = "/api/v1/me/credits"


@pytest.fixture
def learner(api: Api, make_learner: Any) -> Any:
    user = make_learner(AccountStatus.VERIFIED)
    api.login(user.email)
    return user


def test_an_account_without_entries(api: Api, learner: Any) -> None:
    response = api.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "balance": {"total": "0.00", "available": "0.00", "frozen": "0.00"},
        "by_type": {},
        "programmes": [],
        "entries": [],
        "count": 0,
    }


def test_balances_and_entries(api: Api, learner: Any) -> None:
    deposit = ledger_post(user=learner, kind="deposit", amount="4.5", outcome_id=7, outcome_type="academic_credit")
    ledger_post(user=learner, kind="deposit", amount="2", outcome_type="mooc")
    ledger_post(user=learner, kind="freeze", amount="1.25", application_id=3)
    ledger_post(user=learner, kind="reversal", amount=None, reverses=deposit)
    body = api.get(URL).json()
    assert body["balance"] == {"total": "2.00", "available": "0.75", "frozen": "1.25"}
    assert body["by_type"] == {"mooc": "2.00"}
    assert body["count"] == 4
    assert body["programmes"] == []
    newest = body["entries"][0]
    assert {
        k: newest[k] for k in ("seq", "kind", "amount", "outcome_id", "application_id", "log_index", "programme")
    } == {
        "seq": 4,
        "kind": "reversal",
        "amount": "4.50",
        "outcome_id": 7,
        "application_id": None,
        "log_index": None,
        "programme": None,
    }
    assert newest["reverses_seq"] == 1
    assert [e["seq"] for e in body["entries"]] == [4, 3, 2, 1]

    paged = api.get(URL, {"limit": 2, "offset": 1}).json()
    assert [e["seq"] for e in paged["entries"]] == [3, 2] and paged["count"] == 4
    deposits = api.get(URL, {"kind": "deposit"}).json()
    assert [e["seq"] for e in deposits["entries"]] == [2, 1]
    today = timezone.localdate()
    assert api.get(URL, {"from": str(today), "to": str(today)}).json()["count"] == 4
    assert api.get(URL, {"from": str(today + timedelta(days=1))}).json()["count"] == 0
    assert api.get(URL, {"to": str(today - timedelta(days=1))}).json()["count"] == 0


def test_credits_held_by_programme(api: Api, learner: Any) -> None:
    """A conversion's credits leave the bank credits (balance, by_type) and arrive in the
    programme's (`programmes`, by key); its credit entry names the programme."""
    ledger_post(user=learner, kind="deposit", amount="4", outcome_id=1, outcome_type="mooc")
    ledger_post(user=learner, kind="deposit", amount="1", outcome_id=2, outcome_type="award")
    for application_id, programme, granted in ((41, "demo-univ:EE", "3"), (42, "demo-univ:CS", "2.5")):
        ledger_post(
            user=learner, kind="conversion_credit", amount=granted, application_id=application_id, programme=programme
        )
    conversion_claims_take(user=learner, application_id=43, programme="demo-univ:CS", outcome_ids=[1], exclusive=True)
    ledger_post_conversion(
        user=learner, application_id=43, programme="demo-univ:CS", consumed=[(1, "mooc", "4")], granted="1",
        frozen=False,
    )  # fmt: skip
    body = api.get(URL).json()
    assert body["balance"] == {"total": "1.00", "available": "1.00", "frozen": "0.00"}
    assert body["by_type"] == {"award": "1.00"}
    assert body["programmes"] == [
        {"programme": "demo-univ:CS", "credits": "3.50"},
        {"programme": "demo-univ:EE", "credits": "3.00"},
    ]
    assert [
        (e["seq"], e["kind"], e["amount"], e["outcome_id"], e["application_id"], e["programme"])
        for e in body["entries"][:3]
    ] == [
        (7, "conversion_credit", "1.00", None, 43, "demo-univ:CS"),
        (6, "conversion_debit", "4.00", 1, 43, None),
        (5, "freeze", "4.00", 1, 43, None),
    ]
    only = api.get(URL, {"kind": "conversion_credit"}).json()
    assert [e["programme"] for e in only["entries"]] == ["demo-univ:CS", "demo-univ:CS", "demo-univ:EE"]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"kind": "gift"}, "kind_invalid", "kind"),
        ({"from": "2026-13-01"}, "validation_error", "from"),
        ({"limit": 0}, "validation_error", "limit"),
    ],
)
def test_bad_filters(api: Api, learner: Any, query: dict[str, Any], code: str, field: str) -> None:
    response = api.get(URL, query)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]


def test_only_verified_accounts(api: Api, make_learner: Any) -> None:
    user = make_learner(AccountStatus.ACTIVATED)
    api.login(user.email)
    response = api.get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "not_verified"
    api.token = None
    assert api.get(URL).status_code == 401


def test_someone_elses_entries_are_not_shown(api: Api, learner: Any, make_learner: Any) -> None:
    ledger_post(user=make_learner(), kind="deposit", amount="9")
    assert api.get(URL).json()["count"] == 0


def test_the_schema_lists_every_kind() -> None:
    from typing import get_args

    from creditbank.ledger.api import EntryKind
    from creditbank.ledger.domain.postings import Kind

    assert set(get_args(EntryKind)) == {k.value for k in Kind}


def test_the_queries_do_not_grow_with_the_entries(api: Api, learner: Any, make_learner: Any) -> None:
    """The account, one page of entries with the reversed entries' seqs (no query per entry), and
    no COUNT when nothing is filtered: the count of all entries is the account's last seq."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = ledger_post(user=learner, kind="deposit", amount="1", outcome_type="mooc")
    for _ in range(30):
        ledger_post(user=learner, kind="deposit", amount="1", outcome_type="mooc")
    ledger_post(user=learner, kind="reversal", amount=None, reverses=first)
    api.get(URL)  # the token's last use is written at most once a minute: not in what is counted
    with CaptureQueriesContext(connection) as unfiltered:
        body = api.get(URL).json()
    assert body["count"] == 32 and len(body["entries"]) == 20 and body["entries"][0]["reverses_seq"] == 1
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for q in unfiltered.captured_queries]
    assert tables == ["accounts_apitoken", "ledger_creditaccount", "ledger_ledgerentry"]
    with CaptureQueriesContext(connection) as filtered:
        assert api.get(URL, {"kind": "reversal"}).json()["count"] == 1
    assert len(filtered.captured_queries) == 4  # the same, and a COUNT of the filtered entries
