"""A curator imports pupils from a file, fixes a broken row in the browser, finds a pupil
with a typo in the name, and records the parent's consent — through the real Keycloak
sign-in, in Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots")) / "participants"

CSV = (
    "Фамилия;Имя;Отчество;Дата рождения;Класс\n"
    "Воронцова;Алиса;Андреевна;14.04.2012;7А\n"
    "Гусев;Матвей;Ильич;31.02.2011;8Б\n"
    "Дроздова;Ева;Сергеевна;02.10.2013;6В\n"
)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_curator_imports_a_file_fixes_a_row_and_records_a_consent(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    upload = tmp_path / "ученики 2025.csv"
    upload.write_bytes(CSV.encode("cp1251"))  # as school systems export it

    login(page, live_server, "curator", "/s/sosh2-zar/mentees")
    expect(page.get_by_role("heading", name="База наставляемых", exact=False)).to_be_visible()
    shot(page, "01-empty-bank")

    page.get_by_role("link", name="Загрузить из файла").first.click()
    expect(page.get_by_role("heading", name="Загрузка из файла")).to_be_visible()
    page.get_by_label("Обучающиеся").check()
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_label("Внести в базу наставляемых").check()
    shot(page, "02-upload")
    page.get_by_role("button", name="Загрузить и сопоставить столбцы").click()

    expect(page.get_by_role("heading", name="1. Какие данные в каких столбцах")).to_be_visible()
    expect(page.locator("#col-3")).to_have_value("birth_date")
    expect(page.get_by_role("cell", name="Воронцова", exact=True)).to_be_visible()
    shot(page, "03-mapping")
    page.get_by_role("button", name="Проверить все строки").click()

    expect(page.get_by_text("В базу ничего не загружено")).to_be_visible()
    expect(page.get_by_text("Такой даты нет: в феврале 2011 года 28 дней.").first).to_be_visible()
    shot(page, "04-errors")
    date_input = page.locator("#fix-3-birth_date")
    expect(date_input).to_have_value("31.02.2011")
    date_input.fill("28.02.2011")
    page.get_by_role("button", name="Исправить и проверить снова").click()

    expect(page.get_by_text("Ошибок нет")).to_be_visible()
    shot(page, "05-ready")
    page.get_by_role("button", name="Загрузить в базу").click()
    expect(page.get_by_text("Файл загружен")).to_be_visible()
    expect(page.get_by_text("Загружено: новых — 3")).to_be_visible()
    shot(page, "06-applied")

    page.get_by_role("link", name="Открыть базу наставляемых").click()
    page.get_by_placeholder("Поиск по ФИО").fill("Гусив")  # a typo
    expect(page.get_by_role("link", name="Гусев Матвей Ильич")).to_be_visible()
    expect(page.get_by_role("link", name="Воронцова Алиса Андреевна")).to_have_count(0)
    expect(page.locator("#bank-results").get_by_text("Нет согласия")).to_be_visible()
    shot(page, "07-search")

    page.get_by_role("link", name="Гусев Матвей Ильич").click()
    expect(page.get_by_text("Нет действующего согласия")).to_be_visible()
    expect(page.get_by_text("28.02.2011")).to_be_visible()
    shot(page, "08-card")
    page.get_by_text("Записать согласие").click()
    page.get_by_label("Родитель", exact=True).check()
    page.get_by_label("ФИО подписавшего").fill("Гусева Ольга Николаевна")
    page.get_by_role("button", name="Сохранить согласие").click()
    expect(page.get_by_text("Действует", exact=True)).to_be_visible()
    expect(page.get_by_text("Нет действующего согласия")).to_have_count(0)
    shot(page, "09-consent")

    page.goto(live_server.url + "/s/sosh2-zar/mentees")
    # Other browser tests add people to the same school; look at this pupil's row only.
    row = page.locator("#bank-results tr", has_text="Гусев Матвей Ильич")
    expect(row.get_by_text("Согласие есть")).to_have_count(1)
    shot(page, "10-bank")


def test_curator_keeps_the_mentor_bank(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "curator", "/s/sosh2-zar/partners")
    page.get_by_label("Название").fill("ООО «Заречный технопарк»")
    page.get_by_label("Тип").select_option("employer")
    page.get_by_label("Номер договора о сотрудничестве").fill("17/2025")
    page.get_by_label("Дата договора").fill("2025-09-01")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("link", name="ООО «Заречный технопарк»")).to_be_visible()
    shot(page, "20-partners")

    page.goto(live_server.url + "/s/sosh2-zar/mentors")
    page.get_by_role("link", name="Добавить").click()
    page.get_by_role("link", name="Педагог", exact=True).click()
    page.get_by_label("Фамилия").fill("Соколова")
    page.locator("#f-first_name").fill("Елена")
    page.get_by_label("Отчество").fill("Павловна")
    page.get_by_label("Предметы").fill("математика, информатика")
    page.get_by_label("Педагогический стаж, лет").fill("18")
    page.get_by_label("Категория").select_option("highest")
    shot(page, "21-new-teacher")
    page.get_by_role("button", name="Сохранить").click()

    expect(page.get_by_role("heading", name="Наставник на", exact=False)).to_be_visible()
    page.get_by_label("Сколько наставляемых может вести").fill("2")
    page.get_by_label("Вход молодого педагога в профессию").check()
    page.get_by_label("Адаптация педагога в новом коллективе").check()
    page.get_by_label("Методические (содержание, методики, технологии)").check()
    page.get_by_label("Согласен(на) помогать наставляемым других школ", exact=False).check()
    page.get_by_role("button", name="Сохранить").first.click()
    expect(page.get_by_text("Анкета наставника на", exact=False)).to_be_visible()
    shot(page, "22-teacher-card")

    page.get_by_role("link", name="Изменить анкету наставника").click()
    page.get_by_label("Курс, программа").fill("Школа наставников")
    page.get_by_label("Где").fill("ИРО")
    page.get_by_label("Дата окончания").fill("2025-05-20")
    page.get_by_label("Часов").fill("36")
    page.get_by_role("button", name="Добавить обучение").click()
    expect(page.get_by_text("Школа наставников").first).to_be_visible()
    shot(page, "23-mentor-profile")

    page.goto(live_server.url + "/s/sosh2-zar/mentors")
    expect(page.get_by_role("link", name="Соколова Елена Павловна")).to_be_visible()
    shot(page, "24-mentor-bank")

    page.goto(live_server.url + "/s/sosh2-zar/consents")
    expect(page.get_by_role("heading", name="Согласия на обработку персональных данных")).to_be_visible()
    shot(page, "25-consents")
