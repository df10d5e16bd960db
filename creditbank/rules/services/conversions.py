"""Conversion applications (学分转换): a learner applies with a rule and certified outcomes; the
evaluator decides at once and its snapshot is stored (invariant 7). Not eligible: refused with
the explanation, nothing written. Eligible and no review: approved, the conversion posted. Else
the outcomes' credits are frozen and the application waits in the target institution's queue;
approved, the conversion is posted; rejected or withdrawn, the credits are released.

Races (invariant 2): everything runs under the learner's credit account lock, taken before the
prior conversions are read, so two applications of one learner evaluate one after the other
and the caps hold; the ledger's claims (unique per outcome and programme, or per outcome under
the default policy) refuse an outcome converting twice even if the Python checks were bypassed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.roles import Acting
from creditbank.accounts.selectors import user_require_verified
from creditbank.audit.services import audit_record
from creditbank.kernel.errors import DomainError
from creditbank.kernel.text import clean_text
from creditbank.ledger.errors import ErrorCode as LedgerCode
from creditbank.ledger.selectors import conversion_claims_of, outcome_ids_converted
from creditbank.ledger.services import (
    conversion_claims_release,
    conversion_claims_take,
    credit_account_lock,
    ledger_freeze_for_application,
    ledger_post_conversion,
    ledger_reverse_conversion,
    ledger_unfreeze_for_application,
)
from creditbank.notifications.services import Topic, notify
from creditbank.outcomes.errors import ErrorCode as OutcomesCode
from creditbank.outcomes.services import outcomes_close_revoked
from creditbank.reviews.services import review_decide, review_withdraw
from creditbank.rules.domain.evaluator import (
    Decision,
    OutcomeFacts,
    Refusal,
    Reuse,
    evaluate,
    inputs_canonical,
    replay,
)
from creditbank.rules.errors import ErrorCode
from creditbank.rules.models import ConversionApplication, ConversionRule
from creditbank.rules.plain import explain_refusal
from creditbank.rules.reasons import CONVERSION_REVIEW, REASON_CODES
from creditbank.rules.selectors import conversion_get_for_actor, rule_get_public, rule_in_force, rule_record
from creditbank.rules.services.preview import chosen_facts, outcome_ids_check, prior_conversions, reuse_policy

#: a refusal of the evaluator as the API's code and status
REFUSALS: dict[Refusal, tuple[Any, int]] = {
    Refusal.CRITERIA_NOT_MET: (ErrorCode.CRITERIA_NOT_MET, 400),
    Refusal.OUTCOME_ALREADY_CONVERTED: (OutcomesCode.OUTCOME_ALREADY_CONVERTED, 409),
    Refusal.CAP_REACHED: (ErrorCode.CAP_REACHED, 409),
    Refusal.RULE_NOT_IN_FORCE: (ErrorCode.RULE_NOT_IN_FORCE, 409),
}


def decision_payload(decision: Decision) -> dict[str, Any]:
    """The decision as the API shows it (``{"eligible", "credits", "trace"}`` and more, with its hash)."""
    data = decision.as_dict()
    data.pop("v")
    data["hash"] = decision.sha256()
    return data


def refusal_error(decision: Decision) -> DomainError:
    assert decision.refusal is not None
    code, status = REFUSALS[decision.refusal]
    return DomainError(
        code, explain_refusal(decision.refusal.value), status=status, extra={"decision": decision_payload(decision)}
    )


def programme_key(application: ConversionApplication | ConversionRule) -> str:
    return f"{application.institution.code}:{application.programme_code}"


def _uses(application: ConversionApplication) -> list[tuple[int, str, str]]:
    return [(int(i), str(t), str(c)) for i, t, c in application.holdings]


def _post(learner: Any, application: ConversionApplication, *, frozen: bool) -> None:
    ledger_post_conversion(
        user=learner,
        application_id=application.pk,
        programme=programme_key(application),
        consumed=_uses(application),
        granted=application.credits,
        frozen=frozen,
    )


def conversion_apply(
    *, user: User, rule_id: int, outcome_ids: object, on: date | None = None, client_address: str = ""
) -> ConversionApplication:
    """Apply to convert ``outcome_ids`` (the learner's certified outcomes) by rule ``rule_id``
    (any version; the one in force today decides). Refusals (nothing is written): the
    evaluator's (``criteria_not_met``, ``outcome_already_converted``, ``cap_reached``,
    ``rule_not_in_force``, each with ``decision``), ``conversion_outcomes_invalid``, ``not_verified``."""
    user_require_verified(user)
    ids = outcome_ids_check(outcome_ids)
    if not ids:
        raise DomainError(
            ErrorCode.CONVERSION_OUTCOMES_INVALID, _("Choose the certified outcomes to convert."), field="outcome_ids"
        )
    today = on or timezone.localdate()
    with transaction.atomic():
        credit_account_lock(user=user)  # every conversion and posting of this learner waits here
        rule = rule_in_force(id=rule_get_public(rule_id).pk, on=today)
        if rule is None:
            raise DomainError(ErrorCode.RULE_NOT_IN_FORCE, explain_refusal(Refusal.RULE_NOT_IN_FORCE.value), status=409)
        facts = chosen_facts(user, ids)
        prior = prior_conversions(user)
        reuse = reuse_policy()
        record = rule_record(rule)
        decision = evaluate(record, facts, prior, as_of=today, reuse=reuse)
        if not decision.eligible:
            raise refusal_error(decision)
        inputs = inputs_canonical(record, facts, prior, today, reuse)
        consumed = [f for f in facts if f.id in decision.consumed]
        left = outcome_ids_converted(user) if reuse is Reuse.PER_PROGRAMME else frozenset()
        application = ConversionApplication.objects.create(
            user=user,
            rule=rule,
            institution=rule.institution,
            programme_code=rule.programme_code,
            outcome_ids=list(decision.consumed),
            issuers=sorted({f.issuer for f in consumed}),
            holdings=_holdings(consumed, left),
            credits=decision.credits,
            decided_on=today,
            rule_hash=rule.hash,
            inputs=inputs.decode(),
            inputs_hash=hashlib.sha256(inputs).hexdigest(),
            decision=decision.as_dict(),
            decision_hash=decision.sha256(),
        )
        try:
            conversion_claims_take(
                user=user,
                application_id=application.pk,
                programme=programme_key(application),
                outcome_ids=list(decision.consumed),
                exclusive=reuse is Reuse.ONCE,
            )
        except DomainError as refused:
            if refused.code != LedgerCode.CONVERSION_CLAIM_TAKEN:
                raise
            raise DomainError(
                OutcomesCode.OUTCOME_ALREADY_CONVERTED, explain_refusal(Refusal.OUTCOME_ALREADY_CONVERTED.value),
                status=409, extra=refused.extra,
            ) from None  # fmt: skip
        if rule.requires_review:
            if application.holdings:
                ledger_freeze_for_application(user=user, application_id=application.pk, consumed=_uses(application))
        else:
            review_decide(
                kind=CONVERSION_REVIEW, request=application, subject=user, actor=None, decision="approve",
                client_address=client_address, on_approve=lambda: _post(user, application, frozen=False),
            )  # fmt: skip
    return application


def _holdings(consumed: Sequence[OutcomeFacts], left: frozenset[int]) -> list[list[object]]:
    """(outcome id, type, credits) of each consumed outcome whose credits are still in the bank
    (under ``per_programme`` an outcome converted before has none left to move)."""
    return [[f.id, f.type, f"{f.credits:.2f}"] for f in consumed if f.id not in left]


def _release(learner: Any, application: ConversionApplication) -> None:
    ledger_unfreeze_for_application(user=learner, application_id=application.pk)
    conversion_claims_release(application_id=application.pk)
    _close_revoked(learner, application)


def conversion_decide(
    *,
    reviewer: User,
    application_id: int,
    decision: str,
    reason_code: str = "",
    note: str = "",
    client_address: str = "",
) -> ConversionApplication:
    """A reviewer of the target institution approves (the conversion is posted from the frozen
    credits) or rejects with a reason (the credits and outcomes are released). The learner is
    told by email and on their pages."""
    with transaction.atomic():
        found = conversion_get_for_actor(actor=reviewer, id=application_id, acting=Acting.STAFF)
        learner = User.objects.get(pk=found.user_id)
        credit_account_lock(user=learner)  # the lock order of apply: the account, then the application
        application = conversion_get_for_actor(actor=reviewer, id=application_id, acting=Acting.STAFF, for_update=True)
        if application.flagged_at is not None and decision == "approve":
            raise DomainError(
                ErrorCode.CONVERSION_FLAGGED,
                _("An outcome this application uses was revoked by its issuer: reject the application."),
                status=409,
            )
        decided = review_decide(
            kind=CONVERSION_REVIEW, request=application, subject=learner, actor=reviewer, decision=decision,
            reason_code=reason_code, note=note, client_address=client_address,
            on_approve=lambda: _post(learner, application, frozen=True),
        )  # fmt: skip
        if decided.decision.value == "reject":
            _release(learner, application)
        notify(
            user=learner,
            topic=Topic.DECISION,
            template="rules/email/conversion_decided",
            context={
                "decision": decided.decision.value,
                "credits": f"{application.credits:.2f}",
                "programme": application.programme_code,
                "institution": application.institution.code,
                "application_id": str(application.pk),
                "note": decided.note,
                "reason": str(REASON_CODES.get(decided.reason_code, "")),
            },
        )
    return application


def conversion_withdraw(*, user: User, application_id: int) -> ConversionApplication:
    """The learner withdraws a pending application: its credits and outcomes are released."""
    with transaction.atomic():
        credit_account_lock(user=user)
        application = conversion_get_for_actor(actor=user, id=application_id, acting=Acting.OWNER, for_update=True)
        review_withdraw(kind=CONVERSION_REVIEW, request=application)
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "decided_at"])
        _release(user, application)
    return application


def conversion_replay(application: ConversionApplication) -> tuple[bool, Decision]:
    """Re-run the evaluator on the stored inputs: (the same decision, byte for byte; the
    decision now). Inputs whose hash no longer matches are never replayed as if they did."""
    data = application.inputs.encode()
    if hashlib.sha256(data).hexdigest() != application.inputs_hash:
        raise DomainError(ErrorCode.CONVERSION_INPUTS_ALTERED, _("The stored inputs do not match their hash."))
    again = replay(data)
    return again.sha256() == application.decision_hash, again


__all__ = [
    "REFUSALS", "conversion_apply", "conversion_decide", "conversion_flag_resolve", "conversion_hold_on_revocation",
    "conversion_replay", "conversion_withdraw", "decision_payload", "refusal_error",
]  # fmt: skip


# --- a source outcome revoked ----------------------------------------------------------------


def _proposal(application: ConversionApplication, revoked: int) -> list[dict[str, Any]]:
    """The entries the review would post to take the conversion back (approved) or release it
    (pending), then the revoked outcome's deposit reversal."""
    key = programme_key(application)
    steps: list[dict[str, Any]] = []
    if application.status == "approved":
        steps.append(
            {"kind": "reversal", "of": "conversion_credit", "amount": f"{application.credits:.2f}", "programme": key}
        )
        steps += [
            {"kind": "reversal", "of": "conversion_debit", "amount": c, "outcome_id": i}
            for i, _t, c in _uses(application)
        ]
    steps += [{"kind": "unfreeze", "amount": c, "outcome_id": i} for i, _t, c in _uses(application)]
    held = {i: c for i, _t, c in _uses(application)}
    if revoked in held:
        steps.append({"kind": "reversal", "of": "deposit", "amount": held[revoked], "outcome_id": revoked})
    return steps


