"""The pathway view (转换路径): for every programme whose published rules in force would accept
some of a learner's certified outcomes, how many credits those outcomes would earn there and
which courses they would exempt, best first, each line with its explanation. Nothing is written.

How it is computed (a read; the same inputs give the same answer):

1. **Candidates through the index.** Each certified outcome gives its look-up keys
   (``domain.rule.outcome_keys``); ``selectors.rules_for_keys`` loads only the rules in force
   with one of them (``RuleSourceKey``), never every rule.
2. **Each rule on the outcomes it could accept.** A rule is evaluated (the same evaluator as an
   application, with the learner's prior conversions and the deployment's reuse policy) on the
   outcomes whose keys meet the rule's keys: an outcome with none of them cannot meet any of its
   requirements (``domain.rule.source_keys``), so the decision is the same and its trace names
   only outcomes that matter.
3. **Per programme, greedy by credits.** Rules of one programme are combined so that no outcome
   counts twice and the programme's caps hold: the eligible rule granting the most credits is
   taken (ties: the rule's code, then its id, so the order is deterministic), its outcomes are
   removed and its credits are counted as a conversion of that programme on the day (so
   programme, year, term and institution caps see it); the other rules are weighed again on
   what is left (lazily, see ``_greedy``); repeat until none is eligible. Each rule is taken at
   most once; a course is exempted once (a second rule for it is skipped, and so is a rule for a
   course the learner's approved or pending conversions already exempt). A rule refused once is
   not tried again (fewer outcomes and more credits counted do not make a rule eligible, save
   the rare per-institution cap that another institution's outcome could fill: such a rule is
   left out). Greedy is not always the best combination (a rule taking one outcome for 4
   credits may block two rules of 3 each); it is simple, fast and explained line by line, which
   is what a learner plans with. An outcome may appear in the pathways of several programmes:
   each pathway is an alternative (what is applied for then counts, under
   ``POLICY_OUTCOME_REUSE``).
4. **Programmes best first**: by the credits they would add, then institution and programme code.
   ``total_credits`` (the programme's, from ``institutions.selectors.programmes_with_courses``)
   gives a progress figure: credits already converted into it (approved or pending applications)
   plus those the pathway adds, over the total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from creditbank.institutions.selectors import programmes_with_courses
from creditbank.rules.domain.evaluator import Decision, OutcomeFacts, PriorConversion, Reuse, evaluate
from creditbank.rules.domain.rule import ANY_KEY, RuleVersion, outcome_keys, source_keys
from creditbank.rules.models import ConversionApplication, ConversionRule
from creditbank.rules.selectors import rule_record, rules_for_keys
from creditbank.rules.services.preview import HOLDING, chosen_facts, prior_conversions, reuse_policy

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PathwayLine:
    """One rule the pathway would use: its decision on the outcomes left to it."""

    rule: ConversionRule
    record: RuleVersion
    decision: Decision

    @property
    def credits(self) -> Decimal:
        return self.decision.credits

    @property
    def outcome_ids(self) -> tuple[int, ...]:
        return self.decision.consumed


@dataclass(frozen=True)
class Pathway:
    """What a learner's certified outcomes would earn in one programme."""

    institution: str
    programme: str
    #: the programme's display names (its code when it is not a published programme)
    institution_name: str
    programme_name: str
    #: the programme's total credits (None: the programme is not published, nothing to measure)
    total_credits: Decimal | None
    #: credits of the learner's approved and pending conversions into this programme
    held: Decimal
    #: credits the pathway's lines would add
    credits: Decimal
    lines: tuple[PathwayLine, ...]
    #: course code → display name, for the courses the lines would exempt
    courses: tuple[tuple[str, str], ...]
    #: codes → display names of this programme's institution, programme and courses (for rules.plain)
    names: Mapping[str, str]

    @property
    def progress(self) -> Decimal | None:
        """(held + credits) / total credits, as a percentage with one decimal place, at most 100."""
        if not self.total_credits:
            return None
        share = (self.held + self.credits) * 100 / self.total_credits
        return min(share, Decimal(100)).quantize(Decimal("0.1"))


def _keys_of(outcome: OutcomeFacts) -> frozenset[str]:
    return outcome_keys(outcome.type, outcome.code)


