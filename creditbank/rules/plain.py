"""Plain language for conversion rules (规则的通俗说明): what a rule asks and grants, each line of
an evaluation's trace, and what a refused learner can do next, in the active language.

Everything is generated from the rule's data (``domain.rule``) and the evaluator's checks
(``domain.evaluator``), so a rule is never described a second time by hand and a description
cannot drift from what the evaluator does. ``names`` maps institution, programme and course codes
to display names where the caller has them; a code without a name is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy

from creditbank.rules.domain.evaluator import Check, Refusal
from creditbank.rules.domain.grades import Grade, Scheme
from creditbank.rules.domain.rule import Caps, Combine, GrantMode, Grants, Requirement, RuleVersion, Target

Names = Mapping[str, str]

#: An outcome type as a noun phrase in a sentence ("持有以下任一成果：职业资格证书…").
TYPE_IN_SENTENCE: dict[str, Promise] = {
    "academic_credit": pgettext_lazy("outcome type in a sentence", "an academic credit"),
    "vocational_certificate": pgettext_lazy("outcome type in a sentence", "a vocational certificate"),
    "non_formal": pgettext_lazy("outcome type in a sentence", "a non-formal learning outcome"),
    "mooc": pgettext_lazy("outcome type in a sentence", "an online course (MOOC)"),
    "work_experience": pgettext_lazy("outcome type in a sentence", "work experience"),
    "award": pgettext_lazy("outcome type in a sentence", "an award"),
}
#: An outcome type as a bare label (a trace line: "type online course (MOOC)").
TYPE_LABEL: dict[str, Promise] = {
    "academic_credit": pgettext_lazy("outcome type label", "academic credit"),
    "vocational_certificate": pgettext_lazy("outcome type label", "vocational certificate"),
    "non_formal": pgettext_lazy("outcome type label", "non-formal learning"),
    "mooc": pgettext_lazy("outcome type label", "online course (MOOC)"),
    "work_experience": pgettext_lazy("outcome type label", "work experience"),
    "award": pgettext_lazy("outcome type label", "award"),
}
PASS_FAIL: dict[str, Promise] = {
    "pass": pgettext_lazy("pass/fail result", "pass"),
    "fail": pgettext_lazy("pass/fail result", "fail"),
}
PASSED, FAILED = "✓", "✗"


# --- the rule ------------------------------------------------------------------------------


def describe_rule(rule: RuleVersion, *, names: Names | None = None) -> list[str]:
    """The rule as a few sentences in the active language: what it asks and grants, its caps,
    whether a person reviews it, and where and when it applies."""
    names = names or {}
    sentences = [
        pgettext("rule sentence", "%(criteria)s → %(grants)s.")
        % {"criteria": _criteria(rule, names), "grants": _grants(rule.grants, rule.target, names)}
    ]
    sentences += _caps(rule.caps)
    if rule.requires_review:
        sentences.append(gettext("Needs review by a person."))
    else:
        sentences.append(gettext("Granted automatically when the conditions are met."))
    sentences.append(_target_and_validity(rule, names))
    return [_tidy(s) for s in sentences]


def describe_rule_both(rule: RuleVersion, names: Names | None = None) -> dict[str, list[str]]:
    """The description in Simplified Chinese and in English (``{"zh": …, "en": …}``)."""
    with translation.override("zh-hans"):
        zh = describe_rule(rule, names=names)
    with translation.override("en"):
        en = describe_rule(rule, names=names)
    return {"zh": zh, "en": en}


def _criteria(rule: RuleVersion, names: Names) -> str:
    criteria = rule.criteria
    requirements = pgettext("between requirements", "; ").join(_requirement(r, names) for r in criteria.requirements)
    if criteria.combine is Combine.ANY_OF:
        return gettext("Any one of: %(requirements)s") % {"requirements": requirements}
    if criteria.combine is Combine.ALL_OF:
        return gettext("All of these, a different outcome for each: %(requirements)s") % {"requirements": requirements}
    return gettext("At least %(n)s of these, a different outcome for each: %(requirements)s") % {
        "n": criteria.n,
        "requirements": requirements,
    }


def _requirement(req: Requirement, names: Names) -> str:
    if req.types:
        noun = _or_types([str(TYPE_IN_SENTENCE.get(t, t)) for t in req.types])
    else:
        noun = pgettext("outcome type in a sentence", "any outcome")
    if req.codes:
        noun = gettext("%(outcome)s with code %(codes)s") % {"outcome": noun, "codes": _or_codes(list(req.codes))}
    if req.issuers:
        issuers = _or_codes([_named(i, names) for i in req.issuers])
        noun = gettext("%(outcome)s from %(issuers)s") % {"outcome": noun, "issuers": issuers}
    parts = [noun]
    if req.min_level is not None:
        parts.append(gettext("level at least %(level)s") % {"level": req.min_level})
    if req.min_result is not None:
        parts.append(gettext("result at least %(grade)s") % {"grade": grade_text(req.min_result)})
    age = None
    if req.max_age_months is not None:
        age = ngettext(
            "achieved within the last %(months)d month",
            "achieved within the last %(months)d months",
            req.max_age_months,
        ) % {"months": req.max_age_months}
    unexpired = pgettext("condition", "not expired")
    if age and req.not_expired:
        parts.append(pgettext("two conditions", "%(first)s and %(second)s") % {"first": age, "second": unexpired})
    elif age:
        parts.append(age)
    elif req.not_expired:
        parts.append(unexpired)
    if req.min_hours is not None:
        parts.append(gettext("at least %(hours)s hours") % {"hours": _amount(req.min_hours)})
    if req.min_credits is not None:
        parts.append(gettext("at least %(credits)s credits") % {"credits": _amount(req.min_credits)})
    return _list(parts)


def _grants(grants: Grants, target: Target, names: Names) -> str:
    if grants.mode is GrantMode.FIXED:
        assert grants.credits is not None
        parts = [pgettext("conversion rule", "grants %(credits)s credits") % {"credits": _amount(grants.credits)}]
    else:
        assert grants.ratio is not None
        parts = [
            gettext("grants %(percent)s%% of the credits of the outcomes used, rounded down to a multiple of %(step)s")
            % {"percent": _percent(grants.ratio), "step": _amount(grants.step)}
        ]
    if grants.grade is not None:
        parts.append(pgettext("grant", "grade %(grade)s") % {"grade": grade_text(grants.grade)})
    if grants.exempts_course and target.course:
        parts.append(gettext("exempts course %(course)s") % {"course": _named(target.course, names)})
    return _list(parts)


def _caps(caps: Caps) -> list[str]:
    sentences = []
    if caps.programme_total is not None:
        sentences.append(
            gettext("At most %(credits)s credits in total in this programme.")
            % {"credits": _amount(caps.programme_total)}
        )
    if caps.per_academic_year is not None:
        sentences.append(
            gettext("At most %(credits)s credits per academic year.") % {"credits": _amount(caps.per_academic_year)}
        )
    if caps.per_term is not None:
        sentences.append(gettext("At most %(credits)s credits per term.") % {"credits": _amount(caps.per_term)})
    if caps.per_source_institution is not None:
        sentences.append(
            gettext("At most %(credits)s credits from the outcomes of any one institution.")
            % {"credits": _amount(caps.per_source_institution)}
        )
    return sentences


def _target_and_validity(rule: RuleVersion, names: Names) -> str:
    target = rule.target
    where = {"institution": _named(target.institution, names), "programme": _named(target.programme, names)}
    if target.course:
        applies = gettext("For course %(course)s of programme %(programme)s at %(institution)s") % {
            **where,
            "course": _named(target.course, names),
        }
    else:
        applies = gettext("For programme %(programme)s at %(institution)s") % where
    if rule.valid_to:
        when = gettext("in force from %(start)s to %(end)s") % {
            "start": rule.valid_from.isoformat(),
            "end": rule.valid_to.isoformat(),
        }
    else:
        when = gettext("in force from %(start)s with no end date") % {"start": rule.valid_from.isoformat()}
    return pgettext("rule sentence", "%(target)s, %(validity)s.") % {"target": applies, "validity": when}


# --- a trace line --------------------------------------------------------------------------


def explain_check(check: Check, *, names: Names | None = None) -> str:
    """One line of an evaluation's trace in the active language, ending in ✓ or ✗."""
    explain = _EXPLAIN.get((check.step, check.name))
    text = explain(check, names or {}) if explain else f"{check.step} {check.name}: {check.expected} {check.actual}"
    if check.outcome is not None:
        text = gettext("Outcome #%(id)s: %(detail)s") % {"id": check.outcome, "detail": text}
    return f"{_tidy(text)} {PASSED if check.passed else FAILED}"


