"""Importing pupils and staff from CSV / XLSX exports of school systems.

upload → map the file's columns to fields (guessed from the headers, with a preview) →
validate every row (names, dates, classes, duplicates in the file and against the bank;
the curator may correct a row in place) → apply all rows or none. People are matched by
the id of the school system when the file has one, else by name and birth date, so the
same file imported twice creates nobody twice. Files above `BACKGROUND_ROWS` rows are
validated and applied by a background job that reports its progress.

The file stays in `participant_import` (row-level security) until it is applied; rows and
errors never go to the logs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table as SqlTable
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from nastavnik.platform import documents as d
from nastavnik.platform import jobs
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import new_id, set_school, utcnow
from nastavnik.platform.imports import RowError, errors_to_json
from nastavnik.platform.tabular import Table, TabularError, read_table
from nastavnik.platform.web import Form
from nastavnik.school.directory import services as directory
from nastavnik.school.participants.models import (
    ImportBank,
    ImportStatus,
    ImportTarget,
    InterviewResult,
    MenteeCategory,
    MenteeProfile,
    MenteeStatus,
    MentorProfile,
    MentorStatus,
    Participant,
    ParticipantImport,
    ParticipantKind,
    local_today,
    mentee_direction,
    mentee_request_area,
    mentor_direction,
)
from nastavnik.school.participants.parsing import name_key, normalise_for_key, parse_int, split_full_name
from nastavnik.school.participants.services import (
    ParticipantDraft,
    partner_index,
    validate_participant,
)
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items

# Larger files are validated and applied in the background with a progress bar.
BACKGROUND_ROWS = 1000
PROGRESS_EVERY = 500
PREVIEW_ROWS = 5
MAX_ROWS = 50_000
# How many rows with errors the page lets the curator correct in place.
EDITABLE_ERROR_ROWS = 30

JOB_KIND = "participants.import"

IMPORT_TARGET_TITLES = {ImportTarget.PUPILS: "Обучающиеся", ImportTarget.STAFF: "Педагоги и сотрудники"}
IMPORT_BANK_TITLES = {
    ImportBank.NONE: "Только внести в список участников",
    ImportBank.MENTEES: "Внести в базу наставляемых",
    ImportBank.MENTORS: "Внести в базу наставников",
}
IMPORT_STATUS_TITLES = {
    ImportStatus.UPLOADED: "Сопоставление столбцов",
    ImportStatus.VALIDATING: "Проверка строк",
    ImportStatus.VALIDATED: "Проверено",
    ImportStatus.APPLYING: "Загрузка в базу",
    ImportStatus.APPLIED: "Загружено",
    ImportStatus.FAILED: "Ошибка",
}

# Fields a column can be mapped to, with their titles, per target.
FIELD_TITLES: dict[str, str] = {
    "external_id": "Идентификатор в школьной системе",
    "full_name": "ФИО одной строкой",
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "birth_date": "Дата рождения",
    "class_name": "Класс (например, 7Б)",
    "grade": "Параллель (номер класса)",
    "class_letter": "Буква класса",
    "position": "Должность",
    "subjects": "Предметы",
    "experience_years": "Педагогический стаж, лет",
    "teacher_category": "Квалификационная категория",
    "email": "Электронная почта",
    "phone": "Телефон",
    "notes": "Примечание",
    "kind": "Кто (обучающийся или педагог)",
    "role": "Роль (наставник или наставляемый)",
    "parent_name": "ФИО родителя (законного представителя)",
    "parent_phone": "Телефон родителя",
    "directions": "Направления запроса или помощи",
    "request_areas": "Сферы запроса",
    "capacity": "Сколько наставляемых может вести",
}
# Columns any file may carry: who the row is (a file of pupils and staff together), their
# bank and request, a pupil's parent.
COMMON_FIELDS = ("kind", "role", "directions", "request_areas", "capacity")
PUPIL_ONLY = ("class_name", "grade", "class_letter", "parent_name", "parent_phone")
TARGET_FIELDS: dict[ImportTarget, tuple[str, ...]] = {
    ImportTarget.PUPILS: (
        "external_id",
        "full_name",
        "last_name",
        "first_name",
        "middle_name",
        "birth_date",
        "class_name",
        "grade",
        "class_letter",
        "parent_name",
        "parent_phone",
        "email",
        "phone",
        "notes",
        *COMMON_FIELDS,
    ),
    ImportTarget.STAFF: (
        "external_id",
        "full_name",
        "last_name",
        "first_name",
        "middle_name",
        "birth_date",
        "position",
        "subjects",
        "experience_years",
        "teacher_category",
        "email",
        "phone",
        "notes",
        *COMMON_FIELDS,
    ),
}
# A file with a «Кто» column holds both: every field of either.
MIXED_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys((*TARGET_FIELDS[ImportTarget.PUPILS], *TARGET_FIELDS[ImportTarget.STAFF]))
)

_ALIASES: dict[str, str] = {
    "id": "external_id",
    "код": "external_id",
    "код ученика": "external_id",
    "код сотрудника": "external_id",
    "ид": "external_id",
    "uid": "external_id",
    "guid": "external_id",
    "идентификатор": "external_id",
    "личный номер": "external_id",
    "номер личного дела": "external_id",
    "№ личного дела": "external_id",
    "табельный номер": "external_id",
    "фио": "full_name",
    "ф.и.о.": "full_name",
    "ф. и. о.": "full_name",
    "ф.и.о": "full_name",
    "фамилия имя отчество": "full_name",
    "фамилия, имя, отчество": "full_name",
    "обучающийся": "full_name",
    "ученик": "full_name",
    "сотрудник": "full_name",
    "педагог": "full_name",
    "фамилия": "last_name",
    "имя": "first_name",
    "отчество": "middle_name",
    "дата рождения": "birth_date",
    "д.р.": "birth_date",
    "др": "birth_date",
    "дата рожд.": "birth_date",
    "класс": "class_name",
    "класс/группа": "class_name",
    "группа": "class_name",
    "параллель": "grade",
    "номер класса": "grade",
    "буква": "class_letter",
    "литера": "class_letter",
    "буква класса": "class_letter",
    "должность": "position",
    "предмет": "subjects",
    "предметы": "subjects",
    "преподаваемые предметы": "subjects",
    "дисциплины": "subjects",
    "стаж": "experience_years",
    "педагогический стаж": "experience_years",
    "пед. стаж": "experience_years",
    "педстаж": "experience_years",
    "стаж работы": "experience_years",
    "стаж, лет": "experience_years",
    "категория": "teacher_category",
    "квалификационная категория": "teacher_category",
    "email": "email",
    "e-mail": "email",
    "эл. почта": "email",
    "электронная почта": "email",
    "почта": "email",
    "телефон": "phone",
    "тел.": "phone",
    "мобильный телефон": "phone",
    "контактный телефон": "phone",
    "примечание": "notes",
    "комментарий": "notes",
    "кто": "kind",
    "категория участника": "kind",
    "участник": "kind",
    "роль": "role",
    "роль в программе": "role",
    "база": "role",
    "фио родителя": "parent_name",
    "родитель": "parent_name",
    "фио законного представителя": "parent_name",
    "законный представитель": "parent_name",
    "родитель (законный представитель)": "parent_name",
    "телефон родителя": "parent_phone",
    "телефон законного представителя": "parent_phone",
    "направления": "directions",
    "направление": "directions",
    "направления запроса": "directions",
    "направления наставничества": "directions",
    "сферы запроса": "request_areas",
    "сфера запроса": "request_areas",
    "сферы": "request_areas",
    "наставляемых": "capacity",
    "сколько наставляемых": "capacity",
    "педагогический стаж, лет": "experience_years",
    "число наставляемых": "capacity",
    "вместимость": "capacity",
}

KIND_WORDS: dict[str, ParticipantKind] = {
    "обучающийся": ParticipantKind.PUPIL,
    "обучающаяся": ParticipantKind.PUPIL,
    "ученик": ParticipantKind.PUPIL,
    "ученица": ParticipantKind.PUPIL,
    "учащийся": ParticipantKind.PUPIL,
    "учащаяся": ParticipantKind.PUPIL,
    "педагог": ParticipantKind.TEACHER,
    "учитель": ParticipantKind.TEACHER,
    "сотрудник": ParticipantKind.TEACHER,
    "сотрудница": ParticipantKind.TEACHER,
    "работник": ParticipantKind.TEACHER,
}
ROLE_WORDS: dict[str, ImportBank] = {
    "наставник": ImportBank.MENTORS,
    "наставница": ImportBank.MENTORS,
    "наставляемый": ImportBank.MENTEES,
    "наставляемая": ImportBank.MENTEES,
    "нет": ImportBank.NONE,
    "-": ImportBank.NONE,
}
MAX_CAPACITY = 30


@dataclass(frozen=True)
class TemplateColumn:
    header: str  # recognised by `_ALIASES`, so the template maps itself
    what: str
    example: str
    limit: str


# The downloadable template and the page's table of columns come from this one list.
TEMPLATE_COLUMNS = (
    TemplateColumn("Кто", "обучающийся или педагог; пусто — как выбрано при загрузке", "обучающийся", ""),
    TemplateColumn(
        "Роль", "наставник, наставляемый или пусто — как выбрано при загрузке", "наставляемый", ""
    ),
    TemplateColumn("Фамилия", "обязательно", "Иванова", "до 120 символов"),
    TemplateColumn("Имя", "обязательно", "Мария", "до 120 символов"),
    TemplateColumn("Отчество", "если есть", "Петровна", "до 120 символов"),
    TemplateColumn("Дата рождения", "дд.мм.гггг; по ней видно, кто подписывает согласие", "05.03.2011", ""),
    TemplateColumn("Класс", "обязательно для обучающихся", "7Б", "1-11 и буква"),
    TemplateColumn(
        "ФИО родителя",
        "родитель или законный представитель обучающегося",
        "Иванова Ольга Сергеевна",
        "до 300 символов",
    ),
    TemplateColumn("Телефон родителя", "", "+7 900 123-45-67", "11 цифр"),
    TemplateColumn("Должность", "для педагогов", "Учитель математики", "до 200 символов"),
    TemplateColumn("Предметы", "через запятую", "математика, физика", "до 500 символов"),
    TemplateColumn("Педагогический стаж", "лет, целое число", "12", "0-70"),
    TemplateColumn(
        "Направления",
        "через «;» названия или номера направлений (лист «Справочник»)",
        "4; 9",
        "",
    ),
    TemplateColumn("Сферы запроса", "для наставляемых, через «;»", "Интеллектуальное", ""),
    TemplateColumn("Сколько наставляемых", "для наставников", "2", f"1-{30}"),
    TemplateColumn(
        "Электронная почта", "для педагогов — чтобы пригласить войти", "ivanova@school.ru", "до 320 символов"
    ),
    TemplateColumn("Телефон", "", "+7 900 765-43-21", "11 цифр"),
    TemplateColumn("Примечание", "", "", "до 2000 символов"),
)


async def template_sheets(db: AsyncSession) -> list[tuple[str, d.Table]]:
    """The file to fill: an empty sheet of the columns, what goes in each, the directions' numbers."""
    columns = [d.Column(c.header, 1.2) for c in TEMPLATE_COLUMNS]
    explained = d.Table(
        columns=[
            d.Column("Столбец", 1.2),
            d.Column("Что писать", 3),
            d.Column("Пример", 1.5),
            d.Column("Ограничение", 1.2),
        ],
        rows=[[c.header, c.what, c.example, c.limit] for c in TEMPLATE_COLUMNS],
    )
    reference: list[list[str]] = []
    for title, kind in (
        ("Направление", ReferenceKind.DIRECTION),
        ("Сфера запроса", ReferenceKind.REQUEST_AREA),
    ):
        for number, item in enumerate(await reference_items(db, kind), start=1):
            reference.append([title, str(number), item.title])
    return [
        ("Участники", d.Table(columns=columns, rows=[])),
        ("Столбцы", explained),
        (
            "Справочник",
            d.Table(
                columns=[d.Column("Список", 1), d.Column("Номер", 0.6), d.Column("Название", 5)],
                rows=reference,
            ),
        ),
    ]


