"""credits_by_year: the change of the credits held in each (Beijing) year, by outcome type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from creditbank.ledger.selectors import YearCredits, credit_account_of, credit_balances, credits_by_year
from tests.ledger_entries import post_at, small_ledger

pytestmark = pytest.mark.django_db
D = Decimal


def test_by_year_and_type(make_learner: Any) -> None:
    user = make_learner()
    small_ledger(user)
    years = credits_by_year(credit_account_of(user))
    assert years == [
        YearCredits(2025, {"academic_credit": D("3.00")}),
        # the freeze moves credits between the learner's own sub-accounts: no change
        YearCredits(2026, {"mooc": D("2.00"), "unspecified": D("1.50")}),
        YearCredits(2027, {"academic_credit": D("-0.50"), "mooc": D("-2.00")}),
    ]
    assert [y.total for y in years] == [D("3.00"), D("3.50"), D("-2.50")]


def test_summed_over_the_years_each_type_is_its_holding(make_learner: Any) -> None:
    user = make_learner()
    small_ledger(user)
    account = credit_account_of(user)
    sums: dict[str, Decimal] = {}
    for year in credits_by_year(account):
        for key, value in year.by_type.items():
            sums[key] = sums.get(key, D("0")) + value
    held = credit_balances(account)
    assert (
        {k: v for k, v in sums.items() if v} == held.by_type == {"academic_credit": D("2.50"), "unspecified": D("1.50")}
    )
    assert sum(sums.values()) == held.total == D("4.00")


def test_a_year_whose_changes_cancel_shows_zero(make_learner: Any) -> None:
    user = make_learner()
    deposit = post_at("2026-05-01 12:00", user=user, kind="deposit", amount="1.25", outcome_type="award")
    post_at("2026-05-02 12:00", user=user, kind="reversal", amount=None, reverses=deposit)
    assert credits_by_year(credit_account_of(user)) == [YearCredits(2026, {"award": D("0.00")})]


def test_only_moves_inside_the_account_give_no_year(make_learner: Any) -> None:
    user = make_learner()
    post_at("2026-05-01 12:00", user=user, kind="deposit", amount="2", outcome_type="mooc")
    post_at("2027-05-01 12:00", user=user, kind="freeze", amount="1")
    post_at("2027-06-01 12:00", user=user, kind="unfreeze", amount="1")
    assert credits_by_year(credit_account_of(user)) == [YearCredits(2026, {"mooc": D("2.00")})]


def test_no_account_no_years() -> None:
    assert credits_by_year(None) == []
