"""Programmes (专业) and their courses: public when published; written by the institution's
administrators (and bank staff managing institutions). Thin: services and selectors do the work."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import StrictBool

from creditbank.accounts.actor import actor
from creditbank.accounts.models import User
from creditbank.institutions import selectors, services
from creditbank.institutions.models import Course, Programme
from creditbank.kernel import ratelimit
from creditbank.kernel.api_auth import optional_principal
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page

router = Router()


class NamePair(Schema):
    zh: str
    en: str


class CourseOut(Schema):
    code: str
    name: NamePair
    #: a decimal string with two places (``"4.00"``)
    credits: str
    level: int | None
    #: false: no longer offered (kept for the rules that name it)
    active: bool


class ProgrammeSummaryOut(Schema):
    code: str
    name: NamePair
    level: int | None
    #: the credits required to graduate, a decimal string with two places (``"160.00"``)
    total_credits: str
    #: ``draft`` | ``published`` | ``retired``
    status: str
    #: the institution's code
    institution: str


class ProgrammeOut(ProgrammeSummaryOut):
    #: its active courses (every course, with ``?all=true``, for its administrators)
    courses: list[CourseOut]


class ProgrammeListOut(Schema):
    items: list[ProgrammeSummaryOut]
    count: int


class ProgrammeIn(InputSchema):
    code: str
    name_zh: str
    name_en: str = ""
    level: int | None = None
    total_credits: str


class ProgrammeChangeIn(InputSchema):
    """The fields to change; those left out keep their values (``code``: drafts only)."""

    code: str | None = None
    name_zh: str | None = None
    name_en: str | None = None
    level: int | None = None
    total_credits: str | None = None


class CourseIn(InputSchema):
    code: str
    name_zh: str
    name_en: str = ""
    credits: str
    level: int | None = None


class CourseChangeIn(InputSchema):
    """The fields to change; those left out keep their values (``code``: while the programme is a
    draft; ``active: false`` deactivates the course)."""

    code: str | None = None
    name_zh: str | None = None
    name_en: str | None = None
    credits: str | None = None
    level: int | None = None
    active: StrictBool | None = None


def _course_out(c: Course) -> dict[str, Any]:
    return {
        "code": c.code, "name": {"zh": c.name_zh, "en": c.name_en}, "credits": f"{c.credits:.2f}", "level": c.level,
        "active": c.active,
    }  # fmt: skip


def _programme_out(p: Programme, *, courses: Iterable[Course] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": p.code, "name": {"zh": p.name_zh, "en": p.name_en}, "level": p.level,
        "total_credits": f"{p.total_credits:.2f}", "status": p.status, "institution": p.institution.code,
    }  # fmt: skip
    if courses is not None:
        out["courses"] = [_course_out(c) for c in courses]
    return out


def _admin_detail(p: Programme) -> dict[str, Any]:
    return _programme_out(p, courses=selectors.courses_of(programme=p, active_only=False))


def _person(request: HttpRequest) -> User:
    """The signed-in person of a public operation asked for what only administrators see."""
    principal = optional_principal(request)
    if isinstance(principal, User):
        return principal
    raise DomainError(KernelCode.NOT_AUTHENTICATED, _("Log in first (a bearer token or a session)."), status=401)


def _changes(payload: InputSchema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)


@router.get("/institutions/{code}/programmes", response={200: ProgrammeListOut, **problems(400, 401, 404)}, auth=None)
def programmes(
    request: HttpRequest,
    code: str,
    q: str = "",
    all: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,  # noqa: A002
) -> Any:
    """The institution's published programmes by code (public), those whose code or name contains
    ``q``. With ``all=true``, its administrators (and bank staff managing institutions) get every
    programme, drafts and retired ones too; anyone else gets 404."""
    if all:
        qs = selectors.programmes_for_admin(actor=_person(request), code=code)
    else:
        selectors.institution_get_public(code)
        qs = selectors.programmes_public(institution_code=code, q=q[:100])
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [_programme_out(p) for p in rows], "count": count}


@router.post("/institutions/{code}/programmes", response={201: ProgrammeOut, **problems(400, 401, 404, 409)})
def programme_create(request: HttpRequest, code: str, payload: ProgrammeIn) -> Any:
    """A new programme, as a draft (the institution's administrators, bank staff managing
    institutions). Accepts an ``Idempotency-Key``."""
    user = actor(request)

    def create() -> tuple[int, dict[str, Any]]:
        data = payload.dict()
        made = services.programme_create(
            actor=user, code=code, programme_code=data.pop("code"), client_address=ratelimit.client_address(request),
            **data,
        )  # fmt: skip
        return 201, _programme_out(made, courses=[])

    status, body = run_idempotent(
        scope=f"institutions.programmes:{code}:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload=payload.dict(),
        create=create,
    )
    return Status(status, body)


@router.get(
    "/institutions/{code}/programmes/{programme}", response={200: ProgrammeOut, **problems(401, 404)}, auth=None
)
def programme(request: HttpRequest, code: str, programme: str, all: bool = False) -> Any:  # noqa: A002
    """A published programme with its active courses (public). With ``all=true``, for its
    administrators: a programme in any status, with every course."""
    if all:
        return _admin_detail(
            selectors.programme_get_for_actor(actor=_person(request), code=code, programme_code=programme)
        )
    found = selectors.programme_get_public(code, programme)
    return _programme_out(found, courses=selectors.courses_of(programme=found))


@router.patch(
    "/institutions/{code}/programmes/{programme}", response={200: ProgrammeOut, **problems(400, 401, 404, 409)}
)
def programme_update(request: HttpRequest, code: str, programme: str, payload: ProgrammeChangeIn) -> Any:
    """Change names, level or credits (the code only while a draft: 409 ``programme_not_draft``)."""
    changed = services.programme_update(
        actor=actor(request), code=code, programme_code=programme, changes=_changes(payload),
        client_address=ratelimit.client_address(request),
    )  # fmt: skip
    return _admin_detail(changed)


@router.post(
    "/institutions/{code}/programmes/{programme}/publish", response={200: ProgrammeOut, **problems(401, 404, 409)}
)
def programme_publish(request: HttpRequest, code: str, programme: str) -> Any:
    """Publish a draft: public from now on, its code and its courses' codes fixed."""
    published = services.programme_publish(
        actor=actor(request), code=code, programme_code=programme, client_address=ratelimit.client_address(request)
    )
    return _admin_detail(published)


