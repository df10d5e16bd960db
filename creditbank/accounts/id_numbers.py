"""Resident ID numbers (GB 11643-1999, GB/T 2260 region codes) for the rest of the project.

The public face of the pure rules in ``accounts.domain.id_number``: other contexts (identity's
providers and recognition, profiles' change requests) use these names, never the domain package.
A refused number is raised as :class:`DomainError` with the rule's stable code and its message in
the reader's language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.domain.id_number import IdNumber, IdNumberError, check_char, normalise, parse_id_number
from creditbank.accounts.domain.regions import RegionMatch, lookup_region
from creditbank.accounts.errors import ErrorCode
from creditbank.kernel.errors import DomainError

__all__ = [
    "IdNumber",
    "check_char",
    "id_number_message",
    "id_number_normalise",
    "id_number_parse",
    "region_flagged",
    "region_name",
]

_MESSAGES: dict[str, Any] = {
    ErrorCode.ID_NUMBER_REQUIRED: _("Enter your 18-character resident ID number."),
    ErrorCode.ID_NUMBER_FIRST_GENERATION: _(
        "This is a 15-digit first-generation ID number. Enter the 18-character number on your "
        "current (second-generation) ID card."
    ),
    ErrorCode.ID_NUMBER_LENGTH: _("A resident ID number has 18 characters: 17 digits and a final digit or X."),
    ErrorCode.ID_NUMBER_FORMAT: _("A resident ID number has 17 digits followed by a digit or the letter X."),
    ErrorCode.ID_NUMBER_REGION: _(
        "The first six digits are not a known administrative region code. Check the number on your ID card."
    ),
    ErrorCode.ID_NUMBER_BIRTH_DATE: _("Digits 7 to 14 must be a real birth date (YYYYMMDD). Check the number."),
    ErrorCode.ID_NUMBER_BIRTH_FUTURE: _("The birth date in this number is in the future. Check the number."),
    ErrorCode.ID_NUMBER_BIRTH_TOO_OLD: _("The birth date in this number is too far in the past. Check the number."),
    ErrorCode.ID_NUMBER_CHECKSUM: _(
        "The last character does not match the others (check digit). One of the characters is probably "
        "mistyped: compare it with your ID card."
    ),
}


def today() -> date:
    return timezone.localdate()


def id_number_message(code: str) -> Any:
    """The message (lazy, translated when shown) for a rule's code, e.g. ``id_number_checksum``."""
    return _MESSAGES[code]


def id_number_normalise(raw: str) -> str:
    """Spaces and dashes dropped, full-width characters folded, a final ``x`` upper-cased."""
    return normalise(raw)


def id_number_parse(raw: str, *, field: str = "id_number") -> IdNumber:
    """Parse an ID number or raise a :class:`DomainError` with the rule's code and message."""
    try:
        return parse_id_number(raw, today=today())
    except IdNumberError as exc:
        raise DomainError(exc.code, _MESSAGES[exc.code], field=field) from exc


def region_flagged(parsed: IdNumber) -> bool:
    """The region code is unknown inside a known province: accepted, and shown to reviewers."""
    return parsed.region_match is RegionMatch.PROVINCE_ONLY


def region_name(code6: str) -> str | None:
    """The name of a GB/T 2260 division (current or historical) for its six-digit code, or None
    when the code is not in the table or is not six ASCII digits. Other contexts (an
    institution's region) check a region code with it."""
    if len(code6) != 6 or not code6.isascii() or not code6.isdigit():
        return None
    match, region = lookup_region(code6)
    return region.name if match is RegionMatch.KNOWN and region is not None else None
