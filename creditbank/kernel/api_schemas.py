"""Schemas every API router shares: the problem details body, and the base of every request body."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class Problem(Schema):
    """RFC 9457 problem details, with the stable ``code`` and per-field ``errors``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: dict[str, list[str]] = {}
    instance: str | None = None
    retry_after: int | None = None
    next_step: str | None = None
    account_status: str | None = None
    allowed: list[str] | None = None
    current_terms_version: str | None = None
    max_bytes: int | None = None


PROBLEMS: dict[int, Any] = dict.fromkeys((400, 401, 403, 404, 409, 413, 422, 429), Problem)


def problems(*codes: int) -> dict[int, Any]:
    return dict.fromkeys(codes, Problem)


class InputSchema(Schema):
    """The base of every JSON request body (the project's rule, docs/adr/0009-strict-request-bodies.md).

    A field the schema does not declare is refused (400 ``unknown_field`` naming it) rather than
    silently dropped. Booleans are declared ``StrictBool``: ``"yes"``, ``"true"`` or ``1`` answer
    400 ``boolean_required`` rather than turning into ``True``; a test holds every subclass to it.
    That the body is one JSON object at all is the parser's rule (``kernel.api_body``).
    """

    model_config = ConfigDict(extra="forbid")
