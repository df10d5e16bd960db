"""A conversion rule (转换规则) as data: what it accepts, what it grants, its caps, and its
canonical bytes.

A rule version belongs to a target (an institution's programme, and a course where it exempts
one). Its **criteria** are source requirements combined by ``any_of`` (one outcome meeting any
requirement), ``all_of`` (a distinct outcome for every requirement) or ``at_least`` ``n`` (distinct
outcomes for ``n`` distinct requirements). A requirement names outcome types, codes and issuers
(each an empty tuple for "any"), a minimum level, a minimum result (compared across schemes by
``grades``), a maximum age in months on the day of evaluation, whether the outcome must be
unexpired, and minimum hours and credits.

**Grants** are either fixed credits or a ratio (0 < ratio ≤ 1) of the consumed outcomes'
credits, rounded *down* to a step, so rounding never creates credit; optionally a grade in the
target's scheme, and whether the target course is exempted (免修).

**Caps** bound what a learner may receive in the target programme: in total, per academic year
(1 September to 31 August), per term (autumn 1 September – 31 January, spring 1 February –
31 August) and per source institution (a conversion counts in full against the issuer of every
outcome it consumed, so no issuer's cap is ever exceeded).

``parse_rule`` turns the API's JSON (``../shared/API.md``: ``target, criteria, grants, caps,
requires_review, valid_from, valid_to``) into a :class:`RuleVersion`, refusing malformed data with
a :class:`RuleError` naming the field. ``canonical()`` is UTF-8 JSON with sorted keys and no
insignificant white space (RFC 8785 for these values: strings, integers, booleans and null;
amounts as decimal strings with two places, ratios with up to four, dates ``YYYY-MM-DD``);
``sha256()`` is the rule's ``hash``. docs/adr/0027 fixes the form; change ``CANONICAL_VERSION``
if it ever changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from creditbank.rules.domain.grades import Grade, GradeError, grade
from creditbank.rules.errors import ErrorCode

CANONICAL_VERSION = 1
PLACES = Decimal("0.01")
RATIO_PLACES = Decimal("0.0001")
MAX_CREDITS = Decimal("300.00")
MAX_HOURS = Decimal("20000.00")
#: The rounding steps a ratio grant may round down to.
STEPS = (Decimal("0.01"), Decimal("0.10"), Decimal("0.50"), Decimal("1.00"))
OUTCOME_TYPES = ("academic_credit", "vocational_certificate", "non_formal", "mooc", "work_experience", "award")
MAX_REQUIREMENTS = 20
MAX_LIST = 100
_CODE = re.compile(r"\A[0-9A-Za-z][0-9A-Za-z._/-]{0,63}\Z")
_AMOUNT = re.compile(r"\A[0-9]{1,7}(\.[0-9]{1,2})?\Z")
_RATIO = re.compile(r"\A[0-9](\.[0-9]{1,4})?\Z")


class RuleError(ValueError):
    """Malformed rule data: ``code`` (rules.errors.ErrorCode), ``field`` (a dotted path such as
    ``criteria.requirements.1.min_level``) and a short English ``detail`` for logs."""

    def __init__(self, code: ErrorCode, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.code = code
        self.field = field
        self.detail = detail


class Combine(StrEnum):
    ANY_OF = "any_of"
    ALL_OF = "all_of"
    AT_LEAST = "at_least"


class GrantMode(StrEnum):
    FIXED = "fixed"
    RATIO = "ratio"


@dataclass(frozen=True)
class Target:
    institution: str
    programme: str
    course: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"institution": self.institution, "programme": self.programme, "course": self.course}


@dataclass(frozen=True)
class Requirement:
    """One source requirement; an outcome meets it when every stated condition holds."""

    types: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    min_level: int | None = None
    min_result: Grade | None = None
    max_age_months: int | None = None
    not_expired: bool = True
    min_hours: Decimal | None = None
    min_credits: Decimal | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "types": list(self.types),
            "codes": list(self.codes),
            "issuers": list(self.issuers),
            "min_level": self.min_level,
            "min_result": self.min_result.as_dict() if self.min_result else None,
            "max_age_months": self.max_age_months,
            "not_expired": self.not_expired,
            "min_hours": _amount_str(self.min_hours),
            "min_credits": _amount_str(self.min_credits),
        }


@dataclass(frozen=True)
class Criteria:
    combine: Combine
    requirements: tuple[Requirement, ...]
    #: for ``at_least``: how many distinct requirements must be met (None otherwise)
    n: int | None = None

    @property
    def needed(self) -> int:
        """How many (requirement, outcome) pairs a satisfying choice has."""
        if self.combine is Combine.ANY_OF:
            return 1
        if self.combine is Combine.ALL_OF:
            return len(self.requirements)
        return self.n or 0

    def as_dict(self) -> dict[str, object]:
        return {
            "combine": self.combine.value,
            "n": self.n,
            "requirements": [r.as_dict() for r in self.requirements],
        }


@dataclass(frozen=True)
class Grants:
    mode: GrantMode
    #: fixed mode: the credits granted
    credits: Decimal | None = None
    #: ratio mode: the share of the consumed outcomes' credits (0 < ratio ≤ 1)
    ratio: Decimal | None = None
    #: ratio mode: rounded down to a multiple of this step
    step: Decimal = PLACES
    grade: Grade | None = None
    exempts_course: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "mode": self.mode.value,
            "credits": _amount_str(self.credits),
            "ratio": f"{self.ratio.quantize(RATIO_PLACES)}" if self.ratio is not None else None,
            "rounding": "down",
            "step": f"{self.step.quantize(PLACES)}",
            "grade": self.grade.as_dict() if self.grade else None,
            "exempts_course": self.exempts_course,
        }


@dataclass(frozen=True)
class Caps:
    programme_total: Decimal | None = None
    per_academic_year: Decimal | None = None
    per_term: Decimal | None = None
    per_source_institution: Decimal | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "programme_total": _amount_str(self.programme_total),
            "per_academic_year": _amount_str(self.per_academic_year),
            "per_term": _amount_str(self.per_term),
            "per_source_institution": _amount_str(self.per_source_institution),
        }


@dataclass(frozen=True)
class RuleVersion:
    """One version of a conversion rule: ``code`` names the rule within its target institution
    (stable across versions), ``version`` counts from 1."""

    code: str
    version: int
    target: Target
    criteria: Criteria
    grants: Grants
    caps: Caps
    requires_review: bool
    valid_from: date
    valid_to: date | None = None

    def in_force(self, on: date) -> bool:
        """Whether ``on`` is within the validity window (both ends included)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def as_dict(self) -> dict[str, object]:
        return {
            "v": CANONICAL_VERSION,
            "kind": "conversion_rule",
            "code": self.code,
            "version": self.version,
            "target": self.target.as_dict(),
            "criteria": self.criteria.as_dict(),
            "grants": self.grants.as_dict(),
            "caps": self.caps.as_dict(),
            "requires_review": self.requires_review,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }

    def canonical(self) -> bytes:
        return canonical_json(self.as_dict())

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def canonical_json(value: object) -> bytes:
    """RFC 8785 bytes for values made of strings, integers, booleans, null, lists and objects."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _amount_str(value: Decimal | None) -> str | None:
    return f"{value.quantize(PLACES)}" if value is not None else None


# --- parsing the API's JSON ----------------------------------------------------------------


def parse_rule(data: Mapping[str, object], *, code: str, version: int) -> RuleVersion:
    """A rule version from the API's fields, or :class:`RuleError` for the first bad field."""
    target = parse_target(data.get("target"))
    criteria = parse_criteria(data.get("criteria"))
    grants = parse_grants(data.get("grants"))
    if grants.exempts_course and target.course is None:
        raise RuleError(ErrorCode.RULE_GRANTS_INVALID, "grants.exempts_course", "exempting needs a target course")
    caps = parse_caps(data.get("caps"))
    requires_review = data.get("requires_review", False)
    if not isinstance(requires_review, bool):
        raise RuleError(ErrorCode.RULE_GRANTS_INVALID, "requires_review", "true or false")
    valid_from = _date(data.get("valid_from"), "valid_from", required=True)
    valid_to = _date(data.get("valid_to"), "valid_to", required=False)
    assert valid_from is not None
    if valid_to is not None and valid_to < valid_from:
        raise RuleError(ErrorCode.RULE_DATES_INVALID, "valid_to", "on or after valid_from")
    return RuleVersion(code, version, target, criteria, grants, caps, requires_review, valid_from, valid_to)


