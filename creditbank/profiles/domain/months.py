"""Year-months (``YYYY-MM``) of education and work history (pure; no Django)."""

from __future__ import annotations

import re
from datetime import date

from creditbank.profiles.errors import ErrorCode

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class MonthError(ValueError):
    def __init__(self, code: ErrorCode) -> None:
        super().__init__(str(code))
        self.code = code


def parse_month(raw: str) -> date:
    """``2019-09`` → date(2019, 9, 1); codes ``month_invalid``."""
    match = _MONTH_RE.match((raw or "").strip())
    if not match:
        raise MonthError(ErrorCode.MONTH_INVALID)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1900 <= year <= 2200 or not 1 <= month <= 12:
        raise MonthError(ErrorCode.MONTH_INVALID)
    return date(year, month, 1)


def format_month(value: date | None) -> str | None:
    return None if value is None else f"{value.year:04d}-{value.month:02d}"


def check_period(*, start: date, end: date | None, ongoing: bool, today: date) -> None:
    """End not before start; neither in the future (unless the entry is ongoing, then no end).

    Codes: ``start_in_future``, ``end_before_start``, ``end_in_future``, ``end_with_ongoing``,
    ``end_required``.
    """
    this_month = date(today.year, today.month, 1)
    if start > this_month:
        raise MonthError(ErrorCode.START_IN_FUTURE)
    if ongoing:
        if end is not None:
            raise MonthError(ErrorCode.END_WITH_ONGOING)
        return
    if end is None:
        raise MonthError(ErrorCode.END_REQUIRED)
    if end < start:
        raise MonthError(ErrorCode.END_BEFORE_START)
    if end > this_month:
        raise MonthError(ErrorCode.END_IN_FUTURE)
