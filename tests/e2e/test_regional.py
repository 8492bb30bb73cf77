"""The regional layer in the browser, through the real Keycloak login: the ministry viewer
drills region → municipality → school and downloads the PDF report (read back); the
municipal officer sees only their schools; a tutor of another region gets 404."""

from __future__ import annotations

import asyncio
import io
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.school.participants.models import local_today
from tests.e2e.conftest import LiveServer, login
from tests.keycloak_helpers import master_admin

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots"))
YEAR = AcademicYear.current(local_today())


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"regional-{name}.png"), full_page=True)


async def _seed(live_server: LiveServer) -> None:
    import nastavnik.models  # noqa: F401 - every mapper known
    from nastavnik.platform.db import make_engine, make_sessionmaker
    from nastavnik.regional.indicators.demo import seed_demo_region_schools

    engine = make_engine(live_server.database.app)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            await seed_demo_region_schools(db)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def region_data(live_server: LiveServer) -> LiveServer:
    """The demo region's other schools with their figures (the live server starts with empty schools)."""
    # Playwright's sync API keeps an event loop in this thread; the seeding gets its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _seed(live_server)).result()
    return live_server


def test_ministry_viewer_drills_down_and_downloads_the_report(page: Page, region_data: LiveServer) -> None:
    live_server = region_data
    login(page, live_server, "ministry", "/r/demo/")
    expect(page.get_by_role("heading", name="Демонстрационная область")).to_be_visible()
    expect(page.get_by_text("данные на ")).to_be_visible()
    shot(page, "1-region")
    page.get_by_role("link", name="Лесногорский городской округ").click()
    expect(page.get_by_role("heading", name="Лесногорский городской округ")).to_be_visible()
    expect(page.get_by_role("link", name="МАОУ Гимназия № 2")).to_be_visible()
    expect(page.get_by_role("link", name="МБОУ СОШ № 5")).to_have_count(0)  # Заречный's school
    shot(page, "2-municipality")
    page.get_by_role("link", name="МАОУ Гимназия № 2").click()
    expect(page.get_by_role("heading", name="МАОУ Гимназия № 2")).to_be_visible()
    expect(page.get_by_text("Открыть страницы организации")).to_have_count(0)
    shot(page, "3-school")

    page.get_by_role("link", name="Отчёты для министерства").first.click()
    page.get_by_label("Учебный год").select_option(YEAR.title)
    page.get_by_role("button", name="Сформировать").click()
    expect(page.get_by_role("link", name="Скачать PDF")).to_be_visible(timeout=60_000)
    shot(page, "4-report")
    # The PDF opens inline; fetched with the browser's own session, as its viewer would.
    href = page.get_by_role("link", name="Скачать PDF").get_attribute("href")
    reply = page.context.request.get(live_server.url + str(href))
    assert reply.status == 200 and reply.headers["content-type"] == "application/pdf"
    content = reply.body()
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(content)).pages)
    assert "Отчёт о реализации целевой модели наставничества" in text
    assert "Лесногорский городской округ" in text and "Озёрский муниципальный район" in text


def test_municipal_officer_sees_only_their_schools(page: Page, region_data: LiveServer) -> None:
    live_server = region_data
    login(page, live_server, "municipal", "/m/zarechny/")
    expect(page.get_by_role("heading", name="Заречный муниципальный округ")).to_be_visible()
    expect(page.get_by_role("link", name="МБОУ СОШ № 5")).to_be_visible()
    expect(page.get_by_text("МАОУ Гимназия № 2")).to_have_count(0)
    for path in ("/m/ozyorsk/", "/r/demo/", "/m/zarechny/schools/gimn2-les"):
        assert page.goto(live_server.url + path).status == 404, path  # type: ignore[union-attr]


def test_tutor_of_another_region_gets_404(page: Page, region_data: LiveServer) -> None:
    live_server = region_data
    admin = master_admin(live_server.settings)
    username = f"tutor-{uuid.uuid4().hex[:6]}"
    group_path = "/regions/far-away/cnppm_tutor"
    # /regions/far-away/cnppm_tutor: a region this database does not hold (kept between runs).
    regions = admin.get_group_by_path("/regions")
    admin.create_group({"name": "far-away"}, parent=regions["id"], skip_exists=True)
    far_away = admin.get_group_by_path("/regions/far-away")
    admin.create_group({"name": "cnppm_tutor"}, parent=far_away["id"], skip_exists=True)
    user_id = admin.create_user(
        {
            "username": username,
            "email": f"{username}@test.local",
            "firstName": "Тьютор",
            "lastName": "Другой",
            "enabled": True,
            "emailVerified": True,
            "credentials": [{"type": "password", "value": "demo", "temporary": False}],
        }
    )
    admin.group_user_add(user_id, admin.get_group_by_path(group_path)["id"])
    try:
        login(page, live_server, username, "/")
        for path in ("/r/demo/", "/r/demo/indicators/schools", "/r/demo/indicators/reports"):
            assert page.goto(live_server.url + path).status == 404, path  # type: ignore[union-attr]
    finally:
        admin.delete_user(user_id)
