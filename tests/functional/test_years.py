"""Years that line up: every per-year screen offers the programmes' years and keeps the choice."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.programme.models import Programme, ProgrammeModel
from nastavnik.school.years import YEAR_COOKIE
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, World, csrf_token
from tests.functional._matching import TODAY, SmallPool, small_pool

pytestmark = pytest.mark.anyio

PAST = AcademicYear(2022)
CURRENT = AcademicYear.current(TODAY)


async def add_programme(db: AsyncSession, world: World, year: AcademicYear) -> None:
    await set_school(db, world.school_a.id)
    db.add(
        Programme(
            school_id=world.school_a.id,
            academic_year=year.start,
            model=ProgrammeModel.PUPILS,
            title=f"Программа наставничества на {year.title} учебный год",
        )
    )
    await db.commit()


async def past_pair(db: AsyncSession, world: World, pool: SmallPool) -> None:
    school = world.school_a
    await set_school(db, school.id)
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    for profile in (pool.ivanova, pool.smirnova):
        await db.refresh(profile, ["participant", "directions"])
    await create_mentorship(
        db,
        school,
        year=PAST.start,
        form=form,
        mentors=[pool.smirnova],
        mentees=[pool.ivanova],
        started_on=dt.date(2023, 2, 1),
    )
    await db.commit()


async def test_a_past_programme_opens_on_the_home_page_instead_of_not_started(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    await add_programme(db, world, PAST)
    browser = await browser_for(curator_a)
    home = await browser.get(f"/s/{world.school_a.code}/")
    assert home.status_code == 200
    assert f"Дорожная карта {PAST.title}" in home.text
    assert f'<option value="{PAST.title}" selected>{PAST.title}</option>' in home.text
    assert f"{CURRENT.title} (без программы)" in home.text
    current = await browser.get(f"/s/{world.school_a.code}/?year={CURRENT.title}")
    assert f"Программа на {CURRENT.title} учебный год ещё не начата" in current.text


async def test_the_chosen_year_follows_the_curator_from_pairs_to_meetings_banks_and_matching(
    browser_for: Browser, curator_a: Persona, mentor_a: Persona, world: World, db: AsyncSession
) -> None:
    await add_programme(db, world, PAST)
    await add_programme(db, world, CURRENT)
    pool = await small_pool(db, world.school_a, mentor_a.user.id)
    await past_pair(db, world, pool)
    browser = await browser_for(curator_a)
    code = world.school_a.code
    # The current year is the default and has no pairs.
    assert "Пар пока нет" in (await browser.get(f"/s/{code}/pairs")).text
    pairs = await browser.get(f"/s/{code}/pairs?year={PAST.title}")
    assert "Пар пока нет" not in pairs.text
    assert "Иванова" in pairs.text
    assert browser.jar.get(YEAR_COOKIE) == PAST.title
    # No year in the URL: every per-year screen now opens the past year.
    selected = f'<option value="{PAST.title}" selected>'
    meetings = await browser.get(f"/s/{code}/meetings")
    assert f"{PAST.title} учебный год" in meetings.text
    assert selected in meetings.text
    assert selected in (await browser.get(f"/s/{code}/mentees")).text
    assert selected in (await browser.get(f"/s/{code}/matching")).text
    assert selected in (await browser.get(f"/s/{code}/participants/import")).text
    card = await browser.get(f"/s/{code}/participants/{pool.sidorova.participant_id}")
    assert f"В базу наставляемых {PAST.title}" in card.text


async def test_school_meetings_are_back_dated_inside_the_chosen_year_only(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    await add_programme(db, world, PAST)
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/meetings?year={PAST.title}"
    token = await csrf_token(browser, path)
    data = {"_csrf_token": token, "kind": "group_meeting", "duration_minutes": "60", "format": "in_person"}
    outside = await browser.post(path, data={**data, "held_on": "2024-01-20", "topic": "Знакомство"})
    assert outside.status_code == 422
    assert "Дата — в пределах 2022-2023 учебного года: с 01.09.2022 по 31.08.2023." in outside.text
    assert 'value="Знакомство"' in outside.text
    too_long = await browser.post(path, data={**data, "held_on": "2023-01-20", "notes": "а" * 24_000})
    assert too_long.status_code == 422
    assert "Итоги — не длиннее 4000 символов" in too_long.text
    inside = await browser.post(path, data={**data, "held_on": "2023-01-20"}, follow_redirects=False)
    assert inside.status_code == 303
    assert inside.headers["location"].endswith(f"meetings?year={PAST.title}")
    page = await browser.get(path)
    assert "20.01.2023" in page.text
