"""The unified social credit code (统一社会信用代码) of GB 32100-2015 (pure; no Django).

Eighteen characters from the 31-character set ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (the letters
I, O, Z, S and V are never used):

=========  ==================================================================================
position   meaning
=========  ==================================================================================
1          registration authority (登记管理部门): 1 机构编制, 5 民政, 9 工商 (市场监管), Y 其他 …
2          organisation category (机构类别), whose meaning depends on the authority
3–8        administrative division of the registering authority (GB/T 2260), six digits
9–17       the organisation code (组织机构代码, GB 11714-1997): eight characters and a check
           character computed over them (weights 3 7 9 10 5 8 4 2, modulus 11; 10 is ``X``,
           11 is ``0``)
18         the check character: C18 = 31 − (Σ Ci·Wi mod 31) over the first 17 characters, with
           the character values of the set above, weights 3^(i−1) mod 31 (1 3 9 27 19 26 16 17
           20 29 24 13 21 2 7 10 22) and 31 written as ``0``
=========  ==================================================================================

:func:`parse_uscc` checks in a fixed order and raises :class:`UsccError` with the first rule
broken (codes listed there), so a form can say exactly what is wrong. The division code is
checked for its shape here; whether it names a known region is for the caller (the region
table belongs to the accounts context).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

#: The code's character set, in value order: the character at index n has the value n.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = MappingProxyType({ch: n for n, ch in enumerate(CHARSET)})
#: Weights of positions 1–17 for the 18th character: 3^(i−1) mod 31.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18

#: GB 11714-1997: weights of the organisation code's eight characters, modulus 11.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

#: Registration authorities and the organisation categories each may assign (GB 32100-2015,
#: appendix A, with the authorities added since: 2 外交, 3 司法行政, 4 文化, 6 旅游, 7 宗教,
#: 8 工会, A 中央军委改革和编制办公室, N 农业).
CATEGORIES: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 编办直管群众团体, 其他
        "2": frozenset("19"),  # 外交: 外国常驻新闻机构, 其他
        "3": frozenset("1234569"),  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, …
        "4": frozenset("19"),  # 文化: 外国在华文化中心, 其他
        "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位 (社会服务机构), 基金会, 其他
        "6": frozenset("129"),  # 旅游: 外国和港澳台旅游部门常驻代表机构, 其他
        "7": frozenset("129"),  # 宗教: 宗教活动场所, 宗教院校, 其他
        "8": frozenset("19"),  # 工会: 基层工会, 其他
        "9": frozenset("123"),  # 工商 (市场监管): 企业, 个体工商户, 农民专业合作社
        "A": frozenset("19"),  # 中央军委改革和编制办公室: 军队事业单位, 其他
        "N": frozenset("1239"),  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
        "Y": frozenset("1"),  # 其他
    }
)

_SEPARATORS = {" ", "\t", "-", "\u3000"}


class UsccError(ValueError):
    """A code that breaks a rule; ``code`` is stable, ``params`` fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Uscc:
    """A valid unified social credit code, decoded."""

    value: str
    authority: str
    category: str
    division: str
    organisation_code: str


def normalise(raw: str) -> str:
    """Fold full-width characters (NFKC), drop spaces and dashes, upper-case letters."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if ch not in _SEPARATORS and not ch.isspace()).upper()


def check_char(first17: str) -> str:
    """The 18th character for the first 17 (each from :data:`CHARSET`)."""
    if len(first17) != LENGTH - 1 or any(ch not in VALUES for ch in first17):
        raise ValueError("check_char needs exactly 17 characters of the code's character set")
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def organisation_check_char(first8: str) -> str:
    """GB 11714-1997: the organisation code's ninth character for its first eight (digits and
    capital letters, a letter's value being 10 for A up to 35 for Z)."""
    if len(first8) != 8 or not first8.isascii() or not first8.isalnum() or first8 != first8.upper():
        raise ValueError("organisation_check_char needs exactly 8 digits or capital letters")
    total = sum(int(ch, 36) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = (11 - total % 11) % 11
    return "X" if value == 10 else str(value)


def parse_uscc(raw: str) -> Uscc:
    """Validate and decode a code, or raise :class:`UsccError` with a stable code.

    Codes, checked in this order: ``uscc_required``, ``uscc_length`` (``length``),
    ``uscc_characters`` (``char``, ``position``: a character outside the set, e.g. I, O, Z, S,
    V), ``uscc_authority``, ``uscc_category``, ``uscc_division`` (positions 3–8 not six digits),
    ``uscc_organisation_check`` (position 17 does not match positions 9–16), ``uscc_check``
    (position 18 does not match the first 17).
    """
    value = normalise(raw)
    if not value:
        raise UsccError("uscc_required")
    if len(value) != LENGTH:
        raise UsccError("uscc_length", length=len(value))
    for position, ch in enumerate(value, start=1):
        if ch not in VALUES:
            raise UsccError("uscc_characters", char=ch, position=position)
    authority, category, division, org = value[0], value[1], value[2:8], value[8:17]
    if authority not in CATEGORIES:
        raise UsccError("uscc_authority", authority=authority)
    if category not in CATEGORIES[authority]:
        raise UsccError("uscc_category", authority=authority, category=category)
    if not division.isdigit():
        raise UsccError("uscc_division", division=division)
    if organisation_check_char(org[:8]) != org[8]:
        raise UsccError("uscc_organisation_check")
    if check_char(value[:17]) != value[17]:
        raise UsccError("uscc_check")
    return Uscc(value=value, authority=authority, category=category, division=division, organisation_code=org)
