"""Factories for the region's mentor directory and inter-school pairs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_region, set_school
from nastavnik.school.directory import services as directory
from nastavnik.school.directory.models import CrossSchoolPair, CrossSchoolPairStatus, MentorDirectoryEntry
from nastavnik.school.participants.models import ConsentScope, MentorProfile, Participant, ParticipantKind
from nastavnik.tenants.models import Municipality, School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items
from tests.functional._participants import CURRENT_YEAR, give_consent, make_mentee, make_mentor, make_person


async def region_of(db: AsyncSession, school: School) -> Any:
    municipality = await db.get(Municipality, school.municipality_id)
    assert municipality is not None
    return municipality.region_id


async def directory_mentor(
    db: AsyncSession,
    school: School,
    *,
    competencies: tuple[str, ...] = ("ict",),
    capacity: int = 2,
    **values: Any,
) -> MentorProfile:
    """A teacher of `school` who agreed to mentor in other schools, with the consents it needs."""
    await set_school(db, school.id)
    person = await make_person(db, school, kind=ParticipantKind.TEACHER, **values)
    await give_consent(db, school, person, scopes=[ConsentScope.PROGRAMME, ConsentScope.REGIONAL_BANK])
    profile = await make_mentor(db, school, person, capacity=capacity)
    areas = {r.code: r for r in await reference_items(db, ReferenceKind.DEFICIT_AREA)}
    profile.competencies = [areas[c] for c in competencies]
    profile.cross_school_search = True
    profile.competencies_text = values.get("position", "")
    await db.flush()
    await directory.sync_mentors(db, school.id, [person.id])
    return profile


async def entry_of(db: AsyncSession, school: School, profile: MentorProfile) -> MentorDirectoryEntry:
    await set_school(db, school.id)
    return (
        await db.execute(
            select(MentorDirectoryEntry).where(
                MentorDirectoryEntry.school_id == school.id,
                MentorDirectoryEntry.mentor_profile_id == profile.id,
            )
        )
    ).scalar_one()


async def cross_school_pair(
    db: AsyncSession,
    mentee_school: School,
    mentor_school: School,
    *,
    status: CrossSchoolPairStatus = CrossSchoolPairStatus.REQUESTED,
    pupil: bool = False,
) -> tuple[CrossSchoolPair, Participant, MentorProfile]:
    """A request of `mentee_school` for a mentor of `mentor_school` (written as each school would)."""
    profile = await directory_mentor(db, mentor_school, last_name="Наставникова", first_name="Анна")
    await set_school(db, mentee_school.id)
    if pupil:
        person = await make_person(db, mentee_school, last_name="Ученикова", first_name="Вера")
    else:
        person = await make_person(db, mentee_school, kind=ParticipantKind.TEACHER, last_name="Молодой")
    await give_consent(db, mentee_school, person)
    await make_mentee(db, mentee_school, person, year=CURRENT_YEAR)
    form = (
        await db.execute(
            select(ReferenceItem).where(
                ReferenceItem.kind == ReferenceKind.FORM, ReferenceItem.code == "teacher_teacher"
            )
        )
    ).scalar_one()
    pair = CrossSchoolPair(
        region_id=await region_of(db, mentee_school),
        mentee_school_id=mentee_school.id,
        mentor_school_id=mentor_school.id,
        mentee_participant_id=person.id,
        mentor_profile_id=profile.id,
        form_id=form.id,
        status=status,
        mentee_name=person.full_name,
        mentee_kind=person.kind.value,
        direction_titles=["Вход молодого педагога в профессию"],
        mentor_name="Наставникова Анна",
        message="Нужен наставник по ИКТ",
    )
    db.add(pair)
    await db.flush()
    await set_school(db, None)
    await set_region(db, None)
    return pair, person, profile


async def mentor_persona(db: AsyncSession, settings: Any, school: School, profile: MentorProfile) -> Any:
    """A sign-in for the mentor of `profile`: a mentor of `school` whose staff record is that participant."""
    from nastavnik.platform.auth.permissions import Membership, Role, Scope
    from nastavnik.tenants.models import StaffMember
    from tests.conftest import make_persona

    persona = await make_persona(
        db, settings, "mentor_b", [Membership(Scope.SCHOOL, school.code, Role.MENTOR)]
    )
    await set_school(db, school.id)
    staff = (
        await db.execute(
            select(StaffMember).where(
                StaffMember.school_id == school.id, StaffMember.user_id == persona.user.id
            )
        )
    ).scalar_one()
    person = await db.get(Participant, (school.id, profile.participant_id))
    assert person is not None
    person.staff_member_id = staff.id
    await db.flush()
    await set_school(db, None)
    await db.commit()
    return persona
