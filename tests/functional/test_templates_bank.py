"""Roadmap templates: a region's methodist adopts and edits a copy; administrators edit the
shipped ones; schools start from what their region offers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.settings import Settings
from nastavnik.school.programme.models import RoadmapTemplate, RoadmapTemplateItem
from nastavnik.tenants.models import Region
from tests.conftest import Browser, Persona, World, csrf_token, make_persona

pytestmark = pytest.mark.anyio


@pytest.fixture
async def methodist(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db, settings, "methodist", [Membership(Scope.REGION, world.region.code, Role.IRO_METHODIST)]
    )


async def shipped(db: AsyncSession) -> RoadmapTemplate:
    result = await db.execute(
        select(RoadmapTemplate).where(
            RoadmapTemplate.region_id.is_(None), RoadmapTemplate.title.contains("Р-145")
        )
    )
    return result.scalar_one()


async def test_methodist_copies_a_shipped_template_and_schools_see_the_copy(
    browser_for: Browser, methodist: Persona, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(methodist)
    base = f"/r/{world.region.code}/templates"
    page = await browser.get(base)
    assert page.status_code == 200
    assert "Целевая модель наставничества обучающихся (Р-145)" in page.text
    assert "Создать копию для региона" in page.text
    original = await shipped(db)
    token = await csrf_token(browser, base)
    reply = await browser.post(
        f"{base}/{original.id}/copy", data={"_csrf_token": token}, follow_redirects=False
    )
    assert reply.status_code == 303
    copy = (
        await db.execute(select(RoadmapTemplate).where(RoadmapTemplate.region_id == world.region.id))
    ).scalar_one()
    assert copy.based_on_id == original.id
    saved = await browser.post(
        f"{base}/{copy.id}",
        data={
            "_csrf_token": token,
            "title": "Наставничество обучающихся Тестовой области",
            "model": "pupils",
            "description": "Региональная редакция",
            "goals": "Цель региона",
            "active": "true",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    curator = await browser_for(curator_a)
    start = await curator.get(f"/s/{world.school_a.code}/programme")
    assert "Наставничество обучающихся Тестовой области" in start.text
    assert "Шаблон «Целевая модель наставничества обучающихся (Р-145)»" not in start.text


async def test_methodist_edits_stages_and_rows_with_deadlines_without_a_year(
    browser_for: Browser, methodist: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(methodist)
    base = f"/r/{world.region.code}/templates"
    token = await csrf_token(browser, base)
    original = await shipped(db)
    await browser.post(f"{base}/{original.id}/copy", data={"_csrf_token": token})
    copy = (
        await db.execute(select(RoadmapTemplate).where(RoadmapTemplate.region_id == world.region.id))
    ).scalar_one()
    reply = await browser.post(f"{base}/{copy.id}/stages", data={"_csrf_token": token, "title": ""})
    assert reply.status_code == 422
    assert "Укажите название этапа." in reply.text
    reply = await browser.post(
        f"{base}/{copy.id}/stages",
        data={"_csrf_token": token, "title": "Региональный этап"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    stage_id = reply.headers["location"].split("#stage-")[1]
    with_year = await browser.post(
        f"{base}/{copy.id}/stages/{stage_id}/items",
        data={
            "_csrf_token": token,
            "event": "Региональный форум",
            "deadline": "до 30.09.2025",
            "responsible_role": "",
        },
    )
    assert with_year.status_code == 422
    assert "В шаблоне срок пишется без года" in with_year.text
    assert "Региональный форум" in with_year.text
    empty = await browser.post(
        f"{base}/{copy.id}/stages/{stage_id}/items",
        data={"_csrf_token": token, "event": "", "deadline": "март"},
    )
    assert empty.status_code == 422
    assert "Опишите мероприятие" in empty.text
    added = await browser.post(
        f"{base}/{copy.id}/stages/{stage_id}/items",
        data={
            "_csrf_token": token,
            "event": "Региональный форум наставников",
            "deadline": "февраль–март",
            "responsible_role": "curator",
            "expected_result": "Участие",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    item = (
        await db.execute(
            select(RoadmapTemplateItem).where(RoadmapTemplateItem.event == "Региональный форум наставников")
        )
    ).scalar_one()
    assert (item.starts_month, item.starts_day, item.due_month, item.due_day) == (2, 1, 3, 31)
    assert item.responsible_role is Role.CURATOR
    edited = await browser.post(
        f"{base}/{copy.id}/items/{item.id}",
        data={"_csrf_token": token, "event": "Форум", "deadline": "апрель", "responsible_role": "director"},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    await db.refresh(item)
    assert (item.event, item.due_month) == ("Форум", 4)
    renamed = await browser.post(
        f"{base}/{copy.id}/stages/{stage_id}",
        data={"_csrf_token": token, "title": "Этап региона"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    assert (
        await browser.post(f"{base}/{copy.id}/items/{item.id}/delete", data={"_csrf_token": token})
    ).status_code == 200
    assert (
        await browser.post(f"{base}/{copy.id}/stages/{stage_id}/delete", data={"_csrf_token": token})
    ).status_code == 200
    page = await browser.get(f"{base}/{copy.id}")
    assert "Этап региона" not in page.text


async def test_shipped_templates_are_read_only_for_a_region_and_editable_by_admins(
    browser_for: Browser, methodist: Persona, platform_admin: Persona, world: World, db: AsyncSession
) -> None:
    original = await shipped(db)
    item = original.id
    region_browser = await browser_for(methodist)
    assert (await region_browser.get(f"/r/{world.region.code}/templates/{item}")).status_code == 404
    admin = await browser_for(platform_admin)
    page = await admin.get("/admin/templates")
    assert page.status_code == 200
    assert "Шаблоны дорожных карт платформы" in page.text
    token = await csrf_token(admin, "/admin/templates/" + str(original.id))
    first = (
        await db.execute(
            select(RoadmapTemplateItem).where(
                RoadmapTemplateItem.event.startswith("Издание приказа «Об организации")
            )
        )
    ).scalar_one()
    reply = await admin.post(
        f"/admin/templates/{original.id}/items/{first.id}",
        data={
            "_csrf_token": token,
            "event": "Издание приказа",
            "deadline": "до 15 сентября",
            "responsible_role": "director",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await db.refresh(first)
    assert (first.due_month, first.due_day, first.starts_month) == (9, 15, None)


async def test_people_without_the_right_or_of_another_region_get_404(
    browser_for: Browser,
    methodist: Persona,
    ministry_viewer: Persona,
    curator_a: Persona,
    world: World,
    db: AsyncSession,
    settings: Settings,
) -> None:
    base = f"/r/{world.region.code}/templates"
    assert (await (await browser_for(ministry_viewer)).get(base)).status_code == 404
    assert (await (await browser_for(curator_a)).get(base)).status_code == 404
    assert (await (await browser_for(curator_a)).get("/admin/templates")).status_code == 404
    other_region = Region(code=f"rg-{uuid.uuid4().hex[:6]}", name="Другая область")
    db.add(other_region)
    await db.flush()
    stranger = await make_persona(
        db, settings, "stranger", [Membership(Scope.REGION, other_region.code, Role.IRO_METHODIST)]
    )
    browser = await browser_for(methodist)
    token = await csrf_token(browser, base)
    await browser.post(f"{base}/{(await shipped(db)).id}/copy", data={"_csrf_token": token})
    copy = (
        await db.execute(select(RoadmapTemplate).where(RoadmapTemplate.region_id == world.region.id))
    ).scalar_one()
    other = await browser_for(stranger)
    other_token = await csrf_token(other, f"/r/{other_region.code}/templates")
    assert (await other.get(f"/r/{other_region.code}/templates/{copy.id}")).status_code == 404
    reply = await other.post(
        f"/r/{other_region.code}/templates/{copy.id}",
        data={"_csrf_token": other_token, "title": "x", "model": "pupils"},
    )
    assert reply.status_code == 404
    assert (await other.get(f"{base}/{copy.id}")).status_code == 404
