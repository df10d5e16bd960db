"""Rules, outcome facts and prior conversions for the evaluator's tests, written as briefly as the
API's JSON allows (rules go through ``parse_rule``, so every rule here is a valid one)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from creditbank.rules.domain.evaluator import OutcomeFacts, PriorConversion
from creditbank.rules.domain.grades import grade
from creditbank.rules.domain.rule import RuleVersion, parse_rule

INSTITUTION = "demo-open-univ"
PROGRAMME = "SE01"
AS_OF = date(2026, 10, 15)


def rule(
    *requirements: dict[str, Any],
    combine: str = "any_of",
    n: int | None = None,
    grants: dict[str, Any] | None = None,
    caps: dict[str, Any] | None = None,
    course: str | None = None,
    requires_review: bool = False,
    valid_from: str = "2020-09-01",
    valid_to: str | None = None,
) -> RuleVersion:
    criteria: dict[str, Any] = {"combine": combine, "requirements": list(requirements)}
    if n is not None:
        criteria["n"] = n
    data: dict[str, Any] = {
        "target": {"institution": INSTITUTION, "programme": PROGRAMME, "course": course},
        "criteria": criteria,
        "grants": grants or {"mode": "fixed", "credits": "2"},
        "caps": caps,
        "requires_review": requires_review,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    return parse_rule(data, code="R1", version=1)


def ratio(value: str, step: str = "0.01") -> dict[str, Any]:
    return {"mode": "ratio", "ratio": value, "step": step}


def outcome(
    id: int,
    type: str = "academic_credit",
    *,
    code: str = "MATH1",
    issuer: str = INSTITUTION,
    achieved_on: date = date(2026, 1, 15),
    credits: str = "4",
    expires_on: date | None = None,
    hours: str | None = None,
    level: int | None = None,
    result: tuple[str, str] | None = None,
) -> OutcomeFacts:
    return OutcomeFacts(
        id=id,
        type=type,
        code=code,
        issuer=issuer,
        achieved_on=achieved_on,
        credits=Decimal(credits).quantize(Decimal("0.01")),
        expires_on=expires_on,
        hours=Decimal(hours).quantize(Decimal("0.01")) if hours is not None else None,
        level=level,
        result=grade({"scheme": result[0], "value": result[1]}) if result else None,
    )


def prior(
    *outcome_ids: int,
    credits: str = "2",
    decided_on: date = date(2026, 9, 20),
    institution: str = INSTITUTION,
    programme: str = PROGRAMME,
    issuers: tuple[str, ...] = (INSTITUTION,),
) -> PriorConversion:
    return PriorConversion(institution, programme, Decimal(credits), decided_on, tuple(outcome_ids), issuers)
