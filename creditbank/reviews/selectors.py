"""Reads of the review workflow: the one queue order every reviewed request shares."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def review_queue(requests: QuerySet[M], *, reviewer: Any, status: str | None) -> QuerySet[M]:
    """A reviewer's queue over ``requests``: oldest first (first come, first served), never the
    reviewer's own requests, only ``status`` (every status when None)."""
    qs = requests.exclude(user_id=getattr(reviewer, "pk", None))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id")
