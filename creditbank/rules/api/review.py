"""The target institution's conversion queue: decisions, and conversions flagged because a
source outcome was revoked."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import problems
from creditbank.kernel.errors import PermissionDenied
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.reviews.errors import ErrorCode as ReviewsCode
from creditbank.reviews.schemas import DecisionIn, decision_arguments
from creditbank.rules import selectors, services
from creditbank.rules.api.schemas import (
    FlagResolutionIn,
    ReviewConversionListOut,
    ReviewConversionOut,
    review_conversion_out,
)

router = Router()


def _require_conversion_reviewer(user: Any) -> None:
    if not selectors.may_review_conversions(user):
        raise PermissionDenied(ReviewsCode.NOT_REVIEWER, _("Only conversion reviewers may see this."))


@router.get("/review/conversions", response={200: ReviewConversionListOut, **problems(400, 401, 403)})
def review_queue(request: HttpRequest, status: str = "pending", limit: Limit = 20, offset: Offset = 0) -> Any:
    """Conversion applications to the caller's institution (every one for the bank's conversion
    reviewers), oldest first (``status=all`` for every state)."""
    user = actor(request)
    _require_conversion_reviewer(user)
    qs = selectors.conversion_queue(reviewer=user, status=None if status == "all" else status)
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [review_conversion_out(a) for a in rows], "count": count}


@router.post(
    "/review/conversions/{application_id}/decision",
    response={200: ReviewConversionOut, **problems(400, 401, 403, 404, 409)},
)
def review_decide(request: HttpRequest, application_id: int, payload: DecisionIn) -> Any:
    """Approve (the conversion is posted from the frozen credits) or reject with a
    ``reason_code`` (the credits are released)."""
    services.conversion_decide(application_id=application_id, **decision_arguments(request, payload))
    reviewer = actor(request)
    found = selectors.conversion_get_for_actor(actor=reviewer, id=application_id, acting=Acting.STAFF)
    return review_conversion_out(found)


@router.post(
    "/review/conversions/{application_id}/flag",
    response={200: ReviewConversionOut, **problems(400, 401, 403, 404, 409)},
)
def review_flag(request: HttpRequest, application_id: int, payload: FlagResolutionIn) -> Any:
    """Resolve a conversion flagged because a source outcome was revoked (``GET
    /review/conversions?status=flagged`` lists them): ``reverse`` takes it back with the proposed
    entries, ``keep`` lets it stand with a note."""
    reviewer = actor(request)
    _require_conversion_reviewer(reviewer)
    services.conversion_flag_resolve(
        reviewer=reviewer, application_id=application_id, action=payload.action, note=payload.note,
        client_address=ratelimit.client_address(request),
    )  # fmt: skip
    found = selectors.conversion_get_for_actor(actor=reviewer, id=application_id, acting=Acting.STAFF)
    return review_conversion_out(found)
