"""Published certification standards (认证标准) in ``GET /rules`` (``kind: certification_standard``;
conversion rules join the list with their own kind), and the editors' endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from creditbank.accounts.actor import actor
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.errors import NotFound
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.outcomes import selectors, services
from creditbank.outcomes.models import CertificationStandard

router = Router()
STANDARD_PREFIX = "standard-"


class TextPair(Schema):
    zh: str
    en: str


class StandardOut(Schema):
    #: ``standard-<n>``: one version of a standard
    id: str
    kind: str
    series: str
    version: int
    status: str
    owner: str
    outcome_type: str
    code: str
    title: TextPair
    credits: str
    level: int | None
    evidence: TextPair
    validity_months: int | None
    valid_from: date
    #: the day the next published version takes over (None: in force until retired)
    valid_to: date | None
    hash: str
    published_at: datetime | None


class RuleListOut(Schema):
    items: list[StandardOut]
    count: int


class StandardIn(InputSchema):
    owner: str = ""
    outcome_type: str = ""
    code: str = ""
    title_zh: str = ""
    title_en: str = ""
    credits: str = ""
    level: int | None = None
    evidence_zh: str = ""
    evidence_en: str = ""
    validity_months: int | None = None
    valid_from: str = ""


class StandardChangeIn(InputSchema):
    title_zh: str = ""
    title_en: str = ""
    credits: str = ""
    level: int | None = None
    evidence_zh: str = ""
    evidence_en: str = ""
    validity_months: int | None = None
    valid_from: str = ""


class ReviseIn(InputSchema):
    valid_from: date | None = None


def standard_out(s: CertificationStandard, *, valid_to: date | None = None) -> dict[str, Any]:
    return {
        "id": f"{STANDARD_PREFIX}{s.pk}",
        "kind": "certification_standard",
        "series": s.series,
        "version": s.version,
        "status": s.status,
        "owner": s.owner.code if s.owner is not None else "bank",
        "outcome_type": s.outcome_type,
        "code": s.code,
        "title": {"zh": s.title_zh, "en": s.title_en},
        "credits": f"{s.credits:.2f}",
        "level": s.level,
        "evidence": {"zh": s.evidence_zh, "en": s.evidence_en},
        "validity_months": s.validity_months,
        "valid_from": s.valid_from,
        "valid_to": valid_to,
        "hash": s.hash,
        "published_at": s.published_at,
    }


def _valid_to(s: CertificationStandard) -> date | None:
    later = selectors.standard_versions(s.series).filter(version__gt=s.version, status="published")
    return later.order_by("valid_from").values_list("valid_from", flat=True).first()


def _standard_id(rule_id: str) -> int:
    if not rule_id.startswith(STANDARD_PREFIX) or not rule_id[len(STANDARD_PREFIX) :].isdigit():
        raise NotFound(_("No such rule."))
    return int(rule_id[len(STANDARD_PREFIX) :])


@router.get("/rules", response={200: RuleListOut, **problems(400)}, auth=None)
def rule_list(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    type: str = "",
    owner: str = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Published certification standards (and, later, conversion rules), every version,
    searchable by code or title (``q``), outcome ``type`` and ``owner`` (an institution's code,
    or ``bank``)."""
    if kind and kind != "certification_standard":
        return {"items": [], "count": 0}
    qs = selectors.standards_published(q=q[:100], outcome_type=type, owner=owner)
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [standard_out(s, valid_to=_valid_to(s)) for s in rows], "count": count}


@router.get("/rules/{rule_id}", response={200: StandardOut, **problems(404)}, auth=None)
def rule_detail(request: HttpRequest, rule_id: str) -> Any:
    s = selectors.standard_get_public(_standard_id(rule_id))
    return standard_out(s, valid_to=_valid_to(s))


# --- editors -----------------------------------------------------------------------------


@router.get("/standards", response={200: RuleListOut, **problems(400, 401)})
def editor_list(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> Any:
    """Every version the caller may edit (drafts first): bank staff with the standards role see
    all, an institution's administrators their institution's."""
    rows, count = page(selectors.standards_for_editor(actor=actor(request)), limit=limit, offset=offset)
    return {"items": [standard_out(s) for s in rows], "count": count}


@router.post("/standards", response={201: StandardOut, **problems(400, 401, 404, 409)})
def create(request: HttpRequest, payload: StandardIn) -> Any:
    """A new standard (a draft): ``owner`` an institution's code, or empty for the bank's."""
    data = payload.dict()
    owner = data.pop("owner")
    return Status(201, standard_out(services.standard_create(actor=actor(request), owner=owner, data=data)))


@router.put("/standards/{standard_id}", response={200: StandardOut, **problems(400, 401, 404, 409)})
def update(request: HttpRequest, standard_id: int, payload: StandardChangeIn) -> Any:
    """Change a draft (a published version never changes)."""
    return standard_out(services.standard_update(actor=actor(request), standard_id=standard_id, data=payload.dict()))


@router.post("/standards/{standard_id}/publish", response={200: StandardOut, **problems(400, 401, 404, 409)})
def publish(request: HttpRequest, standard_id: int) -> Any:
    return standard_out(services.standard_publish(actor=actor(request), standard_id=standard_id))


@router.post("/standards/{standard_id}/versions", response={201: StandardOut, **problems(400, 401, 404, 409)})
def revise(request: HttpRequest, standard_id: int, payload: ReviseIn) -> Any:
    """A new draft version of a published standard, to edit and publish."""
    made = services.standard_revise(actor=actor(request), standard_id=standard_id, valid_from=payload.valid_from)
    return Status(201, standard_out(made))


@router.post("/standards/{standard_id}/retire", response={200: StandardOut, **problems(401, 404, 409)})
def retire(request: HttpRequest, standard_id: int) -> Any:
    return standard_out(services.standard_retire(actor=actor(request), standard_id=standard_id))
