"""The pathway view: per programme, rules taken greedily by credits, no outcome counted twice,
caps and exempted courses respected, programmes best first; only indexed candidates loaded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from creditbank.institutions import services as institution_services
from creditbank.outcomes.tests.factories import School
from creditbank.rules import services
from creditbank.rules.tests.factories import certified, make_programme_school, make_rule
from tests.factories import VerifiedLearnerFactory

pytestmark = pytest.mark.django_db

ANY_MOOC = {"combine": "any_of", "requirements": [{"types": ["mooc"]}]}
CET4 = {"combine": "any_of", "requirements": [{"types": ["vocational_certificate"], "codes": ["CET4"]}]}


def catalogue() -> tuple[School, School, dict[str, Any]]:
    """uni-a CS (160 credits): R1 CET4 → 4 exempting ENG1, R2 CET4 → 3 exempting ENG1 too, R3 any
    MOOC → half its credits (step 0.50), R4 a MOOC PY101 or DS101 → 2 with a programme cap of 8;
    uni-b SE (160 credits): S1 CET4 → 6. A rule of uni-a for a type the learner has none of."""
    a = make_programme_school("uni-a")
    b = make_programme_school("uni-b", programme="SE", course="SE1")
    rules = {
        "R1": make_rule(actor=a.admin, code="R1"),
        "R2": make_rule(actor=a.admin, code="R2", grants={"mode": "fixed", "credits": "3.00", "exempts_course": True}),
        "R3": make_rule(actor=a.admin, code="R3", target={"institution": "uni-a", "programme": "CS"},
                        criteria=ANY_MOOC, grants={"mode": "ratio", "ratio": "0.5", "step": "0.50"}, caps={}),
        "R4": make_rule(actor=a.admin, code="R4", target={"institution": "uni-a", "programme": "CS"},
                        criteria={"combine": "any_of", "requirements": [{"types": ["mooc"], "codes": ["PY101", "DS101"]}]},
                        grants={"mode": "fixed", "credits": "2.00"}, caps={"programme_total": "8.00"}),
        "S1": make_rule(actor=b.admin, institution="uni-b", code="S1",
                        target={"institution": "uni-b", "programme": "SE"}, criteria=CET4,
                        grants={"mode": "fixed", "credits": "6.00"}, caps={}),
        "AWARD": make_rule(actor=a.admin, code="AWARD", target={"institution": "uni-a", "programme": "CS"},
                           criteria={"combine": "any_of", "requirements": [{"types": ["award"]}]},
                           grants={"mode": "fixed", "credits": "1.00"}, caps={}),
    }  # fmt: skip
    return a, b, rules


def outcomes(learner: Any, school: School) -> dict[str, int]:
    return {
        "o1": certified(learner, school, "o1"),
        "o2": certified(learner, school, "o2"),
        "o3": certified(learner, school, "o3", type="mooc", code="PY101", title="Python", credits="3"),
        "o4": certified(learner, school, "o4", type="mooc", code="DS101", title="Data", credits="5"),
    }


def summary(found: list[services.Pathway]) -> list[tuple[Any, ...]]:
    return [
        (p.institution, p.programme, f"{p.held}", f"{p.credits}", f"{p.progress}",
         [(line.rule.code, f"{line.credits}", line.outcome_ids) for line in p.lines], [c for c, _ in p.courses])
        for p in found
    ]  # fmt: skip


def test_greedy_per_programme_counts_each_outcome_once_and_orders_programmes_best_first() -> None:
    a, _b, _rules = catalogue()
    learner = VerifiedLearnerFactory()
    ids = outcomes(learner, a)
    found = services.pathways(learner)
    assert summary(found) == [
        # R1 (4) before R2 (3, the same course: skipped); R3 takes DS101 (5 × 0.5 = 2.50), so R4 takes
        # PY101, cut by its cap of 8 from 2.00 to 1.50 (4 + 2.50 already counted)
        ("uni-a", "CS", "0.00", "8.00", "5.0",
         [("R1", "4.00", (ids["o1"],)), ("R3", "2.50", (ids["o4"],)), ("R4", "1.50", (ids["o3"],))], ["ENG1"]),
        ("uni-b", "SE", "0.00", "6.00", "3.8", [("S1", "6.00", (ids["o1"],))], []),
    ]  # fmt: skip
    cs = found[0]
    assert (cs.institution_name, cs.programme_name, cs.total_credits, cs.courses) == (
        a.institution.name(), "计算机科学与技术", Decimal("160.00"), (("ENG1", "大学英语"),),
    )  # fmt: skip
    assert [c.name for c in found[0].lines[2].decision.trace if c.step == "cap"] == ["programme_total", "cut"]


def test_prior_conversions_count_their_outcomes_courses_and_credits() -> None:
    a, _b, rules = catalogue()
    learner = VerifiedLearnerFactory()
    ids = outcomes(learner, a)
    services.conversion_apply(user=learner, rule_id=rules["R1"].pk, outcome_ids=[ids["o1"]])
    assert summary(services.pathways(learner)) == [
        # o1 is converted (used once, the default policy): S1 takes o2
        ("uni-b", "SE", "0.00", "6.00", "3.8", [("S1", "6.00", (ids["o2"],))], []),
        # ENG1 is exempted already: neither R1 (with o2) nor R2; R4's cap counts the 4 held
        ("uni-a", "CS", "4.00", "4.00", "5.0", [("R3", "2.50", (ids["o4"],)), ("R4", "1.50", (ids["o3"],))], []),
    ]


def test_per_programme_policy_lets_another_programme_use_a_converted_outcome(settings: Any) -> None:
    a, _b, rules = catalogue()
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "OUTCOME_REUSE": "per_programme"}
    learner = VerifiedLearnerFactory()
    ids = outcomes(learner, a)
    services.conversion_apply(user=learner, rule_id=rules["S1"].pk, outcome_ids=[ids["o1"]])
    assert summary(services.pathways(learner)) == [
        # o1, converted into SE, still counts in CS
        ("uni-a", "CS", "0.00", "8.00", "5.0",
         [("R1", "4.00", (ids["o1"],)), ("R3", "2.50", (ids["o4"],)), ("R4", "1.50", (ids["o3"],))], ["ENG1"]),
        # never twice in SE: S1 again, with o2 only
        ("uni-b", "SE", "6.00", "6.00", "7.5", [("S1", "6.00", (ids["o2"],))], []),
    ]  # fmt: skip


def test_nothing_without_certified_outcomes_or_matching_rules() -> None:
    a, _b, _rules = catalogue()
    assert services.pathways(VerifiedLearnerFactory()) == []
    learner = VerifiedLearnerFactory()
    certified(learner, a, "w1", type="work_experience", code="", title="Work")
    assert services.pathways(learner) == []


def test_only_indexed_candidates_are_loaded() -> None:
    a, _b, _rules = catalogue()
    learner = VerifiedLearnerFactory()
    certified(learner, a, "m1", type="mooc", code="ZZ9", title="Other MOOC", credits="2")
    with CaptureQueriesContext(connection) as queries:
        found = services.pathways(learner)
    assert summary(found) == [
        ("uni-a", "CS", "0.00", "1.00", "0.6", [("R3", "1.00", (found[0].lines[0].outcome_ids))], [])
    ]
    rule_rows = [q["sql"] for q in queries.captured_queries if 'FROM "rules_conversionrule"' in q["sql"]]
    assert rule_rows and all("rules_rulesourcekey" in sql for sql in rule_rows)


def test_a_programme_not_published_has_no_progress() -> None:
    a, _b, _rules = catalogue()
    institution_services.programme_retire(actor=a.admin, code="uni-a", programme_code="CS")
    learner = VerifiedLearnerFactory()
    outcomes(learner, a)
    cs = next(p for p in services.pathways(learner) if p.programme == "CS")
    assert (cs.total_credits, cs.progress, cs.programme_name) == (None, None, "CS")
