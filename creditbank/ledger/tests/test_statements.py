"""The CSV statement's cells: formulas never reach a spreadsheet as formulas."""

from __future__ import annotations

import pytest

from creditbank.ledger.statements import text_cell


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
