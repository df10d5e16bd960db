"""The data standard in pure code: header spellings, typed spreadsheet cells, a row as the JSON
deposit's row, and the JSON Schema of a row."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.outcomes.domain.imports import (
    COLUMNS,
    HeaderError,
    cell_text,
    deposit_row,
    is_blank,
    resolve_header,
    row_schema,
    sample_row,
    surplus_cells,
)

ALL = [c.header for c in COLUMNS]


def test_the_columns_of_the_standard() -> None:
    assert [c.name for c in COLUMNS] == [
        "account_no", "id_number", "external_id", "type", "title", "code", "achieved_on", "credits", "hours",
        "result_scheme", "result_value", "level", "expires_on",
    ]  # fmt: skip
    assert [c.name for c in COLUMNS if c.required] == ["external_id", "type", "title", "achieved_on", "credits"]
    assert COLUMNS[7].header == "学分 (credits)"


@pytest.mark.parametrize(
    "spelling",
    [
        "学分 (credits)",
        "credits",
        "学分",
        "CREDITS",
        " 学分（credits） ",
        "学分(credits)",
        "credits (学分)",
        "ｃｒｅｄｉｔｓ",
    ],
)
def test_a_header_may_be_chinese_english_or_both(spelling: str) -> None:
    header = resolve_header(["成果编号", "type", "title", "获得日期", spelling, "学分银行账号"])
    assert header.positions == {
        "external_id": 0,
        "type": 1,
        "title": 2,
        "achieved_on": 3,
        "credits": 4,
        "account_no": 5,
    }
    assert header.names() == ["account_no", "external_id", "type", "title", "achieved_on", "credits"]


def test_the_template_header_and_the_learner_aliases() -> None:
    assert resolve_header(ALL).width == 13
    assert "id_number" in resolve_header(["learner.id_number", *ALL[2:8]]).positions
    # empty cells after the last column are ignored (spreadsheets keep formatted empty cells)
    assert resolve_header([*ALL, "", None]).width == 13


def test_every_problem_of_a_header_is_named_at_once() -> None:
    with pytest.raises(HeaderError) as refused:
        resolve_header(["title", "Title", "备注", "", "credits"])
    assert refused.value.missing == ["account_no|id_number", "external_id", "type", "achieved_on"]
    assert refused.value.unknown == ["备注", "#4"]
    assert refused.value.repeated == ["title"]


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""), ("  4.5 ", "4.5"), (4.5, "4.5"), (72.0, "72"), (4, "4"), (Decimal("4.50"), "4.50"),
        (1e-05, "0.00001"), (100000000008, "100000000008"), (datetime(2024, 6, 30), "2024-06-30"),
        (datetime(2024, 6, 30, 8, 30), "2024-06-30T08:30:00"), (date(2024, 6, 30), "2024-06-30"), (True, "true"),
        (float("nan"), "nan"),
    ],
)  # fmt: skip
def test_typed_cells_read_as_they_look(cell: object, text: str) -> None:
    assert cell_text(cell) == text


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
def test_a_number_typed_in_a_cell_keeps_its_value(value: Decimal) -> None:
    assert Decimal(cell_text(float(value))) == Decimal(repr(float(value)))


def test_a_row_becomes_the_json_deposits_row() -> None:
    header = resolve_header(ALL)
    row = deposit_row(["100000000008", "", " E-1 ", "mooc", "课", "", datetime(2024, 1, 2), 2.5, "", "", "", 3], header)
    assert row == {
        "learner": {"account_no": "100000000008", "id_number": ""}, "result": None, "external_id": "E-1",
        "type": "mooc", "title": "课", "code": "", "achieved_on": "2024-01-02", "credits": "2.5", "hours": "",
        "level": "3", "expires_on": "",
    }  # fmt: skip
    half = deposit_row([""] * 9 + ["", "优"], header)
    assert half["result"] == {"scheme": "", "value": "优"}
    assert is_blank(["", None, " "]) and not is_blank(["", "x"])
    assert surplus_cells([*[""] * 13, "", "note"], header) == 1


def test_the_row_schema_is_valid_and_takes_the_sample() -> None:
    schema = row_schema(schema_id="https://bank.example/api/v1/outcome-imports/row.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(sample_row())
    assert not validator.is_valid({**sample_row(), "account_no": "", "id_number": ""})
    assert validator.is_valid({**sample_row(), "account_no": "", "id_number": "11010519900307123X"})
    assert not validator.is_valid({**sample_row(), "result_scheme": "pass_fail", "result_value": "88"})
    assert not validator.is_valid({**sample_row(), "extra": "x"})
    assert set(schema["properties"]) == {c.name for c in COLUMNS}


def test_a_header_of_thousands_of_unknown_cells_names_the_first_twenty() -> None:
    with pytest.raises(HeaderError) as refused:
        resolve_header(["x" * 100 + str(n) for n in range(5000)])
    assert len(refused.value.unknown) == 20
    assert refused.value.unknown[0] == "x" * 64
