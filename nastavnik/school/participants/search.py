"""Searching and filtering the banks (names with typos via pg_trgm) and their XLSX export."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.school.participants.consent_rules import valid_consent_clause
from nastavnik.school.participants.models import (
    INTERVIEW_RESULT_TITLES,
    MENTEE_CATEGORY_TITLES,
    MENTEE_STATUS_TITLES,
    MENTOR_STATUS_TITLES,
    PARTICIPANT_KIND_TITLES,
    REQUEST_SOURCE_TITLES,
    TEACHER_CATEGORY_TITLES,
    MenteeProfile,
    MenteeStatus,
    MentorProfile,
    MentorStatus,
    Participant,
    ParticipantKind,
    mentee_direction,
    mentor_direction,
)
from nastavnik.school.participants.parsing import (
    parse_bool,
    parse_int,
)
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem

PAGE_SIZE = 50


# --- search and filters ---------------------------------------------------------------

# Active mentees per mentor profile. The pairs feature registers a correlated scalar
# subquery (over MentorProfile) when it is loaded; until then nobody has a mentee.
_mentor_load: Callable[[], ColumnElement[int]] | None = None


def register_mentor_load(expression: Callable[[], ColumnElement[int]]) -> None:
    global _mentor_load  # noqa: PLW0603 - one extension point, set once at import
    _mentor_load = expression


def mentor_load_expression() -> ColumnElement[int]:
    return _mentor_load() if _mentor_load is not None else literal(0)


CONSENT_FILTERS = {"valid": "Есть согласие", "missing": "Нет согласия"}
# Word similarity at which a name counts as «the same with a typo»: 0.4 lets one letter
# be missing or wrong in a surname of six letters (measured on bench_participants' names).
TRIGRAM_THRESHOLD = 0.4


@dataclass
class BankFilters:
    year: int
    q: str = ""
    kind: str = ""
    grade: int | None = None
    class_letter: str = ""
    direction: str = ""
    consent: str = ""
    free_only: bool = False
    status: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: Any, default_year: int) -> BankFilters:
        def get(name: str) -> str:
            value = params.get(name, "")
            return value.strip() if isinstance(value, str) else ""

        year = AcademicYear.parse(get("year"))
        grade = parse_int(get("grade"), 1, 11)
        page = parse_int(get("page"), 1, 100_000) or 1
        return cls(
            year=year.start if year else default_year,
            q=get("q")[:100],
            kind=get("kind"),
            grade=grade,
            class_letter=get("class_letter").upper()[:2],
            direction=get("direction"),
            consent=get("consent") if get("consent") in CONSENT_FILTERS else "",
            free_only=parse_bool(get("free")),
            status=get("status"),
            page=page,
        )

    def query_string(self, **override: Any) -> str:
        from urllib.parse import urlencode

        values = {
            "year": AcademicYear(self.year).title,
            "q": self.q,
            "kind": self.kind,
            "grade": self.grade or "",
            "class_letter": self.class_letter,
            "direction": self.direction,
            "consent": self.consent,
            "free": "1" if self.free_only else "",
            "status": self.status,
            "page": self.page if self.page > 1 else "",
        }
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    @property
    def active(self) -> bool:
        return (
            bool(self.q or self.kind or self.grade or self.class_letter or self.direction or self.consent)
            or self.free_only
            or bool(self.status)
        )


def normalise_query(text_: str) -> str:
    return " ".join(text_.lower().replace("ё", "е").split())


async def _name_filter(db: AsyncSession, query: str) -> tuple[ColumnElement[bool], ColumnElement[float]]:
    """Name contains the text, or is close to it (typos): pg_trgm word similarity."""
    # `<%` uses the GIN trigram index with this threshold (SET LOCAL: this transaction only).
    await db.execute(
        text("SELECT set_config('pg_trgm.word_similarity_threshold', :value, true)"),
        {"value": str(TRIGRAM_THRESHOLD)},
    )
    condition = or_(
        Participant.search_name.contains(query, autoescape=True),
        literal(query).op("<%")(Participant.search_name),
    )
    return condition, func.word_similarity(query, Participant.search_name)


@dataclass
class BankRow:
    participant: Participant
    profile: Any
    consented: bool
    load: int = 0

    @property
    def free(self) -> int:
        capacity = getattr(self.profile, "capacity", 0)
        return max(0, capacity - self.load)


@dataclass
class BankPage:
    rows: list[BankRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


async def _page_of(
    db: AsyncSession, query: Select[*tuple[Any, ...]], page: int, page_size: int
) -> tuple[list[Any], int, int, int]:
    """One page of rows and the total in one round trip (a window count over the matches)."""
    counted = query.add_columns(func.count().over().label("total"))
    rows = (await db.execute(counted.limit(page_size).offset((page - 1) * page_size))).all()
    if not rows and page > 1:  # past the end (the bank shrank): show the last page
        total = int(await db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
        page = max(1, -(-total // page_size))
        rows = (await db.execute(counted.limit(page_size).offset((page - 1) * page_size))).all()
    total = int(rows[0][-1]) if rows else 0
    return [tuple(row)[:-1] for row in rows], total, page, max(1, -(-total // page_size))


def _profile_join(profile: type[MenteeProfile] | type[MentorProfile]) -> ColumnElement[bool]:
    return and_(Participant.school_id == profile.school_id, Participant.id == profile.participant_id)


async def search_bank(  # noqa: PLR0912 - one check per field, in order
    db: AsyncSession,
    school: School,
    bank: str,
    filters: BankFilters,
    *,
    show_unconsented: bool,
    page_size: int = PAGE_SIZE,
) -> BankPage:
    """One page of the mentee or mentor bank of a year, filtered and searched by name."""
    profile: type[MenteeProfile] | type[MentorProfile] = MenteeProfile if bank == "mentees" else MentorProfile
    consent_ok = valid_consent_clause()
    load = mentor_load_expression() if profile is MentorProfile else literal(0)
    conditions: list[ColumnElement[bool]] = [
        profile.school_id == school.id,
        profile.academic_year == filters.year,
        Participant.anonymised_at.is_(None),
    ]
    order: list[Any] = []
    if filters.q:
        condition, similarity = await _name_filter(db, normalise_query(filters.q))
        conditions.append(condition)
        order.append(similarity.desc())
    if filters.kind:
        kind = next((k for k in ParticipantKind if k.value == filters.kind), None)
        if kind is not None:
            conditions.append(Participant.kind == kind)
    if filters.grade:
        conditions.append(Participant.grade == filters.grade)
    if filters.class_letter:
        conditions.append(Participant.class_letter == filters.class_letter)
    if filters.direction:
        try:
            direction_id = uuid.UUID(filters.direction)
        except ValueError:
            direction_id = None
        if direction_id is not None:
            link = mentee_direction if profile is MenteeProfile else mentor_direction
            column = link.c.mentee_profile_id if profile is MenteeProfile else link.c.mentor_profile_id
            conditions.append(
                exists().where(
                    link.c.school_id == profile.school_id,
                    column == profile.id,
                    link.c.reference_item_id == direction_id,
                )
            )
    if filters.status:
        statuses = MenteeStatus if profile is MenteeProfile else MentorStatus
        status = next((s for s in statuses if s.value == filters.status), None)
        if status is not None:
            conditions.append(profile.status == status)
    if not show_unconsented or filters.consent == "valid":
        conditions.append(consent_ok)
    elif filters.consent == "missing":
        conditions.append(~consent_ok)
    if filters.free_only and profile is MentorProfile:
        conditions.append(MentorProfile.capacity > load)

    # The folded name sorts Russian names in alphabet order whatever the collation.
    order.append(Participant.search_name)
    query = (
        select(profile, Participant, consent_ok.label("consented"), load.label("load"))
        .join(Participant, _profile_join(profile))
        .where(*conditions)
        .order_by(*order)
    )
    if profile is MenteeProfile:
        query = query.options(
            selectinload(MenteeProfile.directions), selectinload(MenteeProfile.request_areas)
        )
    else:
        query = query.options(selectinload(MentorProfile.directions), selectinload(MentorProfile.trainings))
    found, total, page, pages = await _page_of(db, query, filters.page, page_size)
    rows = [
        BankRow(participant=person, profile=prof, consented=bool(consented), load=int(load_ or 0))
        for prof, person, consented, load_ in found
    ]
    return BankPage(rows=rows, total=total, page=page, pages=pages)


async def bank_counts(db: AsyncSession, school: School, bank: str, year: int) -> dict[str, int]:
    profile: type[MenteeProfile] | type[MentorProfile] = MenteeProfile if bank == "mentees" else MentorProfile
    consent_ok = valid_consent_clause()
    query = (
        select(func.count(), func.count().filter(consent_ok))
        .select_from(profile)
        .join(Participant, _profile_join(profile))
        .where(
            profile.school_id == school.id, profile.academic_year == year, Participant.anonymised_at.is_(None)
        )
    )
    total, consented = (await db.execute(query)).one()
    return {"total": int(total), "consented": int(consented), "missing": int(total) - int(consented)}


async def search_people(
    db: AsyncSession,
    school: School,
    filters: BankFilters,
    *,
    show_unconsented: bool,
    page_size: int = PAGE_SIZE,
) -> BankPage:
    """Everyone recorded in the school (both banks and people in no bank yet)."""
    consent_ok = valid_consent_clause()
    conditions: list[ColumnElement[bool]] = [
        Participant.school_id == school.id,
        Participant.anonymised_at.is_(None),
    ]
    order: list[Any] = []
    if filters.q:
        condition, similarity = await _name_filter(db, normalise_query(filters.q))
        conditions.append(condition)
        order.append(similarity.desc())
    kind = next((k for k in ParticipantKind if k.value == filters.kind), None)
    if kind is not None:
        conditions.append(Participant.kind == kind)
    if filters.grade:
        conditions.append(Participant.grade == filters.grade)
    if filters.class_letter:
        conditions.append(Participant.class_letter == filters.class_letter)
    if not show_unconsented or filters.consent == "valid":
        conditions.append(consent_ok)
    elif filters.consent == "missing":
        conditions.append(~consent_ok)
    # The folded name sorts Russian names in alphabet order whatever the collation.
    order.append(Participant.search_name)
    query = select(Participant, consent_ok.label("consented")).where(*conditions).order_by(*order)
    found, total, page, pages = await _page_of(db, query, filters.page, page_size)
    rows = [
        BankRow(participant=person, profile=None, consented=bool(consented)) for person, consented in found
    ]
    return BankPage(rows=rows, total=total, page=page, pages=pages)


async def school_classes(db: AsyncSession, school: School) -> list[tuple[int, str]]:
    result = await db.execute(
        select(Participant.grade, Participant.class_letter)
        .where(Participant.school_id == school.id, Participant.grade.is_not(None))
        .distinct()
        .order_by(Participant.grade, Participant.class_letter)
    )
    return [(int(g or 0), str(letter)) for g, letter in result.all()]


# --- export ---------------------------------------------------------------------------


async def export_rows(db: AsyncSession, school: School, bank: str, year: int) -> list[BankRow]:
    """The whole bank of a year, people with a valid consent only (the export rule)."""
    page = await search_bank(
        db, school, bank, BankFilters(year=year, consent="valid"), show_unconsented=False, page_size=1_000_000
    )
    return page.rows


def _titles(items: Sequence[ReferenceItem]) -> str:
    return "; ".join(i.short_title or i.title for i in items)


def mentee_export_table(rows: list[BankRow]) -> Any:
    from nastavnik.platform import documents as d

    columns = [
        d.Column("ФИО", 2.2),
        d.Column("Вид участника", 1.2),
        d.Column("Класс", 0.6),
        d.Column("Дата рождения", 0.9),
        d.Column("Категория", 1.6),
        d.Column("Направления запроса", 2.4),
        d.Column("Сферы запроса", 1.4),
        d.Column("Запрос", 2.4),
        d.Column("Источники запроса", 1.8),
        d.Column("Статус", 1),
    ]
    table_rows = []
    for row in rows:
        person, profile = row.participant, row.profile
        table_rows.append(
            [
                person.full_name,
                PARTICIPANT_KIND_TITLES[person.kind],
                person.class_title,
                d.format_date(person.birth_date),
                MENTEE_CATEGORY_TITLES[profile.category],
                _titles(profile.directions),
                _titles(profile.request_areas),
                profile.request_text,
                "; ".join(REQUEST_SOURCE_TITLES[s] for s in profile.request_sources),
                MENTEE_STATUS_TITLES[profile.status],
            ]
        )
    return d.Table(columns=columns, rows=table_rows)


def mentor_export_table(rows: list[BankRow]) -> Any:
    from nastavnik.platform import documents as d

    columns = [
        d.Column("ФИО", 2.2),
        d.Column("Вид участника", 1.2),
        d.Column("Класс / должность", 1.2),
        d.Column("Предметы", 1.4),
        d.Column("Стаж, лет", 0.6),
        d.Column("Категория", 1.4),
        d.Column("Направления", 2.4),
        d.Column("Наставляемых (всего / свободно)", 1),
        d.Column("Собеседование", 1.2),
        d.Column("Обучение", 2),
        d.Column("Межшкольный поиск", 0.8),
        d.Column("Статус", 1),
    ]
    table_rows = []
    for row in rows:
        person, profile = row.participant, row.profile
        trainings = "; ".join(f"{t.course} ({d.format_date(t.completed_on)})" for t in profile.trainings)
        table_rows.append(
            [
                person.full_name,
                PARTICIPANT_KIND_TITLES[person.kind],
                person.class_title or person.position,
                ", ".join(profile.subjects or person.subjects),
                "" if person.experience_years is None else str(person.experience_years),
                TEACHER_CATEGORY_TITLES[person.teacher_category] if person.teacher_category else "",
                _titles(profile.directions),
                f"{profile.capacity} / {row.free}",
                INTERVIEW_RESULT_TITLES[profile.interview_result],
                trainings,
                "да" if profile.cross_school_search else "нет",
                MENTOR_STATUS_TITLES[profile.status],
            ]
        )
    return d.Table(columns=columns, rows=table_rows)
