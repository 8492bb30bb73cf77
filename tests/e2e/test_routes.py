"""An individual educational route (ИОМ) end to end, through the real Keycloak login: the tutor
finds an empty caseload; the methodist imports the course catalogue and assigns a teacher of
СОШ № 2 to the tutor; the teacher answers the self-diagnosis in the workspace; the tutor
builds the roadmap from the catalogue and proposes a mentor of another school for the
deficit; the teacher attaches a product; the re-diagnosis shows the change; the ИОМ PDF is
read back."""

from __future__ import annotations

import asyncio
import io
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import LiveServer, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots"))
COURSE = "Цифровая образовательная среда: инструменты учителя"
ROUTES = "/r/demo/routes"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"routes-{name}.png"), full_page=True)


async def _seed(live_server: LiveServer) -> None:
    """The demo teacher (login `mentee`) in СОШ № 2's bank with a consent, and a teacher of
    Гимназия № 1 in the region's directory with the ИКТ competency."""
    from sqlalchemy import select

    import nastavnik.models  # noqa: F401 - every mapper known
    from nastavnik.platform.db import make_engine, make_sessionmaker, set_school
    from nastavnik.tenants.models import School, StaffMember
    from tests.functional._directory import directory_mentor
    from tests.functional._participants import give_consent, make_person

    engine = make_engine(live_server.database.app)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            schools = {s.code: s for s in (await db.execute(select(School))).scalars()}
            home = schools["sosh2-zar"]
            await set_school(db, home.id)
            member = await db.scalar(
                select(StaffMember).where(
                    StaffMember.school_id == home.id, StaffMember.email == "mentee@demo.nastavnik.local"
                )
            )
            assert member is not None
            person = await make_person(
                db,
                home,
                kind="teacher",
                last_name="Васильева",
                first_name="Анна",
                middle_name="Сергеевна",
                position="Учитель русского языка",
                subjects=["русский язык"],
                staff_member_id=member.id,
                email=member.email,
            )
            await give_consent(db, home, person)
            await directory_mentor(
                db,
                schools["gimn1-zar"],
                competencies=("ict",),
                last_name="Цифрова",
                first_name="Дарья",
                position="Учитель информатики",
            )
            await set_school(db, None)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def route_data(live_server: LiveServer) -> LiveServer:
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _seed(live_server)).result()
    return live_server


