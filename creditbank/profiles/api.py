"""The profiles API: /me, change requests, education and work history, and the staff review."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Response, Status
from pydantic import StrictBool

from creditbank.accounts.actor import actor
from creditbank.accounts.models import User
from creditbank.accounts.selectors import user_capabilities
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.documents import extension_for
from creditbank.kernel.downloads import private_file_response as file_response
from creditbank.kernel.errors import DomainError, PermissionDenied
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.notifications.selectors import preferences_of
from creditbank.profiles import selectors, services
from creditbank.profiles.domain.months import format_month
from creditbank.profiles.models import ChangeRequest, EducationEntry, WorkEntry

router = Router(tags=["profiles"])


class NextStepOut(Schema):
    code: str
    message: str
    url: str | None = None


class PendingOut(Schema):
    id: int
    kind: str
    field: str
    old_value: str
    new_value: str
    status: str
    created_at: datetime


class MeOut(Schema):
    account_no: str
    name: str
    gender: str
    id_number: str
    phone: str
    email: str
    address: str
    education_level: str
    occupation: str
    emergency_contact_name: str
    emergency_contact_phone: str
    preferred_language: str
    notify_email_decisions: bool
    notify_email_notices: bool
    status: str
    must_change_password: bool
    may: list[str]
    next_step: NextStepOut | None
    pending_changes: list[PendingOut]
    pending_confirmations: list[str]


class MePatchIn(InputSchema):
    """Editable fields. ``name``, ``gender``, ``account_no`` and ``id_number`` are refused with
    ``field_locked``; ``email`` and ``phone`` need ``password`` and a confirmation."""

    email: str | None = None
    phone: str | None = None
    password: str | None = None
    address: str | None = None
    education_level: str | None = None
    occupation: str | None = None
    emergency_contact_name: str | None = None
    emergency_contact_phone: str | None = None
    preferred_language: str | None = None
    notify_email_decisions: StrictBool | None = None
    notify_email_notices: StrictBool | None = None
    name: str | None = None
    gender: str | None = None
    account_no: str | None = None
    id_number: str | None = None


class PatchOut(Schema):
    applied: list[str]
    pending_review: list[str]
    pending_confirmation: list[str]
    me: MeOut


class TokenIn(InputSchema):
    token: str


class CodeIn(InputSchema):
    code: str


class HistoryOut(Schema):
    field: str
    old_value: str
    new_value: str
    source: str
    created_at: datetime


class HistoryListOut(Schema):
    items: list[HistoryOut]
    count: int


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


class ReviewChangeRequestOut(ChangeRequestOut):
    account_no: str
    user_name: str
    id_number: str
    account_status: str


class ReviewChangeRequestListOut(Schema):
    items: list[ReviewChangeRequestOut]
    count: int


class DecisionIn(InputSchema):
    decision: str
    reason_code: str = ""
    note: str = ""


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


def me_payload(user: User) -> dict[str, Any]:
    profile = services.profile_get(user)
    caps = user_capabilities(user)
    step = caps.next_step
    pending = [_request_out(r) for r in selectors.change_requests_for_user(user).filter(status="pending")]
    prefs = preferences_of(user)
    return {
        "account_no": user.account_no,
        "name": user.name,
        "gender": user.gender,
        "id_number": user.id_number_masked,
        "phone": user.phone_masked,
        "email": user.email,
        "address": profile.address,
        "education_level": profile.education_level,
        "occupation": profile.occupation,
        "emergency_contact_name": profile.emergency_contact_name,
        "emergency_contact_phone": profile.emergency_contact_phone_masked,
        "preferred_language": user.preferred_language,
        "notify_email_decisions": prefs.email_decisions,
        "notify_email_notices": prefs.email_notices,
        "status": user.status,
        "must_change_password": user.must_change_password,
        "may": caps.may,
        "next_step": (
            {"code": step.code, "message": str(step.message), "url": reverse(step.url_name) if step.url_name else None}
            if step
            else None
        ),
        "pending_changes": pending,
        "pending_confirmations": [c.kind for c in services.contact_change_pending(user)],
    }


def _request_out(r: ChangeRequest) -> dict[str, Any]:
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


def _review_out(r: ChangeRequest) -> dict[str, Any]:
    return {
        **_request_out(r),
        "account_no": r.user.account_no,
        "user_name": r.user.name,
        "id_number": r.user.id_number_masked,
        "account_status": r.user.status,
    }


@router.get("/me", response={200: MeOut, **problems(401, 403)})
def me(request: HttpRequest) -> Any:
    """The profile (personal data masked), the account state, what it may do now and the next step."""
    return me_payload(actor(request))


@router.patch("/me", response={200: PatchOut, **problems(400, 401, 403, 409, 429)})
def me_patch(request: HttpRequest, payload: MePatchIn) -> Any:
    """Edit the profile. Locked fields answer 400 ``field_locked``."""
    changes = payload.dict(exclude_unset=True)
    password = changes.pop("password", None)
    if not changes:
        raise DomainError("nothing_to_change", _("Send at least one field to change."))
    user = actor(request)
    result = services.profile_update(user=user, changes=changes, password=password)
    user.refresh_from_db()
    return {**result, "me": me_payload(user)}


@router.post("/me/email/confirm", response={200: MeOut, **problems(400, 409)}, auth=None)
def email_confirm(request: HttpRequest, payload: TokenIn) -> Any:
    """Confirm a new email address with the link's token (the link was sent to the new address)."""
    user = services.email_change_confirm(token=payload.token)
    return me_payload(user)


