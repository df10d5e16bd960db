"""The rules API's schemas and the functions that fill them (rules, decisions, conversion
applications), shared by its modules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import StrictBool

from creditbank.kernel.api_schemas import InputSchema
from creditbank.kernel.errors import NotFound
from creditbank.outcomes.publication import StandardOut
from creditbank.rules.models import ConversionApplication, ConversionRule

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


class FlagResolutionIn(InputSchema):
    #: ``reverse`` (post the proposed entries) or ``keep`` (the conversion stands; ``note`` required)
    action: str
    note: str = ""


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


def numbered(rule_id: str, prefix: str) -> int | None:
    if rule_id.startswith(prefix) and rule_id[len(prefix) :].isdigit():
        return int(rule_id[len(prefix) :])
    return None


def rule_ref(rule: ConversionRule) -> dict[str, Any]:
    return {
        "id": f"{RULE_PREFIX}{rule.pk}",
        "code": rule.code,
        "version": rule.version,
        "hash": rule.hash,
        "target": {"institution": rule.institution.code, "programme": rule.programme_code, "course": rule.course_code or None},
        "requires_review": rule.requires_review,
    }  # fmt: skip


def rule_number(value: str) -> int:
    number = numbered(value.strip(), RULE_PREFIX)
    if number is None:
        raise NotFound(_("No such rule."))
    return number


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


def review_conversion_out(a: ConversionApplication) -> dict[str, Any]:
    return {**conversion_out(a), "account_no": a.user.account_no, "learner_name": a.user.name}
