"""Files the bank gives out: no cell ever reaches a spreadsheet as a formula; CSV opens in Excel as
UTF-8; XLSX cells are text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.kernel.spreadsheets import FORMULA_START, render_csv, render_xlsx, text_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("  =1+1", "'  =1+1"),
        ("高等数学（上）", "高等数学（上）"),
        ("Python = fun", "Python = fun"),
        ("", ""),
    ],
)
def test_text_cells(value: str, cell: str) -> None:
    assert text_cell(value) == cell


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx", "\nx", "  =1+1"])
def test_formula_looking_text_is_neutralised(text: str) -> None:
    assert text_cell(text) == "'" + text


def test_ordinary_text_is_kept_and_control_characters_dropped_ordinary_text_and_drops_control_characters() -> None:
    assert text_cell("张三") == "张三"
    assert text_cell("a\x00b\x1fc") == "abc"
    assert text_cell(None) == ""
    assert text_cell(12) == "12"


@given(st.text(max_size=40))
def test_no_neutralised_cell_starts_like_a_formula(text: str) -> None:
    assert text_cell(text).lstrip(" ")[:1] not in FORMULA_START


INJECTED = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-1+2", "@SUM(1)"]


def test_a_result_csv_has_no_formula_cells_and_opens_in_excel_as_utf8() -> None:
    data = render_csv(["姓名", "备注"], [[name, "ok"] for name in INJECTED])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["姓名", "备注"]
    assert [row[0] for row in rows[1:]] == ["'" + name for name in INJECTED]


def test_a_result_xlsx_has_only_text_cells() -> None:
    data = render_xlsx(["姓名", "备注"], [[name, 7] for name in INJECTED], text_columns=(0,))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert {cell.data_type for cell in cells} == {"s"}
    assert [sheet.cell(row=i + 2, column=1).value for i in range(len(INJECTED))] == ["'" + n for n in INJECTED]
    assert sheet.cell(row=2, column=2).value == "7"
    assert sheet.cell(row=2, column=1).number_format == "@"
