"""The profiles API, education and work history: one implementation, registered once per kind.

``/me/education`` and ``/me/work`` answer alike (list, create, edit, delete, attach evidence);
only their schemas, their answer's shape and their list differ, and a :class:`HistoryKind` names
those. The routes keep the names they had when each kind was written out by hand
(``education_list``, ``work_create`` …), so paths, operation ids and URL names are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Response, Status
from pydantic import StrictBool

from creditbank.accounts.actor import actor
from creditbank.accounts.models import User
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.profiles import selectors, services
from creditbank.profiles.domain.months import format_month
from creditbank.profiles.models import EducationEntry, WorkEntry

router = Router()


class EducationIn(InputSchema):
    school: str | None = None
    major: str | None = None
    level: str | None = None
    study_mode: str | None = None
    start: str | None = None
    end: str | None = None
    certificate_no: str | None = None


class EducationOut(Schema):
    id: int
    school: str
    major: str
    level: str
    study_mode: str
    start: str
    end: str | None
    certificate_no: str
    verified_by: str
    has_evidence: bool


class EducationListOut(Schema):
    items: list[EducationOut]
    count: int


class WorkIn(InputSchema):
    employer: str | None = None
    position: str | None = None
    industry: str | None = None
    start: str | None = None
    end: str | None = None
    current: StrictBool | None = None
    description: str | None = None


class WorkOut(Schema):
    id: int
    employer: str
    position: str
    industry: str
    start: str
    end: str | None
    current: bool
    description: str
    verified_by: str
    has_evidence: bool


class WorkListOut(Schema):
    items: list[WorkOut]
    count: int


def education_out(e: EducationEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "school": e.school,
        "major": e.major,
        "level": e.level,
        "study_mode": e.study_mode,
        "start": format_month(e.start),
        "end": format_month(e.end),
        "certificate_no": e.certificate_no,
        "verified_by": e.verified_by,
        "has_evidence": bool(e.evidence_blob),
    }


def work_out(w: WorkEntry) -> dict[str, Any]:
    return {
        "id": w.pk,
        "employer": w.employer,
        "position": w.position,
        "industry": w.industry,
        "start": format_month(w.start),
        "end": format_month(w.end),
        "current": w.current,
        "description": w.description,
        "verified_by": w.verified_by,
        "has_evidence": bool(w.evidence_blob),
    }


@dataclass(frozen=True)
class HistoryKind:
    """What differs between the kinds of history entry: the rest is one implementation."""

    name: str  # the services' ``kind`` and the path segment: /me/<name>
    entry_in: type[InputSchema]
    entry_out: type[Schema]
    list_out: type[Schema]
    out: Callable[[Any], dict[str, Any]]
    entries: Callable[[User], QuerySet[Any]]


EDUCATION = HistoryKind(
    "education", EducationIn, EducationOut, EducationListOut, education_out, selectors.education_for_user
)
WORK = HistoryKind("work", WorkIn, WorkOut, WorkListOut, work_out, selectors.work_for_user)


def _view(kind: HistoryKind, action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a view of ``kind``: named ``<kind>_<action>`` (its operation id, summary and URL name come
    from the name), its ``payload`` read with the kind's schema (django-ninja reads the body's schema
    from the annotation)."""

    def make(view: Callable[..., Any]) -> Callable[..., Any]:
        view.__name__ = view.__qualname__ = f"{kind.name}_{action}"
        if "payload" in view.__annotations__:
            view.__annotations__["payload"] = kind.entry_in
        return view

    return make


def register(router: Router, kind: HistoryKind) -> None:
    """Add the routes of one kind of history entry to ``router``."""
    path = f"/me/{kind.name}"

    @router.get(path, response={200: kind.list_out, **problems(400, 401, 403)})
    @_view(kind, "list")
    def entry_list(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> Any:
        user = actor(request)
        user_require_verified(user)
        rows, count = page(kind.entries(user), limit=limit, offset=offset)
        return {"items": [kind.out(e) for e in rows], "count": count}

    @router.post(path, response={201: kind.entry_out, **problems(400, 401, 403, 409, 422)})
    @_view(kind, "create")
    def entry_create(request: HttpRequest, payload: InputSchema) -> Any:
        user = actor(request)
        data = payload.dict()

        def create() -> tuple[int, dict[str, Any]]:
            return 201, kind.out(services.history_create(kind=kind.name, user=user, data=data))

        status, body = run_idempotent(
            scope=f"{kind.name}:{user.pk}", key=request.headers.get("Idempotency-Key"), payload=data, create=create
        )
        return Status(status, body)

    @router.patch(f"{path}/{{entry_id}}", response={200: kind.entry_out, **problems(400, 401, 403, 404)})
    @_view(kind, "update")
    def entry_update(request: HttpRequest, entry_id: int, payload: InputSchema) -> Any:
        entry = services.history_update(
            kind=kind.name, user=actor(request), entry_id=entry_id, data=payload.dict(exclude_unset=True)
        )
        return kind.out(entry)

    @router.delete(f"{path}/{{entry_id}}", response={204: None, **problems(401, 403, 404)})
    @_view(kind, "delete")
    def entry_delete(request: HttpRequest, entry_id: int) -> Any:
        services.history_delete(kind=kind.name, user=actor(request), entry_id=entry_id)
        return Response(None, status=204)

    @router.post(
        f"{path}/{{entry_id}}/evidence", response={200: kind.entry_out, **problems(400, 401, 403, 404, 413, 429)}
    )
    @_view(kind, "evidence")
    def entry_evidence(request: HttpRequest, entry_id: int, evidence: File[UploadedFile] = None) -> Any:  # type: ignore[assignment]
        """Attach a proof file (photo or PDF) to an entry (multipart ``evidence``)."""
        entry = services.history_attach_evidence(
            kind=kind.name, user=actor(request), entry_id=entry_id, upload=evidence
        )
        return kind.out(entry)


register(router, EDUCATION)
register(router, WORK)
