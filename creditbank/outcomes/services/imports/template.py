"""The published import template (the data standard as a file): CSV and XLSX.

One header row, each column written ``中文 (english)``, and one sample row. The CSV is UTF-8 with
a byte order mark, so that Excel opens its Chinese correctly; the XLSX holds the same rows on its
first sheet (cells formatted as text, so account and ID numbers keep their digits, with lists for
the type and the result scheme) and the column descriptions in both languages on a second sheet.
"""

from __future__ import annotations

import io

from creditbank.kernel.spreadsheets import render_csv
from creditbank.outcomes.domain.fields import OutcomeType, Scheme
from creditbank.outcomes.domain.imports import COLUMNS, sample_row


def template_csv() -> bytes:
    sample = sample_row()
    return render_csv([c.header for c in COLUMNS], [[sample[c.name] for c in COLUMNS]])


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "成果 outcomes"
    sample = sample_row()
    sheet.append([c.header for c in COLUMNS])
    sheet.append([sample[c.name] for c in COLUMNS])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.header) + 6)
        sheet.column_dimensions[letter].number_format = "@"
        head = sheet.cell(row=1, column=index)
        head.font, head.fill = bold, fill
        sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    lists = {"type": [t.value for t in OutcomeType], "result_scheme": [s.value for s in Scheme]}
    for name, values in lists.items():
        letter = get_column_letter([c.name for c in COLUMNS].index(name) + 1)
        check = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        check.add(f"{letter}2:{letter}200000")
        sheet.add_data_validation(check)
    notes = book.create_sheet("说明 README")
    notes.append(["列 column", "必填 required", "说明", "description", "示例 example"])
    for column in COLUMNS:
        required = (
            "是 yes"
            if column.required
            else ("二选一 one of two" if column.name in ("account_no", "id_number") else "否 no")
        )
        notes.append([column.header, required, column.zh_help, column.en_help, column.example])
    for letter, width in zip("ABCDE", (26, 16, 60, 70, 20), strict=True):
        notes.column_dimensions[letter].width = width
    for cell in notes[1]:
        cell.font = bold
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
