"""The fields of an institution's programmes (专业) and their courses, checked without Django.

Codes are the institution's own, as it prints them on transcripts, and appear in paths
(``/api/v1/institutions/{code}/programmes/{programme}``) and in conversion rules' targets: one to
64 ASCII letters, digits and ``. _ -``, starting with a letter or digit. That is the rule of
outcome codes without the ``/``, which a path segment cannot hold. They are kept as given: ``CS``
and ``cs`` are different codes.

Credits are decimal strings (``"160"``, ``"4.5"``): digits with at most one point and two decimal
places, nothing else (no sign, exponent, ``NaN`` or separator), greater than zero and at most
:data:`MAX_PROGRAMME_CREDITS` for the credits a programme requires to graduate, at most
:data:`MAX_COURSE_CREDITS` for one course (the largest amount an outcome may carry).
"""

from __future__ import annotations

import re
from decimal import Decimal

from creditbank.institutions.errors import ErrorCode

MAX_PROGRAMME_CREDITS = Decimal("1000.00")
MAX_COURSE_CREDITS = Decimal("300.00")
LEVELS = range(1, 11)
CODE_PATTERN = r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}"
_CODE = re.compile(rf"\A{CODE_PATTERN}\Z")
_DECIMAL = re.compile(r"\A[0-9]{1,7}(\.[0-9]{1,2})?\Z")


class ProgrammeFieldError(ValueError):
    """A refused field: ``code`` (an :class:`ErrorCode`) and the ``field`` it concerns."""

    def __init__(self, code: ErrorCode, field: str) -> None:
        super().__init__(f"{field}: {code.value}")
        self.code = code
        self.field = field


def programme_code(value: object, *, field: str = "code") -> str:
    return _code(value, field=field, error=ErrorCode.PROGRAMME_CODE_INVALID)


def course_code(value: object, *, field: str = "code") -> str:
    return _code(value, field=field, error=ErrorCode.COURSE_CODE_INVALID)


def _code(value: object, *, field: str, error: ErrorCode) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not _CODE.match(text):
        raise ProgrammeFieldError(error, field)
    return text


def programme_credits(value: object, *, field: str = "total_credits") -> Decimal:
    return _amount(value, field=field, error=ErrorCode.PROGRAMME_CREDITS_INVALID, maximum=MAX_PROGRAMME_CREDITS)


def course_credits(value: object, *, field: str = "credits") -> Decimal:
    return _amount(value, field=field, error=ErrorCode.COURSE_CREDITS_INVALID, maximum=MAX_COURSE_CREDITS)


def _amount(value: object, *, field: str, error: ErrorCode, maximum: Decimal) -> Decimal:
    """A decimal string (a :class:`Decimal` from Python callers is taken as its string)."""
    text = str(value).strip() if isinstance(value, str | Decimal) else ""
    if not _DECIMAL.match(text):
        raise ProgrammeFieldError(error, field)
    amount = Decimal(text).quantize(Decimal("0.01"))
    if not Decimal(0) < amount <= maximum:
        raise ProgrammeFieldError(error, field)
    return amount


def level(value: object, *, field: str = "level") -> int | None:
    """A level of the 1–10 qualification framework (a whole number, or its digits as text), or
    None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
        raise ProgrammeFieldError(ErrorCode.PROGRAMME_LEVEL_INVALID, field)
    return value
