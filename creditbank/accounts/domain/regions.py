"""Administrative division codes (GB/T 2260) for the first six digits of a resident ID number.

The codes live in ``creditbank/accounts/data/regions.tsv`` (built by ``scripts/build_regions.py``
from open-licence packages; see ``data/NOTICE.md`` there). The file holds current codes and
historical ones (abolished or replaced codes that no longer appear in the newest list), because
an ID number keeps the code of the place where it was first issued.

Pure domain code: no Django import. The file is read once, on first use.

Malformed input (anything other than a string of exactly six ASCII digits) raises
:class:`ValueError`: callers check the shape of an ID number before looking up its region.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

#: Province-level codes of GB/T 2260 (the first two digits of a division code): the 31
#: provinces, autonomous regions and municipalities of the mainland, Taiwan (71), Hong Kong (81)
#: and Macau (82).
PROVINCE_PREFIXES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82"]
    + ["83"]  # residence permits of Taiwan residents (港澳台居民居住证: 810000, 820000, 830000)
)

_CODE = re.compile(r"[0-9]{6}")
_DATA_PACKAGE = "creditbank.accounts"
_DATA_FILE = ("data", "regions.tsv")
_STATUSES = {"current": False, "historical": True}


class RegionMatch(enum.Enum):
    """How well a six-digit code matches the table."""

    #: The exact code is in the table (current or historical).
    KNOWN = "known"
    #: The first two digits are a GB/T 2260 province, but the full code is not in the table.
    PROVINCE_ONLY = "province_only"
    #: The first two digits are not a GB/T 2260 province.
    UNKNOWN_PROVINCE = "unknown_province"


@dataclass(frozen=True)
class Region:
    """One administrative division: its six-digit code, its (newest known) name, and whether
    the code is historical (no longer in the newest list)."""

    code: str
    name: str
    historical: bool


def _check(code6: str) -> None:
    if not isinstance(code6, str) or _CODE.fullmatch(code6) is None:
        raise ValueError(f"a division code is six ASCII digits, not {code6!r}")


def parse_regions(text: str) -> dict[str, Region]:
    """Parse the TSV text (``code<TAB>name<TAB>status`` lines, ``#`` comments) into a mapping.

    Raises :class:`ValueError` naming the line on a malformed or duplicate entry.
    """
    regions: dict[str, Region] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"regions.tsv line {number}: expected 3 tab-separated fields")
        code, name, status = fields
        if _CODE.fullmatch(code) is None or not name or status not in _STATUSES:
            raise ValueError(f"regions.tsv line {number}: bad entry {line!r}")
        if code in regions:
            raise ValueError(f"regions.tsv line {number}: duplicate code {code}")
        regions[code] = Region(code=code, name=name, historical=_STATUSES[status])
    return regions


@functools.cache
def all_regions() -> Mapping[str, Region]:
    """Every division in the table, keyed by code (read from the package data once)."""
    resource = resources.files(_DATA_PACKAGE).joinpath(*_DATA_FILE)
    return MappingProxyType(parse_regions(resource.read_text(encoding="utf-8")))


def province_of(code6: str) -> Region | None:
    """The province-level division (the ``XX0000`` entry) of a code, or ``None`` when its first
    two digits are not a GB/T 2260 province. Raises :class:`ValueError` on malformed input."""
    _check(code6)
    if code6[:2] not in PROVINCE_PREFIXES:
        return None
    return all_regions().get(code6[:2] + "0000")


def lookup_region(code6: str) -> tuple[RegionMatch, Region | None]:
    """Match a six-digit code against the table.

    Returns ``(KNOWN, the region)`` when the code is in the table, ``(PROVINCE_ONLY, its
    province)`` when only the first two digits are a known province, and
    ``(UNKNOWN_PROVINCE, None)`` otherwise. Raises :class:`ValueError` on malformed input.
    """
    _check(code6)
    if code6[:2] not in PROVINCE_PREFIXES:
        return RegionMatch.UNKNOWN_PROVINCE, None
    region = all_regions().get(code6)
    if region is not None:
        return RegionMatch.KNOWN, region
    return RegionMatch.PROVINCE_ONLY, province_of(code6)
