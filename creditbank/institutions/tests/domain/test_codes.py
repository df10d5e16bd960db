from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.institutions.domain.codes import InstitutionCodeError, parse_institution_code


@pytest.mark.parametrize("raw", ["pku", "sh-open-univ", "a1", "x" * 32, "10086", "a-b-c"])
def test_valid_codes(raw: str) -> None:
    assert parse_institution_code(raw) == raw


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "institution_code_required"),
        ("a", "institution_code_length"),
        ("x" * 33, "institution_code_length"),
        ("PKU", "institution_code_format"),
        ("-pku", "institution_code_format"),
        ("pku-", "institution_code_format"),
        ("p--ku", "institution_code_format"),
        ("pk_u", "institution_code_format"),
        ("北大", "institution_code_format"),
        ("pk u", "institution_code_format"),
        ("ｐｋｕ", "institution_code_format"),
    ],
)
def test_refused_codes(raw: str, code: str) -> None:
    with pytest.raises(InstitutionCodeError) as info:
        parse_institution_code(raw)
    assert info.value.code == code


@given(st.text(max_size=40))
def test_a_valid_code_is_url_safe(raw: str) -> None:
    try:
        value = parse_institution_code(raw)
    except InstitutionCodeError:
        return
    assert set(value) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert 2 <= len(value) <= 32
