"""Results in four schemes: parsing, normalisation, the floors table and comparison across schemes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.rules.domain.grades import Grade, GradeError, Scheme, grade


def g(scheme: str, value: object) -> Grade:
    return grade({"scheme": scheme, "value": value})


def refusal(value: object) -> str:
    with pytest.raises(GradeError) as info:
        grade(value)
    return str(info.value)


# --- parsing and normalisation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalised"),
    [("86", "86.00"), ("86.5", "86.50"), ("72.25", "72.25"), (" 72.25 ", "72.25"), ("0", "0.00"), ("100", "100.00"),
     ("100.00", "100.00"), ("007", "7.00")],
)  # fmt: skip
def test_percentage_is_a_decimal_string_with_two_places(value: str, normalised: str) -> None:
    assert g("percentage", value) == Grade(Scheme.PERCENTAGE, normalised)


@pytest.mark.parametrize(
    ("value", "normalised"), [("3", "3.00"), ("3.5", "3.50"), ("4.00", "4.00"), ("0", "0.00"), ("0.99", "0.99")]
)
def test_gpa4_is_a_decimal_string_from_0_to_4(value: str, normalised: str) -> None:
    assert g("gpa4", value) == Grade(Scheme.GPA4, normalised)


@pytest.mark.parametrize(
    ("value", "normalised"),
    [("优", "优"), ("良", "良"), ("中", "中"), ("及格", "及格"), ("不及格", "不及格"), (" 良 ", "良"),
     ("excellent", "优"), ("Good", "良"), ("FAIR", "中"), ("pass", "及格"), ("Fail", "不及格")],
)  # fmt: skip
def test_five_level_is_chinese_with_english_aliases(value: str, normalised: str) -> None:
    assert g("five_level", value) == Grade(Scheme.FIVE_LEVEL, normalised)


@pytest.mark.parametrize(("value", "normalised"), [("pass", "pass"), ("PASS", "pass"), (" Fail ", "fail")])
def test_pass_fail_is_lower_case_english(value: str, normalised: str) -> None:
    assert g("pass_fail", value) == Grade(Scheme.PASS_FAIL, normalised)


@pytest.mark.parametrize(
    "value", ["100.01", "101", "999", "-1", "86.123", "1e2", "86.", ".5", "8 6", "", "abc", "NaN", 86, 86.5, None, True]
)
def test_a_bad_percentage_is_refused(value: object) -> None:
    assert refusal({"scheme": "percentage", "value": value}) == "a decimal string from 0 to 100"


@pytest.mark.parametrize("value", ["4.01", "4.5", "5", "-0.5", "3.333", "", 3, "A"])
def test_a_bad_gpa_is_refused(value: object) -> None:
    assert refusal({"scheme": "gpa4", "value": value}) == "a decimal string from 0 to 4"


@pytest.mark.parametrize("value", ["A", "优秀", "合格", "very good", "", 90, None])
def test_a_bad_five_level_value_is_refused(value: object) -> None:
    assert refusal({"scheme": "five_level", "value": value}) == "one of 优 良 中 及格 不及格"


@pytest.mark.parametrize("value", ["及格", "合格", "通过", "passed", "yes", "", True, None])
def test_a_bad_pass_fail_value_is_refused(value: object) -> None:
    assert refusal({"scheme": "pass_fail", "value": value}) == "pass or fail"


@pytest.mark.parametrize(
    "value",
    ["86", None, ["percentage", "86"], {"scheme": "percentage"}, {"value": "86"},
     {"scheme": "percentage", "value": "86", "max": "100"}],
)  # fmt: skip
def test_a_result_is_an_object_of_scheme_and_value(value: object) -> None:
    assert refusal(value) == 'an object {"scheme", "value"}'


@pytest.mark.parametrize("scheme", ["letter", "PERCENTAGE", "gpa5", "", None])
def test_an_unknown_scheme_is_refused(scheme: object) -> None:
    assert refusal({"scheme": scheme, "value": "86"}) == "scheme: percentage, five_level, pass_fail or gpa4"


def test_a_grade_passes_through_unchanged() -> None:
    good = Grade(Scheme.FIVE_LEVEL, "良")
    assert grade(good) is good


def test_as_dict_and_text() -> None:
    assert g("percentage", "86").as_dict() == {"scheme": "percentage", "value": "86.00"}
    assert str(g("five_level", "good")) == "良 (five_level)"
    assert str(g("gpa4", "3")) == "3.00 (gpa4)"
    assert str(g("pass_fail", "PASS")) == "pass (pass_fail)"


# --- the floors table ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "value", "floor"),
    [
        ("five_level", "优", "90"), ("five_level", "良", "80"), ("five_level", "中", "70"),
        ("five_level", "及格", "60"), ("five_level", "不及格", "0"),
        ("pass_fail", "pass", "60"), ("pass_fail", "fail", "0"),
        ("gpa4", "4.00", "90.00"), ("gpa4", "3.00", "80.00"), ("gpa4", "2.50", "75.00"), ("gpa4", "1.00", "60.00"),
        ("gpa4", "0.99", "0"), ("gpa4", "0.00", "0"),
        ("percentage", "86.50", "86.50"), ("percentage", "0", "0.00"), ("percentage", "100", "100.00"),
    ],
)  # fmt: skip
def test_floors(scheme: str, value: str, floor: str) -> None:
    assert g(scheme, value).floor == Decimal(floor)


# --- meets() across schemes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "minimum", "meets"),
    [
        (("pass_fail", "pass"), ("five_level", "及格"), True),
        (("pass_fail", "pass"), ("five_level", "中"), False),
        (("pass_fail", "pass"), ("five_level", "良"), False),
        (("five_level", "及格"), ("pass_fail", "pass"), True),
        (("pass_fail", "fail"), ("pass_fail", "pass"), False),
        (("pass_fail", "pass"), ("percentage", "60"), True),
        (("pass_fail", "pass"), ("percentage", "60.01"), False),
        (("gpa4", "3.0"), ("percentage", "80"), True),
        (("gpa4", "2.99"), ("percentage", "80"), False),
        (("percentage", "80"), ("gpa4", "3.0"), True),
        (("percentage", "79.99"), ("gpa4", "3.0"), False),
        (("gpa4", "3.0"), ("five_level", "良"), True),
        (("gpa4", "3.0"), ("five_level", "优"), False),
        (("gpa4", "4.0"), ("five_level", "优"), True),
        (("gpa4", "1.0"), ("pass_fail", "pass"), True),
        (("gpa4", "0.99"), ("pass_fail", "pass"), False),
        (("percentage", "85"), ("five_level", "良"), True),
        (("percentage", "79.99"), ("five_level", "良"), False),
        (("five_level", "良"), ("percentage", "80"), True),
        (("five_level", "良"), ("percentage", "80.01"), False),
        (("five_level", "优"), ("gpa4", "4.0"), True),
        (("five_level", "良"), ("gpa4", "3.01"), False),
        (("percentage", "0"), ("five_level", "不及格"), True),
        (("pass_fail", "fail"), ("five_level", "不及格"), True),
    ],
)
def test_meets_across_schemes(result: tuple[str, str], minimum: tuple[str, str], meets: bool) -> None:
    assert g(*result).meets(g(*minimum)) is meets


numbers = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
gpas = st.decimals(min_value=0, max_value=4, places=2, allow_nan=False, allow_infinity=False)
any_grade = st.one_of(
    numbers.map(lambda d: g("percentage", f"{d}")),
    gpas.map(lambda d: g("gpa4", f"{d}")),
    st.sampled_from(["优", "良", "中", "及格", "不及格"]).map(lambda v: g("five_level", v)),
    st.sampled_from(["pass", "fail"]).map(lambda v: g("pass_fail", v)),
)


@given(numbers)
def test_a_percentage_floor_is_its_value(value: Decimal) -> None:
    assert g("percentage", f"{value}").floor == value


@given(gpas)
def test_a_gpa_floor_is_50_plus_10_times_from_1_0(value: Decimal) -> None:
    assert g("gpa4", f"{value}").floor == (Decimal(0) if value < 1 else 50 + 10 * value)


@given(any_grade)
def test_normalising_twice_changes_nothing(value: Grade) -> None:
    assert grade(value.as_dict()) == value
    assert value.meets(value)


@given(any_grade, any_grade, any_grade)
def test_meets_is_an_order_of_floors(a: Grade, b: Grade, c: Grade) -> None:
    assert a.meets(b) is (a.floor >= b.floor)
    assert a.meets(b) or b.meets(a)
    if a.meets(b) and b.meets(c):
        assert a.meets(c)
