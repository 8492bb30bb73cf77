"""A curator invites a colleague: the Keycloak account is created or found and joins the
school's group, the staff list shows them, and an invitation letter goes out."""

from __future__ import annotations

import mailbox
import uuid
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.tenants.models import StaffMember
from tests.conftest import Browser, Persona, World, csrf_token

pytestmark = pytest.mark.anyio


def letters(folder: Path) -> list[Any]:
    return list(mailbox.Maildir(str(folder), create=False))


async def test_curator_invites_a_new_teacher_as_mentor(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession, kc_admin: Any, smtp_sink: Path
) -> None:
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/staff"
    token = await csrf_token(browser, path)
    email = f"teacher-{uuid.uuid4().hex[:8]}@school.example"
    reply = await browser.post(
        f"{path}/invite",
        data={
            "_csrf_token": token,
            "email": email,
            "last_name": "Орлова",
            "first_name": "Нина",
            "middle_name": "Павловна",
            "position": "Учитель физики",
            "role": "mentor",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await set_school(db, world.school_a.id)
    member = (await db.execute(select(StaffMember).where(StaffMember.email == email))).scalar_one()
    assert member.roles == ["mentor"]
    assert member.invited_by_id == curator_a.user.id
    users = await kc_admin.a_get_users({"email": email, "exact": True})
    assert len(users) == 1
    groups = await kc_admin.a_get_user_groups(users[0]["id"])
    assert f"/schools/{world.school_a.code}/mentor" in {g["path"] for g in groups}
    page = await browser.get(path)
    assert "Орлова Нина Павловна" in page.text
    assert f"Приглашение отправлено: Орлова Нина Павловна, {email}." in page.text
    # Keycloak may send its own set-password letter too; ours is exactly one.
    subjects = [str(make_header(decode_header(m["Subject"]))) for m in letters(smtp_sink) if m["To"] == email]
    assert subjects.count("Приглашение в «Наставник»: Школа А") == 1


async def test_inviting_an_existing_account_adds_the_role_without_a_second_account(
    browser_for: Browser, curator_a: Persona, world: World, kc_admin: Any, smtp_sink: Path
) -> None:
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/staff"
    token = await csrf_token(browser, path)
    email = f"twice-{uuid.uuid4().hex[:8]}@school.example"
    base = {"_csrf_token": token, "email": email, "last_name": "Лисин", "first_name": "Олег"}
    first = await browser.post(f"{path}/invite", data={**base, "role": "mentor"}, follow_redirects=False)
    second = await browser.post(
        f"{path}/invite", data={**base, "role": "psychologist"}, follow_redirects=False
    )
    assert (first.status_code, second.status_code) == (303, 303)
    users = await kc_admin.a_get_users({"email": email, "exact": True})
    assert len(users) == 1
    paths = {g["path"] for g in await kc_admin.a_get_user_groups(users[0]["id"])}
    assert {f"/schools/{world.school_a.code}/mentor", f"/schools/{world.school_a.code}/psychologist"} <= paths


async def test_bad_invitation_is_explained_and_keeps_what_was_typed(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/staff"
    token = await csrf_token(browser, path)
    reply = await browser.post(
        f"{path}/invite",
        data={
            "_csrf_token": token,
            "email": "не-почта",
            "last_name": "Сидоров",
            "first_name": "",
            "role": "director",
        },
    )
    assert reply.status_code == 422
    assert "Адрес почты выглядит неверно" in reply.text
    assert "Укажите имя." in reply.text
    assert "Эту роль нельзя выдать приглашением." in reply.text
    assert 'value="Сидоров"' in reply.text


async def test_htmx_invitation_with_errors_returns_only_the_form(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/staff"
    token = await csrf_token(browser, path)
    reply = await browser.post(
        f"{path}/invite", data={"_csrf_token": token, "email": ""}, headers={"HX-Request": "true"}
    )
    assert reply.status_code == 422
    assert reply.text.lstrip().startswith("<form")
    assert "Укажите адрес электронной почты." in reply.text


async def test_a_mentor_cannot_see_or_invite_staff(
    browser_for: Browser, mentor_a: Persona, world: World
) -> None:
    browser = await browser_for(mentor_a)
    assert (await browser.get(f"/s/{world.school_a.code}/staff")).status_code == 403
    home = await browser.get(f"/s/{world.school_a.code}/")
    assert home.status_code == 200
    assert "/staff" not in home.text
