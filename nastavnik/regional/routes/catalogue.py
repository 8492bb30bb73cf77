"""Importing the region's catalogue of further-training programmes (ДПП) from XLSX or CSV.

Every row is checked; if any row is wrong nothing is saved, and the methodist gets the
list of errors by line and column (kept as an `ImportReport`, downloadable as CSV). A row
that is already in the catalogue (same title, provider and start date) is updated.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.imports import ImportReport, RowError, errors_to_json
from nastavnik.platform.tabular import TabularError, read_table
from nastavnik.regional.routes.models import RouteCourse
from nastavnik.school.participants.parsing import parse_date
from nastavnik.tenants.models import Region

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
FORMATS = {
    "очно": "очно",
    "очная": "очно",
    "заочно": "заочно",
    "дистанционно": "дистанционно",
    "дистанционная": "дистанционно",
    "онлайн": "дистанционно",
    "очно-заочно": "очно-заочно",
    "очно-заочная": "очно-заочно",
    "смешанная": "очно-заочно",
    "с дот": "очно-заочно",
}

# Column → the headings people write for it (compared in lower case, without spaces around).
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("название программы", "название", "программа", "наименование программы", "наименование"),
    "provider": ("организация", "провайдер", "организатор", "кто проводит", "образовательная организация"),
    "hours": ("часы", "объём, ч", "объем, ч", "количество часов", "объём часов", "объем часов"),
    "format": ("формат", "форма обучения", "форма"),
    "starts_on": ("дата начала", "начало", "с"),
    "ends_on": ("дата окончания", "окончание", "по"),
    "areas": ("области", "дефициты", "области компетенций"),
}
TITLES = {
    "title": "Название программы",
    "provider": "Организация",
    "hours": "Часы",
    "format": "Формат",
    "starts_on": "Дата начала",
    "ends_on": "Дата окончания",
    "areas": "Области",
}
REQUIRED = ("title", "provider", "hours", "format")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] | None = None
    message: str = ""
    report_id: uuid.UUID | None = None


def _columns(headers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = header.strip().lower()
        for name, names in COLUMNS.items():
            if key in names and name not in found:
                found[name] = index
    return found


def _areas(raw: str, by_title: dict[str, str]) -> tuple[list[str], str | None]:
    codes = []
    for part in (p.strip().lower() for p in raw.replace(",", ";").split(";")):
        if not part:
            continue
        code = by_title.get(part)
        if code is None:
            return [], f"Неизвестная область «{part}»: пишите как в справочнике (например, «Методические»)."
        codes.append(code)
    return codes, None


async def import_courses(  # noqa: PLR0911, PLR0912, PLR0915 - one check per column, each with its message
    db: AsyncSession,
    region: Region,
    filename: str,
    data: bytes,
    *,
    area_titles: dict[str, str],
    user_id: uuid.UUID | None,
) -> ImportResult:
    if len(data) > MAX_BYTES:
        return ImportResult(message="Файл больше 5 МБ: разделите его на части.")
    try:
        table = read_table(filename, data)
    except TabularError as exc:
        return ImportResult(message=str(exc))
    columns = _columns(table.headers)
    missing = [TITLES[c] for c in REQUIRED if c not in columns]
    if missing:
        return ImportResult(
            message="В первой строке нет столбцов: "
            + ", ".join(f"«{m}»" for m in missing)
            + ". Скачайте образец и заполните его."
        )
    rows = [(i + 2, row) for i, row in enumerate(table.rows) if any(cell.strip() for cell in row)]
    if not rows:
        return ImportResult(message="В файле нет ни одной строки с программами.")
    if len(rows) > MAX_ROWS:
        return ImportResult(message=f"За один раз можно загрузить не больше {MAX_ROWS} программ.")
    by_title = {t.lower(): c for c, t in area_titles.items()} | {c: c for c in area_titles}
    errors: list[RowError] = []
    values: list[dict[str, object]] = []
    seen: set[tuple[str, str, dt.date | None]] = set()

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    for line, row in rows:
        problems: list[RowError] = []

        def problem(
            name: str, value: str, message: str, line: int = line, bucket: list[RowError] = problems
        ) -> None:
            bucket.append(RowError(line, TITLES[name], value[:200], message))

        title = cell(row, "title")
        provider = cell(row, "provider")
        if not title:
            problem("title", title, "Укажите название программы.")
        elif len(title) > 400:
            problem("title", title, "Название длиннее 400 символов.")
        if not provider:
            problem("provider", provider, "Укажите организацию, которая проводит программу.")
        hours_raw = cell(row, "hours")
        hours = int(hours_raw) if hours_raw.isdigit() else None
        if hours is None or not 1 <= hours <= 2000:
            problem("hours", hours_raw, "Часы — целое число от 1 до 2000, например 36 или 72.")
        format_raw = cell(row, "format")
        fmt = FORMATS.get(format_raw.lower())
        if fmt is None:
            problem("format", format_raw, "Формат: очно, заочно, очно-заочно или дистанционно.")
        dates: list[dt.date | None] = []
        for name in ("starts_on", "ends_on"):
            raw = cell(row, name)
            day = parse_date(raw) if raw else None
            if raw and day is None:
                problem(name, raw, "Дата в виде дд.мм.гггг.")
            dates.append(day)
        if dates[0] and dates[1] and dates[1] < dates[0]:
            problem("ends_on", cell(row, "ends_on"), "Окончание раньше начала.")
        codes, area_error = _areas(cell(row, "areas"), by_title)
        if area_error:
            problem("areas", cell(row, "areas"), area_error)
        key = (title.lower(), provider.lower(), dates[0])
        if not problems and key in seen:
            problem("title", title, "Эта программа с той же датой начала уже есть выше в файле.")
        seen.add(key)
        errors.extend(problems)
        if not problems:
            values.append(
                {
                    "id": uuid.uuid4(),
                    "region_id": region.id,
                    "title": title,
                    "provider": provider[:300],
                    "hours": hours,
                    "format": fmt,
                    "starts_on": dates[0],
                    "ends_on": dates[1],
                    "area_codes": codes,
                    "imported_by_id": user_id,
                }
            )
    if errors:
        report = ImportReport(
            created_by_id=user_id,
            kind="route_courses",
            scope_code=region.code,
            filename=filename[-255:],
            errors=errors_to_json(errors),
        )
        db.add(report)
        await db.flush()
        return ImportResult(
            errors=errors, report_id=report.id, message="Ничего не загружено: исправьте ошибки."
        )
    existing = {
        (t.lower(), p.lower(), s)
        for t, p, s in (
            await db.execute(
                select(RouteCourse.title, RouteCourse.provider, RouteCourse.starts_on).where(
                    RouteCourse.region_id == region.id
                )
            )
        ).all()
    }
    updated = sum(
        1 for v in values if (str(v["title"]).lower(), str(v["provider"]).lower(), v["starts_on"]) in existing
    )
    statement = insert(RouteCourse).values(values)
    statement = statement.on_conflict_do_update(
        constraint="uq_route_course_region_id_title_provider_starts_on",
        set_={
            "hours": statement.excluded.hours,
            "format": statement.excluded.format,
            "ends_on": statement.excluded.ends_on,
            "area_codes": statement.excluded.area_codes,
            "imported_by_id": statement.excluded.imported_by_id,
        },
    )
    await db.execute(statement)
    return ImportResult(created=len(values) - updated, updated=updated)


def sample_rows() -> list[list[str]]:
    return [
        [TITLES[c] for c in COLUMNS],
        [
            "Формирование функциональной грамотности обучающихся",
            "ГАУ ДПО «Институт развития образования»",
            "36",
            "очно-заочно",
            "01.02.2027",
            "28.02.2027",
            "Методические",
        ],
    ]
