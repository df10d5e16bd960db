"""Properties of the evaluator over random valid rules, outcome sets and prior conversions."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.rules.domain.evaluator import (
    Decision,
    OutcomeFacts,
    PriorConversion,
    Refusal,
    Reuse,
    academic_year,
    evaluate,
    requirement_checks,
    term,
)
from creditbank.rules.domain.grades import grade
from creditbank.rules.domain.rule import Combine, GrantMode, Requirement, RuleVersion, parse_rule

TYPES = ["academic_credit", "vocational_certificate", "mooc"]
CODES = ["CET4", "CET6", "MATH1"]
ISSUERS = ["demo-open-univ", "north-poly", "east-univ"]
TARGET = ("demo-open-univ", "SE01")
PROGRAMMES = [TARGET, TARGET, ("demo-open-univ", "CS02"), ("north-poly", "SE01")]
CAPS = ("programme_total", "per_academic_year", "per_term", "per_source_institution")

# Strategies are built once: building them inside a draw costs more than the draw itself.


def amounts(low: str, high: str) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=2)


GRADES = st.one_of(
    amounts("0", "100").map(lambda d: {"scheme": "percentage", "value": f"{d}"}),
    amounts("0", "4").map(lambda d: {"scheme": "gpa4", "value": f"{d}"}),
    st.sampled_from(["优", "良", "中", "及格", "不及格"]).map(lambda v: {"scheme": "five_level", "value": v}),
    st.sampled_from(["pass", "fail"]).map(lambda v: {"scheme": "pass_fail", "value": v}),
)
CONDITIONS: dict[str, st.SearchStrategy[Any]] = {
    "types": st.lists(st.sampled_from(TYPES), min_size=1, max_size=2),
    "codes": st.lists(st.sampled_from(CODES), min_size=1, max_size=2),
    "issuers": st.lists(st.sampled_from(ISSUERS), min_size=1, max_size=2),
    "min_level": st.integers(1, 10),
    "min_result": GRADES,
    "max_age_months": st.integers(1, 48),
    "min_hours": amounts("1", "80").map(str),
    "min_credits": amounts("0.01", "6").map(str),
}
CONDITION_NAMES = st.lists(st.sampled_from(sorted(CONDITIONS)), min_size=1, max_size=3, unique=True)
FIXED = amounts("0.01", "12").map(lambda d: {"mode": "fixed", "credits": str(d)})
RATIO = st.builds(
    lambda ratio, step: {"mode": "ratio", "ratio": ratio, "step": step},
    st.sampled_from(["1", "0.5", "0.75", "0.3333", "0.1", "0.0001"]),
    st.sampled_from(["0.01", "0.10", "0.50", "1.00"]),
)
CAP_AMOUNTS = st.fixed_dictionaries({}, optional={name: amounts("0.01", "25").map(str) for name in CAPS})
STARTS = st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 3, 1))
LENGTHS = st.none() | st.integers(0, 1200)
AS_OF = st.dates(min_value=date(2026, 7, 1), max_value=date(2027, 10, 31))
OUTCOME_IDS = st.lists(st.integers(1, 12), min_size=1, max_size=7, unique=True)
ACHIEVED = st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 10, 31))
EXPIRES = st.none() | st.dates(min_value=date(2026, 6, 1), max_value=date(2028, 1, 1))
CREDITS = amounts("0.01", "10")
HOURS = st.none() | amounts("1", "100")
LEVELS = st.none() | st.integers(1, 10)
RESULTS = st.none() | GRADES
EXTRA = amounts("0", "4")
DAYS_LEFT = st.none() | st.integers(0, 400)


@st.composite
def requirement_data(draw: st.DrawFn) -> dict[str, Any]:
    """One to three conditions (so that outcomes often meet them), and not_expired or not."""
    data = {name: draw(CONDITIONS[name]) for name in draw(CONDITION_NAMES)}
    data["not_expired"] = draw(st.booleans())
    return data


REQUIREMENTS = st.lists(requirement_data(), min_size=1, max_size=4)


@st.composite
def rules(draw: st.DrawFn) -> RuleVersion:
    requirements = draw(REQUIREMENTS)
    combine = draw(st.sampled_from(["any_of", "all_of", "at_least"]))
    criteria: dict[str, Any] = {"combine": combine, "requirements": requirements}
    if combine == "at_least":
        criteria["n"] = draw(st.integers(1, len(requirements)))
    # mostly in force on the days drawn (AS_OF), sometimes not yet or no longer
    start = draw(STARTS)
    length = draw(LENGTHS)
    end = start + timedelta(days=1200 - length) if length is not None else None
    data = {
        "target": {"institution": TARGET[0], "programme": TARGET[1]},
        "criteria": criteria,
        "grants": draw(FIXED | RATIO),
        "caps": draw(CAP_AMOUNTS),
        "valid_from": start.isoformat(),
        "valid_to": end.isoformat() if end else None,
    }
    return parse_rule(data, code="R1", version=1)


@st.composite
def outcome_sets(draw: st.DrawFn, rule: RuleVersion, as_of: date) -> list[OutcomeFacts]:
    """One to seven outcomes with ids from 1 to 12; most are made to meet one of the rule's
    requirements, so that choices, grants and caps are reached, and some of those are then
    spoilt in one field."""
    found = []
    for id_ in draw(OUTCOME_IDS):
        result = draw(RESULTS)
        facts = OutcomeFacts(
            id=id_,
            type=draw(st.sampled_from(TYPES)),
            code=draw(st.sampled_from(CODES)),
            issuer=draw(st.sampled_from(ISSUERS)),
            achieved_on=draw(ACHIEVED),
            credits=draw(CREDITS),
            expires_on=draw(EXPIRES),
            hours=draw(HOURS),
            level=draw(LEVELS),
            result=grade(result) if result else None,
        )
        if draw(st.integers(0, 3)):
            facts = fitted(draw, facts, draw(st.sampled_from(rule.criteria.requirements)), as_of)
        found.append(facts)
    return found


def fitted(draw: st.DrawFn, facts: OutcomeFacts, req: Requirement, as_of: date) -> OutcomeFacts:
    changes: dict[str, Any] = {}
    if req.types:
        changes["type"] = draw(st.sampled_from(req.types))
    if req.codes:
        changes["code"] = draw(st.sampled_from(req.codes))
    if req.issuers:
        changes["issuer"] = draw(st.sampled_from(req.issuers))
    if req.min_level is not None:
        changes["level"] = draw(st.integers(req.min_level, 10))
    if req.min_result is not None:
        changes["result"] = req.min_result
    if req.max_age_months is not None:
        changes["achieved_on"] = as_of - timedelta(days=draw(st.integers(0, req.max_age_months * 28)))
    if req.not_expired:
        days = draw(DAYS_LEFT)
        changes["expires_on"] = as_of + timedelta(days=days) if days is not None else None
    if req.min_hours is not None:
        changes["hours"] = req.min_hours + draw(EXTRA)
    if req.min_credits is not None:
        changes["credits"] = req.min_credits + draw(EXTRA)
    if changes and draw(st.integers(0, 5)) == 0:
        del changes[draw(st.sampled_from(sorted(changes)))]
    return replace(facts, **changes)


PRIOR_CREDITS = amounts("0.01", "20")
DECIDED = st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 10, 31))
PRIOR_IDS = st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True)
PRIOR_ISSUERS = st.lists(st.sampled_from(ISSUERS), min_size=1, max_size=2, unique=True)


@st.composite
def prior_sets(draw: st.DrawFn) -> list[PriorConversion]:
    found = []
    for _ in range(draw(st.integers(0, 4))):
        institution, programme = draw(st.sampled_from(PROGRAMMES))
        found.append(
            PriorConversion(
                institution=institution,
                programme=programme,
                credits=draw(PRIOR_CREDITS),
                decided_on=draw(DECIDED),
                outcome_ids=tuple(draw(PRIOR_IDS)),
                issuers=tuple(draw(PRIOR_ISSUERS)),
            )
        )
    return found


class Case(NamedTuple):
    rule: RuleVersion
    outcomes: list[OutcomeFacts]
    prior: list[PriorConversion]
    as_of: date
    reuse: Reuse

    def decide(self) -> Decision:
        return evaluate(self.rule, self.outcomes, self.prior, as_of=self.as_of, reuse=self.reuse)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    rule = draw(rules())
    as_of = draw(AS_OF)
    return Case(rule, draw(outcome_sets(rule, as_of)), draw(prior_sets()), as_of, draw(st.sampled_from(list(Reuse))))


def meets(req: Requirement, outcome: OutcomeFacts, index: int, as_of: date) -> bool:
    return all(c.passed for c in requirement_checks(req, outcome, index, as_of))


def assignment_exists(rule: RuleVersion, outcomes: Sequence[OutcomeFacts], size: int, as_of: date) -> bool:
    """Whether ``size`` distinct outcomes meet ``size`` distinct requirements, by brute force."""
    reqs = rule.criteria.requirements
    for chosen_reqs in itertools.combinations(range(len(reqs)), size):
        for chosen in itertools.permutations(outcomes, size):
            if all(meets(reqs[r], o, r, as_of) for r, o in zip(chosen_reqs, chosen, strict=True)):
                return True
    return False


def free_outcomes(
    rule: RuleVersion, outcomes: Sequence[OutcomeFacts], prior: Sequence[PriorConversion], reuse: Reuse
) -> list[OutcomeFacts]:
    target = (rule.target.institution, rule.target.programme)
    used = {i for p in prior if reuse is Reuse.ONCE or (p.institution, p.programme) == target for i in p.outcome_ids}
    return [o for o in outcomes if o.id not in used]


def in_target(prior: Sequence[PriorConversion]) -> list[PriorConversion]:
    return [p for p in prior if (p.institution, p.programme) == TARGET]


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(cases())
def test_caps_are_never_exceeded(case: Case) -> None:
    decision = case.decide()
    if not decision.eligible:
        return
    caps, mine, as_of = case.rule.caps, in_target(case.prior), case.as_of
    consumed = [o for o in case.outcomes if o.id in decision.consumed]
    scopes: list[tuple[Decimal | None, list[PriorConversion]]] = [
        (caps.programme_total, mine),
        (caps.per_academic_year, [p for p in mine if academic_year(p.decided_on) == academic_year(as_of)]),
        (caps.per_term, [p for p in mine if term(p.decided_on) == term(as_of)]),
    ]
    scopes += [(caps.per_source_institution, [p for p in mine if o.issuer in p.issuers]) for o in consumed]
    for cap, counted in scopes:
        if cap is not None:
            assert decision.credits + sum(p.credits for p in counted) <= cap


@PROPERTY
@given(cases())
def test_every_consumed_outcome_meets_the_requirement_it_is_matched_to(case: Case) -> None:
    decision = case.decide()
    consumed = [o for o in case.outcomes if o.id in decision.consumed]
    assert len(consumed) == len(decision.consumed)
    if not decision.eligible:
        assert consumed == []
        return
    reqs = case.rule.criteria.requirements
    assert len(consumed) == case.rule.criteria.needed
    # an assignment of the consumed outcomes, one each, to distinct requirements passes every check
    # that requirement_checks writes for it
    assert any(
        all(meets(reqs[r], o, r, case.as_of) for r, o in zip(chosen_reqs, consumed, strict=True))
        for chosen_reqs in itertools.permutations(range(len(reqs)), len(consumed))
    )


@PROPERTY
@given(cases())
def test_a_choice_is_found_whenever_one_exists(case: Case) -> None:
    rule, as_of = case.rule, case.as_of
    decision = case.decide()
    if decision.refusal is Refusal.RULE_NOT_IN_FORCE:
        assert not rule.in_force(as_of)
        return
    needed = rule.criteria.needed
    free = free_outcomes(rule, case.outcomes, case.prior, case.reuse)
    met = assignment_exists(rule, free, needed, as_of)
    assert [c.passed for c in decision.trace if c.step == "choice"] == [met]
    if not met:
        converted_would = len(free) < len(case.outcomes) and assignment_exists(rule, case.outcomes, needed, as_of)
        assert decision.refusal is (Refusal.OUTCOME_ALREADY_CONVERTED if converted_would else Refusal.CRITERIA_NOT_MET)


@PROPERTY
@given(cases(), st.data())
def test_the_order_of_outcomes_and_prior_conversions_does_not_matter(case: Case, data: st.DataObject) -> None:
    shuffled_outcomes = data.draw(st.permutations(case.outcomes))
    shuffled_prior = [
        replace(p, outcome_ids=tuple(reversed(p.outcome_ids)), issuers=tuple(reversed(p.issuers)))
        for p in data.draw(st.permutations(case.prior))
    ]
    two = evaluate(case.rule, shuffled_outcomes, shuffled_prior, as_of=case.as_of, reuse=case.reuse)
    assert two.canonical() == case.decide().canonical()


@PROPERTY
@given(cases())
def test_ratio_grants_never_exceed_the_ratio_of_the_consumed_credits(case: Case) -> None:
    grants = case.rule.grants
    decision = case.decide()
    if grants.mode is not GrantMode.RATIO or not decision.eligible:
        return
    assert grants.ratio is not None
    exact = sum(o.credits for o in case.outcomes if o.id in decision.consumed) * grants.ratio
    assert decision.credits <= exact
    assert decision.credits % grants.step == 0
    assert decision.credits == decision.credits.quantize(Decimal("0.01"))
    if not any(c.step == "cap" and c.name == "cut" for c in decision.trace):
        # rounded down to the step, by less than one step
        assert decision.credits == (exact / grants.step).to_integral_value(rounding=ROUND_DOWN) * grants.step
        assert exact - decision.credits < grants.step


@PROPERTY
@given(cases())
def test_the_same_inputs_give_the_same_bytes(case: Case) -> None:
    one, two = case.decide(), case.decide()
    assert one.canonical() == two.canonical()
    assert one.sha256() == two.sha256()


@PROPERTY
@given(cases())
def test_a_consumed_outcome_was_never_converted_where_reuse_forbids_it(case: Case) -> None:
    decision = case.decide()
    scope = case.prior if case.reuse is Reuse.ONCE else in_target(case.prior)
    assert not set(decision.consumed) & {i for p in scope for i in p.outcome_ids}
    converted = [c.outcome for c in decision.trace if c.step == "converted"]
    if decision.refusal is not Refusal.RULE_NOT_IN_FORCE:
        offered = {o.id for o in case.outcomes}
        assert converted == sorted(offered & {i for p in scope for i in p.outcome_ids})


@PROPERTY
@given(cases())
def test_eligible_if_and_only_if_credits(case: Case) -> None:
    decision = case.decide()
    assert decision.eligible is (decision.credits > 0)
    assert decision.eligible is (decision.refusal is None)
    assert decision.eligible is all(
        c.passed for c in decision.trace if c.step in ("in_force", "choice", "grant", "cap")
    )
    if not decision.eligible:
        assert (decision.credits, decision.consumed, decision.grade, decision.exempts_course) == (0, (), None, None)
    grants = case.rule.grants
    if grants.mode is GrantMode.FIXED and decision.eligible:
        assert grants.credits is not None
        assert 0 < decision.credits <= grants.credits


def test_the_strategies_reach_every_kind_of_decision() -> None:
    """The properties above are only as good as their inputs: every refusal, a cut by a cap, and
    an eligible decision of every combination come up."""
    seen: set[tuple[str, str]] = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(cases())
    def collect(case: Case) -> None:
        decision = case.decide()
        seen.add((case.rule.criteria.combine.value, decision.refusal.value if decision.refusal else "eligible"))
        seen.update(("cap", "cut") for c in decision.trace if c.step == "cap" and c.name == "cut")

    collect()
    assert {refusal for _, refusal in seen} >= {"eligible", *(r.value for r in Refusal)}
    assert {combine for combine, refusal in seen if refusal == "eligible"} == {c.value for c in Combine}
    assert ("cap", "cut") in seen
