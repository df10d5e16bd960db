"""Personal names as they appear on an ID document (pure; no Django).

A name is written either in Chinese characters (including the middle dot of transcribed names,
阿依古丽·买买提) or in Latin letters (José Álvarez, Mary-Jane O'Neil). It is stored in one
canonical form so that two visually identical names are the same string:

- NFKC: full-width letters become ordinary ones (Ｗａｎｇ → Wang), compatibility ideographs the
  unified ones, accents typed as combining marks are composed (e + ◌́ → é);
- the usual look-alikes of the middle dot (・ ･ ‧ • ∙ ⋅ ⸱ ꞏ) become ``·`` (U+00B7), curly and
  modifier apostrophes ``'``, non-breaking hyphens ``-``;
- runs of spaces (including the ideographic and the non-breaking space) become one space.

Refused, each with its own code and the offending character: digits, symbols, control,
zero-width and bidirectional characters and combining marks that compose with nothing
(``name_invalid_characters``); letters of other scripts, such as Cyrillic or Greek ones that
look Latin (``name_script_not_allowed``); a mix of scripts in one name
(``name_mixed_scripts``); punctuation without letters (``name_no_letters``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from creditbank.accounts.domain.scripts import HAN, LATIN, is_letter, script_of
from creditbank.accounts.errors import ErrorCode

MAX_NAME_LENGTH = 64
MIDDLE_DOT = "\u00b7"
ALLOWED_SCRIPTS = (HAN, LATIN)

#: Characters people type for the middle dot of a transcribed name, all stored as U+00B7.
MIDDLE_DOT_LOOKALIKES = frozenset(
    {
        "\u2027",  # ‧ hyphenation point
        "\u30fb",  # ・ katakana middle dot (what many Chinese IMEs produce; ･ folds into it)
        "\u2022",  # • bullet
        "\u2219",  # ∙ bullet operator
        "\u22c5",  # ⋅ dot operator
        "\u2e31",  # ⸱ word separator middle dot
        "\ua78f",  # ꞏ Latin letter sinological dot
        "\u16eb",  # ᛫ runic single punctuation
    }
)
_FOLD = {
    **dict.fromkeys(MIDDLE_DOT_LOOKALIKES, MIDDLE_DOT),
    "\u2019": "'",  # ’
    "\u2018": "'",  # ‘
    "\u02bc": "'",  # ʼ modifier letter apostrophe
    "\u02bb": "'",  # ʻ modifier letter turned comma (ʻokina)
    "\u2010": "-",  # ‐ hyphen (the non-breaking hyphen folds into it)
}
_PUNCTUATION = frozenset({MIDDLE_DOT, "-", "'", "."})
_SPACES = re.compile(r" {2,}")


class InvalidName(ValueError):
    """``code`` is stable; ``character`` is the offending character (if one is to blame),
    ``script`` its script and ``main_script`` the script of the rest of the name."""

    def __init__(self, code: ErrorCode, *, character: str = "", script: str = "", main_script: str = "") -> None:
        super().__init__(str(code))
        self.code = code
        self.character = character
        self.script = script
        self.main_script = main_script


def normalise_name(raw: str) -> str:
    """The canonical form (NFKC, folded look-alikes, single spaces, trimmed); no checks."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(_FOLD.get(ch, ch) for ch in text)
    return _SPACES.sub(" ", text).strip()


def clean_name(raw: str) -> str:
    """Return the canonical form of a name, or raise ``InvalidName``.

    Codes, in the order they are checked: ``name_required``, ``name_too_long``,
    ``name_invalid_characters``, ``name_no_letters``, ``name_script_not_allowed``,
    ``name_mixed_scripts``.
    """
    name = normalise_name(raw)
    if not name:
        raise InvalidName(ErrorCode.NAME_REQUIRED)
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidName(ErrorCode.NAME_TOO_LONG)
    for ch in name:
        if ch == " " or ch in _PUNCTUATION or is_letter(ch):
            continue
        # Cc control, Cf format (zero-width, bidi), M (a mark left over after composition),
        # N digits, S symbols, other punctuation, other spaces (tab, line breaks)…
        raise InvalidName(ErrorCode.NAME_INVALID_CHARACTERS, character=ch)
    letters = [(ch, script_of(ch) or "") for ch in name if is_letter(ch)]
    if not letters:
        raise InvalidName(ErrorCode.NAME_NO_LETTERS)
    scripts = Counter(script for _ch, script in letters)
    allowed_present = [s for s in ALLOWED_SCRIPTS if s in scripts]
    foreign = next(((ch, s) for ch, s in letters if s not in ALLOWED_SCRIPTS), None)
    if foreign is not None:
        ch, script = foreign
        if not allowed_present:
            raise InvalidName(ErrorCode.NAME_SCRIPT_NOT_ALLOWED, character=ch, script=script)
        main = max(allowed_present, key=lambda s: scripts[s])
        raise InvalidName(ErrorCode.NAME_MIXED_SCRIPTS, character=ch, script=script, main_script=main)
    if len(scripts) > 1:
        # Chinese characters and Latin letters together: the name is taken to be written in
        # the script it starts with, and the first letter of the other is named.
        main = letters[0][1]
        ch, script = next((ch, s) for ch, s in letters if s != main)
        raise InvalidName(ErrorCode.NAME_MIXED_SCRIPTS, character=ch, script=script, main_script=main)
    return name
