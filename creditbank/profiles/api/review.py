"""The profiles API, the staff review of change requests."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting, Role, require_role
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import problems
from creditbank.kernel.documents import extension_for
from creditbank.kernel.downloads import private_file_response as file_response
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.profiles import selectors, services
from creditbank.profiles.api.change_requests import ChangeRequestOut, request_out
from creditbank.profiles.models import ChangeRequest
from creditbank.reviews.errors import ErrorCode as ReviewsCode
from creditbank.reviews.schemas import DecisionIn, decision_arguments

router = Router()


class ReviewChangeRequestOut(ChangeRequestOut):
    account_no: str
    user_name: str
    id_number: str
    account_status: str


class ReviewChangeRequestListOut(Schema):
    items: list[ReviewChangeRequestOut]
    count: int


def _review_out(r: ChangeRequest) -> dict[str, Any]:
    return {
        **request_out(r),
        "account_no": r.user.account_no,
        "user_name": r.user.name,
        "id_number": r.user.id_number_masked,
        "account_status": r.user.status,
    }


@router.get("/review/change-requests", response={200: ReviewChangeRequestListOut, **problems(400, 401, 403)})
def review_list(
    request: HttpRequest,
    status: str = "pending",
    kind: str | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Any:
    """Locked-field and reviewed-field change requests, oldest first."""
    user = actor(request)
    require_role(
        user,
        Role.CHANGE_REVIEWER,
        code=ReviewsCode.NOT_REVIEWER,
        message=_("Only staff who review change requests may see this."),
    )
    qs = selectors.change_request_queue(reviewer=user, status=None if status == "all" else status, kind=kind)
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [_review_out(r) for r in rows], "count": count}


@router.get("/review/change-requests/{request_id}", response={200: ReviewChangeRequestOut, **problems(401, 403, 404)})
def review_detail(request: HttpRequest, request_id: int) -> Any:
    return _review_out(selectors.change_request_get_for_actor(actor=actor(request), id=request_id, acting=Acting.STAFF))


@router.get(
    "/review/change-requests/{request_id}/proofs/{proof_id}",
    response={200: None, **problems(401, 403, 404)},
    openapi_extra={
        "responses": {"200": {"description": "the proof file", "content": {"image/jpeg": {}, "application/pdf": {}}}}
    },
)
def review_proof(request: HttpRequest, request_id: int, proof_id: int) -> HttpResponse:
    """A proof file; every view is in the audit log."""
    data, content_type, name = services.change_request_proof_for_reviewer(
        reviewer=actor(request),
        request_id=request_id,
        proof_id=proof_id,
        client_address=ratelimit.client_address(request),
    )
    ext = extension_for(content_type)
    return file_response(data, content_type, f"proof-{request_id}-{proof_id}.{ext}", display_name=name)


@router.post(
    "/review/change-requests/{request_id}/decision",
    response={200: ReviewChangeRequestOut, **problems(400, 401, 403, 404, 409)},
)
def review_decide(request: HttpRequest, request_id: int, payload: DecisionIn) -> Any:
    """Approve (applied at once; a new name or ID number sends the account back to real-name verification) or reject."""
    services.change_request_decide(request_id=request_id, **decision_arguments(request, payload))
    return _review_out(selectors.change_request_get_for_actor(actor=actor(request), id=request_id, acting=Acting.STAFF))
