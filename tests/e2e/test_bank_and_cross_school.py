"""The issue's whole loop in the browser, through the real Keycloak login.

The bank: school A (sosh2-zar, `curator`) publishes a practice, the ИРО methodist returns
it with a comment and then approves it, school B (cdt-ozr, `curator2`) finds it with a typo
and adopts it into its «методическая копилка»; A sees the adoption counted.

Mentors across schools: cdt-ozr's curator finds sosh2-zar's mentor (`mentor`, who agreed to
mentor in other schools) and asks for one of cdt-ozr's young teachers; sosh2-zar's curator
and then the mentor in their own workspace accept; both schools see the pair with only the
agreed fields, and a third school (gimn1-zar, where `curator` also works) gets 404.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots"))
TITLE = "Педагогическая мастерская для молодых учителей"
MENTEE_EMAIL = "molodaya.e2e@cdt.example"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"bank-{name}.png"), full_page=True)


async def _seed(live_server: LiveServer) -> None:
    """sosh2-zar's demo mentor agrees to mentor in other schools; cdt-ozr has a young teacher."""
    import nastavnik.models  # noqa: F401 - every mapper known
    from nastavnik.platform.db import make_engine, make_sessionmaker, set_school
    from nastavnik.school.directory import services as directory
    from nastavnik.school.participants.models import ConsentScope, ParticipantKind
    from nastavnik.tenants.models import School, StaffMember
    from tests.functional._participants import give_consent, make_mentee, make_mentor, make_person

    engine = make_engine(live_server.database.app)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            schools = {s.code: s for s in (await db.execute(select(School))).scalars()}
            home, cdt = schools["sosh2-zar"], schools["cdt-ozr"]
            await set_school(db, home.id)
            staff = (
                await db.execute(
                    select(StaffMember).where(
                        StaffMember.school_id == home.id, StaffMember.email.startswith("mentor@")
                    )
                )
            ).scalar_one()
            person = await make_person(
                db,
                home,
                kind=ParticipantKind.TEACHER,
                last_name=staff.last_name,
                first_name=staff.first_name,
                middle_name=staff.middle_name,
                email="smirnov.e2e@school.example",
                staff_member_id=staff.id,
            )
            await give_consent(db, home, person, scopes=[ConsentScope.PROGRAMME, ConsentScope.REGIONAL_BANK])
            profile = await make_mentor(db, home, person, capacity=2)
            profile.cross_school_search = True
            await db.flush()
            await directory.sync_mentors(db, home.id, [person.id])
            await set_school(db, cdt.id)
            mentee = await make_person(
                db,
                cdt,
                kind=ParticipantKind.TEACHER,
                last_name="Молодая",
                first_name="Елена",
                middle_name="Викторовна",
                email=MENTEE_EMAIL,
            )
            await give_consent(db, cdt, mentee)
            await make_mentee(db, cdt, mentee)
            await set_school(db, None)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def loop_data(live_server: LiveServer) -> LiveServer:
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _seed(live_server)).result()
    return live_server


def _page_of(chromium: Browser) -> Page:
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    context.set_default_timeout(20_000)
    return context.new_page()


def _moderate(page: Page, live_server: LiveServer, action: str, comment: str = "") -> None:
    page.goto(f"{live_server.url}/r/demo/moderation")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label(action).check()
    if comment:
        page.get_by_label("Комментарий для школы").fill(comment)
    page.get_by_role("button", name="Применить").click()
    page.wait_for_load_state("networkidle")


