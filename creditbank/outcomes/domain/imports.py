"""The bank's data standard (数据标准) for a file of outcome rows, without Django.

One header row names the columns; each later row is one outcome for one learner, with the
fields of ../shared/API.md's outcome under the same names. A header cell may be the English
field name (``credits``), the Chinese name (``学分``) or both as the template writes them
(``学分 (credits)``); case, white space and full-width brackets do not matter. The columns are
:data:`COLUMNS`; :func:`resolve_header` maps a header row to them (every missing, unknown and
repeated column named at once), :func:`deposit_row` turns a row's cells into the JSON deposit's
row (``{"learner": {…}, "external_id", …, "result": {"scheme", "value"}}``), so a file row and a
JSON row go through the same checks, and :func:`row_schema` is the JSON Schema of a row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from creditbank.outcomes.domain.fields import FIVE_LEVELS, MAX_CREDITS, MAX_HOURS, OutcomeType, Scheme


@dataclass(frozen=True)
class Column:
    name: str  #: the English header and the API's field name
    zh: str  #: the Chinese header
    required: bool
    en_help: str
    zh_help: str
    example: str
    schema: Mapping[str, Any] = field(default_factory=dict)

    @property
    def header(self) -> str:
        """How the template writes it: ``学分 (credits)``."""
        return f"{self.zh} ({self.name})"


_DECIMAL = r"^[0-9]{1,7}(\.[0-9]{1,2})?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

#: The columns in the template's order. ``account_no`` and ``id_number`` are each optional, but a
#: file has at least one of the two (see :data:`LEARNER_COLUMNS`) and each row fills one.
COLUMNS: tuple[Column, ...] = (
    Column("account_no", "学分银行账号", False,
           "The learner's credit bank account number (12 digits). Give it or the ID number.",
           "学习者的学分银行账号（12 位数字）；与身份证号二选一。", "100000000008",
           {"type": "string", "pattern": "^$|^[0-9]{12}$"}),
    Column("id_number", "身份证号", False,
           "The learner's resident ID number (18 characters), when the account number is not given.",
           "学习者的居民身份证号码（18 位）；未填学分银行账号时填写。", "",
           {"type": "string", "pattern": "^$|^[0-9]{17}[0-9Xx]$"}),
    Column("external_id", "成果编号", True,
           "The institution's own identifier of this record, unique within the institution (1–64 printable "
           "ASCII characters, no spaces). A row whose identifier was deposited before is a duplicate.",
           "本机构对该条成果记录的唯一编号（1–64 个可打印 ASCII 字符，不含空格）；已存入过的编号视为重复。",
           "2024-MATH101-0001", {"type": "string", "pattern": "^[!-~]{1,64}$"}),
    Column("type", "成果类型", True,
           "One of: " + ", ".join(t.value for t in OutcomeType) + ".",
           "取值：" + "、".join(t.value for t in OutcomeType) + "。", OutcomeType.ACADEMIC_CREDIT.value,
           {"type": "string", "enum": [t.value for t in OutcomeType]}),
    Column("title", "成果名称", True,
           "The course, certificate or activity as the learner would recognise it (at most 200 characters).",
           "课程、证书或学习活动的名称（不超过 200 字）。", "高等数学 A", {"type": "string", "minLength": 1, "maxLength": 200}),
    Column("code", "课程或证书代码", False,
           "The course or certificate code (letters, digits and - _ . /, at most 64); it selects the "
           "certification standard.", "课程代码或证书代码（字母、数字及 - _ . /，不超过 64 位），用于匹配认证标准。",
           "MATH101", {"type": "string", "pattern": "^([0-9A-Za-z][0-9A-Za-z._/-]{0,63})?$"}),
    Column("achieved_on", "获得日期", True,
           "The date achieved, YYYY-MM-DD, not in the future.", "获得日期，格式 YYYY-MM-DD，不晚于今天。",
           "2024-06-30", {"type": "string", "pattern": _DATE, "format": "date"}),
    Column("credits", "学分", True,
           f"Credits, a decimal number greater than 0 and at most {MAX_CREDITS}, at most two decimal places.",
           f"学分，大于 0 且不超过 {MAX_CREDITS} 的数，至多两位小数。", "4.5",
           {"type": "string", "pattern": _DECIMAL}),
    Column("hours", "学时", False,
           f"Hours of study, greater than 0 and at most {MAX_HOURS}, at most two decimal places.",
           f"学时，大于 0 且不超过 {MAX_HOURS} 的数，至多两位小数。", "72",
           {"type": "string", "pattern": f"^$|{_DECIMAL}"}),
    Column("result_scheme", "成绩制式", False,
           "How the result is given: " + ", ".join(s.value for s in Scheme) + "; with result_value.",
           "成绩的计分方式：" + "、".join(s.value for s in Scheme) + "；与“成绩”一同填写。", Scheme.PERCENTAGE.value,
           {"type": "string", "enum": ["", *[s.value for s in Scheme]]}),
    Column("result_value", "成绩", False,
           "The result in its scheme: 0–100 (percentage), " + "/".join(FIVE_LEVELS)
           + " (five_level), pass or fail (pass_fail), 0–4 (gpa4). A failing result is not deposited.",
           "按制式填写的成绩：百分制 0–100、五级制 " + "/".join(FIVE_LEVELS)
           + "、合格制 pass/fail、绩点 0–4；不及格的成绩不予存入。", "88", {"type": "string"}),
    Column("level", "资历框架等级", False,
           "The level on the 1–10 qualification framework.", "资历框架等级，1 至 10 的整数。", "6",
           {"type": "string", "pattern": "^$|^([1-9]|10)$"}),
    Column("expires_on", "有效期至", False,
           "The date the outcome expires, YYYY-MM-DD, after the date achieved; empty when it does not.",
           "有效期截止日期，格式 YYYY-MM-DD，须晚于获得日期；长期有效则留空。", "",
           {"type": "string", "pattern": f"^$|{_DATE}"}),
)  # fmt: skip
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
LEARNER_COLUMNS = ("account_no", "id_number")
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
#: how many unknown header cells a refusal names
MAX_NAMED = 20
#: Other spellings of a header (the JSON deposit nests the learner's fields).
ALIASES = {"learner.account_no": "account_no", "learner.id_number": "id_number"}


def header_key(text: object) -> str:
    """A header cell as compared: NFKC (full-width brackets and letters become ASCII), lower
    case, without white space."""
    value = unicodedata.normalize("NFKC", "" if text is None else str(text)).casefold()
    return "".join(value.split()).lstrip("\ufeff")


def _spellings() -> dict[str, str]:
    out: dict[str, str] = {}
    for c in COLUMNS:
        for spelling in (c.name, c.zh, c.header, f"{c.name} ({c.zh})"):
            out[header_key(spelling)] = c.name
    for alias, name in ALIASES.items():
        out[header_key(alias)] = name
    return out


_SPELLINGS = _spellings()


class HeaderError(ValueError):
    """The header row does not fit the standard: every problem at once."""

    def __init__(self, *, missing: Sequence[str] = (), unknown: Sequence[str] = (), repeated: Sequence[str] = ()):
        super().__init__(f"missing={list(missing)} unknown={list(unknown)} repeated={list(repeated)}")
        self.missing = list(missing)
        self.unknown = list(unknown)
        self.repeated = list(repeated)


@dataclass(frozen=True)
class Header:
    """Which cell of a row holds which column (by position); columns not in the file are absent."""

    positions: Mapping[str, int]
    width: int

    def names(self) -> list[str]:
        return [c.name for c in COLUMNS if c.name in self.positions]


def resolve_header(cells: Sequence[object]) -> Header:
    """The columns a header row names. Refuses (:class:`HeaderError`) a header missing a
    required column or both learner columns, naming an unknown column, or naming one twice.
    Empty cells after the last named column are ignored."""
    texts = ["" if c is None else str(c).strip() for c in cells]
    while texts and not texts[-1]:
        texts.pop()
    positions: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, text in enumerate(texts):
        name = _SPELLINGS.get(header_key(text))
        if name is None:
            unknown.append(text or f"#{index + 1}")
        elif name in positions:
            repeated.append(name)
        else:
            positions[name] = index
    unknown = [name[:64] for name in unknown[:MAX_NAMED]]  # a header of thousands of cells names the first few
    missing = [name for name in REQUIRED if name not in positions]
    if not any(name in positions for name in LEARNER_COLUMNS):
        missing.insert(0, "account_no|id_number")
    if missing or unknown or repeated:
        raise HeaderError(missing=missing, unknown=unknown, repeated=repeated)
    return Header(positions=positions, width=len(texts))


def cell_text(value: object) -> str:
    """A cell as text, trimmed. Spreadsheet cells may be typed: whole numbers lose their ``.0``,
    other numbers are written out without an exponent, dates (and midnight date-times) become
    ``YYYY-MM-DD``, so that a number or date typed in a spreadsheet reads as it looks."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def is_blank(cells: Sequence[object]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def surplus_cells(cells: Sequence[object], header: Header) -> int:
    """How many cells beyond the header's columns hold something (a row that does not fit)."""
    return sum(1 for c in cells[header.width :] if cell_text(c) != "")


