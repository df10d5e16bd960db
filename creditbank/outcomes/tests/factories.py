"""Outcomes, standards and the people who handle them, for tests, made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from conftest import make_reviewer_user
from creditbank.accounts.models import User
from creditbank.institutions import services as institution_services
from creditbank.institutions.models import Institution
from creditbank.institutions.tests.factories import make_institution
from creditbank.outcomes import services
from creditbank.outcomes.models import CertificationStandard, Outcome
from tests.factories import VerifiedLearnerFactory, proof_jpeg

COURSE = {
    "type": "academic_credit",
    "title": "高等数学 A",
    "code": "MATH101",
    "issuer": "某职业培训中心",
    "achieved_on": "2025-07-01",
    "credits": "4.5",
    "result": {"scheme": "percentage", "value": "86"},
    "level": 6,
}


@dataclass
class School:
    """An institution with an admin, an issuer and a reviewer."""

    institution: Institution
    admin: User
    issuer: User
    reviewer: User


def make_school(code: str = "uni-a") -> School:
    admin, issuer, reviewer = VerifiedLearnerFactory(), VerifiedLearnerFactory(), VerifiedLearnerFactory()
    institution = make_institution(code, admin=admin)
    institution_services.member_add(actor=admin, code=code, account=issuer.account_no, role="issuer")
    institution_services.member_add(actor=admin, code=code, account=reviewer.account_no, role="reviewer")
    return School(institution, admin, issuer, reviewer)


def make_bank_certifier() -> User:
    return make_reviewer_user(perms=("review_certification",))


def make_standard_editor() -> User:
    return make_reviewer_user(perms=("publish_standard",))


def make_standard(
    *, editor: User, owner: str = "", code: str = "MATH101", credits: str = "4.00", valid_from: str = "2020-01-01",
    outcome_type: str = "academic_credit",
) -> CertificationStandard:  # fmt: skip
    draft = services.standard_create(
        actor=editor,
        owner=owner,
        data={
            "outcome_type": outcome_type, "code": code, "title_zh": "高等数学", "title_en": "Calculus",
            "credits": credits, "level": 6, "evidence_zh": "成绩单", "evidence_en": "A transcript",
            "valid_from": valid_from,
        },
    )  # fmt: skip
    return services.standard_publish(actor=editor, standard_id=draft.pk)


def self_report(user: User, *, evidence: int = 1, **over: Any) -> Outcome:
    data = {**COURSE, **over}
    files = [proof_jpeg(seed=i + 1, name=f"transcript{i}.jpg") for i in range(evidence)]
    return services.outcome_self_report(user=user, data=data, evidence=files)


def deposit_row(user: User, external_id: str, **over: Any) -> dict[str, Any]:
    return {"learner": {"account_no": user.account_no}, "external_id": external_id, **COURSE, **over}


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