def _in_force(check: Check, names: Names) -> str:
    start, _, end = check.expected.partition("..")
    if end:
        return gettext("Rule in force from %(start)s to %(end)s; applied on %(day)s") % {
            "start": start,
            "end": end,
            "day": check.actual,
        }
    return gettext("Rule in force from %(start)s with no end date; applied on %(day)s") % {
        "start": start,
        "day": check.actual,
    }


def _converted(check: Check, names: Names) -> str:
    return gettext("already converted, cannot be used again")


def _type(check: Check, names: Names) -> str:
    expected = _or_types([str(TYPE_LABEL.get(t, t)) for t in check.expected.split()])
    return gettext("type %(actual)s, %(expected)s required") % {
        "actual": TYPE_LABEL.get(check.actual, check.actual),
        "expected": expected,
    }


def _code(check: Check, names: Names) -> str:
    return gettext("code %(actual)s, %(expected)s required") % {
        "actual": check.actual,
        "expected": _or_codes(check.expected.split()),
    }


def _issuer(check: Check, names: Names) -> str:
    return gettext("from %(actual)s, from %(expected)s required") % {
        "actual": _named(check.actual, names),
        "expected": _or_codes([_named(i, names) for i in check.expected.split()]),
    }


def _min_level(check: Check, names: Names) -> str:
    if not check.actual:
        return gettext("no level, at least %(expected)s required") % {"expected": check.expected}
    return gettext("level %(actual)s, at least %(expected)s required") % {
        "actual": check.actual,
        "expected": check.expected,
    }


