"""A curator starts the programme from the region's template, marks two rows done in the
roadmap and downloads the execution report — then we read the PDF. Real Keycloak, Chromium."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.school.programme.services import local_today
from tests.e2e.conftest import LiveServer, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots"))
SCHOOL = "sosh2-zar"
YEAR = AcademicYear.current(local_today())


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"roadmap-{name}.png"), full_page=True)


def test_curator_creates_the_programme_marks_two_rows_done_and_downloads_the_report(
    page: Page, live_server: LiveServer
) -> None:
    login(page, live_server, "curator", f"/s/{SCHOOL}/")
    expect(page.get_by_text(f"Программа на {YEAR.title} учебный год ещё не начата")).to_be_visible()
    shot(page, "1-dashboard-empty")

    page.get_by_role("link", name="Начать программу").click()
    expect(page.get_by_role("heading", name="Начать программу учебного года")).to_be_visible()
    expect(page.get_by_label("Учебный год")).to_have_value(YEAR.title)
    page.get_by_label("Шаблон «Целевая модель наставничества обучающихся (Р-145)»").check()
    shot(page, "2-start")
    page.get_by_role("button", name="Создать программу").click()

    page.wait_for_url(f"{live_server.url}/s/{SCHOOL}/roadmap/{YEAR.title}")
    expect(page.get_by_text("Выполнено 0 из 47 мероприятий").first).to_be_visible()
    shot(page, "3-roadmap")

    page.get_by_label("Статус мероприятия 1.1").select_option("done")
    expect(page.locator("#roadmap-progress")).to_contain_text("Выполнено 1 из 47 мероприятий")
    page.get_by_label("Статус мероприятия 1.2").select_option("done")
    expect(page.locator("#roadmap-progress")).to_contain_text("Выполнено 2 из 47 мероприятий")

    # In-place editing: an empty event is refused next to the field, the rest stays as typed.
    page.get_by_role("link", name="Изменить мероприятие 1.3").click()
    editor = page.locator("tr.roadmap-row--editing")
    event = editor.get_by_role("textbox", name="Мероприятие", exact=True)
    done_text = editor.get_by_role("textbox", name="Что сделано", exact=True)
    event.fill("")
    done_text.fill("Дорожная карта утверждена на совещании")
    editor.get_by_role("button", name="Сохранить").click()
    expect(
        editor.get_by_text("Опишите мероприятие: без названия строку нельзя сохранить.").first
    ).to_be_visible()
    expect(done_text).to_have_value("Дорожная карта утверждена на совещании")
    shot(page, "4-row-error")
    event.fill("Разработка и утверждение дорожной карты")
    editor.get_by_role("button", name="Сохранить").click()
    expect(page.locator("tr.roadmap-row--editing")).to_have_count(0)
    expect(page.get_by_text("Разработка и утверждение дорожной карты", exact=True)).to_be_visible()
    shot(page, "5-roadmap-after-edits")

    page.get_by_role("link", name="Документы").first.click()
    page.wait_for_url(f"{live_server.url}/s/{SCHOOL}/documents/{YEAR.title}")
    shot(page, "6-documents")
    report = page.locator("#doc-report")
    with page.expect_download() as download_info:
        report.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert "Отчёт об исполнении дорожной карты" in download.suggested_filename
    content = Path(download.path()).read_bytes()
    (SHOTS / "roadmap-report.pdf").write_bytes(content)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)
    assert "ОТЧЁТ" in text
    assert f"наставничества в МБОУ СОШ № 2 за {YEAR.title} учебный год" in text
    assert (
        "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 2»"
        in text
    )
    assert text.count("Выполнено ") >= 2
    assert "Дорожная карта утверждена на совещании" in text
    assert "Программа не завершена." in text
    assert "Выполнено 2 (4 %)" in text

    page.goto(f"{live_server.url}/s/{SCHOOL}/")
    expect(page.get_by_text("Выполнено 2 из 47 мероприятий")).to_be_visible()
    shot(page, "7-dashboard")
