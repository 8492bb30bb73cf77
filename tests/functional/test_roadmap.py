"""The roadmap: editing rows in place, bad input, attachments, progress, approval and history."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform import documents as d
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_school, utcnow
from nastavnik.platform.settings import Settings
from nastavnik.school.programme.services import local_today
from nastavnik.school.roadmap.models import ItemStatus, RoadmapAttachment, RoadmapChange, RoadmapItem
from nastavnik.tenants.models import StaffMember
from tests.conftest import Browser, Persona, World, csrf_token, make_persona
from tests.functional.roadmap_support import (
    HTMX,
    PDF,
    YEAR,
    Roadmap,
    curator_staff,
    first_item,
    row_data,
    start_roadmap,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def roadmap(browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession) -> Roadmap:
    return await start_roadmap(browser_for, curator_a, world, db)


# --- viewing and editing ------------------------------------------------------------------


async def test_the_roadmap_page_shows_stages_rows_and_progress(roadmap: Roadmap) -> None:
    page = await roadmap.browser.get(roadmap.base)
    assert page.status_code == 200
    assert "Дорожная карта на " + YEAR.title in page.text
    assert "1. Подготовка условий для запуска программы наставничества" in page.text
    assert "9. Информационная поддержка" in page.text
    assert "Выполнено 0 из 47 мероприятий" in page.text
    assert "ещё не утверждена руководителем" in page.text


async def test_a_row_is_edited_in_place_and_the_stage_comes_back(
    roadmap: Roadmap, db: AsyncSession, world: World
) -> None:
    item = await first_item(db, roadmap)
    staff = await curator_staff(db, world)
    form = await roadmap.browser.get(f"{roadmap.base}/items/{item.id}/edit", headers=HTMX)
    assert form.status_code == 200
    assert form.text.lstrip().startswith("<tr")
    assert f'hx-target="#stage-{item.stage_id}"' in form.text
    reply = await roadmap.post(
        f"/items/{item.id}",
        row_data(
            staff,
            event="Издан приказ об организации наставничества",
            status="done",
            result_text="Приказ № 45-о",
        ),
        headers=HTMX,
    )
    assert reply.status_code == 200
    assert f'id="stage-{item.stage_id}"' in reply.text
    assert 'id="roadmap-progress" aria-labelledby="progress-title" hx-swap-oob="true"' in reply.text
    assert "Выполнено 1 из 47 мероприятий" in reply.text
    item = await first_item(db, roadmap)
    assert item.event == "Издан приказ об организации наставничества"
    assert item.status is ItemStatus.DONE
    assert item.completed_on == local_today()
    assert item.due_on == dt.date(YEAR.start, 10, 31)


async def test_a_done_row_keeps_the_completion_date_typed_for_it(
    roadmap: Roadmap, db: AsyncSession, world: World
) -> None:
    item = await first_item(db, roadmap)
    staff = await curator_staff(db, world)
    done_on = YEAR.starts + dt.timedelta(days=3)
    reply = await roadmap.post(
        f"/items/{item.id}", row_data(staff, status="done", completed_on=done_on.isoformat()), headers=HTMX
    )
    assert reply.status_code == 200
    item = await first_item(db, roadmap)
    assert item.completed_on == done_on
    # Saved again without a date: the recorded day stays, not the day of the edit.
    await roadmap.post(f"/items/{item.id}", row_data(staff, status="done"), headers=HTMX)
    assert (await first_item(db, roadmap)).completed_on == done_on


async def test_without_javascript_editing_is_a_page_and_a_redirect(
    roadmap: Roadmap, db: AsyncSession, world: World
) -> None:
    item = await first_item(db, roadmap)
    staff = await curator_staff(db, world)
    page = await roadmap.browser.get(f"{roadmap.base}/items/{item.id}/edit")
    assert "<html" in page.text
    assert "Мероприятие 1.1" in page.text
    reply = await roadmap.post(f"/items/{item.id}", row_data(staff, deadline="15.09." + str(YEAR.start)))
    assert reply.status_code == 303
    assert reply.headers["location"] == f"{roadmap.base}#item-{item.id}"


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"event": "   "}, "Опишите мероприятие: без названия строку нельзя сохранить."),
        ({"deadline": f"15.10.{YEAR.start - 1}"}, f"Срок выходит за учебный год {YEAR.title}"),
        ({"deadline": "май–сентябрь"}, "Начало периода позже его окончания"),
        ({"deadline": "когда-нибудь"}, "Срок записан непонятно"),
        ({"responsible": [], "responsible_note": ""}, "Выберите ответственного сотрудника"),
        ({"status": "lost"}, "Выберите статус из списка."),
        (
            {"status": "done", "completed_on": f"{YEAR.start - 1}-10-01"},
            f"Дата выполнения — в пределах {YEAR.title} учебного года",
        ),
        ({"status": "done", "completed_on": "31.02.2026"}, "Дата пишется так: 23.09.2022."),
    ],
)
async def test_bad_rows_are_refused_next_to_the_field_and_nothing_is_saved(
    roadmap: Roadmap, db: AsyncSession, world: World, changes: dict[str, Any], field_message: str
) -> None:
    item = await first_item(db, roadmap)
    before = (item.event, item.deadline_text, item.status)
    staff = await curator_staff(db, world)
    typed = row_data(staff, expected_result="Протокол совещания № 3", **changes)
    reply = await roadmap.post(f"/items/{item.id}", typed, headers=HTMX)
    assert reply.status_code == 422
    assert reply.headers["hx-retarget"] == f"#item-{item.id}"
    assert field_message in reply.text
    assert 'class="field__error"' in reply.text
    assert 'value="Протокол совещания № 3"' in reply.text  # what was typed stays
    item = await first_item(db, roadmap)
    assert (item.event, item.deadline_text, item.status) == before


async def test_a_responsible_person_who_left_the_school_is_refused(
    roadmap: Roadmap, db: AsyncSession, world: World
) -> None:
    item = await first_item(db, roadmap)
    await set_school(db, world.school_a.id)
    gone = StaffMember(
        school_id=world.school_a.id,
        email="gone@school.example",
        last_name="Уволенная",
        first_name="Анна",
        middle_name="Ивановна",
        roles=[Role.MENTOR],
        left_at=utcnow() - dt.timedelta(days=3),
    )
    db.add(gone)
    await db.flush()
    reply = await roadmap.post(f"/items/{item.id}", row_data(gone, event="Новое название"), headers=HTMX)
    assert reply.status_code == 422
    assert "Уволенная А.И. не работает в школе с" in reply.text
    assert "выберите другого ответственного" in reply.text
    item = await first_item(db, roadmap)
    assert item.event != "Новое название"


async def test_rows_are_added_moved_and_removed_within_a_stage(
    roadmap: Roadmap, db: AsyncSession, world: World
) -> None:
    staff = await curator_staff(db, world)
    stage_id = (await first_item(db, roadmap)).stage_id
    empty = await roadmap.post(f"/stages/{stage_id}/items", row_data(staff, event=""), headers=HTMX)
    assert empty.status_code == 422
    assert empty.headers["hx-retarget"] == f"#new-item-{stage_id}"
    created = await roadmap.post(f"/stages/{stage_id}/items", row_data(staff), headers=HTMX)
    assert created.status_code == 200
    assert "Заседание методического совета о наставничестве" in created.text
    await set_school(db, world.school_a.id)
    rows = (
        (
            await db.execute(
                select(RoadmapItem).where(RoadmapItem.stage_id == stage_id).order_by(RoadmapItem.position)
            )
        )
        .scalars()
        .all()
    )
    assert [r.position for r in rows] == list(range(1, 10))
    new = rows[-1]
    assert new.event == "Заседание методического совета о наставничестве"
    assert (await roadmap.post(f"/items/{new.id}/move", {"direction": "up"})).status_code == 303
    await db.refresh(new)
    assert new.position == 8
    second = rows[1]
    assert (await roadmap.post(f"/items/{second.id}/delete", headers=HTMX)).status_code == 200
    remaining = (
        (
            await db.execute(
                select(RoadmapItem.position)
                .where(RoadmapItem.stage_id == stage_id)
                .order_by(RoadmapItem.position)
            )
        )
        .scalars()
        .all()
    )
    assert remaining == list(range(1, 9))


async def test_status_is_changed_from_the_row(roadmap: Roadmap, db: AsyncSession) -> None:
    item = await first_item(db, roadmap, position=2)
    reply = await roadmap.post(f"/items/{item.id}/status", {"status": "in_progress"}, headers=HTMX)
    assert reply.status_code == 200
    item = await first_item(db, roadmap, position=2)
    assert item.status is ItemStatus.IN_PROGRESS
    reply = await roadmap.post(f"/items/{item.id}/status", {"status": "done"})
    assert reply.status_code == 303
    item = await first_item(db, roadmap, position=2)
    assert item.status is ItemStatus.DONE


# --- attachments ----------------------------------------------------------------------


async def test_a_signed_order_scan_is_attached_downloaded_and_removed(
    roadmap: Roadmap, db: AsyncSession, settings: Settings
) -> None:
    item = await first_item(db, roadmap)
    reply = await roadmap.post(
        f"/items/{item.id}/attachments",
        files={"file": ("Приказ 45-о.pdf", PDF, "application/pdf")},
        headers=HTMX,
    )
    assert reply.status_code == 200
    assert "Приказ 45-о.pdf" in reply.text
    attachment = (await db.execute(select(RoadmapAttachment))).scalar_one()
    assert attachment.size == len(PDF)
    assert (settings.storage_dir / attachment.storage_key).read_bytes() == PDF
    download = await roadmap.browser.get(f"{roadmap.base}/items/{item.id}/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert "filename*=UTF-8''" in download.headers["content-disposition"]
    removed = await roadmap.post(f"/items/{item.id}/attachments/{attachment.id}/delete")
    assert removed.status_code == 303
    assert not (settings.storage_dir / attachment.storage_key).exists()
    assert await db.scalar(select(func.count()).select_from(RoadmapAttachment)) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.exe", b"MZ\x90\x00", "Файлы такого типа прикреплять нельзя"),
        ("page.html", b"<html></html>", "Файлы такого типа прикреплять нельзя"),
        ("scan.pdf", b"MZ\x90\x00 not a pdf", "не соответствует его расширению"),
        ("empty.pdf", b"", "пуст"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "а можно не больше 10 МБ"),
    ],
)
async def test_forbidden_or_too_large_files_are_refused_next_to_the_field(
    roadmap: Roadmap, db: AsyncSession, name: str, content: bytes, message: str
) -> None:
    item = await first_item(db, roadmap)
    reply = await roadmap.post(
        f"/items/{item.id}/attachments",
        files={"file": (name, content, "application/octet-stream")},
        headers=HTMX,
    )
    assert reply.status_code == 422
    assert message in reply.text
    assert f'id="attachments-{item.id}"' in reply.text
    await set_school(db, roadmap.world.school_a.id)
    assert await db.scalar(select(func.count()).select_from(RoadmapAttachment)) == 0


# --- progress, dashboard ------------------------------------------------------------------


async def test_overdue_rows_and_rows_due_in_two_weeks_are_shown_on_the_dashboard(
    roadmap: Roadmap, db: AsyncSession, world: World
) -> None:
    today = local_today()
    late = await first_item(db, roadmap, position=1)
    soon = await first_item(db, roadmap, position=2)
    later = await first_item(db, roadmap, position=3)
    late.event, late.due_on = "Просроченное мероприятие", today - dt.timedelta(days=1)
    soon.event, soon.due_on = "Скорое мероприятие", today + dt.timedelta(days=10)
    later.event, later.due_on = "Далёкое мероприятие", today + dt.timedelta(days=40)
    for row in (
        await db.execute(select(RoadmapItem).where(RoadmapItem.id.not_in([late.id, soon.id, later.id])))
    ).scalars():
        row.due_on = today + dt.timedelta(days=60)
    await db.flush()
    home = await roadmap.browser.get(f"/s/{world.school_a.code}/")
    assert home.status_code == 200
    text = home.text
    assert "Исполнение по этапам" in text
    overdue_part = text.split("<strong>Просрочено</strong>")[1].split(
        "<strong>В ближайшие две недели</strong>"
    )
    assert "Просроченное мероприятие" in overdue_part[0]
    assert "Скорое мероприятие" in overdue_part[1]
    assert "Далёкое мероприятие" not in text
    page = await roadmap.browser.get(roadmap.base)
    assert re.search(rf'id="item-{late.id}" class="roadmap-row roadmap-row--overdue"', page.text)
    assert re.search(rf'id="item-{soon.id}" class="roadmap-row roadmap-row--soon"', page.text)


async def test_dashboard_invites_to_start_when_there_is_no_programme(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    home = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/")
    assert f"Программа на {YEAR.title} учебный год ещё не начата" in home.text
    assert f'href="/s/{world.school_a.code}/programme"' in home.text


# --- approval and history -------------------------------------------------------------


@pytest.fixture
async def director_a(db: AsyncSession, settings: Settings, world: World) -> Persona:
    persona = await make_persona(
        db, settings, "director_a", [Membership(Scope.SCHOOL, world.school_a.code, Role.DIRECTOR)]
    )
    await set_school(db, world.school_a.id)
    member = (
        await db.execute(select(StaffMember).where(StaffMember.user_id == persona.user.id))
    ).scalar_one()
    member.last_name, member.first_name, member.middle_name = "Соколова", "Елена", "Викторовна"
    member.position = "Директор"
    await db.flush()
    return persona


async def test_changes_before_approval_are_not_tracked_and_after_it_are(
    roadmap: Roadmap, db: AsyncSession, world: World, browser_for: Browser, director_a: Persona
) -> None:
    staff = await curator_staff(db, world)
    item = await first_item(db, roadmap)
    await roadmap.post(f"/items/{item.id}", row_data(staff, event="Черновая правка"))
    await set_school(db, world.school_a.id)
    assert await db.scalar(select(func.count()).select_from(RoadmapChange)) == 0
    # The curator cannot approve.
    assert (await roadmap.post("/approve")).status_code == 403
    director = await browser_for(director_a)
    token = await csrf_token(director, roadmap.base)
    approved = await director.post(
        f"{roadmap.base}/approve", data={"_csrf_token": token}, follow_redirects=False
    )
    assert approved.status_code == 303
    await db.refresh(roadmap.programme)
    assert roadmap.programme.approved_at is not None
    assert roadmap.programme.approved_by_name == "Соколова Елена Викторовна"
    reply = await roadmap.post(
        f"/items/{item.id}", row_data(staff, event="Правка после утверждения", deadline="ноябрь")
    )
    assert reply.status_code == 303
    await roadmap.post(f"/items/{item.id}/status", {"status": "done"})
    changes = (
        (await db.execute(select(RoadmapChange).order_by(RoadmapChange.created_at, RoadmapChange.id)))
        .scalars()
        .all()
    )
    assert [c.action.value for c in changes] == ["approved", "item_changed", "item_changed"]
    edit = changes[1]
    assert edit.actor_name
    fields = {d["field"]: (d["before"], d["after"]) for d in edit.details}
    assert fields["Мероприятие"] == ("Черновая правка", "Правка после утверждения")
    assert fields["Срок"] == ("октябрь", "ноябрь")
    history = await roadmap.browser.get(f"{roadmap.base}/history")
    assert "Изменено мероприятие" in history.text
    assert "Правка после утверждения" in history.text
    page = await director.get(roadmap.base)
    assert "После утверждения внесено изменений: 2" in page.text
    assert "Утвердить изменения" in page.text
    pdf = await director.get(f"/s/{world.school_a.code}/documents/{YEAR.title}/roadmap.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    approved_on = roadmap.programme.approved_at.astimezone().date()
    assert f"УТВЕРЖДАЮ Директор Школа А ____________ Е. В. Соколова {d.format_date_long(approved_on)}" in text


# --- other schools ----------------------------------------------------------------------


async def test_school_b_gets_404_on_every_roadmap_route_of_school_a(
    roadmap: Roadmap, db: AsyncSession, browser_for: Browser, curator_b: Persona, world: World
) -> None:
    item = await first_item(db, roadmap)
    await roadmap.post(f"/items/{item.id}/attachments", files={"file": ("a.pdf", PDF, "application/pdf")})
    attachment = (await db.execute(select(RoadmapAttachment))).scalar_one()
    other = await browser_for(curator_b)
    token = await csrf_token(other, f"/s/{world.school_b.code}/programme")
    base = roadmap.base
    gets = [
        base,
        f"{base}/history",
        f"{base}/items/{item.id}",
        f"{base}/items/{item.id}/edit",
        f"{base}/stages/{item.stage_id}",
        f"{base}/stages/{item.stage_id}/new",
        f"{base}/items/{item.id}/attachments/{attachment.id}",
    ]
    for path in gets:
        assert (await other.get(path, follow_redirects=False)).status_code == 404, path
    posts = [
        f"{base}/approve",
        f"{base}/items/{item.id}",
        f"{base}/items/{item.id}/status",
        f"{base}/items/{item.id}/move",
        f"{base}/items/{item.id}/delete",
        f"{base}/stages/{item.stage_id}/items",
        f"{base}/items/{item.id}/attachments",
        f"{base}/items/{item.id}/attachments/{attachment.id}/delete",
    ]
    for path in posts:
        reply = await other.post(
            path, data={"_csrf_token": token, "event": "x", "status": "done"}, follow_redirects=False
        )
        assert reply.status_code == 404, path
    await set_school(db, world.school_a.id)
    assert await db.scalar(select(func.count()).select_from(RoadmapAttachment)) == 1
