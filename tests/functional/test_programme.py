"""A curator starts the school's programme of a year, keeps its settings and contingent."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_school
from nastavnik.platform.settings import Settings
from nastavnik.school.programme.models import Contingent, Programme, ProgrammeStage, RoadmapTemplate
from nastavnik.school.programme.services import (
    local_today,
    shift_into_rest_of_year,
    shift_text_by_a_year,
    squeeze_day,
)
from nastavnik.school.roadmap.models import ItemStatus, RoadmapItem, RoadmapResponsible
from tests.conftest import Browser, Persona, World, csrf_token, make_persona

pytestmark = pytest.mark.anyio

YEAR = AcademicYear.current(local_today())


async def shipped_template(db: AsyncSession, title_part: str) -> RoadmapTemplate:
    result = await db.execute(
        select(RoadmapTemplate).where(
            RoadmapTemplate.region_id.is_(None), RoadmapTemplate.title.contains(title_part)
        )
    )
    return result.scalar_one()


async def start(
    browser_for: Browser, persona: Persona, world: World, source: str, year: AcademicYear = YEAR
) -> object:
    browser = await browser_for(persona)
    path = f"/s/{world.school_a.code}/programme"
    token = await csrf_token(browser, path)
    return await browser.post(
        path, data={"_csrf_token": token, "year": year.title, "source": source}, follow_redirects=False
    )


async def test_curator_starts_the_pupils_programme_from_the_r145_template(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    template = await shipped_template(db, "Р-145")
    reply = await start(browser_for, curator_a, world, f"template:{template.id}")
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/s/{world.school_a.code}/roadmap/{YEAR.title}"
    await set_school(db, world.school_a.id)
    programme = (
        await db.execute(select(Programme).where(Programme.school_id == world.school_a.id))
    ).scalar_one()
    assert programme.academic_year == YEAR.start
    assert programme.origin == f"Шаблон «{template.title}»"
    stages = (
        (
            await db.execute(
                select(ProgrammeStage.title)
                .where(ProgrammeStage.programme_id == programme.id)
                .order_by(ProgrammeStage.position)
            )
        )
        .scalars()
        .all()
    )
    assert len(stages) == 9
    assert stages[0] == "Подготовка условий для запуска программы наставничества"
    assert stages[-2:] == ["Мотивация и поощрение наставников", "Информационная поддержка"]
    items = (
        (await db.execute(select(RoadmapItem).where(RoadmapItem.programme_id == programme.id)))
        .scalars()
        .all()
    )
    assert len(items) == 47
    assert all(YEAR.starts <= i.due_on <= YEAR.ends for i in items)
    assert all(i.status is ItemStatus.PLANNED for i in items)
    # Rows of the curator's role go to the school's curator.
    assigned = await db.scalar(
        select(func.count())
        .select_from(RoadmapResponsible)
        .where(RoadmapResponsible.school_id == world.school_a.id)
    )
    assert assigned and assigned > 20
    assert programme.curator_id is not None
    page = await (await browser_for(curator_a)).get(reply.headers["location"])
    assert page.status_code == 200
    assert "Формирование базы наставляемых" in page.text
    assert "Издание приказа «Об организации наставничества»" in page.text


async def test_the_teachers_template_gives_the_seven_sections_of_the_teachers_plan(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    template = await shipped_template(db, "педагогических работников")
    assert (await start(browser_for, curator_a, world, f"template:{template.id}")).status_code == 303
    await set_school(db, world.school_a.id)
    programme = (
        await db.execute(select(Programme).where(Programme.school_id == world.school_a.id))
    ).scalar_one()
    assert programme.model.value == "teachers"
    assert (
        await db.scalar(
            select(func.count())
            .select_from(ProgrammeStage)
            .where(ProgrammeStage.programme_id == programme.id)
        )
        == 7
    )
    assert (
        await db.scalar(
            select(func.count()).select_from(RoadmapItem).where(RoadmapItem.programme_id == programme.id)
        )
        == 19
    )


async def test_next_year_starts_from_last_years_programme_with_dates_a_year_later(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    template = await shipped_template(db, "Р-145")
    previous = YEAR.previous()
    assert (
        await start(browser_for, curator_a, world, f"template:{template.id}", previous)
    ).status_code == 303
    await set_school(db, world.school_a.id)
    old = (await db.execute(select(Programme).where(Programme.academic_year == previous.start))).scalar_one()
    first = (
        (
            await db.execute(
                select(RoadmapItem).where(RoadmapItem.programme_id == old.id).order_by(RoadmapItem.due_on)
            )
        )
        .scalars()
        .first()
    )
    assert first is not None
    first.status = ItemStatus.DONE
    first.result_text = "Издан приказ"
    first.deadline_text = f"до 30.09.{previous.start}"
    await db.flush()
    reply = await start(browser_for, curator_a, world, "previous", YEAR)
    assert reply.status_code == 303
    new = (await db.execute(select(Programme).where(Programme.academic_year == YEAR.start))).scalar_one()
    assert new.origin == f"Программа {previous.title}"
    copied = (
        await db.execute(
            select(RoadmapItem).where(RoadmapItem.programme_id == new.id, RoadmapItem.event == first.event)
        )
    ).scalar_one()
    assert copied.status is ItemStatus.PLANNED
    assert copied.result_text == ""
    assert copied.deadline_text == f"до 30.09.{YEAR.start}"
    assert copied.due_on == first.due_on.replace(year=first.due_on.year + 1)


async def test_a_second_programme_for_the_same_year_is_refused_with_a_message(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    template = await shipped_template(db, "Р-145")
    assert (await start(browser_for, curator_a, world, f"template:{template.id}")).status_code == 303
    reply = await start(browser_for, curator_a, world, f"template:{template.id}")
    # The year is no longer offered, so the form says what is wrong with it.
    assert reply.status_code == 422
    assert f"Программа на {YEAR.title} учебный год уже есть" in reply.text


async def test_starting_without_a_source_or_from_a_missing_last_year_is_refused(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    reply = await start(browser_for, curator_a, world, "")
    assert reply.status_code == 422
    assert "Выберите, с чего начать" in reply.text
    reply = await start(browser_for, curator_a, world, "previous")
    assert reply.status_code == 422
    assert f"Программы на {YEAR.previous().title} учебный год нет." in reply.text
    reply = await start(browser_for, curator_a, world, "template:00000000-0000-0000-0000-000000000000")
    assert reply.status_code == 422
    assert "Этот шаблон недоступен" in reply.text
    await set_school(db, world.school_a.id)
    assert await db.scalar(select(func.count()).select_from(Programme)) == 0


async def test_contingent_is_saved_and_bad_numbers_keep_what_was_typed(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    template = await shipped_template(db, "Р-145")
    await start(browser_for, curator_a, world, f"template:{template.id}")
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/programme/{YEAR.title}"
    token = await csrf_token(browser, path)
    bad = await browser.post(
        f"{path}/contingent",
        data={
            "_csrf_token": token,
            "pupils": "500",
            "pupils_10_19": "620",
            "teachers": "сорок",
            "young_teachers": "5",
        },
    )
    assert bad.status_code == 422
    assert "Обучающихся 10-19 лет не может быть больше, чем обучающихся всего." in bad.text
    assert "Нужно целое неотрицательное число" in bad.text
    assert 'value="сорок"' in bad.text
    await set_school(db, world.school_a.id)
    assert await db.scalar(select(func.count()).select_from(Contingent)) == 0
    good = await browser.post(
        f"{path}/contingent",
        data={
            "_csrf_token": token,
            "pupils": "520",
            "pupils_10_19": "410",
            "teachers": "45",
            "young_teachers": "6",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    contingent = (await db.execute(select(Contingent))).scalar_one()
    assert (contingent.pupils, contingent.pupils_10_19, contingent.teachers, contingent.young_teachers) == (
        520,
        410,
        45,
        6,
    )
    page = await browser.get(path)
    assert "Охват обучающихся 10-19 лет" in page.text


async def test_programme_settings_choose_curator_and_forms(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    template = await shipped_template(db, "Р-145")
    await start(browser_for, curator_a, world, f"template:{template.id}")
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/programme/{YEAR.title}"
    token = await csrf_token(browser, path)
    empty = await browser.post(f"{path}/settings", data={"_csrf_token": token, "title": "", "goals": "Цель"})
    assert empty.status_code == 422
    assert "Укажите название программы." in empty.text
    reply = await browser.post(
        f"{path}/settings",
        data={
            "_csrf_token": token,
            "title": "Программа «Вместе»",
            "goals": "Цель",
            "forms": ["teacher_teacher"],
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await set_school(db, world.school_a.id)
    programme = (await db.execute(select(Programme))).scalar_one()
    await db.refresh(programme)
    assert programme.title == "Программа «Вместе»"
    assert programme.forms == ["teacher_teacher"]


async def test_psychologist_sees_the_programme_but_cannot_start_one(
    browser_for: Browser, db: AsyncSession, settings: Settings, world: World
) -> None:
    psychologist = await make_persona(
        db, settings, "psy", [Membership(Scope.SCHOOL, world.school_a.code, Role.PSYCHOLOGIST)]
    )
    browser = await browser_for(psychologist)
    page = await browser.get(f"/s/{world.school_a.code}/programme")
    assert page.status_code == 200
    assert "Начать программу учебного года" not in page.text
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match
    reply = await browser.post(
        f"/s/{world.school_a.code}/programme", data={"_csrf_token": match.group(1), "year": YEAR.title}
    )
    assert reply.status_code == 403


async def test_school_b_gets_404_on_school_a_programme_pages(
    browser_for: Browser, curator_a: Persona, curator_b: Persona, world: World, db: AsyncSession
) -> None:
    template = await shipped_template(db, "Р-145")
    await start(browser_for, curator_a, world, f"template:{template.id}")
    other = await browser_for(curator_b)
    token = await csrf_token(other, f"/s/{world.school_b.code}/programme")
    a = world.school_a.code
    for path in (
        f"/s/{a}/programme",
        f"/s/{a}/programme/{YEAR.title}",
        f"/s/{a}/roadmap",
        f"/s/{a}/documents",
    ):
        assert (await other.get(path, follow_redirects=False)).status_code == 404, path
    for path in (
        f"/s/{a}/programme",
        f"/s/{a}/programme/{YEAR.title}/settings",
        f"/s/{a}/programme/{YEAR.title}/contingent",
    ):
        reply = await other.post(path, data={"_csrf_token": token, "year": YEAR.title, "title": "x"})
        assert reply.status_code == 404, path


def test_explicit_years_in_deadlines_move_on_by_one() -> None:
    assert shift_text_by_a_year("до 30.09.2024") == "до 30.09.2025"
    assert shift_text_by_a_year("декабрь 2024 – май 2025") == "декабрь 2025 – май 2026"
    assert shift_text_by_a_year("01.10.24") == "01.10.25"
    assert dt.date(2024, 2, 29)  # a leap day survives in shift_date_by_a_year (tested in the roadmap)


async def test_a_programme_started_late_squeezes_the_template_deadlines_into_the_rest_of_the_year(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    template = await shipped_template(db, "Р-145")
    reply = await start(browser_for, curator_a, world, f"template:{template.id}")
    assert reply.status_code == 303
    await set_school(db, world.school_a.id)
    programme = (await db.execute(select(Programme))).scalar_one()
    items = list(
        (await db.execute(select(RoadmapItem).order_by(RoadmapItem.due_on, RoadmapItem.id))).scalars()
    )
    order = [i.id for i in items]
    last = max(i.due_on for i in items)
    late_start = YEAR.starts + dt.timedelta(days=91)  # created on 01.12
    assert sum(1 for i in items if i.due_on < late_start) > 10
    moved = await shift_into_rest_of_year(db, world.school_a, programme, late_start)
    assert moved > 10
    items = list((await db.execute(select(RoadmapItem).execution_options(populate_existing=True))).scalars())
    assert all(late_start <= i.due_on <= last for i in items)
    assert [i.id for i in sorted(items, key=lambda i: (i.due_on, order.index(i.id)))] == order
    shifted = next(i for i in items if i.deadline_text.startswith("до "))
    assert shifted.deadline_text == f"до {shifted.due_on:%d.%m.%Y}"
    # A past year's history keeps its dates.
    assert await shift_into_rest_of_year(db, world.school_a, programme, YEAR.ends + dt.timedelta(days=1)) == 0


def test_squeezed_days_keep_the_ends_of_the_remaining_period() -> None:
    year = AcademicYear(2026)
    start, last = dt.date(2026, 12, 1), dt.date(2027, 5, 31)
    assert squeeze_day(year.starts, year, start, last) == start
    assert squeeze_day(last, year, start, last) == last
    assert start < squeeze_day(dt.date(2027, 1, 15), year, start, last) < last
