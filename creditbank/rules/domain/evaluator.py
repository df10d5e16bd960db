"""The evaluator (the "smart contract"): a rule version, a learner's outcomes, their prior
conversions and a day in, a decision with its trace out. Pure: no clock, no I/O, no Django;
the same inputs give the same :class:`Decision` and the same canonical bytes.

How a decision is reached, each step recorded as a :class:`Check` in the trace:

1. **In force**: the rule is valid on ``as_of`` (else ``rule_not_in_force``).
2. **Already converted**: an outcome in a prior conversion cannot be used again, under the
   default reuse policy anywhere, under ``Reuse.PER_PROGRAMME`` only in the same programme.
3. **Requirements**: every outcome (ordered by id, so the caller's order never matters) is
   checked against every requirement; every condition a requirement states gets a check line
   with what was expected and what the outcome had.
4. **Choice**: distinct outcomes are matched to requirements (``any_of`` one, ``all_of`` all,
   ``at_least`` ``n``), preferring for each requirement the outcome with more credits, then the
   lower id; a maximum bipartite matching (augmenting paths) so a choice is found whenever
   one exists. Not enough → ``criteria_not_met``, or ``outcome_already_converted`` when the
   outcomes already converted would have met the criteria.
5. **Grant**: fixed credits, or ratio × the consumed outcomes' credits rounded *down* to the
   rule's step (never more than the exact product). A grant of zero → ``criteria_not_met``.
6. **Caps** (programme total, academic year, term, source institution; see ``rule``): the grant
   is cut to the smallest room left, rounded down to the step; no room → ``cap_reached``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from creditbank.rules.domain.grades import Grade, grade
from creditbank.rules.domain.rule import (
    PLACES,
    Combine,
    GrantMode,
    Requirement,
    RuleVersion,
    canonical_json,
    parse_rule,
)

ZERO = Decimal("0.00")
DECISION_VERSION = 1


class Reuse(StrEnum):
    """Whether one outcome may be recognised by several programmes (the deployment's policy)."""

    ONCE = "once"  # default: a converted outcome is used once (已转换)
    PER_PROGRAMME = "per_programme"  # by several programmes, never twice by the same one


class Refusal(StrEnum):
    CRITERIA_NOT_MET = "criteria_not_met"
    OUTCOME_ALREADY_CONVERTED = "outcome_already_converted"
    CAP_REACHED = "cap_reached"
    RULE_NOT_IN_FORCE = "rule_not_in_force"


@dataclass(frozen=True)
class OutcomeFacts:
    """What the evaluator may know of a certified outcome (no personal data)."""

    id: int
    type: str
    code: str
    issuer: str
    achieved_on: date
    credits: Decimal
    expires_on: date | None = None
    hours: Decimal | None = None
    level: int | None = None
    result: Grade | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": self.type,
            "code": self.code,
            "issuer": self.issuer,
            "achieved_on": self.achieved_on.isoformat(),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "credits": _s(self.credits),
            "hours": _s(self.hours) if self.hours is not None else None,
            "level": self.level,
            "result": self.result.as_dict() if self.result else None,
        }


@dataclass(frozen=True)
class PriorConversion:
    """A conversion the learner already has (approved, or pending: its credits are spoken for)."""

    institution: str
    programme: str
    credits: Decimal
    decided_on: date
    outcome_ids: tuple[int, ...]
    #: the issuers of the outcomes it consumed
    issuers: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "institution": self.institution,
            "programme": self.programme,
            "credits": _s(self.credits),
            "decided_on": self.decided_on.isoformat(),
            "outcome_ids": sorted(self.outcome_ids),
            "issuers": sorted(set(self.issuers)),
        }


@dataclass(frozen=True)
class Check:
    """One line of the trace. ``step``: in_force | converted | requirement | choice | grant | cap;
    ``name``: the condition (``type``, ``min_level``, ``programme_total`` …); ``outcome`` and
    ``requirement`` (0-based) when the line is about one; ``expected`` and ``actual`` as text."""

    step: str
    name: str
    passed: bool
    expected: str = ""
    actual: str = ""
    outcome: int | None = None
    requirement: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "step": self.step,
            "name": self.name,
            "passed": self.passed,
            "expected": self.expected,
            "actual": self.actual,
            "outcome": self.outcome,
            "requirement": self.requirement,
        }


