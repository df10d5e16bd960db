"""Self-report → apply → decide: routing, approval into the ledger, rejection, more evidence,
adjusted credits, one open application, locked outcomes, and who may decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from creditbank.audit.models import AuditEvent
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.outcomes import services
from creditbank.outcomes.models import CertificationApplication, Outcome
from creditbank.outcomes.tests.factories import (
    COURSE,
    make_bank_certifier,
    make_school,
    make_standard,
    make_standard_editor,
    self_report,
)
from tests.factories import VerifiedLearnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school() -> Any:
    return make_school("uni-a")


@pytest.fixture
def learner() -> Any:
    return VerifiedLearnerFactory()


def test_an_outcome_of_a_member_institution_goes_to_its_reviewers(
    school: Any, learner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    standard = make_standard(editor=make_standard_editor(), owner="uni-a", credits="4.00")
    outcome = self_report(learner, issuer="uni-a")
    application = services.certification_apply(user=learner, outcome_id=outcome.pk)
    assert (application.routed_to, application.standard, application.status) == (
        school.institution,
        standard,
        "pending",
    )
    assert Outcome.objects.get(pk=outcome.pk).status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        services.certification_decide(reviewer=school.reviewer, application_id=application.pk, decision="approve")
    outcome.refresh_from_db()
    application.refresh_from_db()
    assert (outcome.status, outcome.certified_credits, application.credits_granted) == (
        "certified", Decimal("4.00"), Decimal("4.00"),
    )  # fmt: skip
    entry = LedgerEntry.objects.get(pk=outcome.deposit_entry_id)
    assert (entry.kind, entry.amount, entry.outcome_id, entry.application_id, entry.outcome_type) == (
        "deposit", Decimal("4.00"), outcome.pk, application.pk, "academic_credit",
    )  # fmt: skip
    account = CreditAccount.objects.get(user=learner)
    assert (account.available, account.by_type) == (Decimal("4.00"), {"academic_credit": "4.00"})
    assert AuditEvent.objects.filter(action="certification.approve", object_id=str(application.pk)).count() == 1
    assert "4.00" in mail.outbox[-1].body


def test_a_non_member_issuer_goes_to_bank_staff(school: Any, learner: Any) -> None:
    outcome = self_report(learner, issuer="某职业培训中心")
    application = services.certification_apply(user=learner, outcome_id=outcome.pk)
    assert application.routed_to is None and application.standard is None
    with pytest.raises(NotFound):  # the institution's reviewer does not see it
        services.certification_decide(reviewer=school.reviewer, application_id=application.pk, decision="approve")
    bank = make_bank_certifier()
    services.certification_decide(
        reviewer=bank, application_id=application.pk, decision="approve", credits="3", adjust_reason="只认可部分学时"
    )
    application.refresh_from_db()
    assert (application.credits_granted, application.adjust_reason) == (Decimal("3.00"), "只认可部分学时")


def test_a_reviewer_of_another_institution_gets_not_found_and_nothing_changes(
    school: Any, learner: Any, caplog: pytest.LogCaptureFixture
) -> None:
    other = make_school("uni-b")
    application = services.certification_apply(user=learner, outcome_id=self_report(learner, issuer="uni-a").pk)
    with caplog.at_level("WARNING", logger="creditbank.outcomes.access"), pytest.raises(NotFound):
        services.certification_decide(reviewer=other.reviewer, application_id=application.pk, decision="approve")
    assert [r.getMessage() for r in caplog.records if r.name == "creditbank.outcomes.access"] == [
        f"certification access refused: account {other.reviewer.pk} asked for application {application.pk}"
    ]
    application.refresh_from_db()
    assert application.status == "pending" and not LedgerEntry.objects.exists()


def test_credits_above_the_standard_or_lowered_without_reason_are_refused(school: Any, learner: Any) -> None:
    make_standard(editor=make_standard_editor(), owner="uni-a", credits="4.00")
    application = services.certification_apply(user=learner, outcome_id=self_report(learner, issuer="uni-a").pk)
    for credits, reason, code in [("4.01", "", "credits_out_of_range"), ("2", "", "adjust_reason_required"),
                                  ("1e1", "x", "credits_invalid")]:  # fmt: skip
        with pytest.raises(DomainError) as refused:
            services.certification_decide(
                reviewer=school.reviewer, application_id=application.pk, decision="approve", credits=credits,
                adjust_reason=reason,
            )  # fmt: skip
        assert refused.value.code == code
    application.refresh_from_db()
    assert application.status == "pending" and not LedgerEntry.objects.exists()


def test_rejection_and_more_evidence(school: Any, learner: Any, django_capture_on_commit_callbacks: Any) -> None:
    outcome = self_report(learner, issuer="uni-a")
    first = services.certification_apply(user=learner, outcome_id=outcome.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.certification_decide(
            reviewer=school.reviewer, application_id=first.pk, decision="reject", reason_code="more_evidence",
            note="请上传盖章成绩单",
        )  # fmt: skip
    outcome.refresh_from_db()
    assert outcome.status == "draft"
    assert "请上传盖章成绩单" in mail.outbox[-1].body
    second = services.certification_apply(user=learner, outcome_id=outcome.pk)
    services.certification_decide(
        reviewer=school.reviewer, application_id=second.pk, decision="reject", reason_code="details_mismatch"
    )
    outcome.refresh_from_db()
    assert outcome.status == "rejected"
    # corrected, it may apply again
    services.outcome_update(user=learner, outcome_id=outcome.pk, data={**COURSE, "issuer": "uni-a", "credits": "4"})
    third = services.certification_apply(user=learner, outcome_id=outcome.pk)
    assert third.status == "pending"
    assert not LedgerEntry.objects.exists()


def test_one_open_application_and_a_locked_outcome(school: Any, learner: Any) -> None:
    outcome = self_report(learner, issuer="uni-a")
    services.certification_apply(user=learner, outcome_id=outcome.pk)
    with pytest.raises(DomainError) as refused:
        services.certification_apply(user=learner, outcome_id=outcome.pk)
    assert (refused.value.code, refused.value.status) == ("application_open", 409)
    for change in (
        lambda: services.outcome_update(user=learner, outcome_id=outcome.pk, data=COURSE),
        lambda: services.outcome_evidence_remove(
            user=learner, outcome_id=outcome.pk, evidence_id=outcome.evidence.get().pk
        ),
    ):
        with pytest.raises(DomainError) as refused:
            change()
        assert refused.value.code == "outcome_locked"
    assert CertificationApplication.objects.count() == 1 and outcome.evidence.count() == 1


def test_withdrawal_makes_the_outcome_a_draft_again(school: Any, learner: Any) -> None:
    outcome = self_report(learner, issuer="uni-a")
    application = services.certification_apply(user=learner, outcome_id=outcome.pk)
    services.certification_withdraw(user=learner, application_id=application.pk)
    application.refresh_from_db()
    outcome.refresh_from_db()
    assert (application.status, outcome.status) == ("withdrawn", "draft")
    with pytest.raises(DomainError) as refused:
        services.certification_decide(reviewer=school.reviewer, application_id=application.pk, decision="approve")
    assert refused.value.code == "application_not_pending"


@pytest.mark.parametrize(
    ("over", "evidence", "code"),
    [({}, 0, "evidence_required"), ({"result": {"scheme": "percentage", "value": "40"}}, 1, "result_not_passing")],
)
def test_what_cannot_be_submitted(learner: Any, over: dict[str, Any], evidence: int, code: str) -> None:
    outcome = self_report(learner, evidence=evidence, **over)
    with pytest.raises(DomainError) as refused:
        services.certification_apply(user=learner, outcome_id=outcome.pk)
    assert refused.value.code == code
    assert not CertificationApplication.objects.exists()


def test_another_learners_outcome_is_not_found(learner: Any) -> None:
    outcome = self_report(learner)
    other = VerifiedLearnerFactory()
    with pytest.raises(NotFound):
        services.certification_apply(user=other, outcome_id=outcome.pk)
    with pytest.raises(NotFound):
        services.evidence_for_owner(user=other, outcome_id=outcome.pk, evidence_id=outcome.evidence.get().pk)


def test_reviewers_read_evidence_audited(school: Any, learner: Any) -> None:
    outcome = self_report(learner, issuer="uni-a")
    application = services.certification_apply(user=learner, outcome_id=outcome.pk)
    evidence = outcome.evidence.get()
    data, content_type, _name = services.certification_evidence_for_reviewer(
        reviewer=school.reviewer, application_id=application.pk, evidence_id=evidence.pk
    )
    assert content_type == "image/jpeg" and data[:2] == b"\xff\xd8"
    audit = AuditEvent.objects.get(action="certification.evidence_viewed")
    assert (audit.actor, audit.subject, audit.object_id) == (
        school.reviewer,
        learner,
        f"{application.pk}:{evidence.pk}",
    )
    with pytest.raises(NotFound):
        services.certification_evidence_for_reviewer(
            reviewer=make_school("uni-b").reviewer, application_id=application.pk, evidence_id=evidence.pk
        )


def test_a_reviewer_cannot_decide_their_own_application(school: Any) -> None:
    outcome = self_report(school.reviewer, issuer="uni-a")
    application = services.certification_apply(user=school.reviewer, outcome_id=outcome.pk)
    with pytest.raises(DomainError) as refused:
        services.certification_decide(reviewer=school.reviewer, application_id=application.pk, decision="approve")
    assert refused.value.code == "own_request"