class _Outcomes:
    """The outcomes of one learner, found by look-up key."""

    def __init__(self, facts: Iterable[OutcomeFacts]) -> None:
        self.all = frozenset(f.id for f in facts)
        self.by_key: dict[str, set[int]] = defaultdict(set)
        for f in facts:
            for key in _keys_of(f):
                self.by_key[key].add(f.id)

    def relevant(self, record: RuleVersion) -> frozenset[int]:
        """The ids of the outcomes that could meet one of ``record``'s requirements (step 2)."""
        keys = source_keys(record)
        if ANY_KEY in keys:
            return self.all
        found: set[int] = set()
        for key in keys:
            found |= self.by_key.get(key, set())
        return frozenset(found)


_PARSED: dict[tuple[int, str], RuleVersion] = {}
_PARSED_MAX = 50_000


def _record(rule: ConversionRule) -> RuleVersion:
    """``selectors.rule_record``, kept per process by id and hash: a published version never
    changes (ADR 0028; a trigger refuses it), so its parsed form cannot go stale."""
    key = (rule.pk, rule.hash)
    found = _PARSED.get(key)
    if found is None:
        found = rule_record(rule)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def _greedy(
    rules: list[tuple[ConversionRule, RuleVersion]],
    facts: list[OutcomeFacts],
    prior: list[PriorConversion],
    *,
    on: date,
    reuse: Reuse,
    exempted: set[str],
) -> list[PathwayLine]:
    """The lines of one programme (see the module's step 3); ``exempted``: the courses the
    learner's conversions into it already exempt.

    The same picks as evaluating every rule again each round, for less: a decision that an
    outcome taken since or the credits counted since may change is kept as a bound (fewer
    outcomes and more credits counted do not raise a grant: ``any_of`` takes the outcome with the
    most credits, caps only cut) and the rule is evaluated again only when that bound makes it
    the best; a rule whose outcomes and caps are untouched keeps its decision as it is. So a
    line's decision is always evaluated on the outcomes then free. (The one case where a bound
    may not hold: an ``all_of`` or ``at_least`` rule granting a ratio whose matching changes when
    an outcome goes; its decision shown is still the fresh one.)"""
    lines: list[PathwayLine] = []
    free = {f.id: f for f in facts}
    counted = list(prior)
    exempted = set(exempted)
    index = _Outcomes(facts)
    remaining = [
        pair
        for pair in sorted(rules, key=lambda pair: (pair[0].code, pair[0].pk))
        if not (pair[1].grants.exempts_course and pair[1].target.course in exempted)
    ]
    relevant = {rule.pk: index.relevant(record) for rule, record in remaining}
    capped = {rule.pk for rule, record in remaining if _has_caps(record)}
    decisions: dict[int, tuple[Decision, bool]] = {}  # rule id → (decision, fresh)

    def run(rule: ConversionRule, record: RuleVersion) -> Decision:
        offered = [free[i] for i in relevant[rule.pk] if i in free]
        decision = evaluate(record, offered, counted, as_of=on, reuse=reuse)
        decisions[rule.pk] = (decision, True)
        return decision

    def order(pair: tuple[ConversionRule, RuleVersion]) -> tuple[Decimal, str, int]:
        return (-decisions[pair[0].pk][0].credits, pair[0].code, pair[0].pk)

    while remaining:
        for rule, record in remaining:
            if rule.pk not in decisions:
                run(rule, record)
        # a rule refused once is not tried again: fewer outcomes and more credits counted do
        # not make it eligible
        remaining = [pair for pair in remaining if decisions[pair[0].pk][0].eligible]
        best: tuple[ConversionRule, RuleVersion] | None = None
        while remaining:
            best = min(remaining, key=order)
            if decisions[best[0].pk][1]:
                break
            if not run(*best).eligible:
                remaining.remove(best)
            best = None
        if best is None:
            break
        rule, record = best
        decision = decisions[rule.pk][0]
        lines.append(PathwayLine(rule, record, decision))
        if decision.exempts_course:
            exempted.add(decision.exempts_course)
        consumed = [free.pop(i) for i in decision.consumed]
        taken = frozenset(decision.consumed)
        counted.append(
            PriorConversion(
                institution=record.target.institution, programme=record.target.programme, credits=decision.credits,
                decided_on=on, outcome_ids=(), issuers=tuple(sorted({o.issuer for o in consumed})),
            )
        )  # fmt: skip
        remaining = [
            (r, rec)
            for r, rec in remaining
            if r.pk != rule.pk and not (rec.grants.exempts_course and rec.target.course in exempted)
        ]
        for r, _rec in remaining:
            if r.pk in capped or not relevant[r.pk].isdisjoint(taken):
                decisions[r.pk] = (decisions[r.pk][0], False)
    return lines


