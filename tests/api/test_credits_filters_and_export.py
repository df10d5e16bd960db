"""GET /api/v1/me/credits filtered by kind, outcome type and days (exact rows), its filter errors
as problem details, and GET /api/v1/me/credits/export (the CSV statement)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Api
from creditbank.accounts.models import AccountStatus
from tests.ledger_entries import small_ledger

URL = "/api/v1/me/credits"
EXPORT = "/api/v1/me/credits/export"


@pytest.fixture
def learner(api: Api, make_learner: Any) -> Any:
    user = make_learner(AccountStatus.VERIFIED)
    small_ledger(user)
    api.login(user.email)
    return user


def seqs(api: Api, query: dict[str, Any]) -> list[int]:
    response = api.get(URL, query)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["entries"])
    return [e["seq"] for e in body["entries"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [6, 5, 4, 3, 2, 1]),
        ({"kind": "deposit"}, [4, 2, 1]),
        ({"type": "mooc"}, [5, 2]),
        ({"type": "unspecified"}, [4, 3]),
        ({"type": "award"}, []),
        ({"from": "2026-01-01"}, [6, 5, 4, 3, 2]),
        ({"from": "2026-01-01", "to": "2026-01-01"}, [2]),
        ({"to": "2025-12-31"}, [1]),
        ({"kind": "deposit", "type": "academic_credit", "from": "2025-12-31", "to": "2026-12-31"}, [1]),
    ],
)
def test_filters_select_exactly(api: Api, learner: Any, query: dict[str, Any], expected: list[int]) -> None:
    assert seqs(api, query) == expected


def test_entries_carry_their_outcome_type_and_the_balances_stay_whole(api: Api, learner: Any) -> None:
    body = api.get(URL, {"type": "mooc"}).json()
    assert body["balance"] == {"total": "4.00", "available": "3.00", "frozen": "1.00"}
    assert body["by_type"] == {"academic_credit": "2.50", "unspecified": "1.50"}
    assert [(e["seq"], e["kind"], e["outcome_type"], e["reverses_seq"]) for e in body["entries"]] == [
        (5, "reversal", "mooc", 2),
        (2, "deposit", "mooc", None),
    ]
    assert [e["outcome_type"] for e in api.get(URL, {"type": "unspecified"}).json()["entries"]] == [None, None]


@pytest.mark.parametrize(
    ("query", "code", "fields"),
    [
        ({"type": "poetry"}, "choice_invalid", ["type"]),
        ({"from": "2026-02-01", "to": "2026-01-31"}, "date_range_invalid", ["to"]),
        (
            {"kind": "gift", "type": "poetry", "from": "2026-02-01", "to": "2026-01-31"},
            "kind_invalid",
            ["kind", "type", "to"],
        ),
        ({"to": "2026-02-30"}, "validation_error", ["to"]),
    ],
)
def test_filter_errors(api: Api, learner: Any, query: dict[str, Any], code: str, fields: list[str]) -> None:
    for url in (URL, EXPORT):
        response = api.get(url, query)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == code
        assert sorted(body["errors"]) == sorted(fields)


def test_a_type_error_names_the_types(api: Api, learner: Any) -> None:
    body = api.get(URL, {"type": "poetry"}, headers={"Accept-Language": "en"}).json()
    assert body["allowed"] == [
        "academic_credit",
        "vocational_certificate",
        "non_formal",
        "mooc",
        "work_experience",
        "award",
        "unspecified",
    ]
    assert body["errors"] == {"type": ["Choose one of the outcome types."]}


def test_export(api: Api, learner: Any) -> None:
    entries = learner.credit_account.entries.order_by("seq")
    response = api.get(EXPORT, {"kind": "deposit", "to": "2026-01-01"}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="credits-{learner.account_no}-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.splitlines()[1:] == [
        f"1,2025-12-31 23:30:00,Deposit,3.00,3.00,0.00,Academic credit,outcome #11,11,,,,{entries[0].hash},",
        f"2,2026-01-01 00:10:00,Deposit,2.00,2.00,0.00,Online course (MOOC),outcome #12,12,,,,{entries[1].hash},",
    ]
    assert body.startswith("\ufeffNo.,Date and time,")


def test_export_needs_a_verified_account(api: Api, make_learner: Any) -> None:
    assert api.get(EXPORT).status_code == 401
    api.login(make_learner(AccountStatus.ACTIVATED).email)
    response = api.get(EXPORT)
    assert (response.status_code, response.json()["code"]) == (403, "not_verified")


def test_export_is_documented_as_csv() -> None:
    from tests.openapi import operation

    op = operation("GET", EXPORT)
    assert list(op["responses"]["200"]["content"]) == ["text/csv"]
    assert {p["name"] for p in op["parameters"]} == {"kind", "type", "from", "to"}
