"""A curator closes a demo year: final meetings and outcomes, a case, a contest with two
nominations, bulk letters read back from the PDF, the public page opened anonymously and
checked for absent unconsented names; then starts the next year and finds the mentors
carried over. Real Keycloak, real app, Chromium.

The year is the current one of «МАОУ Гимназия № 1» (the demo curator's second school),
filled with the demo school's mid-year data here, so the other browser tests keep their
empty «СОШ № 2».
"""

from __future__ import annotations

import asyncio
import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.db import make_sessionmaker, set_school
from nastavnik.school.demo import seed_school_demo
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.participants.models import MentorProfile, MentorStatus, Participant, local_today
from nastavnik.tenants.models import Municipality, School, StaffMember
from tests.e2e.conftest import LiveServer, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots"))
SCHOOL = "gimn1-zar"
YEAR = AcademicYear.current(local_today())
NEXT = YEAR.next()
EXTRA_STAFF = [
    ("director", "Орлова", "Светлана", "Игоревна", "Директор", Role.DIRECTOR),
    ("psychologist", "Жукова", "Анна", "Павловна", "Педагог-психолог", Role.PSYCHOLOGIST),
    ("mentor", "Зуев", "Олег", "Петрович", "Учитель информатики", Role.MENTOR),
]


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"completion-{name}.png"), full_page=True)


async def _seed(live_server: LiveServer) -> None:
    """The demo school's data in the gimnasium (which has only its curator in the demo)."""
    engine = create_async_engine(live_server.database.app)
    try:
        async with make_sessionmaker(engine)() as db:
            school = (
                await db.execute(
                    select(School)
                    .where(School.code == SCHOOL)
                    .options(selectinload(School.municipality).selectinload(Municipality.region))
                )
            ).scalar_one()
            await set_school(db, school.id)
            known = set((await db.execute(select(StaffMember.email))).scalars())
            for username, last, first, middle, position, role in EXTRA_STAFF:
                email = f"{username}@demo.nastavnik.local"
                if email not in known:
                    db.add(
                        StaffMember(
                            school_id=school.id, email=email, last_name=last, first_name=first,
                            middle_name=middle, position=position, roles=[role],
                        )
                    )  # fmt: skip
            await db.flush()
            await seed_school_demo(db, school)
            await db.commit()
    finally:
        await engine.dispose()


async def _people(live_server: LiveServer) -> tuple[list[str], list[str], list[str]]:
    """(every participant's full name, the year's active pairs' ids, the year's mentors)."""
    engine = create_async_engine(live_server.database.app)
    try:
        async with make_sessionmaker(engine)() as db:
            school = (await db.execute(select(School).where(School.code == SCHOOL))).scalar_one()
            await set_school(db, school.id)
            people = [p.full_name for p in (await db.execute(select(Participant))).scalars()]
            pairs = [
                str(i)
                for i in (
                    await db.execute(
                        select(Mentorship.id)
                        .where(
                            Mentorship.academic_year == YEAR.start,
                            Mentorship.status == MentorshipStatus.ACTIVE,
                        )
                        .order_by(Mentorship.number)
                    )
                ).scalars()
            ]
            mentors = [
                p.full_name
                for p in (
                    await db.execute(
                        select(Participant)
                        .join(
                            MentorProfile,
                            and_(
                                MentorProfile.school_id == Participant.school_id,
                                MentorProfile.participant_id == Participant.id,
                            ),
                        )
                        .where(
                            MentorProfile.academic_year == YEAR.start,
                            MentorProfile.status != MentorStatus.WITHDRAWN,
                        )
                        .order_by(Participant.last_name)
                    )
                ).scalars()
            ]
            return people, pairs, mentors
    finally:
        await engine.dispose()


def _in_thread(work: object) -> object:
    # Playwright's sync API holds an event loop in this thread: the database work runs in another.
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(lambda: asyncio.run(work)).result()  # type: ignore[arg-type]


def _close_pair(page: Page, live_server: LiveServer, pair_id: str, *, terminate: bool = False) -> None:
    page.goto(f"{live_server.url}/s/{SCHOOL}/completion/pairs/{pair_id}")
    if terminate:
        page.get_by_label("Прекратить досрочно").check()
        page.get_by_label("Цели достигнуты частично").check()
        page.get_by_label("Причина прекращения").fill("Наставляемый перешёл в другую школу.")
    else:
        page.get_by_label("Результаты по целям плана").fill(
            "Цели плана достигнуты: проект защищён, оценки выросли."
        )
        page.get_by_label("Наставляемый успешно прошёл программу").check()
    page.get_by_role("button", name="Записать итог").click()
    expect(page.get_by_role("heading", name="Итог", exact=True)).to_be_visible()


