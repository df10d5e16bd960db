"""The evaluator on examples: each condition, the choice, reuse, grants, caps, validity, and the
exact bytes of one decision. Every expected trace line is written out."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from creditbank.rules.domain.evaluator import (
    Check,
    Decision,
    Refusal,
    Reuse,
    academic_year,
    evaluate,
    inputs_canonical,
    months_between,
    round_down,
    term,
)
from creditbank.rules.domain.grades import Grade, Scheme
from creditbank.rules.tests.domain.builders import AS_OF, outcome, prior, ratio, rule

IN_FORCE = Check("in_force", "valid", True, "2020-09-01..", "2026-10-15")


def req_check(name: str, passed: bool, expected: str, actual: str, outcome: int = 1, requirement: int = 0) -> Check:
    return Check("requirement", name, passed, expected, actual, outcome, requirement)


def lines(decision: Decision, step: str) -> list[Check]:
    return [c for c in decision.trace if c.step == step]


# --- each condition of a requirement -------------------------------------------------------

GOOD = {"scheme": "five_level", "value": "良"}


@pytest.mark.parametrize(
    ("requirement", "facts", "expected"),
    [
        ({"types": ["mooc", "vocational_certificate"]}, {"type": "mooc"}, ("type", True, "mooc vocational_certificate", "mooc")),
        ({"types": ["mooc"]}, {"type": "academic_credit"}, ("type", False, "mooc", "academic_credit")),
        ({"codes": ["CET6", "CET4"]}, {"code": "CET6"}, ("code", True, "CET4 CET6", "CET6")),
        ({"codes": ["CET4"]}, {"code": "CET6"}, ("code", False, "CET4", "CET6")),
        ({"issuers": ["demo-open-univ"]}, {}, ("issuer", True, "demo-open-univ", "demo-open-univ")),
        ({"issuers": ["north-poly"]}, {}, ("issuer", False, "north-poly", "demo-open-univ")),
        ({"min_level": 4}, {"level": 4}, ("min_level", True, "4", "4")),
        ({"min_level": 4}, {"level": 10}, ("min_level", True, "4", "10")),
        ({"min_level": 4}, {"level": 3}, ("min_level", False, "4", "3")),
        ({"min_level": 4}, {}, ("min_level", False, "4", "")),
        ({"min_result": GOOD}, {"result": ("percentage", "80")}, ("min_result", True, "良 (five_level)", "80.00 (percentage)")),
        ({"min_result": GOOD}, {"result": ("gpa4", "3")}, ("min_result", True, "良 (five_level)", "3.00 (gpa4)")),
        ({"min_result": GOOD}, {"result": ("gpa4", "2.99")}, ("min_result", False, "良 (five_level)", "2.99 (gpa4)")),
        ({"min_result": GOOD}, {"result": ("pass_fail", "pass")}, ("min_result", False, "良 (five_level)", "pass (pass_fail)")),
        ({"min_result": GOOD}, {}, ("min_result", False, "良 (five_level)", "")),
        ({"max_age_months": 36}, {"achieved_on": date(2023, 10, 15)}, ("max_age_months", True, "36", "36")),
        ({"max_age_months": 36}, {"achieved_on": date(2023, 9, 16)}, ("max_age_months", True, "36", "36")),
        ({"max_age_months": 36}, {"achieved_on": date(2023, 9, 15)}, ("max_age_months", False, "36", "37")),
        ({"max_age_months": 1}, {"achieved_on": date(2026, 12, 1)}, ("max_age_months", True, "1", "0")),
        ({"min_hours": "32"}, {"hours": "32"}, ("min_hours", True, "32.00", "32.00")),
        ({"min_hours": "32"}, {"hours": "31.99"}, ("min_hours", False, "32.00", "31.99")),
        ({"min_hours": "32"}, {}, ("min_hours", False, "32.00", "")),
        ({"min_credits": "2"}, {"credits": "2"}, ("min_credits", True, "2.00", "2.00")),
        ({"min_credits": "2"}, {"credits": "1.99"}, ("min_credits", False, "2.00", "1.99")),
    ],
)  # fmt: skip
def test_each_condition_passing_and_failing(
    requirement: dict[str, Any], facts: dict[str, Any], expected: tuple[str, bool, str, str]
) -> None:
    decision = evaluate(rule({**requirement, "not_expired": False}), [outcome(1, **facts)], as_of=AS_OF)
    assert lines(decision, "requirement") == [req_check(*expected)]
    assert decision.eligible is expected[1]
    assert decision.refusal is (None if expected[1] else Refusal.CRITERIA_NOT_MET)


@pytest.mark.parametrize(
    ("expires_on", "passed", "actual"),
    [
        (None, True, ""),
        (date(2026, 10, 16), True, "2026-10-16"),
        (date(2026, 10, 15), True, "2026-10-15"),  # valid through the day it expires on (outcomes' expiry)
        (date(2026, 10, 14), False, "2026-10-14"),
    ],
)
def test_not_expired(expires_on: date | None, passed: bool, actual: str) -> None:
    decision = evaluate(rule({"types": ["mooc"]}), [outcome(1, "mooc", expires_on=expires_on)], as_of=AS_OF)
    assert lines(decision, "requirement") == [
        req_check("type", True, "mooc", "mooc"),
        req_check("not_expired", passed, "2026-10-15", actual),
    ]
    assert decision.eligible is passed


def test_without_not_expired_an_expired_outcome_is_accepted_and_no_line_is_written() -> None:
    decision = evaluate(
        rule({"types": ["mooc"], "not_expired": False}), [outcome(1, "mooc", expires_on=date(2020, 1, 1))], as_of=AS_OF
    )
    assert lines(decision, "requirement") == [req_check("type", True, "mooc", "mooc")]
    assert decision.eligible is True


def test_every_condition_of_every_requirement_for_every_outcome_in_id_order() -> None:
    r = rule({"types": ["mooc"], "min_level": 3}, {"codes": ["CET4"], "not_expired": False})
    decision = evaluate(r, [outcome(9, "mooc", level=2), outcome(4, code="CET4")], as_of=AS_OF)
    assert decision.trace == (
        IN_FORCE,
        req_check("type", False, "mooc", "academic_credit", 4, 0),
        req_check("min_level", False, "3", "", 4, 0),
        req_check("not_expired", True, "2026-10-15", "", 4, 0),
        req_check("type", True, "mooc", "mooc", 9, 0),
        req_check("min_level", False, "3", "2", 9, 0),
        req_check("not_expired", True, "2026-10-15", "", 9, 0),
        req_check("code", True, "CET4", "CET4", 4, 1),
        req_check("code", False, "CET4", "MATH1", 9, 1),
        Check("choice", "any_of", True, "1", "1"),
        Check("grant", "fixed", True, "2.00", "2.00"),
    )
    assert (decision.eligible, decision.credits, decision.consumed) == (True, Decimal("2.00"), (4,))


# --- choice: any_of, all_of, at_least ------------------------------------------------------


def test_any_of_takes_the_outcome_with_most_credits_then_the_lower_id() -> None:
    r = rule({"types": ["mooc"]}, {"types": ["academic_credit"]})
    offered = [outcome(5, "mooc", credits="3"), outcome(2, credits="3"), outcome(7, credits="1")]
    decision = evaluate(r, offered, as_of=AS_OF)
    assert decision.consumed == (2,)
    assert lines(decision, "choice") == [Check("choice", "any_of", True, "1", "1")]
    offered.append(outcome(9, "mooc", credits="3.01"))
    assert evaluate(r, offered, as_of=AS_OF).consumed == (9,)


def test_any_of_with_nothing_meeting_is_refused() -> None:
    decision = evaluate(rule({"types": ["mooc"]}), [outcome(1)], as_of=AS_OF)
    assert lines(decision, "choice") == [Check("choice", "any_of", False, "1", "0")]
    assert (decision.eligible, decision.credits, decision.consumed, decision.refusal) == (
        False,
        Decimal("0.00"),
        (),
        Refusal.CRITERIA_NOT_MET,
    )
    assert lines(decision, "grant") == []


def test_all_of_needs_a_distinct_outcome_for_every_requirement() -> None:
    r = rule({"types": ["academic_credit"]}, {"codes": ["MATH1"]}, combine="all_of")
    decision = evaluate(r, [outcome(1, code="MATH1")], as_of=AS_OF)
    assert lines(decision, "choice") == [Check("choice", "all_of", False, "2", "1")]
    assert decision.refusal is Refusal.CRITERIA_NOT_MET
    decision = evaluate(r, [outcome(1, code="MATH1"), outcome(2, code="MATH1")], as_of=AS_OF)
    assert lines(decision, "choice") == [Check("choice", "all_of", True, "2", "2")]
    assert decision.consumed == (1, 2)


def test_all_of_where_greedy_matching_fails_but_augmenting_paths_succeed() -> None:
    # Requirement 0 accepts both outcomes and prefers #1 (more credits); requirement 1 accepts #1
    # only. Greedy would give #1 to requirement 0 and leave requirement 1 empty.
    r = rule(
        {"types": ["academic_credit", "mooc"], "not_expired": False},
        {"types": ["academic_credit"], "not_expired": False},
        combine="all_of",
        grants=ratio("1"),
    )
    decision = evaluate(r, [outcome(1, credits="5"), outcome(2, "mooc", credits="1")], as_of=AS_OF)
    assert lines(decision, "choice") == [Check("choice", "all_of", True, "2", "2")]
    assert (decision.eligible, decision.consumed, decision.credits) == (True, (1, 2), Decimal("6.00"))


def test_at_least_where_greedy_matching_fails_but_augmenting_paths_succeed() -> None:
    r = rule(
        {"types": ["academic_credit", "mooc"], "not_expired": False},
        {"types": ["academic_credit"], "not_expired": False},
        {"types": ["award"], "not_expired": False},
        combine="at_least",
        n=2,
        grants=ratio("1"),
    )
    decision = evaluate(r, [outcome(1, credits="5"), outcome(2, "mooc", credits="1")], as_of=AS_OF)
    assert lines(decision, "choice") == [Check("choice", "at_least", True, "2", "2")]
    assert (decision.eligible, decision.consumed, decision.credits) == (True, (1, 2), Decimal("6.00"))
    one = evaluate(r, [outcome(1, credits="5")], as_of=AS_OF)
    assert lines(one, "choice") == [Check("choice", "at_least", False, "2", "1")]
    assert one.refusal is Refusal.CRITERIA_NOT_MET


def test_at_least_stops_at_n_and_one_outcome_never_counts_twice() -> None:
    r = rule(
        {"types": ["academic_credit"], "not_expired": False},
        {"codes": ["MATH1"], "not_expired": False},
        {"min_credits": "1", "not_expired": False},
        combine="at_least",
        n=2,
        grants=ratio("1"),
    )
    decision = evaluate(r, [outcome(1, credits="4"), outcome(2, credits="3"), outcome(3, credits="2")], as_of=AS_OF)
    assert lines(decision, "choice") == [Check("choice", "at_least", True, "2", "2")]
    assert (decision.consumed, decision.credits) == ((1, 2), Decimal("7.00"))
    alone = evaluate(r, [outcome(1, credits="4")], as_of=AS_OF)  # meets all three requirements, counts once
    assert lines(alone, "choice") == [Check("choice", "at_least", False, "2", "1")]


# --- outcomes already converted ------------------------------------------------------------

CET4 = rule({"codes": ["CET4"], "not_expired": False})


def test_once_an_outcome_converted_anywhere_is_not_used_again() -> None:
    elsewhere = prior(1, programme="CS02")
    decision = evaluate(CET4, [outcome(1, code="CET4")], [elsewhere], as_of=AS_OF)
    assert decision.trace == (
        IN_FORCE,
        Check("converted", "not_converted", False, "", "converted", 1),
        Check("choice", "any_of", False, "1", "0"),
    )
    assert (decision.eligible, decision.refusal) == (False, Refusal.OUTCOME_ALREADY_CONVERTED)


def test_per_programme_another_programme_may_use_it() -> None:
    elsewhere = prior(1, programme="CS02")
    decision = evaluate(CET4, [outcome(1, code="CET4")], [elsewhere], as_of=AS_OF, reuse=Reuse.PER_PROGRAMME)
    assert lines(decision, "converted") == []
    assert (decision.eligible, decision.consumed) == (True, (1,))
    other_institution = prior(1, institution="north-poly")
    decision = evaluate(CET4, [outcome(1, code="CET4")], [other_institution], as_of=AS_OF, reuse=Reuse.PER_PROGRAMME)
    assert decision.eligible is True


def test_per_programme_the_same_programme_may_not() -> None:
    here = prior(1)
    decision = evaluate(CET4, [outcome(1, code="CET4")], [here], as_of=AS_OF, reuse=Reuse.PER_PROGRAMME)
    assert lines(decision, "converted") == [Check("converted", "not_converted", False, "", "converted", 1)]
    assert (decision.eligible, decision.refusal) == (False, Refusal.OUTCOME_ALREADY_CONVERTED)


def test_a_free_outcome_is_used_instead_of_a_converted_one() -> None:
    offered = [outcome(1, code="CET4", credits="9"), outcome(2, code="CET4", credits="1")]
    decision = evaluate(CET4, offered, [prior(1)], as_of=AS_OF)
    assert (decision.eligible, decision.consumed) == (True, (2,))
    assert lines(decision, "requirement") == [req_check("code", True, "CET4", "CET4", 2)]


def test_criteria_not_met_when_the_converted_outcomes_would_not_have_met_them_either() -> None:
    decision = evaluate(CET4, [outcome(1, code="CET6"), outcome(2, code="CET4")], [prior(1)], as_of=AS_OF)
    assert decision.eligible is True  # #2 is free
    decision = evaluate(CET4, [outcome(1, code="CET6"), outcome(2, code="CET6")], [prior(1)], as_of=AS_OF)
    assert decision.refusal is Refusal.CRITERIA_NOT_MET
    all_of = rule({"codes": ["CET4"]}, {"codes": ["CET6"]}, combine="all_of")
    decision = evaluate(all_of, [outcome(1, code="CET4"), outcome(2, code="MATH1")], [prior(1)], as_of=AS_OF)
    assert decision.refusal is Refusal.CRITERIA_NOT_MET  # nothing meets CET6, converted or not
    decision = evaluate(all_of, [outcome(1, code="CET4"), outcome(2, code="CET6")], [prior(1)], as_of=AS_OF)
    assert decision.refusal is Refusal.OUTCOME_ALREADY_CONVERTED


# --- grants --------------------------------------------------------------------------------


@pytest.mark.parametrize(("step", "credits"), [("0.01", "3.99"), ("0.10", "3.90"), ("0.50", "3.50"), ("1.00", "3.00")])
def test_ratio_rounds_down_to_its_step(step: str, credits: str) -> None:
    r = rule({"types": ["academic_credit"]}, grants=ratio("0.5", step))
    decision = evaluate(r, [outcome(1, credits="7.99")], as_of=AS_OF)
    assert lines(decision, "grant") == [Check("grant", "ratio", True, f"7.99 × 0.5 ↓ {step}", credits)]
    assert decision.credits == Decimal(credits)


def test_ratio_of_several_outcomes_and_four_places() -> None:
    r = rule({"types": ["academic_credit"]}, {"types": ["mooc"]}, combine="all_of", grants=ratio("0.3333", "0.10"))
    decision = evaluate(r, [outcome(1, credits="4"), outcome(2, "mooc", credits="2.5")], as_of=AS_OF)
    # 6.50 × 0.3333 = 2.16645 → 2.10
    assert lines(decision, "grant") == [Check("grant", "ratio", True, "6.50 × 0.3333 ↓ 0.10", "2.10")]
    assert decision.credits == Decimal("2.10")


def test_a_ratio_grant_of_zero_is_refused() -> None:
    r = rule({"types": ["academic_credit"]}, grants=ratio("0.5", "1.00"))
    decision = evaluate(r, [outcome(1, credits="1.5")], as_of=AS_OF)
    assert lines(decision, "grant") == [Check("grant", "ratio", False, "1.50 × 0.5 ↓ 1.00", "0.00")]
    assert (decision.eligible, decision.credits, decision.consumed, decision.refusal) == (
        False,
        Decimal("0.00"),
        (),
        Refusal.CRITERIA_NOT_MET,
    )


def test_grade_and_exempted_course_are_in_the_decision() -> None:
    grants = {
        "mode": "fixed",
        "credits": "2",
        "grade": {"scheme": "pass_fail", "value": "pass"},
        "exempts_course": True,
    }
    r = rule({"types": ["academic_credit"]}, grants=grants, course="ENG101")
    decision = evaluate(r, [outcome(1)], as_of=AS_OF)
    assert (decision.grade, decision.exempts_course) == (Grade(Scheme.PASS_FAIL, "pass"), "ENG101")
    grants["exempts_course"] = False
    decision = evaluate(rule({"types": ["academic_credit"]}, grants=grants, course="ENG101"), [outcome(1)], as_of=AS_OF)
    assert decision.exempts_course is None


def test_round_down() -> None:
    assert round_down(Decimal("3.995"), Decimal("0.01")) == Decimal("3.99")
    assert round_down(Decimal("3.995"), Decimal("0.50")) == Decimal("3.50")
    assert round_down(Decimal("4.00"), Decimal("1.00")) == Decimal("4.00")
    assert round_down(Decimal("0.99"), Decimal("1.00")) == Decimal("0.00")
    assert str(round_down(Decimal("3"), Decimal("0.10"))) == "3.00"


# --- caps ----------------------------------------------------------------------------------

FIXED_4 = {"mode": "fixed", "credits": "4"}


def capped(**caps: str) -> Any:
    return rule({"types": ["academic_credit"], "not_expired": False}, grants=FIXED_4, caps=caps)


def test_programme_total_cut_and_reached() -> None:
    r = capped(programme_total="10")
    decision = evaluate(r, [outcome(1)], [prior(7, credits="5"), prior(8, credits="2.5")], as_of=AS_OF)
    assert lines(decision, "cap") == [
        Check("cap", "programme_total", True, "10.00", "7.50 used"),
        Check("cap", "cut", True, "4.00", "2.50"),  # a fixed grant is cut to the cent
    ]
    assert (decision.eligible, decision.credits) == (True, Decimal("2.50"))
    reached = evaluate(r, [outcome(1)], [prior(7, credits="10")], as_of=AS_OF)
    assert lines(reached, "cap") == [Check("cap", "programme_total", False, "10.00", "10.00 used")]
    assert (reached.eligible, reached.credits, reached.consumed, reached.refusal) == (
        False,
        Decimal("0.00"),
        (),
        Refusal.CAP_REACHED,
    )


def test_only_the_target_programme_counts() -> None:
    r = capped(programme_total="10")
    others = [prior(7, credits="10", programme="CS02"), prior(8, credits="10", institution="north-poly")]
    decision = evaluate(r, [outcome(1)], others, as_of=AS_OF)
    assert lines(decision, "cap") == [Check("cap", "programme_total", True, "10.00", "0.00 used")]
    assert decision.credits == Decimal("4.00")


def test_room_exactly_the_grant_is_no_cut() -> None:
    decision = evaluate(capped(programme_total="10"), [outcome(1)], [prior(7, credits="6")], as_of=AS_OF)
    assert lines(decision, "cap") == [Check("cap", "programme_total", True, "10.00", "6.00 used")]
    assert decision.credits == Decimal("4.00")


@pytest.mark.parametrize(
    ("as_of", "decided_on", "counts", "scope"),
    [
        (date(2026, 8, 31), date(2025, 9, 1), True, "2025"),
        (date(2026, 8, 31), date(2025, 8, 31), False, "2025"),
        (date(2026, 9, 1), date(2026, 8, 31), False, "2026"),
        (date(2026, 9, 1), date(2026, 9, 1), True, "2026"),
        (date(2027, 8, 31), date(2026, 9, 1), True, "2026"),
    ],
)
def test_per_academic_year_boundaries(as_of: date, decided_on: date, counts: bool, scope: str) -> None:
    decision = evaluate(
        capped(per_academic_year="10"), [outcome(1)], [prior(7, credits="8", decided_on=decided_on)], as_of=as_of
    )
    used = "8.00" if counts else "0.00"
    assert lines(decision, "cap")[0] == Check("cap", "per_academic_year", True, "10.00", f"{used} used ({scope})")
    assert decision.credits == Decimal("2.00" if counts else "4.00")


def test_per_academic_year_reached() -> None:
    decision = evaluate(capped(per_academic_year="10"), [outcome(1)], [prior(7, credits="10")], as_of=AS_OF)
    assert lines(decision, "cap") == [Check("cap", "per_academic_year", False, "10.00", "10.00 used (2026)")]
    assert decision.refusal is Refusal.CAP_REACHED


@pytest.mark.parametrize(
    ("as_of", "decided_on", "counts", "scope"),
    [
        (date(2027, 1, 31), date(2026, 9, 1), True, "2026-autumn"),
        (date(2027, 1, 31), date(2026, 8, 31), False, "2026-autumn"),
        (date(2027, 2, 1), date(2027, 1, 31), False, "2026-spring"),
        (date(2027, 2, 1), date(2027, 2, 1), True, "2026-spring"),
        (date(2027, 8, 31), date(2027, 2, 1), True, "2026-spring"),
        (date(2027, 9, 1), date(2027, 8, 31), False, "2027-autumn"),
        (date(2027, 1, 1), date(2026, 12, 31), True, "2026-autumn"),
    ],
)
def test_per_term_boundaries(as_of: date, decided_on: date, counts: bool, scope: str) -> None:
    decision = evaluate(capped(per_term="5"), [outcome(1)], [prior(7, credits="3", decided_on=decided_on)], as_of=as_of)
    used = "3.00" if counts else "0.00"
    assert lines(decision, "cap")[0] == Check("cap", "per_term", True, "5.00", f"{used} used ({scope})")
    assert decision.credits == Decimal("2.00" if counts else "4.00")


def test_per_term_reached() -> None:
    decision = evaluate(capped(per_term="5"), [outcome(1)], [prior(7, credits="5.5")], as_of=AS_OF)
    assert lines(decision, "cap") == [Check("cap", "per_term", False, "5.00", "5.50 used (2026-autumn)")]
    assert decision.refusal is Refusal.CAP_REACHED


def test_per_source_institution_counts_every_issuer_a_conversion_consumed() -> None:
    r = rule(
        {"types": ["academic_credit"], "not_expired": False},
        {"types": ["mooc"], "not_expired": False},
        combine="all_of",
        grants=FIXED_4,
        caps={"per_source_institution": "6"},
    )
    offered = [outcome(1, issuer="north-poly"), outcome(2, "mooc", issuer="east-univ")]
    history = [
        prior(7, credits="3", issuers=("west-univ", "north-poly")),
        prior(8, credits="1", issuers=("north-poly",)),
        prior(9, credits="5", issuers=("west-univ",)),
        prior(10, credits="6", issuers=("east-univ",), programme="CS02"),
    ]
    decision = evaluate(r, offered, history, as_of=AS_OF)
    assert lines(decision, "cap") == [
        Check("cap", "per_source_institution", True, "6.00", "0.00 used (east-univ)"),
        Check("cap", "per_source_institution", True, "6.00", "4.00 used (north-poly)"),
        Check("cap", "cut", True, "4.00", "2.00"),
    ]
    assert decision.credits == Decimal("2.00")
    history.append(prior(11, credits="2", issuers=("north-poly",)))
    reached = evaluate(r, offered, history, as_of=AS_OF)
    assert lines(reached, "cap")[-1] == Check("cap", "per_source_institution", False, "6.00", "6.00 used (north-poly)")
    assert reached.refusal is Refusal.CAP_REACHED


def test_each_cap_in_turn_cuts_what_the_one_before_left() -> None:
    r = capped(programme_total="30", per_academic_year="10", per_term="9", per_source_institution="20")
    spring = date(2026, 3, 1)
    decision = evaluate(r, [outcome(1)], [prior(7, credits="3"), prior(8, credits="4", decided_on=spring)], as_of=AS_OF)
    assert lines(decision, "cap") == [
        Check("cap", "programme_total", True, "30.00", "7.00 used"),
        Check("cap", "per_academic_year", True, "10.00", "3.00 used (2026)"),
        Check("cap", "per_term", True, "9.00", "3.00 used (2026-autumn)"),
        Check("cap", "per_source_institution", True, "20.00", "7.00 used (demo-open-univ)"),
    ]
    assert decision.credits == Decimal("4.00")
    decision = evaluate(r, [outcome(1)], [prior(7, credits="7"), prior(8, credits="4", decided_on=spring)], as_of=AS_OF)
    assert lines(decision, "cap") == [
        Check("cap", "programme_total", True, "30.00", "11.00 used"),
        Check("cap", "per_academic_year", True, "10.00", "7.00 used (2026)"),
        Check("cap", "cut", True, "4.00", "3.00"),
        Check("cap", "per_term", True, "9.00", "7.00 used (2026-autumn)"),
        Check("cap", "cut", True, "3.00", "2.00"),
        Check("cap", "per_source_institution", True, "20.00", "11.00 used (demo-open-univ)"),
    ]
    assert decision.credits == Decimal("2.00")


def test_a_cut_rounds_down_to_the_ratio_step_and_may_leave_nothing() -> None:
    r = rule({"types": ["academic_credit"]}, grants=ratio("1", "0.50"), caps={"programme_total": "10"})
    decision = evaluate(r, [outcome(1, credits="4")], [prior(7, credits="8.7")], as_of=AS_OF)
    assert lines(decision, "cap") == [
        Check("cap", "programme_total", True, "10.00", "8.70 used"),
        Check("cap", "cut", True, "4.00", "1.00"),
    ]
    assert decision.credits == Decimal("1.00")
    decision = evaluate(r, [outcome(1, credits="4")], [prior(7, credits="9.6")], as_of=AS_OF)
    assert lines(decision, "cap") == [
        Check("cap", "programme_total", True, "10.00", "9.60 used"),
        Check("cap", "cut", False, "4.00", "0.00"),
    ]
    assert (decision.eligible, decision.credits, decision.refusal) == (False, Decimal("0.00"), Refusal.CAP_REACHED)


# --- validity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "in_force"),
    [(date(2026, 8, 31), False), (date(2026, 9, 1), True), (date(2027, 8, 31), True), (date(2027, 9, 1), False)],
)
def test_in_force_from_valid_from_to_valid_to_inclusive(as_of: date, in_force: bool) -> None:
    r = rule({"types": ["academic_credit"]}, valid_from="2026-09-01", valid_to="2027-08-31")
    decision = evaluate(r, [outcome(1)], as_of=as_of)
    assert decision.trace[0] == Check("in_force", "valid", in_force, "2026-09-01..2027-08-31", as_of.isoformat())
    if not in_force:
        assert decision.trace == (decision.trace[0],)
        assert (decision.eligible, decision.credits, decision.refusal) == (
            False,
            Decimal("0.00"),
            Refusal.RULE_NOT_IN_FORCE,
        )
    else:
        assert decision.eligible is True


def test_without_valid_to_the_window_is_open() -> None:
    r = rule({"types": ["academic_credit"]}, valid_from="2026-09-01")
    assert evaluate(r, [outcome(1)], as_of=date(2100, 1, 1)).trace[0] == Check(
        "in_force", "valid", True, "2026-09-01..", "2100-01-01"
    )


# --- calendar helpers ----------------------------------------------------------------------


def test_academic_years_and_terms() -> None:
    assert [academic_year(date(2026, m, d)) for m, d in [(8, 31), (9, 1), (12, 31), (1, 1)]] == [2025, 2026, 2026, 2025]
    assert term(date(2027, 1, 31)) == (2026, "autumn")
    assert term(date(2027, 2, 1)) == (2026, "spring")
    assert term(date(2027, 8, 31)) == (2026, "spring")
    assert term(date(2027, 9, 1)) == (2027, "autumn")


def test_months_between() -> None:
    assert months_between(date(2024, 1, 31), date(2024, 2, 29)) == 0
    assert months_between(date(2024, 1, 31), date(2024, 3, 31)) == 2
    assert months_between(date(2026, 10, 16), date(2026, 10, 15)) == 0
    assert months_between(date(2016, 10, 15), date(2026, 10, 15)) == 120


# --- the decision's bytes ------------------------------------------------------------------

DECISION_BYTES = (
    b'{"consumed":[12],"credits":"2.00","eligible":true,"exempts_course":"ENG101",'
    b'"grade":{"scheme":"pass_fail","value":"pass"},"refusal":null,"trace":['
    b'{"actual":"2026-10-15","expected":"2020-09-01..","name":"valid","outcome":null,"passed":true,'
    b'"requirement":null,"step":"in_force"},'
    b'{"actual":"converted","expected":"","name":"not_converted","outcome":7,"passed":false,"requirement":null,'
    b'"step":"converted"},'
    b'{"actual":"vocational_certificate","expected":"vocational_certificate","name":"type","outcome":12,'
    b'"passed":true,"requirement":0,"step":"requirement"},'
    b'{"actual":"CET4","expected":"CET4","name":"code","outcome":12,"passed":true,"requirement":0,'
    b'"step":"requirement"},'
    b'{"actual":"85.00 (percentage)","expected":"\xe8\x89\xaf (five_level)","name":"min_result","outcome":12,'
    b'"passed":true,"requirement":0,"step":"requirement"},'
    b'{"actual":"15","expected":"36","name":"max_age_months","outcome":12,"passed":true,"requirement":0,'
    b'"step":"requirement"},'
    b'{"actual":"","expected":"2026-10-15","name":"not_expired","outcome":12,"passed":true,"requirement":0,'
    b'"step":"requirement"},'
    b'{"actual":"1","expected":"1","name":"any_of","outcome":null,"passed":true,"requirement":null,"step":"choice"},'
    b'{"actual":"2.00","expected":"2.00","name":"fixed","outcome":null,"passed":true,"requirement":null,'
    b'"step":"grant"},'
    b'{"actual":"6.00 used (2026)","expected":"10.00","name":"per_academic_year","outcome":null,"passed":true,'
    b'"requirement":null,"step":"cap"}],"v":1}'
)


def test_the_decision_canonical_bytes() -> None:
    r = rule(
        {"types": ["vocational_certificate"], "codes": ["CET4"], "min_result": GOOD, "max_age_months": 36},
        grants={
            "mode": "fixed",
            "credits": "2",
            "grade": {"scheme": "pass_fail", "value": "pass"},
            "exempts_course": True,
        },
        caps={"per_academic_year": "10"},
        course="ENG101",
        requires_review=True,
    )
    certificate = outcome(
        12, "vocational_certificate", code="CET4", result=("percentage", "85"), achieved_on=date(2025, 6, 20)
    )
    decision = evaluate(r, [certificate, outcome(7)], [prior(7, credits="6")], as_of=AS_OF)
    assert decision.canonical() == DECISION_BYTES
    assert decision.sha256() == hashlib.sha256(DECISION_BYTES).hexdigest()
    assert decision.sha256() == "7232bb946a7d8d448d3870c182318d1405886e2c1457f393b34d386af7c326e4"


def test_inputs_canonical_ignores_order() -> None:
    r = capped(programme_total="10")
    one = inputs_canonical(r, [outcome(2), outcome(1)], [prior(3, 4), prior(5)], AS_OF, Reuse.ONCE)
    two = inputs_canonical(r, [outcome(1), outcome(2)], [prior(5), prior(4, 3)], AS_OF, Reuse.ONCE)
    assert one == two
    assert inputs_canonical(r, [outcome(1), outcome(2)], [prior(5), prior(4, 3)], AS_OF, Reuse.PER_PROGRAMME) != one
    assert one.startswith(b'{"as_of":"2026-10-15","outcomes":[{"achieved_on":"2026-01-15","code":"MATH1",')
