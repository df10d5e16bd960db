"""``GET /rules`` (certification standards and conversion rules, each with its ``kind``), and
the authors' endpoints for conversion rules (``/conversion-rules``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import StrictBool

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.errors import DomainError, NotFound, PermissionDenied
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.outcomes.publication import STANDARD_PREFIX, StandardOut, standard_out, standard_valid_to
from creditbank.outcomes.selectors import standard_get_public, standards_published
from creditbank.reviews.errors import ErrorCode as ReviewsCode
from creditbank.reviews.schemas import DecisionIn, decision_arguments
from creditbank.rules import selectors, services
from creditbank.rules.errors import ErrorCode
from creditbank.rules.models import ConversionApplication, ConversionRule

router = Router()
RULE_PREFIX = "rule-"
KINDS = ("certification_standard", "conversion_rule")


class TargetOut(Schema):
    institution: str
    programme: str
    course: str | None


class RuleOut(Schema):
    #: ``rule-<n>``: one version of a conversion rule
    id: str
    kind: str
    series: str
    code: str
    version: int
    status: str
    target: TargetOut
    criteria: dict[str, Any]
    grants: dict[str, Any]
    caps: dict[str, Any]
    requires_review: bool
    valid_from: date
    valid_to: date | None
    #: the day the next published version takes over (None: none has)
    superseded_from: date | None
    hash: str
    published_at: datetime | None


class RuleListOut(Schema):
    items: list[StandardOut | RuleOut]
    count: int


class ConversionRuleListOut(Schema):
    items: list[RuleOut]
    count: int


class TargetIn(InputSchema):
    institution: str = ""
    programme: str = ""
    course: str | None = None


class RuleIn(InputSchema):
    code: str = ""
    target: TargetIn
    criteria: dict[str, Any]
    grants: dict[str, Any]
    caps: dict[str, Any] | None = None
    requires_review: StrictBool = False
    valid_from: str = ""
    valid_to: str | None = None


class RuleChangeIn(InputSchema):
    target: TargetIn
    criteria: dict[str, Any]
    grants: dict[str, Any]
    caps: dict[str, Any] | None = None
    requires_review: StrictBool = False
    valid_from: str = ""
    valid_to: str | None = None


class RuleReviseIn(InputSchema):
    valid_from: date | None = None


class TryIn(InputSchema):
    rule: RuleIn
    #: a sample outcome: the outcome fields of the API contract
    sample: dict[str, Any]
    as_of: date | None = None


class TraceCheckOut(Schema):
    step: str
    name: str
    passed: bool
    expected: str
    actual: str
    outcome: int | None
    requirement: int | None


class DecisionOut(Schema):
    eligible: bool
    refusal: str | None
    credits: str
    consumed: list[int]
    grade: dict[str, str] | None
    exempts_course: str | None
    trace: list[TraceCheckOut]
    hash: str


class ImportRowError(Schema):
    index: int
    code: str
    field: str
    message: str


class ImportOut(Schema):
    created: list[RuleOut]
    errors: list[ImportRowError]


class ImportIn(InputSchema):
    rules: list[Any]
    publish: StrictBool = False


def rule_out(rule: ConversionRule, *, superseded: date | None = None) -> dict[str, Any]:
    definition = rule.definition
    return {
        "id": f"{RULE_PREFIX}{rule.pk}",
        "kind": "conversion_rule",
        "series": rule.series,
        "code": rule.code,
        "version": rule.version,
        "status": rule.status,
        "target": {"institution": rule.institution.code, "programme": rule.programme_code, "course": rule.course_code or None},
        "criteria": definition["criteria"],
        "grants": definition["grants"],
        "caps": definition["caps"],
        "requires_review": rule.requires_review,
        "valid_from": rule.valid_from,
        "valid_to": rule.valid_to,
        "superseded_from": superseded,
        "hash": rule.hash,
        "published_at": rule.published_at,
    }  # fmt: skip


def decision_out(decision: Any) -> dict[str, Any]:
    data = decision.as_dict()
    data.pop("v")
    data["hash"] = decision.sha256()
    return data


def _numbered(rule_id: str, prefix: str) -> int | None:
    if rule_id.startswith(prefix) and rule_id[len(prefix) :].isdigit():
        return int(rule_id[len(prefix) :])
    return None


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
    standard_id = _numbered(rule_id, STANDARD_PREFIX)
    if standard_id is not None:
        s = standard_get_public(standard_id)
        return standard_out(s, valid_to=standard_valid_to(s))
    number = _numbered(rule_id, RULE_PREFIX)
    if number is None:
        raise NotFound(_("No such rule."))
    rule = selectors.rule_get_public(number)
    return rule_out(rule, superseded=selectors.superseded_from(rule))


# --- authors -------------------------------------------------------------------------------


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


# --- learners ------------------------------------------------------------------------------


class PreviewIn(InputSchema):
    #: ``rule-<n>``: any version of a rule (the version in force decides)
    rule_id: str | None = None
    #: ``<institution code>:<programme code>``: every rule in force for the programme
    program: str | None = None
    #: the learner's certified outcomes to consider (all of them when left out)
    outcome_ids: list[Any] | None = None


class RuleRefOut(Schema):
    id: str
    code: str
    version: int
    hash: str
    target: TargetOut
    requires_review: bool


class PreviewItemOut(Schema):
    rule: RuleRefOut
    decision: DecisionOut


class PreviewOut(Schema):
    items: list[PreviewItemOut]
    count: int


def rule_ref(rule: ConversionRule) -> dict[str, Any]:
    return {
        "id": f"{RULE_PREFIX}{rule.pk}",
        "code": rule.code,
        "version": rule.version,
        "hash": rule.hash,
        "target": {"institution": rule.institution.code, "programme": rule.programme_code, "course": rule.course_code or None},
        "requires_review": rule.requires_review,
    }  # fmt: skip


def _rule_number(value: str) -> int:
    number = _numbered(value.strip(), RULE_PREFIX)
    if number is None:
        raise NotFound(_("No such rule."))
    return number


@router.post("/me/conversions/preview", response={200: PreviewOut, **problems(400, 401, 403, 404)})
def conversion_preview(request: HttpRequest, payload: PreviewIn) -> Any:
    """What the learner's certified outcomes (``outcome_ids``, or all) would convert into by a
    rule (``rule_id``) or by every rule of a programme (``program``), and why not: each decision
    with its trace. Nothing is written."""
    user = actor(request)
    user_require_verified(user)
    programme: tuple[str, str] | None = None
    if payload.program is not None:
        institution, sep, code = payload.program.strip().partition(":")
        if not (sep and institution and code):
            raise DomainError(
                ErrorCode.CONVERSION_TARGET_REQUIRED,
                _("Name the programme as <institution code>:<programme code>, for example demo-open-univ:CS."),
                field="program",
            )
        programme = (institution, code)
    found = services.conversion_preview(
        user=user,
        rule_id=_rule_number(payload.rule_id) if payload.rule_id else None,
        programme=programme,
        outcome_ids=payload.outcome_ids,
    )
    items = [{"rule": rule_ref(p.rule), "decision": decision_out(p.decision)} for p in found]
    return {"items": items, "count": len(items)}


# --- conversion applications ---------------------------------------------------------------


class ConversionIn(InputSchema):
    #: ``rule-<n>``: any version of the rule (the version in force today decides)
    rule_id: str
    outcome_ids: list[Any]


class ConversionDecisionOut(Schema):
    eligible: bool
    refusal: str | None
    credits: str
    consumed: list[int]
    grade: dict[str, str] | None
    exempts_course: str | None
    trace: list[TraceCheckOut]


class ConversionOut(Schema):
    id: int
    #: approved | pending_review | rejected | withdrawn
    status: str
    rule: RuleRefOut
    outcome_ids: list[int]
    credits: str
    decision: ConversionDecisionOut
    decision_hash: str
    inputs_hash: str
    reason_code: str
    note: str
    created_at: datetime
    decided_at: datetime | None
    #: set when a source outcome was revoked: waiting for the target institution's review
    flagged_at: datetime | None
    flag_reason: str
    #: the entries the review would post to take the conversion back
    proposed: list[dict[str, Any]]
    #: "" (not flagged, or waiting), "reversed" or "kept"
    flag_resolution: str


class ConversionListOut(Schema):
    items: list[ConversionOut]
    count: int


class ReviewConversionOut(ConversionOut):
    account_no: str
    learner_name: str


class ReviewConversionListOut(Schema):
    items: list[ReviewConversionOut]
    count: int


WIRE_STATUS = {"pending": "pending_review"}


def conversion_out(a: ConversionApplication) -> dict[str, Any]:
    decision = dict(a.decision)
    decision.pop("v", None)
    return {
        "id": a.pk,
        "status": WIRE_STATUS.get(a.status, a.status),
        "rule": rule_ref(a.rule),
        "outcome_ids": [int(i) for i in a.outcome_ids],
        "credits": f"{a.credits:.2f}",
        "decision": decision,
        "decision_hash": a.decision_hash,
        "inputs_hash": a.inputs_hash,
        "reason_code": a.reason_code,
        "note": a.note,
        "created_at": a.created_at,
        "decided_at": a.decided_at,
        "flagged_at": a.flagged_at,
        "flag_reason": a.flag_reason,
        "proposed": a.proposed,
        "flag_resolution": a.flag_resolution,
    }


def _review_conversion_out(a: ConversionApplication) -> dict[str, Any]:
    return {**conversion_out(a), "account_no": a.user.account_no, "learner_name": a.user.name}


@router.post("/me/conversions", response={201: ConversionOut, **problems(400, 401, 403, 404, 409)})
def conversion_apply(request: HttpRequest, payload: ConversionIn) -> Any:
    """Apply for a conversion (学分转换) with a rule and certified outcomes (``Idempotency-Key``
    makes a retry safe). The rule is evaluated at once: refused with the decision's explanation
    (``criteria_not_met``, ``outcome_already_converted``, ``cap_reached``, ``rule_not_in_force``;
    nothing written), ``approved`` (posted), or ``pending_review`` (credits frozen) when the rule
    asks for a person's review."""
    user = actor(request)
    user_require_verified(user)
    rule_number = _rule_number(payload.rule_id)

    def create() -> tuple[int, dict[str, Any]]:
        made = services.conversion_apply(
            user=user, rule_id=rule_number, outcome_ids=payload.outcome_ids,
            client_address=ratelimit.client_address(request),
        )  # fmt: skip
        return 201, conversion_out(selectors.conversion_get_for_actor(actor=user, id=made.pk, acting=Acting.OWNER))

    status, body = run_idempotent(
        scope=f"conversion:{user.pk}", key=request.headers.get("Idempotency-Key"),
        payload={"rule_id": payload.rule_id, "outcome_ids": payload.outcome_ids}, create=create,
    )  # fmt: skip
    return Status(status, body)


