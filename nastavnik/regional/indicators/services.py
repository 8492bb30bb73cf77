"""The indicators of the regional layer, read from the rollups only (never schools' tables).

Every figure is summed in PostgreSQL over `regional_school_year` / `regional_breakdown`;
the scope is passed explicitly (region, optionally municipality) and RLS checks it again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, desc, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.regional.indicators.models import (
    Dimension,
    RegionalBreakdown,
    RegionalSchoolYear,
    RegionalTarget,
)
from nastavnik.tenants.models import SCHOOL_KIND_TITLES, Municipality, School, SchoolKind
from nastavnik.tenants.reference import ReferenceItem

FEDERAL_TARGET = 70
KIND_SHORT = {
    SchoolKind.GENERAL: "общеобразовательная",
    SchoolKind.ADDITIONAL: "доп. образование",
    SchoolKind.PRESCHOOL: "дошкольная",
    SchoolKind.VOCATIONAL: "профессиональная",
}
# A cell counting 1-4 people is shown as «< 5», so that no one can be singled out.
SMALL_CELL = 5

R = RegionalSchoolYear
SUMMED = (
    "pupils_10_19",
    "young_teachers",
    "mentee_pupils",
    "mentee_pupils_10_19",
    "mentee_teachers",
    "mentee_young_teachers",
    "mentors",
    "pairs",
    "groups",
    "mentorships_active",
    "mentorships_completed",
    "mentorships_terminated",
    "meetings",
    "quiet_pairs",
    "roadmap_rows",
    "roadmap_done",
    "roadmap_overdue",
)

# What each indicator means, shown beside it on the pages and in the reports.
DEFINITIONS: dict[str, tuple[str, str]] = {
    "coverage_pupils": (
        "Охват обучающихся 10-19 лет",
        (
            "Доля обучающихся в возрасте от 10 до 19 лет (на 1 сентября), включённых в программу "
            "наставничества как наставляемые, от их числа в контингенте организаций."
        ),
    ),
    "coverage_teachers": (
        "Охват молодых педагогов",
        (
            "Доля педагогов в возрасте до 35 лет в первые три года работы, включённых в программу "
            "наставничества как наставляемые, от их числа в контингенте."
        ),
    ),
    "surveyed": (
        "Доля опрошенных",
        (
            "Доля обучающихся и педагогов, заполнивших хотя бы одну анкету платформы за учебный год, "
            "от контингента организаций, проводивших анкетирование."
        ),
    ),
    "mentors_mentees": (
        "Наставники и наставляемые",
        "Наставники и наставляемые программ учебного года, кроме выбывших из программы.",
    ),
    "pairs": (
        "Пары и группы",
        "Наставнические пары и группы учебного года, кроме прекращённых; по формам и направлениям.",
    ),
    "roadmap": (
        "Выполнение дорожных карт",
        "Доля выполненных мероприятий дорожных карт; просроченные — не выполненные в срок и не закрытые.",
    ),
    "no_programme": (
        "Организации без программы или без пар",
        (
            "Организации без утверждённой программы наставничества на учебный год и организации без "
            "единой действующей пары или группы."
        ),
    ),
    "meetings": (
        "Встречи и «тихие» пары",
        "Проведённые встречи пар и групп; «тихие» — действующие пары без встречи три недели и дольше.",
    ),
    "monitoring": (
        "Регулярность обратной связи, удовлетворённость, изменения «до/после»",
        (
            "По анкетам участников: доля действующих пар с ежемесячной обратной связью; средняя оценка "
            "удовлетворённости в процентах от 10 баллов; изменение средних показателей анкеты «до/после» "
            "в процентах от значения «до». Только организации, проводившие анкетирование."
        ),
    ),
}


def percent(part: int, whole: int | None) -> int | None:
    if not whole:
        return None
    return round(part * 100 / whole)


def small(count: int | None) -> bool:
    return count is not None and 0 < count < SMALL_CELL


@dataclass
class Figures:
    """Sums over some schools of one academic year (or one school's own row)."""

    schools: int = 0
    schools_with_programme: int = 0
    schools_approved: int = 0
    schools_with_pairs: int = 0
    schools_with_contingent: int = 0
    values: dict[str, int] = field(default_factory=dict)
    refreshed_at: dt.datetime | None = None

    def __getattr__(self, name: str) -> int:
        if name in SUMMED:
            return int(self.__dict__.get("values", {}).get(name) or 0)
        raise AttributeError(name)

    @property
    def coverage_pupils(self) -> int | None:
        return percent(self.mentee_pupils_10_19, self.pupils_10_19)

    @property
    def coverage_teachers(self) -> int | None:
        return percent(self.mentee_young_teachers, self.young_teachers)

    @property
    def roadmap_percent(self) -> int | None:
        return percent(self.roadmap_done, self.roadmap_rows)

    @property
    def mentees(self) -> int:
        return self.mentee_pupils + self.mentee_teachers

    @property
    def mentorships(self) -> int:
        return self.pairs + self.groups

    @property
    def schools_without_programme(self) -> int:
        return self.schools - self.schools_approved

    @property
    def schools_without_pairs(self) -> int:
        return self.schools - self.schools_with_pairs


def _aggregates() -> list[ColumnElement[Any]]:
    columns: list[ColumnElement[Any]] = [
        func.count().label("schools"),
        func.count().filter(R.has_programme).label("schools_with_programme"),
        func.count().filter(R.programme_approved).label("schools_approved"),
        func.count().filter((R.pairs + R.groups) > 0).label("schools_with_pairs"),
        func.count().filter(R.pupils_10_19.is_not(None)).label("schools_with_contingent"),
        func.max(R.refreshed_at).label("refreshed_at"),
    ]
    columns += [func.coalesce(func.sum(getattr(R, name)), 0).label(name) for name in SUMMED]
    return columns


def _figures(row: Any) -> Figures:
    data = row._mapping
    return Figures(
        schools=data["schools"],
        schools_with_programme=data["schools_with_programme"],
        schools_approved=data["schools_approved"],
        schools_with_pairs=data["schools_with_pairs"],
        schools_with_contingent=data["schools_with_contingent"],
        values={name: int(data[name]) for name in SUMMED},
        refreshed_at=data["refreshed_at"],
    )


@dataclass(frozen=True)
class Scope:
    """Whose schools: a region, or one municipality of it."""

    region_id: uuid.UUID
    municipality_id: uuid.UUID | None = None

    def where(self, table: Any = R) -> list[ColumnElement[bool]]:
        conditions = [table.region_id == self.region_id]
        if self.municipality_id is not None:
            conditions.append(table.municipality_id == self.municipality_id)
        return conditions


@dataclass(frozen=True)
class Filters:
    kind: SchoolKind | None = None
    municipality_id: uuid.UUID | None = None
    search: str = ""


async def years_available(db: AsyncSession, scope: Scope) -> list[AcademicYear]:
    rows = await db.execute(
        select(R.academic_year).where(*scope.where()).distinct().order_by(R.academic_year)
    )
    return [AcademicYear(y) for y in rows.scalars()]


async def rollup_version(db: AsyncSession, scope: Scope) -> tuple[Any, ...]:
    """What changes whenever a figure of the scope may have: latest recount, rows, target."""
    row = (await db.execute(select(func.max(R.refreshed_at), func.count()).where(*scope.where()))).one()
    target = (
        await db.execute(
            select(RegionalTarget.coverage_percent, RegionalTarget.updated_at).where(
                RegionalTarget.region_id == scope.region_id
            )
        )
    ).one_or_none()
    return (row[0], row[1], tuple(target) if target else None)


async def totals(db: AsyncSession, scope: Scope, year: AcademicYear) -> Figures:
    row = (
        await db.execute(select(*_aggregates()).where(*scope.where(), R.academic_year == year.start))
    ).one()
    return _figures(row)


async def school_count(db: AsyncSession, scope: Scope) -> int:
    query = (
        select(func.count()).select_from(School).join(Municipality, Municipality.id == School.municipality_id)
    )
    query = query.where(Municipality.region_id == scope.region_id)
    if scope.municipality_id is not None:
        query = query.where(School.municipality_id == scope.municipality_id)
    return int(await db.scalar(query) or 0)


@dataclass
class MunicipalityRow:
    municipality: Municipality
    figures: Figures


async def by_municipality(db: AsyncSession, scope: Scope, year: AcademicYear) -> list[MunicipalityRow]:
    """The region's municipalities with their sums (bounded: a region has at most a hundred or so)."""
    rows = await db.execute(
        select(R.municipality_id, *_aggregates())
        .where(*scope.where(), R.academic_year == year.start)
        .group_by(R.municipality_id)
    )
    sums = {row.municipality_id: _figures(row) for row in rows}
    municipalities = await db.execute(
        select(Municipality).where(Municipality.region_id == scope.region_id).order_by(Municipality.name)
    )
    return [MunicipalityRow(m, sums.get(m.id, Figures())) for m in municipalities.scalars()]


async def trend(db: AsyncSession, scope: Scope) -> list[tuple[AcademicYear, Figures]]:
    rows = await db.execute(
        select(R.academic_year, *_aggregates())
        .where(*scope.where())
        .group_by(R.academic_year)
        .order_by(R.academic_year)
    )
    return [(AcademicYear(row.academic_year), _figures(row)) for row in rows]


async def breakdown(
    db: AsyncSession, scope: Scope, year: AcademicYear, dimension: Dimension
) -> list[tuple[str, int, int]]:
    """(title, total, done) per form or direction, in the region's order; per month for the roadmap."""
    B = RegionalBreakdown  # noqa: N806
    where = [*scope.where(B), B.academic_year == year.start, B.dimension == dimension]
    if dimension is Dimension.ROADMAP_MONTH:
        rows = await db.execute(
            select(B.key, func.sum(B.total), func.sum(B.done)).where(*where).group_by(B.key).order_by(B.key)
        )
        return [(key, int(total), int(done)) for key, total, done in rows]
    titled = await db.execute(
        select(ReferenceItem.short_title, ReferenceItem.title, func.sum(B.total), func.sum(B.done))
        .join(ReferenceItem, cast(ReferenceItem.id, String) == B.key)
        .where(*where)
        .group_by(ReferenceItem.id, ReferenceItem.short_title, ReferenceItem.title, ReferenceItem.sort_order)
        .order_by(ReferenceItem.sort_order)
    )
    return [(short or title, int(total), int(done)) for short, title, total, done in titled]


# Columns the comparison table sorts by: name → SQL expression (NULLs last either way).
def _ratio(part: Any, whole: Any) -> ColumnElement[Any]:
    return case((whole > 0, part * 100.0 / whole), else_=None)


SORTS: dict[str, tuple[str, Any]] = {
    "coverage": ("Охват 10-19", _ratio(R.mentee_pupils_10_19, R.pupils_10_19)),
    "teachers": ("Охват мол. педагогов", _ratio(R.mentee_young_teachers, R.young_teachers)),
    "mentees": ("Наставл.", R.mentee_pupils + R.mentee_teachers),
    "mentors": ("Наставники", R.mentors),
    "pairs": ("Пары, группы", R.pairs + R.groups),
    "roadmap": ("Дор. карта", _ratio(R.roadmap_done, R.roadmap_rows)),
    "overdue": ("Просрочено", R.roadmap_overdue),
    "quiet": ("«Тихие»", R.quiet_pairs),
    "name": ("Организация", School.name),
}


@dataclass
class SchoolRow:
    school: School
    municipality_name: str
    row: RegionalSchoolYear | None
    rank: int | None = None

    @property
    def figures(self) -> Figures:
        return school_figures(self.row)

    @property
    def kind_title(self) -> str:
        return SCHOOL_KIND_TITLES[self.school.kind]

    @property
    def kind_short(self) -> str:
        return KIND_SHORT[self.school.kind]


def school_figures(row: RegionalSchoolYear | None) -> Figures:
    if row is None:
        return Figures()
    return Figures(
        schools=1,
        schools_with_programme=int(row.has_programme),
        schools_approved=int(row.programme_approved),
        schools_with_pairs=int(row.pairs + row.groups > 0),
        schools_with_contingent=int(row.pupils_10_19 is not None),
        values={name: int(getattr(row, name) or 0) for name in SUMMED},
        refreshed_at=row.refreshed_at,
    )


def _schools_query(scope: Scope, year: AcademicYear, filters: Filters) -> Select[*tuple[Any, ...]]:
    query: Select[*tuple[Any, ...]] = (
        select(School, Municipality.name, R)
        .join(Municipality, Municipality.id == School.municipality_id)
        .outerjoin(R, and_(R.school_id == School.id, R.academic_year == year.start))
        .where(Municipality.region_id == scope.region_id)
    )
    if scope.municipality_id is not None:
        query = query.where(School.municipality_id == scope.municipality_id)
    if filters.municipality_id is not None:
        query = query.where(School.municipality_id == filters.municipality_id)
    if filters.kind is not None:
        query = query.where(School.kind == filters.kind)
    if filters.search:
        query = query.where(School.name.ilike(f"%{filters.search.replace('%', '').replace('_', '')}%"))
    return query


async def schools_table(
    db: AsyncSession,
    scope: Scope,
    year: AcademicYear,
    filters: Filters,
    *,
    sort: str,
    descending: bool,
    page: int,
    size: int | None = None,
) -> tuple[list[SchoolRow], Window]:
    _, expression = SORTS.get(sort, SORTS["coverage"])
    ordered = expression.desc().nulls_last() if descending else expression.asc().nulls_last()
    query = _schools_query(scope, year, filters).order_by(ordered, School.name, School.id)
    rows, window = await page_of(db, query, page, size)
    return [SchoolRow(school, name, row) for school, name, row in rows], window


async def ranking(
    db: AsyncSession, scope: Scope, year: AcademicYear, *, page: int
) -> tuple[list[SchoolRow], Window]:
    """Schools ranked by coverage of pupils 10-19 (ties share a rank); those without a contingent last."""
    coverage = SORTS["coverage"][1]
    rank = func.rank().over(order_by=desc(coverage).nulls_last()).label("rank")
    query = (
        _schools_query(scope, year, Filters())
        .add_columns(rank)
        .order_by(desc(coverage).nulls_last(), School.name, School.id)
    )
    rows, window = await page_of(db, query, page)
    return [SchoolRow(school, name, row, rank=r) for school, name, row, r in rows], window


async def lagging_schools(
    db: AsyncSession, scope: Scope, year: AcademicYear, *, limit: int = 200
) -> list[SchoolRow]:
    """Schools without an approved programme, without pairs, or with overdue roadmap rows."""
    query = (
        _schools_query(scope, year, Filters())
        .where(
            (R.school_id.is_(None))
            | (~R.programme_approved)
            | ((R.pairs + R.groups) == 0)
            | (R.roadmap_overdue > 0)
        )
        .order_by(desc(func.coalesce(R.roadmap_overdue, literal(0))), School.name)
        .limit(limit)
    )
    rows = await db.execute(query)
    return [SchoolRow(school, name, row) for school, name, row in rows]


async def school_row(db: AsyncSession, school: School, year: AcademicYear) -> RegionalSchoolYear | None:
    return await db.get(R, (school.id, year.start))


async def school_trend(db: AsyncSession, school: School) -> Sequence[RegionalSchoolYear]:
    rows = await db.execute(select(R).where(R.school_id == school.id).order_by(R.academic_year))
    return rows.scalars().all()


async def region_target(db: AsyncSession, region_id: uuid.UUID) -> int | None:
    target = await db.get(RegionalTarget, region_id)
    return target.coverage_percent if target else None


async def set_region_target(
    db: AsyncSession, region_id: uuid.UUID, percent_value: int, user_id: uuid.UUID
) -> None:
    target = await db.get(RegionalTarget, region_id)
    if target is None:
        db.add(RegionalTarget(region_id=region_id, coverage_percent=percent_value, updated_by_id=user_id))
    else:
        target.coverage_percent = percent_value
        target.updated_by_id = user_id
        target.updated_at = dt.datetime.now(dt.UTC)
    await db.flush()


@dataclass(frozen=True)
class Monitoring:
    """Figures of the monitoring questionnaires; None is «нет данных», never zero."""

    feedback_regularity: int | None = None
    satisfaction: int | None = None
    impact: int | None = None
    surveyed: int | None = None


async def monitoring_figures(db: AsyncSession, scope: Scope, year: AcademicYear) -> Monitoring:
    """The questionnaires' figures for the scope and year, from the rollups.

    Only schools that surveyed anyone in the year count (the others have no data, not a
    zero): surveyed — people who answered over the contingent (pupils and teachers) of
    those schools; feedback regularity — active pairs with monthly feedback in the last
    weeks over active pairs; satisfaction — the mean final score as a share of the
    10-point scale; «до/после» — the change of the impact parameters' averages, in per
    cent of the «до» value. Each is None when no school of the scope has data.
    """
    row = (
        await db.execute(
            select(
                func.coalesce(func.sum(R.surveyed), 0),
                func.sum(R.pupils + R.teachers),
                func.coalesce(func.sum(R.mentorships_active), 0),
                func.coalesce(func.sum(R.pairs_without_feedback), 0),
                func.coalesce(func.sum(R.satisfaction_answers), 0),
                func.coalesce(func.sum(R.satisfaction_sum), 0.0),
                func.coalesce(func.sum(R.impact_before_sum), 0.0),
                func.coalesce(func.sum(R.impact_after_sum), 0.0),
                func.count(),
            ).where(*scope.where(), R.academic_year == year.start, R.survey_invited > 0)
        )
    ).one()
    surveyed, contingent, active, quiet, answers, score_sum, before, after, schools = row
    if not schools:
        return Monitoring()
    return Monitoring(
        feedback_regularity=percent(max(0, int(active) - int(quiet)), int(active)),
        satisfaction=round(float(score_sum) * 10 / int(answers)) if answers else None,
        impact=round((float(after) - float(before)) * 100 / float(before)) if before else None,
        surveyed=percent(int(surveyed), int(contingent)) if contingent else None,
    )
