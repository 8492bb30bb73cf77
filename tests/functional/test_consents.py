"""Consents to personal-data processing (152-ФЗ): who may sign, scans, withdrawal that
takes effect at once, the rule other features filter by, and the forms to print."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import httpx
import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.audit import AuditEvent
from nastavnik.platform.db import set_school
from nastavnik.school.participants.consent_rules import consented_ids, has_valid_consent, valid_consent_clause
from nastavnik.school.participants.models import (
    Consent,
    ConsentScope,
    ConsentSigner,
    Participant,
    ParticipantKind,
)
from tests.conftest import Browser, Persona, PersonaBrowser, World, csrf_token
from tests.functional._participants import TODAY, give_consent, make_mentee, make_person, year_title

pytestmark = pytest.mark.anyio

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def post_consent(
    browser: PersonaBrowser,
    world: World,
    person: Participant,
    data: dict[str, Any],
    files: dict[str, Any] | None = None,
) -> httpx.Response:
    card = f"/s/{world.school_a.code}/participants/{person.id}"
    token = await csrf_token(browser, card)
    return await browser.post(
        f"{card}/consents", data={"_csrf_token": token, **data}, files=files or {}, follow_redirects=False
    )


async def test_parent_consent_for_a_minor_is_recorded_with_its_scan(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    person = await make_person(db, world.school_a)
    browser = await browser_for(curator_a)
    reply = await post_consent(
        browser,
        world,
        person,
        {
            "signer": "parent",
            "signer_name": "Иванова Мария Петровна",
            "signed_on": TODAY.isoformat(),
            "scopes": ["programme", "publication"],
        },
        {"scan": ("согласие.pdf", PDF_BYTES, "application/pdf")},
    )
    assert reply.status_code == 303
    assert await has_valid_consent(db, world.school_a.id, person.id)
    await set_school(db, world.school_a.id)
    consent = (await db.execute(select(Consent))).scalar_one()
    assert (consent.signer, consent.scan_size) == (ConsentSigner.PARENT, len(PDF_BYTES))
    card = await browser.get(f"/s/{world.school_a.code}/participants/{person.id}")
    assert "Действует" in card.text
    assert "Нет действующего согласия" not in card.text
    scan = await browser.get(f"/s/{world.school_a.code}/participants/{person.id}/consents/{consent.id}/scan")
    assert scan.status_code == 200
    assert scan.content == PDF_BYTES
    actions = (
        await db.execute(select(AuditEvent.action).where(AuditEvent.object_id == str(person.id)))
    ).scalars()
    assert "participant.consent_scan_viewed" in set(actions)


async def test_a_minor_cannot_consent_for_themself(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    person = await make_person(db, world.school_a, birth_date=dt.date(TODAY.year - 15, 1, 1))
    browser = await browser_for(curator_a)
    reply = await post_consent(
        browser, world, person, {"signer": "self", "signed_on": TODAY.isoformat(), "scopes": ["programme"]}
    )
    assert reply.status_code == 422
    assert "Участнику нет 18 лет: согласие подписывает родитель" in reply.text
    assert not await has_valid_consent(db, world.school_a.id, person.id)


async def test_a_pupil_of_unknown_age_is_treated_as_a_minor(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    person = await make_person(db, world.school_a, birth_date=None)
    browser = await browser_for(curator_a)
    reply = await post_consent(
        browser, world, person, {"signer": "self", "signed_on": TODAY.isoformat(), "scopes": ["programme"]}
    )
    assert reply.status_code == 422
    assert "Дата рождения обучающегося не указана" in reply.text


async def test_an_adult_pupil_and_a_teacher_sign_their_own(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    adult = await make_person(db, world.school_a, grade=11, birth_date=dt.date(TODAY.year - 19, 1, 1))
    teacher = await make_person(db, world.school_a, kind=ParticipantKind.TEACHER, last_name="Учителева")
    browser = await browser_for(curator_a)
    for person in (adult, teacher):
        reply = await post_consent(
            browser,
            world,
            person,
            {"signer": "self", "signed_on": TODAY.isoformat(), "scopes": ["programme"]},
        )
        assert reply.status_code == 303
        assert await has_valid_consent(db, world.school_a.id, person.id)
    await set_school(db, world.school_a.id)
    names = set((await db.execute(select(Consent.signer_name))).scalars())
    assert names == {adult.full_name, teacher.full_name}


async def test_consent_form_errors_are_explained(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    person = await make_person(db, world.school_a)
    browser = await browser_for(curator_a)
    reply = await post_consent(
        browser,
        world,
        person,
        {
            "signer": "parent",
            "signed_on": (TODAY + dt.timedelta(days=3)).isoformat(),
            "scopes": ["publication"],
        },
        {"scan": ("scan.exe", b"MZ\x90\x00 not a scan", "application/octet-stream")},
    )
    text = reply.text
    assert reply.status_code == 422
    assert "Дата подписания не может быть в будущем." in text
    assert "Укажите ФИО родителя или законного представителя" in text
    assert "обработку данных для участия в программе наставничества" in text
    assert "Скан — файл PDF, JPG или PNG." in text


async def test_withdrawal_takes_effect_at_once(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    mentee = await make_mentee(db, world.school_a, last_name="Отзывова")
    person = await db.get(Participant, (world.school_a.id, mentee.participant_id))
    assert person is not None
    consent = await give_consent(db, world.school_a, person)
    browser = await browser_for(curator_a)
    export = await browser.get(f"/s/{world.school_a.code}/mentees/export.xlsx?year={year_title()}")
    assert "Отзывова".encode() in _xlsx_text(export.content)

    card = f"/s/{world.school_a.code}/participants/{person.id}"
    token = await csrf_token(browser, card)
    reply = await browser.post(
        f"{card}/consents/{consent.id}/withdraw",
        data={"_csrf_token": token, "note": "Заявление от родителя"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert not await has_valid_consent(db, world.school_a.id, person.id)
    page = await browser.get(card)
    assert "Отозвано" in page.text
    assert "Нет действующего согласия" in page.text
    export = await browser.get(f"/s/{world.school_a.code}/mentees/export.xlsx?year={year_title()}")
    assert "Отзывова".encode() not in _xlsx_text(export.content)


def _xlsx_text(content: bytes) -> bytes:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row).encode()


async def test_validity_rule_in_sql_matches_the_rule_in_python(db: AsyncSession, world: World) -> None:
    """Matching filters its pool with the SQL clause; the card uses the Python rule."""
    from nastavnik.school.participants.consent_rules import consent_is_valid

    school = world.school_a
    cases = {
        "parent": (await make_person(db, school, last_name="А"), {"signer": ConsentSigner.PARENT}),
        "minor_self": (await make_person(db, school, last_name="Б"), {"signer": ConsentSigner.SELF}),
        "adult_self": (
            await make_person(db, school, last_name="В", birth_date=dt.date(TODAY.year - 18, 1, 1)),
            {"signer": ConsentSigner.SELF, "signed_on": dt.date(TODAY.year, 1, 2)},
        ),
        "expired": (
            await make_person(db, school, last_name="Г"),
            {"valid_until": TODAY - dt.timedelta(days=1)},
        ),
        "future": (
            await make_person(db, school, last_name="Д"),
            {"signed_on": TODAY + dt.timedelta(days=1)},
        ),
        "publication_only": (
            await make_person(db, school, last_name="Е"),
            {"scopes": [ConsentScope.PUBLICATION]},
        ),
        "withdrawn": (
            await make_person(db, school, last_name="Ж"),
            {"withdrawn_at": dt.datetime.now(dt.UTC)},
        ),
        "teacher": (await make_person(db, school, kind=ParticipantKind.TEACHER, last_name="З"), {}),
    }
    consents = {}
    for name, (person, values) in cases.items():
        consents[name] = await give_consent(db, school, person, **values)
    expected = {"parent", "adult_self", "teacher"}
    ids = {person.id: name for name, (person, _) in cases.items()}
    in_sql = {ids[i] for i in await consented_ids(db, school.id, list(ids))}
    assert in_sql == expected
    in_python = {
        name for name, (person, _) in cases.items() if consent_is_valid(consents[name], person, TODAY)
    }
    assert in_python == expected
    rows = await db.execute(
        select(Participant.last_name).where(valid_consent_clause()).order_by(Participant.last_name)
    )
    assert list(rows.scalars()) == ["А", "В", "З"]


async def test_consent_forms_are_generated_for_the_selected_people(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    pupil = await make_person(db, world.school_a, last_name="Бланкова", first_name="Вера")
    teacher = await make_person(db, world.school_a, kind=ParticipantKind.TEACHER, last_name="Педагогова")
    world.school_a.full_name = "Муниципальное бюджетное общеобразовательное учреждение «Школа А»"
    await db.flush()
    browser = await browser_for(curator_a)
    page = await browser.get(f"/s/{world.school_a.code}/consents")
    assert "Бланкова Вера" in page.text
    assert "Родитель или законный представитель" in page.text
    token = await csrf_token(browser, f"/s/{world.school_a.code}/consents")
    reply = await browser.post(
        f"/s/{world.school_a.code}/consents/forms",
        data={"_csrf_token": token, "ids": [str(pupil.id), str(teacher.id)], "format": "pdf"},
    )
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(reply.content)).pages)
    flat = " ".join(text.split())
    assert len(PdfReader(io.BytesIO(reply.content)).pages) == 2
    assert "несовершеннолетнего: Бланкова Вера Сергеевич" in flat
    assert "Я, Педагогова Пётр Сергеевич" in flat
    assert "152-ФЗ" in flat
    # The operator is named in the dative, as «даю согласие кому».
    assert "даю согласие Муниципальному бюджетному общеобразовательному учреждению «Школа А»" in flat

    docx = await browser.post(
        f"/s/{world.school_a.code}/consents/forms",
        data={"_csrf_token": token, "ids": [str(pupil.id)], "format": "docx"},
    )
    document = DocxDocument(io.BytesIO(docx.content))
    assert any("Бланкова Вера" in p.text for p in document.paragraphs)
    event = (
        (
            await db.execute(
                select(AuditEvent).where(AuditEvent.action == "participants.consent_forms_generated")
            )
        )
        .scalars()
        .first()
    )
    assert event is not None
    assert str(pupil.id) in event.details["participants"]


async def test_consent_forms_need_someone_selected(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    token = await csrf_token(browser, f"/s/{world.school_a.code}/consents")
    reply = await browser.post(
        f"/s/{world.school_a.code}/consents/forms",
        data={"_csrf_token": token, "format": "pdf"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    page = await browser.get(f"/s/{world.school_a.code}/consents")
    assert "Отметьте в списке людей" in page.text


async def test_a_minor_without_parent_consent_is_left_out_of_the_pairing_pool(
    db: AsyncSession, world: World
) -> None:
    """The pool of matching is the bank filtered by `valid_consent_clause()`."""
    from nastavnik.school.participants.models import MenteeProfile

    signed_by_self = await make_mentee(db, world.school_a, last_name="Самподписов")
    person = await db.get(Participant, (world.school_a.id, signed_by_self.participant_id))
    assert person is not None
    await give_consent(db, world.school_a, person, signer=ConsentSigner.SELF)
    with_parent = await make_mentee(db, world.school_a, last_name="Родителев")
    other = await db.get(Participant, (world.school_a.id, with_parent.participant_id))
    assert other is not None
    await give_consent(db, world.school_a, other, signer=ConsentSigner.PARENT)
    pool = await db.execute(
        select(Participant.last_name)
        .join(
            MenteeProfile,
            (MenteeProfile.school_id == Participant.school_id)
            & (MenteeProfile.participant_id == Participant.id),
        )
        .where(valid_consent_clause())
    )
    assert list(pool.scalars()) == ["Родителев"]
