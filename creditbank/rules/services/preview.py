"""What a learner's certified outcomes would convert into, and why not: the evaluator's inputs
read from the outcomes context and from the learner's conversions, nothing written."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.policy import policy
from creditbank.outcomes.selectors import CertifiedFacts, certified_facts
from creditbank.rules.domain.evaluator import Decision, OutcomeFacts, PriorConversion, Reuse, evaluate
from creditbank.rules.domain.grades import grade
from creditbank.rules.errors import ErrorCode
from creditbank.rules.models import ConversionApplication, ConversionRule, ConversionStatus
from creditbank.rules.selectors import NO_RULE, rule_in_force, rule_record, rules_in_force

#: the applications whose outcomes and credits count as the learner's prior conversions
HOLDING = (ConversionStatus.APPROVED, ConversionStatus.PENDING)
MAX_OUTCOMES = 200


def reuse_policy() -> Reuse:
    """The deployment's policy (``POLICY_OUTCOME_REUSE``): ``once`` (default) or ``per_programme``."""
    return Reuse(policy().outcome_reuse)


def outcome_facts(row: CertifiedFacts) -> OutcomeFacts:
    return OutcomeFacts(
        id=row.id,
        type=row.type,
        code=row.code,
        issuer=row.issuer,
        achieved_on=row.achieved_on,
        credits=row.credits,
        expires_on=row.expires_on,
        hours=row.hours,
        level=row.level,
        result=grade(row.result) if row.result else None,
    )


def prior_conversions(user: Any) -> list[PriorConversion]:
    """The learner's approved and pending conversions (a pending one's outcomes and credits are
    spoken for), as the evaluator takes them."""
    rows = ConversionApplication.objects.filter(user_id=user.pk, status__in=HOLDING).select_related("institution")
    return [
        PriorConversion(
            institution=a.institution.code,
            programme=a.programme_code,
            credits=a.credits,
            decided_on=a.decided_on,
            outcome_ids=tuple(int(i) for i in a.outcome_ids),
            issuers=tuple(str(i) for i in a.issuers),
        )
        for a in rows
    ]


@dataclass(frozen=True)
class Preview:
    rule: ConversionRule
    decision: Decision


def outcome_ids_check(value: object) -> list[int] | None:
    if value is None:
        return None
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) > MAX_OUTCOMES
        or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in value)
    ):
        raise DomainError(
            ErrorCode.CONVERSION_OUTCOMES_INVALID,
            _("Choose up to %(n)d of your certified outcomes by their ids.") % {"n": MAX_OUTCOMES},
            field="outcome_ids",
        )
    return sorted(set(value))


def chosen_facts(user: Any, outcome_ids: Collection[int] | None) -> list[OutcomeFacts]:
    """The learner's certified outcomes among ``outcome_ids`` (all of them when None); an id
    that is not the learner's certified outcome is refused, naming it (no hint whose it is)."""
    rows = certified_facts(user, outcome_ids)
    if outcome_ids is not None:
        missing = sorted(set(outcome_ids) - {r.id for r in rows})
        if missing:
            raise DomainError(
                ErrorCode.CONVERSION_OUTCOMES_INVALID,
                _("Outcome %(id)s is not one of your certified outcomes.") % {"id": missing[0]},
                field="outcome_ids", extra={"outcome_ids": missing},
            )  # fmt: skip
    return [outcome_facts(r) for r in rows]


def conversion_preview(
    *,
    user: Any,
    rule_id: int | None = None,
    programme: tuple[str, str] | None = None,
    outcome_ids: object = None,
    on: date | None = None,
) -> list[Preview]:
    """The decision of one rule (``rule_id``: any version; the one in force decides) or of every
    rule in force for a ``programme`` (institution code, programme code) on the learner's
    certified outcomes (``outcome_ids``, or all). Nothing is written."""
    today = on or timezone.localdate()
    ids = outcome_ids_check(outcome_ids)
    if rule_id is not None:
        rule = rule_in_force(id=rule_id, on=today)
        if rule is None:
            raise NotFound(NO_RULE)
        rules = [rule]
    elif programme is not None:
        institution, code = programme
        rules = rules_in_force(
            today,
            candidates=ConversionRule.objects.filter(institution__code=institution.lower(), programme_code=code),
        )
    else:
        raise DomainError(ErrorCode.CONVERSION_TARGET_REQUIRED, _("Name a rule or a programme."), field="rule_id")
    facts = chosen_facts(user, ids)
    prior = prior_conversions(user)
    reuse = reuse_policy()
    return [Preview(r, evaluate(rule_record(r), facts, prior, as_of=today, reuse=reuse)) for r in rules]
