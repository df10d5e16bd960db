"""Writes of notices and support: read marks, tickets, messages, replies, closing."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.roles import Acting
from creditbank.accounts.services import uploads_allow
from creditbank.audit.services import audit_record, audited_document
from creditbank.kernel import ratelimit
from creditbank.kernel.documents import clean_upload
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.policy import policy
from creditbank.kernel.text import clean_text
from creditbank.kernel.vault import vault
from creditbank.notices.errors import ErrorCode
from creditbank.notices.models import (
    Notice,
    NoticeRead,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketMessage,
    TicketStatus,
)
from creditbank.notices.personal_data import ATTACHMENT_CONTEXT
from creditbank.notices.selectors import ticket_get_for_actor
from creditbank.notifications.services import Topic, notify

log = logging.getLogger(__name__)
MAX_ATTACHMENTS = 3


def notice_publish(
    *,
    created_by: User | None,
    title_zh: str,
    body_zh: str,
    title_en: str = "",
    body_en: str = "",
    published_at: Any = None,
    pinned: bool = False,
    expires_at: Any = None,
) -> Notice:
    """A new notice, published at ``published_at`` (now by default) and announced by email then."""
    notice = Notice(
        title_zh=title_zh, title_en=title_en, body_zh=body_zh, body_en=body_en,
        published_at=published_at or timezone.now(), pinned=pinned, expires_at=expires_at, created_by=created_by,
    )  # fmt: skip
    notice.full_clean()
    notice.save()
    notice_announce(notice=notice)
    return notice


def notice_announce(*, notice: Notice) -> None:
    """Email the notice, when it is published, to the accounts that asked for notices by email."""
    from creditbank.notices import tasks

    notice_id, at = notice.pk, notice.published_at

    def enqueue() -> None:
        if at > timezone.now():
            try:
                tasks.email_notice.using(run_after=at).enqueue(notice_id)
                return
            except Exception:  # noqa: BLE001 - backends without scheduling send at once
                log.info("scheduling not supported; notice %s emailed now", notice_id)
        tasks.email_notice.enqueue(notice_id)

    transaction.on_commit(enqueue)


def notice_mark_read(*, user: User, notice: Notice) -> None:
    NoticeRead.objects.get_or_create(user=user, notice=notice)


def _clean_files(author: User, files: list[Any]) -> list[Any]:
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(KernelCode.TOO_MANY_FILES, _("At most 3 attachments."), field="attachments")
    uploads_allow(user=author, files=len(files))  # before any file is read or decoded
    return [clean_upload(upload, field="attachments") for upload in files]


def _add_message(ticket: Ticket, author: User, body: str, docs: list[Any], *, from_staff: bool) -> TicketMessage:
    message = TicketMessage.objects.create(ticket=ticket, author=author, body=body, from_staff=from_staff)
    store = vault()
    for doc in docs:
        TicketAttachment.objects.create(
            message=message,
            blob=store.save(doc.data, context=ATTACHMENT_CONTEXT),
            content_type=doc.content_type,
            size=len(doc.data),
            filename=doc.name,
        )
    return message


def ticket_open(
    *, user: User, category: str, subject: str, message: str, attachments: list[Any] | None = None
) -> Ticket:
    """Any signed-in account may ask, including one not yet verified."""
    errors: list[DomainError] = []
    if category not in TicketCategory.values:
        errors.append(
            DomainError(
                KernelCode.CHOICE_INVALID,
                _("Choose a category."),
                field="category",
                extra={"allowed": TicketCategory.values},
            )
        )
    for fn in (
        lambda: clean_text(subject, field="subject", max_length=200, required=True),
        lambda: clean_text(message, field="message", max_length=5000, required=True, multiline=True),
    ):
        try:
            fn()
        except DomainError as exc:
            errors.append(exc)
    if errors:
        raise DomainError.combine(errors)
    docs = _clean_files(user, attachments or [])
    ratelimit.hit(
        "ticket-open:" + ratelimit.hashed(str(user.pk)),
        limit=policy().tickets_per_day,
        window=86400,
        message=_("You have opened many tickets today. Add to an existing ticket, or try again tomorrow."),
    )
    with transaction.atomic():
        ticket = Ticket.objects.create(
            user=user,
            category=category,
            subject=clean_text(subject, field="subject", max_length=200, required=True),
        )
        _add_message(
            ticket,
            user,
            clean_text(message, field="message", max_length=5000, required=True, multiline=True),
            docs,
            from_staff=False,
        )
    return ticket


def _message_limit(user: User) -> None:
    ratelimit.hit(
        "ticket-message:" + ratelimit.hashed(str(user.pk)),
        limit=policy().ticket_messages_per_hour,
        window=3600,
    )


def ticket_reply_by_user(
    *, user: User, ticket_id: int, message: str, attachments: list[Any] | None = None
) -> TicketMessage:
    """The user adds a message; a closed ticket reopens if it closed recently enough."""
    body = clean_text(message, field="message", max_length=5000, required=True, multiline=True)
    docs = _clean_files(user, attachments or [])
    _message_limit(user)
    with transaction.atomic():
        ticket = ticket_get_for_actor(actor=user, id=ticket_id, for_update=True, acting=Acting.OWNER)
        if ticket.status == TicketStatus.CLOSED:
            _check_reopen(ticket)
            ticket.closed_at = None
        ticket.status = TicketStatus.OPEN
        ticket.save(update_fields=["status", "closed_at", "updated_at"])
        return _add_message(ticket, user, body, docs, from_staff=False)


def _check_reopen(ticket: Ticket) -> None:
    days = policy().ticket_reopen_days
    if ticket.closed_at and timezone.now() - ticket.closed_at > timedelta(days=days):
        raise DomainError(
            ErrorCode.TICKET_REOPEN_EXPIRED,
            _("This ticket closed more than %(days)d days ago. Open a new ticket.") % {"days": days},
            status=409,
        )


def ticket_close_by_user(*, user: User, ticket_id: int) -> Ticket:
    with transaction.atomic():
        ticket = ticket_get_for_actor(actor=user, id=ticket_id, for_update=True, acting=Acting.OWNER)
        if ticket.status == TicketStatus.CLOSED:
            raise DomainError(ErrorCode.TICKET_CLOSED, _("This ticket is already closed."), status=409)
        ticket.status = TicketStatus.CLOSED
        ticket.closed_at = timezone.now()
        ticket.save(update_fields=["status", "closed_at", "updated_at"])
    return ticket


def ticket_reopen(*, user: User, ticket_id: int) -> Ticket:
    with transaction.atomic():
        ticket = ticket_get_for_actor(actor=user, id=ticket_id, for_update=True, acting=Acting.OWNER)
        if ticket.status != TicketStatus.CLOSED:
            raise DomainError(ErrorCode.TICKET_NOT_CLOSED, _("This ticket is not closed."), status=409)
        _check_reopen(ticket)
        ticket.status = TicketStatus.OPEN
        ticket.closed_at = None
        ticket.save(update_fields=["status", "closed_at", "updated_at"])
    return ticket


def ticket_reply_by_staff(
    *, staff: User, ticket_id: int, message: str, close: bool = False, attachments: list[Any] | None = None
) -> TicketMessage:
    ticket_get_for_actor(actor=staff, id=ticket_id, acting=Acting.STAFF)  # refused before the files are read
    body = clean_text(message, field="message", max_length=5000, required=True, multiline=True)
    docs = _clean_files(staff, attachments or [])
    with transaction.atomic():
        ticket = ticket_get_for_actor(actor=staff, id=ticket_id, for_update=True, acting=Acting.STAFF)
        if ticket.user_id == staff.pk:
            raise DomainError(ErrorCode.OWN_TICKET, _("Answer your own ticket from another staff account."), status=403)
        msg = _add_message(ticket, staff, body, docs, from_staff=True)
        ticket.status = TicketStatus.CLOSED if close else TicketStatus.ANSWERED
        ticket.closed_at = timezone.now() if close else None
        ticket.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(
            actor=staff, action="ticket.replied", subject=ticket.user, object_type="ticket", object_id=ticket.pk
        )
        notify(
            user=ticket.user,
            topic=Topic.SUPPORT,
            template="notices/email/ticket_reply",
            context={"ticket_id": str(ticket.pk), "subject": ticket.subject},
        )
    return msg


def ticket_close_by_staff(*, staff: User, ticket_id: int) -> Ticket:
    with transaction.atomic():
        ticket = ticket_get_for_actor(actor=staff, id=ticket_id, for_update=True, acting=Acting.STAFF)
        if ticket.status == TicketStatus.CLOSED:
            raise DomainError(ErrorCode.TICKET_CLOSED, _("This ticket is already closed."), status=409)
        ticket.status = TicketStatus.CLOSED
        ticket.closed_at = timezone.now()
        ticket.save(update_fields=["status", "closed_at", "updated_at"])
    return ticket


def ticket_attachment(*, actor: User, ticket_id: int, attachment_id: int) -> tuple[bytes, str, str]:
    """The owner or support staff (audited) may download an attachment: (data, content type, its name)."""
    try:
        ticket = ticket_get_for_actor(actor=actor, id=ticket_id)
    except NotFound as exc:
        raise NotFound(_("No such file.")) from exc
    return audited_document(
        actor=actor,
        owner=ticket.user,
        document=TicketAttachment.objects.filter(pk=attachment_id, message__ticket_id=ticket.pk).first(),
        context=ATTACHMENT_CONTEXT,
        action="ticket.attachment_viewed",
        object_type="ticket",
        object_id=f"{ticket.pk}:{attachment_id}",
    )
