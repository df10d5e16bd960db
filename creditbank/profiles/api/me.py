"""The profiles API, /me: the profile, its edits, email and phone confirmation, its change history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import StrictBool

from creditbank.accounts.actor import actor
from creditbank.accounts.models import User
from creditbank.accounts.selectors import user_capabilities
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.errors import DomainError
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.notifications.selectors import preferences_of
from creditbank.profiles import selectors, services
from creditbank.profiles.api.change_requests import request_out
from creditbank.profiles.errors import ErrorCode

router = Router()


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


def me_payload(user: User) -> dict[str, Any]:
    profile = services.profile_get(user)
    caps = user_capabilities(user)
    step = caps.next_step
    pending = [request_out(r) for r in selectors.change_requests_for_user(user).filter(status="pending")]
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
        raise DomainError(ErrorCode.NOTHING_TO_CHANGE, _("Send at least one field to change."))
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