def test_curator_closes_the_year_publishes_the_page_and_starts_the_next(
    page: Page, chromium: Browser, live_server: LiveServer
) -> None:
    _in_thread(_seed(live_server))
    people, pairs, mentors = _in_thread(_people(live_server))  # type: ignore[misc]
    assert len(pairs) >= 3 and len(mentors) >= 3
    login(page, live_server, "curator", f"/s/{SCHOOL}/completion?year={YEAR.title}")
    expect(page.get_by_role("heading", name="Итоги года")).to_be_visible()
    shot(page, "01-overview")

    # Final meetings and outcomes: a bad form first (the typed reason is kept), then two
    # completed pairs and one terminated.
    page.goto(f"{live_server.url}/s/{SCHOOL}/completion/pairs/{pairs[0]}")
    page.get_by_label("Прекратить досрочно").check()
    page.get_by_role("button", name="Записать итог").click()
    expect(page.get_by_text("Укажите причину прекращения").first).to_be_visible()
    shot(page, "02-result-error")
    page.get_by_label("Завершить: программа выполнена").check()
    page.get_by_label("Результаты по целям плана").fill(
        "Цели плана достигнуты: проект защищён, оценки выросли."
    )
    page.get_by_label("Наставляемый успешно прошёл программу").check()
    page.get_by_role("button", name="Записать итог").click()
    expect(page.get_by_role("heading", name="Итог", exact=True)).to_be_visible()
    shot(page, "03-result")
    _close_pair(page, live_server, pairs[1])
    _close_pair(page, live_server, pairs[2], terminate=True)

    # A case drafted from the first pair, marked a best practice and published.
    page.goto(f"{live_server.url}/s/{SCHOOL}/completion/pairs/{pairs[0]}")
    page.get_by_role("button", name="Составить кейс по паре").click()
    expect(page.get_by_label("Название")).not_to_have_value("")
    page.get_by_label("Название").fill("Проект как путь к мотивации")
    page.get_by_label("Лучшая практика").check()
    page.get_by_label("Показывать на странице «Наставничество»").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Кейс сохранён.").first).to_be_visible()
    shot(page, "04-case")

    # A contest with two nominations, decided by the curator.
    page.goto(f"{live_server.url}/s/{SCHOOL}/completion/contests?year={YEAR.title}")
    page.get_by_label("Решение куратора").check()
    page.get_by_role("button", name="Создать").click()
    expect(page.get_by_role("heading", name="Номинация «Лучший наставник-педагог»")).to_be_visible()
    expect(page.get_by_role("heading", name="Номинация «Лучший наставник-обучающийся»")).to_be_visible()
    for nomination, mentor in (
        ("Лучший наставник-педагог", mentors[0]),
        ("Лучший наставник-обучающийся", mentors[1]),
    ):
        page.get_by_label("Номинация").select_option(label=nomination)
        page.get_by_label("Номинант").select_option(label=mentor)
        page.get_by_role("button", name="Выдвинуть").click()
        expect(page.get_by_text(f"Выдвинут(а): {mentor}").first).to_be_visible()
    for radio in page.get_by_label("победитель").all():
        radio.check()
    page.get_by_role("button", name="Утвердить победителей").click()
    expect(page.get_by_text("Итоги конкурса подведены").first).to_be_visible()
    shot(page, "05-contest")

    # A letter of thanks to a mentor, then every letter in one PDF, read back.
    page.goto(f"{live_server.url}/s/{SCHOOL}/completion/incentives?year={YEAR.title}")
    page.get_by_label("Участник (для письма родителям — наставник-обучающийся)").select_option(
        label=mentors[2]
    )
    page.get_by_role("button", name="Внести").click()
    expect(page.get_by_text("В реестр внесено").first).to_be_visible()
    shot(page, "06-incentives")
    letters = page.context.request.get(
        f"{live_server.url}/s/{SCHOOL}/completion/incentives/letters/pdf?year={YEAR.title}"
    )
    assert letters.status == 200
    reader = PdfReader(io.BytesIO(letters.body()))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))
    assert len(reader.pages) == 3, "two certificates and one letter, a page each"
    assert text.count("ГРАМОТА") == 2 and "БЛАГОДАРСТВЕННОЕ ПИСЬМО" in text
    assert mentors[0] in text and mentors[1] in text, "certificates name the winners"
    assert "Лучший наставник-педагог" in text
    assert "выражает благодарность" in text

    # «Наши наставники»: the first mentor agrees; then the page is published.
    page.goto(f"{live_server.url}/s/{SCHOOL}/completion/public-page?year={YEAR.title}")
    page.get_by_role("row", name=re.compile(mentors[0])).get_by_role("link", name="Выбор").click()
    page.get_by_label("Наставник согласен появиться на странице «Наставничество»").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("сохранён").first).to_be_visible()
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_text("опубликована").first).to_be_visible()
    shot(page, "07-public-settings")

    # Opened anonymously: the consented mentor and the case, nobody else named.
    anonymous = chromium.new_context(viewport={"width": 390, "height": 900}, locale="ru-RU")
    try:
        visitor = anonymous.new_page()
        visitor.goto(f"{live_server.url}/public/{SCHOOL}/nastavnichestvo")
        expect(visitor.get_by_role("heading", name="Наставничество", exact=True)).to_be_visible()
        expect(visitor.get_by_text(mentors[0]).first).to_be_visible()
        expect(visitor.get_by_text("Проект как путь к мотивации")).to_be_visible()
        html = visitor.content()
        absent = [name for name in people if name != mentors[0]]
        assert not [name for name in absent if name in html], "only the consented mentor is named"
        visitor.screenshot(path=str(SHOTS / "completion-08-public-390.png"), full_page=True)
        visitor.goto(f"{live_server.url}/s/{SCHOOL}/completion")
        assert "/realms/" in visitor.url or "/auth/login" in visitor.url, "no other page opens anonymously"
    finally:
        anonymous.close()

    # Close the year, then start the next one and find the mentors carried over.
    page.goto(f"{live_server.url}/s/{SCHOOL}/completion?year={YEAR.title}")
    page.get_by_role("button", name="Закрыть год").click()
    expect(page.get_by_text("итоги и документы зафиксированы").first).to_be_visible()
    expect(page.get_by_role("link", name="Отчёт об исполнении дорожной карты (PDF)")).to_be_visible()
    page.get_by_role("button", name=f"Начать {NEXT.title}").click()
    expect(page.get_by_text(f"Программа на {NEXT.title} учебный год начата").first).to_be_visible()
    expect(page.get_by_role("heading", name="Кандидаты в наставники на проверку")).to_be_visible()
    for mentor in mentors:
        expect(page.get_by_role("cell", name=re.compile(mentor)).first).to_be_visible()
    shot(page, "09-next-year")
