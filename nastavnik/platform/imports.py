"""Per-row error reports of imports, kept so that they can be downloaded."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import Base, IdMixin
from nastavnik.platform.spreadsheet_safety import csv_bytes


@dataclass(frozen=True)
class RowError:
    line: int  # line in the file as the person sees it (header is line 1)
    column: str
    value: str
    message: str


class ImportReport(IdMixin, Base):
    __tablename__ = "import_report"

    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    created_by_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(40))
    scope_code: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    errors: Mapped[list[dict[str, str | int]]] = mapped_column(JSONB)

    def row_errors(self) -> list[RowError]:
        return [
            RowError(int(e["line"]), str(e["column"]), str(e["value"]), str(e["message"]))
            for e in self.errors
        ]


def errors_to_json(errors: list[RowError]) -> list[dict[str, str | int]]:
    return [{"line": e.line, "column": e.column, "value": e.value, "message": e.message} for e in errors]


def errors_csv(errors: list[RowError]) -> bytes:
    """The report as CSV that opens correctly in Excel; cells echo the file, so made safe."""
    header = ["Строка", "Столбец", "Значение", "Ошибка"]
    return csv_bytes([header, *([e.line, e.column, e.value, e.message] for e in errors)])
