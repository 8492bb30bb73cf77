"""The figures of a year's results, counted in SQL; frozen into `year_record` on closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school
from nastavnik.school.completion.models import Incentive, PairResult, SchoolCase, YearRecord
from nastavnik.school.monitoring.services import monitoring_figures
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.programme.figures import programme_figures
from nastavnik.tenants.models import School


async def count_year(db: AsyncSession, school: School, year: AcademicYear, today: dt.date) -> dict[str, Any]:
    """Every figure the year's results show, as plain JSON values (nothing names a person)."""
    await set_school(db, school.id)
    figures = await programme_figures(db, school, year)
    rows = await db.execute(
        select(Mentorship.status, func.count())
        .where(Mentorship.school_id == school.id, Mentorship.academic_year == year.start)
        .group_by(Mentorship.status)
    )
    statuses = {status: int(count) for status, count in rows.all()}
    results = (
        await db.execute(
            select(
                func.count().filter(PairResult.mentee_successful),
                func.count().filter(PairResult.continues),
            ).where(PairResult.school_id == school.id, PairResult.academic_year == year.start)
        )
    ).one()
    cases = (
        await db.execute(
            select(func.count(), func.count().filter(SchoolCase.best_practice)).where(
                SchoolCase.school_id == school.id, SchoolCase.academic_year == year.start
            )
        )
    ).one()
    incentives = await db.scalar(
        select(func.count()).where(Incentive.school_id == school.id, Incentive.academic_year == year.start)
    )
    monitoring = await monitoring_figures(db, school, year.start, today)
    return {
        "year": year.title,
        "mentors": figures.mentors,
        "mentees": figures.pupil_mentees + figures.teacher_mentees,
        "pupil_mentees": figures.pupil_mentees,
        "teacher_mentees": figures.teacher_mentees,
        "pupils_share": figures.pupils_share,
        "young_teachers_share": figures.young_teachers_share,
        "pairs": sum(int(n) for s, n in statuses.items() if s is not MentorshipStatus.TERMINATED),
        "pairs_completed": int(statuses.get(MentorshipStatus.COMPLETED, 0)),
        "pairs_terminated": int(statuses.get(MentorshipStatus.TERMINATED, 0)),
        "pairs_by_form": [[title, count] for title, count in figures.pairs_by_form],
        "successful_mentees": int(results[0] or 0),
        "continuing_pairs": int(results[1] or 0),
        "cases": int(cases[0] or 0),
        "best_practices": int(cases[1] or 0),
        "incentives": int(incentives or 0),
        "satisfaction": round(monitoring.satisfaction_average, 1)
        if monitoring.satisfaction_average
        else None,
    }


async def year_record(db: AsyncSession, school: School, year: AcademicYear) -> YearRecord | None:
    await set_school(db, school.id)
    return (
        await db.execute(
            select(YearRecord).where(
                YearRecord.school_id == school.id, YearRecord.academic_year == year.start
            )
        )
    ).scalar_one_or_none()


async def figures_of(db: AsyncSession, school: School, year: AcademicYear, today: dt.date) -> dict[str, Any]:
    """A closed year's frozen figures, else the figures counted now."""
    record = await year_record(db, school, year)
    return dict(record.figures) if record is not None else await count_year(db, school, year, today)
