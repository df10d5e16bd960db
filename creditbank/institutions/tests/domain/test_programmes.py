from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.institutions.domain import programmes as p
from creditbank.institutions.models import PROGRAMME_CODE_SHAPE


@pytest.mark.parametrize("raw", ["CS", "080901", "cs-2024", "MATH101.A", "1X_WEB_2", "C" * 64, " CS "])
def test_valid_codes(raw: str) -> None:
    assert p.programme_code(raw) == raw.strip()
    assert p.course_code(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["", " ", "-CS", ".CS", "CS/2024", "CS 2024", "计算机", "ＣＳ", "C" * 65, None, 101])
def test_invalid_codes(raw: object) -> None:
    with pytest.raises(p.ProgrammeFieldError) as programme:
        p.programme_code(raw)
    assert (programme.value.code, programme.value.field) == ("programme_code_invalid", "code")
    with pytest.raises(p.ProgrammeFieldError) as course:
        p.course_code(raw, field="course")
    assert (course.value.code, course.value.field) == ("course_code_invalid", "course")


@given(st.text(max_size=70))
def test_the_domain_and_the_database_agree_on_codes(raw: str) -> None:
    try:
        accepted = p.programme_code(raw)
    except p.ProgrammeFieldError:
        assert re.fullmatch(PROGRAMME_CODE_SHAPE.strip("^$"), raw.strip(), re.ASCII) is None
    else:
        assert re.fullmatch(PROGRAMME_CODE_SHAPE.strip("^$"), accepted)


@pytest.mark.parametrize(
    ("raw", "total", "course"),
    [("160", "160.00", "160.00"), ("4.5", "4.50", "4.50"), ("0.01", "0.01", "0.01"), (Decimal("3"), "3.00", "3.00")],
)
def test_credits(raw: object, total: str, course: str) -> None:
    assert p.programme_credits(raw) == Decimal(total)
    assert p.course_credits(raw) == Decimal(course)


def test_the_bounds_of_credits() -> None:
    assert p.programme_credits("1000") == Decimal("1000.00")
    assert p.course_credits("300") == Decimal("300.00")
    with pytest.raises(p.ProgrammeFieldError) as info:
        p.course_credits("300.01")
    assert (info.value.code, info.value.field) == ("course_credits_invalid", "credits")
    with pytest.raises(p.ProgrammeFieldError) as info:
        p.programme_credits("1000.01")
    assert (info.value.code, info.value.field) == ("programme_credits_invalid", "total_credits")


@pytest.mark.parametrize("raw", ["0", "0.00", "-1", "+1", "1e2", "NaN", "1,000", "1.234", "", None, 160, 4.5, True])
def test_refused_credits(raw: object) -> None:
    with pytest.raises(p.ProgrammeFieldError):
        p.programme_credits(raw)
    with pytest.raises(p.ProgrammeFieldError):
        p.course_credits(raw)


@pytest.mark.parametrize(("raw", "value"), [(None, None), ("", None), (1, 1), (10, 10), ("6", 6), (" 7 ", 7)])
def test_levels(raw: object, value: int | None) -> None:
    assert p.level(raw) == value


@pytest.mark.parametrize("raw", [0, 11, -1, "11", "six", True, 5.0])
def test_refused_levels(raw: object) -> None:
    with pytest.raises(p.ProgrammeFieldError) as info:
        p.level(raw)
    assert (info.value.code, info.value.field) == ("programme_level_invalid", "level")
