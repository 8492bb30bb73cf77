"""The policies of individual educational routes (ИОМ), as the app role at the SQL level:
a route and its records are its school's; the assigned tutor reads and writes them, another
tutor sees nothing; a methodist reads the region's routes and writes only their header;
another school, region or methodist never sees them; the projection holds no person."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_region, set_routes_region, set_school, set_tutor
from nastavnik.platform.settings import Settings
from nastavnik.regional.routes.models import (
    IndividualRoute,
    RouteActivity,
    RouteFigure,
    RouteStep,
    StepStatus,
)
from nastavnik.school.participants.models import Participant
from nastavnik.tenants.models import Municipality, Region, School, SchoolKind
from tests.conftest import World
from tests.functional._routes import make_route, route_objects, tutor_persona

pytestmark = pytest.mark.anyio

ROUTE_TABLES = (
    "individual_route",
    "route_step",
    "route_diagnosis_survey",
    "route_area_score",
    "route_activity",
    "route_version",
    "route_mentor_proposal",
    "route_figure",
    "route_course",
    "route_resource",
    "region_tutor",
)


async def count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def clear_scope(db: AsyncSession) -> None:
    await set_school(db, None)
    await set_region(db, None)
    await set_tutor(db, None)
    await set_routes_region(db, None)


async def test_route_tables_force_row_level_security_for_the_app_role(db: AsyncSession) -> None:
    for table in ROUTE_TABLES:
        row = (
            await db.execute(
                text(
                    "SELECT relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) <> current_user "
                    "FROM pg_class WHERE relname = :t"
                ),
                {"t": table},
            )
        ).one()
        assert row == (True, True, True), table


async def test_a_route_is_never_visible_to_another_school(
    db: AsyncSession, settings: Settings, world: World
) -> None:
    _, tutor = await tutor_persona(db, settings, world.region, "rls_tutor")
    route = await make_route(db, world.school_a, tutor=tutor)
    await route_objects(db, world.school_a, route)
    await clear_scope(db)
    await set_school(db, world.school_b.id)
    assert await count(db, IndividualRoute) == 0
    assert await count(db, RouteActivity) == 0
    assert await count(db, RouteStep) == 0
    # Nor can school B write into A's route.
    with pytest.raises(DBAPIError):
        async with db.begin_nested():
            db.add(
                RouteStep(school_id=world.school_a.id, route_id=route.id, number=1, status=StepStatus.DONE)
            )
            await db.flush()
    await set_school(db, world.school_a.id)
    assert await count(db, IndividualRoute) == 1
    assert await count(db, RouteActivity) == 1


async def test_only_the_assigned_tutor_reads_and_writes_the_route(
    db: AsyncSession, settings: Settings, world: World
) -> None:
    _, assigned = await tutor_persona(db, settings, world.region, "rls_assigned")
    _, other = await tutor_persona(db, settings, world.region, "rls_other")
    route_a = await make_route(db, world.school_a, tutor=assigned)
    route_b = await make_route(db, world.school_b, tutor=assigned)
    await route_objects(db, world.school_a, route_a)
    await clear_scope(db)
    await set_tutor(db, other.id)
    assert await count(db, IndividualRoute) == 0
    assert await count(db, RouteActivity) == 0
    await set_tutor(db, assigned.id)
    # Across schools, and the records inside; never the schools' own tables.
    assert await count(db, IndividualRoute) == 2
    assert await count(db, RouteActivity) == 1
    assert await count(db, Participant) == 0
    db.add(RouteStep(school_id=route_b.school_id, route_id=route_b.id, number=1, status=StepStatus.DONE))
    await db.flush()
    # A tutor cannot hand the route to someone else, nor open a route of their own accord.
    with pytest.raises(DBAPIError):
        async with db.begin_nested():
            await db.execute(
                update(IndividualRoute).where(IndividualRoute.id == route_a.id).values(tutor_id=other.id)
            )
    with pytest.raises(DBAPIError):
        async with db.begin_nested():
            await db.execute(
                text(
                    "INSERT INTO individual_route (school_id, id, participant_id, region_id, "
                    "municipality_id, tutor_id, tutor_name, status, current_step, teacher_name, "
                    "teacher_position, subject, school_name, starts_on, ends_on, request_note, "
                    "diagnosis_round, roadmap_version) "
                    "SELECT school_id, :id, participant_id, region_id, municipality_id, tutor_id, '', "
                    "'active', 1, 'x', '', '', '', starts_on, ends_on, '', 1, 0 "
                    "FROM individual_route WHERE id = :route"
                ),
                {"id": uuid.uuid4(), "route": route_a.id},
            )


async def test_a_methodist_reads_the_regions_routes_and_writes_only_their_header(
    db: AsyncSession, settings: Settings, world: World
) -> None:
    _, tutor = await tutor_persona(db, settings, world.region, "rls_meth_tutor")
    route = await make_route(db, world.school_a, tutor=tutor)
    await route_objects(db, world.school_a, route)
    other_region = Region(code=f"ro-{uuid.uuid4().hex[:6]}", name="Другая")
    db.add(other_region)
    await db.flush()
    await clear_scope(db)
    await set_routes_region(db, other_region.id)
    assert await count(db, IndividualRoute) == 0
    assert await count(db, RouteActivity) == 0
    await set_routes_region(db, world.region.id)
    assert await count(db, IndividualRoute) == 1
    assert await count(db, RouteActivity) == 1
    await db.execute(update(IndividualRoute).where(IndividualRoute.id == route.id).values(tutor_name="Новый"))
    with pytest.raises(DBAPIError):
        async with db.begin_nested():
            db.add(RouteStep(school_id=route.school_id, route_id=route.id, number=2, status=StepStatus.DONE))
            await db.flush()
    # A route placed in a school of another region is refused.
    far = Municipality(region_id=other_region.id, code=f"mf-{uuid.uuid4().hex[:6]}", name="Далёкий")
    db.add(far)
    await db.flush()
    with pytest.raises(DBAPIError):
        async with db.begin_nested():
            await db.execute(
                update(IndividualRoute)
                .where(IndividualRoute.id == route.id)
                .values(region_id=other_region.id)
            )


async def test_the_teacher_candidates_function_refuses_a_school_outside_the_methodists_region(
    db: AsyncSession, world: World
) -> None:
    await clear_scope(db)
    school = School(
        municipality_id=world.municipality_a.id,
        code=f"sx-{uuid.uuid4().hex[:6]}",
        name="Школа Х",
        full_name="Школа Х",
        kind=SchoolKind.GENERAL,
    )
    db.add(school)
    await db.flush()
    await set_school(db, school.id)
    db.add(Participant(school_id=school.id, kind="teacher", last_name="Кандидатова", first_name="Ирина"))
    await db.flush()
    await clear_scope(db)
    query = text("SELECT full_name FROM route_teacher_candidates(:s, 10)")
    assert (await db.execute(query, {"s": school.id})).all() == []
    await set_routes_region(db, uuid.uuid4())
    assert (await db.execute(query, {"s": school.id})).all() == []
    await set_routes_region(db, world.region.id)
    assert [r.full_name for r in await db.execute(query, {"s": school.id})] == ["Кандидатова Ирина"]
    # The caller's own scope is back after the call: still no school's rows.
    assert await db.scalar(text("SELECT current_setting('app.school_id', true)")) == ""
    assert await count(db, Participant) == 0


async def test_the_projection_is_read_by_the_region_and_holds_no_name(
    db: AsyncSession, settings: Settings, world: World
) -> None:
    route = await make_route(db, world.school_a)
    await clear_scope(db)
    assert await count(db, RouteFigure) == 0
    await set_region(db, world.region.id, world.municipality_b.id)
    assert await count(db, RouteFigure) == 0
    await set_region(db, world.region.id)
    assert await count(db, RouteFigure) == 1
    columns = {c.name for c in RouteFigure.__table__.columns}
    assert not {"teacher_name", "participant_id", "school_name"} & columns
    assert route.teacher_name
