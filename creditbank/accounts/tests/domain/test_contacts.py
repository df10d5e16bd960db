import pytest

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
        ("li@例子.中国", "li@例子.中国"),
        ("a+tag@b.cn", "a+tag@b.cn"),
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
    ],
)
def test_bad_emails(raw: str, code: str) -> None:
    with pytest.raises(ContactError) as info:
        normalise_email(raw)
    assert info.value.code == code
