"""entry_filter and entries_of: which entries a filter selects (exact rows), and every wrong field at once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from creditbank.kernel.errors import DomainError
from creditbank.ledger.models import CreditAccount
from creditbank.ledger.selectors import EntryFilter, credit_account_of, entries_of, entry_filter
from tests.ledger_entries import small_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(make_learner: Any) -> CreditAccount:
    user = make_learner()
    small_ledger(user)
    found = credit_account_of(user)
    assert found is not None
    return found


def seqs(account: CreditAccount, **filters: Any) -> list[int]:
    return list(entries_of(account, entry_filter(**filters)).values_list("seq", flat=True))


def test_no_filter_is_every_entry_newest_first(account: CreditAccount) -> None:
    assert seqs(account) == [6, 5, 4, 3, 2, 1]
    assert list(entries_of(account).values_list("seq", flat=True)) == [6, 5, 4, 3, 2, 1]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "deposit"}, [4, 2, 1]),
        ({"kind": "reversal"}, [5]),
        ({"kind": "conversion_debit"}, []),
        ({"outcome_type": "mooc"}, [5, 2]),  # a reversal keeps the reversed entry's type
        ({"outcome_type": "academic_credit"}, [6, 1]),
        ({"outcome_type": "unspecified"}, [4, 3]),
        ({"outcome_type": "award"}, []),
        # days are Beijing's: 00:10 on 1 January is in 2026 although it is 31 December in UTC
        ({"day_from": date(2026, 1, 1)}, [6, 5, 4, 3, 2]),
        ({"day_to": date(2025, 12, 31)}, [1]),
        ({"day_from": date(2026, 1, 1), "day_to": date(2026, 1, 1)}, [2]),
        ({"day_from": date(2026, 3, 5), "day_to": date(2027, 2, 1)}, [5, 4, 3]),
        ({"kind": "deposit", "outcome_type": "academic_credit", "day_to": date(2025, 12, 31)}, [1]),
        ({"kind": "deposit", "day_from": date(2027, 1, 1)}, []),
    ],
)
def test_filters_select_exactly(account: CreditAccount, filters: dict[str, Any], expected: list[int]) -> None:
    assert seqs(account, **filters) == expected


def test_another_learners_entries_never_appear(account: CreditAccount, make_learner: Any) -> None:
    small_ledger(make_learner())
    assert seqs(account, kind="deposit") == [4, 2, 1]


def test_no_account_has_no_entries() -> None:
    assert list(entries_of(None, entry_filter(kind="deposit"))) == []


def test_the_filter_as_a_query() -> None:
    assert EntryFilter().query() == {}
    assert entry_filter(
        kind="deposit", outcome_type="mooc", day_from=date(2026, 1, 2), day_to=date(2026, 2, 3)
    ).query() == {
        "kind": "deposit",
        "type": "mooc",
        "from": "2026-01-02",
        "to": "2026-02-03",
    }


def test_every_wrong_field_is_named_at_once() -> None:
    with pytest.raises(DomainError) as refused:
        entry_filter(kind="gift", outcome_type="poetry", day_from=date(2026, 2, 1), day_to=date(2026, 1, 31))
    assert refused.value.code == "kind_invalid"
    assert set(refused.value.errors) == {"kind", "type", "to"}
    assert refused.value.status == 400


@pytest.mark.parametrize(
    ("filters", "code", "field"),
    [
        ({"kind": "gift"}, "kind_invalid", "kind"),
        ({"outcome_type": "poetry"}, "choice_invalid", "type"),
        ({"outcome_type": "Academic_Credit"}, "choice_invalid", "type"),
        ({"day_from": date(2026, 1, 2), "day_to": date(2026, 1, 1)}, "date_range_invalid", "to"),
    ],
)
def test_each_refusal(filters: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        entry_filter(**filters)
    assert (refused.value.code, list(refused.value.errors)) == (code, [field])


def test_the_refusals_name_what_is_allowed() -> None:
    with pytest.raises(DomainError) as kind:
        entry_filter(kind="gift")
    assert kind.value.extra["allowed"] == [
        "deposit",
        "freeze",
        "unfreeze",
        "conversion_debit",
        "conversion_credit",
        "reversal",
        "expiry",
    ]
    with pytest.raises(DomainError) as outcome_type:
        entry_filter(outcome_type="poetry")
    assert outcome_type.value.extra["allowed"] == [
        "academic_credit",
        "vocational_certificate",
        "non_formal",
        "mooc",
        "work_experience",
        "award",
        "unspecified",
    ]


def test_one_day_is_a_valid_range() -> None:
    assert entry_filter(day_from=date(2026, 1, 1), day_to=date(2026, 1, 1)) == EntryFilter(
        day_from=date(2026, 1, 1), day_to=date(2026, 1, 1)
    )
