"""Institutions: the public list, onboarding by bank staff, members and API clients managed by
an institution's administrators, ``whoami`` for a client token, and bulk account opening (a file
of students, its report and its one-time result file). Thin: services and selectors do the work."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Response, Status

from creditbank.accounts.actor import actor
from creditbank.accounts.id_numbers import region_name
from creditbank.institutions import selectors, services
from creditbank.institutions.models import AccountOpening, ApiClient, Institution, Membership
from creditbank.institutions.principal import ClientPrincipal, client_principal
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.downloads import private_file_response
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page

router = Router()


class InstitutionOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    kind: str
    region: str
    region_name: str | None
    uscc: str | None
    active: bool


class InstitutionListOut(Schema):
    items: list[InstitutionOut]
    count: int


class InstitutionIn(InputSchema):
    code: str
    name_zh: str
    name_en: str = ""
    kind: str
    region: str
    uscc: str | None = None
    #: the first administrator: an existing account's number or email
    admin: str


class MemberOut(Schema):
    id: int
    account_no: str
    name: str
    role: str
    created_at: datetime


class MemberListOut(Schema):
    items: list[MemberOut]
    count: int


class MemberIn(InputSchema):
    #: an existing account's number or email
    account: str
    role: str


class ClientOut(Schema):
    id: int
    name: str
    client_id: str
    scopes: list[str]
    created_at: datetime
    rotated_at: datetime | None
    previous_secret_expires_at: datetime | None
    revoked_at: datetime | None


class ClientWithSecretOut(ClientOut):
    #: shown in this answer only: store it now, the bank keeps only its hash
    client_secret: str


class ClientListOut(Schema):
    items: list[ClientOut]
    count: int


class ClientIn(InputSchema):
    name: str
    scopes: list[str]


class WhoamiInstitutionOut(Schema):
    code: str
    name: str


class WhoamiOut(Schema):
    client_id: str
    institution: WhoamiInstitutionOut
    scopes: list[str]


def _institution_out(i: Institution) -> dict[str, Any]:
    return {
        "code": i.code, "name": i.name(), "name_zh": i.name_zh, "name_en": i.name_en, "kind": i.kind,
        "region": i.region, "region_name": region_name(i.region), "uscc": i.uscc, "active": i.active,
    }  # fmt: skip


def _member_out(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "account_no": m.user.account_no,
        "name": m.user.name,
        "role": m.role,
        "created_at": m.created_at,
    }


def _client_out(c: ApiClient, secret: str | None = None) -> dict[str, Any]:
    out = {
        "id": c.pk, "name": c.name, "client_id": c.client_id, "scopes": c.scope_list(), "created_at": c.created_at,
        "rotated_at": c.rotated_at, "previous_secret_expires_at": c.previous_secret_expires_at,
        "revoked_at": c.revoked_at,
    }  # fmt: skip
    if secret is not None:
        out["client_secret"] = secret
    return out


@router.get("/institutions", response={200: InstitutionListOut, **problems(400)}, auth=None)
def institutions(request: HttpRequest, limit: Limit = 20, offset: Offset = 0) -> Any:
    """Active institutions, by code (public)."""
    rows, count = page(selectors.institutions_listed(), limit=limit, offset=offset)
    return {"items": [_institution_out(i) for i in rows], "count": count}


@router.post("/institutions", response={201: InstitutionOut, **problems(400, 401, 403, 409, 422)})
def institution_create(request: HttpRequest, payload: InstitutionIn) -> Any:
    """Onboard an institution with its first administrator (bank staff managing institutions)."""
    user = actor(request)

    def create() -> tuple[int, dict[str, Any]]:
        inst = services.institution_create(
            actor=user, **payload.dict(), client_address=ratelimit.client_address(request)
        )
        return 201, _institution_out(inst)

    status, data = run_idempotent(
        scope=f"institutions.create:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload=payload.dict(),
        create=create,
    )
    return Status(status, data)


@router.get("/institutions/{code}", response={200: InstitutionOut, **problems(404)}, auth=None)
def institution(request: HttpRequest, code: str) -> Any:
    return _institution_out(selectors.institution_get_public(code))


@router.get("/institutions/{code}/members", response={200: MemberListOut, **problems(400, 401, 404)})
def members(request: HttpRequest, code: str, limit: Limit = 50, offset: Offset = 0) -> Any:
    """The institution's staff (its administrators and bank staff managing institutions)."""
    inst = selectors.institution_get_for_actor(actor=actor(request), code=code)
    rows, count = page(selectors.memberships_of(institution=inst), limit=limit, offset=offset)
    return {"items": [_member_out(m) for m in rows], "count": count}


