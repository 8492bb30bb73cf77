"""Who sees which route, and the scope each page runs with.

Region side (`/r/<region>/routes`): a tutor's requests run with `app.tutor_id` (their own
routes, across schools), a methodist's with `app.routes_region_id` (every route header of
the region, read-only inside). School side (`/s/<school>/routes`): the school's curator and
director see every route of the school; a teacher sees their own; a mentor sees the routes
of the teachers they mentor in the school's pairs. Anyone else gets 404.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.db import set_routes_region, set_tutor
from nastavnik.platform.web import CurrentUser
from nastavnik.regional.routes import services
from nastavnik.regional.routes.models import IndividualRoute, RegionTutor
from nastavnik.school.pairs.models import MemberRole, Mentorship, MentorshipMember, MentorshipStatus
from nastavnik.school.participants import services as participants
from nastavnik.tenants.models import Region, School
from nastavnik.tenants.web import RegionWorkspace, SchoolWorkspace


@dataclass(frozen=True)
class RegionRouteScope:
    region: Region
    tutor: RegionTutor | None
    coordinator: bool
    base: str

    @property
    def who(self) -> str:
        return "tutor" if self.tutor else "methodist"


async def region_route_scope(
    db: AsyncSession, workspace: RegionWorkspace, user: CurrentUser
) -> RegionRouteScope:
    region = workspace.region
    coordinator = workspace.can(Permission.REGION_ROUTES_ASSIGN)
    tutor = None
    if workspace.can(Permission.REGION_ROUTES_GUIDE):
        tutor = await services.tutor_of_user(db, region, user.user)
        if tutor is None:
            # The role came with a session that began before it was granted (the list is
            # filled at sign-in): the tutor joins the region's list on the first visit.
            tutor = await services.add_tutor(db, region, user.user)
        await set_tutor(db, tutor.id)
    if coordinator:
        await set_routes_region(db, region.id)
    return RegionRouteScope(region, tutor, coordinator, f"/r/{region.code}/routes")


@dataclass(frozen=True)
class SchoolRouteScope:
    school: School
    manager: bool
    own_participant_id: uuid.UUID | None
    mentee_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    base: str = ""

    def may_see(self, route: IndividualRoute) -> bool:
        return (
            self.manager
            or route.participant_id == self.own_participant_id
            or route.participant_id in self.mentee_ids
        )

    def is_teacher_of(self, route: IndividualRoute) -> bool:
        return route.participant_id == self.own_participant_id


async def mentees_of(
    db: AsyncSession, school: School, participant_id: uuid.UUID | None
) -> frozenset[uuid.UUID]:
    """Teachers mentored by this participant in the school's open pairs."""
    if participant_id is None:
        return frozenset()
    mentor = aliased(MentorshipMember)
    mentee = aliased(MentorshipMember)
    rows = await db.execute(
        select(mentee.participant_id)
        .join(
            Mentorship, and_(Mentorship.school_id == mentee.school_id, Mentorship.id == mentee.mentorship_id)
        )
        .join(
            mentor,
            and_(
                mentor.school_id == Mentorship.school_id,
                mentor.mentorship_id == Mentorship.id,
                mentor.role == MemberRole.MENTOR,
            ),
        )
        .where(
            mentee.school_id == school.id,
            mentee.role == MemberRole.MENTEE,
            mentor.participant_id == participant_id,
            Mentorship.status != MentorshipStatus.TERMINATED,
        )
        .limit(200)
    )
    return frozenset(rows.scalars())


async def school_route_scope(
    db: AsyncSession, workspace: SchoolWorkspace, user: CurrentUser
) -> SchoolRouteScope:
    school = workspace.school
    manager = workspace.can(Permission.SCHOOL_ROUTES_MANAGE)
    person = await participants.participant_for_user(db, school, user.user.id)
    own = person.id if person else None
    return SchoolRouteScope(
        school,
        manager,
        own,
        await mentees_of(db, school, own),
        f"/s/{school.code}/routes",
    )
