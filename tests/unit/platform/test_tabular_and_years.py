"""Reading uploads and academic years."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.imports import RowError, errors_csv
from nastavnik.platform.tabular import TabularError, read_table


def test_csv_in_cp1251_with_semicolons_is_read() -> None:
    data = "Код;Наименование\nsosh1;Школа № 1\n".encode("cp1251")
    table = read_table("list.csv", data)
    assert table.headers == ["Код", "Наименование"]
    assert table.rows == [["sosh1", "Школа № 1"]]


def test_csv_in_utf8_with_bom_and_commas_is_read() -> None:
    data = '\ufeffКод,Наименование\nsosh1,"Школа, № 1"\n'.encode()
    assert read_table("list.CSV", data).rows == [["sosh1", "Школа, № 1"]]


def test_short_rows_are_padded_and_trailing_empty_rows_dropped() -> None:
    table = read_table("l.csv", b"a;b;c\n1\n\n\n")
    assert table.rows == [["1", "", ""]]


def test_xlsx_cells_become_strings_with_russian_dates() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Дата", "Число", "Пусто"])
    sheet.append([dt.datetime(2025, 9, 1), 12.0, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table("x.xlsx", buffer.getvalue()).rows == [["01.09.2025", "12", ""]]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.doc", b"abc", "Поддерживаются файлы CSV и XLSX."),
        ("x.xlsx", b"not a zip", "Файл не похож на таблицу Excel"),
        ("x.csv", b"", "Файл пуст"),
    ],
)
def test_unreadable_files_are_explained(name: str, data: bytes, message: str) -> None:
    with pytest.raises(TabularError, match=message):
        read_table(name, data)


def test_error_report_opens_in_excel() -> None:
    content = errors_csv([RowError(3, "Код", "x y", "Неверный код")])
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines() == [
        "Строка;Столбец;Значение;Ошибка",
        "3;Код;x y;Неверный код",
    ]


def test_academic_year_bounds_and_titles() -> None:
    year = AcademicYear(2025)
    assert year.title == "2025-2026" == str(year)
    assert (year.starts, year.ends) == (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
    assert year.contains(dt.date(2026, 5, 25))
    assert not year.contains(dt.date(2025, 8, 31))
    assert (year.previous().title, year.next().title) == ("2024-2025", "2026-2027")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 8, 31), 2024),
        (dt.date(2025, 9, 1), 2025),
        (dt.date(2026, 1, 15), 2025),
    ],
)
def test_current_academic_year_turns_on_the_first_of_september(today: dt.date, expected: int) -> None:
    assert AcademicYear.current(today).start == expected


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("2025-2026", 2025),
        ("2025–2026", 2025),
        (" 2025 / 2026 ", 2025),
        ("2025-2027", None),
        ("25-26", None),
        ("", None),
        ("1800-1801", None),
    ],
)
def test_parsing_academic_years(text: str, start: int | None) -> None:
    parsed = AcademicYear.parse(text)
    assert (parsed.start if parsed else None) == start
