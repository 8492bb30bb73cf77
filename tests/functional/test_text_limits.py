"""Length limits of a person's text fields: a message beside the field, what was typed kept,
nothing saved; the parent's name and phone saved and shown on the card."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.school.participants.models import Participant
from tests.conftest import Browser, Persona, World, csrf_token

pytestmark = pytest.mark.anyio


async def test_a_24000_character_note_and_a_410_character_parent_are_refused_beside_the_fields(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}"
    token = await csrf_token(browser, f"{base}/participants/new?kind=pupil")
    data = {
        "_csrf_token": token,
        "kind": "pupil",
        "last_name": "Петров",
        "first_name": "Илья",
        "birth_date": "01.02.2012",
        "class_name": "7Б",
    }
    reply = await browser.post(
        f"{base}/participants/new", data={**data, "notes": "а" * 24_000, "parent_name": "Б" * 410}
    )
    assert reply.status_code == 422
    assert "Не длиннее 2000 символов; сейчас 24000." in reply.text
    assert "Не длиннее 300 символов; сейчас 410." in reply.text
    assert 'value="Петров"' in reply.text
    await set_school(db, world.school_a.id)
    assert await db.scalar(select(func.count()).select_from(Participant)) == 0

    saved = await browser.post(
        f"{base}/participants/new",
        data={**data, "parent_name": "Петрова Анна Ивановна", "parent_phone": "8 (900) 111-22-33"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    card = await browser.get(saved.headers["location"])
    assert "Петрова Анна Ивановна, +79001112233" in card.text