def _header_key(header: str) -> str:
    return " ".join(header.lower().replace("ё", "е").replace("\n", " ").split()).strip(" :*")


def guess_field(header: str, target: ImportTarget | None) -> str | None:
    field_name = _ALIASES.get(_header_key(header))
    return field_name if field_name in (TARGET_FIELDS[target] if target else MIXED_FIELDS) else None


def guess_mapping(headers: list[str], target: ImportTarget) -> dict[str, str]:
    """Fields by header; a «Кто» column makes it a file of pupils and staff (every field)."""
    mapping: dict[str, str] = {}
    mixed = any(guess_field(header, target) == "kind" for header in headers)
    for index, header in enumerate(headers):
        field_name = guess_field(header, None if mixed else target)
        if field_name and field_name not in mapping.values():
            mapping[str(index)] = field_name
    return mapping


def fields_of(imp: ParticipantImport) -> tuple[str, ...]:
    """The fields this import's columns may be mapped to."""
    return MIXED_FIELDS if "kind" in (imp.mapping or {}).values() else TARGET_FIELDS[imp.target]


@dataclass(frozen=True)
class ParsedFile:
    headers: list[str]
    rows: list[list[str]]
    first_line: int  # the file's line number of rows[0]


def locate_header(table: Table, target: ImportTarget) -> ParsedFile:
    """School exports often put a title above the header: take the row naming most fields."""
    candidates = [table.headers, *table.rows[:10]]
    best, best_hits = 0, 0
    for index, row in enumerate(candidates):
        hits = sum(1 for cell in row if guess_field(cell, target))
        if hits > best_hits:
            best, best_hits = index, hits
    headers = [h.strip() for h in candidates[best]]
    rows = table.rows[best:]
    return ParsedFile(headers=headers, rows=rows, first_line=best + 2)


