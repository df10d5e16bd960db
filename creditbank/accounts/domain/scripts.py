"""Which writing system a letter belongs to, and how to name a character in a message (pure).

Python's ``unicodedata`` has no Script property, so the script is read from the character's
Unicode name (``LATIN SMALL LETTER A``, ``CYRILLIC SMALL LETTER A``, ``CJK UNIFIED
IDEOGRAPH-5F20``): enough to tell the scripts a name or an email address may use from the
ones that only look like them.
"""

from __future__ import annotations

import unicodedata

HAN = "han"
LATIN = "latin"
#: Scripts whose letters can pass for Latin ones (а/a, о/o, ο/o, р/p, ѕ/s, і/i …).
LATIN_LOOKALIKES = frozenset({"cyrillic", "greek"})

_HAN_PREFIXES = ("CJK UNIFIED IDEOGRAPH-", "CJK COMPATIBILITY IDEOGRAPH-")
#: 〇 (U+3007) is a Han character used in names although Unicode files it as a number.
_HAN_EXTRA = frozenset({"\u3007"})
_SCRIPT_WORDS = {"LATIN": LATIN, "CYRILLIC": "cyrillic", "GREEK": "greek", "COPTIC": "greek"}


def is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") or ch in _HAN_EXTRA


def script_of(ch: str) -> str | None:
    """``han``, ``latin``, ``cyrillic``, ``greek`` or another lower-case script word for a
    letter; ``None`` for anything that is not a letter."""
    if not is_letter(ch):
        return None
    name = unicodedata.name(ch, "")
    if ch in _HAN_EXTRA or name.startswith(_HAN_PREFIXES):
        return HAN
    first = name.split(" ", 1)[0]
    return _SCRIPT_WORDS.get(first, first.lower() or "unknown")


def describe_character(ch: str) -> str:
    """``“а” (U+0430 CYRILLIC SMALL LETTER A)``; invisible characters and lone combining marks
    only by code point and name (``U+200B ZERO WIDTH SPACE``), so nothing hides in a message."""
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    label = f"{code} {name}" if name else code
    category = unicodedata.category(ch)
    if category[0] in {"C", "Z", "M"} or not ch.isprintable():
        return label
    return f"“{ch}” ({label})"