def _min_result(check: Check, names: Names) -> str:
    expected = _grade_from_trace(check.expected)
    if not check.actual:
        return gettext("no result, at least %(expected)s required") % {"expected": expected}
    return gettext("result %(actual)s, at least %(expected)s required") % {
        "actual": _grade_from_trace(check.actual),
        "expected": expected,
    }


def _max_age(check: Check, names: Names) -> str:
    age, limit = int(check.actual), int(check.expected)
    achieved = ngettext("achieved %(months)d month ago", "achieved %(months)d months ago", age) % {"months": age}
    allowed = ngettext("at most %(months)d month allowed", "at most %(months)d months allowed", limit) % {
        "months": limit
    }
    return pgettext("trace line: what was found, what is required", "%(actual)s, %(expected)s") % {
        "actual": achieved,
        "expected": allowed,
    }


def _not_expired(check: Check, names: Names) -> str:
    if not check.actual:
        return gettext("does not expire")
    return gettext("valid until %(actual)s, must still be valid on %(expected)s") % {
        "actual": check.actual,
        "expected": check.expected,
    }


def _min_hours(check: Check, names: Names) -> str:
    if not check.actual:
        return gettext("no hours recorded, at least %(expected)s hours required") % {"expected": check.expected}
    return gettext("%(actual)s hours, at least %(expected)s hours required") % {
        "actual": check.actual,
        "expected": check.expected,
    }


