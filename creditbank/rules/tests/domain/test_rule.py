"""A conversion rule's data: every field's refusal (code and field path) and the canonical form."""

from __future__ import annotations

import copy
import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from creditbank.rules.domain.grades import Grade, Scheme
from creditbank.rules.domain.rule import (
    Caps,
    Combine,
    Criteria,
    GrantMode,
    Grants,
    Requirement,
    RuleError,
    RuleVersion,
    Target,
    parse_rule,
)
from creditbank.rules.errors import ErrorCode

TARGET = ErrorCode.RULE_TARGET_INVALID
CRITERIA = ErrorCode.RULE_CRITERIA_INVALID
GRANTS = ErrorCode.RULE_GRANTS_INVALID
CAPS = ErrorCode.RULE_CAPS_INVALID
DATES = ErrorCode.RULE_DATES_INVALID


def realistic() -> dict[str, Any]:
    """A vocational certificate (CET-4, at least 良, at most three years old) exempts English."""
    return {
        "target": {"institution": "demo-open-univ", "programme": "SE01", "course": "ENG101"},
        "criteria": {
            "combine": "any_of",
            "requirements": [
                {
                    "types": ["vocational_certificate"],
                    "codes": ["CET4"],
                    "min_result": {"scheme": "five_level", "value": "良"},
                    "max_age_months": 36,
                }
            ],
        },
        "grants": {
            "mode": "fixed",
            "credits": "2",
            "grade": {"scheme": "pass_fail", "value": "pass"},
            "exempts_course": True,
        },
        "caps": {"per_academic_year": "10"},
        "requires_review": True,
        "valid_from": "2026-09-01",
        "valid_to": "2027-08-31",
    }


def ratio_rule() -> dict[str, Any]:
    return {
        "target": {"institution": "demo-open-univ", "programme": "SE01"},
        "criteria": {"combine": "all_of", "requirements": [{"types": ["academic_credit"]}, {"types": ["mooc"]}]},
        "grants": {"mode": "ratio", "ratio": "0.5", "step": "0.50"},
        "valid_from": "2026-09-01",
    }


def parse(data: dict[str, Any]) -> RuleVersion:
    return parse_rule(data, code="ENG-CET4", version=1)


