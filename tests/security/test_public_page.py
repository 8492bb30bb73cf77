"""The public page «Наставничество»: anonymous visitors read the published snapshot and
nothing else — no unconsented name, no other school's data, no other page, and at the SQL
level no row of a school's tables."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import school_owned_tables, set_school
from nastavnik.school.completion import public
from nastavnik.school.completion.demo import seed_school_completion
from nastavnik.school.completion.models import MentorPublication, PublicPage, SchoolCase
from nastavnik.school.demo import demo_school, seed_school_demo
from nastavnik.school.participants.consent_rules import valid_consent_clause
from nastavnik.school.participants.models import ConsentScope, Participant, ParticipantKind, local_today
from nastavnik.tenants.demo import seed_demo
from nastavnik.tenants.models import School, SchoolKind
from tests.conftest import World

pytestmark = pytest.mark.anyio

TODAY = local_today()


@pytest.fixture
async def school(db: AsyncSession) -> School:
    assert await seed_demo(db, None)
    found = await demo_school(db)
    assert found is not None
    assert await seed_school_demo(db, found)
    assert await seed_school_completion(db, found, today=TODAY)
    await db.commit()
    return found


async def test_no_unconsented_person_is_named_on_the_public_page(
    db: AsyncSession, school: School, client: AsyncTestClient[Litestar]
) -> None:
    await set_school(db, school.id)
    # A case naming a pupil without a parent's consent to publication, marked for the site
    # by hand (bypassing the form's check): publishing must leave it out.
    unconsented = (
        (
            await db.execute(
                select(Participant).where(
                    Participant.kind == ParticipantKind.PUPIL,
                    ~valid_consent_clause(TODAY, scope=ConsentScope.PUBLICATION),
                )
            )
        )
        .scalars()
        .first()
    )
    assert unconsented is not None
    db.add(
        SchoolCase(
            school_id=school.id,
            academic_year=AcademicYear.current(TODAY).start,
            title="Кейс с именем",
            problem=f"Работа с {unconsented.last_name} {unconsented.first_name}",
            result="Итог",
            published=True,
        )
    )
    await db.flush()
    await public.publish(db, school, AcademicYear.current(TODAY), TODAY)
    people = list((await db.execute(select(Participant))).scalars())
    agreed = set(
        (
            await db.execute(
                select(MentorPublication.participant_id).where(MentorPublication.agreed.is_(True))
            )
        ).scalars()
    )
    await set_school(db, None)
    await db.commit()
    page = await client.get(f"/public/{school.code}/nastavnichestvo")
    embed = await client.get(f"/public/{school.code}/nastavnichestvo/embed")
    assert page.status_code == embed.status_code == 200
    assert "Кейс с именем" not in page.text
    for person in people:
        for html in (page.text, embed.text):
            if person.id in agreed:
                continue
            assert person.full_name not in html, f"{person.full_name} is named without consent"
            if person.kind is ParticipantKind.PUPIL:
                assert f"{person.last_name} {person.first_name}" not in html
                if person.birth_date:
                    assert person.birth_date.strftime("%d.%m.%Y") not in html


async def test_a_school_page_shows_no_other_schools_data(
    db: AsyncSession, school: School, client: AsyncTestClient[Litestar], world: World
) -> None:
    other = world.school_b
    await set_school(db, other.id)
    await public.publish(db, other, AcademicYear.current(TODAY), TODAY)
    await set_school(db, school.id)
    names = [p.full_name for p in (await db.execute(select(Participant))).scalars()]
    await set_school(db, None)
    await db.commit()
    page = await client.get(f"/public/{other.code}/nastavnichestvo")
    assert page.status_code == 200
    assert not [n for n in names if n in page.text]
    own = await client.get(f"/public/{school.code}/nastavnichestvo")
    for file_id in re.findall(r"/files/([0-9a-f-]{36})", own.text):
        # A file of the demo school is not served under another school's address.
        assert (await client.get(f"/public/{other.code}/nastavnichestvo/files/{file_id}")).status_code == 404
        assert (await client.get(f"/public/{school.code}/nastavnichestvo/files/{file_id}")).status_code == 200


async def test_an_unpublished_page_is_not_found(
    db: AsyncSession, world: World, client: AsyncTestClient[Litestar]
) -> None:
    await set_school(db, world.school_a.id)
    await public.publish(db, world.school_a, AcademicYear.current(TODAY), TODAY)
    await public.unpublish(db, world.school_a)
    await set_school(db, None)
    await db.commit()
    assert (await client.get(f"/public/{world.school_a.code}/nastavnichestvo")).status_code == 404


async def test_anonymous_visitors_reach_no_page_but_the_public_ones(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(("/s/", "/m/", "/r/", "/admin")):
            continue

        def value(match: re.Match[str]) -> str:
            name = match.group(0)
            if ":int" in name:
                return "1"  # a path integer (a route's step); any other value fails routing
            return "2025-2026" if "year" in name else str(uuid.uuid4())

        path = re.sub(r"\{[^}]+\}", value, route.path)
        for method in route.methods - {"HEAD", "OPTIONS"}:
            reply = await client.request(method, path, follow_redirects=False)
            assert reply.status_code in {303, 401, 403}, (method, route.path, reply.status_code)
            if method == "GET":
                assert reply.status_code == 303 and reply.headers["location"].startswith("/auth/login")
            checked += 1
    assert checked > 100


async def test_without_a_school_scope_the_app_role_reads_only_published_snapshots(
    db: AsyncSession, world: World
) -> None:
    for school in (world.school_a, world.school_b):
        await set_school(db, school.id)
        await public.publish(db, school, AcademicYear.current(TODAY), TODAY)
    await public.unpublish(db, world.school_b)
    await set_school(db, None)
    codes = set((await db.execute(select(PublicPage.school_code))).scalars())
    assert world.school_a.code in codes and world.school_b.code not in codes
    for table in school_owned_tables():
        assert await db.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
    # Writing a snapshot needs the school's own scope: anonymous or another school's is refused.
    page_b = School(municipality_id=world.school_b.municipality_id, code=f"x-{uuid.uuid4().hex[:6]}",
                    name="Х", full_name="Х", kind=SchoolKind.GENERAL)  # fmt: skip
    db.add(page_b)
    await db.flush()
    nested = await db.begin_nested()
    db.add(PublicPage(school_id=page_b.id, school_code=page_b.code, published=True, content={}))
    with pytest.raises(DBAPIError, match="row-level security"):
        await db.flush()
    await nested.rollback()
    await set_school(db, world.school_b.id)
    changed = await db.execute(
        text("UPDATE public_page SET content = '{}'::jsonb WHERE school_code = :c"),
        {"c": world.school_a.code},
    )
    assert changed.rowcount == 0
    assert await db.scalar(select(func.count()).select_from(PublicPage)) >= 1
