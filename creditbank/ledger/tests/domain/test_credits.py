"""Credit amounts: two decimal places, refused rather than rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.ledger.domain.credits import CreditsError, credits, credits_str, positive_credits
from creditbank.ledger.errors import ErrorCode


@pytest.mark.parametrize(
    ("value", "expected"), [("4.5", "4.50"), (3, "3.00"), (Decimal("0.01"), "0.01"), (" 2 ", "2.00")]
)
def test_accepted(value: object, expected: str) -> None:
    assert credits_str(credits(value)) == expected


@pytest.mark.parametrize("value", ["4.555", 1.5, "NaN", "Infinity", "abc", "", True, None, "10000000000.00"])
def test_refused(value: object) -> None:
    with pytest.raises(CreditsError) as caught:
        credits(value)
    assert caught.value.code == ErrorCode.AMOUNT_INVALID


@pytest.mark.parametrize("value", ["0", "-1.00", "-0.01"])
def test_posted_amounts_are_positive(value: str) -> None:
    with pytest.raises(CreditsError):
        positive_credits(value)


@given(st.decimals(min_value=Decimal("-9999999999.99"), max_value=Decimal("9999999999.99"), places=2))
def test_round_trip(value: Decimal) -> None:
    assert credits(credits_str(value)) == value