def refusal(data: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(RuleError) as info:
        parse(data)
    return info.value.code, info.value.field


def changed(base: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """``base`` with the dotted ``path`` set to ``value`` (or removed when ``value`` is DROP)."""
    data = copy.deepcopy(base)
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is DROP:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


DROP = object()
REQ = "criteria.requirements.0"


# --- a rule that parses --------------------------------------------------------------------


def test_the_realistic_rule_parses_to_these_values() -> None:
    assert parse(realistic()) == RuleVersion(
        code="ENG-CET4",
        version=1,
        target=Target("demo-open-univ", "SE01", "ENG101"),
        criteria=Criteria(
            Combine.ANY_OF,
            (
                Requirement(
                    types=("vocational_certificate",),
                    codes=("CET4",),
                    min_result=Grade(Scheme.FIVE_LEVEL, "良"),
                    max_age_months=36,
                    not_expired=True,
                ),
            ),
        ),
        grants=Grants(
            GrantMode.FIXED, credits=Decimal("2.00"), grade=Grade(Scheme.PASS_FAIL, "pass"), exempts_course=True
        ),
        caps=Caps(per_academic_year=Decimal("10.00")),
        requires_review=True,
        valid_from=date(2026, 9, 1),
        valid_to=date(2027, 8, 31),
    )


def test_defaults_any_of_no_caps_no_review_no_end() -> None:
    data = realistic()
    for key in ("caps", "requires_review", "valid_to"):
        del data[key]
    del data["criteria"]["combine"]
    rule = parse(data)
    assert rule.criteria.combine is Combine.ANY_OF
    assert rule.caps == Caps()
    assert rule.requires_review is False
    assert rule.valid_to is None
    assert parse(changed(realistic(), "caps", None)).caps == Caps()


def test_a_ratio_grant_parses() -> None:
    assert parse(ratio_rule()).grants == Grants(GrantMode.RATIO, ratio=Decimal("0.5000"), step=Decimal("0.50"))
    assert parse(changed(ratio_rule(), "grants.step", DROP)).grants.step == Decimal("0.01")
    for step, expected in [("0.01", "0.01"), ("0.1", "0.10"), ("0.5", "0.50"), ("1", "1.00"), (1, "1.00")]:
        assert parse(changed(ratio_rule(), "grants.step", step)).grants.step == Decimal(expected)
    for ratio in ("1", "1.0000", "0.0001"):
        assert parse(changed(ratio_rule(), "grants.ratio", ratio)).grants.ratio == Decimal(ratio)


def test_target_course_empty_or_missing_is_none() -> None:
    data = changed(ratio_rule(), "target.course", "")
    assert parse(data).target == Target("demo-open-univ", "SE01", None)
    assert parse(changed(ratio_rule(), "target.course", None)).target.course is None


# --- refusals: each field, its code and its path ---------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "code", "field"),
    [
        # target
        ("target", DROP, TARGET, "target"),
        ("target", "demo-open-univ", TARGET, "target"),
        ("target.campus", "north", TARGET, "target.campus"),
        ("target.institution", DROP, TARGET, "target.institution"),
        ("target.institution", "", TARGET, "target.institution"),
        ("target.institution", "demo open univ", TARGET, "target.institution"),
        ("target.institution", "-demo", TARGET, "target.institution"),
        ("target.institution", "a" * 65, TARGET, "target.institution"),
        ("target.institution", 12, TARGET, "target.institution"),
        ("target.programme", DROP, TARGET, "target.programme"),
        ("target.programme", "软件技术", TARGET, "target.programme"),
        ("target.course", "ENG 101", TARGET, "target.course"),
        # criteria
        ("criteria", DROP, CRITERIA, "criteria"),
        ("criteria", [], CRITERIA, "criteria"),
        ("criteria.logic", "and", CRITERIA, "criteria.logic"),
        ("criteria.combine", "some_of", CRITERIA, "criteria.combine"),
        ("criteria.combine", "ANY_OF", CRITERIA, "criteria.combine"),
        ("criteria.requirements", DROP, CRITERIA, "criteria.requirements"),
        ("criteria.requirements", [], CRITERIA, "criteria.requirements"),
        ("criteria.requirements", {"types": ["mooc"]}, CRITERIA, "criteria.requirements"),
        ("criteria.requirements", [{"types": ["mooc"]}] * 21, CRITERIA, "criteria.requirements"),
        ("criteria.n", 1, CRITERIA, "criteria.n"),
        # a requirement
        (REQ, "CET4", CRITERIA, REQ),
        (REQ, {}, CRITERIA, REQ),
        (REQ, {"not_expired": False}, CRITERIA, REQ),
        (REQ, {"not_expired": True}, CRITERIA, REQ),
        (f"{REQ}.grade", "良", CRITERIA, f"{REQ}.grade"),
        (f"{REQ}.types", "vocational_certificate", CRITERIA, f"{REQ}.types"),
        (f"{REQ}.types", ["diploma"], CRITERIA, f"{REQ}.types"),
        (f"{REQ}.types", ["Mooc"], CRITERIA, f"{REQ}.types"),
        (f"{REQ}.codes", "CET4", CRITERIA, f"{REQ}.codes"),
        (f"{REQ}.codes", ["CET 4"], CRITERIA, f"{REQ}.codes"),
        (f"{REQ}.codes", [f"C{i}" for i in range(101)], CRITERIA, f"{REQ}.codes"),
        (f"{REQ}.issuers", ["demo univ"], CRITERIA, f"{REQ}.issuers"),
        (f"{REQ}.issuers", [None], CRITERIA, f"{REQ}.issuers"),
        (f"{REQ}.min_level", 0, CRITERIA, f"{REQ}.min_level"),
        (f"{REQ}.min_level", 11, CRITERIA, f"{REQ}.min_level"),
        (f"{REQ}.min_level", "3", CRITERIA, f"{REQ}.min_level"),
        (f"{REQ}.min_level", True, CRITERIA, f"{REQ}.min_level"),
        (f"{REQ}.min_level", 3.0, CRITERIA, f"{REQ}.min_level"),
        (f"{REQ}.min_result", {"scheme": "five_level", "value": "A"}, CRITERIA, f"{REQ}.min_result"),
        (f"{REQ}.min_result", "良", CRITERIA, f"{REQ}.min_result"),
        (f"{REQ}.max_age_months", 0, CRITERIA, f"{REQ}.max_age_months"),
        (f"{REQ}.max_age_months", 1201, CRITERIA, f"{REQ}.max_age_months"),
        (f"{REQ}.not_expired", "yes", CRITERIA, f"{REQ}.not_expired"),
        (f"{REQ}.not_expired", None, CRITERIA, f"{REQ}.not_expired"),
        (f"{REQ}.min_hours", "0", CRITERIA, f"{REQ}.min_hours"),
        (f"{REQ}.min_hours", "20000.01", CRITERIA, f"{REQ}.min_hours"),
        (f"{REQ}.min_hours", "1.234", CRITERIA, f"{REQ}.min_hours"),
        (f"{REQ}.min_hours", 32, CRITERIA, f"{REQ}.min_hours"),
        (f"{REQ}.min_credits", "300.01", CRITERIA, f"{REQ}.min_credits"),
        (f"{REQ}.min_credits", "-1", CRITERIA, f"{REQ}.min_credits"),
        (f"{REQ}.min_credits", "1e2", CRITERIA, f"{REQ}.min_credits"),
        # grants
        ("grants", DROP, GRANTS, "grants"),
        ("grants", "2.00", GRANTS, "grants"),
        ("grants.bonus", "1", GRANTS, "grants.bonus"),
        ("grants.mode", DROP, GRANTS, "grants.mode"),
        ("grants.mode", "percent", GRANTS, "grants.mode"),
        ("grants.rounding", "half_up", GRANTS, "grants.rounding"),
        ("grants.rounding", "up", GRANTS, "grants.rounding"),
        ("grants.rounding", None, GRANTS, "grants.rounding"),
        ("grants.grade", {"scheme": "pass_fail", "value": "通过"}, GRANTS, "grants.grade"),
        ("grants.exempts_course", "yes", GRANTS, "grants.exempts_course"),
        ("grants.ratio", "0.5", GRANTS, "grants.ratio"),
        ("grants.credits", DROP, GRANTS, "grants.credits"),
        ("grants.credits", "0", GRANTS, "grants.credits"),
        ("grants.credits", "300.01", GRANTS, "grants.credits"),
        ("grants.credits", 2, GRANTS, "grants.credits"),
        ("target.course", DROP, GRANTS, "grants.exempts_course"),
        ("requires_review", "yes", GRANTS, "requires_review"),
        ("requires_review", None, GRANTS, "requires_review"),
        # caps
        ("caps", "10", CAPS, "caps"),
        ("caps.per_month", "10", CAPS, "caps.per_month"),
        ("caps.per_academic_year", "0", CAPS, "caps.per_academic_year"),
        ("caps.per_term", "10000.00", CAPS, "caps.per_term"),
        ("caps.programme_total", 30, CAPS, "caps.programme_total"),
        ("caps.per_source_institution", "-5", CAPS, "caps.per_source_institution"),
        # dates
        ("valid_from", DROP, DATES, "valid_from"),
        ("valid_from", "", DATES, "valid_from"),
        ("valid_from", "2026/09/01", DATES, "valid_from"),
        ("valid_from", "2026-9-1", DATES, "valid_from"),
        ("valid_from", "2026-02-30", DATES, "valid_from"),
        ("valid_from", 20260901, DATES, "valid_from"),
        ("valid_to", "2026-08-31", DATES, "valid_to"),
        ("valid_to", "2027-13-01", DATES, "valid_to"),
    ],
)
def test_each_refusal_names_its_code_and_field(path: str, value: object, code: str, field: str) -> None:
    assert refusal(changed(realistic(), path, value)) == (code, field)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("grants.credits", "2", "grants.credits"),
        ("grants.ratio", DROP, "grants.ratio"),
        ("grants.ratio", 0.5, "grants.ratio"),
        ("grants.ratio", "0.12345", "grants.ratio"),
        ("grants.ratio", "1.5", "grants.ratio"),
        ("grants.ratio", "1.0001", "grants.ratio"),
        ("grants.ratio", "0", "grants.ratio"),
        ("grants.ratio", "0.0000", "grants.ratio"),
        ("grants.ratio", "-0.5", "grants.ratio"),
        ("grants.ratio", "50%", "grants.ratio"),
        ("grants.step", "0.25", "grants.step"),
        ("grants.step", "2", "grants.step"),
        ("grants.step", "0.001", "grants.step"),
        ("grants.step", 0.5, "grants.step"),
        ("grants.step", True, "grants.step"),
        ("grants.step", "half", "grants.step"),
        ("grants.step", None, "grants.step"),
        ("grants.rounding", "nearest", "grants.rounding"),
    ],
)
def test_ratio_grant_refusals(path: str, value: object, field: str) -> None:
    assert refusal(changed(ratio_rule(), path, value)) == (GRANTS, field)


