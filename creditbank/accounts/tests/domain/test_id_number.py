from __future__ import annotations

from datetime import date

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.accounts.domain.id_number import (
    CHECK_CHARS,
    IdNumberError,
    check_char,
    normalise,
    parse_id_number,
)
from creditbank.accounts.domain.regions import RegionMatch

TODAY = date(2026, 12, 1)
_faker = Faker("zh_CN")


def code_of(raw: str) -> str:
    with pytest.raises(IdNumberError) as info:
        parse_id_number(raw, today=TODAY)
    return info.value.code


def test_standard_example_born_1880_passes() -> None:
    # GB 11643-1999's worked example: 11010519491231002X and 440524188001010014.
    assert parse_id_number("11010519491231002X", today=TODAY).gender == "F"
    parsed = parse_id_number("440524188001010014", today=TODAY)
    assert parsed.birth_date == date(1880, 1, 1)
    assert parsed.gender == "M"


def test_weights_and_check_string() -> None:
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"
    assert CHECK_CHARS == "10X98765432"


def test_decodes_region_birth_and_gender() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.value == "11010519491231002X"
    assert parsed.region_code == "110105"
    assert parsed.region_name == "朝阳区"
    assert parsed.region_match is RegionMatch.KNOWN
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.age_on(date(2026, 12, 30)) == 76
    assert parsed.age_on(date(2026, 12, 31)) == 77


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 1101 0519 4912 3100 2x ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),  # full-width digits, NFKC
        ("110105-19491231-002X", "11010519491231002X"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected
    assert parse_id_number(raw, today=TODAY).value == expected


def _with_check(body: str) -> str:
    return body + check_char(body)


def test_abolished_and_new_region_codes_both_pass() -> None:
    old = parse_id_number(_with_check("11010319800101001"), today=TODAY)  # 崇文区, abolished 2010
    assert old.region_match is RegionMatch.KNOWN
    assert old.region_historical is True
    new = parse_id_number(_with_check("35040519900101001"), today=TODAY)  # 沙县区, created 2021
    assert new.region_match is RegionMatch.KNOWN
    assert new.region_historical is False


def test_unknown_code_inside_known_province_is_accepted_and_flagged() -> None:
    parsed = parse_id_number(_with_check("11999919900101001"), today=TODAY)
    assert parsed.region_match is RegionMatch.PROVINCE_ONLY


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_number_required"),
        ("   ", "id_number_required"),
        ("110105491231002", "id_number_first_generation"),
        ("1101051949123100", "id_number_length"),
        ("11010519491231002XX", "id_number_length"),
        ("11010519491231002Y", "id_number_format"),
        ("1101051949123100X2", "id_number_format"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "id_number_format"),  # Arabic-Indic digits are not ASCII
        (_with_check("99010519900101001"), "id_number_region"),
        (_with_check("00010519900101001"), "id_number_region"),
        (_with_check("11010519900230001"), "id_number_birth_date"),
        (_with_check("11010519901301001"), "id_number_birth_date"),
        (_with_check("11010520270101001"), "id_number_birth_future"),
        (_with_check("11010518491231001"), "id_number_birth_too_old"),
        ("11010519491231002 1".replace(" ", ""), "id_number_checksum"),
    ],
)
def test_each_rule_has_its_code(raw: str, code: str) -> None:
    assert code_of(raw) == code


def test_leap_day_birth() -> None:
    assert parse_id_number(_with_check("11010520000229001"), today=TODAY).birth_date == date(2000, 2, 29)
    assert code_of(_with_check("11010519000229001")) == "id_number_birth_date"  # 1900 is not a leap year


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_every_faker_ssn_passes(seed: int) -> None:
    _faker.seed_instance(seed)
    number = _faker.ssn()
    parsed = parse_id_number(number, today=date.today())  # noqa: DTZ011 - Faker draws up to today
    assert parsed.value == number.upper()


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=17), st.integers(1, 9))
def test_every_single_character_mutation_fails(seed: int, position: int, delta: int) -> None:
    _faker.seed_instance(seed)
    number = _faker.ssn().upper()
    if position == 17:
        options = "0123456789X"
        mutated_char = options[(options.index(number[17]) + delta) % 11]
    else:
        mutated_char = str((int(number[position]) + delta) % 10)
    mutated = number[:position] + mutated_char + number[position + 1 :]
    assert mutated != number
    # A single substitution always breaks the MOD 11-2 check (or an earlier rule).
    with pytest.raises(IdNumberError):
        parse_id_number(mutated, today=date.today())  # noqa: DTZ011


def test_residence_permit_numbers_of_hong_kong_macau_taiwan_residents_pass() -> None:
    for prefix in ("810000", "820000", "830000"):
        parsed = parse_id_number(_with_check(prefix + "19900101001"), today=TODAY)
        assert parsed.region_match is RegionMatch.KNOWN
