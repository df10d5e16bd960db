from datetime import date

import pytest

from creditbank.profiles.domain.months import MonthError, check_period, format_month, parse_month

TODAY = date(2026, 12, 1)


def test_parse_and_format() -> None:
    assert parse_month("2019-09") == date(2019, 9, 1)
    assert format_month(date(2019, 9, 1)) == "2019-09"
    assert format_month(None) is None


@pytest.mark.parametrize("raw", ["", "2019-9", "2019/09", "2019-13", "2019-00", "1899-01", "abcd-ef", "2019-09-01"])
def test_bad_months(raw: str) -> None:
    with pytest.raises(MonthError):
        parse_month(raw)


@pytest.mark.parametrize(
    ("start", "end", "ongoing", "code"),
    [
        (date(2027, 1, 1), None, True, "start_in_future"),
        (date(2020, 1, 1), date(2019, 1, 1), False, "end_before_start"),
        (date(2020, 1, 1), date(2027, 1, 1), False, "end_in_future"),
        (date(2020, 1, 1), date(2021, 1, 1), True, "end_with_ongoing"),
        (date(2020, 1, 1), None, False, "end_required"),
    ],
)
def test_period_rules(start: date, end: date | None, ongoing: bool, code: str) -> None:
    with pytest.raises(MonthError) as info:
        check_period(start=start, end=end, ongoing=ongoing, today=TODAY)
    assert info.value.code == code


def test_this_month_is_allowed() -> None:
    check_period(start=date(2026, 12, 1), end=date(2026, 12, 1), ongoing=False, today=TODAY)
    check_period(start=date(2026, 12, 1), end=None, ongoing=True, today=TODAY)