@dataclass(frozen=True)
class Decision:
    eligible: bool
    credits: Decimal
    consumed: tuple[int, ...]
    trace: tuple[Check, ...]
    refusal: Refusal | None = None
    grade: Grade | None = None
    exempts_course: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "v": DECISION_VERSION,
            "eligible": self.eligible,
            "refusal": self.refusal.value if self.refusal else None,
            "credits": _s(self.credits),
            "consumed": list(self.consumed),
            "grade": self.grade.as_dict() if self.grade else None,
            "exempts_course": self.exempts_course,
            "trace": [c.as_dict() for c in self.trace],
        }

    def canonical(self) -> bytes:
        return canonical_json(self.as_dict())

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def inputs_canonical(
    rule: RuleVersion, outcomes: Iterable[OutcomeFacts], prior: Iterable[PriorConversion], as_of: date, reuse: Reuse
) -> bytes:
    """The canonical bytes of everything a decision depends on (stored with it, to replay)."""
    return canonical_json(
        {
            "v": DECISION_VERSION,
            "rule": rule.as_dict(),
            "outcomes": [o.as_dict() for o in sorted(outcomes, key=lambda o: o.id)],
            "prior": sorted((p.as_dict() for p in prior), key=lambda d: canonical_json(d)),
            "as_of": as_of.isoformat(),
            "reuse": reuse.value,
        }
    )


def _s(value: Decimal) -> str:
    return f"{value.quantize(PLACES)}"


def academic_year(day: date) -> int:
    """The academic year a day falls in, named by the year it starts (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def term(day: date) -> tuple[int, str]:
    """(academic year, ``autumn`` 1 Sep – 31 Jan | ``spring`` 1 Feb – 31 Aug)."""
    return academic_year(day), ("autumn" if day.month >= 9 or day.month == 1 else "spring")


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is before ``start``)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    return max(months, 0)


def round_down(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded down to a multiple of ``step`` (with two decimal places)."""
    units = (value / step).to_integral_value(rounding=ROUND_DOWN)
    return (units * step).quantize(PLACES, rounding=ROUND_DOWN)


def requirement_checks(req: Requirement, outcome: OutcomeFacts, index: int, as_of: date) -> list[Check]:
    """A check for every condition ``req`` states, about ``outcome``."""
    checks: list[Check] = []

    def add(name: str, passed: bool, expected: str, actual: str) -> None:
        checks.append(Check("requirement", name, passed, expected, actual, outcome.id, index))

    if req.types:
        add("type", outcome.type in req.types, " ".join(req.types), outcome.type)
    if req.codes:
        add("code", outcome.code.upper() in req.codes, " ".join(req.codes), outcome.code)
    if req.issuers:
        add("issuer", outcome.issuer.lower() in req.issuers, " ".join(req.issuers), outcome.issuer)
    if req.min_level is not None:
        level = outcome.level
        add("min_level", level is not None and level >= req.min_level, str(req.min_level), str(level or ""))
    if req.min_result is not None:
        got = outcome.result
        passed = got is not None and got.meets(req.min_result)
        add("min_result", passed, str(req.min_result), str(got) if got else "")
    if req.max_age_months is not None:
        age = months_between(outcome.achieved_on, as_of)
        add("max_age_months", age <= req.max_age_months, str(req.max_age_months), str(age))
    if req.not_expired:
        # valid through its expires_on day, as the outcomes context expires credits (expires_on < today)
        expires = outcome.expires_on
        valid = expires is None or expires >= as_of
        add("not_expired", valid, as_of.isoformat(), expires.isoformat() if expires else "")
    if req.min_hours is not None:
        hours = outcome.hours
        add("min_hours", hours is not None and hours >= req.min_hours, _s(req.min_hours), _s(hours) if hours else "")
    if req.min_credits is not None:
        add("min_credits", outcome.credits >= req.min_credits, _s(req.min_credits), _s(outcome.credits))
    return checks


def _match(candidates: Sequence[Sequence[OutcomeFacts]], needed: int) -> dict[int, OutcomeFacts]:
    """A matching of requirement index → distinct outcome, as large as possible (stopping at
    ``needed``), each requirement trying its candidates in the order given. Deterministic."""
    owner: dict[int, int] = {}  # outcome id → requirement index
    chosen: dict[int, OutcomeFacts] = {}

    def augment(req: int, seen: set[int]) -> bool:
        for outcome in candidates[req]:
            if outcome.id in seen:
                continue
            seen.add(outcome.id)
            holder = owner.get(outcome.id)
            if holder is None or augment(holder, seen):
                owner[outcome.id] = req
                chosen[req] = outcome
                return True
        return False

    for req in range(len(candidates)):
        if len(chosen) >= needed:
            break
        augment(req, set())
    return chosen


