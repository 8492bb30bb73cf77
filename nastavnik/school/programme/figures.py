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

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school
from nastavnik.school.meetings.models import Meeting, MeetingKind
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus, mentorship_direction
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
from nastavnik.school.programme.surveys import SurveyedCounts, surveyed_counts
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items

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
    # (direction title, pairs and groups) for every direction of the region, zeros included:
    # the report lists them all, counted as pairs (seed 000), not as mentees.
    pairs_by_direction: list[tuple[str, int]] = field(default_factory=list)
    # (direction title, {kind: pairs that held a meeting of that kind}) for every direction.
    meetings_by_direction: list[tuple[str, dict[MeetingKind, int]]] = field(default_factory=list)
    surveyed: SurveyedCounts = field(default_factory=SurveyedCounts)

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

    @property
    def pupils_surveyed_share(self) -> int | None:
        if self.contingent is None or self.surveyed.pupils is None:
            return None
        return share(self.surveyed.pupils, self.contingent.pupils)

    @property
    def teachers_surveyed_share(self) -> int | None:
        if self.contingent is None or self.surveyed.teachers is None:
            return None
        return share(self.surveyed.teachers, self.contingent.teachers)


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
    figures.pairs_by_direction, figures.meetings_by_direction = await _by_direction(db, school, year)
    figures.surveyed = await surveyed_counts(db, school, year)
    return figures


# Meetings the report counts per direction (rows 21-23 of seed 000's roadmap).
REPORTED_MEETING_KINDS = (MeetingKind.ORGANISATIONAL, MeetingKind.TRIAL, MeetingKind.PLANNING)


async def _by_direction(
    db: AsyncSession, school: School, year: AcademicYear
) -> tuple[list[tuple[str, int]], list[tuple[str, dict[MeetingKind, int]]]]:
    """Pairs per direction and pairs per direction that held each first meeting, in one statement."""
    held = {
        kind: exists().where(
            Meeting.school_id == Mentorship.school_id,
            Meeting.mentorship_id == Mentorship.id,
            Meeting.kind == kind,
        )
        for kind in REPORTED_MEETING_KINDS
    }
    rows = await db.execute(
        select(
            mentorship_direction.c.reference_item_id,
            func.count(),
            *(func.count().filter(condition) for condition in held.values()),
        )
        .join(
            Mentorship,
            and_(
                Mentorship.school_id == mentorship_direction.c.school_id,
                Mentorship.id == mentorship_direction.c.mentorship_id,
            ),
        )
        .where(
            Mentorship.school_id == school.id,
            Mentorship.academic_year == year.start,
            Mentorship.status != MentorshipStatus.TERMINATED,
        )
        .group_by(mentorship_direction.c.reference_item_id)
    )
    counts = {row[0]: (int(row[1]), [int(n) for n in row[2:]]) for row in rows.all()}
    pairs: list[tuple[str, int]] = []
    meetings: list[tuple[str, dict[MeetingKind, int]]] = []
    for item in await reference_items(db, ReferenceKind.DIRECTION, active_only=False):
        total, by_kind = counts.get(item.id, (0, [0] * len(REPORTED_MEETING_KINDS)))
        pairs.append((item.title, total))
        meetings.append((item.title, dict(zip(REPORTED_MEETING_KINDS, by_kind, strict=True))))
    return pairs, meetings
