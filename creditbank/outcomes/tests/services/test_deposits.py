"""Institution deposits: certified on arrival, ledgered, idempotent per external_id, row errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from creditbank.audit.models import AuditEvent
from creditbank.kernel.errors import DomainError
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.outcomes import services
from creditbank.outcomes.models import Outcome
from creditbank.outcomes.tests.factories import deposit_row, make_school
from tests.factories import LearnerFactory, VerifiedLearnerFactory, id_number_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def school() -> Any:
    return make_school("uni-a")


def test_a_batch_is_deposited_and_a_resent_batch_deposits_nothing(school: Any) -> None:
    a, b = VerifiedLearnerFactory(), LearnerFactory()  # not yet verified: credits still accumulate
    rows = [
        deposit_row(a, "T-1"),
        deposit_row(a, "T-2", type="mooc", credits="1.5", result=None, level=None),
        deposit_row(b, "T-3"),
    ]
    report = services.outcomes_deposit(institution=school.institution, rows=rows, deposited_by="user:1")
    assert report.as_dict() == {"accepted": 3, "duplicates": 0, "errors": []}
    first = Outcome.objects.get(external_id="T-1")
    assert (first.status, first.source, first.issuer, first.certified_credits) == (
        "certified", "institution", "uni-a", Decimal("4.50"),
    )  # fmt: skip
    assert CreditAccount.objects.get(user=a).by_type == {"academic_credit": "4.50", "mooc": "1.50"}
    again = services.outcomes_deposit(institution=school.institution, rows=rows, deposited_by="user:1")
    assert again.as_dict() == {"accepted": 0, "duplicates": 3, "errors": []}
    assert Outcome.objects.count() == 3 and LedgerEntry.objects.count() == 3
    assert AuditEvent.objects.filter(action="outcomes.deposited").count() == 2
    call_command("verify_ledger")


def test_learners_named_by_id_number() -> None:
    school = make_school("uni-a")
    learner = VerifiedLearnerFactory()
    from creditbank.accounts.personal_data import ID_CONTEXT
    from creditbank.kernel.pii import cipher

    id_number = cipher().decrypt(learner.id_number_enc, context=ID_CONTEXT)
    row = {**deposit_row(learner, "X-1"), "learner": {"id_number": id_number.lower()}}
    assert services.outcomes_deposit(institution=school.institution, rows=[row], deposited_by="t").accepted == 1
    assert Outcome.objects.get().user == learner


def test_row_errors_are_reported_and_the_rest_deposited(school: Any) -> None:
    learner = VerifiedLearnerFactory()
    rows: list[Any] = [
        deposit_row(learner, "OK-1"),
        deposit_row(learner, "OK-1"),  # the same external id twice in one batch
        {**deposit_row(learner, "E-1"), "learner": {"id_number": id_number_for(987654)}},
        {**deposit_row(learner, "E-2"), "learner": {}},
        deposit_row(learner, ""),
        deposit_row(learner, "E-4", credits="NaN", level=0),
        deposit_row(learner, "E-5", result={"scheme": "five_level", "value": "不及格"}),
        "not an object",
    ]
    report = services.outcomes_deposit(institution=school.institution, rows=rows, deposited_by="t")
    assert (report.accepted, report.duplicates) == (1, 1)
    assert [(e["index"], e["code"], e["field"]) for e in report.errors] == [
        (2, "learner_not_found", "learner"),
        (3, "learner_required", "learner"),
        (4, "external_id_invalid", "external_id"),
        (5, "credits_invalid", "credits"),
        (6, "result_not_passing", "result"),
        (7, "external_id_invalid", ""),
    ]
    assert Outcome.objects.count() == 1


def test_a_batch_over_1000_is_refused_whole(school: Any) -> None:
    learner = VerifiedLearnerFactory()
    with pytest.raises(DomainError) as refused:
        services.outcomes_deposit(
            institution=school.institution, rows=[deposit_row(learner, f"B-{i}") for i in range(1001)], deposited_by="t"
        )
    assert (refused.value.code, refused.value.status) == ("batch_too_large", 413)
    assert not Outcome.objects.exists()


def test_external_ids_are_per_institution(school: Any) -> None:
    other = make_school("uni-b")
    learner = VerifiedLearnerFactory()
    for institution in (school.institution, other.institution):
        assert (
            services.outcomes_deposit(
                institution=institution, rows=[deposit_row(learner, "S-1")], deposited_by="t"
            ).accepted
            == 1
        )
    assert CreditAccount.objects.get(user=learner).available == Decimal("9.00")
