"""Reads of the review workflow: the one queue order and the one access check every reviewed
request shares."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from creditbank.accounts.roles import Acting
from creditbank.kernel.errors import NotFound

M = TypeVar("M", bound=Model)


def review_queue(requests: QuerySet[M], *, reviewer: Any, status: str | None) -> QuerySet[M]:
    """A reviewer's queue over ``requests``: oldest first (first come, first served), never the
    reviewer's own requests, only ``status`` (every status when None)."""
    qs = requests.exclude(user_id=getattr(reviewer, "pk", None))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id")


def request_get_for_actor(
    queryset: QuerySet[M],
    *,
    actor: Any,
    id: int,
    acting: Acting,
    reviewable: Q | None,
    missing: Any,
    kind: str,
    logger: logging.Logger,
) -> M:
    """The reviewed request ``id`` of ``queryset`` if ``actor`` may see it: its requester (unless
    ``acting`` is ``Acting.STAFF``) or a reviewer it is routed to (``reviewable``: the requests
    ``actor`` may decide, None for none; unless ``acting`` is ``Acting.OWNER``). Otherwise
    ``NotFound(missing)``, the answer for a request that does not exist, and a line in
    ``logger`` when it does (an attempt on someone else's request)."""
    allowed = Q(pk__in=[])
    if acting != Acting.STAFF:
        allowed |= Q(user_id=getattr(actor, "pk", None) or 0)
    if acting != Acting.OWNER and reviewable is not None:
        allowed |= reviewable
    found = queryset.filter(allowed, pk=id).first()
    if found is None:
        if getattr(actor, "is_authenticated", False) and queryset.model._default_manager.filter(pk=id).exists():
            logger.warning("%s access refused: account %s asked for application %s", kind, actor.pk, id)
        raise NotFound(missing)
    return found
