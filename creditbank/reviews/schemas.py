"""The API's input for a decision on any reviewed request (one shape for every kind)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from creditbank.accounts.actor import actor
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import InputSchema


class DecisionIn(InputSchema):
    decision: str
    reason_code: str = ""
    note: str = ""


def decision_arguments(request: HttpRequest, payload: DecisionIn) -> dict[str, Any]:
    """The keyword arguments every ``*_decide`` service takes, from the request and its body."""
    return {
        "reviewer": actor(request),
        "decision": payload.decision,
        "reason_code": payload.reason_code,
        "note": payload.note,
        "client_address": ratelimit.client_address(request),
    }
