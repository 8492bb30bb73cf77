"""How many potential mentees took the questionnaire in a year: the report's «52 (10 %)».

The questionnaires feature (issue 11) will count answered questionnaires here; until it
does, `surveyed_counts` returns what the curator recorded beside the contingent, and
None where nothing was recorded — the report prints «нет данных», never a made-up zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.school.programme.services import contingent_for
from nastavnik.tenants.models import School


@dataclass(frozen=True)
class SurveyedCounts:
    """Potential mentees who took the questionnaire; None = no data for the year."""

    pupils: int | None = None
    teachers: int | None = None


async def surveyed_counts(db: AsyncSession, school: School, year: AcademicYear) -> SurveyedCounts:
    contingent = await contingent_for(db, school, year)
    if contingent is None:
        return SurveyedCounts()
    return SurveyedCounts(pupils=contingent.pupils_surveyed, teachers=contingent.teachers_surveyed)
