"""The figures a programme already has: contingent, banks and coverage shares.

Counted for the programme's year from the banks (mentees who did not withdraw, by category
and mentoring direction; mentors) and from the pairs and groups (by form, terminated ones
left out). Coverage is the share of
pupils aged 10-19 and of young teachers (under 35, first three years) in mentoring, the
indicators with the federal target of 70 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.participants.models import (
    MenteeCategory,
    MenteeProfile,
    MenteeStatus,
    MentorProfile,
    MentorStatus,
    Participant,
    mentee_direction,
)
from nastavnik.school.programme.models import Contingent
from nastavnik.school.programme.services import contingent_for, share
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem

FEDERAL_TARGET = 70


@dataclass
class Figures:
    year: AcademicYear
    contingent: Contingent | None
    pupil_mentees: int = 0
    pupil_mentees_10_19: int = 0
    teacher_mentees: int = 0
    young_teacher_mentees: int = 0
    mentors: int = 0
    # (direction title, mentees) in the region's order of directions; only non-zero ones.
    directions: list[tuple[str, int]] = field(default_factory=list)
    # (form title, pairs and groups not terminated) of the year's mentorships.
    pairs_by_form: list[tuple[str, int]] = field(default_factory=list)

    @property
    def pairs(self) -> int:
        return sum(count for _, count in self.pairs_by_form)

    @property
    def pupils_share(self) -> int | None:
        return share(self.pupil_mentees_10_19, self.contingent.pupils_10_19) if self.contingent else None

    @property
    def young_teachers_share(self) -> int | None:
        return share(self.young_teacher_mentees, self.contingent.young_teachers) if self.contingent else None

    @property
    def teachers_share(self) -> int | None:
        return share(self.teacher_mentees, self.contingent.teachers) if self.contingent else None


def _years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


async def programme_figures(db: AsyncSession, school: School, year: AcademicYear) -> Figures:
    await set_school(db, school.id)
    figures = Figures(year, await contingent_for(db, school, year))
    in_year = and_(
        MenteeProfile.school_id == school.id,
        MenteeProfile.academic_year == year.start,
        MenteeProfile.status != MenteeStatus.WITHDRAWN,
    )
    rows = await db.execute(
        select(MenteeProfile.category, func.count()).where(in_year).group_by(MenteeProfile.category)
    )
    for category, count in rows.all():
        if category is MenteeCategory.PUPIL:
            figures.pupil_mentees += count
        else:
            figures.teacher_mentees += count
        if category is MenteeCategory.YOUNG_TEACHER:
            figures.young_teacher_mentees += count
    # Aged 10-19 on 1 September; a pupil without a birth date is counted (the curator vouches).
    oldest_birth = _years_ago(year.starts, 20) + dt.timedelta(days=1)
    youngest_birth = _years_ago(year.starts, 10)
    figures.pupil_mentees_10_19 = (
        await db.scalar(
            select(func.count())
            .select_from(MenteeProfile)
            .join(
                Participant,
                and_(
                    Participant.school_id == MenteeProfile.school_id,
                    Participant.id == MenteeProfile.participant_id,
                ),
            )
            .where(
                in_year,
                MenteeProfile.category == MenteeCategory.PUPIL,
                or_(
                    Participant.birth_date.is_(None),
                    Participant.birth_date.between(oldest_birth, youngest_birth),
                ),
            )
        )
        or 0
    )
    figures.mentors = (
        await db.scalar(
            select(func.count())
            .select_from(MentorProfile)
            .where(
                MentorProfile.school_id == school.id,
                MentorProfile.academic_year == year.start,
                MentorProfile.status != MentorStatus.WITHDRAWN,
            )
        )
        or 0
    )
    directions = await db.execute(
        select(ReferenceItem.title, func.count())
        .select_from(mentee_direction)
        .join(ReferenceItem, ReferenceItem.id == mentee_direction.c.reference_item_id)
        .join(
            MenteeProfile,
            and_(
                MenteeProfile.school_id == mentee_direction.c.school_id,
                MenteeProfile.id == mentee_direction.c.mentee_profile_id,
            ),
        )
        .where(in_year)
        .group_by(ReferenceItem.title, ReferenceItem.sort_order)
        .order_by(ReferenceItem.sort_order)
    )
    figures.directions = [(title, count) for title, count in directions.all()]
    pairs = await db.execute(
        select(ReferenceItem.title, func.count())
        .select_from(Mentorship)
        .join(ReferenceItem, ReferenceItem.id == Mentorship.form_id)
        .where(
            Mentorship.school_id == school.id,
            Mentorship.academic_year == year.start,
            Mentorship.status != MentorshipStatus.TERMINATED,
        )
        .group_by(ReferenceItem.title, ReferenceItem.sort_order)
        .order_by(ReferenceItem.sort_order)
    )
    figures.pairs_by_form = [(title, count) for title, count in pairs.all()]
    return figures