def test_the_refusal_carries_a_detail() -> None:
    with pytest.raises(RuleError) as info:
        parse(changed(ratio_rule(), "grants.rounding", "half_up"))
    assert info.value.detail == "grants round down only, so they never create credit"
    assert str(info.value) == "grants.rounding: grants round down only, so they never create credit"


def test_the_error_path_names_the_requirement_by_its_index() -> None:
    data = changed(ratio_rule(), "criteria.requirements.1.min_level", 11)
    assert refusal(data) == (CRITERIA, "criteria.requirements.1.min_level")


def test_fixed_and_ratio_are_exclusive() -> None:
    fixed_with_ratio = changed(realistic(), "grants.ratio", "0.5")
    ratio_with_credits = changed(ratio_rule(), "grants.credits", "2")
    assert refusal(fixed_with_ratio) == (GRANTS, "grants.ratio")
    assert refusal(ratio_with_credits) == (GRANTS, "grants.credits")
    # null is the absence of the other mode's field, not a value
    assert parse(changed(realistic(), "grants.ratio", None)).grants.ratio is None
    assert parse(changed(ratio_rule(), "grants.credits", None)).grants.credits is None


def test_exempting_needs_a_target_course() -> None:
    data = changed(realistic(), "target.course", "")
    assert refusal(data) == (GRANTS, "grants.exempts_course")
    data = changed(data, "grants.exempts_course", False)
    assert parse(data).grants.exempts_course is False