def read_upload(filename: str, data: bytes, target: ImportTarget) -> tuple[Table, ParsedFile]:
    """Raises TabularError with a message for the person who uploaded the file."""
    table = read_table(filename, data)
    parsed = locate_header(table, target)
    data_rows = sum(1 for row in parsed.rows if any(cell.strip() for cell in row))
    if data_rows == 0:
        msg = "В файле нет ни одной строки с данными под заголовками."
        raise TabularError(msg)
    if data_rows > MAX_ROWS:
        msg = (
            f"В файле {data_rows} строк, а за один раз можно загрузить не больше {MAX_ROWS}. Разделите файл."
        )
        raise TabularError(msg)
    return table, parsed


# The upload is kept as UTF-8 CSV of the table as read (title rows included, so line numbers
# stay those of the file): validation and apply then re-read it in milliseconds instead of
# parsing the XLSX again.
def canonical_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")


def read_canonical(data: bytes) -> Table:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";"))
    width = len(rows[0]) if rows else 0
    return Table(headers=rows[0] if rows else [], rows=[(r + [""] * width)[:width] for r in rows[1:]])


def mapping_problems(mapping: dict[str, str], target: ImportTarget) -> list[str]:
    """What is missing for the rows to be readable at all ("missing columns")."""
    fields = set(mapping.values())
    problems = []
    if "full_name" not in fields and not {"last_name", "first_name"} <= fields:
        problems.append("Укажите столбец с ФИО или столбцы «Фамилия» и «Имя».")
    if (
        target is ImportTarget.PUPILS
        and "kind" not in fields
        and "class_name" not in fields
        and "grade" not in fields
    ):
        problems.append("Укажите столбец с классом обучающегося (например, «Класс» или «Параллель»).")
    counts: dict[str, int] = {}
    for value in mapping.values():
        counts[value] = counts.get(value, 0) + 1
    for value, count in counts.items():
        if count > 1:
            problems.append(f"Поле «{FIELD_TITLES[value]}» выбрано для {count} столбцов: оставьте один.")
    return problems


# --- validation -----------------------------------------------------------------------


@dataclass
class RowPlan:
    line: int
    draft: ParticipantDraft
    key: str  # the key stored on the participant
    existing_id: uuid.UUID | None = None
    action: str = "create"  # create | update | same
    bank: ImportBank = ImportBank.NONE
    directions: list[uuid.UUID] = field(default_factory=list)
    request_areas: list[uuid.UUID] = field(default_factory=list)
    capacity: int | None = None


@dataclass
class Validation:
    errors: list[RowError] = field(default_factory=list)
    plans: list[RowPlan] = field(default_factory=list)
    rows: int = 0

    @property
    def summary(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "same": 0, "rows": self.rows, "errors": len(self.errors)}
        for plan in self.plans:
            counts[plan.action] += 1
        return counts


