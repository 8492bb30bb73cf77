"""Factories for individual educational routes (ИОМ): tutors, teachers with a login, routes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_region, set_school
from nastavnik.platform.settings import Settings
from nastavnik.regional.routes import figures
from nastavnik.regional.routes.models import (
    ActivityKind,
    ActivityStatus,
    IndividualRoute,
    ProposalStatus,
    RegionTutor,
    RouteActivity,
    RouteCourse,
    RouteMentorProposal,
    RouteStatus,
)
from nastavnik.school.participants.models import Participant, ParticipantKind
from nastavnik.tenants.models import Municipality, Region, School, StaffMember
from tests.conftest import Persona, make_persona
from tests.functional._participants import TODAY, make_person

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def tutor_persona(
    db: AsyncSession, settings: Settings, region: Region, name: str
) -> tuple[Persona, RegionTutor]:
    """A ЦНППМ tutor of the region, signed in and in the region's list of tutors."""
    persona = await make_persona(
        db, settings, name, [Membership(Scope.REGION, region.code, Role.CNPPM_TUTOR)]
    )
    await set_region(db, region.id)
    tutor = RegionTutor(
        region_id=region.id,
        user_id=persona.user.id,
        email=(persona.user.email or "").lower(),
        full_name=f"{persona.user.last_name} Тьютор Тьюторовна",
    )
    db.add(tutor)
    await db.flush()
    await set_region(db, None)
    await db.commit()
    return persona, tutor


async def methodist_persona(
    db: AsyncSession, settings: Settings, region: Region, name: str = "methodist"
) -> Persona:
    return await make_persona(db, settings, name, [Membership(Scope.REGION, region.code, Role.IRO_METHODIST)])


async def teacher_with_login(
    db: AsyncSession, settings: Settings, school: School, name: str = "teacher", **values: Any
) -> tuple[Persona, Participant]:
    """A teacher of the school's bank who signs in (mentee teacher), linked by staff membership."""
    persona = await make_persona(
        db, settings, name, [Membership(Scope.SCHOOL, school.code, Role.MENTEE_TEACHER)]
    )
    await set_school(db, school.id)
    member = await db.scalar(
        select(StaffMember).where(StaffMember.school_id == school.id, StaffMember.user_id == persona.user.id)
    )
    assert member is not None
    person = await make_person(
        db,
        school,
        kind=ParticipantKind.TEACHER,
        last_name=values.pop("last_name", "Учителева"),
        first_name="Анна",
        position="Учитель русского языка",
        subjects=["русский язык"],
        staff_member_id=member.id,
        email=persona.user.email or "",
        **values,
    )
    await set_school(db, None)
    await db.commit()
    return persona, person


async def make_route(
    db: AsyncSession,
    school: School,
    person: Participant | None = None,
    tutor: RegionTutor | None = None,
    **values: Any,
) -> IndividualRoute:
    """A route of a teacher of `school` (a new teacher unless given), assigned to `tutor`."""
    await set_school(db, school.id)
    person = person or await make_person(db, school, kind=ParticipantKind.TEACHER, last_name="Маршрутова")
    municipality = await db.get(Municipality, school.municipality_id)
    assert municipality is not None
    route = IndividualRoute(
        school_id=school.id,
        participant_id=person.id,
        region_id=municipality.region_id,
        municipality_id=municipality.id,
        tutor_id=tutor.id if tutor else None,
        tutor_name=tutor.full_name if tutor else "",
        status=RouteStatus.ACTIVE if tutor else RouteStatus.REQUESTED,
        teacher_name=person.full_name,
        teacher_position=person.position,
        subject=person.subjects[0] if person.subjects else "",
        school_name=school.name,
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=4 * 365),
        **values,
    )
    db.add(route)
    await db.flush()
    await figures.refresh_route(db, school.id, route.id)
    await set_school(db, None)
    return route


async def course(
    db: AsyncSession, region: Region, title: str = "Цифровые инструменты учителя", **values: Any
) -> RouteCourse:
    await set_region(db, region.id)
    item = RouteCourse(
        region_id=region.id,
        title=title,
        provider=values.pop("provider", "ИРО"),
        hours=values.pop("hours", 36),
        format=values.pop("format", "дистанционно"),
        starts_on=values.pop("starts_on", TODAY + dt.timedelta(days=10)),
        ends_on=values.pop("ends_on", TODAY + dt.timedelta(days=40)),
        area_codes=values.pop("area_codes", ["ict"]),
    )
    db.add(item)
    await db.flush()
    await set_region(db, None)
    return item


async def route_objects(db: AsyncSession, school: School, route: IndividualRoute) -> dict[str, str]:
    """An activity with a product file and a mentor proposal on the route (the sweep's ids)."""
    await set_school(db, school.id)
    activity = RouteActivity(
        school_id=school.id,
        route_id=route.id,
        kind=ActivityKind.TRIAL,
        title="Открытый урок",
        area_codes=["methods"],
        status=ActivityStatus.DONE,
        product_title="Разработка урока",
        product_filename="урок.pdf",
        product_media_type="application/pdf",
        product_file=PDF,
    )
    proposal = RouteMentorProposal(
        school_id=school.id,
        route_id=route.id,
        area_code="methods",
        mentor_school_id=school.id,
        mentor_profile_id=route.id,
        mentor_name="Наставникова Ольга Ивановна",
        mentor_school_name=school.name,
        status=ProposalStatus.PROPOSED,
    )
    db.add_all([activity, proposal])
    await db.flush()
    await set_school(db, None)
    return {"route_id": str(route.id), "activity_id": str(activity.id), "proposal_id": str(proposal.id)}