def test_at_least_n_from_1_to_the_number_of_requirements() -> None:
    three = [{"types": ["academic_credit"]}, {"types": ["mooc"]}, {"min_level": 4}]
    base = changed(ratio_rule(), "criteria", {"combine": "at_least", "n": 2, "requirements": three})
    for n in (1, 2, 3):
        assert parse(changed(base, "criteria.n", n)).criteria == Criteria(
            Combine.AT_LEAST,
            (Requirement(types=("academic_credit",)), Requirement(types=("mooc",)), Requirement(min_level=4)),
            n,
        )
    for n in (0, 4, -1, "2", True, 2.0, None, DROP):
        assert refusal(changed(base, "criteria.n", n)) == (CRITERIA, "criteria.n"), n


def test_only_at_least_takes_n() -> None:
    for combine in ("any_of", "all_of"):
        data = changed(ratio_rule(), "criteria.combine", combine)
        assert parse(changed(data, "criteria.n", None)).criteria.n is None
        assert refusal(changed(data, "criteria.n", 1)) == (CRITERIA, "criteria.n")


def test_bounds_that_are_allowed() -> None:
    for path, value in [
        (f"{REQ}.min_level", 1), (f"{REQ}.min_level", 10), (f"{REQ}.max_age_months", 1),
        (f"{REQ}.max_age_months", 1200), (f"{REQ}.min_hours", "20000"), (f"{REQ}.min_credits", "300"),
        (f"{REQ}.min_credits", "0.01"), ("grants.credits", "300.00"), ("caps.per_term", "9999.99"),
        ("target.institution", "a" * 64), ("valid_to", "2026-09-01"),
        ("criteria.requirements", [{"types": ["mooc"]}] * 20),
        (f"{REQ}.codes", [f"C{i}" for i in range(100)]),
    ]:  # fmt: skip
        parse(changed(realistic(), path, value))


def test_the_first_bad_field_is_reported_target_first() -> None:
    data = changed(changed(realistic(), "valid_from", "soon"), "target.institution", "")
    assert refusal(data) == (TARGET, "target.institution")
    data = changed(changed(realistic(), "grants.mode", "none"), f"{REQ}.min_level", 0)
    assert refusal(data) == (CRITERIA, f"{REQ}.min_level")


def test_unknown_keys_are_refused_at_every_level_first_in_sorted_order() -> None:
    data = changed(changed(realistic(), "target.zone", 1), "target.area", 2)
    assert refusal(data) == (TARGET, "target.area")
    assert refusal(changed(realistic(), f"{REQ}.min_grade", "良")) == (CRITERIA, f"{REQ}.min_grade")


def test_dates_accept_date_objects_and_an_end_on_the_first_day() -> None:
    rule = parse(changed(changed(realistic(), "valid_from", date(2026, 9, 1)), "valid_to", "2026-09-01"))
    assert (rule.valid_from, rule.valid_to) == (date(2026, 9, 1), date(2026, 9, 1))
    assert parse(changed(realistic(), "valid_to", "")).valid_to is None