def _choose(
    rule: RuleVersion, outcomes: Sequence[OutcomeFacts], as_of: date
) -> tuple[list[Check], dict[int, OutcomeFacts]]:
    trace: list[Check] = []
    candidates: list[list[OutcomeFacts]] = []
    for index, req in enumerate(rule.criteria.requirements):
        meeting = []
        for outcome in outcomes:
            checks = requirement_checks(req, outcome, index, as_of)
            trace.extend(checks)
            if all(c.passed for c in checks):
                meeting.append(outcome)
        meeting.sort(key=lambda o: (-o.credits, o.id))
        candidates.append(meeting)
    if rule.criteria.combine is Combine.ANY_OF:
        best = [(o, i) for i, found in enumerate(candidates) for o in found[:1]]
        if not best:
            return trace, {}
        outcome, index = min(best, key=lambda pair: (-pair[0].credits, pair[0].id, pair[1]))
        return trace, {index: outcome}
    return trace, _match(candidates, rule.criteria.needed)


def _cap_checks(
    rule: RuleVersion, consumed: Sequence[OutcomeFacts], prior: Sequence[PriorConversion], as_of: date
) -> list[tuple[Check, Decimal]]:
    """(check, room left) for every cap the rule states."""
    target = rule.target
    mine = [p for p in prior if (p.institution, p.programme) == (target.institution, target.programme)]
    caps = rule.caps
    rows: list[tuple[str, Decimal | None, list[PriorConversion], str]] = [
        ("programme_total", caps.programme_total, mine, ""),
        ("per_academic_year", caps.per_academic_year, [p for p in mine if academic_year(p.decided_on) == academic_year(as_of)], str(academic_year(as_of))),
        ("per_term", caps.per_term, [p for p in mine if term(p.decided_on) == term(as_of)], "{}-{}".format(*term(as_of))),
    ]  # fmt: skip
    if caps.per_source_institution is not None:
        for issuer in sorted({o.issuer for o in consumed}):
            counted = [p for p in mine if issuer in p.issuers]
            rows.append(("per_source_institution", caps.per_source_institution, counted, issuer))
    out: list[tuple[Check, Decimal]] = []
    for name, cap, counted, scope in rows:
        if cap is None:
            continue
        used = sum((p.credits for p in counted), ZERO)
        room = max(cap - used, ZERO)
        actual = f"{_s(used)} used" + (f" ({scope})" if scope else "")
        out.append((Check("cap", name, room > ZERO, _s(cap), actual), room))
    return out


