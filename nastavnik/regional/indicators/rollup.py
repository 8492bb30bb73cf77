"""Counting one school's figures into the rollups, and rebuilding them all.

`refresh_school` runs under the school's own `app.school_id` (school-owned tables stay
closed to everyone else), counts every academic year the school has data for with a
fixed number of aggregate statements, and replaces the school's rollup rows. The
regional pages read only the rollups.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.platform.db import set_school, utcnow
from nastavnik.regional.indicators.models import Dimension, RegionalBreakdown, RegionalSchoolYear
from nastavnik.school.meetings.services import QUIET_DAYS
from nastavnik.school.monitoring.services import monitoring_figures
from nastavnik.tenants.models import Municipality, School

# Per academic year; each statement reads one school's rows through its indexes.
_PROGRAMMES = """
SELECT academic_year, true AS has_programme, approved_at IS NOT NULL AS programme_approved
FROM programme WHERE school_id = :school
"""
_CONTINGENT = """
SELECT academic_year, pupils, pupils_10_19, teachers, young_teachers
FROM contingent WHERE school_id = :school
"""
# Aged 10-19 on 1 September of the year; a pupil without a birth date is counted, as the
# school's programme figures do (school/programme/figures.py).
_MENTEES = """
SELECT m.academic_year,
       count(*) FILTER (WHERE m.category = 'pupil') AS mentee_pupils,
       count(*) FILTER (WHERE m.category = 'pupil' AND (p.birth_date IS NULL OR p.birth_date BETWEEN
           (make_date(m.academic_year - 20, 9, 1) + 1) AND make_date(m.academic_year - 10, 9, 1)))
           AS mentee_pupils_10_19,
       count(*) FILTER (WHERE m.category <> 'pupil') AS mentee_teachers,
       count(*) FILTER (WHERE m.category = 'young_teacher') AS mentee_young_teachers
FROM mentee_profile m
JOIN participant p ON p.school_id = m.school_id AND p.id = m.participant_id
WHERE m.school_id = :school AND m.status <> 'withdrawn'
GROUP BY m.academic_year
"""
_MENTORS = """
SELECT academic_year, count(*) AS mentors
FROM mentor_profile WHERE school_id = :school AND status <> 'withdrawn'
GROUP BY academic_year
"""
_MENTORSHIPS = """
SELECT ms.academic_year,
       count(*) FILTER (WHERE ms.status <> 'terminated' AND NOT ms.is_group) AS pairs,
       count(*) FILTER (WHERE ms.status <> 'terminated' AND ms.is_group) AS groups,
       count(*) FILTER (WHERE ms.status = 'active') AS mentorships_active,
       count(*) FILTER (WHERE ms.status = 'completed') AS mentorships_completed,
       count(*) FILTER (WHERE ms.status = 'terminated') AS mentorships_terminated,
       count(*) FILTER (WHERE ms.status IN ('forming', 'active')
           AND coalesce(last.held_on, ms.started_on, ms.created_at::date) <= :quiet_since) AS quiet_pairs
FROM mentorship ms
LEFT JOIN LATERAL (
    SELECT max(held_on) AS held_on FROM meeting mt
    WHERE mt.school_id = ms.school_id AND mt.mentorship_id = ms.id
) last ON true
WHERE ms.school_id = :school
GROUP BY ms.academic_year
"""
_MEETINGS = """
SELECT academic_year, count(*) AS meetings
FROM meeting WHERE school_id = :school AND held_on <= :today
GROUP BY academic_year
"""
_ROADMAP = """
SELECT pr.academic_year,
       count(*) AS roadmap_rows,
       count(*) FILTER (WHERE ri.status = 'done') AS roadmap_done,
       count(*) FILTER (WHERE ri.status IN ('planned', 'in_progress', 'postponed') AND ri.due_on < :today)
           AS roadmap_overdue
FROM roadmap_item ri
JOIN programme pr ON pr.school_id = ri.school_id AND pr.id = ri.programme_id
WHERE ri.school_id = :school
GROUP BY pr.academic_year
"""
_BY_FORM = """
SELECT academic_year, form_id::text AS key, count(*) AS total,
       count(*) FILTER (WHERE status = 'completed') AS done
FROM mentorship WHERE school_id = :school AND status <> 'terminated'
GROUP BY academic_year, form_id
"""
_BY_DIRECTION = """
SELECT ms.academic_year, d.reference_item_id::text AS key, count(*) AS total,
       count(*) FILTER (WHERE ms.status = 'completed') AS done
FROM mentorship_direction d
JOIN mentorship ms ON ms.school_id = d.school_id AND ms.id = d.mentorship_id
WHERE d.school_id = :school AND ms.status <> 'terminated'
GROUP BY ms.academic_year, d.reference_item_id
"""
_BY_MONTH = """
SELECT pr.academic_year, to_char(ri.due_on, 'YYYY-MM') AS key, count(*) AS total,
       count(*) FILTER (WHERE ri.status = 'done') AS done
