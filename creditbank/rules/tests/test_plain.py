"""Plain language for rules, trace lines and refusals: exact sentences in Chinese and English."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import pytest
from django.utils import translation

from creditbank.rules.domain import evaluator
from creditbank.rules.domain.evaluator import Check, Refusal, evaluate
from creditbank.rules.domain.rule import Combine, RuleVersion
from creditbank.rules.plain import EXPLAINED, describe_rule, describe_rule_both, explain_check, explain_refusal
from creditbank.rules.tests.domain.builders import AS_OF, outcome, prior, ratio, rule

T = TypeVar("T")
NAMES = {"demo-open-univ": "示范开放大学", "SE01": "软件技术", "ENG101": "大学英语", "north-poly": "北方职业技术学院"}


def in_language(language: str, render: Callable[..., T], *args: object, **kwargs: object) -> T:
    with translation.override(language):
        return render(*args, **kwargs)


# --- three rules, both languages -----------------------------------------------------------


def fixed_exempt_review() -> RuleVersion:
    return rule(
        {
            "types": ["vocational_certificate"],
            "codes": ["CET4"],
            "min_result": {"scheme": "five_level", "value": "良"},
            "max_age_months": 36,
        },
        grants={
            "mode": "fixed",
            "credits": "2",
            "grade": {"scheme": "pass_fail", "value": "pass"},
            "exempts_course": True,
        },
        caps={"per_academic_year": "10"},
        course="ENG101",
        requires_review=True,
        valid_from="2026-09-01",
        valid_to="2027-08-31",
    )


def ratio_with_caps() -> RuleVersion:
    return rule(
        {
            "types": ["academic_credit"],
            "issuers": ["north-poly"],
            "min_result": {"scheme": "percentage", "value": "60"},
        },
        {"types": ["mooc"], "min_hours": "16", "not_expired": False},
        combine="all_of",
        grants=ratio("0.5", "0.50"),
        caps={"programme_total": "30", "per_term": "6", "per_source_institution": "12"},
        valid_from="2026-09-01",
    )


def two_of_three() -> RuleVersion:
    return rule(
        {"types": ["academic_credit"], "codes": ["MATH2", "MATH1"], "min_level": 6},
        {"types": ["vocational_certificate", "award"], "min_level": 4, "max_age_months": 24, "not_expired": False},
        {"min_level": 5, "min_credits": "3", "min_result": {"scheme": "gpa4", "value": "3"}},
        combine="at_least",
        n=2,
        grants={"mode": "fixed", "credits": "6", "grade": {"scheme": "five_level", "value": "良"}},
        requires_review=True,
        valid_from="2026-09-01",
        valid_to="2028-08-31",
    )


DESCRIPTIONS = [
    (
        fixed_exempt_review,
        [
            "持有以下任一成果：职业资格证书，代码 CET4，成绩不低于 良（五级制），取得不超过 36 个月且未过期"
            " → 授予 2.00 学分，成绩记为 合格，免修课程 ENG101。",
            "每学年最多 10.00 学分。",
            "需人工审核。",
            "适用于 demo-open-univ SE01 专业的 ENG101 课程，有效期 2026-09-01 至 2027-08-31。",
        ],
        [
            "Any one of: a vocational certificate with code CET4, result at least 良 (five-level), achieved within"
            " the last 36 months and not expired → grants 2.00 credits, grade pass, exempts course ENG101.",
            "At most 10.00 credits per academic year.",
            "Needs review by a person.",
            "For course ENG101 of programme SE01 at demo-open-univ, in force from 2026-09-01 to 2027-08-31.",
        ],
    ),
    (
        ratio_with_caps,
        [
            "持有以下全部成果（每项须为不同的成果）：学历教育课程学分，来自 north-poly，成绩不低于 60.00（百分制），"
            "未过期；在线课程（慕课），不少于 16.00 学时 → 按所用成果学分的 50% 授予学分，按 0.50 的整数倍向下取整。",
            "本专业累计最多 30.00 学分。",
            "每学期最多 6.00 学分。",
            "来自同一机构的成果最多 12.00 学分。",
            "符合条件即自动授予，无需人工审核。",
            "适用于 demo-open-univ 的 SE01 专业，自 2026-09-01 起有效，未设截止日期。",
        ],
        [
            "All of these, a different outcome for each: an academic credit from north-poly, result at least 60.00"
            " (percentage), not expired; an online course (MOOC), at least 16.00 hours → grants 50% of the credits"
            " of the outcomes used, rounded down to a multiple of 0.50.",
            "At most 30.00 credits in total in this programme.",
            "At most 6.00 credits per term.",
            "At most 12.00 credits from the outcomes of any one institution.",
            "Granted automatically when the conditions are met.",
            "For programme SE01 at demo-open-univ, in force from 2026-09-01 with no end date.",
        ],
    ),
    (
        two_of_three,
        [
            "持有以下成果中的至少 2 项（每项须为不同的成果）：学历教育课程学分，代码 MATH1 或 MATH2，等级不低于 6，"
            "未过期；获奖成果或职业资格证书，等级不低于 4，取得不超过 24 个月；任一成果，等级不低于 5，"
            "成绩不低于 绩点 3.00，未过期，不少于 3.00 学分 → 授予 6.00 学分，成绩记为 良（五级制）。",
            "需人工审核。",
            "适用于 demo-open-univ 的 SE01 专业，有效期 2026-09-01 至 2028-08-31。",
        ],
        [
            "At least 2 of these, a different outcome for each: an academic credit with code MATH1 or MATH2, level"
            " at least 6, not expired; an award or a vocational certificate, level at least 4, achieved within the"
            " last 24 months; any outcome, level at least 5, result at least GPA 3.00, not expired, at least 3.00"
            " credits → grants 6.00 credits, grade 良 (five-level).",
            "Needs review by a person.",
            "For programme SE01 at demo-open-univ, in force from 2026-09-01 to 2028-08-31.",
        ],
    ),
]


@pytest.mark.parametrize(("make", "zh", "en"), DESCRIPTIONS)
def test_describe_rule_in_both_languages(make: Callable[[], RuleVersion], zh: list[str], en: list[str]) -> None:
    rule_ = make()
    assert describe_rule_both(rule_) == {"zh": zh, "en": en}
    assert in_language("zh-hans", describe_rule, rule_) == zh
    assert in_language("en", describe_rule, rule_) == en


def test_describe_rule_follows_the_active_language_and_leaves_it_unchanged() -> None:
    with translation.override("en"):
        describe_rule_both(fixed_exempt_review())
        assert translation.get_language() == "en"
        assert describe_rule(fixed_exempt_review())[2] == "Needs review by a person."
    assert describe_rule(fixed_exempt_review())[2] == "需人工审核。"  # the tests' default: zh-hans


def test_names_are_shown_with_their_codes() -> None:
    both = describe_rule_both(fixed_exempt_review(), NAMES)
    assert both["zh"][0].endswith("免修课程 大学英语（ENG101）。")
    assert both["zh"][3] == (
        "适用于 示范开放大学（demo-open-univ）软件技术（SE01）专业的 大学英语（ENG101）课程，有效期 2026-09-01 至 2027-08-31。"
    )
    assert both["en"][0].endswith("exempts course 大学英语 (ENG101).")
    assert both["en"][3] == (
        "For course 大学英语 (ENG101) of programme 软件技术 (SE01) at 示范开放大学 (demo-open-univ), in force from"
        " 2026-09-01 to 2027-08-31."
    )
    issuers = describe_rule_both(ratio_with_caps(), NAMES)
    assert "学历教育课程学分，来自 北方职业技术学院（north-poly），成绩不低于" in issuers["zh"][0]
    assert "an academic credit from 北方职业技术学院 (north-poly), result at least" in issuers["en"][0]
    assert describe_rule_both(ratio_with_caps(), {"SE01": "SE01"})["en"][5].startswith("For programme SE01 at")


def test_one_month_and_each_grade_scheme() -> None:
    r = rule(
        {"types": ["mooc", "non_formal", "work_experience"], "max_age_months": 1, "min_hours": "8"},
        {"min_result": {"scheme": "pass_fail", "value": "fail"}, "not_expired": False},
        grants={"mode": "fixed", "credits": "1", "grade": {"scheme": "percentage", "value": "85"}},
    )
    assert describe_rule_both(r)["en"][0] == (
        "Any one of: an online course (MOOC) or a non-formal learning outcome or work experience, achieved within"
        " the last 1 month and not expired, at least 8.00 hours; any outcome, result at least fail → grants 1.00"
        " credits, grade 85.00 (percentage)."
    )
    assert describe_rule_both(r)["zh"][0] == (
        "持有以下任一成果：在线课程（慕课）或非学历培训成果或工作经历，取得不超过 1 个月且未过期，不少于 8.00 学时；"
        "任一成果，成绩不低于 不合格 → 授予 1.00 学分，成绩记为 85.00（百分制）。"
    )


# --- every trace line the evaluator can write ------------------------------------------------


def emitted_pairs() -> set[tuple[str, str]]:
    """Every (step, name) the evaluator's source can put in a trace: ``Check(step, name, …)`` with
    literal names, the conditions ``requirement_checks`` adds, the caps ``_cap_checks`` lists, and
    the combinations the choice line is named after. A Check whose name comes from anywhere else
    fails here until this function learns where its names come from."""
    tree = ast.parse(inspect.getsource(evaluator))
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    pairs: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Check":
            step, name = node.args[0], node.args[1]
            assert isinstance(step, ast.Constant), ast.unparse(node)
            if isinstance(name, ast.Constant):
                pairs.add((step.value, name.value))
                continue
            source = (step.value, ast.unparse(name))
            if source == ("requirement", "name"):  # add(name, …) inside requirement_checks
                for call in ast.walk(functions["requirement_checks"]):
                    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "add":
                        assert isinstance(call.args[0], ast.Constant)
                        pairs.add(("requirement", call.args[0].value))
            elif source == ("cap", "name"):  # the (name, cap, counted, scope) rows of _cap_checks
                for row in ast.walk(functions["_cap_checks"]):
                    if isinstance(row, ast.Tuple) and len(row.elts) == 4 and isinstance(row.elts[0], ast.Constant):
                        pairs.add(("cap", row.elts[0].value))
            elif source == ("choice", "rule.criteria.combine.value"):
                pairs.update(("choice", c.value) for c in Combine)
            else:
                raise AssertionError(f"a trace line named by {source[1]!r}: teach emitted_pairs() its names")
    return pairs


def test_the_evaluator_emits_exactly_the_explained_pairs() -> None:
    assert emitted_pairs() == {
        ("in_force", "valid"),
        ("converted", "not_converted"),
        *(("requirement", n) for n in ("type", "code", "issuer", "min_level", "min_result", "max_age_months")),
        *(("requirement", n) for n in ("not_expired", "min_hours", "min_credits")),
        ("choice", "any_of"),
        ("choice", "all_of"),
        ("choice", "at_least"),
        ("grant", "fixed"),
        ("grant", "ratio"),
        *(("cap", n) for n in ("programme_total", "per_academic_year", "per_term", "per_source_institution", "cut")),
    }
    assert emitted_pairs() == EXPLAINED


# The rule of the first scenario states every condition and every cap.
EVERYTHING = {
    "types": ["vocational_certificate"],
    "codes": ["CET4"],
    "issuers": ["demo-open-univ"],
    "min_level": 4,
    "min_result": {"scheme": "five_level", "value": "良"},
    "max_age_months": 36,
    "min_hours": "32",
    "min_credits": "2",
}
ALL_CAPS = {"programme_total": "30", "per_academic_year": "10", "per_term": "6", "per_source_institution": "20"}


def scenario_traces() -> set[Check]:
    """The checks of a few real evaluations: each example below must be one of them."""
    full = rule(
        EVERYTHING,
        grants={"mode": "fixed", "credits": "4"},
        caps=ALL_CAPS,
        valid_from="2026-09-01",
        valid_to="2027-08-31",
    )
    failing = outcome(
        12, "mooc", code="CET6", issuer="north-poly", level=3, result=("pass_fail", "pass"), hours="31.99",
        credits="1.5", achieved_on=date(2023, 9, 15), expires_on=date(2026, 10, 14),
    )  # fmt: skip
    missing = outcome(
        13, "vocational_certificate", code="CET4", credits="2.5", achieved_on=date(2026, 9, 10), expires_on=AS_OF
    )
    meeting = outcome(
        14, "vocational_certificate", code="CET4", level=4, result=("percentage", "85"), hours="40", credits="3",
        achieved_on=date(2025, 6, 20),
    )  # fmt: skip
    converted = outcome(7, "vocational_certificate", code="CET4")
    offered = [failing, missing, meeting, converted]
    decisions = [
        evaluate(full, offered, [prior(7, credits="5")], as_of=AS_OF),
        evaluate(full, [failing], as_of=AS_OF),
        evaluate(full, offered, [prior(7, credits="30")], as_of=AS_OF),
        evaluate(full, offered, [prior(7, credits="5")], as_of=date(2027, 3, 1)),
        evaluate(full, offered, as_of=date(2027, 9, 1)),
        evaluate(
            ratio_with_caps(),
            [
                outcome(21, issuer="north-poly", result=("percentage", "70")),
                outcome(22, "mooc", hours="20", credits="3"),
            ],
            [prior(9, credits="29.6")],
            as_of=AS_OF,
        ),
        evaluate(two_of_three(), [outcome(31, level=6, credits="2")], as_of=AS_OF),
    ]
    return {check for decision in decisions for check in decision.trace}


def req(name: str, passed: bool, expected: str, actual: str, outcome_id: int) -> Check:
    return Check("requirement", name, passed, expected, actual, outcome_id, 0)


GOOD = "良 (five_level)"
EXPLANATIONS = [
    (
        Check("in_force", "valid", True, "2026-09-01..2027-08-31", "2026-10-15"),
        "规则有效期 2026-09-01 至 2027-08-31，申请日 2026-10-15 ✓",
        "Rule in force from 2026-09-01 to 2027-08-31; applied on 2026-10-15 ✓",
    ),
    (
        Check("in_force", "valid", False, "2026-09-01..2027-08-31", "2027-09-01"),
        "规则有效期 2026-09-01 至 2027-08-31，申请日 2027-09-01 ✗",
        "Rule in force from 2026-09-01 to 2027-08-31; applied on 2027-09-01 ✗",
    ),
    (
        Check("in_force", "valid", True, "2026-09-01..", "2026-10-15"),
        "规则自 2026-09-01 起有效，未设截止日期；申请日 2026-10-15 ✓",
        "Rule in force from 2026-09-01 with no end date; applied on 2026-10-15 ✓",
    ),
    (
        Check("converted", "not_converted", False, "", "converted", 7),
        "成果 #7：已用于学分转换，不能再次使用 ✗",
        "Outcome #7: already converted, cannot be used again ✗",
    ),
    (
        req("type", True, "vocational_certificate", "vocational_certificate", 14),
        "成果 #14：类型 职业资格证书，要求 职业资格证书 ✓",
        "Outcome #14: type vocational certificate, vocational certificate required ✓",
    ),
    (
        req("type", False, "vocational_certificate", "mooc", 12),
        "成果 #12：类型 在线课程（慕课），要求 职业资格证书 ✗",
        "Outcome #12: type online course (MOOC), vocational certificate required ✗",
    ),
    (
        Check("requirement", "type", False, "academic_credit", "mooc", 22, 0),
        "成果 #22：类型 在线课程（慕课），要求 学历教育课程学分 ✗",
        "Outcome #22: type online course (MOOC), academic credit required ✗",
    ),
    (
        req("code", True, "CET4", "CET4", 14),
        "成果 #14：代码 CET4，要求 CET4 ✓",
        "Outcome #14: code CET4, CET4 required ✓",
    ),
    (
        req("code", False, "CET4", "CET6", 12),
        "成果 #12：代码 CET6，要求 CET4 ✗",
        "Outcome #12: code CET6, CET4 required ✗",
    ),
    (
        Check("requirement", "code", True, "MATH1 MATH2", "MATH1", 31, 0),
        "成果 #31：代码 MATH1，要求 MATH1 或 MATH2 ✓",
        "Outcome #31: code MATH1, MATH1 or MATH2 required ✓",
    ),
    (
        req("issuer", False, "demo-open-univ", "north-poly", 12),
        "成果 #12：来自 north-poly，要求来自 demo-open-univ ✗",
        "Outcome #12: from north-poly, from demo-open-univ required ✗",
    ),
    (
        req("min_level", False, "4", "3", 12),
        "成果 #12：等级 3，要求不低于 4 ✗",
        "Outcome #12: level 3, at least 4 required ✗",
    ),
    (
        req("min_level", True, "4", "4", 14),
        "成果 #14：等级 4，要求不低于 4 ✓",
        "Outcome #14: level 4, at least 4 required ✓",
    ),
    (
        req("min_level", False, "4", "", 13),
        "成果 #13：无等级，要求不低于 4 ✗",
        "Outcome #13: no level, at least 4 required ✗",
    ),
    (
        req("min_result", True, GOOD, "85.00 (percentage)", 14),
        "成果 #14：成绩 85.00（百分制），要求不低于 良（五级制） ✓",
        "Outcome #14: result 85.00 (percentage), at least 良 (five-level) required ✓",
    ),
    (
        req("min_result", False, GOOD, "pass (pass_fail)", 12),
        "成果 #12：成绩 合格，要求不低于 良（五级制） ✗",
        "Outcome #12: result pass, at least 良 (five-level) required ✗",
    ),
    (
        req("min_result", False, GOOD, "", 13),
        "成果 #13：无成绩，要求不低于 良（五级制） ✗",
        "Outcome #13: no result, at least 良 (five-level) required ✗",
    ),
    (
        Check("requirement", "min_result", False, "3.00 (gpa4)", "", 31, 2),
        "成果 #31：无成绩，要求不低于 绩点 3.00 ✗",
        "Outcome #31: no result, at least GPA 3.00 required ✗",
    ),
    (
        req("max_age_months", True, "36", "15", 14),
        "成果 #14：已取得 15 个月，要求不超过 36 个月 ✓",
        "Outcome #14: achieved 15 months ago, at most 36 months allowed ✓",
    ),
    (
        req("max_age_months", True, "36", "1", 13),
        "成果 #13：已取得 1 个月，要求不超过 36 个月 ✓",
        "Outcome #13: achieved 1 month ago, at most 36 months allowed ✓",
    ),
    (
        req("max_age_months", False, "36", "37", 12),
        "成果 #12：已取得 37 个月，要求不超过 36 个月 ✗",
        "Outcome #12: achieved 37 months ago, at most 36 months allowed ✗",
    ),
    (req("not_expired", True, "2026-10-15", "", 14), "成果 #14：长期有效 ✓", "Outcome #14: does not expire ✓"),
    (
        req("not_expired", True, "2026-10-15", "2026-10-15", 13),
        "成果 #13：有效期至 2026-10-15，要求在 2026-10-15 仍有效 ✓",
        "Outcome #13: valid until 2026-10-15, must still be valid on 2026-10-15 ✓",
    ),
    (
        req("not_expired", False, "2026-10-15", "2026-10-14", 12),
        "成果 #12：有效期至 2026-10-14，要求在 2026-10-15 仍有效 ✗",
        "Outcome #12: valid until 2026-10-14, must still be valid on 2026-10-15 ✗",
    ),
    (
        req("min_hours", True, "32.00", "40.00", 14),
        "成果 #14：40.00 学时，要求不少于 32.00 学时 ✓",
        "Outcome #14: 40.00 hours, at least 32.00 hours required ✓",
    ),
    (
        req("min_hours", False, "32.00", "31.99", 12),
        "成果 #12：31.99 学时，要求不少于 32.00 学时 ✗",
        "Outcome #12: 31.99 hours, at least 32.00 hours required ✗",
    ),
    (
        req("min_hours", False, "32.00", "", 13),
        "成果 #13：无学时记录，要求不少于 32.00 学时 ✗",
        "Outcome #13: no hours recorded, at least 32.00 hours required ✗",
    ),
    (
        req("min_credits", True, "2.00", "3.00", 14),
        "成果 #14：3.00 学分，要求不少于 2.00 学分 ✓",
        "Outcome #14: 3.00 credits, at least 2.00 credits required ✓",
    ),
    (
        req("min_credits", False, "2.00", "1.50", 12),
        "成果 #12：1.50 学分，要求不少于 2.00 学分 ✗",
        "Outcome #12: 1.50 credits, at least 2.00 credits required ✗",
    ),
    (
        Check("choice", "any_of", True, "1", "1"),
        "有成果满足其中一项要求 ✓",
        "An outcome meets one of the requirements ✓",
    ),
    (
        Check("choice", "any_of", False, "1", "0"),
        "没有成果满足任何一项要求 ✗",
        "No outcome meets any of the requirements ✗",
    ),
    (
        Check("choice", "all_of", True, "2", "2"),
        "由不同成果满足的要求：2 项，共需 2 项 ✓",
        "Requirements met by different outcomes: 2 of 2 ✓",
    ),
    (
        Check("choice", "at_least", False, "2", "1"),
        "由不同成果满足的要求：1 项，至少需要 2 项 ✗",
        "Requirements met by different outcomes: 1, at least 2 needed ✗",
    ),
    (Check("grant", "fixed", True, "4.00", "4.00"), "固定授予 4.00 学分 ✓", "Grants a fixed 4.00 credits ✓"),
    (
        Check("grant", "ratio", True, "7.00 × 0.5 ↓ 0.50", "3.50"),
        "7.00 学分的 50%，按 0.50 的整数倍向下取整：3.50 学分 ✓",
        "50% of 7.00 credits, rounded down to a multiple of 0.50: 3.50 credits ✓",
    ),
    (
        Check("cap", "programme_total", True, "30.00", "5.00 used"),
        "本专业累计最多 30.00 学分：已用 5.00 学分 ✓",
        "Programme total of at most 30.00 credits: 5.00 used ✓",
    ),
    (
        Check("cap", "programme_total", False, "30.00", "30.00 used"),
        "本专业累计最多 30.00 学分：已用 30.00 学分 ✗",
        "Programme total of at most 30.00 credits: 30.00 used ✗",
    ),
    (
        Check("cap", "per_academic_year", True, "10.00", "5.00 used (2026)"),
        "每学年最多 10.00 学分：2026–2027 学年已用 5.00 学分 ✓",
        "At most 10.00 credits per academic year: 5.00 used in academic year 2026–2027 ✓",
    ),
    (
        Check("cap", "per_term", True, "6.00", "5.00 used (2026-autumn)"),
        "每学期最多 6.00 学分：2026–2027 学年秋季学期已用 5.00 学分 ✓",
        "At most 6.00 credits per term: 5.00 used in the autumn term of academic year 2026–2027 ✓",
    ),
    (
        Check("cap", "per_term", True, "6.00", "0.00 used (2026-spring)"),
        "每学期最多 6.00 学分：2026–2027 学年春季学期已用 0.00 学分 ✓",
        "At most 6.00 credits per term: 0.00 used in the spring term of academic year 2026–2027 ✓",
    ),
    (
        Check("cap", "per_source_institution", True, "20.00", "5.00 used (demo-open-univ)"),
        "来自同一机构的成果最多 20.00 学分：demo-open-univ 的成果已用 5.00 学分 ✓",
        "At most 20.00 credits from any one institution: 5.00 used from demo-open-univ ✓",
    ),
    (
        Check("cap", "cut", True, "4.00", "1.00"),
        "受上限限制，由 4.00 学分减为 1.00 学分 ✓",
        "Cut by the cap from 4.00 to 1.00 credits ✓",
    ),
    (
        Check("cap", "cut", False, "3.50", "0.00"),
        "受上限限制，由 3.50 学分减为 0.00 学分 ✗",
        "Cut by the cap from 3.50 to 0.00 credits ✗",
    ),
]


def test_the_examples_cover_every_pair_and_are_real_trace_lines() -> None:
    assert {(c.step, c.name) for c, _, _ in EXPLANATIONS} == emitted_pairs()
    real = scenario_traces()
    assert [c for c, _, _ in EXPLANATIONS if c not in real] == []


@pytest.mark.parametrize(("check", "zh", "en"), EXPLANATIONS)
def test_explain_check(check: Check, zh: str, en: str) -> None:
    assert in_language("zh-hans", explain_check, check) == zh
    assert in_language("en", explain_check, check) == en


def test_explain_check_shows_names() -> None:
    issuer = req("issuer", False, "demo-open-univ", "north-poly", 12)
    assert in_language("zh-hans", explain_check, issuer, names=NAMES) == (
        "成果 #12：来自 北方职业技术学院（north-poly），要求来自 示范开放大学（demo-open-univ） ✗"
    )
    assert in_language("en", explain_check, issuer, names=NAMES) == (
        "Outcome #12: from 北方职业技术学院 (north-poly), from 示范开放大学 (demo-open-univ) required ✗"
    )
    cap = Check("cap", "per_source_institution", True, "20.00", "5.00 used (demo-open-univ)")
    assert in_language("zh-hans", explain_check, cap, names=NAMES) == (
        "来自同一机构的成果最多 20.00 学分：示范开放大学（demo-open-univ）的成果已用 5.00 学分 ✓"
    )


def test_every_line_of_real_traces_has_words() -> None:
    for check in scenario_traces():
        for language in ("zh-hans", "en"):
            line = in_language(language, explain_check, check)
            assert isinstance(line, str)
            assert not line.startswith(f"{check.step} {check.name}:"), line


def test_an_unknown_line_is_still_shown() -> None:
    assert explain_check(Check("audit", "signed", True, "a", "b")) == "audit signed: a b ✓"


# --- refusals ------------------------------------------------------------------------------

REFUSALS = {
    "criteria_not_met": (
        "所选成果不符合本规则的条件。下方的检查列出了每项成果未满足的条件：请改选符合条件的成果，"
        "或先为所缺的成果申请认证，再重新申请。",
        "The outcomes you chose do not meet this rule's conditions. The checks below show which condition each one"
        " misses: choose other outcomes that meet them, or have a missing outcome certified first, then apply again.",
    ),
    "outcome_already_converted": (
        "能满足本规则的成果已转换过学分，每项成果只能转换一次。请选择尚未转换的成果。",
        "The outcomes that would meet this rule have already been converted, and an outcome converts only once."
        " Choose outcomes that have not been converted yet.",
    ),
    "cap_reached": (
        "您按本规则获得的学分已达上限（专业累计、每学年、每学期或同一机构的上限）。"
        "请在新学年或新学期开始后再申请，或向院校咨询其他规则。",
        "You have already received the most credits this rule allows in this period (programme total, academic"
        " year, term or one institution). Apply again when a new academic year or term begins, or ask the"
        " institution about other rules.",
    ),
    "rule_not_in_force": (
        "本规则在您申请当日不在有效期内。请查找当前有效的规则版本，并按该版本申请。",
        "This rule is not in force on the day of your application. Look for the version of the rule in force today"
        " and apply under it.",
    ),
}


def test_every_refusal_is_explained() -> None:
    assert set(REFUSALS) == {r.value for r in Refusal}


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_explain_refusal(code: str) -> None:
    zh, en = REFUSALS[code]
    assert in_language("zh-hans", explain_refusal, code) == zh
    assert in_language("en", explain_refusal, code) == en


def test_a_code_that_is_not_a_refusal_is_an_error() -> None:
    with pytest.raises(ValueError, match="not_verified"):
        explain_refusal("not_verified")