def test_a_practice_goes_through_moderation_and_another_school_adopts_it(
    page: Page, chromium: Browser, loop_data: LiveServer
) -> None:
    live_server = loop_data
    login(page, live_server, "curator", "/s/sosh2-zar/publications/new")
    page.get_by_label("Практика", exact=True).check()
    page.get_by_label("Название").fill(TITLE)
    page.get_by_label("Кратко: о чём материал").fill("Еженедельные встречи молодых учителей с наставниками.")
    page.get_by_label("Что сделано: этапы, формы работы, участники").fill(
        "Наставник Петров И. И. и молодые учителя разбирали уроки."
    )
    page.get_by_label("Результаты").fill("Все молодые учителя остались в школе.")
    page.get_by_label("Учитель – учитель").check()
    page.get_by_role("button", name="Отправить на модерацию").click()
    expect(page.get_by_text("отправлен методистам ИРО")).to_be_visible()

    methodist = _page_of(chromium)
    login(methodist, live_server, "methodist", "/r/demo/moderation")
    _moderate(methodist, live_server, "Вернуть на доработку", "Уберите фамилию наставника из описания.")
    expect(methodist.get_by_text("Возвращено на доработку").first).to_be_visible()

    page.goto(f"{live_server.url}/s/sosh2-zar/publications")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("Уберите фамилию наставника из описания.")).to_be_visible()
    page.get_by_label("Что сделано: этапы, формы работы, участники").fill(
        "Наставники и молодые учителя разбирали уроки."
    )
    page.get_by_role("button", name="Отправить на модерацию").click()
    expect(page.get_by_text("отправлен методистам ИРО")).to_be_visible()

    _moderate(methodist, live_server, "Одобрить и опубликовать")
    expect(methodist.get_by_text("Одобрено и опубликовано").first).to_be_visible()
    shot(methodist, "approved")

    other = _page_of(chromium)
    login(other, live_server, "curator2", "/s/cdt-ozr/bank?q=мастерскя")  # sic: a typo
    other.get_by_role("link", name=TITLE).click()
    other.get_by_role("button", name="Сохранить в методическую копилку").click()
    expect(other.get_by_text("сохранён в методической копилке")).to_be_visible()
    other.goto(f"{live_server.url}/s/cdt-ozr/collection")
    expect(other.get_by_role("link", name=TITLE)).to_be_visible()
    shot(other, "collection")

    page.goto(f"{live_server.url}/s/sosh2-zar/publications")
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row.get_by_text("Опубликовано")).to_be_visible()
    expect(row.locator("td.num")).to_have_text("1")


def test_an_inter_school_pair_is_agreed_by_both_of_school_b(
    page: Page, chromium: Browser, loop_data: LiveServer
) -> None:
    live_server = loop_data
    login(page, live_server, "curator2", "/s/cdt-ozr/region/mentors?q=Смирнов")
    page.get_by_role("link", name="Смирнов Дмитрий").first.click()
    expect(page.get_by_text("smirnov.e2e@school.example")).to_have_count(0)  # no contact before
    page.get_by_label("Наставляемый").select_option(label="Молодая Елена Викторовна (педагог)")
    page.get_by_label("Сообщение куратору школы наставника").fill("Нужна помощь с подготовкой к ОГЭ.")
    page.get_by_role("button", name="Отправить запрос").click()
    expect(page.get_by_text("Запрос отправлен").first).to_be_visible()
    pair_path = page.url.removeprefix(live_server.url)
    pair_id = pair_path.rsplit("/", 1)[1]

    school_b = _page_of(chromium)
    login(school_b, live_server, "curator", "/s/sosh2-zar/region/pairs")
    school_b.goto(f"{live_server.url}/s/sosh2-zar/region/pairs/{pair_id}")
    school_b.get_by_label("Принять: наставник будет работать с наставляемым").check()
    school_b.get_by_role("button", name="Отправить ответ").click()
    expect(school_b.get_by_text("когда наставник подтвердит запрос")).to_be_visible()

    mentor = _page_of(chromium)
    login(mentor, live_server, "mentor", "/s/sosh2-zar/my-cross-pairs")
    mentor.get_by_role("link", name="Открыть").first.click()
    mentor.get_by_label("Принять: наставник будет работать с наставляемым").check()
    mentor.get_by_role("button", name="Отправить ответ").click()
    expect(mentor.get_by_text("Пара согласована").first).to_be_visible()
    shot(mentor, "mentor-pair")

    # School A sees the mentor's shared fields and, now, the contact.
    page.goto(f"{live_server.url}{pair_path}")
    expect(page.get_by_text("Пара согласована").first).to_be_visible()
    expect(page.get_by_text("smirnov.e2e@school.example")).to_be_visible()
    # School B sees the mentee's name, form and directions — not the mentee's contact.
    school_b.goto(f"{live_server.url}/s/sosh2-zar/region/pairs/{pair_id}")
    expect(school_b.get_by_text("Молодая Елена").first).to_be_visible()
    assert MENTEE_EMAIL not in school_b.content()
    shot(school_b, "pair-b")

    # A third school knows nothing of it.
    school_b.goto(f"{live_server.url}/s/gimn1-zar/region/pairs/{pair_id}")
    expect(school_b.get_by_text("Страница не найдена")).to_be_visible()
