"""Consents in bulk: a class's stack of signed forms recorded from one grid, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.school.participants.models import Consent, ConsentSigner, MenteeProfile
from tests.conftest import Browser, Persona, World, csrf_token
from tests.functional._matching import TODAY, mentee

pytestmark = pytest.mark.anyio


async def stack(db: AsyncSession, world: World) -> tuple[MenteeProfile, MenteeProfile, MenteeProfile]:
    school = world.school_a
    minor = await mentee(db, school, "Петрова", consented=False, grade=7, class_letter="Б")
    other = await mentee(db, school, "Сидоров", consented=False, grade=7, class_letter="Б")
    adult = await mentee(
        db, school, "Взрослова", consented=False, grade=11, class_letter="А", birth_date=dt.date(2000, 1, 1)
    )
    await db.commit()
    return minor, other, adult


async def consents_count(db: AsyncSession, world: World) -> int:
    await set_school(db, world.school_a.id)
    return int(await db.scalar(select(func.count()).select_from(Consent)) or 0)


async def test_the_grid_lists_the_class_without_consent_with_the_signer_suggested(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    minor, _, adult = await stack(db, world)
    browser = await browser_for(curator_a)
    page = await browser.get(f"/s/{world.school_a.code}/consents/received")
    assert page.status_code == 200
    assert "Петрова" in page.text
    assert "Взрослова" in page.text
    # A minor's row suggests a parent; an adult's their own signature with the name filled in.
    assert (
        f'<select class="select" id="signer-{minor.participant_id}" name="signer_{minor.participant_id}">'
        in page.text
    )
    assert f'name="signer_name_{adult.participant_id}" value="Взрослова Анна Петровна"' in page.text
    seventh = await browser.get(f"/s/{world.school_a.code}/consents/received?grade=7&class_letter=Б")
    assert "Петрова" in seventh.text
    assert "Взрослова" not in seventh.text


async def test_one_wrong_row_saves_nothing_and_says_what_is_wrong_beside_it(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    minor, other, adult = await stack(db, world)
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/consents/received"
    token = await csrf_token(browser, path)
    m, o, a = (str(p.participant_id) for p in (minor, other, adult))
    data = {
        "_csrf_token": token,
        "signed_on": (TODAY - dt.timedelta(days=2)).isoformat(),
        "scopes": ["programme"],
        "pick": [m, o, a],
        f"signer_{m}": "self",  # a 13-year-old cannot sign for themself
        f"signer_name_{m}": "",
        f"signer_{o}": "parent",
        f"signer_name_{o}": "Сидорова Ольга Ивановна",
        f"signer_{a}": "self",
        f"signer_name_{a}": "Взрослова Анна Петровна",
    }
    refused = await browser.post(path, data=data)
    assert refused.status_code == 422
    assert "Ничего не сохранено: ошибки в строках — 1 из 3." in refused.text
    assert "Участнику нет 18 лет: согласие подписывает родитель или законный представитель." in refused.text
    assert 'value="Сидорова Ольга Ивановна"' in refused.text  # what was typed stays
    assert await consents_count(db, world) == 0
    too_long = await browser.post(path, data={**data, f"signer_{m}": "parent", f"signer_name_{m}": "Я" * 410})
    assert too_long.status_code == 422
    assert "ФИО — не длиннее 300 символов; сейчас 410." in too_long.text
    assert await consents_count(db, world) == 0
    fixed = {**data, f"signer_{m}": "parent", f"signer_name_{m}": "Петров Иван Сергеевич"}
    fixed[f"signed_on_{a}"] = (TODAY - dt.timedelta(days=10)).isoformat()
    saved = await browser.post(path, data=fixed, follow_redirects=False)
    assert saved.status_code == 303
    assert await consents_count(db, world) == 3
    rows = {c.participant_id: c for c in (await db.execute(select(Consent))).scalars()}
    assert rows[minor.participant_id].signer is ConsentSigner.PARENT
    assert rows[minor.participant_id].signer_name == "Петров Иван Сергеевич"
    assert rows[adult.participant_id].signed_on == TODAY - dt.timedelta(days=10)
    assert rows[other.participant_id].signed_on == TODAY - dt.timedelta(days=2)
    page = await browser.get(path)
    assert "Записано согласий: 3" in page.text
    assert "Никого не нашли" in page.text  # all three have consent now


async def test_another_schools_people_cannot_be_given_consents_from_the_grid(
    browser_for: Browser, curator_a: Persona, curator_b: Persona, world: World, db: AsyncSession
) -> None:
    minor, _, _ = await stack(db, world)
    outsider = await browser_for(curator_b)
    assert (await outsider.get(f"/s/{world.school_a.code}/consents/received")).status_code == 404
    # Their own grid ignores school A's ids: nothing recorded anywhere.
    path = f"/s/{world.school_b.code}/consents/received"
    token = await csrf_token(outsider, path)
    key = str(minor.participant_id)
    reply = await outsider.post(
        path,
        data={
            "_csrf_token": token,
            "signed_on": TODAY.isoformat(),
            "scopes": ["programme"],
            "pick": [key],
            f"signer_{key}": "parent",
            f"signer_name_{key}": "Кто-то",
        },
    )
    assert reply.status_code == 422
    assert await consents_count(db, world) == 0


async def test_a_mentor_cannot_open_the_grid(browser_for: Browser, mentor_a: Persona, world: World) -> None:
    reply = await (await browser_for(mentor_a)).get(f"/s/{world.school_a.code}/consents/received")
    assert reply.status_code == 403


PDF_SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_a_scanned_stack_is_kept_once_and_opens_from_every_card(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    minor, other, _ = await stack(db, world)
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/consents/received?grade=7"
    token = await csrf_token(browser, path)
    m, o = (str(p.participant_id) for p in (minor, other))
    data = {
        "_csrf_token": token,
        "signed_on": (TODAY - dt.timedelta(days=1)).isoformat(),
        "scopes": ["programme"],
        "pick": [m, o],
        f"signer_{m}": "parent",
        f"signer_name_{m}": "Петрова Ольга Ивановна",
        f"signer_{o}": "parent",
        f"signer_name_{o}": "Сидорова Ольга Ивановна",
    }
    wrong = await browser.post(path, data=data, files={"scan": ("стопка.txt", b"not a scan", "text/plain")})
    assert wrong.status_code == 422
    assert "Скан — файл PDF, JPG или PNG." in wrong.text
    assert 'value="Сидорова Ольга Ивановна"' in wrong.text
    assert await consents_count(db, world) == 0

    saved = await browser.post(
        path, data=data, files={"scan": ("7Б.pdf", PDF_SCAN, "application/pdf")}, follow_redirects=False
    )
    assert saved.status_code == 303
    await set_school(db, world.school_a.id)
    consents = (await db.execute(select(Consent))).scalars().all()
    assert len(consents) == 2
    assert len({c.batch_scan_id for c in consents}) == 1
    assert consents[0].batch_scan_id is not None
    for consent in consents:
        card = await browser.get(f"/s/{world.school_a.code}/participants/{consent.participant_id}")
        scan_url = f"/participants/{consent.participant_id}/consents/{consent.id}/scan"
        assert scan_url in card.text
        scan = await browser.get(f"/s/{world.school_a.code}{scan_url}")
        assert scan.status_code == 200
        assert scan.content == PDF_SCAN


async def test_all_rows_of_the_page_are_recorded_with_one_button(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    minor, other, adult = await stack(db, world)
    browser = await browser_for(curator_a)
    path = f"/s/{world.school_a.code}/consents/received"
    page = await browser.get(path)
    assert "Записать всех на странице (3)" in page.text
    token = await csrf_token(browser, path)
    m, o, a = (str(p.participant_id) for p in (minor, other, adult))
    reply = await browser.post(
        path,
        data={
            "_csrf_token": token,
            "signed_on": TODAY.isoformat(),
            "scopes": ["programme"],
            "row": [m, o, a],
            "pick_all": "1",
            f"signer_{m}": "parent",
            f"signer_name_{m}": "Петрова Ольга Ивановна",
            f"signer_{o}": "parent",
            f"signer_name_{o}": "Сидорова Ольга Ивановна",
            f"signer_{a}": "self",
            f"signer_name_{a}": "Взрослова Анна Петровна",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert await consents_count(db, world) == 3
