"""Results in four schemes and how a rule compares them (grade mapping, 成绩换算).

The schemes are the outcome contract's (../shared/API.md ``result``): ``percentage`` (0–100),
``five_level`` (优 良 中 及格 不及格), ``pass_fail`` and ``gpa4`` (0.00–4.00). A rule's minimum
result may be stated in any scheme and an outcome's result in another, so both are mapped to
a percentage-equivalent *floor*, the lowest percentage the result guarantees:

| five_level | 优 90 | 良 80 | 中 70 | 及格 60 | 不及格 0 |
| pass_fail  | pass 60 | fail 0 |
| gpa4       | 0 below 1.00, else 50 + 10 × GPA (4.00 → 90, 3.00 → 80, 1.00 → 60) |

(the common mapping of Chinese universities' 4-point scale). A result meets a minimum when its
floor is at least the minimum's floor: ``pass`` meets ``及格`` but not ``良``, 85 meets ``良``.
Mapping to floors is conservative: a result never counts for more than it certainly shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class GradeError(ValueError):
    pass


class Scheme(StrEnum):
    PERCENTAGE = "percentage"
    FIVE_LEVEL = "five_level"
    PASS_FAIL = "pass_fail"  # noqa: S105 (pass, fail: not a password)
    GPA4 = "gpa4"


FIVE_LEVEL_FLOORS = {"优": Decimal(90), "良": Decimal(80), "中": Decimal(70), "及格": Decimal(60), "不及格": Decimal(0)}
FIVE_LEVEL_ALIASES = {"excellent": "优", "good": "良", "fair": "中", "pass": "及格", "fail": "不及格"}
PASS_FAIL_FLOORS = {"pass": Decimal(60), "fail": Decimal(0)}
_NUMBER = re.compile(r"\A[0-9]{1,3}(\.[0-9]{1,2})?\Z")


@dataclass(frozen=True, order=True)
class Grade:
    scheme: Scheme
    value: str  # normalised: two decimal places for numbers, Chinese for five-level, pass/fail

    def as_dict(self) -> dict[str, str]:
        return {"scheme": self.scheme.value, "value": self.value}

    @property
    def floor(self) -> Decimal:
        """The percentage this result guarantees at least."""
        if self.scheme is Scheme.PERCENTAGE:
            return Decimal(self.value)
        if self.scheme is Scheme.FIVE_LEVEL:
            return FIVE_LEVEL_FLOORS[self.value]
        if self.scheme is Scheme.PASS_FAIL:
            return PASS_FAIL_FLOORS[self.value]
        gpa = Decimal(self.value)
        return Decimal(0) if gpa < 1 else Decimal(50) + 10 * gpa

    def meets(self, minimum: Grade) -> bool:
        return self.floor >= minimum.floor

    def __str__(self) -> str:
        return f"{self.value} ({self.scheme.value})"


def grade(value: object) -> Grade:
    """``{"scheme", "value"}`` as a normalised :class:`Grade`, or :class:`GradeError`."""
    if isinstance(value, Grade):
        return value
    if not isinstance(value, Mapping) or set(value) != {"scheme", "value"}:
        raise GradeError('an object {"scheme", "value"}')
    try:
        scheme = Scheme(str(value["scheme"]))
    except ValueError:
        raise GradeError("scheme: percentage, five_level, pass_fail or gpa4") from None
    raw = value["value"]
    text = raw.strip() if isinstance(raw, str) else ""
    if scheme in (Scheme.PERCENTAGE, Scheme.GPA4):
        top = Decimal(100) if scheme is Scheme.PERCENTAGE else Decimal(4)
        if not _NUMBER.match(text) or Decimal(text) > top:
            raise GradeError(f"a decimal string from 0 to {top}")
        return Grade(scheme, f"{Decimal(text).quantize(Decimal('0.01'))}")
    if scheme is Scheme.FIVE_LEVEL:
        text = FIVE_LEVEL_ALIASES.get(text.lower(), text)
        if text not in FIVE_LEVEL_FLOORS:
            raise GradeError("one of 优 良 中 及格 不及格")
        return Grade(scheme, text)
    if text.lower() not in PASS_FAIL_FLOORS:
        raise GradeError("pass or fail")
    return Grade(scheme, text.lower())
