"""Reads of the profiles context, with the owner and reviewer access checks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.kernel.errors import NotFound
from creditbank.profiles.models import ChangeRequest, EducationEntry, ProfileChangeStatus, ProfileHistory, WorkEntry


def profile_history(user: User) -> QuerySet[ProfileHistory]:
    return ProfileHistory.objects.filter(user=user)


def change_requests_for_user(user: User) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(user=user).prefetch_related("proofs").order_by("-created_at", "-id")


def change_request_get_for_owner(*, user: User, request_id: int) -> ChangeRequest:
    request = change_requests_for_user(user).filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("No such change request."))
    return request


def user_is_change_reviewer(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("profiles.review_change_request"))


def change_request_queue(
    *, reviewer: User, status: str | None = ProfileChangeStatus.PENDING, kind: str | None = None
) -> QuerySet[ChangeRequest]:
    if not user_is_change_reviewer(reviewer):
        return ChangeRequest.objects.none()
    qs = ChangeRequest.objects.select_related("user", "reviewer").prefetch_related("proofs").exclude(user=reviewer)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("created_at", "id")


def change_request_get_for_reviewer(*, reviewer: User, request_id: int) -> ChangeRequest:
    if not user_is_change_reviewer(reviewer):
        raise NotFound(_("No such change request."))
    request = (
        ChangeRequest.objects.select_related("user", "reviewer")
        .prefetch_related("proofs")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(_("No such change request."))
    return request


def education_for_user(user: User) -> QuerySet[EducationEntry]:
    return EducationEntry.objects.filter(user=user)


def work_for_user(user: User) -> QuerySet[WorkEntry]:
    return WorkEntry.objects.filter(user=user)


def history_entry_for_owner(*, kind: str, user: User, entry_id: int) -> Any:
    qs = education_for_user(user) if kind == "education" else work_for_user(user)
    entry = qs.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("No such entry."))
    return entry
