"""Rules test data: a school with a published programme and course, and rule bodies."""

from __future__ import annotations

from typing import Any

from conftest import make_reviewer_user
from creditbank.accounts.models import User
from creditbank.institutions import services as institution_services
from creditbank.outcomes.tests.factories import School, make_school
from creditbank.rules import services
from creditbank.rules.models import ConversionRule


def make_programme_school(code: str = "uni-a", programme: str = "CS", course: str = "ENG1") -> School:
    """A school (admin, issuer, reviewer) with a published programme and one course."""
    school = make_school(code)
    institution_services.programme_create(
        actor=school.admin, code=code, programme_code=programme, name_zh="计算机科学与技术",
        name_en="Computer Science", total_credits="160.00",
    )  # fmt: skip
    institution_services.course_create(
        actor=school.admin, code=code, programme_code=programme, course_code=course, name_zh="大学英语",
        name_en="College English", credits="4.00",
    )  # fmt: skip
    institution_services.programme_publish(actor=school.admin, code=code, programme_code=programme)
    return school


def make_rules_editor() -> User:
    return make_reviewer_user(perms=("publish_rule",))


def rule_body(institution: str = "uni-a", **over: Any) -> dict[str, Any]:
    """A rule exempting ENG1 for a CET4 certificate of at least 425 points (as a percentage: 60)."""
    body: dict[str, Any] = {
        "code": "CET4-ENG1",
        "target": {"institution": institution, "programme": "CS", "course": "ENG1"},
        "criteria": {
            "combine": "any_of",
            "requirements": [{"types": ["vocational_certificate"], "codes": ["CET4"], "max_age_months": 60}],
        },
        "grants": {"mode": "fixed", "credits": "4.00", "exempts_course": True},
        "caps": {"per_academic_year": "10.00"},
        "requires_review": False,
        "valid_from": "2020-01-01",
    }
    body.update(over)
    return body


def make_rule(*, actor: Any, publish: bool = True, **over: Any) -> ConversionRule:
    rule = services.rule_create(actor=actor, data=rule_body(**over))
    return services.rule_publish(actor=actor, rule_id=rule.pk) if publish else rule


def certified(learner: User, school: School, external_id: str, **over: Any) -> int:
    """A certified outcome deposited by ``school`` for ``learner`` (a CET4 certificate unless
    ``over`` says otherwise); answers its id."""
    from creditbank.outcomes import services as outcome_services
    from creditbank.outcomes.models import Outcome
    from creditbank.outcomes.tests.factories import deposit_row

    fields = {"type": "vocational_certificate", "code": "CET4", "title": "CET-4", "credits": "2", **over}
    report = outcome_services.outcomes_deposit(
        institution=school.institution, rows=[deposit_row(learner, external_id, **fields)], actor=school.issuer,
        deposited_by="test",
    )  # fmt: skip
    assert report.accepted == 1, report.errors
    return Outcome.objects.get(user=learner, external_id=external_id).pk
