"""XLSX exports of the same `Table` descriptions (openpyxl): a sheet per table."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from nastavnik.platform.documents.model import Cell, SectionRow, Table, plain_text
from nastavnik.platform.spreadsheet_safety import xlsx_cell

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E0E0E0")
_SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
_BOLD = Font(bold=True)
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BODY_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
# Characters per unit of relative column width; keeps wide text columns readable.
_CHARS_PER_WIDTH = 14
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def render_xlsx(sheets: Sequence[tuple[str, Table]]) -> bytes:
    """Each (sheet title, table) becomes a sheet with a frozen, bold header row.

    Written in openpyxl's write-only mode: rows stream into the file as they come, so a
    bank of thousands of people takes a fraction of a second and little memory (the
    regular mode keeps every cell as an object and took 1.5 s for 2,800 rows).
    """
    workbook = Workbook(write_only=True)
    for title, table in sheets:
        sheet = workbook.create_sheet(title.translate(_SHEET_TITLE_FORBIDDEN)[:31] or "Лист")
        columns = list(table.columns)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(8, column.width * _CHARS_PER_WIDTH)
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = xlsx_cell(sheet, column.title)
            cell.font, cell.fill, cell.border, cell.alignment = (
                _BOLD,
                _HEADER_FILL,
                _BORDER,
                _HEADER_ALIGNMENT,
            )
            header.append(cell)
        sheet.append(header)
        number = 1
        for row in table.rows:
            number += 1
            if isinstance(row, SectionRow):
                cell = xlsx_cell(sheet, row.title)
                cell.font, cell.fill = _BOLD, _SECTION_FILL
                sheet.append([cell])
                if len(columns) > 1:
                    sheet.merged_cells.add(
                        CellRange(min_col=1, min_row=number, max_col=len(columns), max_row=number)
                    )
                continue
            cells = []
            for value in row:
                cell = xlsx_cell(sheet, plain_text(value.text) if isinstance(value, Cell) else value)
                cell.border, cell.alignment = _BORDER, _BODY_ALIGNMENT
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