@router.post(
    "/institutions/{code}/programmes/{programme}/retire", response={200: ProgrammeOut, **problems(401, 404, 409)}
)
def programme_retire(request: HttpRequest, code: str, programme: str) -> Any:
    """Retire the programme: no longer listed or changed; kept for the rules that name it."""
    retired = services.programme_retire(
        actor=actor(request), code=code, programme_code=programme, client_address=ratelimit.client_address(request)
    )
    return _admin_detail(retired)


@router.post(
    "/institutions/{code}/programmes/{programme}/courses", response={201: CourseOut, **problems(400, 401, 404, 409)}
)
def course_create(request: HttpRequest, code: str, programme: str, payload: CourseIn) -> Any:
    """A new course of the programme (not of a retired one). Accepts an ``Idempotency-Key``."""
    user = actor(request)

    def create() -> tuple[int, dict[str, Any]]:
        data = payload.dict()
        made = services.course_create(
            actor=user, code=code, programme_code=programme, course_code=data.pop("code"),
            client_address=ratelimit.client_address(request), **data,
        )  # fmt: skip
        return 201, _course_out(made)

    status, body = run_idempotent(
        scope=f"institutions.courses:{code}:{programme}:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload=payload.dict(),
        create=create,
    )
    return Status(status, body)


@router.patch(
    "/institutions/{code}/programmes/{programme}/courses/{course}",
    response={200: CourseOut, **problems(400, 401, 404, 409)},
)
def course_update(request: HttpRequest, code: str, programme: str, course: str, payload: CourseChangeIn) -> Any:
    """Change a course's names, credits or level, deactivate it (``active: false``) or offer it
    again; its code only while the programme is a draft."""
    changed = services.course_update(
        actor=actor(request), code=code, programme_code=programme, course_code=course, changes=_changes(payload),
        client_address=ratelimit.client_address(request),
    )  # fmt: skip
    return _course_out(changed)