def rule_code(value: object) -> str:
    """A rule's code within its institution (letters, digits and . _ / -), upper-cased."""
    return _code(value, "code", ErrorCode.RULE_CODE_INVALID).upper()


def parse_target(value: object) -> Target:
    data = _object(value, "target", ErrorCode.RULE_TARGET_INVALID, {"institution", "programme", "course"})
    institution = _code(data.get("institution"), "target.institution", ErrorCode.RULE_TARGET_INVALID).lower()
    programme = _code(data.get("programme"), "target.programme", ErrorCode.RULE_TARGET_INVALID)
    course = data.get("course")
    if course is None or course == "":
        return Target(institution, programme, None)
    return Target(institution, programme, _code(course, "target.course", ErrorCode.RULE_TARGET_INVALID))


def parse_criteria(value: object) -> Criteria:
    code = ErrorCode.RULE_CRITERIA_INVALID
    data = _object(value, "criteria", code, {"combine", "n", "requirements"})
    try:
        combine = Combine(str(data.get("combine", "any_of")))
    except ValueError:
        raise RuleError(code, "criteria.combine", "any_of, all_of or at_least") from None
    raw = data.get("requirements")
    if not isinstance(raw, list) or not raw:
        raise RuleError(code, "criteria.requirements", "a non-empty list")
    if len(raw) > MAX_REQUIREMENTS:
        raise RuleError(code, "criteria.requirements", f"at most {MAX_REQUIREMENTS}")
    requirements = tuple(parse_requirement(item, f"criteria.requirements.{i}") for i, item in enumerate(raw))
    n = data.get("n")
    if combine is Combine.AT_LEAST:
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= len(requirements):
            raise RuleError(code, "criteria.n", "an integer from 1 to the number of requirements")
        return Criteria(combine, requirements, n)
    if n is not None:
        raise RuleError(code, "criteria.n", "only at_least takes n")
    return Criteria(combine, requirements, None)


