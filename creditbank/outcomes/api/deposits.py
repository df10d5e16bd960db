"""Institution deposits (JSON batches, idempotent per external_id) and revocation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from creditbank.accounts.roles import Role
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.idempotency import run_idempotent
from creditbank.outcomes import selectors, services
from creditbank.outcomes.api.caller import institution_caller
from creditbank.outcomes.api.schemas import OutcomeOut, outcome_out

router = Router()


class DepositIn(InputSchema):
    #: up to 1,000 outcomes: ``{"learner": {"account_no" | "id_number"}, "external_id", …outcome fields}``
    outcomes: list[dict[str, Any]]


class RowErrorOut(Schema):
    index: int
    code: str
    field: str
    message: str


class DepositOut(Schema):
    accepted: int
    duplicates: int
    errors: list[RowErrorOut]
    #: the new outcomes' ids by the row's index (as strings: JSON object keys)
    outcome_ids: dict[str, int]


class RevocationIn(InputSchema):
    reason: str


@router.post("/institutions/{code}/outcomes", response={200: DepositOut, **problems(400, 401, 403, 404, 409, 413, 422)})
def deposit(request: HttpRequest, code: str, payload: DepositIn) -> Any:
    """Deposit outcomes (certified on arrival, credits in each learner's account), by an issuer
    of the institution or its API client with ``outcomes:write``. Idempotent per
    ``external_id``: a row deposited before answers as a duplicate. Rows are independent: the
    answer counts the accepted and duplicate rows and lists each refused one."""
    caller = institution_caller(request, code=code, scope="outcomes:write", role=Role.INSTITUTION_ISSUER)

    def create() -> tuple[int, dict[str, Any]]:
        report = services.outcomes_deposit(
            institution=caller.institution, rows=payload.outcomes, actor=caller.user, deposited_by=caller.label,
            client_address=caller.client_address,
        )  # fmt: skip
        return 200, {**report.as_dict(), "outcome_ids": {str(k): v for k, v in sorted(report.outcome_ids.items())}}

    status, body = run_idempotent(
        scope=f"deposit:{caller.institution.pk}", key=request.headers.get("Idempotency-Key"),
        payload=payload.outcomes, create=create,
    )  # fmt: skip
    return Status(status, body)


@router.get("/institutions/{code}/outcomes/{outcome_id}", response={200: OutcomeOut, **problems(401, 403, 404)})
def deposited(request: HttpRequest, code: str, outcome_id: int) -> Any:
    """An outcome the institution deposited (issuers, or clients with ``outcomes:read``)."""
    caller = institution_caller(request, code=code, scope="outcomes:read", role=Role.INSTITUTION_ISSUER)
    return outcome_out(selectors.deposited_outcome_get(institution=caller.institution, id=outcome_id))


@router.post(
    "/institutions/{code}/outcomes/{outcome_id}/revocation",
    response={200: OutcomeOut, **problems(400, 401, 403, 404, 409)},
)
def revoke(request: HttpRequest, code: str, outcome_id: int, payload: RevocationIn) -> Any:
    """Revoke an outcome the institution deposited, with a reason: its credits are reversed and
    the learner is told."""
    caller = institution_caller(request, code=code, scope="outcomes:write", role=Role.INSTITUTION_ISSUER)
    services.outcome_revoke(
        institution=caller.institution, outcome_id=outcome_id, reason=payload.reason, actor=caller.user,
        revoked_by=caller.label, client_address=caller.client_address,
    )  # fmt: skip
    return outcome_out(selectors.deposited_outcome_get(institution=caller.institution, id=outcome_id))
