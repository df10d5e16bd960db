"""Free text from people: trimmed, bounded, without control or bidirectional-override characters."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError, ErrorCode

_BIDI_AND_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u2060",
}  # fmt: skip


def clean_text(value: Any, *, field: str, max_length: int, required: bool = False, multiline: bool = False) -> str:
    """Codes: ``required``, ``too_long``, ``invalid_characters``."""
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text).strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if required and not text:
        raise DomainError(ErrorCode.REQUIRED, _("This field is required."), field=field)
    if len(text) > max_length:
        raise DomainError(
            ErrorCode.TOO_LONG,
            _("At most %(n)d characters.") % {"n": max_length},
            field=field,
            extra={"max_length": max_length},
        )
    for ch in text:
        if ch in _BIDI_AND_INVISIBLE or (unicodedata.category(ch) == "Cc" and not (multiline and ch in "\n\t")):
            raise DomainError(
                ErrorCode.INVALID_CHARACTERS,
                _("Remove control or invisible characters from this field."),
                field=field,
            )
    return text
