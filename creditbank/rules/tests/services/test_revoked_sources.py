"""An institution revokes an outcome a conversion uses: the conversion is flagged for the target
institution's review with the reversing entries proposed, never silently reversed."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from creditbank.kernel.errors import DomainError, NotFound
from creditbank.ledger.models import ConversionClaim, CreditAccount
from creditbank.outcomes import services as outcome_services
from creditbank.outcomes.models import Outcome
from creditbank.rules import services
from creditbank.rules.tests.factories import certified, make_programme_school, make_rule
from tests.factories import VerifiedLearnerFactory

pytestmark = pytest.mark.django_db


def revoke(school: Any, oid: int) -> Outcome:
    return outcome_services.outcome_revoke(
        institution=school.institution, outcome_id=oid, reason="证书经核查无效", actor=school.issuer, revoked_by="test"
    )


def balances(learner: Any) -> tuple[Decimal, Decimal, dict[str, str]]:
    a = CreditAccount.objects.get(user=learner)
    return a.available, a.frozen, dict(a.programmes)


def test_a_converted_outcome_revoked_flags_the_conversion_and_reverse_takes_it_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin, code="BOTH", criteria={"combine": "all_of", "requirements": [
        {"codes": ["CET4"]}, {"codes": ["MATH1"]}]}, grants={"mode": "ratio", "ratio": "1", "step": "0.50"})  # fmt: skip
    learner = VerifiedLearnerFactory()
    cet, math = certified(learner, school, "c1"), certified(learner, school, "m1", code="MATH1", credits="3")
    made = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[cet, math])
    assert balances(learner) == (Decimal("0.00"), Decimal("0.00"), {"uni-a:CS": "5.00"})
    with django_capture_on_commit_callbacks(execute=True):
        revoked = revoke(school, cet)
    assert (revoked.status, revoked.closing_entry_id) == ("revoked", None)
    assert balances(learner) == (Decimal("0.00"), Decimal("0.00"), {"uni-a:CS": "5.00"})  # nothing posted yet
    made.refresh_from_db()
    assert made.flagged_at is not None and made.flag_resolution == ""
    assert made.proposed == [
        {"kind": "reversal", "of": "conversion_credit", "amount": "5.00", "programme": "uni-a:CS"},
        {"kind": "reversal", "of": "conversion_debit", "amount": "2.00", "outcome_id": cet},
        {"kind": "reversal", "of": "conversion_debit", "amount": "3.00", "outcome_id": math},
        {"kind": "unfreeze", "amount": "2.00", "outcome_id": cet},
        {"kind": "unfreeze", "amount": "3.00", "outcome_id": math},
        {"kind": "reversal", "of": "deposit", "amount": "2.00", "outcome_id": cet},
    ]
    from django.core import mail

    assert "审核" in mail.outbox[-1].body
    flagged = services.conversion_flag_resolve  # the queue of flagged conversions
    from creditbank.rules.selectors import conversion_queue

    assert [a.pk for a in conversion_queue(reviewer=school.reviewer, status="flagged")] == [made.pk]
    with pytest.raises(NotFound):
        flagged(reviewer=make_programme_school("uni-b").reviewer, application_id=made.pk, action="reverse")
    with pytest.raises(DomainError) as bad:
        flagged(reviewer=school.reviewer, application_id=made.pk, action="undo")
    assert bad.value.code == "conversion_flag_action"
    done = flagged(reviewer=school.reviewer, application_id=made.pk, action="reverse")
    assert done.flag_resolution == "reversed"
    assert balances(learner) == (Decimal("3.00"), Decimal("0.00"), {})
    assert Outcome.objects.get(pk=cet).closing_entry_id is not None
    assert ConversionClaim.objects.filter(active=True).count() == 0
    with pytest.raises(DomainError) as twice:
        flagged(reviewer=school.reviewer, application_id=made.pk, action="keep", note="x")
    assert twice.value.code == "conversion_not_flagged"
    call_command("verify_ledger", stdout=StringIO())


def test_keep_lets_the_conversion_stand_with_a_note() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    made = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[certified(learner, school, "c1")])
    revoke(school, made.outcome_ids[0])
    with pytest.raises(DomainError) as no_note:
        services.conversion_flag_resolve(reviewer=school.reviewer, application_id=made.pk, action="keep")
    assert no_note.value.field == "note"
    kept = services.conversion_flag_resolve(
        reviewer=school.reviewer, application_id=made.pk, action="keep", note="另有证明"
    )
    assert kept.flag_resolution == "kept"
    assert balances(learner) == (Decimal("0.00"), Decimal("0.00"), {"uni-a:CS": "4.00"})


def test_a_pending_conversion_of_a_revoked_outcome_cannot_be_approved_and_rejecting_closes_it() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin, code="REV", requires_review=True)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "c1")
    pending = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[oid])
    revoke(school, oid)
    assert balances(learner) == (Decimal("0.00"), Decimal("2.00"), {})
    with pytest.raises(DomainError) as refused:
        services.conversion_decide(reviewer=school.reviewer, application_id=pending.pk, decision="approve")
    assert (refused.value.code, refused.value.status) == ("conversion_flagged", 409)
    services.conversion_decide(
        reviewer=school.reviewer, application_id=pending.pk, decision="reject", reason_code="outcome_doubtful"
    )
    assert balances(learner) == (Decimal("0.00"), Decimal("0.00"), {})
    assert Outcome.objects.get(pk=oid).closing_entry_id is not None
    call_command("verify_ledger", stdout=StringIO())


def test_revoking_an_outcome_no_conversion_holds_takes_its_credits_back_at_once() -> None:
    school = make_programme_school()
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "c1")
    assert revoke(school, oid).closing_entry_id is not None
    assert balances(learner) == (Decimal("0.00"), Decimal("0.00"), {})
