"""An institution's own code (pure; no Django): the stable, URL-safe name it is known by in
paths (``/api/v1/institutions/{code}``) and in outcomes' ``issuer``.

Two to 32 characters of lower-case ASCII letters, digits and hyphens, starting with a letter or
digit and not ending with a hyphen, with no two hyphens in a row (``pku``, ``sh-open-univ``).
"""

from __future__ import annotations

import re

MIN_LENGTH = 2
MAX_LENGTH = 32
_SHAPE = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*")


class InstitutionCodeError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_institution_code(raw: str) -> str:
    """The code, or :class:`InstitutionCodeError`: ``institution_code_required``,
    ``institution_code_length``, ``institution_code_format`` (in this order). Nothing is
    folded: ``PKU`` is refused rather than silently becoming ``pku``, since the code is an
    identifier others store."""
    if not raw:
        raise InstitutionCodeError("institution_code_required")
    if not MIN_LENGTH <= len(raw) <= MAX_LENGTH:
        raise InstitutionCodeError("institution_code_length")
    if not raw.isascii() or _SHAPE.fullmatch(raw) is None:
        raise InstitutionCodeError("institution_code_format")
    return raw
