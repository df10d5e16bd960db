"""The certification queue: the applications routed to the caller (their institution's, or the
bank's for bank staff), the outcome's evidence, the decision."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import problems
from creditbank.kernel.documents import extension_for
from creditbank.kernel.downloads import private_file_response
from creditbank.kernel.errors import PermissionDenied
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.outcomes import selectors, services
from creditbank.outcomes.api.schemas import ApplicationOut, OutcomeOut, application_out, outcome_out
from creditbank.outcomes.models import CertificationApplication
from creditbank.reviews.errors import ErrorCode as ReviewsCode
from creditbank.reviews.schemas import DecisionIn, decision_arguments

router = Router()


class StandardBrief(Schema):
    id: int
    title: str
    credits: str
    version: int


class ReviewApplicationOut(ApplicationOut):
    account_no: str
    learner_name: str
    outcome: OutcomeOut
    standard: StandardBrief | None


class ReviewApplicationListOut(Schema):
    items: list[ReviewApplicationOut]
    count: int


class CertificationDecisionIn(DecisionIn):
    #: approve: the credits granted (default: the standard's); fewer need ``adjust_reason``
    credits: str | None = None
    adjust_reason: str = ""


def _review_out(a: CertificationApplication) -> dict[str, Any]:
    s = a.standard
    return {
        **application_out(a),
        "account_no": a.user.account_no,
        "learner_name": a.user.name,
        "outcome": outcome_out(a.outcome),
        "standard": {"id": s.pk, "title": s.title(), "credits": f"{s.credits:.2f}", "version": s.version}
        if s
        else None,
    }


def _require_reviewer(user: Any) -> None:
    if not selectors.may_review_certifications(user):
        raise PermissionDenied(ReviewsCode.NOT_REVIEWER, _("Only certification reviewers may see this."))


@router.get("/review/certifications", response={200: ReviewApplicationListOut, **problems(400, 401, 403)})
def queue(request: HttpRequest, status: str = "pending", limit: Limit = 20, offset: Offset = 0) -> Any:
    """Applications routed to the caller, oldest first (``status=all`` for every state)."""
    user = actor(request)
    _require_reviewer(user)
    qs = selectors.certification_queue(reviewer=user, status=None if status == "all" else status)
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [_review_out(a) for a in rows], "count": count}


@router.get("/review/certifications/{application_id}", response={200: ReviewApplicationOut, **problems(401, 403, 404)})
def detail(request: HttpRequest, application_id: int) -> Any:
    return _review_out(
        selectors.application_get_for_actor(actor=actor(request), id=application_id, acting=Acting.STAFF)
    )


@router.get(
    "/review/certifications/{application_id}/evidence/{evidence_id}",
    response={200: None, **problems(401, 403, 404)},
    openapi_extra={
        "responses": {"200": {"description": "the file", "content": {"image/jpeg": {}, "application/pdf": {}}}}
    },
)
def evidence(request: HttpRequest, application_id: int, evidence_id: int) -> HttpResponse:
    """An evidence file of the application's outcome; every view is in the audit log."""
    data, content_type, name = services.certification_evidence_for_reviewer(
        reviewer=actor(request), application_id=application_id, evidence_id=evidence_id,
        client_address=ratelimit.client_address(request),
    )  # fmt: skip
    ext = extension_for(content_type)
    return private_file_response(
        data, content_type, f"evidence-{application_id}-{evidence_id}.{ext}", display_name=name
    )


@router.post(
    "/review/certifications/{application_id}/decision",
    response={200: ReviewApplicationOut, **problems(400, 401, 403, 404, 409)},
)
def decide(request: HttpRequest, application_id: int, payload: CertificationDecisionIn) -> Any:
    """Approve (credits deposited at once; ``credits`` may lower the standard's, with
    ``adjust_reason``), reject with a ``reason_code``, or ask for more evidence
    (``reason_code: more_evidence``)."""
    services.certification_decide(
        application_id=application_id, credits=payload.credits, adjust_reason=payload.adjust_reason,
        **decision_arguments(request, payload),
    )  # fmt: skip
    return _review_out(
        selectors.application_get_for_actor(actor=actor(request), id=application_id, acting=Acting.STAFF)
    )
