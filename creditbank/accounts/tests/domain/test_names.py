import pytest

from creditbank.accounts.domain.names import MAX_NAME_LENGTH, InvalidName, clean_name


@pytest.mark.parametrize(
    "name",
    [
        "张三",
        "阿依古丽·买买提",
        "爱新觉罗・溥仪",
        "Wang Lei",
        "Mary-Jane O'Neil",
        "José Álvarez",
        "欧阳娜娜",
        "  李四  ",
    ],
)
def test_real_names_pass_as_typed(name: str) -> None:
    assert clean_name(name) == name.strip()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "name_required"),
        ("   ", "name_required"),
        ("张" * (MAX_NAME_LENGTH + 1), "name_too_long"),
        ("张\u200b三", "name_invalid_characters"),  # zero-width space
        ("张\u202e三", "name_invalid_characters"),  # right-to-left override
        ("张\u2066三", "name_invalid_characters"),  # bidi isolate
        ("张\x00三", "name_invalid_characters"),
        ("张\n三", "name_invalid_characters"),
        ("<script>", "name_invalid_characters"),
        ("Robert'); DROP TABLE", "name_invalid_characters"),
        ("张三3", "name_invalid_characters"),
        ("Wang  Lei", "name_invalid_characters"),
        ("···", "name_invalid_characters"),
        ("😀", "name_invalid_characters"),
    ],
)
def test_bad_names_are_refused_with_a_code(name: str, code: str) -> None:
    with pytest.raises(InvalidName) as info:
        clean_name(name)
    assert info.value.code == code


def test_longest_allowed_name() -> None:
    assert clean_name("张" * MAX_NAME_LENGTH) == "张" * MAX_NAME_LENGTH
