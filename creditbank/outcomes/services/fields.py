"""An outcome's fields as a person or an institution's system sends them, checked all at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError
from creditbank.kernel.text import clean_text
from creditbank.outcomes.domain import fields as f
from creditbank.outcomes.errors import ErrorCode

MESSAGES: dict[ErrorCode, Any] = {
    ErrorCode.OUTCOME_TYPE_INVALID: _("Choose the outcome's type from the list."),
    ErrorCode.CREDITS_INVALID: _(
        "Enter the credits as a number greater than 0 and at most 300, with at most two decimal places (for example 4.5)."
    ),
    ErrorCode.HOURS_INVALID: _(
        "Enter the hours as a number greater than 0 and at most 20000, with at most two decimal places."
    ),
    ErrorCode.LEVEL_INVALID: _("The level is a whole number from 1 to 10 (the qualification framework)."),
    ErrorCode.RESULT_INVALID: _(
        "Give the result in its scheme: a percentage 0–100, 优/良/中/及格/不及格, pass or fail, or a GPA 0–4."
    ),
    ErrorCode.DATE_INVALID: _(
        "Enter a date as YYYY-MM-DD: the date achieved is not in the future, and an expiry date comes after it."
    ),
    ErrorCode.OUTCOME_CODE_INVALID: _("A code has letters, digits and - _ . / only, at most 64 characters."),
}
FIELDS = ("type", "title", "code", "issuer", "achieved_on", "credits", "hours", "result", "level", "expires_on")


@dataclass(frozen=True)
class CleanOutcome:
    type: str
    title: str
    code: str
    issuer: str
    achieved_on: date
    expires_on: date | None
    credits: Decimal
    hours: Decimal | None
    result: f.Result | None
    level: int | None

    def columns(self) -> dict[str, Any]:
        """The Outcome model's columns (the issuer is resolved by the caller)."""
        return {
            "type": self.type,
            "title": self.title,
            "code": self.code,
            "achieved_on": self.achieved_on,
            "expires_on": self.expires_on,
            "credits": self.credits,
            "hours": self.hours,
            "result_scheme": self.result.scheme.value if self.result else "",
            "result_value": self.result.value if self.result else "",
            "level": self.level,
        }


def field_error(refused: f.FieldError) -> DomainError:
    extra = {"allowed": [t.value for t in f.OutcomeType]} if refused.code is ErrorCode.OUTCOME_TYPE_INVALID else None
    return DomainError(refused.code, MESSAGES[refused.code], field=refused.field, extra=extra)


def outcome_clean(data: Mapping[str, Any], *, today: date, issuer_required: bool = True) -> CleanOutcome:
    """Every field of ``data`` checked; all refusals at once (``DomainError.combine``)."""
    errors: list[DomainError] = []
    values: dict[str, Any] = {}

    def check(name: str, fn: Any) -> None:
        try:
            values[name] = fn()
        except f.FieldError as refused:
            errors.append(field_error(refused))
        except DomainError as refused:
            errors.append(refused)

    check("type", lambda: f.outcome_type(data.get("type")).value)
    check("title", lambda: clean_text(data.get("title"), field="title", max_length=200, required=True))
    check("code", lambda: f.code(data.get("code")))
    check("issuer", lambda: clean_text(data.get("issuer"), field="issuer", max_length=200, required=issuer_required))
    check("dates", lambda: f.dates(data.get("achieved_on"), data.get("expires_on"), today=today))
    check("credits", lambda: f.credits(data.get("credits")))
    check("hours", lambda: f.hours(data.get("hours")))
    check("result", lambda: f.result(data.get("result")))
    check("level", lambda: f.level(data.get("level")))
    if errors:
        raise DomainError.combine(errors)
    achieved_on, expires_on = values.pop("dates")
    return CleanOutcome(achieved_on=achieved_on, expires_on=expires_on, **values)
