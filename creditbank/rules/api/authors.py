"""The authors' endpoints of conversion rules (``/conversion-rules``): an institution's
administrators, bank staff holding the rules role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from creditbank.accounts.actor import actor
from creditbank.kernel.api_schemas import problems
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.rules import selectors, services
from creditbank.rules.api.schemas import (
    ConversionRuleListOut,
    DecisionOut,
    ImportIn,
    ImportOut,
    RuleChangeIn,
    RuleIn,
    RuleOut,
    RuleReviseIn,
    TryIn,
    decision_out,
    rule_out,
)

router = Router()


@router.get("/conversion-rules", response={200: ConversionRuleListOut, **problems(400, 401)})
def author_list(request: HttpRequest, status: str = "", limit: Limit = 50, offset: Offset = 0) -> Any:
    """Every version the caller may edit (drafts first): bank staff with the rules role see all,
    an institution's administrators their institution's."""
    rows, count = page(selectors.rules_for_editor(actor=actor(request), status=status), limit=limit, offset=offset)
    return {"items": [rule_out(r) for r in rows], "count": count}


@router.post("/conversion-rules", response={201: RuleOut, **problems(400, 401, 404, 409)})
def create(request: HttpRequest, payload: RuleIn) -> Any:
    """A new conversion rule (a draft) of the target institution."""
    return Status(201, rule_out(services.rule_create(actor=actor(request), data=payload.dict())))


@router.post("/conversion-rules/preview", response={200: DecisionOut, **problems(400, 401)})
def preview(request: HttpRequest, payload: TryIn) -> Any:
    """What a rule (saved or not) decides for a sample outcome, on ``as_of`` (default today),
    with no prior conversion. Nothing is written."""
    data = payload.dict()
    decision = services.rule_try(actor=actor(request), data=data["rule"], sample=data["sample"], as_of=data["as_of"])
    return decision_out(decision)


@router.post("/conversion-rules/import", response={200: ImportOut, **problems(400, 401)})
def import_rules(request: HttpRequest, payload: ImportIn) -> Any:
    """Rules in bulk (a JSON list of rule objects, as ``POST /conversion-rules`` takes), each
    checked and created on its own; ``errors`` names every refused row. ``publish`` publishes
    each created rule at once."""
    report = services.rules_import(actor=actor(request), rows=payload.rules, publish=payload.publish)
    return {"created": [rule_out(r) for r in report.created], "errors": report.errors}


@router.put("/conversion-rules/{rule_id}", response={200: RuleOut, **problems(400, 401, 404, 409)})
def update(request: HttpRequest, rule_id: int, payload: RuleChangeIn) -> Any:
    """Change a draft (a published version never changes; its code and institution never do)."""
    return rule_out(services.rule_update(actor=actor(request), rule_id=rule_id, data=payload.dict()))


@router.post("/conversion-rules/{rule_id}/publish", response={200: RuleOut, **problems(400, 401, 404, 409)})
def publish(request: HttpRequest, rule_id: int) -> Any:
    return rule_out(services.rule_publish(actor=actor(request), rule_id=rule_id))


@router.post("/conversion-rules/{rule_id}/versions", response={201: RuleOut, **problems(400, 401, 404, 409)})
def revise(request: HttpRequest, rule_id: int, payload: RuleReviseIn) -> Any:
    """A new draft version of a published rule, to edit and publish."""
    return Status(
        201, rule_out(services.rule_revise(actor=actor(request), rule_id=rule_id, valid_from=payload.valid_from))
    )


@router.post("/conversion-rules/{rule_id}/retire", response={200: RuleOut, **problems(401, 404, 409)})
def retire(request: HttpRequest, rule_id: int) -> Any:
    return rule_out(services.rule_retire(actor=actor(request), rule_id=rule_id))