def parse_requirement(value: object, field: str) -> Requirement:
    code = ErrorCode.RULE_CRITERIA_INVALID
    known = {
        "types", "codes", "issuers", "min_level", "min_result", "max_age_months", "not_expired",
        "min_hours", "min_credits",
    }  # fmt: skip
    data = _object(value, field, code, known)
    types = _codes(data.get("types"), f"{field}.types")
    for t in types:
        if t not in OUTCOME_TYPES:
            raise RuleError(code, f"{field}.types", f"unknown outcome type {t!r}")
    requirement = Requirement(
        types=types,
        codes=_codes(data.get("codes"), f"{field}.codes", fold="upper"),
        issuers=_codes(data.get("issuers"), f"{field}.issuers", fold="lower"),
        min_level=_int(data.get("min_level"), f"{field}.min_level", 1, 10),
        min_result=_grade(data.get("min_result"), f"{field}.min_result", code),
        max_age_months=_int(data.get("max_age_months"), f"{field}.max_age_months", 1, 1200),
        not_expired=_bool(data.get("not_expired", True), f"{field}.not_expired", code),
        min_hours=_amount(data.get("min_hours"), f"{field}.min_hours", code, MAX_HOURS),
        min_credits=_amount(data.get("min_credits"), f"{field}.min_credits", code, MAX_CREDITS),
    )
    if requirement == Requirement(not_expired=requirement.not_expired):
        raise RuleError(code, field, "a requirement states at least one condition")
    return requirement


def parse_grants(value: object) -> Grants:
    code = ErrorCode.RULE_GRANTS_INVALID
    data = _object(value, "grants", code, {"mode", "credits", "ratio", "rounding", "step", "grade", "exempts_course"})
    try:
        mode = GrantMode(str(data.get("mode", "")))
    except ValueError:
        raise RuleError(code, "grants.mode", "fixed or ratio") from None
    if data.get("rounding", "down") != "down":
        raise RuleError(code, "grants.rounding", "grants round down only, so they never create credit")
    grade_ = _grade(data.get("grade"), "grants.grade", code)
    exempts = _bool(data.get("exempts_course", False), "grants.exempts_course", code)
    if mode is GrantMode.FIXED:
        if data.get("ratio") is not None:
            raise RuleError(code, "grants.ratio", "a fixed grant has no ratio")
        amount = _amount(data.get("credits"), "grants.credits", code, MAX_CREDITS)
        if amount is None:
            raise RuleError(code, "grants.credits", "a fixed grant states its credits")
        return Grants(mode, credits=amount, grade=grade_, exempts_course=exempts)
    if data.get("credits") is not None:
        raise RuleError(code, "grants.credits", "a ratio grant has no fixed credits")
    raw = data.get("ratio")
    if not isinstance(raw, str) or not _RATIO.match(raw.strip()):
        raise RuleError(code, "grants.ratio", "a decimal string such as 0.5 (at most four places)")
    ratio = Decimal(raw.strip()).quantize(RATIO_PLACES)
    if not Decimal(0) < ratio <= Decimal(1):
        raise RuleError(code, "grants.ratio", "greater than 0 and at most 1")
    step_raw = data.get("step", "0.01")
    try:
        step = Decimal(str(step_raw)).quantize(PLACES)
    except (InvalidOperation, ValueError):
        step = Decimal(-1)
    if step not in STEPS or isinstance(step_raw, bool | float):
        raise RuleError(code, "grants.step", "one of 0.01, 0.10, 0.50, 1.00")
    return Grants(mode, ratio=ratio, step=step, grade=grade_, exempts_course=exempts)