@router.get("/me/conversions", response={200: ConversionListOut, **problems(400, 401, 403)})
def conversion_list(request: HttpRequest, limit: Limit = 20, offset: Offset = 0) -> Any:
    user = actor(request)
    user_require_verified(user)
    rows, count = page(selectors.conversions_for_user(user), limit=limit, offset=offset)
    return {"items": [conversion_out(a) for a in rows], "count": count}


@router.get("/me/conversions/{application_id}", response={200: ConversionOut, **problems(401, 403, 404)})
def conversion_detail(request: HttpRequest, application_id: int) -> Any:
    user = actor(request)
    user_require_verified(user)
    return conversion_out(selectors.conversion_get_for_actor(actor=user, id=application_id, acting=Acting.OWNER))


@router.post("/me/conversions/{application_id}/withdraw", response={200: ConversionOut, **problems(401, 403, 404, 409)})
def conversion_withdraw(request: HttpRequest, application_id: int) -> Any:
    """Withdraw a pending application: the credits it froze are available again."""
    user = actor(request)
    services.conversion_withdraw(user=user, application_id=application_id)
    return conversion_out(selectors.conversion_get_for_actor(actor=user, id=application_id, acting=Acting.OWNER))


def _require_conversion_reviewer(user: Any) -> None:
    if not selectors.may_review_conversions(user):
        raise PermissionDenied(ReviewsCode.NOT_REVIEWER, _("Only conversion reviewers may see this."))


