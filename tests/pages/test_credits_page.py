"""The learner's credits page: balances, the charts with their figures as text, the entries
with their outcome and application, the filters (exact rows, errors next to the field), paging,
the export link; verified accounts only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from creditbank.accounts.models import AccountStatus
from creditbank.ledger import references
from creditbank.ledger.references import CONVERSION, register_application_describer, register_outcome_describer
from creditbank.ledger.services import ledger_post
from tests.ledger_entries import small_conversion, small_ledger
from tests.pages.html_tables import table_rows

pytestmark = pytest.mark.django_db
URL = "/credits/"


def signed_in(user: Any, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    assert client.login(username=user.email, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def _no_describers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(references, "_describers", {})
    yield


@pytest.fixture
def learner(make_learner: Any) -> Any:
    user = make_learner(AccountStatus.VERIFIED)
    small_ledger(user)
    return user


def seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'data-testid="entry-row" data-seq="(\d+)"', html)]


def field_errors(html: str, field: str) -> list[str]:
    block = re.search(rf'<ul class="errors" id="id_{field}_errors" role="alert">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def test_balances(learner: Any) -> None:
    html = signed_in(learner).get(URL).content.decode()
    assert '<strong data-testid="total">4.00</strong>' in html
    assert '<span data-testid="available">3.00</span>' in html
    assert '<span data-testid="frozen">1.00</span>' in html


def test_no_programmes_section_before_a_conversion(learner: Any) -> None:
    html = signed_in(learner).get(URL).content.decode()
    assert 'data-testid="programmes"' not in html


def test_credits_by_programme_after_a_conversion(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    small_conversion(user)
    html = signed_in(user).get(URL).content.decode()
    assert '<strong data-testid="total">1.50</strong>' in html
    assert '<span data-testid="available">0.50</span>' in html
    assert "By programme (from conversions)" in html
    assert table_rows(html, "programmes-table") == [["Programme", "Credits"], ["demo-univ:CS", "2.00"]]
    assert table_rows(html, "by-type-table")[1:] == [["Other", "1.50"]]
    rows = table_rows(html, "entries")
    assert [r[2:] for r in rows[1:4]] == [
        ["Credited by conversion", "2.00 (converted → programme demo-univ:CS)", "", "application #7"],
        ["Converted", "−2.50", "outcome #11 Academic credit", "application #7"],
        ["Frozen for an application", "2.50 (available → frozen)", "outcome #11 Academic credit", "application #7"],
    ]
    assert table_rows(html, "by-year-table")[-1] == ["2027", "-3.00", "-2.00", "—", "-5.00"]
    chinese = signed_in(user, "zh-hans").get(URL).content.decode()
    assert "按专业（转换所得）" in chinese
    assert table_rows(chinese, "programmes-table") == [["专业", "学分"], ["demo-univ:CS", "2.00"]]
    assert table_rows(chinese, "entries")[1][3] == "2.00 (已转换 → 专业 demo-univ:CS)"


def test_the_charts_figures_as_text(learner: Any) -> None:
    html = signed_in(learner).get(URL).content.decode()
    assert table_rows(html, "by-type-table") == [
        ["Outcome type", "Credits"],
        ["Academic credit", "2.50"],
        ["Other", "1.50"],
    ]
    assert table_rows(html, "by-year-table") == [
        ["Year", "Academic credit", "Online course (MOOC)", "Other", "Total"],
        ["2025", "3.00", "—", "—", "3.00"],
        ["2026", "—", "2.00", "1.50", "3.50"],
        ["2027", "-0.50", "-2.00", "—", "-2.50"],
    ]
    # the drawn bars are hidden from screen readers, which read the tables
    assert html.count('<div class="chart" aria-hidden="true">') == 2
    assert 'class="seg t-academic_credit" style="width:100.0%"' in html


def test_the_charts_in_chinese(learner: Any) -> None:
    html = signed_in(learner, "zh-hans").get(URL).content.decode()
    assert table_rows(html, "by-type-table")[1:] == [["学历教育课程学分", "2.50"], ["其他", "1.50"]]


def test_no_credits_no_charts(make_learner: Any) -> None:
    html = signed_in(make_learner(AccountStatus.VERIFIED)).get(URL).content.decode()
    assert table_rows(html, "by-type-table") == [] and table_rows(html, "by-year-table") == []
    assert "No credits yet" in html
    assert 'data-testid="export"' not in html  # nothing to download


def test_the_entries_newest_first_with_outcome_and_application(learner: Any) -> None:
    html = signed_in(learner).get(URL).content.decode()
    assert seqs(html) == [6, 5, 4, 3, 2, 1]
    rows = table_rows(html, "entries")
    assert rows[0] == ["No.", "Date", "Kind", "Credits", "Outcome", "Application"]
    assert [r[2:] for r in rows[1:]] == [
        ["Expired", "−0.50", "outcome #11 Academic credit", ""],
        ["Reversal (reverses No. 2)", "−2.00", "outcome #12 Online course (MOOC)", ""],
        ["Deposit", "+1.50", "", ""],
        ["Frozen for an application", "1.00 (available → frozen)", "", "application #5"],
        ["Deposit", "+2.00", "outcome #12 Online course (MOOC)", ""],
        ["Deposit", "+3.00", "outcome #11 Academic credit", ""],
    ]
    assert [r[1] for r in rows[1:]][-2:] == ["2026-01-01 00:10", "2025-12-31 23:30"]  # Beijing time
    assert learner.credit_account.entries.first().hash not in html  # hashes: API, statement, verifier


def test_registered_describers_name_and_link_outcomes_and_applications(learner: Any) -> None:
    register_outcome_describer(lambda ids: {11: ("高等数学（上）", "/outcomes/11/")} if 11 in ids else {})
    # application 5 froze credits: a conversion's (a certification describer is not asked for it)
    register_application_describer(lambda ids: {5: ("认证申请 5", "/applications/5/")})
    register_application_describer(lambda ids: {5: ("转换申请 5", "/conversions/")}, family=CONVERSION)
    html = signed_in(learner).get(URL).content.decode()
    assert html.count('<a href="/outcomes/11/">高等数学（上）</a>') == 2
    assert "outcome #12" in html  # the describer did not answer for 12
    assert '<a href="/conversions/">转换申请 5</a>' in html and "认证申请 5" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "deposit"}, [4, 2, 1]),
        ({"type": "mooc"}, [5, 2]),
        ({"type": "unspecified"}, [4, 3]),
        ({"from": "2026-01-01", "to": "2026-01-01"}, [2]),
        ({"to": "2025-12-31"}, [1]),
        ({"kind": "deposit", "type": "academic_credit", "from": "2025-01-01"}, [1]),
        ({"kind": "expiry", "from": "2028-01-01"}, []),
    ],
)
def test_filters(learner: Any, query: dict[str, str], expected: list[int]) -> None:
    response = signed_in(learner).get(URL, query)
    html = response.content.decode()
    assert response.status_code == 200
    assert seqs(html) == expected
    if not expected:
        assert "No entries match this filter." in html
    # the balances and charts stay those of the whole account
    assert '<strong data-testid="total">4.00</strong>' in html


def test_the_export_link_carries_the_filter(learner: Any) -> None:
    client = signed_in(learner)
    html = client.get(URL).content.decode()
    assert '<a href="/credits/export.csv" data-testid="export" download>Download all entries (CSV)</a>' in html
    html = client.get(URL, {"kind": "deposit", "type": "academic_credit", "to": "2026-12-31"}).content.decode()
    assert (
        '<a href="/credits/export.csv?kind=deposit&amp;type=academic_credit&amp;to=2026-12-31" data-testid="export" '
        "download>Download these entries (CSV)</a>"
    ) in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-02-01", "to": "2026-01-31"}, "to", "The end date must not be before the start date."),
        ({"from": "2026-13-01"}, "from", "Enter a valid date."),
        ({"to": "yesterday"}, "to", "Enter a valid date."),
        ({"type": "poetry"}, "type", "Select a valid choice. poetry is not one of the available choices."),
        ({"kind": "gift"}, "kind", "Select a valid choice. gift is not one of the available choices."),
    ],
)
def test_a_wrong_filter_is_told_next_to_its_field(
    learner: Any, query: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(learner).get(URL, query)
    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, field) == [message]
    assert seqs(html) == [] and 'data-testid="filter-invalid"' in html
    assert 'data-testid="export"' not in html


def test_every_wrong_field_at_once(learner: Any) -> None:
    html = signed_in(learner).get(URL, {"from": "2026-02-01", "to": "2026-01-31", "type": "poetry"}).content.decode()
    assert field_errors(html, "type") == ["Select a valid choice. poetry is not one of the available choices."]
    assert field_errors(html, "to") == ["The end date must not be before the start date."]
    html = signed_in(learner).get(URL, {"from": "bad", "to": "bad"}).content.decode()
    assert field_errors(html, "from") == ["Enter a valid date."] and field_errors(html, "to") == ["Enter a valid date."]


def test_paging_keeps_the_filter(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    for _ in range(23):
        ledger_post(user=user, kind="deposit", amount="1", outcome_type="mooc")
    ledger_post(user=user, kind="freeze", amount="1")
    client = signed_in(user)
    first = client.get(URL, {"kind": "deposit"}).content.decode()
    assert seqs(first) == list(range(23, 3, -1))
    assert '<a href="?kind=deposit&amp;page=2" rel="next">Older</a>' in first
    assert "Page 1 of 2" in first and "23 entries" in first
    second = client.get(URL, {"kind": "deposit", "page": "2"}).content.decode()
    assert seqs(second) == [3, 2, 1]
    assert '<a href="?kind=deposit&amp;page=1" rel="prev">Newer</a>' in second
    unfiltered = client.get(URL, {"page": "2"}).content.decode()
    assert seqs(unfiltered) == [4, 3, 2, 1]
    assert '<a href="?page=1" rel="prev">Newer</a>' in unfiltered


def test_an_unverified_account_is_told_what_is_missing(make_learner: Any) -> None:
    html = signed_in(make_learner(AccountStatus.ACTIVATED)).get(URL).content.decode()
    assert 'data-testid="not-verified"' in html
    assert 'data-testid="balances"' not in html


def test_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302


def test_the_dashboard_shows_a_verified_learners_balances(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    ledger_post(user=user, kind="deposit", amount="3.25")
    html = signed_in(user).get("/").content.decode()
    assert 'data-testid="dashboard-credits"' in html and "3.25" in html
    other = signed_in(make_learner(AccountStatus.ACTIVATED)).get("/").content.decode()
    assert 'data-testid="dashboard-credits"' not in other
