"""Files the bank gives out for spreadsheets (results, statements, templates): cells that a
spreadsheet never reads as formulas, CSV that Excel opens with its Chinese intact, XLSX of text
cells. Pure Python (openpyxl for XLSX); no Django.

A cell whose first character other than spaces is one of ``= + - @`` or a tab, carriage return
or line feed gets a leading apostrophe (OWASP's advice against CSV injection); control
characters a cell cannot show are dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

#: First characters that make a spreadsheet read a cell as a formula (or split it).
FORMULA_START = frozenset("=+-@\t\r\n")
_NOT_SHOWN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_cell(value: object) -> str:
    """A cell's text as written into a file the bank gives out (None: empty)."""
    text = _NOT_SHOWN.sub("", "" if value is None else str(value))
    stripped = text.lstrip(" ")
    if stripped and stripped[0] in FORMULA_START:
        return "'" + text
    return text


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text with CRLF line ends, every cell a :func:`text_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([text_cell(v) for v in row])
    return out.getvalue()


def render_csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte order mark (so that Excel reads the Chinese right), CRLF line ends."""
    return ("\ufeff" + csv_text([header, *rows])).encode("utf-8")


def render_xlsx(
    header: Sequence[object], rows: Iterable[Sequence[object]], *, text_columns: Sequence[int] = (), title: str = ""
) -> bytes:
    """One sheet; every cell a text cell (never a formula). ``text_columns`` (0-based) are
    formatted as text, so that an ID number typed into them keeps every digit."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.title = title[:31]
    for values in ([*header], *rows):
        sheet.append([text_cell(v) for v in values])
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"
    for index in text_columns:
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].number_format = "@"
        for cell in sheet[letter]:
            cell.number_format = "@"
    for index in range(len(header)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 20
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
