"""Requests in bulk: directions and areas for a class of mentees, capacity for mentors, in one
save; bad values are refused beside the field with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.db import set_school
from nastavnik.school.participants.models import MenteeProfile, MentorProfile
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, World, csrf_token
from tests.functional._matching import mentee, mentor

pytestmark = pytest.mark.anyio


async def test_a_class_gets_its_directions_and_areas_in_one_save(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    school = world.school_a
    first = await mentee(db, school, "Петрова", ("motivation",), grade=7, class_letter="Б")
    second = await mentee(db, school, "Сидоров", ("potential",), grade=7, class_letter="Б")
    other = await mentee(db, school, "Старшова", ("potential",), grade=9, class_letter="А")
    directions = await reference_by_code(db, ReferenceKind.DIRECTION)
    areas = await reference_by_code(db, ReferenceKind.REQUEST_AREA)
    await db.commit()
    browser = await browser_for(curator_a)
    path = f"/s/{school.code}/requests?bank=mentees&grade=7"
    page = await browser.get(path)
    assert page.status_code == 200
    assert "Петрова" in page.text
    assert "Старшова" not in page.text
    token = await csrf_token(browser, path)
    nothing = await browser.post(path, data={"_csrf_token": token, "pick": [str(first.id)], "mode": "add"})
    assert nothing.status_code == 422
    assert "Отметьте направления или сферы запроса." in nothing.text
    reply = await browser.post(
        path,
        data={
            "_csrf_token": token,
            "pick_all": "1",
            "row": [str(first.id), str(second.id)],
            "directions": [str(directions["career"].id)],
            "request_areas": [str(areas["career_guidance"].id)],
            "mode": "add",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await set_school(db, school.id)
    found = {
        p.id: p
        for p in (
            await db.execute(
                select(MenteeProfile)
                .options(selectinload(MenteeProfile.directions), selectinload(MenteeProfile.request_areas))
                .execution_options(populate_existing=True)
            )
        ).scalars()
    }
    assert {d.code for d in found[first.id].directions} == {"motivation", "career"}
    assert {d.code for d in found[second.id].directions} == {"potential", "career"}
    assert [a.code for a in found[second.id].request_areas] == ["career_guidance"]
    assert [d.code for d in found[other.id].directions] == ["potential"]


async def test_mentors_capacity_and_directions_are_replaced_and_a_bad_capacity_refused(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    school = world.school_a
    one = await mentor(db, school, "Смирнова", ("motivation", "career"), capacity=1)
    directions = await reference_by_code(db, ReferenceKind.DIRECTION)
    await db.commit()
    browser = await browser_for(curator_a)
    path = f"/s/{school.code}/requests?bank=mentors"
    token = await csrf_token(browser, path)
    data = {"_csrf_token": token, "pick": [str(one.id)], "mode": "replace"}
    bad = await browser.post(path, data={**data, "capacity": "99"})
    assert bad.status_code == 422
    assert "Число наставляемых — от 1 до 30." in bad.text
    assert 'value="99"' in bad.text
    reply = await browser.post(
        path,
        data={**data, "capacity": "4", "directions": [str(directions["soft_skills"].id)]},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await set_school(db, school.id)
    saved = (
        await db.execute(
            select(MentorProfile)
            .options(selectinload(MentorProfile.directions))
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    assert saved.capacity == 4
    assert [d.code for d in saved.directions] == ["soft_skills"]
