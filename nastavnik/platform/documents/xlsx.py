"""XLSX exports of the same `Table` descriptions (openpyxl): a sheet per table."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from nastavnik.platform.documents.model import Cell, SectionRow, Table, plain_text
from nastavnik.platform.spreadsheet_safety import append_xlsx_row

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E0E0E0")
_SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
# Characters per unit of relative column width; keeps wide text columns readable.
_CHARS_PER_WIDTH = 14
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def render_xlsx(sheets: Sequence[tuple[str, Table]]) -> bytes:
    """Each (sheet title, table) becomes a sheet with a frozen, bold header row."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, table in sheets:
        sheet = workbook.create_sheet(title.translate(_SHEET_TITLE_FORBIDDEN)[:31] or "Лист")
        columns = list(table.columns)
        append_xlsx_row(sheet, [column.title for column in columns])
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            sheet.column_dimensions[get_column_letter(index)].width = max(8, column.width * _CHARS_PER_WIDTH)
        for row in table.rows:
            if isinstance(row, SectionRow):
                number = append_xlsx_row(sheet, [row.title])
                sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=len(columns))
                first = sheet.cell(row=number, column=1)
                first.font = Font(bold=True)
                first.fill = _SECTION_FILL
                continue
            values = [plain_text(v.text) if isinstance(v, Cell) else v for v in row]
            number = append_xlsx_row(sheet, values)
            for index in range(1, len(columns) + 1):
                cell = sheet.cell(row=number, column=index)
                cell.border = _BORDER
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
