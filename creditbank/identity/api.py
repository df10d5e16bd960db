"""The real-name verification API: the learner's side and the reviewer's side."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting, Role, require_role
from creditbank.identity import selectors, services
from creditbank.identity.labels import check_detail
from creditbank.identity.reasons import REASONS, reason_as_dict
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.downloads import private_file_response
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.reviews.errors import ErrorCode as ReviewsCode
from creditbank.reviews.schemas import DecisionIn, decision_arguments

router = Router(tags=["real-name verification"])


class CheckOut(Schema):
    name: str
    status: str


class ReasonOut(Schema):
    code: str
    label: str
    explanation: str
    advice: list[str]


class VerificationOut(Schema):
    account_status: str
    status: str
    attempt_id: int | None
    submitted_at: datetime | None
    decided_at: datetime | None
    checks: list[CheckOut]
    reason: ReasonOut | None
    note: str
    attempts_left_today: int
    next_attempt_at: datetime | None
    can_submit: bool
    can_withdraw: bool
    can_reset: bool
    #: where the identity of the current attempt comes from: ``learner`` (ID card photos) or
    #: ``institution`` (vouched for by the institution that opened the account, named by its code
    #: in ``source_institution``); empty before any attempt
    source: str = ""
    source_institution: str = ""


class ReviewCheckOut(Schema):
    name: str
    status: str
    detail: str = ""
    advisory: bool = False
    matched_attempt_id: int | None = None


class ReviewItemOut(Schema):
    id: int
    status: str
    submitted_at: datetime
    account_no: str
    declared_name: str
    gender: str
    id_number: str
    region_flagged: bool
    checks: list[ReviewCheckOut]
    reason_code: str
    note: str
    decided_at: datetime | None
    reviewer: str | None
    photos_available: bool
    photo_urls: dict[str, str]


class ReviewListOut(Schema):
    items: list[ReviewItemOut]
    count: int


class ReasonIn(InputSchema):
    reason: str


class RevealOut(Schema):
    id_number: str
    phone: str


class ReasonListOut(Schema):
    items: list[ReasonOut]
    count: int


def _review_item(attempt: Any) -> dict[str, Any]:
    user = attempt.user
    available = not attempt.photos_deleted_at and bool(attempt.front_blob)
    return {
        "id": attempt.pk,
        "status": attempt.status,
        "submitted_at": attempt.created_at,
        "account_no": user.account_no,
        "declared_name": attempt.declared_name,
        "gender": attempt.declared_gender,
        "id_number": user.id_number_masked,
        "region_flagged": user.region_flagged,
        "checks": [
            {
                "name": c.get("name", ""),
                "status": c.get("status", ""),
                "detail": check_detail(c),
                "advisory": selectors.check_is_advisory(c.get("name", "")),
                "matched_attempt_id": (c.get("data") or {}).get("matched_attempt_id"),
            }
            for c in attempt.checks
        ],
        "reason_code": attempt.reason_code,
        "note": attempt.note,
        "decided_at": attempt.decided_at,
        "reviewer": attempt.reviewer.account_no if attempt.reviewer else None,
        "photos_available": available,
        "photo_urls": (
            {side: f"/api/v1/review/verifications/{attempt.pk}/photos/{side}" for side in ("front", "back")}
            if available
            else {}
        ),
    }


@router.get("/me/verification", response={200: VerificationOut, **problems(401, 403)})
def verification_get(request: HttpRequest) -> Any:
    """The learner's verification: state, reason and advice, attempts left today, and while the attempt is
    pending or rejected the checks that are the learner's to fix (advisory checks are for reviewers)."""
    return selectors.verification_state(actor(request))