@router.get("/review/conversions", response={200: ReviewConversionListOut, **problems(400, 401, 403)})
def review_queue(request: HttpRequest, status: str = "pending", limit: Limit = 20, offset: Offset = 0) -> Any:
    """Conversion applications to the caller's institution (every one for the bank's conversion
    reviewers), oldest first (``status=all`` for every state)."""
    user = actor(request)
    _require_conversion_reviewer(user)
    qs = selectors.conversion_queue(reviewer=user, status=None if status == "all" else status)
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [_review_conversion_out(a) for a in rows], "count": count}


@router.post(
    "/review/conversions/{application_id}/decision",
    response={200: ReviewConversionOut, **problems(400, 401, 403, 404, 409)},
)
def review_decide(request: HttpRequest, application_id: int, payload: DecisionIn) -> Any:
    """Approve (the conversion is posted from the frozen credits) or reject with a
    ``reason_code`` (the credits are released)."""
    services.conversion_decide(application_id=application_id, **decision_arguments(request, payload))
    reviewer = actor(request)
    found = selectors.conversion_get_for_actor(actor=reviewer, id=application_id, acting=Acting.STAFF)
    return _review_conversion_out(found)


class FlagResolutionIn(InputSchema):
    #: ``reverse`` (post the proposed entries) or ``keep`` (the conversion stands; ``note`` required)
    action: str
    note: str = ""


@router.post(
    "/review/conversions/{application_id}/flag",
    response={200: ReviewConversionOut, **problems(400, 401, 403, 404, 409)},
)
def review_flag(request: HttpRequest, application_id: int, payload: FlagResolutionIn) -> Any:
    """Resolve a conversion flagged because a source outcome was revoked (``GET
    /review/conversions?status=flagged`` lists them): ``reverse`` takes it back with the proposed
    entries, ``keep`` lets it stand with a note."""
    reviewer = actor(request)
    _require_conversion_reviewer(reviewer)
    services.conversion_flag_resolve(
        reviewer=reviewer, application_id=application_id, action=payload.action, note=payload.note,
        client_address=ratelimit.client_address(request),
    )  # fmt: skip
    found = selectors.conversion_get_for_actor(actor=reviewer, id=application_id, acting=Acting.STAFF)
    return _review_conversion_out(found)
