"""The outcome's fields: decimal strings, levels, results, dates, codes (exact refusals)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.outcomes.domain import fields as f
from creditbank.outcomes.errors import ErrorCode

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("raw", "expected"), [("4.5", "4.50"), ("4", "4.00"), ("0.01", "0.01"), ("300", "300.00"), (" 12.25 ", "12.25")]
)
def test_credits_accepted(raw: str, expected: str) -> None:
    assert f"{f.credits(raw)}" == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0",
        "0.00",
        "-1",
        "+1",
        "1e2",
        "1E2",
        "NaN",
        "nan",
        "Infinity",
        "4.555",
        "1,000",
        "300.01",
        "99999999",
        "４",
        ".5",
        "5.",
        4.5,
        4,
        None,
        True,
    ],
)
def test_credits_refused(raw: object) -> None:
    with pytest.raises(f.FieldError) as refused:
        f.credits(raw)
    assert (refused.value.code, refused.value.field) == (ErrorCode.CREDITS_INVALID, "credits")


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=2))
def test_every_two_place_amount_in_range_round_trips(amount: Decimal) -> None:
    assert f.credits(f"{amount:.2f}") == amount


@given(st.text(max_size=12))
def test_arbitrary_text_is_either_a_clean_amount_or_refused(text: str) -> None:
    try:
        amount = f.credits(text)
    except f.FieldError as refused:
        assert refused.code is ErrorCode.CREDITS_INVALID
    else:
        assert Decimal("0") < amount <= f.MAX_CREDITS and amount == amount.quantize(Decimal("0.01"))
        assert "e" not in text.lower() and "-" not in text


def test_hours_are_optional_and_bounded() -> None:
    assert f.hours("") is None and f.hours(None) is None
    assert f.hours("32") == Decimal("32.00")
    with pytest.raises(f.FieldError) as refused:
        f.hours("20000.01")
    assert refused.value.code is ErrorCode.HOURS_INVALID


@pytest.mark.parametrize(("raw", "expected"), [(1, 1), (10, 10), ("7", 7), (None, None), ("", None)])
def test_levels(raw: object, expected: int | None) -> None:
    assert f.level(raw) == expected


@pytest.mark.parametrize("raw", [0, 11, -1, "x", 3.0, True, "5.5"])
def test_levels_refused(raw: object) -> None:
    with pytest.raises(f.FieldError) as refused:
        f.level(raw)
    assert refused.value.code is ErrorCode.LEVEL_INVALID


@pytest.mark.parametrize(
    ("raw", "normalised", "passing"),
    [
        ({"scheme": "percentage", "value": "86"}, ("percentage", "86.00"), True),
        ({"scheme": "percentage", "value": "59.99"}, ("percentage", "59.99"), False),
        ({"scheme": "five_level", "value": "良"}, ("five_level", "良"), True),
        ({"scheme": "five_level", "value": "Fail"}, ("five_level", "不及格"), False),
        ({"scheme": "pass_fail", "value": "PASS"}, ("pass_fail", "pass"), True),
        ({"scheme": "gpa4", "value": "3.7"}, ("gpa4", "3.70"), True),
        ({"scheme": "gpa4", "value": "0.5"}, ("gpa4", "0.50"), False),
    ],
)
def test_results(raw: dict[str, str], normalised: tuple[str, str], passing: bool) -> None:
    result = f.result(raw)
    assert result is not None
    assert (result.scheme.value, result.value, result.passing) == (*normalised, passing)


@pytest.mark.parametrize(
    "raw",
    [
        {"scheme": "percentage", "value": "101"},
        {"scheme": "percentage", "value": 86},
        {"scheme": "gpa4", "value": "4.3"},
        {"scheme": "five_level", "value": "A"},
        {"scheme": "letters", "value": "A"},
        {"scheme": "pass_fail"},
        {"scheme": "pass_fail", "value": "pass", "extra": 1},
        "86",
    ],
)
def test_results_refused(raw: object) -> None:
    with pytest.raises(f.FieldError) as refused:
        f.result(raw)
    assert refused.value.code is ErrorCode.RESULT_INVALID


def test_dates() -> None:
    assert f.dates("2025-07-01", "", today=TODAY) == (date(2025, 7, 1), None)
    assert f.dates("2025-07-01", "2028-07-01", today=TODAY) == (date(2025, 7, 1), date(2028, 7, 1))
    for achieved, expires, field in [
        ("2026-12-04", "", "achieved_on"),
        ("2025-02-30", "", "achieved_on"),
        ("25-07-01", "", "achieved_on"),
        ("", "", "achieved_on"),
        ("2025-07-01", "2025-07-01", "expires_on"),
        ("1899-12-31", "", "achieved_on"),
    ]:
        with pytest.raises(f.FieldError) as refused:
            f.dates(achieved, expires, today=TODAY)
        assert (refused.value.code, refused.value.field) == (ErrorCode.DATE_INVALID, field)


def test_codes() -> None:
    assert f.code(" 1+X-WEB-2 ".replace("+", "")) == "1X-WEB-2"
    assert f.code(None) == ""
    for bad in ("<script>", "a b", "x" * 65, "-lead"):
        with pytest.raises(f.FieldError):
            f.code(bad)


def test_types() -> None:
    assert f.outcome_type("mooc") is f.OutcomeType.MOOC
    with pytest.raises(f.FieldError) as refused:
        f.outcome_type("diploma")
    assert refused.value.code is ErrorCode.OUTCOME_TYPE_INVALID
