"""Notices (官方通知) and support tickets (联系客服)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import StrictBool

from creditbank.accounts.actor import actor
from creditbank.accounts.models import User
from creditbank.accounts.roles import Acting, Role, require_role
from creditbank.kernel.api_auth import optional_principal
from creditbank.kernel.api_body import json_or_form
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.documents import extension_for
from creditbank.kernel.downloads import private_file_response as file_response
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.notices import selectors, services
from creditbank.notices.errors import ErrorCode
from creditbank.notices.models import Notice, Ticket
from creditbank.notices.rendering import render_markdown

router = Router(tags=["notices and support"])


class NoticeOut(Schema):
    id: int
    title: str
    body_html: str
    published_at: datetime
    pinned: bool
    expires_at: datetime | None
    read: bool | None


class NoticeListOut(Schema):
    items: list[NoticeOut]
    count: int
    unread: int | None


class AttachmentOut(Schema):
    id: int
    content_type: str
    size: int
    filename: str


class MessageOut(Schema):
    id: int
    from_staff: bool
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]


class TicketOut(Schema):
    id: int
    category: str
    subject: str
    status: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    messages: list[MessageOut]


class TicketListOut(Schema):
    items: list[TicketOut]
    count: int


class StaffTicketOut(TicketOut):
    account_no: str
    user_name: str


class StaffTicketListOut(Schema):
    items: list[StaffTicketOut]
    count: int


class TicketIn(InputSchema):
    category: str
    subject: str
    message: str


class MessageIn(InputSchema):
    message: str
    close: StrictBool = False


_TICKET_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": TicketIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        **TicketIn.model_json_schema()["properties"],
                        "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                    "required": ["category", "subject", "message"],
                }
            },
        }
    }
}
_MESSAGE_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": MessageIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "message": {"type": "string"},
                        "close": {"type": "boolean"},
                        "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                    "required": ["message"],
                }
            },
        }
    }
}


def _notice_out(n: Notice, read_ids: set[int] | None) -> dict[str, Any]:
    return {
        "id": n.pk,
        "title": n.title(),
        "body_html": render_markdown(n.body()),
        "published_at": n.published_at,
        "pinned": n.pinned,
        "expires_at": n.expires_at,
        "read": (n.pk in read_ids) if read_ids is not None else None,
    }


def _optional_user(request: HttpRequest) -> User | None:
    """Signed-in callers see read marks; anyone may read notices (credentials a protected
    operation would refuse read as anonymous)."""
    principal = optional_principal(request)
    return principal if isinstance(principal, User) else None


@router.get("/notices", response={200: NoticeListOut, **problems(400)}, auth=None)
def notices(request: HttpRequest, limit: Limit = 20, offset: Offset = 0) -> Any:
    """Official notices, pinned first then newest; ``read`` and ``unread`` for signed-in users."""
    user = _optional_user(request)
    rows, count = page(selectors.notices_visible(), limit=limit, offset=offset)
    read_ids = selectors.notice_read_ids(user) if user else None
    return {
        "items": [_notice_out(n, read_ids) for n in rows],
        "count": count,
        "unread": selectors.notices_unread_count(user) if user else None,
    }


@router.get("/notices/{notice_id}", response={200: NoticeOut, **problems(404)}, auth=None)
def notice(request: HttpRequest, notice_id: int) -> Any:
    """One notice; reading it while signed in marks it read."""
    n = selectors.notice_get_visible(notice_id)
    user = _optional_user(request)
    if user:
        services.notice_mark_read(user=user, notice=n)
    return _notice_out(n, {n.pk} if user else None)


def _ticket_out(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.pk,
        "category": t.category,
        "subject": t.subject,
        "status": t.status,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "closed_at": t.closed_at,
        "messages": [
            {
                "id": m.pk,
                "from_staff": m.from_staff,
                "body": m.body,
                "created_at": m.created_at,
                "attachments": [
                    {"id": a.pk, "content_type": a.content_type, "size": a.size, "filename": a.filename}
                    for a in m.attachments.all()
                ],
            }
            for m in t.messages.all()
        ],
    }


def _staff_ticket_out(t: Ticket) -> dict[str, Any]:
    return {**_ticket_out(t), "account_no": t.user.account_no, "user_name": t.user.name}


@router.get("/me/tickets", response={200: TicketListOut, **problems(400, 401, 403)})
def my_tickets(request: HttpRequest, limit: Limit = 20, offset: Offset = 0) -> Any:
    rows, count = page(selectors.tickets_for_user(actor(request)), limit=limit, offset=offset)
    return {"items": [_ticket_out(t) for t in rows], "count": count}


@router.post(
    "/me/tickets",
    response={201: TicketOut, **problems(400, 401, 403, 409, 413, 422, 429)},
    openapi_extra=_TICKET_BODY,
)
def open_ticket(request: HttpRequest) -> Any:
    """Ask support (JSON, or multipart with ``attachments``). Open to every signed-in account."""
    data, files = json_or_form(request, schema=TicketIn, file_fields=("attachments",))
    user = actor(request)

    def create() -> tuple[int, dict[str, Any]]:
        ticket = services.ticket_open(
            user=user,
            category=str(data.get("category") or ""),
            subject=str(data.get("subject") or ""),
            message=str(data.get("message") or ""),
            attachments=files["attachments"],
        )
        return 201, _ticket_out(selectors.ticket_get_for_actor(actor=user, id=ticket.pk, acting=Acting.OWNER))

    payload = {**data, "attachments": [f.name for f in files["attachments"]]}
    status, body = run_idempotent(
        scope=f"ticket:{user.pk}", key=request.headers.get("Idempotency-Key"), payload=payload, create=create
    )
    return Status(status, body)


@router.get("/me/tickets/{ticket_id}", response={200: TicketOut, **problems(401, 403, 404)})
def my_ticket(request: HttpRequest, ticket_id: int) -> Any:
    return _ticket_out(selectors.ticket_get_for_actor(actor=actor(request), id=ticket_id, acting=Acting.OWNER))


@router.post(
    "/me/tickets/{ticket_id}/messages",
    response={201: TicketOut, **problems(400, 401, 403, 404, 409, 413, 429)},
    openapi_extra=_MESSAGE_BODY,
)
def my_ticket_message(request: HttpRequest, ticket_id: int) -> Any:
    """Reply; a recently closed ticket reopens. ``close``: true closes it instead of replying."""
    data, files = json_or_form(request, schema=MessageIn, file_fields=("attachments",))
    user = actor(request)
    close = data.get("close") is True
    if close and not data.get("message"):
        services.ticket_close_by_user(user=user, ticket_id=ticket_id)
    else:
        services.ticket_reply_by_user(
            user=user, ticket_id=ticket_id, message=str(data.get("message") or ""), attachments=files["attachments"]
        )
        if close:
            services.ticket_close_by_user(user=user, ticket_id=ticket_id)
    return Status(201, _ticket_out(selectors.ticket_get_for_actor(actor=user, id=ticket_id, acting=Acting.OWNER)))


@router.post("/me/tickets/{ticket_id}/close", response={200: TicketOut, **problems(401, 403, 404, 409)})
def my_ticket_close(request: HttpRequest, ticket_id: int) -> Any:
    services.ticket_close_by_user(user=actor(request), ticket_id=ticket_id)
    return _ticket_out(selectors.ticket_get_for_actor(actor=actor(request), id=ticket_id, acting=Acting.OWNER))


@router.post("/me/tickets/{ticket_id}/reopen", response={200: TicketOut, **problems(401, 403, 404, 409)})
def my_ticket_reopen(request: HttpRequest, ticket_id: int) -> Any:
    services.ticket_reopen(user=actor(request), ticket_id=ticket_id)
    return _ticket_out(selectors.ticket_get_for_actor(actor=actor(request), id=ticket_id, acting=Acting.OWNER))


@router.get(
    "/me/tickets/{ticket_id}/attachments/{attachment_id}",
    response={200: None, **problems(401, 403, 404)},
    openapi_extra={
        "responses": {"200": {"description": "the file", "content": {"image/jpeg": {}, "application/pdf": {}}}}
    },
)
def my_attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponse:
    data, ct, name = services.ticket_attachment(actor=actor(request), ticket_id=ticket_id, attachment_id=attachment_id)
    return file_response(data, ct, f"attachment-{attachment_id}.{extension_for(ct)}", display_name=name)


@router.get("/support/tickets", response={200: StaffTicketListOut, **problems(400, 401, 403)})
def support_tickets(request: HttpRequest, status: str = "open", limit: Limit = 20, offset: Offset = 0) -> Any:
    """The support queue (``status``: open, answered, closed, all)."""
    user = actor(request)
    require_role(user, Role.SUPPORT, code=ErrorCode.NOT_SUPPORT, message=_("Only support staff may see this."))
    qs = selectors.support_queue(staff=user, status=None if status == "all" else status)
    rows, count = page(qs, limit=limit, offset=offset)
    return {"items": [_staff_ticket_out(t) for t in rows], "count": count}


@router.get("/support/tickets/{ticket_id}", response={200: StaffTicketOut, **problems(401, 403, 404)})
def support_ticket(request: HttpRequest, ticket_id: int) -> Any:
    return _staff_ticket_out(selectors.ticket_get_for_actor(actor=actor(request), id=ticket_id, acting=Acting.STAFF))


@router.post(
    "/support/tickets/{ticket_id}/messages",
    response={201: StaffTicketOut, **problems(400, 401, 403, 404, 409, 413, 429)},
    openapi_extra=_MESSAGE_BODY,
)
def support_reply(request: HttpRequest, ticket_id: int) -> Any:
    """Reply to the user (they are emailed); ``close``: true closes the ticket with this reply."""
    data, files = json_or_form(request, schema=MessageIn, file_fields=("attachments",))
    services.ticket_reply_by_staff(
        staff=actor(request),
        ticket_id=ticket_id,
        message=str(data.get("message") or ""),
        close=data.get("close") is True,
        attachments=files["attachments"],
    )
    return Status(
        201, _staff_ticket_out(selectors.ticket_get_for_actor(actor=actor(request), id=ticket_id, acting=Acting.STAFF))
    )


@router.post("/support/tickets/{ticket_id}/close", response={200: StaffTicketOut, **problems(401, 403, 404, 409)})
def support_close(request: HttpRequest, ticket_id: int) -> Any:
    services.ticket_close_by_staff(staff=actor(request), ticket_id=ticket_id)
    return _staff_ticket_out(selectors.ticket_get_for_actor(actor=actor(request), id=ticket_id, acting=Acting.STAFF))


@router.get(
    "/support/tickets/{ticket_id}/attachments/{attachment_id}",
    response={200: None, **problems(401, 403, 404)},
    openapi_extra={
        "responses": {"200": {"description": "the file", "content": {"image/jpeg": {}, "application/pdf": {}}}}
    },
)
def support_attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponse:
    data, ct, name = services.ticket_attachment(actor=actor(request), ticket_id=ticket_id, attachment_id=attachment_id)
    return file_response(data, ct, f"attachment-{attachment_id}.{extension_for(ct)}", display_name=name)
