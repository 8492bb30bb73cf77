"""Factories for participants' tests: people, profiles and consents of a school."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import new_id, set_school
from nastavnik.school.participants.models import (
    Consent,
    ConsentScope,
    ConsentSigner,
    MenteeCategory,
    MenteeProfile,
    MentorProfile,
    Participant,
    ParticipantKind,
)
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceKind, reference_items

TODAY = dt.date.today()
CURRENT_YEAR = TODAY.year if TODAY.month >= 9 else TODAY.year - 1


async def make_person(db: AsyncSession, school: School, **values: Any) -> Participant:
    await set_school(db, school.id)
    kind = values.pop("kind", ParticipantKind.PUPIL)
    defaults: dict[str, Any] = {
        "last_name": "Иванов",
        "first_name": "Пётр",
        "middle_name": "Сергеевич",
        "birth_date": dt.date(TODAY.year - 13, 3, 1),
    }
    if kind is ParticipantKind.PUPIL:
        defaults.update(grade=7, class_letter="Б")
    else:
        defaults.update(
            birth_date=dt.date(1985, 5, 20), position="Учитель математики", subjects=["математика"]
        )
    defaults.update(values)
    person = Participant(id=new_id(), school_id=school.id, kind=kind, **defaults)
    person.import_key = values.get("import_key") or f"test:{uuid.uuid4().hex}"
    db.add(person)
    await db.flush()
    return person


async def make_mentee(
    db: AsyncSession,
    school: School,
    person: Participant | None = None,
    *,
    year: int = CURRENT_YEAR,
    **values: Any,
) -> MenteeProfile:
    person = person or await make_person(db, school, **values)
    directions = await reference_items(db, ReferenceKind.DIRECTION)
    profile = MenteeProfile(
        school_id=school.id,
        participant_id=person.id,
        academic_year=year,
        category=MenteeCategory.PUPIL
        if person.kind is ParticipantKind.PUPIL
        else MenteeCategory.YOUNG_TEACHER,
    )
    profile.directions = directions[:1]
    profile.request_areas = []
    db.add(profile)
    await db.flush()
    return profile


async def make_mentor(
    db: AsyncSession,
    school: School,
    person: Participant | None = None,
    *,
    year: int = CURRENT_YEAR,
    capacity: int = 2,
    **values: Any,
) -> MentorProfile:
    person = person or await make_person(db, school, kind=ParticipantKind.TEACHER, **values)
    directions = await reference_items(db, ReferenceKind.DIRECTION)
    profile = MentorProfile(
        school_id=school.id, participant_id=person.id, academic_year=year, capacity=capacity
    )
    profile.directions = directions[:2]
    profile.competencies = []
    profile.trainings = []
    db.add(profile)
    await db.flush()
    return profile


async def give_consent(
    db: AsyncSession,
    school: School,
    person: Participant,
    *,
    signer: ConsentSigner | None = None,
    **values: Any,
) -> Consent:
    if signer is None:
        signer = ConsentSigner.PARENT if person.is_minor() else ConsentSigner.SELF
    consent = Consent(
        school_id=school.id,
        participant_id=person.id,
        signer=signer,
        signer_name=values.pop("signer_name", "Иванова Мария Петровна"),
        signed_on=values.pop("signed_on", TODAY - dt.timedelta(days=10)),
        scopes=values.pop("scopes", [ConsentScope.PROGRAMME]),
        **values,
    )
    db.add(consent)
    await db.flush()
    return consent


def year_title(year: int = CURRENT_YEAR) -> str:
    return f"{year}-{year + 1}"
