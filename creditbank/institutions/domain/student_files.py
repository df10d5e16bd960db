"""Files of students an institution uploads to open their accounts (批量开户), and the files the
bank gives back: the column template and the result (pure; no Django).

Reading: a CSV in UTF-8 (with or without the byte order mark Excel writes for "CSV UTF-8") or an
XLSX workbook (its first sheet, read with openpyxl in read-only mode, formulas never evaluated:
a formula cell reads as its cached value, or empty). The type is told by the bytes, never by the
file's name. The first non-blank row is the header; each column is known by a Chinese or an
English name (:data:`HEADERS`), in any order; unknown columns are ignored; blank rows are
skipped. A row's number is its number in the file as a spreadsheet shows it (the header row is
usually 1), so the report points at the row to fix.

Writing: result files and the template are written by ``kernel.spreadsheets`` (shared with the
credit statement and the outcome import template): no cell reaches a spreadsheet as a formula,
and XLSX cells are always text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from creditbank.institutions.errors import ErrorCode
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.spreadsheets import render_csv, render_xlsx

#: The columns, in the template's order.
COLUMNS = ("name", "id_number", "phone", "email", "student_no")
REQUIRED = ("name", "id_number", "phone")
#: The header names each column is known by, compared after :func:`header_key` (case, width,
#: spaces, underscores, hyphens and a trailing ``*`` or parenthesised hint do not matter).
HEADERS: Mapping[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "学生姓名", "name", "full name", "student name"),
    "id_number": ("身份证号", "身份证号码", "身份证", "公民身份号码", "证件号码", "id_number", "id number", "id no"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "phone", "mobile", "phone number", "mobile phone"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "email address"),
    "student_no": ("学号", "学生编号", "student_no", "student number", "student id"),
}
#: The template's header rows, one per language.
TEMPLATE_HEADERS: Mapping[str, tuple[str, ...]] = {
    "zh": ("姓名", "身份证号", "手机号", "邮箱", "学号"),
    "en": ("name", "id_number", "phone", "email", "student_no"),
}
#: Columns read from an XLSX sheet (a header further right is not looked for).
MAX_COLUMNS = 30
#: A cell longer than this is cut (no field it could hold is that long; the row is refused then).
MAX_CELL = 256
#: What an XLSX may inflate to: its parts together, and how many parts (zip bombs stop here).
MAX_XLSX_UNPACKED = 64 * 1024 * 1024
MAX_XLSX_PARTS = 2000
#: The first characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NOT_SHOWN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HINT = re.compile(r"[(（].*?[)）]")


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class StudentFileError(ValueError):
    """The file as a whole is refused: ``code`` and the details its message needs."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class StudentRow:
    """One row: its number in the file, each known column's text (stripped; absent columns
    empty), and the columns whose cell was a number too long to have kept every digit."""

    number: int
    values: Mapping[str, str]
    numeric: frozenset[str] = frozenset()

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class StudentFile:
    format: FileFormat
    rows: tuple[StudentRow, ...]
    #: header cells that name no known column (ignored), as written
    ignored: tuple[str, ...] = ()


def header_key(text: str) -> str:
    """A header cell in the form it is compared in."""
    folded = unicodedata.normalize("NFKC", text).strip().rstrip("*").strip()
    folded = _HINT.sub("", folded).casefold()
    return "".join(ch for ch in folded if ch not in " _-\u3000")


_ALIASES: Mapping[str, str] = {header_key(alias): column for column, names in HEADERS.items() for alias in names}


def sniff_format(data: bytes) -> FileFormat:
    """CSV or XLSX from the bytes; anything else is refused (an empty file, the old .xls, a
    text in another encoding)."""
    if not data:
        raise StudentFileError(KernelCode.UPLOAD_EMPTY)
    if data.startswith(_ZIP):
        return FileFormat.XLSX
    if data.startswith(_OLE2):
        raise StudentFileError(KernelCode.UPLOAD_TYPE_NOT_ALLOWED, found="xls")
    if data.startswith(_UTF16_BOMS):
        raise StudentFileError(ErrorCode.FILE_ENCODING, found="utf-16")
    return FileFormat.CSV


