import logging

from creditbank.kernel.masking import MaskPiiFilter, mask_email, mask_id_number, mask_phone, mask_text


def test_masks() -> None:
    assert mask_id_number("110105194912310021") == "110105********0021"
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_email("zhang.san@example.com") == "z***@example.com"
    assert mask_id_number("") == ""


def test_free_text_masking() -> None:
    text = "user 11010519491231002X phone 13812345678 and +8613900001111"
    assert mask_text(text) == "user 110105********002X phone 138****5678 and 139****1111"


def test_log_filter_masks_args() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "id=%s phone=%s", ("11010519491231002X", "13812345678"), None
    )
    assert MaskPiiFilter().filter(record) is True
    assert record.getMessage() == "id=110105********002X phone=138****5678"


def test_domain_error_combine_keeps_every_field() -> None:
    from creditbank.kernel.errors import DomainError

    combined = DomainError.combine(
        [DomainError("a_code", "first", field="name"), DomainError("b_code", "second", field="phone", status=409)]
    )
    assert combined.code == "a_code"
    assert combined.status == 400
    assert combined.errors == {"name": ["first"], "phone": ["second"]}
