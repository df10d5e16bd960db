"""Authoring conversion rules: create, update, publish, revise, retire, import, try; who may."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from creditbank.kernel.errors import DomainError, NotFound
from creditbank.rules import selectors, services
from creditbank.rules.models import ConversionRule, RuleSourceKey, RuleStatus
from creditbank.rules.tests.factories import make_programme_school, make_rule, make_rules_editor, rule_body
from tests.factories import VerifiedLearnerFactory

pytestmark = pytest.mark.django_db


def test_create_stores_the_canonical_definition_and_the_index() -> None:
    school = make_programme_school()
    rule = services.rule_create(actor=school.admin, data=rule_body())
    assert (rule.series, rule.code, rule.version, rule.status) == ("uni-a:CET4-ENG1", "CET4-ENG1", 1, "draft")
    assert (rule.programme_code, rule.course_code, rule.hash) == ("CS", "ENG1", "")
    assert rule.definition["grants"] == {
        "mode": "fixed", "credits": "4.00", "ratio": None, "rounding": "down", "step": "0.01", "grade": None,
        "exempts_course": True,
    }  # fmt: skip
    keys = sorted(RuleSourceKey.objects.filter(rule=rule).values_list("key", flat=True))
    assert keys == ["about:vocational_certificate", "code:CET4"]


def test_publish_fixes_the_hash_of_the_canonical_form() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    assert rule.status == RuleStatus.PUBLISHED
    assert rule.hash == selectors.rule_record(rule).sha256()
    assert len(rule.hash) == 64


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        (
            {"target": {"institution": "uni-a", "programme": "NOPE", "course": "ENG1"}},
            "rule_target_invalid",
            "target.programme",
        ),
        (
            {"target": {"institution": "uni-a", "programme": "CS", "course": "X9"}},
            "rule_target_invalid",
            "target.course",
        ),
        (
            {"criteria": {"combine": "some", "requirements": [{"codes": ["A"]}]}},
            "rule_criteria_invalid",
            "criteria.combine",
        ),
        ({"criteria": {"combine": "any_of", "requirements": [{}]}}, "rule_criteria_invalid", "criteria.requirements.0"),
        ({"grants": {"mode": "ratio", "ratio": "1.5"}}, "rule_grants_invalid", "grants.ratio"),
        ({"grants": {"mode": "fixed", "credits": "NaN"}}, "rule_grants_invalid", "grants.credits"),
        ({"caps": {"per_term": "-1"}}, "rule_caps_invalid", "caps.per_term"),
        ({"valid_from": "2020-02-30"}, "rule_dates_invalid", "valid_from"),
        ({"code": "bad code!"}, "rule_code_invalid", "code"),
    ],
)
def test_bad_rules_are_refused_on_their_field_and_write_nothing(over: dict, code: str, field: str) -> None:
    school = make_programme_school()
    with pytest.raises(DomainError) as refused:
        services.rule_create(actor=school.admin, data=rule_body(**over))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert ConversionRule.objects.count() == 0


def test_only_the_institutions_admins_and_rules_editors_author() -> None:
    school = make_programme_school()
    other = make_programme_school("uni-b")
    for outsider in (school.issuer, school.reviewer, other.admin, VerifiedLearnerFactory()):
        with pytest.raises(NotFound):
            services.rule_create(actor=outsider, data=rule_body())
    rule = services.rule_create(actor=make_rules_editor(), data=rule_body())
    with pytest.raises(NotFound):
        services.rule_update(actor=other.admin, rule_id=rule.pk, data=rule_body())
    assert ConversionRule.objects.count() == 1


def test_a_second_rule_with_the_same_code_is_refused() -> None:
    school = make_programme_school()
    make_rule(actor=school.admin)
    with pytest.raises(DomainError) as refused:
        services.rule_create(actor=school.admin, data=rule_body())
    assert (refused.value.code, refused.value.status) == ("rule_exists", 409)


def test_a_published_version_never_changes_and_a_revision_supersedes_it() -> None:
    school = make_programme_school()
    first = make_rule(actor=school.admin)
    with pytest.raises(DomainError) as refused:
        services.rule_update(actor=school.admin, rule_id=first.pk, data=rule_body(requires_review=True))
    assert refused.value.code == "rule_not_draft"
    draft = services.rule_revise(actor=school.admin, rule_id=first.pk, valid_from=None)
    assert (draft.version, draft.status) == (2, "draft")
    services.rule_update(
        actor=school.admin, rule_id=draft.pk, data=rule_body(requires_review=True, valid_from="2020-01-01")
    )
    with pytest.raises(DomainError) as early:
        services.rule_publish(actor=school.admin, rule_id=draft.pk)
    assert (early.value.code, early.value.extra["after"]) == ("rule_version_date", "2020-01-01")
    services.rule_update(
        actor=school.admin, rule_id=draft.pk, data=rule_body(requires_review=True, valid_from="2024-09-01")
    )
    second = services.rule_publish(actor=school.admin, rule_id=draft.pk)
    assert second.hash != first.hash
    from datetime import date

    assert [r.pk for r in selectors.rules_in_force(date(2024, 8, 31))] == [first.pk]
    assert [r.pk for r in selectors.rules_in_force(date(2024, 9, 1))] == [second.pk]
    assert selectors.superseded_from(first) == date(2024, 9, 1)


def test_retiring_takes_every_version_out_of_force() -> None:
    from datetime import date

    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    services.rule_retire(actor=school.admin, rule_id=rule.pk)
    assert selectors.rules_in_force(date(2026, 1, 1)) == []
    with pytest.raises(DomainError) as refused:
        services.rule_retire(actor=school.admin, rule_id=rule.pk)
    assert refused.value.code == "rule_not_published"


def test_the_database_refuses_to_change_or_delete_a_published_rule() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConversionRule.objects.filter(pk=rule.pk).update(requires_review=True)
    RuleSourceKey.objects.filter(rule=rule).delete()  # so that only the trigger can refuse the DELETE
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM rules_conversionrule WHERE id = %s", [rule.pk])
    rule.refresh_from_db()
    assert rule.requires_review is False


def test_import_reports_each_bad_row_and_creates_the_good_ones() -> None:
    school = make_programme_school()
    rows = [
        rule_body(code="R1"),
        rule_body(code="R2", grants={"mode": "fixed"}),
        "not an object",
        {**rule_body(code="R4"), "colour": "red"},
        rule_body(code="R5", grants={"mode": "ratio", "ratio": "0.5", "step": "0.50"}),
    ]
    report = services.rules_import(actor=school.admin, rows=rows, publish=True)
    assert [r.code for r in report.created] == ["R1", "R5"]
    assert [r.status for r in report.created] == ["published", "published"]
    assert [(e["index"], e["code"], e["field"]) for e in report.errors] == [
        (1, "rule_grants_invalid", "grants.credits"),
        (2, "rule_import_invalid", ""),
        (3, "rule_import_invalid", "colour"),
    ]
    assert ConversionRule.objects.count() == 2


def test_try_evaluates_a_sample_outcome_and_writes_nothing() -> None:
    from datetime import date

    school = make_programme_school()
    sample = {
        "type": "vocational_certificate",
        "code": "cet4",
        "issuer": "moe",
        "achieved_on": "2024-06-01",
        "credits": "2.00",
    }
    decision = services.rule_try(actor=school.admin, data=rule_body(), sample=sample, as_of=date(2026, 12, 1))
    assert (decision.eligible, str(decision.credits), decision.exempts_course) == (True, "4.00", "ENG1")
    old = {**sample, "achieved_on": "2019-06-01"}
    refused = services.rule_try(actor=school.admin, data=rule_body(), sample=old, as_of=date(2026, 12, 1))
    assert (refused.eligible, refused.refusal) == (False, "criteria_not_met")
    failed = [(c.name, c.expected, c.actual) for c in refused.trace if not c.passed]
    assert failed[0] == ("max_age_months", "60", "90")
    assert ConversionRule.objects.count() == 0
