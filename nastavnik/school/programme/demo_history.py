"""Demo: last year's programme entered afterwards, as a school moving onto the platform does.

The demo school gets the previous academic year too: the programme from the region's
template, the contingent with the surveys of potential mentees, the roadmap's first six
stages done on their own dates with what was done, stage 7 left as «Программа не
завершена», pairs of that year with their first meetings back-dated inside it, and the
year closed on 31 May — so its report reads like the one the school filed (seed 000).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.web import Form
from nastavnik.school.meetings.models import MEETING_KIND_TITLES, Meeting, MeetingFormat, MeetingKind
from nastavnik.school.pairs.models import MentorshipStatus
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.participants.models import (
    MenteeCategory,
    MenteeProfile,
    MenteeStatus,
    MentorProfile,
    MentorStatus,
    Participant,
    ParticipantKind,
)
from nastavnik.school.programme import services as programme_services
from nastavnik.school.programme.models import Programme, ProgrammeModel, ProgrammeStage
from nastavnik.school.roadmap.models import ItemStatus, RoadmapItem
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceKind, reference_by_code

PAST_CONTINGENT = {
    "pupils": "598",
    "pupils_10_19": "421",
    "teachers": "46",
    "young_teachers": "6",
    "pupils_surveyed": "57",
    "teachers_surveyed": "5",
}
# (direction of the pair, form) of last year's pairs; pupils' directions first.
PAST_PAIRS = (
    ("motivation", "teacher_student"),
    ("motivation", "teacher_student"),
    ("educational_path", "teacher_student"),
    ("teen_crisis", "student_student"),
    ("soft_skills", "student_student"),
)
DONE_TEXTS = {
    1: "Издан приказ «Об организации наставничества»; куратор назначен.",
    2: "Изучены нормативные документы федерального, регионального и муниципального уровней.",
}


async def seed_past_year(db: AsyncSession, school: School, today: dt.date) -> Programme | None:
    """The previous year's history; nothing when that year already has a programme."""
    year = AcademicYear.current(today).previous()
    if await programme_services.programme_for_year(db, school, year) is not None:
        return None
    templates = await programme_services.templates_for_school(db, school)
    template = next(t for t in templates if t.model is ProgrammeModel.PUPILS)
    programme = await programme_services.start_programme(
        db, school, Form(data={"year": year.title, "source": f"template:{template.id}"})
    )
    if programme is None:
        return None
    programme.forms = ["student_student", "teacher_teacher", "teacher_student"]
    await programme_services.save_contingent(db, school, year, Form(data=dict(PAST_CONTINGENT)))
    await _roadmap_history(db, programme)
    await _pairs(db, school, year)
    programme.closed_on = dt.date(year.start + 1, 5, 31)
    await db.flush()
    return programme


async def _roadmap_history(db: AsyncSession, programme: Programme) -> None:
    stages = {
        s.id: s.position
        for s in (
            await db.execute(select(ProgrammeStage).where(ProgrammeStage.programme_id == programme.id))
        ).scalars()
    }
    items = (
        await db.execute(
            select(RoadmapItem)
            .where(RoadmapItem.school_id == programme.school_id, RoadmapItem.programme_id == programme.id)
            .order_by(RoadmapItem.due_on)
        )
    ).scalars()
    closes = dt.date(programme.year.start + 1, 5, 31)
    for number, item in enumerate(items, start=1):
        if stages.get(item.stage_id, 7) >= 7 or item.due_on > closes:
            continue  # «Программа не завершена», as the school wrote it
        item.status = ItemStatus.DONE
        item.completed_on = min(item.due_on, closes)
        item.result_text = DONE_TEXTS.get(number, "")
    await db.flush()


async def _pairs(db: AsyncSession, school: School, year: AcademicYear) -> None:
    people = list(
        (
            await db.execute(
                select(Participant)
                .where(Participant.school_id == school.id, Participant.anonymised_at.is_(None))
                .order_by(Participant.kind, Participant.last_name, Participant.first_name)
            )
        ).scalars()
    )
    pupils = [p for p in people if p.kind is ParticipantKind.PUPIL and (p.grade or 0) >= 6]
    teachers = [p for p in people if p.kind is ParticipantKind.TEACHER]
    directions = await reference_by_code(db, ReferenceKind.DIRECTION)
    forms = await reference_by_code(db, ReferenceKind.FORM)
    older = [p for p in pupils if (p.grade or 0) >= 9]
    for index, (direction_code, form_code) in enumerate(PAST_PAIRS):
        direction = directions[direction_code]
        mentee_person = pupils[index]
        mentor_person = older[-1 - index] if form_code == "student_student" else teachers[index]
        mentee = MenteeProfile(
            school_id=school.id,
            participant_id=mentee_person.id,
            academic_year=year.start,
            category=MenteeCategory.PUPIL,
            status=MenteeStatus.COMPLETED,
        )
        mentee.directions = [direction]
        mentee.request_areas = []
        mentor = MentorProfile(
            school_id=school.id,
            participant_id=mentor_person.id,
            academic_year=year.start,
            capacity=1,
            status=MentorStatus.SELECTED,
        )
        mentor.directions = [direction]
        mentor.competencies = []
        db.add_all([mentee, mentor])
        await db.flush()
        for profile in (mentee, mentor):
            await db.refresh(profile, ["participant", "directions"])
        pair = await create_mentorship(
            db,
            school,
            year=year.start,
            form=forms[form_code],
            mentors=[mentor],
            mentees=[mentee],
            started_on=dt.date(year.start + 1, 1, 20),
        )
        # Last year's pairs finished with the year.
        pair.status = MentorshipStatus.COMPLETED
        pair.ended_on = dt.date(year.start + 1, 5, 25)
        kinds = [MeetingKind.ORGANISATIONAL, MeetingKind.TRIAL, MeetingKind.PLANNING][: 3 - index % 2]
        for offset, kind in enumerate(kinds):
            db.add(
                Meeting(
                    school_id=school.id,
                    mentorship_id=pair.id,
                    academic_year=year.start,
                    kind=kind,
                    held_on=dt.date(year.start + 1, 2, 3 + 7 * offset),
                    format=MeetingFormat.IN_PERSON,
                    topic=MEETING_KIND_TITLES[kind],
                )
            )
    await db.flush()
