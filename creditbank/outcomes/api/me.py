"""The learner's outcomes: self-report with evidence, correct, add evidence, apply for
certification (成果认证), withdraw."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.documents import extension_for
from creditbank.kernel.downloads import private_file_response
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.outcomes import selectors, services
from creditbank.outcomes.api.schemas import ApplicationOut, OutcomeOut, application_out, outcome_out

router = Router()


class OutcomeListOut(Schema):
    items: list[OutcomeOut]
    count: int


class ApplicationListOut(Schema):
    items: list[ApplicationOut]
    count: int


def _fields(**given: Any) -> dict[str, Any]:
    scheme, value = given.pop("result_scheme"), given.pop("result_value")
    given["result"] = {"scheme": scheme, "value": value} if (scheme or value) else None
    return given


def _digest(upload: Any) -> str:
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    return h.hexdigest()


@router.get("/me/outcomes", response={200: OutcomeListOut, **problems(400, 401, 403)})
def outcome_list(request: HttpRequest, status: str | None = None, limit: Limit = 50, offset: Offset = 0) -> Any:
    """The learner's outcomes, newest first (``status`` filters)."""
    user = actor(request)
    user_require_verified(user)
    qs = selectors.outcomes_for_user(user)
    if status:
        qs = qs.filter(status=status)
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [outcome_out(o) for o in rows], "count": count}


@router.post("/me/outcomes", response={201: OutcomeOut, **problems(400, 401, 403, 409, 413, 422, 429)})
def outcome_create(
    request: HttpRequest,
    type: Form[str] = "",
    title: Form[str] = "",
    code: Form[str] = "",
    issuer: Form[str] = "",
    achieved_on: Form[str] = "",
    credits: Form[str] = "",
    hours: Form[str] = "",
    result_scheme: Form[str] = "",
    result_value: Form[str] = "",
    level: Form[str] = "",
    expires_on: Form[str] = "",
    evidence: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """Self-report an outcome (multipart: the outcome's fields, ``result_scheme`` and
    ``result_value`` for its result, and 0–5 ``evidence`` files, PDF or image). It is a draft
    until certified: apply with ``POST /me/outcomes/{id}/certification``."""
    user = actor(request)
    files = list(evidence or [])
    data = _fields(
        type=type, title=title, code=code, issuer=issuer, achieved_on=achieved_on, credits=credits, hours=hours,
        result_scheme=result_scheme, result_value=result_value, level=level, expires_on=expires_on,
    )  # fmt: skip

    def create() -> tuple[int, dict[str, Any]]:
        created = services.outcome_self_report(user=user, data=data, evidence=files)
        return 201, outcome_out(selectors.outcome_get_for_actor(actor=user, id=created.pk))

    status, body = run_idempotent(
        scope=f"outcome:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload={**data, "files": [_digest(f) for f in files]},
        create=create,
    )
    return Status(status, body)


@router.get("/me/outcomes/{outcome_id}", response={200: OutcomeOut, **problems(401, 403, 404)})
def outcome_detail(request: HttpRequest, outcome_id: int) -> Any:
    user = actor(request)
    user_require_verified(user)
    return outcome_out(selectors.outcome_get_for_actor(actor=user, id=outcome_id))


class ResultIn(InputSchema):
    scheme: str
    value: str


class OutcomeIn(InputSchema):
    type: str = ""
    title: str = ""
    code: str = ""
    issuer: str = ""
    achieved_on: str = ""
    #: a decimal string, as every credit amount: "4.5"
    credits: str = ""
    hours: str | None = None
    result: ResultIn | None = None
    level: int | None = None
    expires_on: str | None = None


@router.put("/me/outcomes/{outcome_id}", response={200: OutcomeOut, **problems(400, 401, 403, 404, 409)})
def outcome_update(request: HttpRequest, outcome_id: int, payload: OutcomeIn) -> Any:
    """Correct a draft or not-certified outcome (JSON, every field again; evidence files have
    their own endpoints); 409 ``outcome_locked`` while an application is open and once certified."""
    user = actor(request)
    services.outcome_update(user=user, outcome_id=outcome_id, data=payload.dict())
    return outcome_out(selectors.outcome_get_for_actor(actor=user, id=outcome_id))


@router.post(
    "/me/outcomes/{outcome_id}/evidence", response={201: OutcomeOut, **problems(400, 401, 403, 404, 409, 413, 429)}
)
def evidence_add(request: HttpRequest, outcome_id: int, evidence: File[list[UploadedFile]] = None) -> Any:  # type: ignore[assignment]
    """Add evidence files (multipart ``evidence``) to an editable outcome: at most 5 in all."""
    user = actor(request)
    services.outcome_evidence_add(user=user, outcome_id=outcome_id, evidence=list(evidence or []))
    return Status(201, outcome_out(selectors.outcome_get_for_actor(actor=user, id=outcome_id)))


@router.delete(
    "/me/outcomes/{outcome_id}/evidence/{evidence_id}", response={200: OutcomeOut, **problems(401, 403, 404, 409)}
)
def evidence_remove(request: HttpRequest, outcome_id: int, evidence_id: int) -> Any:
    user = actor(request)
    services.outcome_evidence_remove(user=user, outcome_id=outcome_id, evidence_id=evidence_id)
    return outcome_out(selectors.outcome_get_for_actor(actor=user, id=outcome_id))


@router.get(
    "/me/outcomes/{outcome_id}/evidence/{evidence_id}",
    response={200: None, **problems(401, 403, 404)},
    openapi_extra={
        "responses": {"200": {"description": "the file", "content": {"image/jpeg": {}, "application/pdf": {}}}}
    },
)
def evidence_file(request: HttpRequest, outcome_id: int, evidence_id: int) -> HttpResponse:
    data, content_type, name = services.evidence_for_owner(
        user=actor(request), outcome_id=outcome_id, evidence_id=evidence_id
    )
    return private_file_response(
        data, content_type, f"evidence-{outcome_id}-{evidence_id}.{extension_for(content_type)}", display_name=name
    )


@router.post(
    "/me/outcomes/{outcome_id}/certification", response={201: ApplicationOut, **problems(400, 401, 403, 404, 409)}
)
def certification_apply(request: HttpRequest, outcome_id: int) -> Any:
    """Apply for certification (成果认证): routed to the issuing institution's reviewers when it
    is a member of the bank, else to the bank's staff. One open application per outcome."""
    user = actor(request)

    def create() -> tuple[int, dict[str, Any]]:
        created = services.certification_apply(user=user, outcome_id=outcome_id)
        found = selectors.application_get_for_actor(actor=user, id=created.pk, acting=Acting.OWNER)
        return 201, application_out(found)

    status, body = run_idempotent(
        scope=f"certification:{user.pk}", key=request.headers.get("Idempotency-Key"),
        payload={"outcome_id": outcome_id}, create=create,
    )  # fmt: skip
    return Status(status, body)


@router.get("/me/certifications", response={200: ApplicationListOut, **problems(400, 401, 403)})
def application_list(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> Any:
    user = actor(request)
    user_require_verified(user)
    rows, count = page(selectors.applications_for_user(user), limit=limit, offset=offset)
    return {"items": [application_out(a) for a in rows], "count": count}


@router.delete("/me/certifications/{application_id}", response={200: ApplicationOut, **problems(401, 403, 404, 409)})
def application_withdraw(request: HttpRequest, application_id: int) -> Any:
    """Withdraw a pending application: the outcome is a draft again."""
    user = actor(request)
    services.certification_withdraw(user=user, application_id=application_id)
    return application_out(selectors.application_get_for_actor(actor=user, id=application_id, acting=Acting.OWNER))
