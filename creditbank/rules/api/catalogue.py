"""``GET /rules``: published certification standards and conversion rules, each with its ``kind``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from creditbank.kernel.api_schemas import problems
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.outcomes.publication import STANDARD_PREFIX, StandardOut, standard_out, standard_valid_to
from creditbank.outcomes.selectors import standard_get_public, standards_published
from creditbank.rules import selectors
from creditbank.rules.api.schemas import (
    KINDS,
    RULE_PREFIX,
    RuleListOut,
    RuleOut,
    numbered,
    rule_out,
)
from creditbank.rules.errors import ErrorCode

router = Router()


@router.get("/rules", response={200: RuleListOut, **problems(400)}, auth=None)
def rule_list(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    type: str = "",
    owner: str = "",
    institution: str = "",
    programme: str = "",
    code: str = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Published certification standards (``kind: certification_standard``; ``owner`` an
    institution's code or ``bank``) and conversion rules (``kind: conversion_rule``; target
    ``institution`` and ``programme``, a source certificate or course ``code``), every version;
    ``q`` searches codes and titles, ``type`` the outcome type. Standards come first."""
    if kind and kind not in KINDS:
        raise DomainError(
            ErrorCode.RULE_KIND_INVALID, _("kind is certification_standard or conversion_rule."), field="kind"
        )
    q = q[:100]
    standards = (
        standards_published(q=q, outcome_type=type, owner=owner)
        if kind in ("", "certification_standard") and not (institution or programme or code)
        else None
    )
    conversions = (
        selectors.rules_public(q=q, institution=institution, programme=programme, code=code, outcome_type=type)
        if kind in ("", "conversion_rule") and not owner
        else None
    )
    items: list[dict[str, Any]] = []
    count = 0
    if standards is not None:
        rows, n = page(standards, limit=limit, offset=offset)
        items += [standard_out(s, valid_to=standard_valid_to(s)) for s in rows]
        count += n
    if conversions is not None:
        skip = max(offset - count, 0)
        rule_rows, rule_count = (
            page(conversions, limit=limit - len(items), offset=skip)
            if len(items) < limit
            else ([], conversions.count())
        )
        items += [rule_out(r, superseded=selectors.superseded_from(r)) for r in rule_rows]
        count += rule_count
    return {"items": items, "count": count}


@router.get("/rules/{rule_id}", response={200: StandardOut | RuleOut, **problems(404)}, auth=None)
def rule_detail(request: HttpRequest, rule_id: str) -> Any:
    """One version of a standard (``standard-<n>``) or a conversion rule (``rule-<n>``)."""
    standard_id = numbered(rule_id, STANDARD_PREFIX)
    if standard_id is not None:
        s = standard_get_public(standard_id)
        return standard_out(s, valid_to=standard_valid_to(s))
    number = numbered(rule_id, RULE_PREFIX)
    if number is None:
        raise NotFound(_("No such rule."))
    rule = selectors.rule_get_public(number)
    return rule_out(rule, superseded=selectors.superseded_from(rule))