@router.post("/me/phone/confirm", response={200: MeOut, **problems(400, 401, 403, 409, 429)})
def phone_confirm(request: HttpRequest, payload: CodeIn) -> Any:
    """Confirm a new phone number with the code sent to it by text message."""
    user = services.phone_change_confirm(user=actor(request), code=payload.code)
    return me_payload(user)


@router.get("/me/history", response={200: HistoryListOut, **problems(400, 401, 403)})
def history(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> Any:
    """Every change to the profile (values masked)."""
    rows, count = page(selectors.profile_history(actor(request)), limit=limit, offset=offset)
    items = [
        {
            "field": h.field,
            "old_value": h.old_value,
            "new_value": h.new_value,
            "source": h.source,
            "created_at": h.created_at,
        }
        for h in rows
    ]
    return {"items": items, "count": count}


@router.get("/me/change-requests", response={200: ChangeRequestListOut, **problems(400, 401, 403)})
def change_requests(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> Any:
    rows, count = page(selectors.change_requests_for_user(actor(request)), limit=limit, offset=offset)
    return {"items": [_request_out(r) for r in rows], "count": count}


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
        return 202, _request_out(selectors.change_request_get_for_owner(user=user, request_id=created.pk))

    status, body = run_idempotent(
        scope=f"change-request:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload={"field": field, "new_value": new_value, "reason": reason, "files": [_digest(f) for f in files]},
        create=create,
    )
    return Status(status, body)


def _digest(upload: Any) -> str:
    import hashlib

    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    return h.hexdigest()


@router.delete("/me/change-requests/{request_id}", response={200: ChangeRequestOut, **problems(401, 403, 404, 409)})
def change_request_withdraw(request: HttpRequest, request_id: int) -> Any:
    services.change_request_withdraw(user=actor(request), request_id=request_id)
    return _request_out(selectors.change_request_get_for_owner(user=actor(request), request_id=request_id))


def _require_reviewer(user: User) -> None:
    if not selectors.user_is_change_reviewer(user):
        raise PermissionDenied("not_reviewer", _("Only staff who review change requests may see this."))


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
    _require_reviewer(user)
    qs = selectors.change_request_queue(reviewer=user, status=None if status == "all" else status, kind=kind)
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [_review_out(r) for r in rows], "count": count}


@router.get("/review/change-requests/{request_id}", response={200: ReviewChangeRequestOut, **problems(401, 403, 404)})
def review_detail(request: HttpRequest, request_id: int) -> Any:
    return _review_out(selectors.change_request_get_for_reviewer(reviewer=actor(request), request_id=request_id))


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
    services.change_request_decide(
        reviewer=actor(request),
        request_id=request_id,
        decision=payload.decision,
        reason_code=payload.reason_code,
        note=payload.note,
        client_address=ratelimit.client_address(request),
    )
    return _review_out(selectors.change_request_get_for_reviewer(reviewer=actor(request), request_id=request_id))


# --- education and work ------------------------------------------------------------------------


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


def _create_entry(request: HttpRequest, kind: str, data: dict[str, Any], out: Any) -> Any:
    user = actor(request)

    def create() -> tuple[int, dict[str, Any]]:
        return 201, out(services.history_create(kind=kind, user=user, data=data))

    status, body = run_idempotent(
        scope=f"{kind}:{user.pk}", key=request.headers.get("Idempotency-Key"), payload=data, create=create
    )
    return Status(status, body)


def _gate(request: HttpRequest) -> User:
    from creditbank.accounts.selectors import user_require_verified

    user = actor(request)
    user_require_verified(user)
    return user


@router.get("/me/education", response={200: EducationListOut, **problems(400, 401, 403)})
def education_list(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> Any:
    rows, count = page(selectors.education_for_user(_gate(request)), limit=limit, offset=offset)
    return {"items": [education_out(e) for e in rows], "count": count}


@router.post("/me/education", response={201: EducationOut, **problems(400, 401, 403, 409, 422)})
def education_create(request: HttpRequest, payload: EducationIn) -> Any:
    return _create_entry(request, "education", payload.dict(), education_out)


@router.patch("/me/education/{entry_id}", response={200: EducationOut, **problems(400, 401, 403, 404)})
def education_update(request: HttpRequest, entry_id: int, payload: EducationIn) -> Any:
    entry = services.history_update(
        kind="education", user=actor(request), entry_id=entry_id, data=payload.dict(exclude_unset=True)
    )
    return education_out(entry)


@router.delete("/me/education/{entry_id}", response={204: None, **problems(401, 403, 404)})
def education_delete(request: HttpRequest, entry_id: int) -> Any:
    services.history_delete(kind="education", user=actor(request), entry_id=entry_id)
    return Response(None, status=204)


@router.post(
    "/me/education/{entry_id}/evidence",
    response={200: EducationOut, **problems(400, 401, 403, 404, 413, 429)},
)
def education_evidence(request: HttpRequest, entry_id: int, evidence: File[UploadedFile] = None) -> Any:  # type: ignore[assignment]
    """Attach a proof file (photo or PDF) to an entry (multipart ``evidence``)."""
    entry = services.history_attach_evidence(kind="education", user=actor(request), entry_id=entry_id, upload=evidence)
    return education_out(entry)


@router.get("/me/work", response={200: WorkListOut, **problems(400, 401, 403)})
def work_list(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> Any:
    rows, count = page(selectors.work_for_user(_gate(request)), limit=limit, offset=offset)
    return {"items": [work_out(w) for w in rows], "count": count}


@router.post("/me/work", response={201: WorkOut, **problems(400, 401, 403, 409, 422)})
def work_create(request: HttpRequest, payload: WorkIn) -> Any:
    return _create_entry(request, "work", payload.dict(), work_out)


@router.patch("/me/work/{entry_id}", response={200: WorkOut, **problems(400, 401, 403, 404)})
def work_update(request: HttpRequest, entry_id: int, payload: WorkIn) -> Any:
    entry = services.history_update(
        kind="work", user=actor(request), entry_id=entry_id, data=payload.dict(exclude_unset=True)
    )
    return work_out(entry)


@router.delete("/me/work/{entry_id}", response={204: None, **problems(401, 403, 404)})
def work_delete(request: HttpRequest, entry_id: int) -> Any:
    services.history_delete(kind="work", user=actor(request), entry_id=entry_id)
    return Response(None, status=204)


@router.post("/me/work/{entry_id}/evidence", response={200: WorkOut, **problems(400, 401, 403, 404, 413, 429)})
def work_evidence(request: HttpRequest, entry_id: int, evidence: File[UploadedFile] = None) -> Any:  # type: ignore[assignment]
    entry = services.history_attach_evidence(kind="work", user=actor(request), entry_id=entry_id, upload=evidence)
    return work_out(entry)
