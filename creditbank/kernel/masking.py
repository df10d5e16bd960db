"""Masking of personal information for display and for log lines."""

from __future__ import annotations

import logging
import re

_ID_RE = re.compile(r"(?<![0-9])([1-9][0-9]{5})(?:19|20|18)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx](?![0-9])")
_PHONE_RE = re.compile(r"(?<![0-9])(?:\+?86)?(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def mask_id_number(value: str | None) -> str:
    """``110105199001011234`` → ``110105********1234`` (first six, last four)."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``+8613812345678`` or ``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    digits = value[3:] if value.startswith("+86") else value
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def mask_email(value: str | None) -> str:
    """``zhang.san@example.com`` → ``z***@example.com``."""
    if not value or "@" not in value:
        return ""
    local, _, domain = value.rpartition("@")
    return (local[:1] or "*") + "***@" + domain


def mask_text(text: str) -> str:
    """Mask anything in free text that looks like an ID number or a mainland mobile number."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class MaskPiiFilter(logging.Filter):
    """A logging filter that masks ID numbers and phone numbers in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
