"""The fields of a learning outcome (../shared/API.md), checked without Django.

Each function takes what a person or an institution's system sent and gives the clean value or
raises :class:`FieldError` naming the field and a code of ``outcomes.errors.ErrorCode``.
Credits and hours are decimal strings (``"4.5"``, ``"4.50"``): digits, at most one point and two
decimal places, nothing else (no sign, no exponent, no ``NaN``, no thousands separator), greater
than zero and at most :data:`MAX_CREDITS` / :data:`MAX_HOURS`. ``today`` is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from creditbank.outcomes.errors import ErrorCode


class OutcomeType(StrEnum):
    ACADEMIC_CREDIT = "academic_credit"
    VOCATIONAL_CERTIFICATE = "vocational_certificate"  # incl. 1+X skill-level certificates
    NON_FORMAL = "non_formal"
    MOOC = "mooc"
    WORK_EXPERIENCE = "work_experience"
    AWARD = "award"


class Scheme(StrEnum):
    PERCENTAGE = "percentage"  # 0–100, at most two decimal places; 60 passes
    FIVE_LEVEL = "five_level"  # 优 良 中 及格 不及格
    PASS_FAIL = "pass_fail"  # noqa: S105 (pass, fail: not a password)
    GPA4 = "gpa4"  # 0.00–4.00; 1.00 passes


#: The five-level scheme's values, best first, and their English names (also accepted).
FIVE_LEVELS = ("优", "良", "中", "及格", "不及格")
FIVE_LEVEL_ALIASES = {"excellent": "优", "good": "良", "fair": "中", "pass": "及格", "fail": "不及格"}
MAX_CREDITS = Decimal("300.00")
MAX_HOURS = Decimal("20000.00")
LEVELS = range(1, 11)
PERCENT_PASS = Decimal("60")
GPA_PASS = Decimal("1.00")
_DECIMAL = re.compile(r"\A[0-9]{1,7}(\.[0-9]{1,2})?\Z")
_DATE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
#: course and certificate codes: letters, digits and - _ . / (as issuers print them)
_CODE = re.compile(r"\A[0-9A-Za-z][0-9A-Za-z._/-]{0,63}\Z")


class FieldError(ValueError):
    def __init__(self, code: ErrorCode, field: str, detail: str = "") -> None:
        super().__init__(f"{field}: {detail or code.value}")
        self.code = code
        self.field = field
        self.detail = detail


def outcome_type(value: object, *, field: str = "type") -> OutcomeType:
    try:
        return OutcomeType(str(value))
    except ValueError:
        raise FieldError(ErrorCode.OUTCOME_TYPE_INVALID, field) from None


def _amount(value: object, *, field: str, code: ErrorCode, maximum: Decimal) -> Decimal:
    if not isinstance(value, str) or not _DECIMAL.match(value.strip()):
        raise FieldError(code, field, "a decimal string with at most two decimal places")
    amount = Decimal(value.strip()).quantize(Decimal("0.01"))
    if amount <= 0:
        raise FieldError(code, field, "greater than zero")
    if amount > maximum:
        raise FieldError(code, field, f"at most {maximum}")
    return amount


def credits(value: object, *, field: str = "credits") -> Decimal:
    return _amount(value, field=field, code=ErrorCode.CREDITS_INVALID, maximum=MAX_CREDITS)


def hours(value: object, *, field: str = "hours") -> Decimal | None:
    if value is None or value == "":
        return None
    return _amount(value, field=field, code=ErrorCode.HOURS_INVALID, maximum=MAX_HOURS)


def level(value: object, *, field: str = "level") -> int | None:
    """A level of the 1–10 qualification framework, or None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError(ErrorCode.LEVEL_INVALID, field)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value not in LEVELS:
        raise FieldError(ErrorCode.LEVEL_INVALID, field)
    return value


@dataclass(frozen=True)
class Result:
    scheme: Scheme
    value: str

    @property
    def passing(self) -> bool:
        if self.scheme is Scheme.PERCENTAGE:
            return Decimal(self.value) >= PERCENT_PASS
        if self.scheme is Scheme.GPA4:
            return Decimal(self.value) >= GPA_PASS
        if self.scheme is Scheme.FIVE_LEVEL:
            return self.value != "不及格"
        return self.value == "pass"

    def as_dict(self) -> dict[str, str]:
        return {"scheme": self.scheme.value, "value": self.value}


def result(value: object, *, field: str = "result") -> Result | None:
    """``{"scheme", "value"}`` in one of the :class:`Scheme` schemes, normalised (percentages and
    GPAs with two decimal places, five-level values in Chinese); None when not given."""
    if value is None or value == {}:
        return None
    if not isinstance(value, dict) or set(value) != {"scheme", "value"}:
        raise FieldError(ErrorCode.RESULT_INVALID, field, 'an object {"scheme", "value"}')
    try:
        scheme = Scheme(str(value["scheme"]))
    except ValueError:
        raise FieldError(ErrorCode.RESULT_INVALID, field, "unknown scheme") from None
    raw = value["value"]
    text = raw.strip() if isinstance(raw, str) else ""
    if scheme in (Scheme.PERCENTAGE, Scheme.GPA4):
        top = Decimal("100") if scheme is Scheme.PERCENTAGE else Decimal("4")
        if not _DECIMAL.match(text) or Decimal(text) > top:
            raise FieldError(ErrorCode.RESULT_INVALID, field, f"a decimal string from 0 to {top}")
        return Result(scheme, f"{Decimal(text).quantize(Decimal('0.01'))}")
    if scheme is Scheme.FIVE_LEVEL:
        text = FIVE_LEVEL_ALIASES.get(text.lower(), text)
        if text not in FIVE_LEVELS:
            raise FieldError(ErrorCode.RESULT_INVALID, field, "one of 优 良 中 及格 不及格")
        return Result(scheme, text)
    if text.lower() not in ("pass", "fail"):
        raise FieldError(ErrorCode.RESULT_INVALID, field, "pass or fail")
    return Result(scheme, text.lower())


def day(value: object, *, field: str, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            raise FieldError(ErrorCode.DATE_INVALID, field, "a date YYYY-MM-DD")
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        raise FieldError(ErrorCode.DATE_INVALID, field, "a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(ErrorCode.DATE_INVALID, field, "not a date in the calendar") from None


def dates(achieved: object, expires: object, *, today: date) -> tuple[date, date | None]:
    """``achieved_on`` (not in the future, not before 1900) and ``expires_on`` (after it)."""
    achieved_on = day(achieved, field="achieved_on")
    assert achieved_on is not None
    if achieved_on > today or achieved_on.year < 1900:
        raise FieldError(ErrorCode.DATE_INVALID, "achieved_on", "not in the future")
    expires_on = day(expires, field="expires_on", required=False)
    if expires_on is not None and expires_on <= achieved_on:
        raise FieldError(ErrorCode.DATE_INVALID, "expires_on", "after the date achieved")
    return achieved_on, expires_on


def code(value: object, *, field: str = "code") -> str:
    """A course or certificate code ('' when not given)."""
    if value is None:
        return ""
    text = str(value).strip()
    if text and not _CODE.match(text):
        raise FieldError(ErrorCode.OUTCOME_CODE_INVALID, field)
    return text
