from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.institutions.domain.uscc import (
    CATEGORIES,
    CHARSET,
    WEIGHTS,
    UsccError,
    check_char,
    normalise,
    organisation_check_char,
    parse_uscc,
)

#: Codes as published (business licences, registers of public institutions); each passes both
#: check characters, computed independently of this module in the tests below.
PUBLISHED = ["91350100M000100Y43", "12100000400000624D", "91110000802100433B", "91440300708461136T"]


def code_of(raw: str) -> str:
    with pytest.raises(UsccError) as info:
        parse_uscc(raw)
    return info.value.code


def test_the_character_set_has_31_characters_without_i_o_z_s_v() -> None:
    assert len(CHARSET) == 31
    assert not set("IOZSV") & set(CHARSET)


def test_the_weights_are_the_standards() -> None:
    # GB 32100-2015 table 2: 3^(i-1) mod 31
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    parsed = parse_uscc(code)
    assert parsed.value == code
    assert (parsed.authority, parsed.category, parsed.division) == (code[0], code[1], code[2:8])
    assert parsed.organisation_code == code[8:17]


def test_the_commonly_cited_example_worked_by_hand() -> None:
    # 9 1 3 5 0 1 0 0 M 0 0 0 1 0 0 Y 4: M = 21, Y = 30
    values = [9, 1, 3, 5, 0, 1, 0, 0, 21, 0, 0, 0, 1, 0, 0, 30, 4]
    total = sum(v * w for v, w in zip(values, WEIGHTS, strict=True))
    assert total == 1640
    assert 31 - total % 31 == 3  # position 18 is "3"
    assert check_char("91350100M000100Y4") == "3"
    # organisation code M000100Y: 22*3 + 0 + 0 + 0 + 1*5 + 0 + 0 + 34*2 = 139; 11 - 139 mod 11 = 4
    assert organisation_check_char("M000100Y") == "4"


def test_thirty_one_is_written_as_zero() -> None:
    # find a body whose weighted sum is a multiple of 31: its check character is "0", never "31"
    body = "9135010000000000"
    for ch in CHARSET:
        first17 = body + ch
        total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
        if total % 31 == 0:
            assert check_char(first17) == "0"
            return
    pytest.fail("no body with a sum divisible by 31")


def test_organisation_check_ten_is_x_and_eleven_is_zero() -> None:
    assert organisation_check_char("00000006") == "X"  # 6 * 2 = 12: 11 - 1 = 10
    assert organisation_check_char("00000000") == "0"  # 0: 11 - 0 = 11


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "uscc_required"),
        ("   ", "uscc_required"),
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100Y433", "uscc_length"),
        ("91350100I000100Y43", "uscc_characters"),
        ("91350100O000100Y43", "uscc_characters"),
        ("91350100M000100Z43", "uscc_characters"),
        ("B1350100M000100Y43", "uscc_authority"),
        ("94350100M000100Y43", "uscc_category"),
        ("Y2350100M000100Y43", "uscc_category"),
        ("9135A100M000100Y43", "uscc_division"),
        ("91350100M000100Y53", "uscc_organisation_check"),
        ("91350100M000100Y44", "uscc_check"),
    ],
)
def test_each_rule_has_its_code(raw: str, code: str) -> None:
    assert code_of(raw) == code


def test_the_character_error_names_the_character_and_position() -> None:
    with pytest.raises(UsccError) as info:
        parse_uscc("91350100M000100S43")
    assert info.value.params == {"char": "S", "position": 16}


def test_input_is_normalised() -> None:
    assert normalise(" 9135 0100-m000100y43 ") == "91350100M000100Y43"
    assert parse_uscc("９１３５０１００Ｍ０００１００Ｙ４３").value == "91350100M000100Y43"  # full-width


def test_check_char_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="17"):
        check_char("91350100M000100Y")
    with pytest.raises(ValueError, match="17"):
        check_char("91350100M000100I4")
    with pytest.raises(ValueError, match="8"):
        organisation_check_char("m0001000")


# --- properties ----------------------------------------------------------------------------------


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """The first 17 characters of a code that passes every rule but the 18th character."""
    authority = draw(st.sampled_from(sorted(CATEGORIES)))
    category = draw(st.sampled_from(sorted(CATEGORIES[authority])))
    division = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    org8 = draw(st.text(alphabet=CHARSET, min_size=8, max_size=8))
    return authority + category + division + org8 + organisation_check_char(org8)


@given(bodies())
def test_any_body_with_its_computed_check_is_valid(body: str) -> None:
    code = body + check_char(body)
    assert parse_uscc(code).value == code


@given(bodies(), st.integers(min_value=0, max_value=17), st.sampled_from(CHARSET))
def test_any_single_character_change_is_refused(body: str, position: int, replacement: str) -> None:
    code = body + check_char(body)
    if code[position] == replacement:
        replacement = CHARSET[(CHARSET.index(replacement) + 1) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(UsccError):
        parse_uscc(changed)


@given(st.text(max_size=30))
def test_anything_is_either_valid_or_refused_with_a_known_code(raw: str) -> None:
    known = {
        "uscc_required", "uscc_length", "uscc_characters", "uscc_authority", "uscc_category",
        "uscc_division", "uscc_organisation_check", "uscc_check",
    }  # fmt: skip
    try:
        parse_uscc(raw)
    except UsccError as exc:
        assert exc.code in known