@router.post("/institutions/{code}/members", response={201: MemberOut, **problems(400, 401, 404, 409)})
def member_add(request: HttpRequest, code: str, payload: MemberIn) -> Any:
    """Give an existing account (account number or email) a role: issuer, reviewer or admin."""
    membership = services.member_add(
        actor=actor(request), code=code, account=payload.account, role=payload.role,
        client_address=ratelimit.client_address(request),
    )  # fmt: skip
    return Status(201, _member_out(membership))


@router.delete("/institutions/{code}/members/{member_id}", response={204: None, **problems(401, 404, 409)})
def member_remove(request: HttpRequest, code: str, member_id: int) -> Any:
    services.member_remove(
        actor=actor(request), code=code, membership_id=member_id, client_address=ratelimit.client_address(request)
    )
    return Response(None, status=204)


@router.get("/institutions/{code}/clients", response={200: ClientListOut, **problems(400, 401, 404)})
def clients(request: HttpRequest, code: str, limit: Limit = 50, offset: Offset = 0) -> Any:
    inst = selectors.institution_get_for_actor(actor=actor(request), code=code)
    rows, count = page(selectors.api_clients_of(institution=inst), limit=limit, offset=offset)
    return {"items": [_client_out(c) for c in rows], "count": count}


@router.post("/institutions/{code}/clients", response={201: ClientWithSecretOut, **problems(400, 401, 404, 409)})
def client_create(request: HttpRequest, code: str, payload: ClientIn) -> Any:
    """A new API client; ``client_secret`` is in this answer only. (No Idempotency-Key: a replayed
    answer would have to keep the secret.)"""
    client, secret = services.api_client_create(
        actor=actor(request), code=code, name=payload.name, scopes=payload.scopes,
        client_address=ratelimit.client_address(request),
    )  # fmt: skip
    return Status(201, _client_out(client, secret))


@router.post(
    "/institutions/{code}/clients/{client_pk}/rotate", response={200: ClientWithSecretOut, **problems(401, 404, 409)}
)
def client_rotate(request: HttpRequest, code: str, client_pk: int) -> Any:
    """A new secret (in this answer only); the previous one works until
    ``previous_secret_expires_at``."""
    client, secret = services.api_client_rotate(
        actor=actor(request), code=code, id=client_pk, client_address=ratelimit.client_address(request)
    )
    return _client_out(client, secret)


@router.post("/institutions/{code}/clients/{client_pk}/revoke", response={200: ClientOut, **problems(401, 404, 409)})
def client_revoke(request: HttpRequest, code: str, client_pk: int) -> Any:
    """Revoke the client: its secrets and tokens stop working at once."""
    client = services.api_client_revoke(
        actor=actor(request), code=code, id=client_pk, client_address=ratelimit.client_address(request)
    )
    return _client_out(client)


@router.get("/institution/whoami", response={200: WhoamiOut, **problems(401, 403)})
def whoami(request: HttpRequest) -> Any:
    """The calling client (a client-credentials token): its institution and its token's scopes."""
    principal = client_principal(request)
    inst = selectors.institution_get_public(principal.institution_code)
    return {
        "client_id": principal.client_id,
        "institution": {"code": inst.code, "name": inst.name()},
        "scopes": sorted(principal.scopes),
    }