def parse_caps(value: object) -> Caps:
    if value is None:
        return Caps()
    code = ErrorCode.RULE_CAPS_INVALID
    names = ("programme_total", "per_academic_year", "per_term", "per_source_institution")
    data = _object(value, "caps", code, set(names))
    amounts = [_amount(data.get(name), f"caps.{name}", code, Decimal("9999.99")) for name in names]
    return Caps(*amounts)


def _object(value: object, field: str, code: ErrorCode, known: set[str]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise RuleError(code, field, "an object")
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise RuleError(code, f"{field}.{unknown[0]}", "not a field of this object")
    return value


def _code(value: object, field: str, code: ErrorCode) -> str:
    if not isinstance(value, str) or not _CODE.match(value.strip()):
        raise RuleError(code, field, "a code of letters, digits and . _ / - (at most 64)")
    return value.strip()


def _codes(value: object, field: str, *, fold: str = "") -> tuple[str, ...]:
    """A list of codes, each checked, folded (``upper`` for course and certificate codes, ``lower``
    for institution codes: the forms the outcomes context stores), without repeats, sorted."""
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) > MAX_LIST:
        raise RuleError(ErrorCode.RULE_CRITERIA_INVALID, field, f"a list of at most {MAX_LIST} codes")
    codes = {_code(item, field, ErrorCode.RULE_CRITERIA_INVALID) for item in value}
    if fold == "upper":
        codes = {c.upper() for c in codes}
    elif fold == "lower":
        codes = {c.lower() for c in codes}
    return tuple(sorted(codes))


def _int(value: object, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RuleError(ErrorCode.RULE_CRITERIA_INVALID, field, f"an integer from {low} to {high}")
    return value


def _bool(value: object, field: str, code: ErrorCode) -> bool:
    if not isinstance(value, bool):
        raise RuleError(code, field, "true or false")
    return value


def _amount(value: object, field: str, code: ErrorCode, maximum: Decimal) -> Decimal | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _AMOUNT.match(value.strip()):
        raise RuleError(code, field, "a decimal string with at most two places")
    amount = Decimal(value.strip()).quantize(PLACES)
    if not Decimal(0) < amount <= maximum:
        raise RuleError(code, field, f"greater than 0 and at most {maximum}")
    return amount


def _grade(value: object, field: str, code: ErrorCode) -> Grade | None:
    if value is None:
        return None
    try:
        return grade(value)
    except GradeError as e:
        raise RuleError(code, field, str(e)) from None


def _date(value: object, field: str, *, required: bool) -> date | None:
    if value is None or value == "":
        if required:
            raise RuleError(ErrorCode.RULE_DATES_INVALID, field, "a date YYYY-MM-DD")
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise RuleError(ErrorCode.RULE_DATES_INVALID, field, "a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RuleError(ErrorCode.RULE_DATES_INVALID, field, "not a date in the calendar") from None


# --- the look-up keys of the rules index ---------------------------------------------------

ANY_KEY = "any"
#: search-only keys: the outcome types a rule's requirements name (never an index look-up key)
ABOUT_PREFIX = "about:"


def source_keys(rule: RuleVersion) -> frozenset[str]:
    """Keys under which ``rule`` is found from an outcome: ``code:<CODE>`` for a requirement
    naming codes, else ``type:<type>`` for one naming types, else ``any``. Every outcome a
    requirement can accept has one of that requirement's keys among :func:`outcome_keys`."""
    keys: set[str] = set()
    for req in rule.criteria.requirements:
        if req.codes:
            keys.update(f"code:{c}" for c in req.codes)
        elif req.types:
            keys.update(f"type:{t}" for t in req.types)
        else:
            keys.add(ANY_KEY)
    return frozenset(keys)


def outcome_keys(outcome_type: str, code: str) -> frozenset[str]:
    """The keys under which rules that might accept an outcome of this type and code are found."""
    keys = {f"type:{outcome_type}", ANY_KEY}
    if code:
        keys.add(f"code:{code.upper()}")
    return frozenset(keys)


def search_keys(rule: RuleVersion) -> frozenset[str]:
    """The index keys and ``about:<type>`` for every outcome type a requirement names, so the
    public search finds a rule by the types it accepts."""
    about = {f"{ABOUT_PREFIX}{t}" for req in rule.criteria.requirements for t in req.types}
    return source_keys(rule) | about
