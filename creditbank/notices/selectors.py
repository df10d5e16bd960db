"""Reads of notices and support tickets, with the owner and staff access checks."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.roles import Acting, Role, has_role, object_for_actor
from creditbank.kernel.errors import NotFound
from creditbank.notices.models import Notice, NoticeRead, Ticket


def notices_visible() -> QuerySet[Notice]:
    now = timezone.now()
    return Notice.objects.filter(published_at__lte=now).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def notice_get_visible(notice_id: int) -> Notice:
    notice = notices_visible().filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(_("No such notice."))
    return notice


def notice_read_ids(user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(NoticeRead.objects.filter(user=user).values_list("notice_id", flat=True))


def notices_unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return notices_visible().exclude(reads__user=user).count()


def tickets_for_user(user: User) -> QuerySet[Ticket]:
    return Ticket.objects.filter(user=user).prefetch_related("messages__attachments")


def ticket_get_for_actor(*, actor: User, id: int, for_update: bool = False, acting: Acting = Acting.EITHER) -> Ticket:
    """The ticket if ``actor`` may see it: its author, or support staff (as ``acting`` says).
    Anyone else gets the same NotFound as for a ticket that does not exist. ``for_update`` locks
    the row (inside the caller's transaction)."""
    if for_update:
        qs = Ticket.objects.select_for_update(of=("self",)).select_related("user")
    else:
        qs = Ticket.objects.select_related("user").prefetch_related("messages__attachments", "messages__author")
    return object_for_actor(qs, actor=actor, id=id, role=Role.SUPPORT, acting=acting, missing=_("No such ticket."))


def support_queue(*, staff: User, status: str | None = None) -> QuerySet[Ticket]:
    if not has_role(staff, Role.SUPPORT):
        return Ticket.objects.none()
    qs = Ticket.objects.select_related("user").prefetch_related("messages")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("updated_at", "id") if status in (None, "open") else qs
