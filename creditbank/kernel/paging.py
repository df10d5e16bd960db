"""Paging for every API list: ``?limit=&offset=`` with stated bounds, and the one slice.

``limit`` is 1..100 (the page size); ``offset`` is 0..100000 (how many to skip). A value out
of range (or beyond a 64-bit integer) answers 400 ``validation_error`` naming the field; the
OpenAPI document states the bounds as ``minimum``/``maximum``. The offset bound keeps the
database from scanning arbitrarily far (``OFFSET n`` reads n rows): no list a person pages
through is that long; a queue that grows past it is narrowed with its filters (``status``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import P, QueryEx

from creditbank.kernel.errors import DomainError, ErrorCode

MAX_LIMIT = 100
MAX_OFFSET = 100_000

Limit = QueryEx[int, P(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
Offset = QueryEx[int, P(ge=0, le=MAX_OFFSET, description=f"How many items to skip, 0 to {MAX_OFFSET}.")]

T = TypeVar("T")


def _check(field: str, value: int, low: int, high: int) -> DomainError | None:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return None
    return DomainError(
        ErrorCode.VALIDATION_ERROR,
        _("Use a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
        field=field,
    )


def page(qs: QuerySet[Any, T], *, limit: int, offset: int, count: int | None = None) -> tuple[Sequence[T], int]:
    """(the items of one page, the count of all). Bounds are checked here too, for callers that
    bypass the API's parameter validation. ``count``: the number of all items where the caller
    already knows it exactly (a ledger account's last seq), which saves the COUNT query."""
    errors = [e for e in (_check("limit", limit, 1, MAX_LIMIT), _check("offset", offset, 0, MAX_OFFSET)) if e]
    if errors:
        raise DomainError.combine(errors)
    return list(qs[offset : offset + limit]), qs.count() if count is None else count
