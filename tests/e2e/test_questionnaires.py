"""The issue's walk through questionnaires and monitoring, in Chromium against the real app
and Keycloak: the curator sends the mentee intake to a class, three pupils answer through
their personal links (one on a 390 px screen), their requests appear for review, the curator
accepts them and runs matching on them; the pairs answer the monthly feedback; the impact
questionnaire is answered at the start and at the end, and the monitoring report PDF shows
the change (its text read back, its page rendered to PNG for a person to look at)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import make_sessionmaker, new_id, set_school
from nastavnik.school.participants.models import (
    Consent,
    ConsentScope,
    ConsentSigner,
    InterviewResult,
    MentorProfile,
    MentorTraining,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.e2e.conftest import LiveServer, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots"))
# The curator's second school: the matching walk uses the first, so the two never meet.
SCHOOL = "gimn1-zar"
PUPILS = [("Зуева", "Алиса", "Олеговна"), ("Котов", "Максим", "Ильич"), ("Лисина", "Вера", "Павловна")]
MENTORS = [("Громова", "Елена", "Сергеевна", 2), ("Тихонов", "Павел", "Андреевич", 1)]
IMPACT = ("motivation", "competences", "growth", "involvement", "adaptation", "wish_mentor")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"questionnaires-{name}.png"), full_page=True)


async def _seed(live_server: LiveServer) -> None:
    """Three pupils of 7 «Я» (a class no other test fills) with their parents' consent and no
    request yet; two teachers in the mentor bank, interviewed and trained."""
    engine = create_async_engine(live_server.database.app)
    try:
        async with make_sessionmaker(engine)() as db:
            school = (await db.execute(select(School).where(School.code == SCHOOL))).scalar_one()
            await set_school(db, school.id)
            if (await db.execute(select(Participant).where(Participant.import_key == "e2e-q:Зуева"))).first():
                return
            today = local_today()
            year = AcademicYear.current(today).start
            directions = await reference_by_code(db, ReferenceKind.DIRECTION)
            people = [(p, ParticipantKind.PUPIL) for p in PUPILS] + [
                (m[:3], ParticipantKind.TEACHER) for m in MENTORS
            ]
            made: dict[str, Participant] = {}
            for (last, first, middle), kind in people:
                pupil = kind is ParticipantKind.PUPIL
                person = Participant(
                    id=new_id(),
                    school_id=school.id,
                    kind=kind,
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    grade=7 if pupil else None,
                    class_letter="Я" if pupil else "",
                    birth_date=dt.date(today.year - 13, 3, 1) if pupil else dt.date(1979, 9, 14),
                    position="" if pupil else "Учитель",
                    import_key=f"e2e-q:{last}",
                )
                db.add(person)
                await db.flush()
                made[last] = person
                db.add(
                    Consent(
                        school_id=school.id,
                        participant_id=person.id,
                        signer=ConsentSigner.PARENT if pupil else ConsentSigner.SELF,
                        signer_name="Родитель" if pupil else f"{last} {first} {middle}",
                        signed_on=today - dt.timedelta(days=10),
                        scopes=[ConsentScope.PROGRAMME],
                    )
                )
            for last, _, _, capacity in MENTORS:
                profile = MentorProfile(
                    school_id=school.id,
                    participant_id=made[last].id,
                    academic_year=year,
                    capacity=capacity,
                    interview_result=InterviewResult.RECOMMENDED,
                )
                profile.directions = list(directions.values())  # whatever the pupils ask for
                profile.competencies = []
                db.add(profile)
                await db.flush()
                db.add(
                    MentorTraining(
                        school_id=school.id,
                        mentor_profile_id=profile.id,
                        completed_on=today,
                        course="Школа наставника",
                    )
                )
            await db.commit()
    finally:
        await engine.dispose()


def _adopt(page: Page, live_server: LiveServer, title: str) -> None:
    page.goto(f"{live_server.url}/s/{SCHOOL}/questionnaires/")
    row = page.locator("tr", has_text=title)
    take = row.get_by_role("button", name="Взять шаблон")
    if take.count():
        take.click()
        expect(page.get_by_text("Шаблон региона взят в работу")).to_be_visible()
        page.goto(f"{live_server.url}/s/{SCHOOL}/questionnaires/")


def _send(
    page: Page, live_server: LiveServer, title: str, audience: str, stage: str | None = None
) -> list[tuple[str, str]]:
    """Send the questionnaire; (name, personal link) of each invitation from the survey page —
    a mentor of two pairs has one for each pair."""
    _adopt(page, live_server, title)
    chooser = page.locator("#f-questionnaire_id")
    chooser.select_option(chooser.locator("option", has_text=title).first.get_attribute("value") or "")
    offered = page.locator("#f-audience option").all_inner_texts()
    assert audience in offered, offered
    page.locator("#f-audience").select_option(label=audience)
    if stage:
        page.get_by_label("Замер (для анкеты влияния)").select_option(label=stage)
    page.get_by_role("button", name="Отправить", exact=True).click()
    expect(page.get_by_text(f"Анкета «{title}» отправлена")).to_be_visible()
    links: list[tuple[str, str]] = []
    for row in page.locator("tbody tr").all():
        name = row.locator("td").first.inner_text().split("\n")[0].strip()
        href = row.get_by_role("link", name="ссылка").get_attribute("href")
        if href:
            links.append((name, href))
    return links


def _answer(page: Page, url: str, choose: dict[str, str], texts: dict[str, str] | None = None) -> None:
    """Open a personal link without signing in, answer and send."""
    page.goto(url)
    for name, value in choose.items():
        page.locator(f"input[name='{name}'][value='{value}']").check()
    for label, text in (texts or {}).items():
        page.get_by_label(label).fill(text)
    page.get_by_role("button", name="Отправить ответ").click()
    expect(page.get_by_text("Спасибо! Ответ записан.")).to_be_visible()


def test_a_class_answers_the_intake_is_matched_and_the_report_shows_the_change(
    page: Page, chromium: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    with ThreadPoolExecutor(1) as worker:
        worker.submit(lambda: asyncio.run(_seed(live_server))).result()
    login(page, live_server, "curator", f"/s/{SCHOOL}/questionnaires/")
    expect(page.get_by_role("heading", name="Анкеты", exact=True)).to_be_visible()

    # 1. The intake goes to 7 «Я»: a personal link per pupil.
    links = dict(_send(page, live_server, "Анкета наставляемого (обучающийся)", "7 «Я» класс"))
    names = [f"{last} {first} {middle}" for last, first, middle in PUPILS]
    assert sorted(links) == sorted(names)
    shot(page, "01-intake-sent")

    # 2. Three pupils answer without signing in, one of them on a phone.
    pupils = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU", is_mobile=True)
    for context in (pupils, phone):
        context.set_default_timeout(20_000)
    try:
        for index, name in enumerate(names):
            pupil = (phone if index == 0 else pupils).new_page()
            pupil.goto(links[name])
            expect(pupil.get_by_role("heading", name="Анкета наставляемого (обучающийся)")).to_be_visible()
            if index == 0:
                # A required question left out: the message beside it, the typed text kept.
                pupil.get_by_label("Чему вы хотели бы научиться с помощью наставника?").fill(
                    "Выступать перед классом"
                )
                pupil.get_by_role("button", name="Отправить ответ").click()
                expect(pupil.get_by_text("Ответьте на этот вопрос: он обязательный.").first).to_be_visible()
                expect(pupil.get_by_label("Чему вы хотели бы научиться с помощью наставника?")).to_have_value(
                    "Выступать перед классом"
                )
                shot(pupil, "02-pupil-390-message")
            directions = pupil.locator("fieldset", has_text="Какие направления наставничества вам интересны?")
            directions.locator("input[type=checkbox]").nth(index % 2).check()
            pupil.locator("input[name='readiness'][value='4']").check()
            pupil.get_by_label("Чему вы хотели бы научиться с помощью наставника?").fill(
                ["Выступать перед классом", "Подготовиться к олимпиаде", "Выбрать профиль"][index]
            )
            pupil.get_by_role("button", name="Отправить ответ").click()
            expect(pupil.get_by_text("Спасибо! Ответ записан.")).to_be_visible()
            if index == 0:
                shot(pupil, "03-pupil-390-sent")
            pupil.close()
    finally:
        pupils.close()
        phone.close()

    # 3. Their requests wait for review; the curator takes each into the mentee bank.
    page.goto(f"{live_server.url}/s/{SCHOOL}/questionnaires/intake")
    for name in names:
        expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()
    shot(page, "04-intake-review")

    # Other tests' answers may wait in the same school: each of ours is taken by its own card.
    def card(name: str) -> Locator:
        return page.locator("section.card", has=page.get_by_role("heading", name=re.compile(name)))

    for name in names:
        card(name).get_by_role("button", name="Принять в базу").click()
        expect(page.get_by_text("Анкета принята")).to_be_visible()
    for name in names:
        expect(card(name)).to_have_count(0)

    # 4. Matching runs on them.
    page.goto(f"{live_server.url}/s/{SCHOOL}/matching")
    page.get_by_label("Форма наставничества").select_option(label="Учитель – ученик")
    page.get_by_role("button", name="Подобрать пары").click()
    expect(page.get_by_role("heading", name=re.compile("Подбор: «Учитель – ученик»"))).to_be_visible()
    for name in names:
        expect(page.locator("#proposal tbody td", has_text=name).first).to_be_visible()
    page.get_by_label("Номер приказа").fill("7-н")
    page.get_by_role("button", name="Утвердить пары и группы").click()
    expect(page.get_by_text("Подбор утверждён")).to_be_visible()
    shot(page, "05-matched")

    # 5. The pairs answer the monthly feedback: the mentors and the mentees, by their links.
    answerer = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    answerer.set_default_timeout(20_000)
    person = answerer.new_page()
    # Other tests' pairs may live in the same school: only ours answer.
    surnames = tuple(p[0] for p in PUPILS) + tuple(m[0] for m in MENTORS)

    def ours(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name, url) for name, url in links if name.startswith(surnames)]

    try:
        feedback = "Ежемесячная обратная связь наставника"
        mentor_links = ours(_send(page, live_server, feedback, "Наставники пар (о каждой паре)"))
        assert len(mentor_links) == len(PUPILS)  # one invitation per pair: Громова has two
        for _, url in mentor_links:
            _answer(person, url, {"meetings": "2 раза", "progress": "4", "mentee_engagement": "5"})
        feedback = "Ежемесячная обратная связь наставляемого"
        mentee_links = ours(_send(page, live_server, feedback, "Наставляемые пар (о каждой паре)"))
        for _, url in mentee_links:
            _answer(person, url, {"meetings": "2 раза", "useful": "5", "comfort": "4"})
        page.reload()
        expect(page.get_by_text(re.compile(rf"\b{len(mentee_links)} из \d+")).first).to_be_visible()

        # 6. The impact questionnaire at the start (low) and at the end (high).
        start = ours(
            _send(
                page,
                live_server,
                "Мониторинг влияния программы на участников",
                "Наставляемые пар (о каждой паре)",
                "Входной замер (начало года)",
            )
        )
        for _, url in start:
            _answer(person, url, {f"impact_{p}": "3" for p in IMPACT})
        end = ours(
            _send(
                page,
                live_server,
                "Мониторинг влияния программы на участников",
                "Наставляемые пар (о каждой паре)",
                "Итоговый замер (конец года)",
            )
        )
        for _, url in end:
            _answer(person, url, {f"impact_{p}": "8" for p in IMPACT})
    finally:
        answerer.close()

    # 7. The monitoring page and its report show the change.
    page.goto(f"{live_server.url}/s/{SCHOOL}/monitoring/")
    impact = page.locator("#impact")
    expect(impact.locator("svg")).to_be_visible()
    expect(impact.get_by_role("row", name=re.compile("Мотивация и личностный рост"))).to_contain_text("+5,00")
    shot(page, "06-monitoring")
    reply = page.request.get(f"{live_server.url}/s/{SCHOOL}/monitoring/report/pdf")
    assert reply.ok and reply.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "monitoring.pdf"
    pdf.write_bytes(reply.body())
    reader = PdfReader(io.BytesIO(reply.body()))
    text = re.sub(r"\s+", " ", "".join(p.extract_text() for p in reader.pages))
    assert "Отчёт о мониторинге программы наставничества" in text
    assert "Этап 2. Влияние программы на участников" in text
    assert re.search(r"Мотивация и личностный рост 3 3,00 8,00 \+5,00", text), text[:3000]
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, SHOTS / "questionnaires-monitoring.pdf")
    # The page with the before/after chart, rendered for a person to look at.
    chart_page = next(
        i
        for i, p in enumerate(reader.pages, start=1)
        if "Средние баллы по параметрам до и после" in (p.extract_text() or "")
    )
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "poppler-utils' pdftoppm renders the report page"
    subprocess.run(
        [
            pdftoppm,
            "-png",
            "-r",
            "70",
            "-f",
            str(chart_page),
            "-l",
            str(chart_page),
            "-singlefile",
            str(pdf),
            str(SHOTS / "questionnaires-07-report-page"),
        ],
        check=True,
        timeout=60,
    )
    assert (SHOTS / "questionnaires-07-report-page.png").stat().st_size > 10_000