def _row_values(row: list[str], mapping: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for index, field_name in mapping.items():
        position = int(index)
        if position < len(row):
            values[field_name] = row[position].strip()
    return values


def _form_for_row(values: dict[str, str]) -> Form:
    data = dict(values)
    if "full_name" in data and not (data.get("last_name") or data.get("first_name")):
        data["last_name"], data["first_name"], data["middle_name"] = split_full_name(data["full_name"])
    if not data.get("class_name") and data.get("grade"):
        data["class_name"] = data["grade"] + data.get("class_letter", "")
    fields = (*FIELD_TITLES.keys(), "partner_organization_id", "graduation_year")
    return Form.from_mapping(data, tuple(fields))


@dataclass(frozen=True)
class Vocabulary:
    """Directions and request areas as a file may name them: title, short title, code or number."""

    directions: dict[str, uuid.UUID]
    areas: dict[str, uuid.UUID]

    @staticmethod
    def of(items: list[ReferenceItem]) -> dict[str, uuid.UUID]:
        words: dict[str, uuid.UUID] = {}
        for number, item in enumerate(items, start=1):
            for word in (item.title, item.short_title, item.code, str(number)):
                if word:
                    words.setdefault(normalise_for_key(word).strip(" ."), item.id)
        return words


async def vocabulary(db: AsyncSession) -> Vocabulary:
    return Vocabulary(
        directions=Vocabulary.of(await reference_items(db, ReferenceKind.DIRECTION)),
        areas=Vocabulary.of(await reference_items(db, ReferenceKind.REQUEST_AREA)),
    )


def parse_references(text: str, words: dict[str, uuid.UUID]) -> tuple[list[uuid.UUID], list[str]]:
    """«Гибкие навыки, лидерство, метакомпетенции; 9» → ids, and the parts not recognised.

    Titles contain commas, so «;» and new lines separate first; a part not known as a whole
    is split at its commas."""
    found: list[uuid.UUID] = []
    unknown: list[str] = []
    for part in re.split(r"[;\n]", text or ""):
        key = normalise_for_key(part).strip(" .")
        if not key:
            continue
        pieces = [key] if key in words else [p.strip(" .") for p in key.split(",") if p.strip(" .")]
        for piece in pieces:
            item = words.get(piece)
            if item is None:
                unknown.append(piece)
            elif item not in found:
                found.append(item)
    return found, unknown


def _row_profile(
    values: dict[str, str],
    form: Form,
    *,
    default_bank: ImportBank,
    words: Vocabulary,
) -> tuple[ImportBank, list[uuid.UUID], list[uuid.UUID], int | None]:
    """The row's bank and request (errors into `form`, against the file's columns)."""
    bank = default_bank
    raw_role = normalise_for_key(values.get("role", ""))
    if raw_role:
        bank = ROLE_WORDS.get(raw_role, ImportBank.NONE)
        if raw_role not in ROLE_WORDS:
            form.error("role", "Роль: «наставник» или «наставляемый» (пусто — как выбрано для файла).")
    directions, unknown = parse_references(values.get("directions", ""), words.directions)
    if unknown:
        form.error(
            "directions", f"Нет такого направления: «{unknown[0]}». Пишите название или номер из шаблона."
        )
    areas, unknown = parse_references(values.get("request_areas", ""), words.areas)
    if unknown:
        form.error("request_areas", f"Нет такой сферы запроса: «{unknown[0]}».")
    capacity: int | None = None
    raw_capacity = values.get("capacity", "")
    if raw_capacity:
        capacity = parse_int(raw_capacity, 1, MAX_CAPACITY)
        if capacity is None:
            form.error("capacity", f"Число наставляемых — от 1 до {MAX_CAPACITY}.")
        elif bank is not ImportBank.MENTORS:
            capacity = None  # a mentee's row may share a template with mentors' rows
    return bank, directions, areas, capacity


def row_kind(values: dict[str, str], target: ImportTarget, form: Form) -> ParticipantKind:
    """The row's «Кто», or the file's target when the column is absent or blank."""
    default = ParticipantKind.PUPIL if target is ImportTarget.PUPILS else ParticipantKind.TEACHER
    raw = normalise_for_key(values.get("kind", ""))
    if not raw:
        return default
    kind = KIND_WORDS.get(raw)
    if kind is None:
        form.error("kind", "Кто: «обучающийся» или «педагог».")
        return default
    return kind


# Which form field an error of a row is reported against, in the file's terms.
def _column_title(field_name: str, mapping: dict[str, str], headers: list[str]) -> str:
    sources = {
        "last_name": ("last_name", "full_name"),
        "first_name": ("first_name", "full_name"),
        "middle_name": ("middle_name", "full_name"),
        "class_name": ("class_name", "grade", "class_letter"),
    }.get(field_name, (field_name,))
    for index, mapped in mapping.items():
        if mapped in sources and int(index) < len(headers):
            return headers[int(index)] or FIELD_TITLES.get(mapped, mapped)
    return FIELD_TITLES.get(field_name, field_name)


def _value_for_error(field_name: str, values: dict[str, str]) -> str:
    if field_name in ("last_name", "first_name", "middle_name") and "full_name" in values:
        return values.get(field_name) or values["full_name"]
    if field_name == "class_name" and "class_name" not in values:
        return values.get("grade", "") + values.get("class_letter", "")
    return values.get(field_name, "")


class KnownPeople:
    """The bank's people by import key and by name key, built once per validation."""

    def __init__(self, people: list[Participant]) -> None:
        self.by_key: dict[str, tuple[uuid.UUID, ParticipantKind]] = {}
        self.by_name: dict[str, tuple[uuid.UUID, ParticipantKind]] = {}
        for person in people:
            if person.import_key:
                self.by_key[person.import_key] = (person.id, person.kind)
            key = name_key(person.last_name, person.first_name, person.middle_name, person.birth_date)
            self.by_name.setdefault(key, (person.id, person.kind))

    def find(self, key: str, name: str) -> tuple[uuid.UUID, ParticipantKind] | None:
        return self.by_key.get(key) or self.by_key.get(name) or self.by_name.get(name)


Progress = Callable[[int], Awaitable[None]]


async def validate_rows(
    db: AsyncSession,
    school: School,
    imp: ParticipantImport,
    parsed: ParsedFile,
    *,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Validation:
    """Check every row; nothing is written. Errors are per row and field, as in the file."""
    day = today or local_today()
    mapped = set(imp.mapping.values())
    keep_blank = tuple(f for f in ("class_name",) if not ({"class_name", "grade"} & mapped))
    words = await vocabulary(db)
    partners = await partner_index(db, school)
    existing = await _existing_people(db, school)
    known = KnownPeople(list(existing.values()))
    seen: dict[str, int] = {}
    result = Validation()
    for offset, row in enumerate(parsed.rows):
        if progress is not None and offset and offset % PROGRESS_EVERY == 0:
            await progress(offset)
        if not any(cell.strip() for cell in row):
            continue
        line = parsed.first_line + offset
        result.rows += 1
        values = _row_values(row, imp.mapping)
        values.update(imp.corrections.get(str(line), {}))
        form = _form_for_row(values)
        kind = row_kind(values, imp.target, form)
        if kind is not ParticipantKind.PUPIL:
            for name in PUPIL_ONLY:
                form.data[name] = ""  # a teacher's row of a mixed file leaves the pupils' columns
        bank, directions, areas, capacity = _row_profile(values, form, default_bank=imp.bank, words=words)
        draft = validate_participant(form, partners=partners, today=day, kind=kind, keep_blank=keep_blank)
        for field_name, message in form.errors.items():
            result.errors.append(
                RowError(
                    line,
                    _column_title(field_name, imp.mapping, parsed.headers),
                    _value_for_error(field_name, values),
                    message,
                )
            )
        if draft is None:
            continue
        external = values.get("external_id", "").strip()
        by_name = draft.name_key
        row_target = ImportTarget.PUPILS if kind is ParticipantKind.PUPIL else ImportTarget.STAFF
        key = f"ext:{row_target.value}:{normalise_for_key(external)}" if external else by_name
        if key in seen:
            result.errors.append(
                RowError(
                    line, "", _value_for_error("last_name", values), f"Строка повторяет строку {seen[key]}."
                )
            )
            continue
        seen[key] = line
        plan = RowPlan(
            line=line,
            draft=draft,
            key=key,
            bank=bank,
            directions=directions,
            request_areas=areas,
            capacity=capacity,
        )
        match = known.find(key, by_name)
        if match is not None:
            person_id, existing_kind = match
            if existing_kind is not kind:
                result.errors.append(
                    RowError(
                        line,
                        "",
                        _value_for_error("last_name", values),
                        "Этот человек уже есть в базе школы в другой роли "
                        f"({'обучающийся' if existing_kind is ParticipantKind.PUPIL else 'сотрудник'}).",
                    )
                )
                continue
            plan.existing_id = person_id
            plan.action = "update" if _differs(existing[person_id], draft, mapped, key) else "same"
        result.plans.append(plan)
    if result.rows == 0:
        result.errors.append(RowError(parsed.first_line, "", "", "В файле нет ни одной строки с данными."))
    return result


_FIELDS_BY_COLUMN: dict[str, tuple[str, ...]] = {
    "full_name": ("last_name", "first_name", "middle_name"),
    "last_name": ("last_name",),
    "first_name": ("first_name",),
    "middle_name": ("middle_name",),
    "birth_date": ("birth_date",),
    "class_name": ("grade", "class_letter"),
    "grade": ("grade", "class_letter"),
    "class_letter": ("grade", "class_letter"),
    "position": ("position",),
    "subjects": ("subjects",),
    "experience_years": ("experience_years",),
    "teacher_category": ("teacher_category",),
    "email": ("email",),
    "phone": ("phone",),
    "notes": ("notes",),
    "parent_name": ("parent_name",),
    "parent_phone": ("parent_phone",),
}


def _updated_fields(mapped: set[str]) -> set[str]:
    """Participant attributes an import sets: only what the file carries."""
    fields: set[str] = set()
    for column in mapped:
        fields.update(_FIELDS_BY_COLUMN.get(column, ()))
    return fields


async def _existing_people(db: AsyncSession, school: School) -> dict[uuid.UUID, Participant]:
    result = await db.execute(
        select(Participant).where(Participant.school_id == school.id, Participant.anonymised_at.is_(None))
    )
    return {p.id: p for p in result.scalars()}


def _differs(person: Participant, draft: ParticipantDraft, mapped: set[str], key: str) -> bool:
    if person.import_key != key:
        return True
    return any(getattr(person, name) != getattr(draft, name) for name in _updated_fields(mapped))


# --- the steps, called by controllers and by the job -----------------------------------


async def create_import(
    db: AsyncSession,
    school: School,
    *,
    filename: str,
    data: bytes,
    target: ImportTarget,
    bank: ImportBank,
    year: int,
    created_by: uuid.UUID | None,
) -> ParticipantImport:
    """Store the upload and guess the mapping; raises TabularError for unreadable files."""
    table, parsed = read_upload(filename, data, target)
    imp = ParticipantImport(
        school_id=school.id,
        created_by_id=created_by,
        filename=filename[-255:],
        content=canonical_csv(table),
        target=target,
        bank=bank,
        academic_year=year,
        status=ImportStatus.UPLOADED,
        headers=parsed.headers,
        mapping=guess_mapping(parsed.headers, target),
        corrections={},
        total_rows=sum(1 for row in parsed.rows if any(cell.strip() for cell in row)),
        processed_rows=0,
        errors=[],
        summary={},
    )
    db.add(imp)
    await db.flush()
    return imp


async def get_import(
    db: AsyncSession, school: School, import_id: str, *, with_content: bool = False
) -> ParticipantImport | None:
    try:
        key = uuid.UUID(import_id)
    except ValueError:
        return None
    query = select(ParticipantImport).where(
        ParticipantImport.school_id == school.id, ParticipantImport.id == key
    )
    if with_content:
        query = query.options(undefer(ParticipantImport.content))
    return (await db.execute(query)).scalar_one_or_none()


async def recent_imports(db: AsyncSession, school: School, limit: int = 10) -> list[ParticipantImport]:
    result = await db.execute(
        select(ParticipantImport)
        .where(ParticipantImport.school_id == school.id)
        .order_by(ParticipantImport.created_at.desc())
        .limit(limit)
    )
    return list(result.scalars())


def parsed_file(imp: ParticipantImport) -> ParsedFile:
    return locate_header(read_canonical(imp.content), imp.target)


def preview(imp: ParticipantImport, parsed: ParsedFile) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for offset, row in enumerate(parsed.rows):
        if len(rows) >= PREVIEW_ROWS:
            break
        if not any(cell.strip() for cell in row):
            continue
        values = _row_values(row, imp.mapping)
        values["_line"] = str(parsed.first_line + offset)
        rows.append(values)
    return rows


def column_samples(parsed: ParsedFile, count: int = 3) -> list[str]:
    """A few values of each column, to recognise it on the mapping page."""
    samples: list[list[str]] = [[] for _ in parsed.headers]
    for row in parsed.rows[:50]:
        for index, cell in enumerate(row[: len(samples)]):
            if cell.strip() and len(samples[index]) < count:
                samples[index].append(cell.strip()[:40])
    return [", ".join(values) for values in samples]


def set_mapping(imp: ParticipantImport, data: dict[str, str], *, bank: str, year: str, form: Form) -> bool:
    """Store the mapping chosen on the page; problems go into `form.errors["__all__"]`."""
    chosen = {data.get(f"col_{index}", "") for index in range(len(imp.headers))}
    allowed = set(MIXED_FIELDS if "kind" in chosen else TARGET_FIELDS[imp.target])
    mapping: dict[str, str] = {}
    for index in range(len(imp.headers)):
        value = data.get(f"col_{index}", "")
        if value in allowed:
            mapping[str(index)] = value
    imp.mapping = mapping
    chosen_bank = next((b for b in ImportBank if b.value == bank), None)
    if chosen_bank is None:
        form.error("bank", "Выберите, куда внести людей из файла.")
    else:
        imp.bank = chosen_bank
    parsed_year = AcademicYear.parse(year)
    if parsed_year is None:
        form.error("year", "Учебный год в виде 2025-2026.")
    else:
        imp.academic_year = parsed_year.start
    problems = mapping_problems(mapping, imp.target)
    if problems:
        form.errors["__all__"] = " ".join(problems)
    return form.ok


def needs_background(imp: ParticipantImport) -> bool:
    return imp.total_rows > BACKGROUND_ROWS


async def run_validation(
    db: AsyncSession, school: School, imp: ParticipantImport, *, progress: Progress | None = None
) -> Validation:
    result = await validate_rows(db, school, imp, parsed_file(imp), progress=progress)
    imp.errors = errors_to_json(result.errors)
    imp.summary = result.summary
    imp.processed_rows = imp.total_rows
    imp.status = ImportStatus.VALIDATED
    await db.flush()
    return result


async def run_apply(  # noqa: PLR0912, PLR0915 - one pass over the plans, then the writes
    db: AsyncSession, school: School, imp: ParticipantImport, *, progress: Progress | None = None
) -> Validation:
    """Validate again (the bank may have changed) and write every row, or none."""
    result = await validate_rows(db, school, imp, parsed_file(imp))
    if result.errors:
        imp.errors = errors_to_json(result.errors)
        imp.summary = result.summary
        imp.status = ImportStatus.VALIDATED
        await db.flush()
        return result
    fields = _updated_fields(set(imp.mapping.values()))
    existing = await _existing_people(db, school)
    profiles = await _existing_profiles(db, school, imp)
    # New people and profiles go in as multi-row INSERTs (no per-object ORM bookkeeping);
    # people already in the bank are updated only where the file changes them.
    new_people: list[dict[str, Any]] = []
    new_profiles: dict[ImportBank, list[dict[str, Any]]] = {ImportBank.MENTEES: [], ImportBank.MENTORS: []}
    links: dict[SqlTable, list[dict[str, Any]]] = defaultdict(list)
    relinked: dict[ImportBank, list[uuid.UUID]] = {ImportBank.MENTEES: [], ImportBank.MENTORS: []}
    capacities: list[dict[str, Any]] = []
    for count, plan in enumerate(result.plans, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            await progress(count)
        if plan.existing_id is None:
            person_id = new_id()
            new_people.append(_person_row(school, plan, person_id))
        else:
            person_id = plan.existing_id
            if plan.action == "update":
                person = existing[person_id]
                for name in fields:
                    setattr(person, name, getattr(plan.draft, name))
                person.import_key = plan.key
        if plan.bank is ImportBank.NONE:
            continue
        profile_id = profiles[plan.bank].get(person_id)
        if profile_id is None:
            profile_id = new_id()
            new_profiles[plan.bank].append(_profile_row(imp, school, person_id, profile_id, plan))
            profiles[plan.bank][person_id] = profile_id
        else:
            # A profile already there takes the file's request where the file has one.
            if plan.directions or plan.request_areas:
                relinked[plan.bank].append(profile_id)
            if plan.capacity is not None and plan.bank is ImportBank.MENTORS:
                capacities.append({"pid": profile_id, "cap": plan.capacity})
        _profile_links(links, school, plan, profile_id)
    await db.flush()
    await _write_rows(db, school, new_people, new_profiles, links, relinked, capacities)
    if relinked[ImportBank.MENTORS] or capacities:
        # Mentors found by other schools show their directions: keep the directory in step.
        await directory.sync_mentors(db, school.id, list(profiles[ImportBank.MENTORS]))
    await db.flush()
    imp.status = ImportStatus.APPLIED
    imp.applied_at = utcnow()
    imp.errors = []
    imp.summary = result.summary
    imp.processed_rows = imp.total_rows
    imp.content = b""  # the file is not kept once its people are in the bank
    await db.flush()
    return result


async def _write_rows(
    db: AsyncSession,
    school: School,
    new_people: list[dict[str, Any]],
    new_profiles: dict[ImportBank, list[dict[str, Any]]],
    links: dict[SqlTable, list[dict[str, Any]]],
    relinked: dict[ImportBank, list[uuid.UUID]],
    capacities: list[dict[str, Any]],
) -> None:
    for start in range(0, len(new_people), INSERT_BATCH):
        await db.execute(insert(_table(Participant)), new_people[start : start + INSERT_BATCH])
    for profile_bank, rows in new_profiles.items():
        model = MenteeProfile if profile_bank is ImportBank.MENTEES else MentorProfile
        for start in range(0, len(rows), INSERT_BATCH):
            await db.execute(insert(_table(model)), rows[start : start + INSERT_BATCH])
    await _replace_links(db, school, relinked)
    for table, rows in links.items():
        for start in range(0, len(rows), INSERT_BATCH):
            await db.execute(insert(table), rows[start : start + INSERT_BATCH])
    if capacities:
        mentor_table = _table(MentorProfile)
        await db.execute(
            update(mentor_table)
            .where(mentor_table.c.school_id == school.id, mentor_table.c.id == bindparam("pid"))
            .values(capacity=bindparam("cap")),
            capacities,
        )


async def _existing_profiles(
    db: AsyncSession, school: School, imp: ParticipantImport
) -> dict[ImportBank, dict[uuid.UUID, uuid.UUID]]:
    """The year's mentee and mentor profiles: participant id → profile id, per bank."""
    found: dict[ImportBank, dict[uuid.UUID, uuid.UUID]] = {}
    for bank, profile in ((ImportBank.MENTEES, MenteeProfile), (ImportBank.MENTORS, MentorProfile)):
        result = await db.execute(
            select(profile.participant_id, profile.id).where(
                profile.school_id == school.id, profile.academic_year == imp.academic_year
            )
        )
        found[bank] = {row[0]: row[1] for row in result}
    return found


def _profile_links(
    links: dict[SqlTable, list[dict[str, Any]]], school: School, plan: RowPlan, profile_id: uuid.UUID
) -> None:
    if plan.bank is ImportBank.MENTEES:
        for item in plan.directions:
            links[mentee_direction].append(
                {"school_id": school.id, "mentee_profile_id": profile_id, "reference_item_id": item}
            )
        for item in plan.request_areas:
            links[mentee_request_area].append(
                {"school_id": school.id, "mentee_profile_id": profile_id, "reference_item_id": item}
            )
    elif plan.bank is ImportBank.MENTORS:
        for item in plan.directions:
            links[mentor_direction].append(
                {"school_id": school.id, "mentor_profile_id": profile_id, "reference_item_id": item}
            )


async def _replace_links(
    db: AsyncSession, school: School, relinked: dict[ImportBank, list[uuid.UUID]]
) -> None:
    """Existing profiles whose rows name directions or areas: the file's lists replace theirs."""
    for table, column, bank in (
        (mentee_direction, "mentee_profile_id", ImportBank.MENTEES),
        (mentee_request_area, "mentee_profile_id", ImportBank.MENTEES),
        (mentor_direction, "mentor_profile_id", ImportBank.MENTORS),
    ):
        ids = relinked[bank]
        for start in range(0, len(ids), INSERT_BATCH):
            await db.execute(
                delete(table).where(
                    table.c.school_id == school.id, table.c[column].in_(ids[start : start + INSERT_BATCH])
                )
            )


INSERT_BATCH = 2000


def _table(model: type[Participant] | type[MenteeProfile] | type[MentorProfile]) -> SqlTable:
    # Core inserts of plain rows: no per-object ORM bookkeeping, no RETURNING round trip.
    return cast("SqlTable", model.__table__)


def _person_row(school: School, plan: RowPlan, person_id: uuid.UUID) -> dict[str, Any]:
    draft = plan.draft
    return {
        "school_id": school.id,
        "id": person_id,
        "kind": draft.kind,
        "last_name": draft.last_name,
        "first_name": draft.first_name,
        "middle_name": draft.middle_name,
        "birth_date": draft.birth_date,
        "grade": draft.grade,
        "class_letter": draft.class_letter,
        "subjects": draft.subjects,
        "experience_years": draft.experience_years,
        "teacher_category": draft.teacher_category,
        "position": draft.position,
        "graduation_year": draft.graduation_year,
        "partner_organization_id": draft.partner_organization_id,
        "staff_member_id": None,
        "email": draft.email,
        "phone": draft.phone,
        "notes": draft.notes,
        "parent_name": draft.parent_name,
        "parent_phone": draft.parent_phone,
        "import_key": plan.key,
    }


def _profile_row(
    imp: ParticipantImport, school: School, person_id: uuid.UUID, profile_id: uuid.UUID, plan: RowPlan
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "school_id": school.id,
        "id": profile_id,
        "participant_id": person_id,
        "academic_year": imp.academic_year,
    }
    if plan.bank is ImportBank.MENTEES:
        pupil = plan.draft.kind is ParticipantKind.PUPIL
        category = MenteeCategory.PUPIL if pupil else MenteeCategory.NEW_TEACHER
        experience = plan.draft.experience_years
        if not pupil and experience is not None and experience < 3:
            category = MenteeCategory.YOUNG_TEACHER
        row.update(category=category, request_text="", request_sources=[], status=MenteeStatus.ACTIVE)
    else:
        row.update(
            capacity=plan.capacity or 1,
            subjects=plan.draft.subjects,
            competencies_text="",
            confirmed_results="",
            interview_result=InterviewResult.NOT_DONE,
            interview_note="",
            cross_school_search=False,
            status=MentorStatus.CANDIDATE,
        )
    return row


def row_errors(imp: ParticipantImport) -> list[RowError]:
    return [
        RowError(int(e["line"]), str(e["column"]), str(e["value"]), str(e["message"])) for e in imp.errors
    ]


def save_corrections(imp: ParticipantImport, data: dict[str, str]) -> int:
    """Fields typed on the page as `fix_<line>_<field>`; returns how many values changed."""
    allowed = set(fields_of(imp)) | {"class_name"}
    corrections = {line: dict(values) for line, values in imp.corrections.items()}
    parsed = parsed_file(imp) if imp.content else None
    shown: dict[str, dict[str, str]] = {}
    changed = 0
    for name, value in data.items():
        if not name.startswith("fix_"):
            continue
        _, line, field_name = name.split("_", 2)
        if not line.isdigit() or field_name not in allowed:
            continue
        # Every field of the page comes back; only those differing from what it showed count.
        if line not in shown:
            shown[line] = _shown_values(imp, parsed, int(line))
        if shown[line].get(field_name, "") != value.strip():
            corrections.setdefault(line, {})[field_name] = value.strip()
            changed += 1
    imp.corrections = corrections
    return changed


def _shown_values(imp: ParticipantImport, parsed: ParsedFile | None, line: int) -> dict[str, str]:
    """A row's values as the correction form shows them: the file's, then earlier corrections."""
    offset = line - parsed.first_line if parsed else -1
    raw = parsed.rows[offset] if parsed and 0 <= offset < len(parsed.rows) else []
    values = _row_values(raw, imp.mapping or {})
    if "full_name" in values:
        values["last_name"], values["first_name"], values["middle_name"] = split_full_name(
            values.pop("full_name")
        )
    if "grade" in values or "class_letter" in values:
        values["class_name"] = values.pop("grade", "") + values.pop("class_letter", "")
    values.update(imp.corrections.get(str(line), {}))
    return values


async def editable_rows(imp: ParticipantImport) -> list[dict[str, object]]:
    """The rows with errors, as the curator corrects them: line, values, errors per field."""
    parsed = parsed_file(imp)
    by_line: dict[int, list[RowError]] = {}
    for error in row_errors(imp):
        by_line.setdefault(error.line, []).append(error)
    rows: list[dict[str, object]] = []
    fields = _editable_fields(imp)
    # An error names the file's column: back to the fields it feeds, to mark those cells.
    by_column: dict[str, set[str]] = {}
    for index, mapped in (imp.mapping or {}).items():
        header = imp.headers[int(index)] if int(index) < len(imp.headers) else ""
        targets = {"full_name": {"last_name", "first_name", "middle_name"}}.get(mapped, {mapped})
        if mapped in ("grade", "class_letter"):
            targets = {"class_name"}
        by_column.setdefault(header or FIELD_TITLES.get(mapped, mapped), set()).update(targets)
    for line in sorted(by_line)[:EDITABLE_ERROR_ROWS]:
        values = _shown_values(imp, parsed, line)
        bad = {f for e in by_line[line] for f in by_column.get(e.column, set())}
        rows.append(
            {
                "line": line,
                "values": {f: values.get(f, "") for f in fields},
                "errors": [e.message for e in by_line[line]],
                # The cells to fix first, then the rest of the row.
                "fields": [f for f in fields if f in bad] + [f for f in fields if f not in bad],
                "bad": bad,
            }
        )
    return rows


def _editable_fields(imp: ParticipantImport) -> list[str]:
    mapped = set(imp.mapping.values())
    fields = ["last_name", "first_name", "middle_name"]
    for name in (
        "birth_date",
        "class_name",
        "position",
        "subjects",
        "experience_years",
        "teacher_category",
        "email",
        "phone",
        "parent_name",
        "parent_phone",
        "kind",
        "role",
        "directions",
        "request_areas",
        "capacity",
    ):
        source = {"class_name": {"class_name", "grade", "class_letter"}}.get(name, {name})
        if source & mapped:
            fields.append(name)
    return fields


EDIT_TITLES = {
    **FIELD_TITLES,
    "class_name": "Класс",
    "kind": "Кто",
    "role": "Роль",
    "parent_name": "ФИО родителя",
    "directions": "Направления",
    "request_areas": "Сферы запроса",
    "capacity": "Наставляемых",
    "experience_years": "Стаж, лет",
    "teacher_category": "Категория",
}


# --- background job ---------------------------------------------------------------------


async def start(db: AsyncSession, school: School, imp: ParticipantImport, action: str) -> bool:
    """Run `validate` or `apply` now, or queue it for a large file; True if queued."""
    if needs_background(imp):
        imp.status = ImportStatus.VALIDATING if action == "validate" else ImportStatus.APPLYING
        imp.processed_rows = 0
        await db.flush()
        await jobs.defer(db, run_import_job, school_id=str(school.id), import_id=str(imp.id), action=action)
        return True
    if action == "validate":
        await run_validation(db, school, imp)
    else:
        await run_apply(db, school, imp)
    return False


FAILURE_MESSAGE = (
    "Не удалось обработать файл. Попробуйте ещё раз; если ошибка повторится, "
    "напишите в поддержку и укажите номер загрузки."
)


# A failure (the database restarting, a worker stopped mid-file) is retried after 10 s,
# 100 s and 1000 s; the import shows «Ошибка» only when the last attempt fails too. Every
# attempt is one transaction, so a retry never finds half a file applied.
@jobs.app.task(
    name=JOB_KIND, pass_context=True, retry=jobs.RetryStrategy(max_attempts=3, exponential_wait=10)
)
async def run_import_job(context: jobs.JobContext, *, school_id: str, import_id: str, action: str) -> None:
    maker = jobs.sessionmaker_of(context)
    school_uuid, import_uuid = uuid.UUID(school_id), uuid.UUID(import_id)
    expected = ImportStatus.VALIDATING if action == "validate" else ImportStatus.APPLYING

    async def progress(done: int) -> None:
        # A separate short transaction, so the page can show it while the work goes on.
        async with maker() as side, side.begin():
            await set_school(side, school_uuid)
            await side.execute(
                update(ParticipantImport)
                .where(ParticipantImport.school_id == school_uuid, ParticipantImport.id == import_uuid)
                .values(processed_rows=done)
            )

    try:
        async with maker() as db, db.begin():
            await set_school(db, school_uuid)
            school = await db.get(School, school_uuid)
            imp = await get_import(db, school, import_id, with_content=True) if school else None
            # A job run again after its worker died may find its work already committed.
            if school is None or imp is None or imp.status is not expected:
                return
            if action == "validate":
                await run_validation(db, school, imp, progress=progress)
            else:
                await run_apply(db, school, imp, progress=progress)
    except Exception:
        if jobs.is_last_attempt(context):
            async with maker() as db, db.begin():
                await set_school(db, school_uuid)
                await db.execute(
                    update(ParticipantImport)
                    .where(ParticipantImport.school_id == school_uuid, ParticipantImport.id == import_uuid)
                    .values(status=ImportStatus.FAILED, failure=FAILURE_MESSAGE)
                )
        raise
