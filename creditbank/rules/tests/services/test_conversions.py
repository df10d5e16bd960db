"""Conversion applications: decided at once, or frozen and reviewed; refusals write nothing;
outcomes convert once; caps hold; the decision replays byte for byte."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.policy import policy
from creditbank.ledger.models import ConversionClaim, CreditAccount, LedgerEntry
from creditbank.rules import services
from creditbank.rules.models import ConversionApplication
from creditbank.rules.tests.factories import certified, make_programme_school, make_rule
from tests.factories import VerifiedLearnerFactory

pytestmark = pytest.mark.django_db

REVIEWED = {"code": "CET4-REV", "requires_review": True}


def account(learner: Any) -> CreditAccount:
    return CreditAccount.objects.get(user=learner)


def ledger_state(learner: Any) -> tuple[Any, ...]:
    a = account(learner)
    return (a.available, a.frozen, dict(a.programmes), a.last_seq, ConversionApplication.objects.count(),
            ConversionClaim.objects.filter(active=True).count())  # fmt: skip


def test_a_rule_without_review_converts_at_once_and_replays() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "cet-1")
    made = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[oid])
    assert (made.status, made.credits, made.outcome_ids, made.rule_hash) == (
        "approved",
        Decimal("4.00"),
        [oid],
        rule.hash,
    )
    a = account(learner)
    assert (a.available, a.frozen, a.programmes) == (Decimal("0.00"), Decimal("0.00"), {"uni-a:CS": "4.00"})
    kinds = list(LedgerEntry.objects.filter(application_id=made.pk).order_by("seq").values_list("kind", flat=True))
    assert kinds == ["freeze", "conversion_debit", "conversion_credit"]
    assert made.decision["eligible"] is True and made.decision["exempts_course"] == "ENG1"
    same, again = services.conversion_replay(made)
    assert same and again.sha256() == made.decision_hash
    out = StringIO()
    call_command("replay_decision", str(made.pk), stdout=out)
    assert out.getvalue() == f"conversion {made.pk}: same decision {made.decision_hash} (eligible=true, credits=4.00)\n"
    call_command("verify_ledger", stdout=StringIO())


def test_a_replay_that_differs_or_altered_inputs_are_reported() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    made = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[certified(learner, school, "c1")])
    ConversionApplication.objects.filter(pk=made.pk).update(decision_hash="0" * 64)
    with pytest.raises(CommandError, match="1 decision"):
        call_command("replay_decision", "--all", stdout=StringIO())
    ConversionApplication.objects.filter(pk=made.pk).update(inputs=made.inputs.replace('"4.00"', '"9.00"'))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("replay_decision", str(made.pk), stdout=out)
    assert out.getvalue() == f"conversion {made.pk}: conversion_inputs_altered: inputs {made.inputs_hash}\n"


def test_a_refusal_explains_itself_and_writes_nothing() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "old", achieved_on="2019-01-10")
    before = ledger_state(learner)
    with pytest.raises(DomainError) as refused:
        services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[oid])
    assert (refused.value.code, refused.value.status) == ("criteria_not_met", 400)
    failed = [c for c in refused.value.extra["decision"]["trace"] if not c["passed"]]
    assert [(c["name"], c["outcome"]) for c in failed] == [("max_age_months", oid), ("any_of", None)]
    assert ledger_state(learner) == before
    other = VerifiedLearnerFactory()
    with pytest.raises(DomainError) as theirs:
        services.conversion_apply(user=other, rule_id=rule.pk, outcome_ids=[oid])
    assert theirs.value.code == "conversion_outcomes_invalid"
    with pytest.raises(NotFound):
        services.conversion_apply(user=learner, rule_id=999999, outcome_ids=[oid])


def test_an_outcome_converts_once_under_the_default_policy() -> None:
    school = make_programme_school()
    first = make_rule(actor=school.admin)
    second = make_rule(
        actor=school.admin, code="CET4-2", target={"institution": "uni-a", "programme": "CS", "course": "ENG1"}
    )
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "c1")
    services.conversion_apply(user=learner, rule_id=first.pk, outcome_ids=[oid])
    before = ledger_state(learner)
    with pytest.raises(DomainError) as refused:
        services.conversion_apply(user=learner, rule_id=second.pk, outcome_ids=[oid])
    assert (refused.value.code, refused.value.status) == ("outcome_already_converted", 409)
    assert ledger_state(learner) == before


def test_per_programme_policy_allows_another_programme_never_the_same(settings: Any) -> None:
    from creditbank.institutions import services as institution_services

    school = make_programme_school()
    institution_services.programme_create(
        actor=school.admin, code="uni-a", programme_code="SE", name_zh="软件工程", total_credits="150"
    )
    institution_services.programme_publish(actor=school.admin, code="uni-a", programme_code="SE")
    cs = make_rule(actor=school.admin)
    se = make_rule(actor=school.admin, code="CET4-SE", target={"institution": "uni-a", "programme": "SE"},
                   grants={"mode": "fixed", "credits": "2.00"})  # fmt: skip
    cs_again = make_rule(actor=school.admin, code="CET4-CS2", grants={"mode": "fixed", "credits": "1.00"})
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "OUTCOME_REUSE": "per_programme"}
    assert policy().outcome_reuse == "per_programme"
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "c1")
    services.conversion_apply(user=learner, rule_id=cs.pk, outcome_ids=[oid])
    made = services.conversion_apply(user=learner, rule_id=se.pk, outcome_ids=[oid])
    assert (made.status, made.holdings) == ("approved", [])
    assert account(learner).programmes == {"uni-a:CS": "4.00", "uni-a:SE": "2.00"}
    with pytest.raises(DomainError) as refused:
        services.conversion_apply(user=learner, rule_id=cs_again.pk, outcome_ids=[oid])
    assert refused.value.code == "outcome_already_converted"
    call_command("verify_ledger", stdout=StringIO())


def test_a_cap_holds_across_conversions() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin, caps={"programme_total": "6.00"})
    learner = VerifiedLearnerFactory()
    one, two, three = (certified(learner, school, f"c{i}") for i in range(3))
    assert services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[one]).credits == Decimal("4.00")
    assert services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[two]).credits == Decimal("2.00")
    with pytest.raises(DomainError) as refused:
        services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[three])
    assert (refused.value.code, refused.value.status) == ("cap_reached", 409)
    assert account(learner).programmes == {"uni-a:CS": "6.00"}


def test_review_freezes_then_approval_posts_and_rejection_releases(django_capture_on_commit_callbacks: Any) -> None:
    school = make_programme_school()
    other = make_programme_school("uni-b")
    rule = make_rule(actor=school.admin, **REVIEWED)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "c1")
    pending = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[oid])
    assert (pending.status, account(learner).frozen, account(learner).available) == (
        "pending",
        Decimal("2.00"),
        Decimal("0.00"),
    )
    with pytest.raises(NotFound):
        services.conversion_decide(reviewer=other.reviewer, application_id=pending.pk, decision="approve")
    with pytest.raises(NotFound):
        services.conversion_decide(reviewer=learner, application_id=pending.pk, decision="approve")
    with django_capture_on_commit_callbacks(execute=True):
        rejected = services.conversion_decide(
            reviewer=school.reviewer, application_id=pending.pk, decision="reject", reason_code="content_mismatch"
        )
    assert (rejected.status, account(learner).frozen, account(learner).available) == (
        "rejected",
        Decimal("0.00"),
        Decimal("2.00"),
    )
    again = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[oid])
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.conversion_decide(reviewer=school.reviewer, application_id=again.pk, decision="approve")
    assert approved.status == "approved"
    a = account(learner)
    assert (a.available, a.frozen, a.programmes) == (Decimal("0.00"), Decimal("0.00"), {"uni-a:CS": "4.00"})
    with pytest.raises(DomainError) as twice:
        services.conversion_decide(
            reviewer=school.reviewer, application_id=again.pk, decision="reject", reason_code="other"
        )
    assert (twice.value.code, twice.value.status) == ("conversion_not_pending", 409)
    from django.core import mail

    assert [m.subject for m in mail.outbox][-2:] == ["您的学分转换未获批准", "您的学分转换已获批准"]
    call_command("verify_ledger", stdout=StringIO())


def test_withdrawal_releases_the_credits_and_the_outcome() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin, **REVIEWED)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "c1")
    pending = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[oid])
    with pytest.raises(NotFound):
        services.conversion_withdraw(user=VerifiedLearnerFactory(), application_id=pending.pk)
    withdrawn = services.conversion_withdraw(user=learner, application_id=pending.pk)
    assert (withdrawn.status, account(learner).available) == ("withdrawn", Decimal("2.00"))
    assert ConversionClaim.objects.filter(active=True).count() == 0
    with pytest.raises(DomainError) as twice:
        services.conversion_withdraw(user=learner, application_id=pending.pk)
    assert twice.value.code == "conversion_not_pending"


def test_another_learners_or_institutions_look_at_an_application_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from creditbank.rules.selectors import conversion_get_for_actor

    school, other = make_programme_school(), make_programme_school("uni-b")
    rule = make_rule(actor=school.admin, **REVIEWED)
    learner = VerifiedLearnerFactory()
    pending = services.conversion_apply(user=learner, rule_id=rule.pk, outcome_ids=[certified(learner, school, "c1")])
    with caplog.at_level("WARNING", logger="creditbank.rules.selectors"):
        for stranger in (other.reviewer, VerifiedLearnerFactory()):
            with pytest.raises(NotFound):
                conversion_get_for_actor(actor=stranger, id=pending.pk)

    logged = [r.getMessage() for r in caplog.records if r.name == "creditbank.rules.selectors"]
    assert len(logged) == 2
    assert logged[0] == f"conversion access refused: account {other.reviewer.pk} asked for application {pending.pk}"
    assert conversion_get_for_actor(actor=school.reviewer, id=pending.pk).pk == pending.pk
    assert conversion_get_for_actor(actor=learner, id=pending.pk).pk == pending.pk
