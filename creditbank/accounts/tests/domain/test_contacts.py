import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.accounts.domain.contacts import ContactError, normalise_email, normalise_phone


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "008613812345678",
        "8613812345678",
        "１３８１２３４５６７８",
        "(138)12345678",
    ],
)
def test_phone_forms_normalise_to_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+8613812345678"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "phone_required"),
        ("12345678901", "phone_invalid"),
        ("1381234567", "phone_invalid"),
        ("138123456789", "phone_invalid"),
        ("+1 415 555 0100", "phone_invalid"),
        ("010-12345678", "phone_invalid"),
        ("1381234567x", "phone_invalid"),
    ],
)
def test_bad_phones(raw: str, code: str) -> None:
    with pytest.raises(ContactError) as info:
        normalise_phone(raw)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Zhang.San@Example.COM ", "Zhang.San@example.com"),
        ("a+tag@b.cn", "a+tag@b.cn"),
        # full-width letters, at sign and dots (a Chinese IME in full-width mode)
        ("ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ", "li@example.com"),
        ("li@example。com", "li@example.com"),  # the ideographic full stop
        # internationalised domains are kept in their one ASCII (IDNA 2008) form
        ("li@例子.中国", "li@xn--fsqu00a.xn--fiqs8s"),
        ("li@例子。中国", "li@xn--fsqu00a.xn--fiqs8s"),
        ("li@XN--FSQU00A.xn--fiqs8s", "li@xn--fsqu00a.xn--fiqs8s"),
        ("ivan@пример.рф", "ivan@xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_email_normalised(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "email_required"),
        ("no-at-sign", "email_invalid"),
        ("a@b", "email_invalid"),
        ("a@@b.cn", "email_invalid"),
        ("a@b.cn\r\nBcc: victim@x.cn", "email_invalid"),
        ("a\n@b.cn", "email_invalid"),
        ("a b@c.cn", "email_invalid"),
        (".a@b.cn", "email_invalid"),
        ("a..b@c.cn", "email_invalid"),
        ("a@-b.cn", "email_invalid"),
        ("x" * 65 + "@b.cn", "email_invalid"),
        ("a@b.123", "email_invalid"),
        ("<a@b.cn>", "email_invalid"),
        ("a@b.cn.", "email_invalid"),
        ("a@b..cn", "email_invalid"),
        ("a@b_c.cn", "email_invalid"),
        ("a@xn--abc.cn", "email_invalid"),
        ("a\u00a0b@c.cn", "email_invalid"),  # a no-break space is a space
    ],
)
def test_bad_emails(raw: str, code: str) -> None:
    with pytest.raises(ContactError) as info:
        normalise_email(raw)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("raw", "code", "character"),
    [
        ("аdmin@example.com", "email_not_ascii", "а"),  # Cyrillic а before the @
        ("zhāng@example.com", "email_not_ascii", "ā"),
        ("张三@example.com", "email_not_ascii", "张"),
        ("admin@exаmple.com", "email_mixed_scripts", "а"),  # Cyrillic а inside a Latin label
        ("admin@gοοgle.com", "email_mixed_scripts", "ο"),  # Greek omicron
    ],
)
def test_look_alike_emails_are_refused_naming_the_character(raw: str, code: str, character: str) -> None:
    with pytest.raises(ContactError) as info:
        normalise_email(raw)
    assert info.value.code == code
    assert info.value.character == character


_LOCAL = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-"), min_size=1, max_size=20
)
_LABEL = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=12)


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@given(_LOCAL, st.lists(_LABEL, min_size=1, max_size=3), st.sampled_from(["com", "cn", "org"]), st.booleans())
def test_emails_normalise_to_one_ascii_form(local: str, labels: list[str], tld: str, wide: bool) -> None:
    typed = f"{local}@{'.'.join(labels)}.{tld}"
    canonical = normalise_email(typed.upper() if local.isupper() else typed)
    assert canonical.isascii()
    assert normalise_email(canonical) == canonical  # idempotent
    assert canonical.split("@")[1] == canonical.split("@")[1].lower()
    if wide:  # the full-width spelling is the same address
        assert normalise_email(" " + _full_width(typed) + " ").lower() == canonical.lower()


@given(st.text(max_size=80))
def test_any_input_is_a_canonical_ascii_email_or_a_coded_refusal(raw: str) -> None:
    try:
        email = normalise_email(raw)
    except ContactError as exc:
        assert exc.code in {"email_required", "email_invalid", "email_not_ascii", "email_mixed_scripts"}
        return
    assert email.isascii()
    assert email.count("@") == 1
    assert normalise_email(email) == email
