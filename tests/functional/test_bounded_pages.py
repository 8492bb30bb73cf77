"""The school's list and dashboard pages stay bounded: the same statements at 1× and 10× data,
and never more rows than a page holds (issue 9, «Bounded pages»)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.db import set_school, utcnow
from nastavnik.platform.ui import pagination
from nastavnik.school.meetings.models import Meeting, MeetingKind
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.programme.models import ProgrammeStage
from nastavnik.school.roadmap.models import ChangeAction, ItemStatus, RoadmapChange, RoadmapItem
from nastavnik.tenants.models import StaffMember
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, PersonaBrowser, World
from tests.functional._matching import TODAY, YEAR, SmallPool, small_pool
from tests.functional.roadmap_support import HTMX, Roadmap, start_roadmap

pytestmark = pytest.mark.anyio

PAGE = 10  # the page size of these tests, so that 10× data spans several pages


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagination, "PAGE_SIZE", PAGE)


@contextmanager
def counting(connection: AsyncConnection) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", record)


async def grow(db: AsyncSession, world: World, pool: SmallPool, roadmap: Roadmap, count: int) -> None:
    """`count` more pairs (each with its plan and two or three meetings), staff members,
    roadmap rows (late ones) and history records."""
    school = world.school_a
    await set_school(db, school.id)
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    for profile in (pool.ivanova, pool.smirnova):
        await db.refresh(profile, ["participant", "directions"])
    stage = (
        await db.execute(
            select(ProgrammeStage).where(
                ProgrammeStage.programme_id == roadmap.programme.id, ProgrammeStage.position == 1
            )
        )
    ).scalar_one()
    for n in range(count):
        pair = await create_mentorship(
            db,
            school,
            year=YEAR,
            form=form,
            mentors=[pool.smirnova],
            mentees=[pool.ivanova],
            started_on=TODAY - dt.timedelta(days=60),
        )
        kinds = [MeetingKind.TRIAL, MeetingKind.REGULAR] + ([MeetingKind.ORGANISATIONAL] if n % 2 else [])
        for days, kind in enumerate(kinds, start=25):
            db.add(
                Meeting(
                    school_id=school.id,
                    mentorship_id=pair.id,
                    academic_year=YEAR,
                    kind=kind,
                    held_on=TODAY - dt.timedelta(days=days + n % 7),
                )
            )
        db.add(
            StaffMember(
                school_id=school.id,
                email=f"t{n}-{uuid.uuid4().hex[:8]}@test.local",
                last_name=f"Учитель{n:03}",
                first_name="Ия",
                roles=[Role.MENTOR],
            )
        )
        db.add(
            RoadmapItem(
                school_id=school.id,
                programme_id=roadmap.programme.id,
                stage_id=stage.id,
                position=100 + n + count * 100,
                event=f"Дополнительное мероприятие {n}",
                deadline_text="сентябрь",
                due_on=TODAY - dt.timedelta(days=3),
                status=ItemStatus.PLANNED,
                result_text="",
            )
        )
        db.add(
            RoadmapChange(
                school_id=school.id,
                programme_id=roadmap.programme.id,
                action=ChangeAction.ITEM_CHANGED,
                item_label=f"1.{n} Мероприятие",
                details=[{"field": "Статус", "before": "Запланировано", "after": "Выполнено"}],
                actor_name="Куратор",
                created_at=utcnow(),
            )
        )
    await db.commit()


def pages(world: World, roadmap: Roadmap) -> dict[str, str]:
    base = f"/s/{world.school_a.code}"
    return {
        "dashboard": f"{base}/",
        "pairs": f"{base}/pairs?year={roadmap.base.rsplit('/', 1)[-1]}",
        "meetings": f"{base}/meetings?year={roadmap.base.rsplit('/', 1)[-1]}",
        "staff": f"{base}/staff",
        "roadmap history": f"{roadmap.base}/history",
        "programme": f"{base}/programme",
        "matching people": f"{base}/matching/people",
        "matching rounds": f"{base}/matching/",
    }


async def statements(browser: PersonaBrowser, connection: AsyncConnection, url: str) -> int:
    await browser.get(url)  # warm: the first request of a persona may refresh its session
    with counting(connection) as seen:
        reply = await browser.get(url)
    assert reply.status_code == 200, url
    return len(seen)


def table_rows(html: str, container: str) -> int:
    start = html.index(f'id="{container}"')
    body = html[start:]
    if "<tbody>" not in body:
        return 0
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return body.count("<tr")


async def test_list_and_dashboard_pages_cost_the_same_statements_at_1x_and_10x(
    browser_for: Browser,
    db: AsyncSession,
    connection: AsyncConnection,
    world: World,
    curator_a: Persona,
    mentor_a: Persona,
) -> None:
    roadmap = await start_roadmap(browser_for, curator_a, world, db)
    pool = await small_pool(db, world.school_a, mentor_a.user.id)
    await grow(db, world, pool, roadmap, 3)
    browser = roadmap.browser
    mentor = await browser_for(mentor_a)
    urls = pages(world, roadmap)
    small = {name: await statements(browser, connection, url) for name, url in urls.items()}
    small["mentor's pairs"] = await statements(mentor, connection, urls["pairs"])
    small["mentor's meetings"] = await statements(mentor, connection, urls["meetings"])

    await grow(db, world, pool, roadmap, 27)
    large = {name: await statements(browser, connection, url) for name, url in urls.items()}
    large["mentor's pairs"] = await statements(mentor, connection, urls["pairs"])
    large["mentor's meetings"] = await statements(mentor, connection, urls["meetings"])
    assert large == small


async def test_lists_show_one_page_with_a_pager_that_keeps_the_filters(
    browser_for: Browser,
    db: AsyncSession,
    world: World,
    curator_a: Persona,
    mentor_a: Persona,
) -> None:
    roadmap = await start_roadmap(browser_for, curator_a, world, db)
    pool = await small_pool(db, world.school_a, mentor_a.user.id)
    await grow(db, world, pool, roadmap, 30)
    browser = roadmap.browser
    urls = pages(world, roadmap)
    year = roadmap.base.rsplit("/", 1)[-1]

    pairs = (await browser.get(urls["pairs"] + "&status=active")).text
    assert table_rows(pairs, "pairs-list") == 0  # no pair is active yet: the filter applies
    pairs = (await browser.get(urls["pairs"])).text
    assert table_rows(pairs, "pairs-list") == PAGE
    assert "Показаны 1–10 из 30" in pairs
    assert "Следующие" in pairs
    # The pager keeps the year in its links and swaps only the list under htmx.
    assert f'href="/s/{world.school_a.code}/pairs?year={year}&amp;page=2"' in pairs
    assert 'hx-target="#pairs-list"' in pairs
    # Plan progress is counted in SQL: none of the template's items is done yet.
    assert re.search(r"0 из \d+</span><div class=\"table__sub\">0 %</div>", pairs)
    last = await browser.get(urls["pairs"] + "&page=3", headers=HTMX)
    assert last.status_code == 200
    assert "<html" not in last.text  # the fragment alone
    assert table_rows(last.text, "pairs-list") == PAGE
    assert "Показаны 21–30 из 30" in last.text
    assert "Следующие" not in last.text
    # A page past the end (the list shrank) shows the last page.
    assert "Показаны 21–30 из 30" in (await browser.get(urls["pairs"] + "&page=99")).text

    meetings = (await browser.get(urls["meetings"])).text
    assert table_rows(meetings, "meetings-list") == PAGE
    assert "из 75" in meetings  # 30 pairs × 2 meetings + 15 organisational
    # The watch names a few pairs and counts the rest.
    assert "и ещё 20 — всего 30" in meetings  # all 30 quiet for three weeks and more
    assert "и ещё 5 — всего 15" in meetings  # 15 never had the organisational meeting

    home = (await browser.get(urls["dashboard"])).text
    assert "Просрочено: " in home
    assert home.count("#item-") <= 2 * 5  # five late rows and five coming at most

    staff = (await browser.get(urls["staff"])).text
    assert "Показаны 1–10 из 32" in staff  # 30 teachers, the curator and the mentor
    history = (await browser.get(urls["roadmap history"])).text
    assert "Показаны 1–10 из 30" in history


async def test_mentor_pages_through_own_pairs_only(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, mentor_a: Persona
) -> None:
    roadmap = await start_roadmap(browser_for, curator_a, world, db)
    pool = await small_pool(db, world.school_a, mentor_a.user.id)
    await grow(db, world, pool, roadmap, 12)
    mentor = await browser_for(mentor_a)
    page = (await mentor.get(pages(world, roadmap)["pairs"])).text
    assert "Мои пары и группы" in page
    assert table_rows(page, "pairs-list") == PAGE
    assert "Показаны 1–10 из 12" in page
