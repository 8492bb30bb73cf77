"""Reading tabular uploads (CSV in UTF-8 or Windows-1251, XLSX) into rows of strings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException


class TabularError(Exception):
    """The file cannot be read at all; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]  # data rows; row i is line i + 2 of the file (after the header)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y") if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's «Текст Юникод» export: UTF-16 with a byte order mark.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            msg = "Не удалось прочитать файл в кодировке UTF-16. Сохраните его как CSV (UTF-8) или XLSX."
            raise TabularError(msg) from exc
    if b"\x00" in data[:4096]:
        msg = "Файл не похож на текстовый CSV. Сохраните таблицу как CSV (UTF-8) или XLSX."
        raise TabularError(msg)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Russian school systems commonly export CSV in Windows-1251.
        return data.decode("cp1251")


def read_csv(data: bytes) -> Table:
    text = decode_text(data)
    # The header line decides the delimiter: Russian Excel writes ";", others ",".
    header = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [[c.strip() for c in row] for row in reader]
    return _table(rows)


def read_xlsx(data: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        msg = "Файл не похож на таблицу Excel (XLSX). Сохраните его как XLSX или CSV."
        raise TabularError(msg) from exc
    sheet = workbook.worksheets[0]
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _table(rows)


def _table(rows: list[list[str]]) -> Table:
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        msg = "Файл пуст: нет ни заголовков, ни строк."
        raise TabularError(msg)
    # Exports often start with a one-cell title above the real header: keep the widest row.
    width = max(len(r) for r in rows)
    headers = [h.strip() for h in rows[0]] + [""] * (width - len(rows[0]))
    body = [(r + [""] * width)[:width] for r in rows[1:]]
    return Table(headers=headers, rows=body)


def read_table(filename: str, data: bytes) -> Table:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return read_csv(data)
    msg = "Поддерживаются файлы CSV и XLSX."
    raise TabularError(msg)
