"""The editors' endpoints of certification standards (``GET /rules`` lists the published ones:
see the rules context)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from creditbank.accounts.actor import actor
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.outcomes import selectors, services
from creditbank.outcomes.publication import StandardOut, standard_out

router = Router()


class StandardListOut(Schema):
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


# --- editors -----------------------------------------------------------------------------


@router.get("/standards", response={200: StandardListOut, **problems(400, 401)})
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
