"""Resident identity numbers per GB 11643-1999 (pure; no Django).

An 18-character number: 6-digit administrative region code (GB/T 2260), 8-digit birth date
(YYYYMMDD), 3-digit sequence (odd for men, even for women) and a check character computed
with ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11, check string "10X98765432").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from creditbank.accounts.domain.regions import RegionMatch, lookup_region
from creditbank.accounts.errors import ErrorCode

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARS = "10X98765432"
#: The standard's own worked example is of a person born in 1880, so do not cut at 1900.
EARLIEST_BIRTH = date(1850, 1, 1)

_SEPARATORS = {" ", "\t", "-", "\u3000"}


class IdNumberError(ValueError):
    """An ID number that breaks a rule; ``code`` is stable, ``params`` fill the message."""

    def __init__(self, code: ErrorCode, **params: object) -> None:
        super().__init__(str(code))
        self.code = code
        self.params = params


@dataclass(frozen=True)
class IdNumber:
    value: str
    region_code: str
    birth_date: date
    gender: str  # "M" or "F"
    region_match: RegionMatch
    region_name: str | None
    region_historical: bool

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def normalise(raw: str) -> str:
    """Strip spaces and dashes, fold full-width characters (NFKC), upper-case a final x."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(ch for ch in text if ch not in _SEPARATORS and not ch.isspace())
    return text.upper()


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_char needs exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def parse_id_number(raw: str, *, today: date) -> IdNumber:
    """Validate and decode an ID number, or raise :class:`IdNumberError` with a stable code.

    Codes, checked in this order: ``id_number_required``, ``id_number_first_generation``
    (15 digits), ``id_number_length``, ``id_number_format``, ``id_number_region``,
    ``id_number_birth_date``, ``id_number_birth_future``, ``id_number_birth_too_old``,
    ``id_number_checksum``.
    """
    value = normalise(raw)
    if not value:
        raise IdNumberError(ErrorCode.ID_NUMBER_REQUIRED)
    if len(value) == 15 and value.isascii() and value.isdigit():
        raise IdNumberError(ErrorCode.ID_NUMBER_FIRST_GENERATION)
    if len(value) != 18:
        raise IdNumberError(ErrorCode.ID_NUMBER_LENGTH, length=len(value))
    body, last = value[:17], value[17]
    if not (body.isascii() and body.isdigit()) or not (last == "X" or (last.isascii() and last.isdigit())):
        raise IdNumberError(ErrorCode.ID_NUMBER_FORMAT)

    match, region = lookup_region(value[:6])
    if match is RegionMatch.UNKNOWN_PROVINCE:
        raise IdNumberError(ErrorCode.ID_NUMBER_REGION, region=value[:6])

    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise IdNumberError(ErrorCode.ID_NUMBER_BIRTH_DATE, birth=value[6:14]) from exc
    if born > today:
        raise IdNumberError(ErrorCode.ID_NUMBER_BIRTH_FUTURE)
    if born < EARLIEST_BIRTH:
        raise IdNumberError(ErrorCode.ID_NUMBER_BIRTH_TOO_OLD)

    if check_char(body) != last:
        raise IdNumberError(ErrorCode.ID_NUMBER_CHECKSUM)

    return IdNumber(
        value=value,
        region_code=value[:6],
        birth_date=born,
        gender="M" if int(value[16]) % 2 == 1 else "F",
        region_match=match,
        region_name=region.name if region else None,
        region_historical=bool(region and region.historical),
    )