@router.post("/me/verification", response={202: VerificationOut, **problems(400, 401, 403, 409, 413, 429)})
def verification_submit(
    request: HttpRequest,
    consent: Form[str] = "",
    id_front: File[UploadedFile] = None,  # type: ignore[assignment]
    id_back: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Any:
    """Submit both sides of the ID card (multipart: ``consent``="true", ``id_front``, ``id_back``)."""
    user = actor(request)
    services.verification_submit(
        user=user, consent=(consent or "").strip().lower() == "true", id_front=id_front, id_back=id_back
    )
    return Status(202, selectors.verification_state(user))


@router.delete("/me/verification", response={200: VerificationOut, **problems(401, 403, 409)})
def verification_delete(request: HttpRequest) -> Any:
    """Withdraw a pending attempt, or reset a rejected one (重置实名认证信息) to start over."""
    user = actor(request)
    services.verification_withdraw(user=user)
    return selectors.verification_state(user)


@router.get("/verification/reasons", response=ReasonListOut, auth=None)
def reasons(request: HttpRequest) -> Any:
    """Every rejection reason code, what it means and what to do."""
    items = [reason_as_dict(code) for code in REASONS]
    return {"items": items, "count": len(items)}


@router.get("/review/verifications", response={200: ReviewListOut, **problems(400, 401, 403)})
def review_list(
    request: HttpRequest,
    status: str = "pending",
    flagged: bool = False,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Any:
    """The reviewers' queue, oldest first (``status``: pending, approved, rejected, withdrawn, reset, all)."""
    user = actor(request)
    require_role(
        user,
        Role.VERIFICATION_REVIEWER,
        code=ReviewsCode.NOT_REVIEWER,
        message=_("Only verification reviewers may see this."),
    )
    qs = selectors.verification_queue(reviewer=user, status=None if status == "all" else status, flagged_only=flagged)
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [_review_item(a) for a in rows], "count": count}


@router.get("/review/verifications/{attempt_id}", response={200: ReviewItemOut, **problems(401, 403, 404)})
def review_detail(request: HttpRequest, attempt_id: int) -> Any:
    attempt = selectors.verification_get_for_actor(actor=actor(request), id=attempt_id, acting=Acting.STAFF)
    return _review_item(attempt)


@router.get(
    "/review/verifications/{attempt_id}/photos/{side}",
    response={200: None, **problems(401, 403, 404)},
    openapi_extra={"responses": {"200": {"description": "JPEG", "content": {"image/jpeg": {}}}}},
)
def review_photo(request: HttpRequest, attempt_id: int, side: str) -> HttpResponse:
    """A photo (JPEG). Each view is recorded in the audit log."""
    data = services.verification_photo_for_reviewer(
        reviewer=actor(request),
        attempt_id=attempt_id,
        side=side,
        client_address=ratelimit.client_address(request),
    )
    return photo_response(data, f"verification-{attempt_id}-{side}.jpg")


def photo_response(data: bytes, filename: str) -> HttpResponse:
    return private_file_response(data, "image/jpeg", filename)


@router.post(
    "/review/verifications/{attempt_id}/decision",
    response={200: ReviewItemOut, **problems(400, 401, 403, 404, 409)},
)
def review_decide(request: HttpRequest, attempt_id: int, payload: DecisionIn) -> Any:
    """Approve or reject (with a ``reason_code`` from /verification/reasons and a ``note``)."""
    attempt = services.verification_decide(attempt_id=attempt_id, **decision_arguments(request, payload))
    return _review_item(selectors.verification_get_for_actor(actor=actor(request), id=attempt.pk, acting=Acting.STAFF))


@router.post(
    "/review/verifications/{attempt_id}/reveal",
    response={200: RevealOut, **problems(400, 401, 403, 404, 500)},
)
def review_reveal(request: HttpRequest, attempt_id: int, payload: ReasonIn) -> Any:
    """The full ID number and phone, for a stated reason; recorded in the audit log.

    A stored value that no longer decrypts answers 500 ``record_damaged`` (the operators are alerted).
    """
    return services.verification_reveal_pii(
        reviewer=actor(request),
        attempt_id=attempt_id,
        reason=payload.reason,
        client_address=ratelimit.client_address(request),
    )


@router.post(
    "/review/verifications/{attempt_id}/reset",
    response={200: ReviewItemOut, **problems(400, 401, 403, 404, 409)},
)
def review_reset(request: HttpRequest, attempt_id: int, payload: ReasonIn) -> Any:
    """Staff reset of an approved verification: the account must verify again."""
    services.verification_staff_reset(
        staff=actor(request),
        attempt_id=attempt_id,
        reason=payload.reason,
        client_address=ratelimit.client_address(request),
    )
    return _review_item(selectors.verification_get_for_actor(actor=actor(request), id=attempt_id, acting=Acting.STAFF))
