"""Revocation reverses the deposit; expiry by policy; neither happens twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from creditbank.kernel.errors import DomainError, NotFound
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.ledger.services import ledger_post
from creditbank.outcomes import services
from creditbank.outcomes.models import Outcome
from creditbank.outcomes.tests.factories import deposit_row, make_school
from tests.factories import VerifiedLearnerFactory

pytestmark = pytest.mark.django_db


def _deposit(school: Any, learner: Any, external_id: str, **over: Any) -> Outcome:
    report = services.outcomes_deposit(
        institution=school.institution, rows=[deposit_row(learner, external_id, **over)], deposited_by="t"
    )
    return Outcome.objects.get(pk=report.outcome_ids[0])


def test_revocation_reverses_the_credits_and_tells_the_learner(django_capture_on_commit_callbacks: Any) -> None:
    school, learner = make_school(), VerifiedLearnerFactory()
    outcome = _deposit(school, learner, "R-1")
    with django_capture_on_commit_callbacks(execute=True):
        services.outcome_revoke(
            institution=school.institution, outcome_id=outcome.pk, reason="成绩录入错误", revoked_by="t"
        )
    outcome.refresh_from_db()
    reversal = LedgerEntry.objects.get(pk=outcome.closing_entry_id)
    assert (outcome.status, outcome.revoked_reason, reversal.kind, reversal.reverses_id) == (
        "revoked", "成绩录入错误", "reversal", outcome.deposit_entry_id,
    )  # fmt: skip
    assert CreditAccount.objects.get(user=learner).available == Decimal("0.00")
    assert "成绩录入错误" in mail.outbox[-1].body
    with pytest.raises(DomainError) as refused:
        services.outcome_revoke(institution=school.institution, outcome_id=outcome.pk, reason="again", revoked_by="t")
    assert refused.value.code == "outcome_not_revocable"
    assert LedgerEntry.objects.count() == 2


def test_frozen_credits_cannot_be_revoked_yet() -> None:
    school, learner = make_school(), VerifiedLearnerFactory()
    outcome = _deposit(school, learner, "R-2")
    ledger_post(user=learner, kind="freeze", amount="4.5", application_id=1)
    with pytest.raises(DomainError) as refused:
        services.outcome_revoke(institution=school.institution, outcome_id=outcome.pk, reason="x", revoked_by="t")
    assert (refused.value.code, refused.value.status) == ("outcome_already_converted", 409)
    outcome.refresh_from_db()
    assert outcome.status == "certified" and LedgerEntry.objects.count() == 2


def test_another_institution_cannot_revoke() -> None:
    school, other, learner = make_school("uni-a"), make_school("uni-b"), VerifiedLearnerFactory()
    outcome = _deposit(school, learner, "R-3")
    with pytest.raises(NotFound):
        services.outcome_revoke(institution=other.institution, outcome_id=outcome.pk, reason="x", revoked_by="t")
    assert Outcome.objects.get(pk=outcome.pk).status == "certified"


def _policy(on: bool) -> Any:
    from django.conf import settings

    return override_settings(CREDITBANK_POLICY={**settings.CREDITBANK_POLICY, "CREDITS_EXPIRE_WITH_CERTIFICATE": on})


def test_expiry_follows_the_policy_once() -> None:
    school, learner = make_school(), VerifiedLearnerFactory()
    old = _deposit(school, learner, "E-1", achieved_on="2020-01-01", expires_on="2023-01-01")
    _deposit(school, learner, "E-2", achieved_on="2020-01-01", expires_on="2030-01-01")
    _deposit(school, learner, "E-3", achieved_on="2020-01-01")
    with _policy(False):
        assert services.outcomes_expire(today=date(2026, 12, 3)) == 0
    with _policy(True):
        assert services.outcomes_expire(today=date(2026, 12, 3)) == 1
        assert services.outcomes_expire(today=date(2026, 12, 3)) == 0
    old.refresh_from_db()
    entry = LedgerEntry.objects.get(pk=old.closing_entry_id)
    assert (entry.kind, entry.amount, entry.outcome_id) == ("expiry", Decimal("4.50"), old.pk)
    assert CreditAccount.objects.get(user=learner).available == Decimal("9.00")


def test_the_daily_command(capsys: Any) -> None:
    from django.core.management import call_command

    school, learner = make_school(), VerifiedLearnerFactory()
    _deposit(school, learner, "C-1", achieved_on="2020-01-01", expires_on="2021-01-01")
    with _policy(True):
        call_command("expire_outcomes")
    assert capsys.readouterr().out == "expired 1 outcome(s)\n"
