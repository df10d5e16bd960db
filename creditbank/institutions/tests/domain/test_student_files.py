"""Files of students: reading CSV and XLSX (headers, rows, refusals) and writing result files
with every formula-looking cell neutralised (pure; no database)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from creditbank.institutions.domain.student_files import (
    TEMPLATE_HEADERS,
    FileFormat,
    StudentFileError,
    read_student_file,
)
from creditbank.kernel.spreadsheets import render_csv, render_xlsx

ID = "110105199003071234"


def csv_bytes(rows: list[list[str]], *, bom: bool = False, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" if bom else "").encode(encoding) + out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, start_row: int = 1) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            sheet.cell(row=start_row + i, column=j + 1, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refused(data: bytes, max_rows: int = 100) -> StudentFileError:
    with pytest.raises(StudentFileError) as info:
        read_student_file(data, max_rows=max_rows)
    return info.value


# --- reading ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True], ids=["utf-8", "utf-8-bom"])
def test_a_csv_with_chinese_headers(bom: bool) -> None:
    data = csv_bytes(
        [["姓名", "身份证号", "手机号", "邮箱", "学号"], ["张三", ID, "13800138000", "", "2026001"]], bom=bom
    )
    parsed = read_student_file(data, max_rows=10)
    assert parsed.format is FileFormat.CSV
    assert [(r.number, dict(r.values)) for r in parsed.rows] == [
        (2, {"name": "张三", "id_number": ID, "phone": "13800138000", "email": "", "student_no": "2026001"})
    ]
    assert parsed.ignored == ()


def test_english_headers_in_another_order_with_hints_and_unknown_columns() -> None:
    data = csv_bytes(
        [
            ["Phone Number", "班级", "ID_Number*", "Full Name", "E-mail (optional)"],
            ["13800138000", "一班", ID, "Li Lei", "lilei@example.com"],
        ]
    )
    parsed = read_student_file(data, max_rows=10)
    assert dict(parsed.rows[0].values) == {
        "phone": "13800138000", "id_number": ID, "name": "Li Lei", "email": "lilei@example.com",
    }  # fmt: skip
    assert parsed.ignored == ("班级",)


def test_blank_rows_are_skipped_and_rows_keep_their_numbers() -> None:
    data = csv_bytes(
        [[], ["姓名", "身份证号", "手机号"], ["", "", ""], ["甲", ID, "13800138000"], [], ["乙", "x", "y"]]
    )
    parsed = read_student_file(data, max_rows=10)
    assert [(r.number, r.get("name")) for r in parsed.rows] == [(4, "甲"), (6, "乙")]


def test_quoted_cells_with_commas_and_line_breaks() -> None:
    data = b'name,id_number,phone\r\n"Wang, Fang","' + ID.encode() + b'","138 0013 8000"\r\n'
    assert dict(read_student_file(data, max_rows=10).rows[0].values) == {
        "name": "Wang, Fang", "id_number": ID, "phone": "138 0013 8000",
    }  # fmt: skip


def test_an_xlsx_sheet() -> None:
    data = xlsx_bytes(
        [
            ["姓名", "身份证号", "手机号", "邮箱"],
            ["张三", ID, 13800138000, None],
            [None],
            ["李四", ID, "13800138001", "a@b.cn"],
        ]
    )
    parsed = read_student_file(data, max_rows=10)
    assert parsed.format is FileFormat.XLSX
    assert [(r.number, dict(r.values), r.numeric) for r in parsed.rows] == [
        (2, {"name": "张三", "id_number": ID, "phone": "13800138000", "email": ""}, frozenset()),
        (4, {"name": "李四", "id_number": ID, "phone": "13800138001", "email": "a@b.cn"}, frozenset()),
    ]


def test_an_xlsx_sheet_starting_lower_down_keeps_the_spreadsheets_row_numbers() -> None:
    data = xlsx_bytes([["name", "id_number", "phone"], ["甲", ID, "13800138000"]], start_row=3)
    assert [r.number for r in read_student_file(data, max_rows=10).rows] == [4]


def test_an_id_number_in_a_number_cell_that_lost_digits_is_flagged() -> None:
    data = xlsx_bytes([["姓名", "身份证号", "手机号"], ["张三", 110105199003071234, 13800138000]])
    row = read_student_file(data, max_rows=10).rows[0]
    assert row.numeric == frozenset({"id_number"})


def test_a_formula_cell_is_never_evaluated() -> None:
    data = xlsx_bytes([["姓名", "身份证号", "手机号"], ['=HYPERLINK("http://x","a")', ID, "=1+1"]])
    row = read_student_file(data, max_rows=10).rows[0]
    assert (row.get("name"), row.get("phone")) == ("", "")  # no cached value: empty, never run


def test_too_many_rows_stops_reading() -> None:
    rows = [["姓名", "身份证号", "手机号"]] + [["张三", ID, "13800138000"]] * 4
    error = refused(csv_bytes(rows), max_rows=3)
    assert (error.code, error.details) == ("file_too_many_rows", {"max_rows": 3})
    assert len(read_student_file(csv_bytes(rows), max_rows=4).rows) == 4


@pytest.mark.parametrize(
    ("data", "code", "details"),
    [
        (b"", "upload_empty", {}),
        (b"\r\n\r\n,,\r\n", "upload_empty", {}),
        (csv_bytes([["姓名", "身份证号", "手机号"]]), "file_no_rows", {}),
        (csv_bytes([["姓名", "手机号", "邮箱"], ["张三", "13800138000", ""]]), "file_columns_missing", {"missing": ["id_number"]}),
        (csv_bytes([["name", "email"], ["x", "y"]]), "file_columns_missing", {"missing": ["id_number", "phone"]}),
        (csv_bytes([["姓名", "name", "身份证号", "手机号"], ["a", "b", ID, "1"]]), "file_column_repeated", {"column": "name"}),
        (csv_bytes([["姓名", "身份证号", "手机号"], ["张三", ID, "13800138000"]], encoding="gbk"), "file_encoding", {"found": "not-utf-8"}),
        ("姓名,身份证号,手机号\r\n".encode("utf-16"), "file_encoding", {"found": "utf-16"}),
        (b"name,id_number,phone\r\nx\x00y,1,2\r\n", "upload_type_not_allowed", {"found": "binary"}),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "upload_type_not_allowed", {"found": "xls"}),
        (b"PK\x03\x04 not really a zip", "file_unreadable", {"found": "xlsx"}),
        (b'name,id_number,phone\r\n"unterminated', "file_unreadable", {"found": "csv"}),
    ],
    ids=[
        "empty", "blank-lines", "header-only", "no-id-column", "two-missing", "repeated", "gbk", "utf-16",
        "nul-bytes", "old-xls", "broken-zip", "broken-quote",
    ],
)  # fmt: skip
def test_refused_files(data: bytes, code: str, details: dict[str, object]) -> None:
    error = refused(data)
    assert (error.code, error.details) == (code, details)


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    assert refused(_zip({"readme.txt": b"hello"})).code == "upload_type_not_allowed"


def test_a_workbook_that_would_inflate_past_the_bound_is_refused_before_it_is_opened() -> None:
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": b" " * (65 * 1024 * 1024)})
    assert len(bomb) < 200_000
    error = refused(bomb)
    assert (error.code, error.details) == ("file_unreadable", {"found": "too-large-unpacked"})


# --- the template reads back (the files are written by kernel.spreadsheets) ---------------------------------


@pytest.mark.parametrize("headers", ["zh", "en"])
def test_the_template_headers_read_back_as_every_column(headers: str) -> None:
    data = render_csv(TEMPLATE_HEADERS[headers], [["张三", ID, "13800138000", "z@example.com", "1"]])
    row = read_student_file(data, max_rows=1).rows[0]
    assert set(row.values) == {"name", "id_number", "phone", "email", "student_no"}
    xlsx = render_xlsx(TEMPLATE_HEADERS[headers], [["张三", ID, "13800138000", "z@example.com", "1"]])
    assert dict(read_student_file(xlsx, max_rows=1).rows[0].values) == dict(row.values)
