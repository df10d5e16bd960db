"""The learner's conversions: the preview (nothing written) and the applications (学分转换)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import problems
from creditbank.kernel.errors import DomainError
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.paging import Limit, Offset, page
from creditbank.rules import selectors, services
from creditbank.rules.api.schemas import (
    ConversionIn,
    ConversionListOut,
    ConversionOut,
    PreviewIn,
    PreviewOut,
    conversion_out,
    decision_out,
    rule_number,
    rule_ref,
)
from creditbank.rules.errors import ErrorCode

router = Router()


@router.post("/me/conversions/preview", response={200: PreviewOut, **problems(400, 401, 403, 404)})
def conversion_preview(request: HttpRequest, payload: PreviewIn) -> Any:
    """What the learner's certified outcomes (``outcome_ids``, or all) would convert into by a
    rule (``rule_id``) or by every rule of a programme (``program``), and why not: each decision
    with its trace. Nothing is written."""
    user = actor(request)
    user_require_verified(user)
    programme: tuple[str, str] | None = None
    if payload.program is not None:
        institution, sep, code = payload.program.strip().partition(":")
        if not (sep and institution and code):
            raise DomainError(
                ErrorCode.CONVERSION_TARGET_REQUIRED,
                _("Name the programme as <institution code>:<programme code>, for example demo-open-univ:CS."),
                field="program",
            )
        programme = (institution, code)
    found = services.conversion_preview(
        user=user,
        rule_id=rule_number(payload.rule_id) if payload.rule_id else None,
        programme=programme,
        outcome_ids=payload.outcome_ids,
    )
    items = [{"rule": rule_ref(p.rule), "decision": decision_out(p.decision)} for p in found]
    return {"items": items, "count": len(items)}


@router.post("/me/conversions", response={201: ConversionOut, **problems(400, 401, 403, 404, 409)})
def conversion_apply(request: HttpRequest, payload: ConversionIn) -> Any:
    """Apply for a conversion (学分转换) with a rule and certified outcomes (``Idempotency-Key``
    makes a retry safe). The rule is evaluated at once: refused with the decision's explanation
    (``criteria_not_met``, ``outcome_already_converted``, ``cap_reached``, ``rule_not_in_force``;
    nothing written), ``approved`` (posted), or ``pending_review`` (credits frozen) when the rule
    asks for a person's review."""
    user = actor(request)
    user_require_verified(user)
    number = rule_number(payload.rule_id)

    def create() -> tuple[int, dict[str, Any]]:
        made = services.conversion_apply(
            user=user, rule_id=number, outcome_ids=payload.outcome_ids,
            client_address=ratelimit.client_address(request),
        )  # fmt: skip
        return 201, conversion_out(selectors.conversion_get_for_actor(actor=user, id=made.pk, acting=Acting.OWNER))

    status, body = run_idempotent(
        scope=f"conversion:{user.pk}", key=request.headers.get("Idempotency-Key"),
        payload={"rule_id": payload.rule_id, "outcome_ids": payload.outcome_ids}, create=create,
    )  # fmt: skip
    return Status(status, body)


@router.get("/me/conversions", response={200: ConversionListOut, **problems(400, 401, 403)})
def conversion_list(request: HttpRequest, limit: Limit = 20, offset: Offset = 0) -> Any:
    user = actor(request)
    user_require_verified(user)
    rows, count = page(selectors.conversions_for_user(user), limit=limit, offset=offset)
    return {"items": [conversion_out(a) for a in rows], "count": count}


@router.get("/me/conversions/{application_id}", response={200: ConversionOut, **problems(401, 403, 404)})
def conversion_detail(request: HttpRequest, application_id: int) -> Any:
    user = actor(request)
    user_require_verified(user)
    return conversion_out(selectors.conversion_get_for_actor(actor=user, id=application_id, acting=Acting.OWNER))


@router.post("/me/conversions/{application_id}/withdraw", response={200: ConversionOut, **problems(401, 403, 404, 409)})
def conversion_withdraw(request: HttpRequest, application_id: int) -> Any:
    """Withdraw a pending application: the credits it froze are available again."""
    user = actor(request)
    services.conversion_withdraw(user=user, application_id=application_id)
    return conversion_out(selectors.conversion_get_for_actor(actor=user, id=application_id, acting=Acting.OWNER))
