"""Institutions: the public list, onboarding by bank staff, members and API clients managed by
an institution's administrators, and ``whoami`` for a client token. Thin: services and
selectors do the work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Response, Status

from creditbank.accounts.actor import actor
from creditbank.accounts.id_numbers import region_name
from creditbank.institutions import selectors, services
from creditbank.institutions.models import ApiClient, Institution, Membership
from creditbank.institutions.principal import client_principal
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page

router = Router(tags=["institutions"])


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
