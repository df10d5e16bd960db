"""``GET /me/pathways``: where the learner's certified outcomes would count (转换路径), every
programme best first, each line with its rule, its decision and that decision in words."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from creditbank.accounts.actor import actor
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel.api_schemas import problems
from creditbank.rules import plain, services
from creditbank.rules.api.schemas import DecisionOut, RuleRefOut, decision_out, rule_ref

router = Router()


class PathwayLineOut(Schema):
    rule: RuleRefOut
    credits: str
    outcome_ids: list[int]
    exempts_course: str | None
    #: the rule in the request's language (``rules.plain.describe_rule``)
    description: list[str]
    #: each line of the decision's trace in the request's language (``rules.plain.explain_check``)
    explanation: list[str]
    decision: DecisionOut


class PathwayCourseOut(Schema):
    code: str
    name: str


class PathwayOut(Schema):
    institution: str
    institution_name: str
    programme: str
    programme_name: str
    #: the programme's total credits (null when the programme is not published)
    total_credits: str | None
    #: credits of the learner's approved and pending conversions into the programme
    held: str
    #: credits the lines would add
    credits: str
    #: (held + credits) / total credits in percent, one decimal place, at most 100 (null without a total)
    progress: str | None
    courses: list[PathwayCourseOut]
    lines: list[PathwayLineOut]


class PathwayListOut(Schema):
    items: list[PathwayOut]
    count: int


def pathway_out(p: services.Pathway) -> dict[str, Any]:
    return {
        "institution": p.institution,
        "institution_name": p.institution_name,
        "programme": p.programme,
        "programme_name": p.programme_name,
        "total_credits": f"{p.total_credits:.2f}" if p.total_credits is not None else None,
        "held": f"{p.held:.2f}",
        "credits": f"{p.credits:.2f}",
        "progress": f"{p.progress}" if p.progress is not None else None,
        "courses": [{"code": code, "name": name} for code, name in p.courses],
        "lines": [
            {
                "rule": rule_ref(line.rule),
                "credits": f"{line.credits:.2f}",
                "outcome_ids": list(line.outcome_ids),
                "exempts_course": line.decision.exempts_course,
                "description": plain.describe_rule(line.record, names=p.names),
                "explanation": [plain.explain_check(c, names=p.names) for c in line.decision.trace],
                "decision": decision_out(line.decision),
            }
            for line in p.lines
        ],
    }


@router.get("/me/pathways", response={200: PathwayListOut, **problems(401, 403)})
def pathway_list(request: HttpRequest) -> Any:
    """Every programme whose published rules in force would accept some of the learner's
    certified outcomes: the credits they would earn there (one outcome counted once per
    programme, rules taken greedily by credits) and the courses they would exempt, best first.
    Nothing is written; apply with ``POST /me/conversions``."""
    user = actor(request)
    user_require_verified(user)
    items = [pathway_out(p) for p in services.pathways(user)]
    return {"items": items, "count": len(items)}