def _min_credits(check: Check, names: Names) -> str:
    return gettext("%(actual)s credits, at least %(expected)s credits required") % {
        "actual": check.actual,
        "expected": check.expected,
    }


def _any_of(check: Check, names: Names) -> str:
    if check.passed:
        return gettext("An outcome meets one of the requirements")
    return gettext("No outcome meets any of the requirements")


def _all_of(check: Check, names: Names) -> str:
    return gettext("Requirements met by different outcomes: %(found)s of %(needed)s") % {
        "found": check.actual,
        "needed": check.expected,
    }


def _at_least(check: Check, names: Names) -> str:
    return gettext("Requirements met by different outcomes: %(found)s, at least %(needed)s needed") % {
        "found": check.actual,
        "needed": check.expected,
    }


def _fixed(check: Check, names: Names) -> str:
    return gettext("Grants a fixed %(credits)s credits") % {"credits": check.actual}


_RATIO = re.compile(r"\A(?P<source>\S+) × (?P<ratio>\S+) ↓ (?P<step>\S+)\Z")


def _ratio(check: Check, names: Names) -> str:
    found = _RATIO.match(check.expected)
    if not found:
        return f"{check.expected} → {check.actual}"
    return gettext(
        "%(percent)s%% of %(source)s credits, rounded down to a multiple of %(step)s: %(credits)s credits"
    ) % {
        "percent": _percent(Decimal(found["ratio"])),
        "source": found["source"],
        "step": found["step"],
        "credits": check.actual,
    }


_USED = re.compile(r"\A(?P<used>\S+) used(?: \((?P<scope>.+)\))?\Z")


def _used(check: Check) -> tuple[str, str]:
    found = _USED.match(check.actual)
    return (found["used"], found["scope"] or "") if found else (check.actual, "")


def _programme_total(check: Check, names: Names) -> str:
    used, _ = _used(check)
    return gettext("Programme total of at most %(cap)s credits: %(used)s used") % {"cap": check.expected, "used": used}


def _academic_year(check: Check, names: Names) -> str:
    used, scope = _used(check)
    return gettext("At most %(cap)s credits per academic year: %(used)s used in %(year)s") % {
        "cap": check.expected,
        "used": used,
        "year": _year_text(scope),
    }


def _term(check: Check, names: Names) -> str:
    used, scope = _used(check)
    year, _, season = scope.partition("-")
    if season == "autumn":
        when = gettext("the autumn term of %(year)s") % {"year": _year_text(year)}
    elif season == "spring":
        when = gettext("the spring term of %(year)s") % {"year": _year_text(year)}
    else:
        when = scope
    return gettext("At most %(cap)s credits per term: %(used)s used in %(term)s") % {
        "cap": check.expected,
        "used": used,
        "term": when,
    }


def _source_institution(check: Check, names: Names) -> str:
    used, scope = _used(check)
    return gettext("At most %(cap)s credits from any one institution: %(used)s used from %(institution)s") % {
        "cap": check.expected,
        "used": used,
        "institution": _named(scope, names),
    }


def _cut(check: Check, names: Names) -> str:
    return gettext("Cut by the cap from %(before)s to %(after)s credits") % {
        "before": check.expected,
        "after": check.actual,
    }


