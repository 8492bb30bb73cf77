"""Pairs and groups: lists, the pair's page and plan edited in place, status, agreement."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.school.matching.models import IncompatibilityMark
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.pairs.services import create_mentorship, get_mentorship
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, World, csrf_token
from tests.functional._matching import YEAR, SmallPool, small_pool

pytestmark = pytest.mark.anyio


@pytest.fixture
async def pool(db: AsyncSession, world: World, mentor_a: Persona) -> SmallPool:
    return await small_pool(db, world.school_a, mentor_a.user.id)


async def pair(db: AsyncSession, world: World, pool: SmallPool, *, with_smirnova: bool = True) -> Mentorship:
    """A pair as approval creates it; Smirnova is mentor_a's own participant record."""
    school = world.school_a
    await set_school(db, school.id)
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    for profile in (pool.ivanova, pool.smirnova, pool.kuznetsov, pool.petrov):
        await db.refresh(profile, ["participant", "directions"])
    mentorship = await create_mentorship(
        db,
        school,
        year=YEAR,
        form=form,
        mentors=[pool.smirnova if with_smirnova else pool.kuznetsov],
        mentees=[pool.ivanova if with_smirnova else pool.petrov],
        started_on=None,
    )
    await db.commit()
    return mentorship


async def test_pair_starts_with_a_plan_from_the_forms_template(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    mentorship = await pair(db, world, pool)
    page = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/pairs/{mentorship.id}")
    assert page.status_code == 200
    assert "План индивидуального развития наставляемого" in page.text
    assert "Знакомство, выявление интересов и трудностей" in page.text
    assert "Формируется" in page.text
    listing = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/pairs")
    assert "Иванова Анна Петровна" in listing.text


async def test_plan_section_is_edited_in_place_with_htmx(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    mentorship = await pair(db, world, pool)
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/pairs/{mentorship.id}"
    editor = await browser.get(url + "?edit=goals", headers={"HX-Request": "true"})
    assert editor.status_code == 200
    assert editor.text.lstrip().startswith('<section class="card" id="plan">')
    assert 'name="goals"' in editor.text
    token = await csrf_token(browser, url)
    saved = await browser.post(
        url + "/plan/goals",
        data={"_csrf_token": token, "goals": "Подготовиться к олимпиаде по математике"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert "Подготовиться к олимпиаде по математике" in saved.text
    assert 'name="goals"' not in saved.text


async def test_plan_items_are_added_changed_and_removed(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    mentorship = await pair(db, world, pool)
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/pairs/{mentorship.id}"
    token = await csrf_token(browser, url)
    empty = await browser.post(url + "/plan-items", data={"_csrf_token": token, "task": "", "activity": "x"})
    assert empty.status_code == 422
    assert "Опишите задачу." in empty.text
    added = await browser.post(
        url + "/plan-items",
        data={
            "_csrf_token": token,
            "task": "Участие в олимпиаде",
            "activity": "Школьный этап",
            "due_on": "2025-10-20",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    await set_school(db, world.school_a.id)
    loaded = await get_mentorship(db, world.school_a, str(mentorship.id))
    assert loaded is not None and loaded.plan is not None
    await db.refresh(loaded.plan, ["items"])
    item = next(i for i in loaded.plan.items if i.task == "Участие в олимпиаде")
    done = await browser.post(
        url + f"/plan-items/{item.id}",
        data={
            "_csrf_token": token,
            "task": "Участие в олимпиаде",
            "activity": "Школьный этап",
            "due_on": "2025-10-20",
            "done": "true",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    await db.refresh(item)
    assert item.done
    removed = await browser.post(
        url + f"/plan-items/{item.id}", data={"_csrf_token": token, "delete": "1"}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert "Участие в олимпиаде" not in (await browser.get(url)).text


async def test_terminating_a_pair_needs_a_reason_and_blocks_pairing_them_again(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    mentorship = await pair(db, world, pool)
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/pairs/{mentorship.id}"
    token = await csrf_token(browser, url)
    no_reason = await browser.post(
        url + "/status", data={"_csrf_token": token, "status": "terminated", "reason": ""}
    )
    assert no_reason.status_code == 422
    assert "Укажите причину прекращения" in no_reason.text
    done = await browser.post(
        url + "/status",
        data={"_csrf_token": token, "status": "terminated", "reason": "Наставляемый перешёл в другую школу"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    await db.refresh(mentorship)
    assert mentorship.status is MentorshipStatus.TERMINATED
    assert mentorship.ended_on is not None
    # A new round never proposes the terminated pair again.
    base = f"/s/{world.school_a.code}/matching"
    token = await csrf_token(browser, base + "/")
    reply = await browser.post(
        base + "/rounds",
        data={
            "_csrf_token": token,
            "academic_year": f"{YEAR}-{YEAR + 1}",
            "form": "teacher_student",
            "mode": "best_fit",
        },
    )
    assert reply.status_code == 200
    assert "Пара этих участников уже была прекращена" not in reply.text  # never proposed, so never explained
    assert re.search(r"Иванова Анна Петровна", reply.text)


async def test_invalid_status_move_is_refused(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    mentorship = await pair(db, world, pool)
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/pairs/{mentorship.id}"
    token = await csrf_token(browser, url)
    reply = await browser.post(url + "/status", data={"_csrf_token": token, "status": "completed"})
    assert reply.status_code == 422
    assert "нельзя перейти" in reply.text


async def test_agreement_of_the_pair_is_a_pdf_and_a_docx(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    mentorship = await pair(db, world, pool)
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/pairs/{mentorship.id}/agreement"
    pdf = await browser.get(url + "/pdf")
    assert pdf.status_code == 200
    text = re.sub(r"\s+", " ", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "СОГЛАШЕНИЕ" in text
    assert "Иванова Анна Петровна" in text
    assert "Родитель (законный представитель)" in text  # the mentee is a minor
    docx = await browser.get(url + "/docx")
    assert docx.status_code == 200
    assert docx.content[:2] == b"PK"


async def test_mentor_sees_own_pairs_and_plans_but_not_others(
    browser_for: Browser, db: AsyncSession, world: World, mentor_a: Persona, pool: SmallPool
) -> None:
    own = await pair(db, world, pool)
    other = await pair(db, world, pool, with_smirnova=False)
    browser = await browser_for(mentor_a)
    listing = await browser.get(f"/s/{world.school_a.code}/pairs")
    assert listing.status_code == 200
    assert "Мои пары" in listing.text
    assert "Иванова Анна Петровна" in listing.text
    assert "Петров Олег Ильич" not in listing.text
    mine = await browser.get(f"/s/{world.school_a.code}/pairs/{own.id}")
    assert mine.status_code == 200
    assert "Изменить" in mine.text  # the mentor keeps the plan with the mentee
    assert (await browser.get(f"/s/{world.school_a.code}/pairs/{other.id}")).status_code == 404
    token = await csrf_token(browser, f"/s/{world.school_a.code}/pairs/{own.id}")
    status = await browser.post(
        f"/s/{world.school_a.code}/pairs/{own.id}/status", data={"_csrf_token": token, "status": "active"}
    )
    assert status.status_code == 403


async def test_incompatibility_mark_model_is_school_owned(db: AsyncSession, world: World) -> None:
    assert IncompatibilityMark.__table__.info["school_owned"]


# --- another school's user gets 404 everywhere ------------------------------------------------

PAIR_GETS = ["", "/{pair}", "/{pair}/agreement/pdf", "/{pair}/agreement/docx"]
PAIR_POSTS = [
    "/{pair}/status",
    "/{pair}/plan/goals",
    "/{pair}/plan-items",
    "/{pair}/plan-items/{pair}",
    "/{pair}/meetings",
]


@pytest.mark.parametrize("route", PAIR_GETS)
async def test_user_of_school_b_gets_404_on_school_a_pairs(
    browser_for: Browser,
    db: AsyncSession,
    world: World,
    curator_a: Persona,
    curator_b: Persona,
    pool: SmallPool,
    route: str,
) -> None:
    mentorship = await pair(db, world, pool)
    url = f"/s/{world.school_a.code}/pairs" + route.format(pair=mentorship.id)
    assert (await (await browser_for(curator_a)).get(url)).status_code == 200
    assert (await (await browser_for(curator_b)).get(url)).status_code == 404


@pytest.mark.parametrize("route", PAIR_POSTS)
async def test_user_of_school_b_gets_404_on_school_a_pair_actions(
    browser_for: Browser, db: AsyncSession, world: World, curator_b: Persona, pool: SmallPool, route: str
) -> None:
    mentorship = await pair(db, world, pool)
    browser = await browser_for(curator_b)
    token = await csrf_token(browser, f"/s/{world.school_b.code}/meetings/")
    url = f"/s/{world.school_a.code}/pairs" + route.format(pair=mentorship.id)
    reply = await browser.post(
        url, data={"_csrf_token": token, "status": "active", "task": "x", "kind": "regular"}
    )
    assert reply.status_code == 404