# --- bulk account opening (批量开户) ------------------------------------------------------------------

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE_RESPONSE = {"description": "CSV (UTF-8) or XLSX", "content": {"text/csv": {}, _XLSX: {}}}


class OpeningRowOut(Schema):
    #: the row's number in the uploaded file (the header row is usually 1)
    row: int
    #: ``created`` | ``linked`` | ``error``
    status: str
    code: str
    field: str
    message: str


class OpeningCountsOut(Schema):
    created: int
    linked: int
    errors: int


class OpeningResultOut(Schema):
    #: where the uploader fetches the result file (each created row's initial password), once;
    #: null when this caller may not fetch it now
    url: str | None
    available: bool
    expires_at: datetime | None
    downloaded_at: datetime | None


class OpeningSummaryOut(Schema):
    id: int
    institution: str
    #: ``queued`` | ``running`` | ``done`` | ``failed``
    status: str
    filename: str
    file_format: str
    rows_total: int
    rows_done: int
    counts: OpeningCountsOut
    #: accounts opened by this file count as real-name verified on the institution's word (policy)
    vouched: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: OpeningResultOut


class OpeningOut(OpeningSummaryOut):
    #: the report, one entry per row processed, in file order; never a password
    rows: list[OpeningRowOut]


class OpeningListOut(Schema):
    items: list[OpeningSummaryOut]
    count: int


def _caller(request: HttpRequest) -> Any:
    """The institution's API client (its token), or the person (their token or session)."""
    principal = getattr(request, "auth", None)
    return principal if isinstance(principal, ClientPrincipal) else actor(request)


def _opening_out(opening: AccountOpening, caller: Any, *, rows: bool) -> dict[str, Any]:
    available = selectors.account_opening_result_available(opening=opening, caller=caller)
    code = opening.institution.code
    out: dict[str, Any] = {
        "id": opening.pk, "institution": code, "status": opening.status, "filename": opening.filename,
        "file_format": opening.file_format, "rows_total": opening.rows_total, "rows_done": opening.rows_done,
        "counts": {"created": opening.created, "linked": opening.linked, "errors": opening.errors},
        "vouched": opening.vouched, "created_at": opening.created_at, "started_at": opening.started_at,
        "finished_at": opening.finished_at,
        "result": {
            "url": f"/api/v1/institutions/{code}/accounts/{opening.pk}/result" if available else None,
            "available": available, "expires_at": opening.result_expires_at,
            "downloaded_at": opening.result_downloaded_at,
        },
    }  # fmt: skip
    if rows:
        out["rows"] = [
            {"row": r.number, "status": r.status, "code": r.code, "field": r.field, "message": r.message}
            for r in selectors.account_opening_rows(opening=opening)
        ]
    return out


def _digest(upload: Any) -> str:
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    return h.hexdigest()


@router.post(
    "/institutions/{code}/accounts", response={202: OpeningOut, **problems(400, 401, 403, 404, 409, 413, 422, 429)}
)
def accounts_open(request: HttpRequest, code: str, file: File[UploadedFile] = None) -> Any:  # type: ignore[assignment]
    """Open accounts for a file of students (批量开户; multipart ``file``: CSV in UTF-8 or XLSX, the
    columns of ``…/accounts/template``). For the institution's administrators, bank staff managing
    institutions, and its API clients with ``accounts:write``. Answers 202 with the queued
    opening; ``GET …/accounts/{opening_id}`` gives its progress and the report (``created``,
    ``linked`` or ``error`` with a code, per row; no passwords), and once it is done, the uploader
    fetches the result file with the initial passwords, once, from ``result.url``. Accepts an
    ``Idempotency-Key``."""
    caller = _caller(request)
    address = ratelimit.client_address(request)

    def create() -> tuple[int, dict[str, Any]]:
        opening = services.account_opening_upload(caller=caller, code=code, upload=file, client_address=address)
        opening.refresh_from_db()  # an immediate task backend has run it already
        return 202, _opening_out(opening, caller, rows=True)

    who = f"client:{caller.client_pk}" if isinstance(caller, ClientPrincipal) else f"user:{caller.pk}"
    status, body = run_idempotent(
        scope=f"institutions.accounts:{code}:{who}",
        key=request.headers.get("Idempotency-Key"),
        payload={"file": _digest(file) if file is not None else None},
        create=create,
    )
    return Status(status, body)