_EXPLAIN: dict[tuple[str, str], Callable[[Check, Names], str]] = {
    ("in_force", "valid"): _in_force,
    ("converted", "not_converted"): _converted,
    ("requirement", "type"): _type,
    ("requirement", "code"): _code,
    ("requirement", "issuer"): _issuer,
    ("requirement", "min_level"): _min_level,
    ("requirement", "min_result"): _min_result,
    ("requirement", "max_age_months"): _max_age,
    ("requirement", "not_expired"): _not_expired,
    ("requirement", "min_hours"): _min_hours,
    ("requirement", "min_credits"): _min_credits,
    ("choice", Combine.ANY_OF.value): _any_of,
    ("choice", Combine.ALL_OF.value): _all_of,
    ("choice", Combine.AT_LEAST.value): _at_least,
    ("grant", GrantMode.FIXED.value): _fixed,
    ("grant", GrantMode.RATIO.value): _ratio,
    ("cap", "programme_total"): _programme_total,
    ("cap", "per_academic_year"): _academic_year,
    ("cap", "per_term"): _term,
    ("cap", "per_source_institution"): _source_institution,
    ("cap", "cut"): _cut,
}
#: The (step, name) pairs explain_check has words for.
EXPLAINED = frozenset(_EXPLAIN)


# --- a refusal -----------------------------------------------------------------------------


def explain_refusal(code: str) -> str:
    """What a refusal of the evaluator means for the learner and what to do next."""
    refusal = Refusal(code)  # ValueError for a code that is not the evaluator's
    if refusal is Refusal.CRITERIA_NOT_MET:
        return gettext(
            "The outcomes you chose do not meet this rule's conditions. The checks below show which condition "
            "each one misses: choose other outcomes that meet them, or have a missing outcome certified first, "
            "then apply again."
        )
    if refusal is Refusal.OUTCOME_ALREADY_CONVERTED:
        return gettext(
            "The outcomes that would meet this rule have already been converted, and an outcome converts only "
            "once. Choose outcomes that have not been converted yet."
        )
    if refusal is Refusal.CAP_REACHED:
        return gettext(
            "You have already received the most credits this rule allows in this period (programme total, "
            "academic year, term or one institution). Apply again when a new academic year or term begins, or "
            "ask the institution about other rules."
        )
    return gettext(
        "This rule is not in force on the day of your application. Look for the version of the rule in force "
        "today and apply under it."
    )


# --- pieces --------------------------------------------------------------------------------


def grade_text(value: Grade) -> str:
    """A result as a learner reads it: ``良（五级制）``, ``85.00（百分制）``, ``绩点 3.00``, ``合格``."""
    if value.scheme is Scheme.PASS_FAIL:
        return str(PASS_FAIL.get(value.value, value.value))
    if value.scheme is Scheme.FIVE_LEVEL:
        return gettext("%(value)s (five-level)") % {"value": value.value}
    if value.scheme is Scheme.PERCENTAGE:
        return gettext("%(value)s (percentage)") % {"value": value.value}
    return gettext("GPA %(value)s") % {"value": value.value}


_TRACE_GRADE = re.compile(r"\A(?P<value>.+) \((?P<scheme>[a-z_0-9]+)\)\Z")


def _grade_from_trace(text: str) -> str:
    """``str(Grade)`` as the evaluator writes it (``良 (five_level)``) in plain words."""
    found = _TRACE_GRADE.match(text)
    try:
        return grade_text(Grade(Scheme(found["scheme"]), found["value"])) if found else text
    except ValueError:
        return text


def _year_text(year: str) -> str:
    if not year.isdigit():
        return year
    return gettext("academic year %(first)s–%(second)s") % {"first": year, "second": int(year) + 1}


_AROUND_FULL_WIDTH = re.compile(r" *([（）：，。；、]) *")


def _tidy(text: str) -> str:
    """No space beside full-width punctuation (a name's ``（code）`` next to a space in a template)."""
    return _AROUND_FULL_WIDTH.sub(r"\1", text)


def _named(code: str, names: Names) -> str:
    name = names.get(code)
    if not name or name == code:
        return code
    return pgettext("a name and its code", "%(name)s (%(code)s)") % {"name": name, "code": code}


def _list(parts: list[str]) -> str:
    return pgettext("between items of a list", ", ").join(parts)


def _or_types(items: list[str]) -> str:
    return pgettext("between outcome types", " or ").join(items)


def _or_codes(items: list[str]) -> str:
    return pgettext("between codes", " or ").join(items)


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f}"