def evaluate(
    rule: RuleVersion,
    outcomes: Iterable[OutcomeFacts],
    prior: Iterable[PriorConversion] = (),
    *,
    as_of: date,
    reuse: Reuse = Reuse.ONCE,
) -> Decision:
    """The decision of ``rule`` on ``outcomes`` (the ones the learner offers, all certified) on
    the day ``as_of``, given the learner's ``prior`` conversions."""
    ordered = sorted({o.id: o for o in outcomes}.values(), key=lambda o: o.id)
    prior = sorted(prior, key=lambda p: canonical_json(p.as_dict()))
    trace: list[Check] = []
    window = rule.valid_from.isoformat() + ".." + (rule.valid_to.isoformat() if rule.valid_to else "")
    in_force = rule.in_force(as_of)
    trace.append(Check("in_force", "valid", in_force, window, as_of.isoformat()))
    if not in_force:
        return Decision(False, ZERO, (), tuple(trace), Refusal.RULE_NOT_IN_FORCE)

    target = (rule.target.institution, rule.target.programme)
    used: set[int] = set()
    for p in prior:
        if reuse is Reuse.ONCE or (p.institution, p.programme) == target:
            used.update(p.outcome_ids)
    free = []
    for o in ordered:
        if o.id in used:
            trace.append(Check("converted", "not_converted", False, "", "converted", o.id))
        else:
            free.append(o)

    checks, chosen = _choose(rule, free, as_of)
    trace.extend(checks)
    needed = rule.criteria.needed
    met = len(chosen) >= needed
    trace.append(Check("choice", rule.criteria.combine.value, met, str(needed), str(len(chosen))))
    if not met:
        refusal = Refusal.CRITERIA_NOT_MET
        if len(free) < len(ordered) and len(_choose(rule, ordered, as_of)[1]) >= needed:
            refusal = Refusal.OUTCOME_ALREADY_CONVERTED
        return Decision(False, ZERO, (), tuple(trace), refusal)
    consumed = sorted(chosen.values(), key=lambda o: o.id)

    grants = rule.grants
    if grants.mode is GrantMode.FIXED:
        assert grants.credits is not None
        amount, step = grants.credits, PLACES
        trace.append(Check("grant", "fixed", True, _s(amount), _s(amount)))
    else:
        assert grants.ratio is not None
        source = sum((o.credits for o in consumed), ZERO)
        step = grants.step
        amount = round_down(source * grants.ratio, step)
        expected = f"{_s(source)} × {grants.ratio.normalize():f} ↓ {_s(step)}"
        trace.append(Check("grant", "ratio", amount > ZERO, expected, _s(amount)))
        if amount <= ZERO:
            return Decision(False, ZERO, (), tuple(trace), Refusal.CRITERIA_NOT_MET)

    for check, room in _cap_checks(rule, consumed, prior, as_of):
        trace.append(check)
        if room <= ZERO:
            return Decision(False, ZERO, (), tuple(trace), Refusal.CAP_REACHED)
        if room < amount:
            cut = round_down(room, step)
            trace.append(Check("cap", "cut", cut > ZERO, _s(amount), _s(cut)))
            if cut <= ZERO:
                return Decision(False, ZERO, (), tuple(trace), Refusal.CAP_REACHED)
            amount = cut

    course = rule.target.course if grants.exempts_course else None
    return Decision(True, amount, tuple(o.id for o in consumed), tuple(trace), None, grants.grade, course)


# --- replay: a stored decision's inputs, read back -----------------------------------------


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _dec(value: object) -> Decimal | None:
    return Decimal(value) if isinstance(value, str) else None


def inputs_read(data: bytes) -> tuple[RuleVersion, list[OutcomeFacts], list[PriorConversion], date, Reuse]:
    """The inputs :func:`inputs_canonical` wrote, as the evaluator takes them (``ValueError``
    for bytes it did not write)."""
    raw = json.loads(data.decode())
    if not isinstance(raw, dict) or raw.get("v") != DECISION_VERSION:
        raise ValueError("not the inputs of a decision of this version")
    rule_data = raw["rule"]
    rule = parse_rule(rule_data, code=str(rule_data["code"]), version=int(rule_data["version"]))
    outcomes = []
    for o in raw["outcomes"]:
        achieved = _day(o["achieved_on"])
        credits = _dec(o["credits"])
        if achieved is None or credits is None:
            raise ValueError("an outcome without its date or credits")
        outcomes.append(
            OutcomeFacts(
                id=int(o["id"]), type=str(o["type"]), code=str(o["code"]), issuer=str(o["issuer"]),
                achieved_on=achieved, credits=credits, expires_on=_day(o["expires_on"]), hours=_dec(o["hours"]),
                level=o["level"], result=grade(o["result"]) if o["result"] else None,
            )
        )  # fmt: skip
    prior = []
    for p in raw["prior"]:
        decided = _day(p["decided_on"])
        amount = _dec(p["credits"])
        if decided is None or amount is None:
            raise ValueError("a prior conversion without its date or credits")
        prior.append(
            PriorConversion(
                institution=str(p["institution"]), programme=str(p["programme"]), credits=amount,
                decided_on=decided, outcome_ids=tuple(int(i) for i in p["outcome_ids"]),
                issuers=tuple(str(i) for i in p["issuers"]),
            )
        )  # fmt: skip
    as_of = _day(raw["as_of"])
    if as_of is None:
        raise ValueError("inputs without their day")
    return rule, outcomes, prior, as_of, Reuse(raw["reuse"])


def replay(data: bytes) -> Decision:
    """The decision the evaluator gives today on stored inputs (compare its hash with the
    stored decision's: invariant 7)."""
    rule, outcomes, prior, as_of, reuse = inputs_read(data)
    return evaluate(rule, outcomes, prior, as_of=as_of, reuse=reuse)