def read_student_file(data: bytes, *, max_rows: int) -> StudentFile:
    """The file's rows, or :class:`StudentFileError`: ``upload_empty``,
    ``upload_type_not_allowed``, ``file_encoding``, ``file_unreadable``,
    ``file_columns_missing`` (``missing``), ``file_column_repeated`` (``column``),
    ``file_no_rows``, ``file_too_many_rows`` (``max_rows``). Reading stops at the first row past
    ``max_rows``: a longer file costs no more than that."""
    kind = sniff_format(data)
    cells = _xlsx_rows(data) if kind is FileFormat.XLSX else _csv_rows(data)
    header: dict[int, str] | None = None
    ignored: list[str] = []
    rows: list[StudentRow] = []
    for number, raw in cells:
        texts = [_cell(value) for value in raw]
        if not any(text for text, _lossy in texts):
            continue
        if header is None:
            header, ignored = _header([text for text, _lossy in texts])
            continue
        if len(rows) == max_rows:
            raise StudentFileError(ErrorCode.FILE_TOO_MANY_ROWS, max_rows=max_rows)
        values = {column: texts[i][0] for i, column in header.items() if i < len(texts)}
        numeric = frozenset(column for i, column in header.items() if i < len(texts) and texts[i][1])
        rows.append(StudentRow(number=number, values=values, numeric=numeric))
    if header is None:
        raise StudentFileError(KernelCode.UPLOAD_EMPTY)
    if not rows:
        raise StudentFileError(ErrorCode.FILE_NO_ROWS)
    return StudentFile(format=kind, rows=tuple(rows), ignored=tuple(ignored))


def _header(cells: list[str]) -> tuple[dict[int, str], list[str]]:
    found: dict[int, str] = {}
    ignored: list[str] = []
    for i, text in enumerate(cells):
        if not text:
            continue
        column = _ALIASES.get(header_key(text))
        if column is None:
            ignored.append(text)
        elif column in found.values():
            raise StudentFileError(ErrorCode.FILE_COLUMN_REPEATED, column=column)
        else:
            found[i] = column
    missing = [c for c in REQUIRED if c not in found.values()]
    if missing:
        raise StudentFileError(ErrorCode.FILE_COLUMNS_MISSING, missing=missing)
    return found, ignored


def _cell(value: object) -> tuple[str, bool]:
    """A cell's text, and whether it was a number too long to keep every digit (an 18-digit ID
    number typed into a number cell loses its last digits in the spreadsheet itself)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return str(value).upper(), False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), False
        return repr(value), abs(value) >= 1e15
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text[:MAX_CELL], False


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudentFileError(ErrorCode.FILE_ENCODING, found="not-utf-8") from exc
    if "\x00" in text:
        raise StudentFileError(KernelCode.UPLOAD_TYPE_NOT_ALLOWED, found="binary")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for number, row in enumerate(reader, start=1):
            yield number, list(row)
    except csv.Error as exc:
        raise StudentFileError(ErrorCode.FILE_UNREADABLE, found="csv") from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_XLSX_PARTS or sum(p.file_size for p in parts) > MAX_XLSX_UNPACKED:
                raise StudentFileError(ErrorCode.FILE_UNREADABLE, found="too-large-unpacked")
            names = {p.filename for p in parts}
        if "xl/workbook.xml" not in names:
            raise StudentFileError(KernelCode.UPLOAD_TYPE_NOT_ALLOWED, found="zip")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except StudentFileError:
        raise
    except Exception as exc:  # a damaged archive or workbook: openpyxl raises many kinds
        raise StudentFileError(ErrorCode.FILE_UNREADABLE, found="xlsx") from exc
    try:
        if not workbook.worksheets:
            raise StudentFileError(ErrorCode.FILE_UNREADABLE, found="no-sheet")
        sheet = workbook.worksheets[0]
        try:
            for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                yield number, list(row)
        except StudentFileError:
            raise
        except Exception as exc:
            raise StudentFileError(ErrorCode.FILE_UNREADABLE, found="xlsx") from exc
    finally:
        workbook.close()


# --- writing -------------------------------------------------------------------------------------


def render(kind: FileFormat, header: Sequence[str], rows: Iterable[Sequence[object]], **xlsx: Any) -> bytes:
    """The file in ``kind``: :func:`render_xlsx` (with ``xlsx``'s options) or :func:`render_csv`."""
    if kind is FileFormat.XLSX:
        return render_xlsx(header, rows, **xlsx)
    return render_csv(header, rows)
