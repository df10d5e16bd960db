import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.accounts.domain.names import (
    MAX_NAME_LENGTH,
    MIDDLE_DOT,
    MIDDLE_DOT_LOOKALIKES,
    InvalidName,
    clean_name,
)
from creditbank.accounts.domain.scripts import describe_character, script_of


@pytest.mark.parametrize(
    "name",
    [
        "张三",
        "阿依古丽·买买提",
        "Wang Lei",
        "Mary-Jane O'Neil",
        "José Álvarez",
        "欧阳娜娜",
        "王〇",
        "  李四  ",
    ],
)
def test_real_names_pass_unchanged_but_trimmed(name: str) -> None:
    assert clean_name(name) == name.strip()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("爱新觉罗・溥仪", "爱新觉罗·溥仪"),  # katakana middle dot (Chinese IMEs)
        ("阿依古丽•买买提", "阿依古丽·买买提"),  # bullet
        ("阿依古丽‧买买提", "阿依古丽·买买提"),  # hyphenation point
        ("阿依古丽･买买提", "阿依古丽·买买提"),  # half-width katakana middle dot
        ("阿依古丽∙买买提", "阿依古丽·买买提"),  # bullet operator
        ("阿依古丽⋅买买提", "阿依古丽·买买提"),  # dot operator
        ("阿依古丽ꞏ买买提", "阿依古丽·买买提"),  # Latin letter sinological dot
        ("阿依古丽\u0387买买提", "阿依古丽·买买提"),  # Greek ano teleia (NFKC)
        ("Ｗａｎｇ　Ｌｅｉ", "Wang Lei"),  # full-width letters and ideographic space
        ("Wang  Lei", "Wang Lei"),  # a double space is collapsed, not refused
        ("Wang \u00a0 \u3000Lei", "Wang Lei"),
        ("Jose\u0301", "José"),  # combining acute composed
        ("O\u2019Neil", "O'Neil"),
        ("Mary\u2011Jane", "Mary-Jane"),
    ],
)
def test_names_are_stored_in_one_canonical_form(typed: str, stored: str) -> None:
    assert clean_name(typed) == stored


@pytest.mark.parametrize(
    ("name", "code", "character"),
    [
        ("", "name_required", ""),
        ("   ", "name_required", ""),
        ("\u3000", "name_required", ""),
        ("张" * (MAX_NAME_LENGTH + 1), "name_too_long", ""),
        ("张\u200b三", "name_invalid_characters", "\u200b"),  # zero-width space
        ("张\u202e三", "name_invalid_characters", "\u202e"),  # right-to-left override
        ("张\u2066三", "name_invalid_characters", "\u2066"),  # bidi isolate
        ("张\x00三", "name_invalid_characters", "\x00"),
        ("张\n三", "name_invalid_characters", "\n"),
        ("<script>", "name_invalid_characters", "<"),
        ("Robert'); DROP TABLE", "name_invalid_characters", ")"),
        ("张三3", "name_invalid_characters", "3"),
        ("张三３", "name_invalid_characters", "3"),  # full-width digit, after NFKC
        ("😀", "name_invalid_characters", "😀"),
        ("张\u0301三", "name_invalid_characters", "\u0301"),  # a mark that composes with nothing
        ("Z\u0337a\u0337l\u0337g\u0337o", "name_invalid_characters", "\u0337"),
        ("···", "name_no_letters", ""),
        ("•-•", "name_no_letters", ""),
        ("Иван Петров", "name_script_not_allowed", "И"),
        ("Ωμέγα", "name_script_not_allowed", "Ω"),
        ("さくら", "name_script_not_allowed", "さ"),
        ("Ivаn", "name_mixed_scripts", "а"),  # Cyrillic а among Latin letters
        ("Аnna", "name_mixed_scripts", "А"),  # a Cyrillic capital first
        ("Nikοlaus", "name_mixed_scripts", "ο"),  # Greek omicron
        ("张三ivan", "name_mixed_scripts", "i"),
        ("张San", "name_mixed_scripts", "S"),
        ("王さくら", "name_mixed_scripts", "さ"),
    ],
)
def test_bad_names_are_refused_with_a_code_and_the_character(name: str, code: str, character: str) -> None:
    with pytest.raises(InvalidName) as info:
        clean_name(name)
    assert info.value.code == code
    assert info.value.character == character


def test_mixed_scripts_name_both_scripts() -> None:
    with pytest.raises(InvalidName) as info:
        clean_name("Ivаn")
    assert (info.value.script, info.value.main_script) == ("cyrillic", "latin")
    with pytest.raises(InvalidName) as info:
        clean_name("张三ivan")
    assert (info.value.script, info.value.main_script) == ("latin", "han")


def test_longest_allowed_name() -> None:
    assert clean_name("张" * MAX_NAME_LENGTH) == "张" * MAX_NAME_LENGTH


def test_characters_are_described_visibly() -> None:
    assert describe_character("а") == "“а” (U+0430 CYRILLIC SMALL LETTER A)"
    assert describe_character("\u200b") == "U+200B ZERO WIDTH SPACE"
    assert describe_character("\u0301") == "U+0301 COMBINING ACUTE ACCENT"
    assert describe_character("\x00") == "U+0000"
    assert script_of("张") == "han"
    assert script_of("é") == "latin"
    assert script_of("3") is None


# --- properties ---------------------------------------------------------------------------------

_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_LATIN = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüñçÁ")
_SEPARATORS = st.sampled_from([" ", "  ", "\u3000", "\u00a0", "-", "'", *sorted(MIDDLE_DOT_LOOKALIKES), MIDDLE_DOT])


def _joined(letters: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    word = st.text(letters, min_size=1, max_size=6)
    return st.tuples(word, st.lists(st.tuples(_SEPARATORS, word), max_size=3)).map(
        lambda t: t[0] + "".join(sep + w for sep, w in t[1])
    )


@given(_joined(_HAN) | _joined(_LATIN))
def test_valid_names_are_canonical_and_stable(raw: str) -> None:
    name = clean_name(raw)
    assert clean_name(name) == name  # idempotent
    assert unicodedata.normalize("NFKC", name) == name
    assert "  " not in name
    assert name == name.strip()
    assert not (set(name) & MIDDLE_DOT_LOOKALIKES)
    scripts = {script_of(ch) for ch in name} - {None}
    assert len(scripts) == 1
    assert scripts <= {"han", "latin"}


@given(st.text(max_size=80))
def test_any_input_is_either_a_clean_name_or_a_coded_refusal(raw: str) -> None:
    try:
        name = clean_name(raw)
    except InvalidName as exc:
        assert exc.code in {
            "name_required",
            "name_too_long",
            "name_invalid_characters",
            "name_no_letters",
            "name_script_not_allowed",
            "name_mixed_scripts",
        }
        if exc.code in {"name_invalid_characters", "name_script_not_allowed", "name_mixed_scripts"}:
            assert len(exc.character) == 1
        return
    assert clean_name(name) == name
    assert 1 <= len(name) <= MAX_NAME_LENGTH
    assert all(unicodedata.category(ch)[0] not in {"C", "M", "N", "S"} or ch == "〇" for ch in name)


@given(_joined(_LATIN), st.sampled_from("аеорсхіјѕАВЕКМНОРСТХοαν"))
def test_a_latin_look_alike_never_passes(latin: str, lookalike: str) -> None:
    with pytest.raises(InvalidName) as info:
        clean_name(latin + lookalike)
    assert info.value.code == "name_mixed_scripts"
    assert info.value.character == lookalike
