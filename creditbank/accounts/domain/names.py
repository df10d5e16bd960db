"""Personal names as people write them (pure; no Django).

Chinese names (including the middle dot of transcribed names, 阿依古丽·买买提) and Latin
names are accepted and stored as typed; control, zero-width and bidirectional-override
characters, digits and symbols are refused.
"""

from __future__ import annotations

import unicodedata

MAX_NAME_LENGTH = 64
#: Middle dots and joiners that transcribed names use: · ‧ ・ • and the hyphen/apostrophe/period.
_NAME_PUNCTUATION = {"\u00b7", "\u2027", "\u30fb", "\u2022", "\u2219", "-", "'", "\u2019", "."}


class InvalidName(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def clean_name(raw: str) -> str:
    """Return the name as typed (outer whitespace stripped) or raise ``InvalidName``.

    Codes: ``name_required``, ``name_too_long``, ``name_invalid_characters``.
    """
    name = (raw or "").strip()
    if not name:
        raise InvalidName("name_required")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidName("name_too_long")
    previous_space = False
    for ch in name:
        category = unicodedata.category(ch)
        if ch == " ":
            if previous_space:
                raise InvalidName("name_invalid_characters")
            previous_space = True
            continue
        previous_space = False
        if category[0] in {"L", "M"} or ch in _NAME_PUNCTUATION:
            continue
        # Cc control, Cf format (zero-width, bidi overrides), Cs/Co/Cn, digits, symbols…
        raise InvalidName("name_invalid_characters")
    if not any(unicodedata.category(ch)[0] == "L" for ch in name):
        raise InvalidName("name_invalid_characters")
    return name