def conversion_hold_on_revocation(learner: Any, outcome_id: int, reason: str) -> bool:
    """Registered with the outcomes context: when an institution revokes ``outcome_id``, flag every
    pending or approved conversion of ``learner`` that holds it for the target institution's
    review, with the reversing entries proposed (nothing is posted here). True when any holds it."""
    credit_account_lock(user=learner)  # the lock order of every conversion write: the account, then the application
    ids = {c["application_id"] for c in conversion_claims_of(learner) if c["outcome_id"] == outcome_id}
    held = False
    for application in ConversionApplication.objects.select_for_update().filter(pk__in=sorted(ids), user_id=learner.pk):
        application.flagged_at = timezone.now()
        application.flag_reason = str(
            _("Outcome %(id)s was revoked by its issuer: %(reason)s") % {"id": outcome_id, "reason": reason}
        )[:500]
        application.proposed = _proposal(application, outcome_id)
        application.flag_resolution = ""
        application.save(update_fields=["flagged_at", "flag_reason", "proposed", "flag_resolution"])
        held = True
    return held


def _close_revoked(learner: Any, application: ConversionApplication) -> None:
    outcomes_close_revoked(learner=learner, outcome_ids=[int(i) for i in application.outcome_ids])


def conversion_flag_resolve(
    *, reviewer: User, application_id: int, action: str, note: str = "", client_address: str = ""
) -> ConversionApplication:
    """Resolve a flagged approved conversion: ``reverse`` posts the proposed entries (the
    conversion taken back, the revoked outcome's credits taken back, the others available again);
    ``keep`` lets the conversion stand. Either is audited and the learner told."""
    if action not in ("reverse", "keep"):
        raise DomainError(
            ErrorCode.CONVERSION_FLAG_ACTION,
            _("Choose reverse or keep."),
            field="action",
            extra={"allowed": ["keep", "reverse"]},
        )
    note = clean_text(note, field="note", max_length=1000, multiline=True, required=action == "keep")
    with transaction.atomic():
        found = conversion_get_for_actor(actor=reviewer, id=application_id, acting=Acting.STAFF)
        learner = User.objects.get(pk=found.user_id)
        credit_account_lock(user=learner)
        application = conversion_get_for_actor(actor=reviewer, id=application_id, acting=Acting.STAFF, for_update=True)
        if application.flagged_at is None or application.flag_resolution or application.status != "approved":
            raise DomainError(
                ErrorCode.CONVERSION_NOT_FLAGGED,
                _("This conversion is not waiting for a review of a revoked outcome."),
                status=409,
            )
        if action == "reverse":
            ledger_reverse_conversion(user=learner, application_id=application.pk)
            conversion_claims_release(application_id=application.pk)
            _close_revoked(learner, application)
        application.flag_resolution = "reversed" if action == "reverse" else "kept"
        application.flag_resolved_at = timezone.now()
        application.flag_resolved_by = reviewer
        application.note = note or application.note
        application.save(update_fields=["flag_resolution", "flag_resolved_at", "flag_resolved_by", "note"])
        audit_record(
            actor=reviewer, action=f"conversion.flag_{application.flag_resolution}", subject=learner,
            object_type="conversion", object_id=application.pk, reason=note, client_address=client_address,
        )  # fmt: skip
        notify(
            user=learner,
            topic=Topic.DECISION,
            template="rules/email/conversion_flag_resolved",
            context={
                "resolution": application.flag_resolution,
                "credits": f"{application.credits:.2f}",
                "programme": application.programme_code,
                "institution": application.institution.code,
                "note": note,
            },
        )
    return application
