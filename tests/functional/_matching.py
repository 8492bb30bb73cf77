"""Factories for matching, pairs and meetings tests: a school's small pool with consents."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import new_id, set_school
from nastavnik.school.participants.models import (
    Consent,
    ConsentScope,
    ConsentSigner,
    InterviewResult,
    MenteeCategory,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.tenants.models import School, StaffMember
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_by_code

TODAY = local_today()
YEAR = AcademicYear.current(TODAY).start


async def person(
    db: AsyncSession,
    school: School,
    last_name: str,
    *,
    kind: ParticipantKind = ParticipantKind.PUPIL,
    **values: Any,
) -> Participant:
    await set_school(db, school.id)
    defaults: dict[str, Any] = {"first_name": "Анна", "middle_name": "Петровна"}
    if kind is ParticipantKind.PUPIL:
        defaults |= {"grade": 7, "class_letter": "А", "birth_date": dt.date(TODAY.year - 13, 1, 10)}
    else:
        defaults |= {"birth_date": dt.date(1980, 5, 20), "position": "Учитель", "subjects": ["математика"]}
    defaults |= values
    row = Participant(
        id=new_id(),
        school_id=school.id,
        kind=kind,
        last_name=last_name,
        import_key=f"t:{uuid.uuid4().hex}",
        **defaults,
    )
    db.add(row)
    await db.flush()
    return row


async def consent(db: AsyncSession, someone: Participant) -> Consent:
    minor = someone.kind is ParticipantKind.PUPIL
    row = Consent(
        school_id=someone.school_id,
        participant_id=someone.id,
        signer=ConsentSigner.PARENT if minor else ConsentSigner.SELF,
        signer_name="Родитель" if minor else someone.full_name,
        signed_on=TODAY - dt.timedelta(days=30),
        scopes=[ConsentScope.PROGRAMME],
    )
    db.add(row)
    await db.flush()
    return row


async def directions(db: AsyncSession, *codes: str) -> list[ReferenceItem]:
    found = await reference_by_code(db, ReferenceKind.DIRECTION)
    return [found[c] for c in codes]


async def mentee(
    db: AsyncSession,
    school: School,
    last_name: str,
    codes: tuple[str, ...] = ("motivation",),
    *,
    consented: bool = True,
    **values: Any,
) -> MenteeProfile:
    someone = await person(db, school, last_name, **values)
    if consented:
        await consent(db, someone)
    profile = MenteeProfile(
        school_id=school.id, participant_id=someone.id, academic_year=YEAR, category=MenteeCategory.PUPIL
    )
    profile.directions = await directions(db, *codes)
    profile.request_areas = []
    db.add(profile)
    await db.flush()
    return profile


async def mentor(
    db: AsyncSession,
    school: School,
    last_name: str,
    codes: tuple[str, ...] = ("motivation", "career"),
    *,
    capacity: int = 2,
    consented: bool = True,
    trained: bool = True,
    staff: StaffMember | None = None,
    **values: Any,
) -> MentorProfile:
    someone = await person(
        db,
        school,
        last_name,
        kind=ParticipantKind.TEACHER,
        staff_member_id=staff.id if staff else None,
        **values,
    )
    if consented:
        await consent(db, someone)
    profile = MentorProfile(
        school_id=school.id,
        participant_id=someone.id,
        academic_year=YEAR,
        capacity=capacity,
        interview_result=InterviewResult.RECOMMENDED,
    )
    profile.directions = await directions(db, *codes)
    profile.competencies = []
    db.add(profile)
    await db.flush()
    if trained:
        db.add(
            MentorTraining(
                school_id=school.id,
                mentor_profile_id=profile.id,
                completed_on=TODAY,
                course="Школа наставника",
            )
        )
        await db.flush()
    return profile


async def staff_of(db: AsyncSession, school: School, user_id: uuid.UUID) -> StaffMember:
    await set_school(db, school.id)
    found = await db.scalar(
        select(StaffMember).where(StaffMember.school_id == school.id, StaffMember.user_id == user_id)
    )
    assert found is not None
    return found


@dataclass
class SmallPool:
    """Three pupils with consent, one without, two teachers (one is `mentor_a`'s staff record)."""

    ivanova: MenteeProfile
    petrov: MenteeProfile
    sidorova: MenteeProfile
    no_consent: MenteeProfile
    smirnova: MentorProfile  # motivation + career, capacity 2, mentor_a signs in as her
    kuznetsov: MentorProfile  # career only, capacity 1


async def small_pool(db: AsyncSession, school: School, mentor_user_id: uuid.UUID | None = None) -> SmallPool:
    staff = await staff_of(db, school, mentor_user_id) if mentor_user_id else None
    pool = SmallPool(
        ivanova=await mentee(db, school, "Иванова", ("motivation",)),
        petrov=await mentee(db, school, "Петров", ("career",), first_name="Олег", middle_name="Ильич"),
        sidorova=await mentee(db, school, "Сидорова", ("motivation", "career")),
        no_consent=await mentee(db, school, "Безсогласия", ("motivation",), consented=False),
        smirnova=await mentor(db, school, "Смирнова", ("motivation", "career"), capacity=2, staff=staff),
        kuznetsov=await mentor(
            db, school, "Кузнецов", ("career",), capacity=1, first_name="Игорь", middle_name="Олегович"
        ),
    )
    await db.commit()
    return pool
