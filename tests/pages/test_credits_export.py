"""/credits/export.csv: the filtered entries as a CSV statement, exact to the byte: UTF-8 with a
BOM, CRLF rows, oldest first, formulas defused, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from creditbank.accounts.models import AccountStatus
from creditbank.ledger import references
from creditbank.ledger.references import register_outcome_describer
from tests.ledger_entries import small_conversion, small_ledger

pytestmark = pytest.mark.django_db
URL = "/credits/export.csv"
HEADER_EN = (
    "No.,Date and time,Kind,Credits,Change of available credits,Change of frozen credits,Outcome type,Outcome,"
    "Outcome ID,Application,Application ID,Reverses No.,SHA-256,Programme\r\n"
)


@pytest.fixture(autouse=True)
def _no_describers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(references, "_describers", {})
    yield


def signed_in(user: Any, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    assert client.login(username=user.email, password=PASSWORD)
    return client


def download(client: Client, query: dict[str, str] | None = None) -> bytes:
    response = client.get(URL, query or {})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def test_the_statement_to_the_byte(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    e = small_ledger(user)
    response = signed_in(user).get(URL)
    assert response["Content-Disposition"] == (
        f'attachment; filename="credits-{user.account_no}-{timezone.localdate():%Y%m%d}.csv"'
    )
    expected = (
        "\ufeff"
        + HEADER_EN
        + f"1,2025-12-31 23:30:00,Deposit,3.00,3.00,0.00,Academic credit,outcome #11,11,,,,{e[0].hash},\r\n"
        + f"2,2026-01-01 00:10:00,Deposit,2.00,2.00,0.00,Online course (MOOC),outcome #12,12,,,,{e[1].hash},\r\n"
        + f"3,2026-03-05 10:00:00,Frozen for an application,1.00,-1.00,1.00,,,,application #5,5,,{e[2].hash},\r\n"
        + f"4,2026-06-01 09:00:00,Deposit,1.50,1.50,0.00,,,,,,,{e[3].hash},\r\n"
        + f"5,2027-02-01 08:00:00,Reversal,2.00,-2.00,0.00,Online course (MOOC),outcome #12,12,,,2,{e[4].hash},\r\n"
        + f"6,2027-02-02 08:00:00,Expired,0.50,-0.50,0.00,Academic credit,outcome #11,11,,,,{e[5].hash},\r\n"
    )
    assert b"".join(response.streaming_content) == expected.encode("utf-8")


def test_a_conversion_in_the_statement(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    e = small_conversion(user)
    lines = download(signed_in(user), {"from": "2027-03-01"}).decode("utf-8").split("\r\n")
    assert lines[1:] == [
        f"7,2027-03-01 09:00:00,Frozen for an application,2.50,-2.50,2.50,Academic credit,outcome #11,11,"
        f"application #7,7,,{e[6].hash},",
        f"8,2027-03-01 09:00:00,Converted,2.50,0.00,-2.50,Academic credit,outcome #11,11,application #7,7,,{e[7].hash},",
        f"9,2027-03-01 09:00:00,Credited by conversion,2.00,0.00,0.00,,,,application #7,7,,{e[8].hash},demo-univ:CS",
        "",
    ]


def test_the_filter_selects_the_rows(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    e = small_ledger(user)
    body = download(signed_in(user), {"kind": "deposit", "from": "2026-01-01"}).decode("utf-8")
    assert body == (
        "\ufeff"
        + HEADER_EN
        + f"2,2026-01-01 00:10:00,Deposit,2.00,2.00,0.00,Online course (MOOC),outcome #12,12,,,,{e[1].hash},\r\n"
        + f"4,2026-06-01 09:00:00,Deposit,1.50,1.50,0.00,,,,,,,{e[3].hash},\r\n"
    )
    assert download(signed_in(user), {"type": "award"}) == ("\ufeff" + HEADER_EN).encode("utf-8")


def test_chinese_by_default_with_a_bom_for_excel(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    small_ledger(user)
    rows = list(csv.reader(io.StringIO(download(signed_in(user, "zh-hans")).decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "时间", "类型", "学分"]
    assert rows[1][2] == "存入" and rows[1][6] == "学历教育课程学分" and rows[1][7] == "成果 #11"
    assert download(signed_in(user, "zh-hans")).startswith(b"\xef\xbb\xbf")


def test_titles_that_look_like_formulas_are_defused(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    small_ledger(user)
    register_outcome_describer(
        lambda ids: {11: ('=HYPERLINK("http://evil.example","点我")', "/outcomes/11/"), 12: ("+SUM(1,2)", "")}
    )
    rows = list(csv.reader(io.StringIO(download(signed_in(user)).decode("utf-8-sig"))))
    assert [row[7] for row in rows[1:]] == [
        '\'=HYPERLINK("http://evil.example","点我")',
        "'+SUM(1,2)",
        "",
        "",
        "'+SUM(1,2)",
        '\'=HYPERLINK("http://evil.example","点我")',
    ]
    # numbers stay numbers: a negative change is not text to defuse
    assert [row[4] for row in rows[1:]] == ["3.00", "2.00", "-1.00", "1.50", "-2.00", "-0.50"]


def test_a_wrong_filter_goes_back_to_the_page(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    response = signed_in(user).get(URL, {"from": "2026-02-01", "to": "2026-01-01"})
    assert response.status_code == 302
    assert response["Location"] == "/credits/?from=2026-02-01&to=2026-01-01"


def test_only_the_learners_own_entries(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    small_ledger(make_learner(AccountStatus.VERIFIED))
    assert download(signed_in(user)) == ("\ufeff" + HEADER_EN).encode("utf-8")


def test_unverified_accounts_and_visitors(make_learner: Any, client: Client) -> None:
    response = signed_in(make_learner(AccountStatus.ACTIVATED)).get(URL)
    assert (response.status_code, response["Location"]) == (302, "/credits/")
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
