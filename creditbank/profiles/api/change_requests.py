"""The profiles API, the learner's change requests: locked fields (name, gender, ID number) with proof,
and policy-reviewed fields."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting
from creditbank.kernel.api_schemas import problems
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.profiles import selectors, services
from creditbank.profiles.models import ChangeRequest

router = Router()


class ProofOut(Schema):
    id: int
    content_type: str
    size: int
    filename: str


class ChangeRequestOut(Schema):
    id: int
    kind: str
    field: str
    old_value: str
    new_value: str
    reason: str
    status: str
    reason_code: str
    note: str
    created_at: datetime
    decided_at: datetime | None
    proofs: list[ProofOut]


class ChangeRequestListOut(Schema):
    items: list[ChangeRequestOut]
    count: int


def request_out(r: ChangeRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "field": r.field,
        "old_value": r.old_value_masked,
        "new_value": r.new_value_masked,
        "reason": r.reason,
        "status": r.status,
        "reason_code": r.reason_code,
        "note": r.note,
        "created_at": r.created_at,
        "decided_at": r.decided_at,
        "proofs": [
            {"id": p.id, "content_type": p.content_type, "size": p.size, "filename": p.filename} for p in r.proofs.all()
        ],
    }


@router.get("/me/change-requests", response={200: ChangeRequestListOut, **problems(400, 401, 403)})
def change_requests(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> Any:
    rows, count = page(selectors.change_requests_for_user(actor(request)), limit=limit, offset=offset)
    return {"items": [request_out(r) for r in rows], "count": count}


@router.post("/me/change-requests", response={202: ChangeRequestOut, **problems(400, 401, 403, 409, 413, 422, 429)})
def change_request_create(
    request: HttpRequest,
    field: Form[str] = "",
    new_value: Form[str] = "",
    reason: Form[str] = "",
    proof: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """Ask to change name, gender or ID number (multipart: ``field``, ``new_value``, ``reason``, ``proof`` files)."""
    user = actor(request)
    files = list(proof or [])

    def create() -> tuple[int, dict[str, Any]]:
        created = services.change_request_create(
            user=user, field=field, new_value=new_value, reason=reason, proofs=files
        )
        return 202, request_out(selectors.change_request_get_for_actor(actor=user, id=created.pk, acting=Acting.OWNER))

    status, body = run_idempotent(
        scope=f"change-request:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload={"field": field, "new_value": new_value, "reason": reason, "files": [_digest(f) for f in files]},
        create=create,
    )
    return Status(status, body)


def _digest(upload: Any) -> str:
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    return h.hexdigest()


@router.delete("/me/change-requests/{request_id}", response={200: ChangeRequestOut, **problems(401, 403, 404, 409)})
def change_request_withdraw(request: HttpRequest, request_id: int) -> Any:
    services.change_request_withdraw(user=actor(request), request_id=request_id)
    return request_out(selectors.change_request_get_for_actor(actor=actor(request), id=request_id, acting=Acting.OWNER))