@router.get("/institutions/{code}/accounts", response={200: OpeningListOut, **problems(400, 401, 403, 404)})
def accounts_openings(request: HttpRequest, code: str, limit: Limit = 20, offset: Offset = 0) -> Any:
    """The institution's account openings, newest first (without their rows)."""
    caller = _caller(request)
    institution = selectors.opening_institution_for(caller=caller, code=code)
    rows, count = page(selectors.account_openings_of(institution=institution), limit=limit, offset=offset)
    return {"items": [_opening_out(o, caller, rows=False) for o in rows], "count": count}


@router.get(
    "/institutions/{code}/accounts/template",
    response={200: None, **problems(400, 404)},
    openapi_extra={"responses": {"200": _FILE_RESPONSE}},
    auth=None,
)
def accounts_template(request: HttpRequest, code: str, format: str = "csv", headers: str = "zh") -> HttpResponse:  # noqa: A002
    """The file template (数据标准): the header row in Chinese (``headers=zh``: 姓名, 身份证号, 手机号,
    邮箱, 学号) or English (``headers=en``: name, id_number, phone, email, student_no) and one
    sample row, as ``format=csv`` (UTF-8) or ``format=xlsx``. Name, ID number and phone are
    required; email and student number optional; either header form is read, in any order."""
    selectors.institution_get_public(code)
    errors = []
    if format not in ("csv", "xlsx"):
        errors.append(_choice("format", ["csv", "xlsx"]))
    if headers not in ("zh", "en"):
        errors.append(_choice("headers", ["zh", "en"]))
    if errors:
        raise DomainError.combine(errors)
    template = services.account_opening_template(kind=format, headers=headers)
    return private_file_response(template.data, template.content_type, template.filename)


def _choice(field: str, allowed: list[str]) -> DomainError:
    return DomainError(
        KernelCode.CHOICE_INVALID, _("Choose one of: %(allowed)s.") % {"allowed": ", ".join(allowed)}, field=field,
        extra={"allowed": allowed},
    )  # fmt: skip


@router.get("/institutions/{code}/accounts/{opening_id}", response={200: OpeningOut, **problems(401, 403, 404)})
def accounts_opening(request: HttpRequest, code: str, opening_id: int) -> Any:
    """An account opening: its progress, counts and the report of every row processed so far."""
    caller = _caller(request)
    opening = selectors.account_opening_get_for_actor(actor=caller, code=code, id=opening_id)
    return _opening_out(opening, caller, rows=True)


@router.get(
    "/institutions/{code}/accounts/{opening_id}/result",
    response={200: None, **problems(401, 403, 404, 409, 410)},
    openapi_extra={"responses": {"200": _FILE_RESPONSE}},
)
def accounts_opening_result(request: HttpRequest, code: str, opening_id: int) -> HttpResponse:
    """The result file, once, for the uploader: every row's status and, for each account opened,
    its account number and initial password (the only place they ever appear). Afterwards the
    passwords are deleted: 410 ``opening_result_gone``, as after ``ACCOUNT_OPENING_RESULT_HOURS``."""
    result = services.account_opening_result(
        caller=_caller(request), code=code, id=opening_id, client_address=ratelimit.client_address(request)
    )
    return private_file_response(result.data, result.content_type, result.filename)
