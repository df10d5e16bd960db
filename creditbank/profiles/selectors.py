"""Reads of the profiles context, with the owner and reviewer access checks."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.roles import Acting, Role, has_role, object_for_actor
from creditbank.kernel.errors import NotFound
from creditbank.profiles.models import ChangeRequest, EducationEntry, ProfileChangeStatus, ProfileHistory, WorkEntry
from creditbank.reviews.selectors import review_queue

log = logging.getLogger(__name__)


def profile_history(user: User) -> QuerySet[ProfileHistory]:
    return ProfileHistory.objects.filter(user=user)


def change_requests_for_user(user: User) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(user=user).prefetch_related("proofs").order_by("-created_at", "-id")


def change_request_get_for_actor(
    *, actor: User, id: int, for_update: bool = False, acting: Acting = Acting.EITHER
) -> ChangeRequest:
    """The change request if ``actor`` may see it: its requester, or a change reviewer (as
    ``acting`` says). Anyone else gets the same NotFound as for a request that does not exist.
    ``for_update`` locks the row (inside the caller's transaction)."""
    if for_update:
        qs = ChangeRequest.objects.select_for_update(of=("self",)).select_related("user")
    else:
        qs = ChangeRequest.objects.select_related("user", "reviewer").prefetch_related("proofs")
    return object_for_actor(
        qs, actor=actor, id=id, role=Role.CHANGE_REVIEWER, acting=acting, missing=_("No such change request.")
    )


def change_request_queue(
    *, reviewer: User, status: str | None = ProfileChangeStatus.PENDING, kind: str | None = None
) -> QuerySet[ChangeRequest]:
    if not has_role(reviewer, Role.CHANGE_REVIEWER):
        return ChangeRequest.objects.none()
    qs = ChangeRequest.objects.select_related("user", "reviewer").prefetch_related("proofs")
    if kind:
        qs = qs.filter(kind=kind)
    return review_queue(qs, reviewer=reviewer, status=status)


def education_for_user(user: User) -> QuerySet[EducationEntry]:
    return EducationEntry.objects.filter(user=user)


def work_for_user(user: User) -> QuerySet[WorkEntry]:
    return WorkEntry.objects.filter(user=user)


def history_entry_get_for_actor(*, actor: User, kind: str, id: int, for_update: bool = False) -> Any:
    """An education or work entry if ``actor`` owns it (nobody else sees them); NotFound
    otherwise, the same answer as for an entry that does not exist."""
    model = EducationEntry if kind == "education" else WorkEntry
    qs = model.objects.select_for_update() if for_update else model.objects.all()
    try:
        return object_for_actor(qs, actor=actor, id=id, role=None, missing=_("No such entry."))
    except NotFound:
        if model.objects.filter(pk=id).exists():
            log.warning("history entry access refused kind=%s entry=%s actor=%s", kind, id, actor.pk)
        raise
