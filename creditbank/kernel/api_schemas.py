"""Schemas every API router shares: the problem details body and list envelopes."""

from __future__ import annotations

from typing import Any

from ninja import Schema


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


PROBLEMS: dict[int, Any] = dict.fromkeys((400, 401, 403, 404, 409, 413, 422, 429), Problem)


def problems(*codes: int) -> dict[int, Any]:
    return dict.fromkeys(codes, Problem)