def _has_caps(record: RuleVersion) -> bool:
    caps = record.caps
    limits = (caps.programme_total, caps.per_academic_year, caps.per_term, caps.per_source_institution)
    return any(limit is not None for limit in limits)


def pathways(user: Any, on: date | None = None) -> list[Pathway]:
    """The learner's pathways, best first (see the module docstring); nothing is written."""
    today = on or timezone.localdate()
    facts = chosen_facts(user, None)
    if not facts:
        return []
    keys: set[str] = set()
    for f in facts:
        keys |= _keys_of(f)
    candidates = rules_for_keys(keys, on=today)
    if not candidates:
        return []
    prior = prior_conversions(user)
    reuse = reuse_policy()
    if reuse is Reuse.ONCE:
        used = {i for p in prior for i in p.outcome_ids}
        facts = [f for f in facts if f.id not in used]  # converted outcomes are out of every pathway
    held_courses: dict[tuple[str, str], set[str]] = defaultdict(set)
    for institution, programme, decision in ConversionApplication.objects.filter(
        user_id=user.pk, status__in=HOLDING
    ).values_list("institution__code", "programme_code", "decision"):
        if decision.get("exempts_course"):
            held_courses[(institution, programme)].add(decision["exempts_course"])
    by_programme: dict[tuple[str, str], list[tuple[ConversionRule, RuleVersion]]] = defaultdict(list)
    for rule in candidates:
        by_programme[(rule.institution.code, rule.programme_code)].append((rule, _record(rule)))
    published = {
        (p.institution.code, p.code): p for p in programmes_with_courses({code for code, _ in by_programme})
    }  # fmt: skip
    found: list[Pathway] = []
    for (institution, programme), rules in by_programme.items():
        mine = [p for p in prior if (p.institution, p.programme) == (institution, programme)]
        usable = facts
        if reuse is Reuse.PER_PROGRAMME:
            taken = {i for p in mine for i in p.outcome_ids}
            usable = [f for f in facts if f.id not in taken]
        lines = _greedy(rules, usable, prior, on=today, reuse=reuse, exempted=held_courses[(institution, programme)])
        if not lines:
            continue
        found.append(_pathway(institution, programme, published.get((institution, programme)), mine, lines))
    found.sort(key=lambda p: (-p.credits, p.institution, p.programme))
    return found


def _pathway(
    institution: str, programme: str, row: Any, mine: list[PriorConversion], lines: list[PathwayLine]
) -> Pathway:
    names: dict[str, str] = {}
    courses: dict[str, str] = {}
    if row is not None:
        names[institution] = row.institution.name()
        names[programme] = row.name()
        courses = {c.code: c.name() for c in row.courses.all()}
        names.update(courses)
    exempted = [line.decision.exempts_course for line in lines if line.decision.exempts_course]
    return Pathway(
        institution=institution,
        programme=programme,
        institution_name=names.get(institution, institution),
        programme_name=names.get(programme, programme),
        total_credits=row.total_credits if row is not None else None,
        held=sum((p.credits for p in mine), ZERO),
        credits=sum((line.credits for line in lines), ZERO),
        lines=tuple(lines),
        courses=tuple((code, courses.get(code, code)) for code in exempted),
        names=names,
    )


def rule_names(rule: ConversionRule) -> dict[str, str]:
    """Display names of a rule's target institution, programme and course (for ``rules.plain``):
    those of a published programme; codes without one are shown as they are."""
    names: dict[str, str] = {}
    row = programmes_with_courses([rule.institution.code]).filter(code=rule.programme_code).first()
    names[rule.institution.code] = rule.institution.name()
    if row is not None:
        names[row.code] = row.name()
        names.update({c.code: c.name() for c in row.courses.all()})
    return names


__all__ = ["Pathway", "PathwayLine", "pathways", "rule_names"]