FROM roadmap_item ri
JOIN programme pr ON pr.school_id = ri.school_id AND pr.id = ri.programme_id
WHERE ri.school_id = :school
GROUP BY pr.academic_year, to_char(ri.due_on, 'YYYY-MM')
"""
_YEAR_QUERIES = (_PROGRAMMES, _CONTINGENT, _MENTEES, _MENTORS, _MENTORSHIPS, _MEETINGS, _ROADMAP)
_BREAKDOWNS = (
    (Dimension.FORM, _BY_FORM),
    (Dimension.DIRECTION, _BY_DIRECTION),
    (Dimension.ROADMAP_MONTH, _BY_MONTH),
)

_COUNT_DEFAULTS: dict[str, Any] = {
    "has_programme": False,
    "programme_approved": False,
    "pupils": None,
    "pupils_10_19": None,
    "teachers": None,
    "young_teachers": None,
    **{
        c.name: 0
        for c in RegionalSchoolYear.__table__.columns
        if c.name
        not in {
            "school_id",
            "academic_year",
            "region_id",
            "municipality_id",
            "refreshed_at",
            "has_programme",
            "programme_approved",
            "pupils",
            "pupils_10_19",
            "teachers",
            "young_teachers",
        }
    },
}


async def _monitoring(db: AsyncSession, school: School, year: int, day: dt.date) -> dict[str, Any]:
    """The year's monitoring figures of the school as counts and sums (no person)."""
    figures = await monitoring_figures(db, school, year, day)
    if not figures.invited:
        return {}
    scores = figures.satisfaction_distribution
    measured = [c for c in figures.impact if c.people and c.before is not None and c.after is not None]
    return {
        "surveyed": figures.surveyed,
        "survey_invited": figures.invited,
        "survey_answered": figures.answered,
        "satisfaction_answers": sum(scores.values()),
        "satisfaction_sum": float(sum(score * n for score, n in scores.items())),
        "impact_people": max((c.people for c in measured), default=0),
        "impact_before_sum": sum(c.people * (c.before or 0) for c in measured),
        "impact_after_sum": sum(c.people * (c.after or 0) for c in measured),
        "pairs_without_feedback": figures.pairs_without_feedback,
    }


async def refresh_school(db: AsyncSession, school_id: uuid.UUID, *, today: dt.date | None = None) -> int:
    """Recount one school's rollup rows in the caller's transaction; returns the years counted.

    Leaves the transaction scoped to that school (`app.school_id`).
    """
    scope = (
        await db.execute(
            select(Municipality.region_id, School.municipality_id)
            .join(Municipality, Municipality.id == School.municipality_id)
            .where(School.id == school_id)
        )
    ).one_or_none()
    await set_school(db, school_id)
    # One recount of a school at a time (a job and the demo seeding, or two workers): the
    # second waits for the first to commit, then its delete sees the rows the first wrote.
    await db.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"rollup:{school_id}", 0))))
    await db.execute(delete(RegionalBreakdown).where(RegionalBreakdown.school_id == school_id))
    await db.execute(delete(RegionalSchoolYear).where(RegionalSchoolYear.school_id == school_id))
    if scope is None:
        return 0
    region_id, municipality_id = scope
    day = today or dt.datetime.now(dt.UTC).date()
    params = {"school": school_id, "today": day, "quiet_since": day - dt.timedelta(days=QUIET_DAYS)}
    years: dict[int, dict[str, Any]] = defaultdict(lambda: dict(_COUNT_DEFAULTS))
    for query in _YEAR_QUERIES:
        for row in (await db.execute(text(query), params)).mappings():
            values = dict(row)
            years[values.pop("academic_year")].update(values)
    school = await db.get(School, school_id)
    if school is not None:
        for year, values in years.items():
            values.update(await _monitoring(db, school, year, day))
    now = utcnow()
    if years:
        await db.execute(
            insert(RegionalSchoolYear),
            [
                {
                    **values,
                    "school_id": school_id,
                    "academic_year": year,
                    "region_id": region_id,
                    "municipality_id": municipality_id,
                    "refreshed_at": now,
                }
                for year, values in years.items()
            ],
        )
    breakdown = [
        {
            **dict(row),
            "dimension": dimension,
            "school_id": school_id,
            "region_id": region_id,
            "municipality_id": municipality_id,
        }
        for dimension, query in _BREAKDOWNS
        for row in (await db.execute(text(query), params)).mappings()
        if row["academic_year"] in years
    ]
    if breakdown:
        await db.execute(insert(RegionalBreakdown), breakdown)
    return len(years)


async def rebuild_all(maker: async_sessionmaker[AsyncSession], *, today: dt.date | None = None) -> int:
    """Recount every school from scratch, one transaction per school; returns schools counted."""
    async with maker() as db:
        school_ids = list((await db.execute(select(School.id).order_by(School.id))).scalars())
    for school_id in school_ids:
        async with maker() as db, db.begin():
            await refresh_school(db, school_id, today=today)
    return len(school_ids)
