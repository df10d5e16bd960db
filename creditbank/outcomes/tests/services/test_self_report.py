"""Self-reporting an outcome: every field error at once, evidence files, nothing half-written."""

from __future__ import annotations

import pytest

from creditbank.kernel.errors import DomainError
from creditbank.outcomes import services
from creditbank.outcomes.models import Outcome, OutcomeEvidence
from creditbank.outcomes.tests.factories import COURSE, make_school, self_report
from tests.factories import LearnerFactory, VerifiedLearnerFactory, proof_jpeg
from tests.vault_files import vault_files

pytestmark = pytest.mark.django_db


def test_a_self_reported_outcome_is_a_draft_with_its_evidence() -> None:
    make_school("uni-a")
    learner = VerifiedLearnerFactory()
    outcome = self_report(learner, evidence=2, issuer="UNI-A")
    assert (outcome.status, outcome.source, outcome.issuer, outcome.credits, outcome.result()) == (
        "draft", "self_reported", "uni-a", __import__("decimal").Decimal("4.50"),
        {"scheme": "percentage", "value": "86.00"},
    )  # fmt: skip
    assert [e.filename for e in outcome.evidence.all()] == ["transcript0.jpg", "transcript1.jpg"]
    named = self_report(learner, issuer="某培训中心")
    assert (named.issuer_institution, named.issuer) == (None, "某培训中心")


def test_every_field_error_at_once_and_nothing_stored() -> None:
    learner = VerifiedLearnerFactory()
    before = vault_files()
    bad = {**COURSE, "type": "diploma", "credits": "-1", "level": 12, "achieved_on": "2999-01-01", "title": ""}
    with pytest.raises(DomainError) as refused:
        services.outcome_self_report(user=learner, data=bad, evidence=[proof_jpeg()])
    assert set(refused.value.errors) == {"type", "credits", "level", "achieved_on", "title"}
    assert not Outcome.objects.exists() and not OutcomeEvidence.objects.exists()
    assert vault_files() == before


def test_only_verified_learners_report() -> None:
    with pytest.raises(DomainError) as refused:
        self_report(LearnerFactory())
    assert refused.value.code == "not_verified"


def test_at_most_five_evidence_files() -> None:
    learner = VerifiedLearnerFactory()
    outcome = self_report(learner, evidence=4)
    with pytest.raises(DomainError) as refused:
        services.outcome_evidence_add(user=learner, outcome_id=outcome.pk, evidence=[proof_jpeg(7), proof_jpeg(8)])
    assert refused.value.code == "too_many_files"
    services.outcome_evidence_add(user=learner, outcome_id=outcome.pk, evidence=[proof_jpeg(9)])
    assert outcome.evidence.count() == 5


def test_a_file_that_is_not_a_pdf_or_an_image_is_refused() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    learner = VerifiedLearnerFactory()
    with pytest.raises(DomainError) as refused:
        services.outcome_self_report(
            user=learner, data={**COURSE, "issuer": "x"},
            evidence=[SimpleUploadedFile("a.exe", b"MZ\x90\x00" * 100, content_type="application/pdf")],
        )  # fmt: skip
    assert refused.value.code == "upload_type_not_allowed"
    assert not Outcome.objects.exists()