def test_in_force_includes_both_ends() -> None:
    rule = parse(realistic())
    assert [rule.in_force(d) for d in (date(2026, 8, 31), date(2026, 9, 1), date(2027, 8, 31), date(2027, 9, 1))] == [
        False,
        True,
        True,
        False,
    ]
    assert parse(changed(realistic(), "valid_to", None)).in_force(date(2126, 1, 1)) is True


# --- canonical form ------------------------------------------------------------------------

CANONICAL = (
    b'{"caps":{"per_academic_year":"10.00","per_source_institution":null,"per_term":null,"programme_total":null},'
    b'"code":"ENG-CET4","criteria":{"combine":"any_of","n":null,"requirements":[{"codes":["CET4"],"issuers":[],'
    b'"max_age_months":36,"min_credits":null,"min_hours":null,"min_level":null,'
    b'"min_result":{"scheme":"five_level","value":"\xe8\x89\xaf"},"not_expired":true,'
    b'"types":["vocational_certificate"]}]},'
    b'"grants":{"credits":"2.00","exempts_course":true,"grade":{"scheme":"pass_fail","value":"pass"},'
    b'"mode":"fixed","ratio":null,"rounding":"down","step":"0.01"},'
    b'"kind":"conversion_rule","requires_review":true,'
    b'"target":{"course":"ENG101","institution":"demo-open-univ","programme":"SE01"},'
    b'"v":1,"valid_from":"2026-09-01","valid_to":"2027-08-31","version":1}'
)
CANONICAL_SHA256 = "8937302153e03bced1a75ea74f01f8182af3dc1b6d45292b13a7027dcca57fb0"


def test_canonical_bytes_of_the_realistic_rule() -> None:
    rule = parse(realistic())
    assert rule.canonical() == CANONICAL
    assert "良".encode() == b"\xe8\x89\xaf"  # UTF-8, not \u escapes
    assert rule.sha256() == CANONICAL_SHA256
    assert hashlib.sha256(CANONICAL).hexdigest() == CANONICAL_SHA256


def test_the_same_rule_written_differently_gives_the_same_bytes() -> None:
    other = {
        "valid_to": "2027-08-31",
        "valid_from": "2026-09-01",
        "requires_review": True,
        "caps": {"per_academic_year": "10.00", "per_term": None, "programme_total": ""},
        "grants": {
            "exempts_course": True,
            "grade": {"value": " PASS ", "scheme": "pass_fail"},
            "rounding": "down",
            "credits": "2.0",
            "mode": "fixed",
        },
        "criteria": {
            "requirements": [
                {
                    "not_expired": True,
                    "max_age_months": 36,
                    "min_result": {"value": "good", "scheme": "five_level"},
                    "codes": ["CET4", "CET4"],
                    "issuers": [],
                    "types": ["vocational_certificate"],
                    "min_level": None,
                }
            ],
            "n": None,
            "combine": "any_of",
        },
        "target": {"course": " ENG101 ", "programme": "SE01", "institution": "demo-open-univ"},
    }
    assert parse(other).canonical() == CANONICAL


def test_ratio_and_code_lists_are_normalised() -> None:
    one = changed(ratio_rule(), "criteria.requirements.0.codes", ["MATH2", "MATH1", "MATH2"])
    two = changed(changed(ratio_rule(), "criteria.requirements.0.codes", ["MATH1", "MATH2"]), "grants.ratio", "0.50")
    two = changed(two, "grants.step", "0.5")
    assert parse(one).canonical() == parse(two).canonical()
    assert b'"ratio":"0.5000"' in parse(one).canonical()
    assert b'"codes":["MATH1","MATH2"]' in parse(one).canonical()
    assert b'"step":"0.50"' in parse(one).canonical()


def test_every_difference_changes_the_hash() -> None:
    base = parse(realistic()).sha256()
    for path, value in [
        ("target.course", "ENG102"), (f"{REQ}.max_age_months", 35), (f"{REQ}.not_expired", False),
        ("grants.credits", "2.01"), ("grants.exempts_course", False), ("caps.per_term", "5"),
        ("requires_review", False), ("valid_from", "2026-09-02"), ("valid_to", None),
        (f"{REQ}.min_result", {"scheme": "percentage", "value": "80"}),
    ]:  # fmt: skip
        assert parse(changed(realistic(), path, value)).sha256() != base, path
    assert parse_rule(realistic(), code="ENG-CET4", version=2).sha256() != base
    assert parse_rule(realistic(), code="ENG-CET6", version=1).sha256() != base
