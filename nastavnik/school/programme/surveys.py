"""How many potential mentees took the questionnaire in a year: the report's «52 (10 %)».

Counted from the questionnaires answered on the platform in that year (pupils and
teachers who submitted at least one, `school.monitoring.monitoring_figures`); for a year
surveyed on paper (nothing answered here) the numbers the curator recorded beside the
contingent; None where neither exists — the report prints «нет данных», never a made-up
zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.school.programme.services import contingent_for, local_today
from nastavnik.tenants.models import School


@dataclass(frozen=True)
class SurveyedCounts:
    """Potential mentees who took the questionnaire; None = no data for the year."""

    pupils: int | None = None
    teachers: int | None = None


async def surveyed_counts(db: AsyncSession, school: School, year: AcademicYear) -> SurveyedCounts:
    from nastavnik.school.monitoring.services import monitoring_figures  # monitoring reads programmes

    counted = await monitoring_figures(db, school, year.start, local_today())
    if counted.surveyed_pupils or counted.surveyed_teachers:
        return SurveyedCounts(pupils=counted.surveyed_pupils, teachers=counted.surveyed_teachers)
    contingent = await contingent_for(db, school, year)
    if contingent is None:
        return SurveyedCounts()
    return SurveyedCounts(pupils=contingent.pupils_surveyed, teachers=contingent.teachers_surveyed)