def deposit_row(cells: Sequence[object], header: Header) -> dict[str, Any]:
    """A file row as the JSON deposit's row. Missing trailing cells are empty; ``result`` is
    None when neither its scheme nor its value is given, else ``{"scheme", "value"}`` (a half
    given result is refused by the field check)."""

    def get(name: str) -> str:
        index = header.positions.get(name)
        return cell_text(cells[index]) if index is not None and index < len(cells) else ""

    scheme, value = get("result_scheme"), get("result_value")
    row: dict[str, Any] = {
        "learner": {"account_no": get("account_no"), "id_number": get("id_number")},
        "result": {"scheme": scheme, "value": value} if scheme or value else None,
    }
    for name in ("external_id", "type", "title", "code", "achieved_on", "credits", "hours", "level", "expires_on"):
        row[name] = get(name)
    return row


def row_schema(*, schema_id: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of one row of the standard, as an object keyed by the English
    column names; every value is a string (empty for an empty cell)."""
    properties = {c.name: {**c.schema, "title": c.header, "description": f"{c.en_help} {c.zh_help}"} for c in COLUMNS}
    results: list[dict[str, Any]] = [
        {"if": {"properties": {"result_scheme": {"const": s}}, "required": ["result_scheme"]},
         "then": {"properties": {"result_value": {"pattern": pattern}}, "required": ["result_value"]}}
        for s, pattern in (
            (Scheme.PERCENTAGE.value, _DECIMAL),
            (Scheme.FIVE_LEVEL.value, "^(" + "|".join(FIVE_LEVELS) + "|excellent|good|fair|pass|fail)$"),
            (Scheme.PASS_FAIL.value, "^(pass|fail)$"),
            (Scheme.GPA4.value, _DECIMAL),
        )
    ]  # fmt: skip
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": "学习成果导入数据标准 · Outcome import row (credit bank data standard)",
        "description": (
            "One row of an outcome import file (CSV or XLSX), keyed by the English column names. A file's "
            "header row may name each column in English, in Chinese or as 'Chinese (english)'. "
            "导入文件的一行，按英文列名为键；表头可用英文名、中文名或“中文 (english)”。"
        ),
        "type": "object",
        "properties": properties,
        "required": list(REQUIRED),
        "additionalProperties": False,
        "anyOf": [
            {"properties": {"account_no": {"minLength": 1}}, "required": ["account_no"]},
            {"properties": {"id_number": {"minLength": 1}}, "required": ["id_number"]},
        ],
        "allOf": [
            *results,
            {"if": {"properties": {"result_value": {"minLength": 1}}, "required": ["result_value"]},
             "then": {"properties": {"result_scheme": {"minLength": 1}}, "required": ["result_scheme"]}},
        ],
    }  # fmt: skip


def sample_row() -> dict[str, str]:
    """The template's sample row."""
    return {c.name: c.example for c in COLUMNS}