def _catalogue() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["Название программы", "Организация", "Часы", "Формат", "Дата начала", "Дата окончания", "Области"]
    )
    sheet.append([COURSE, "ЦНППМ ПР", 48, "дистанционно", "01.03.2027", "30.03.2027", "ИКТ"])
    sheet.append(["Формирующее оценивание", "ИРО", 24, "очно", "", "", "Методические"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _answer(page: Page, scores: tuple[int, int, int], comment: str = "") -> None:
    for key, value in zip(("s1", "s2", "s3"), scores, strict=True):
        page.locator(f"input[name='{key}'][value='{value}']").check()
    if comment:
        page.locator("textarea[name='difficulties']").fill(comment)
    page.get_by_role("button", name="Отправить ответ").click()
    page.wait_for_load_state("networkidle")


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def test_a_route_end_to_end(page: Page, route_data: LiveServer) -> None:
    server = route_data
    # The tutor signs in and finds nothing yet (and joins the region's list of tutors).
    login(page, server, "tutor", f"{ROUTES}/")
    expect(page.get_by_role("heading", name="Мои педагоги")).to_be_visible()
    expect(page.get_by_text("Маршрутов нет")).to_be_visible()
    sign_out(page)

    # The methodist imports the course catalogue, then assigns the teacher to the tutor.
    login(page, server, "methodist", f"{ROUTES}/courses")
    page.set_input_files(
        "input[name='file']",
        files=[{"name": "дпп.xlsx", "mimeType": "application/octet-stream", "buffer": _catalogue()}],
    )
    page.get_by_role("button", name="Загрузить").click()
    expect(page.get_by_text("Каталог обновлён: добавлено программ — 2")).to_be_visible()
    expect(page.get_by_role("cell", name=COURSE)).to_be_visible()
    page.goto(server.url + f"{ROUTES}/assign")
    page.get_by_label("Организация").select_option(label="МБОУ СОШ № 2")
    page.get_by_role("button", name="Показать педагогов").click()
    page.get_by_label("Педагог (МБОУ СОШ № 2)").select_option(
        label="Васильева Анна Сергеевна — Учитель русского языка"
    )
    page.get_by_label("Тьютор ЦНППМ").select_option(index=1)
    shot(page, "1-assign")
    page.get_by_role("button", name="Назначить").click()
    expect(page.get_by_text("маршрут ведёт тьютор Фёдорова Ирина Владимировна")).to_be_visible()
    sign_out(page)

    # The teacher answers the self-diagnosis in the workspace: ИКТ is hard, methods are fine.
    login(page, server, "mentee", "/s/sosh2-zar/routes")
    expect(page.get_by_role("heading", name="ИОМ: Васильева Анна Сергеевна")).to_be_visible()
    page.get_by_role("link", name="Диагностика дефицитов").click()
    page.get_by_role("button", name="Пройти самодиагностику").click()
    expect(page.get_by_text("Анкеты самодиагностики отправлены (8)")).to_be_visible()
    page.get_by_role("link", name="Ответить: ИКТ-компетенции и цифровизация").click()
    expect(page.get_by_text("Оцените себя")).to_be_visible()
    _answer(page, (1, 2, 1), "Не умею вести урок на цифровой платформе")
    page.goto(server.url + "/s/sosh2-zar/routes")
    page.get_by_role("link", name="Диагностика дефицитов").click()
    page.get_by_role("link", name="Ответить: Методические (содержание, методики, технологии)").click()
    _answer(page, (4, 5, 4))
    page.goto(server.url + "/s/sosh2-zar/routes")
    route_url = page.url.split("?")[0]
    route_id = route_url.rsplit("/", 1)[-1]
    sign_out(page)

    # The tutor assesses, finds a mentor of another school for the deficit, builds the roadmap.
    tutor_route = f"{server.url}{ROUTES}/{route_id}"
    login(page, server, "tutor", f"{ROUTES}/{route_id}?step=3")
    expect(page.get_by_role("cell", name="1,3").first).to_be_visible()
    page.get_by_label("ИКТ", exact=True).select_option("2")
    page.get_by_role("button", name="Сохранить оценку").click()
    expect(page.get_by_text("Оценка тьютора сохранена")).to_be_visible()
    page.get_by_role("link", name="ИКТ-компетенции и цифровизация").click()
    expect(page.get_by_role("cell", name="МАОУ Гимназия № 1")).to_be_visible()
    page.get_by_role("button", name="Предложить наставника Цифрова Дарья").click()
    expect(page.get_by_text("Наставник Цифрова Дарья")).to_be_visible()
    shot(page, "2-mentor")
    page.goto(tutor_route + "?step=4")
    page.get_by_label("Вид").select_option("course")
    page.get_by_label("Программа ДПП из каталога региона").select_option(
        label=f"{COURSE} — ЦНППМ ПР, 48 ч, дистанционно, 01.03.2027–30.03.2027"
    )
    page.get_by_label("ИКТ-компетенции и цифровизация").check()
    page.get_by_role("button", name="Добавить в дорожную карту").click()
    expect(page.get_by_text(f"В дорожную карту добавлено: {COURSE}")).to_be_visible()
    page.get_by_role("button", name="Утвердить дорожную карту").click()
    expect(page.get_by_text("Дорожная карта утверждена (версия 1)")).to_be_visible()
    shot(page, "3-roadmap")
    sign_out(page)

    # The teacher attaches the product of the course and says what came of it.
    login(page, server, "mentee", f"/s/sosh2-zar/routes/{route_id}?step=5")
    page.get_by_label("Педагогический продукт").fill("Сценарий урока на цифровой платформе")
    page.get_by_label("Ссылка").fill("https://example.org/urok-cifra")
    page.get_by_label("Моё отношение к результату").fill("Теперь веду такие уроки раз в неделю")
    page.get_by_role("button", name="Сохранить продукт").click()
    expect(page.get_by_text("Продукт по мероприятию")).to_be_visible()
    sign_out(page)

    # The tutor sets the re-diagnosis; the teacher answers again; the change shows.
    login(page, server, "tutor", f"{ROUTES}/{route_id}?step=7")
    page.get_by_role("button", name="Назначить повторную диагностику").click()
    expect(page.get_by_text("Назначена повторная диагностика")).to_be_visible()
    sign_out(page)
    login(page, server, "mentee", f"/s/sosh2-zar/routes/{route_id}?step=7")
    page.get_by_role("button", name="Пройти повторную самодиагностику").click()
    page.get_by_role("link", name="Ответить: ИКТ-компетенции и цифровизация, повторно").click()
    _answer(page, (4, 5, 5))
    sign_out(page)
    login(page, server, "tutor", f"{ROUTES}/{route_id}?step=7")
    expect(page.get_by_text("дефицит закрыт")).to_be_visible()
    expect(page.get_by_role("cell", name="+3,0")).to_be_visible()
    shot(page, "4-reflection")

    reply = page.context.request.get(f"{tutor_route}/iom/pdf")
    assert reply.status == 200 and reply.headers["content-type"] == "application/pdf"
    text = " ".join(
        " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(reply.body())).pages).split()
    )
    for expected in (
        "ИНДИВИДУАЛЬНЫЙ ОБРАЗОВАТЕЛЬНЫЙ МАРШРУТ",
        "Васильева Анна Сергеевна",
        COURSE,
        "Сценарий урока на цифровой платформе",
        "Теперь веду такие уроки раз в неделю",
        "Рефлексивный анализ",
    ):
        assert expected in text, expected
