"""Seed 000 entered through the UI, as a curator moving onto the platform would: the
2022-2023 programme of МБУ ДО ЦДТ with its forms, contingent and surveys, one file of its
32 mentees and 32 mentors (with their directions), the consents grid, two matching rounds
approved with a back-dated order, an organisational meeting on every pair's page, and the
execution report's PDF read back with every figure of the seed."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from nastavnik.school.participants.importing import TEMPLATE_COLUMNS
from tests.e2e.conftest import LiveServer, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots"))
# The curator's second school, which no other browser test touches.
SCHOOL = "gimn1-zar"
YEAR = "2022-2023"
# Pairs per direction, by the direction's number in the region's list (seed 000, row 21).
PAIRS = [1, 2, 0, 14, 9, 0, 3, 0, 0, 2, 1]
TEACHER_DIRECTIONS = {10, 11}
ALPHABET = "абвгдежзиклмнопрстуфхцчшэюя"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"seed000-{name}.png"), full_page=True)


def letters(number: int) -> str:
    return ALPHABET[number // len(ALPHABET)] + ALPHABET[number % len(ALPHABET)]


def school_file() -> bytes:
    """The school's list in the platform's template: each mentee with a mentor of the direction."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([c.header for c in TEMPLATE_COLUMNS])
    index = {c.header: i for i, c in enumerate(TEMPLATE_COLUMNS)}
    n = 0
    for direction, count in enumerate(PAIRS, start=1):
        for _ in range(count):
            n += 1
            for role in ("наставляемый", "наставник"):
                row = [""] * len(TEMPLATE_COLUMNS)
                pupil = role == "наставляемый" and direction not in TEACHER_DIRECTIONS
                row[index["Кто"]] = "обучающийся" if pupil else "педагог"
                row[index["Роль"]] = role
                row[index["Фамилия"]] = ("Ученикова" if pupil else "Педагогова") + letters(n)
                row[index["Имя"]] = "Мария" if role == "наставляемый" else "Анна"
                row[index["Отчество"]] = "Ивановна"
                row[index["Дата рождения"]] = "01.03.2009" if pupil else "01.03.1985"
                if pupil:
                    row[index["Класс"]] = "8А"
                    row[index["ФИО родителя"]] = f"Ученикова{letters(n)} Ольга Петровна"
                else:
                    row[index["Должность"]] = "Педагог дополнительного образования"
                row[index["Направления"]] = str(direction)
                if role == "наставник":
                    row[index["Сколько наставляемых"]] = "1"
                sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def approve_round(page: Page, live_server: LiveServer, form: str, number: str, pairs: int) -> list[str]:
    page.goto(f"{live_server.url}/s/{SCHOOL}/matching?year={YEAR}")
    page.get_by_label("Учебный год").select_option(label=YEAR)
    page.get_by_label("Форма наставничества").select_option(label=form)
    page.get_by_role("button", name="Подобрать пары").click()
    expect(page.get_by_role("heading", name="Утвердить подбор")).to_be_visible()
    expect(page.locator(".stat").filter(has_text="Предложено пар")).to_contain_text(str(pairs))
    page.get_by_label("Номер приказа").fill(number)
    page.get_by_label("Дата приказа").fill("2023-01-20")
    page.get_by_label("Начало работы пар").fill("2023-01-25")
    page.get_by_role("button", name="Утвердить пары и группы").click()
    expect(page.get_by_text("Подбор утверждён")).to_be_visible()
    links = page.locator("table a", has_text="Открыть")
    return [str(links.nth(i).get_attribute("href")) for i in range(links.count())]


def test_the_seed_000_report_is_entered_in_the_browser_and_shows_every_figure(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    login(page, live_server, "curator", f"/s/{SCHOOL}/programme")
    # The past year's programme from the regional template.
    page.get_by_label("Учебный год").select_option(label=YEAR)
    page.get_by_role("button", name="Создать программу").click()
    expect(page.get_by_text("создана")).to_be_visible()

    page.goto(f"{live_server.url}/s/{SCHOOL}/programme/{YEAR}")
    page.get_by_label("Название программы").fill("Программа наставничества МБУ ДО ЦДТ")
    for form in ("Ученик – ученик", "Учитель – учитель", "Учитель – ученик"):
        page.get_by_label(form, exact=True).check()
    page.get_by_label("Цель программы").fill(
        "Максимально полное раскрытие потенциала личности наставляемого."
    )
    page.get_by_role("button", name="Сохранить", exact=True).click()
    for label, value in (
        ("Обучающихся всего", "520"),
        ("Обучающихся в возрасте 10-19 лет", "480"),
        ("Педагогических работников", "45"),
        ("Педагогов до 35 лет в первые три года работы", "6"),
        ("Обучающихся, прошедших анкетирование", "52"),
        ("Педагогов, прошедших анкетирование", "5"),
    ):
        page.get_by_label(re.compile(f"^{re.escape(label)}\\*?$")).fill(value)
    page.get_by_role("button", name="Сохранить контингент").click()
    expect(page.get_by_text(f"Контингент на {YEAR} учебный год сохранён.")).to_be_visible()
    shot(page, "01-programme")

    # One file: the 32 mentees and their 32 mentors with directions.
    page.goto(f"{live_server.url}/s/{SCHOOL}/participants/import?year={YEAR}")
    page.get_by_label("Файл").set_input_files(
        {"name": "цдт-2022.xlsx", "mimeType": "application/octet-stream", "buffer": school_file()}
    )
    page.get_by_label("Учебный год").select_option(label=YEAR)
    page.get_by_role("button", name="Загрузить и сопоставить столбцы").click()
    page.get_by_role("button", name="Проверить все строки").click()
    page.get_by_role("button", name="Загрузить в базу").click()
    expect(page.get_by_text("Загружено: новых — 64")).to_be_visible()
    shot(page, "02-imported")

    # The consents came back as a stack: the parents' names are already in the grid.
    for bank in ("mentees", "mentors"):
        page.goto(f"{live_server.url}/s/{SCHOOL}/consents/received?bank={bank}&year={YEAR}")
        if bank == "mentees":
            expect(page.locator("input[value='Учениковааб Ольга Петровна']")).to_be_visible()
            shot(page, "03-consents")
        page.get_by_role("button", name="Записать всех на странице").click()
        expect(page.get_by_text("Записано согласий: 32")).to_be_visible()

    # Two rounds, approved with the order of 20.01.2023; pairs start on 25.01.2023.
    pairs = approve_round(page, live_server, "Учитель – ученик", "7-о", 29)
    pairs += approve_round(page, live_server, "Учитель – учитель", "8-о", 3)
    assert len(pairs) == 32
    shot(page, "04-approved")

    # The organisational meeting of every pair, back-dated on its page.
    for href in pairs:
        page.goto(live_server.url + href)
        meetings = page.locator("#meetings")
        meetings.get_by_label(re.compile(r"^Встреча\*?$")).select_option("organisational")
        meetings.get_by_label(re.compile(r"^Дата\*?$")).fill("2023-02-06")
        page.get_by_role("button", name="Отметить встречу").click()
        expect(page.get_by_text("Встреча отмечена")).to_be_visible()

    page.goto(f"{live_server.url}/s/{SCHOOL}/documents/{YEAR}")
    with page.expect_download() as info:
        page.locator("#doc-report").get_by_role("link", name="PDF").click()
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "seed000-report.pdf").write_bytes(pdf.read_bytes())
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "за 2022-2023 учебный год" in text
    for form in ("«Ученик – ученик»", "«Учитель – учитель»", "«Учитель – ученик»"):
        assert form in text
    assert "Обучающихся, прошедших анкетирование (доля от обучающихся) 52 (10 %)" in text
    assert "Педагогов, прошедших анкетирование (доля от педагогов) 5 (11 %)" in text
    assert "Всего пар и групп 32" in text
    titles = [
        "Раскрытие потенциала наставляемого",
        "Преодоление подросткового кризиса, самоидентификация, жизненные ориентиры",
        "Адаптация обучающегося в новом коллективе",
        "Повышение мотивации и образовательных результатов (в т.ч. проекты, программы поддержки)",
        "Осознанный выбор образовательной траектории",
        "Ценности и активная гражданская позиция",
        "Гибкие навыки, лидерство, метакомпетенции",
        "Предпринимательский потенциал (проектные конкурсы, акселераторы)",
        "Осознанный выбор профессии и карьера",
        "Адаптация педагога в новом коллективе",
        "Вход молодого педагога в профессию",
    ]
    pairs_part = text[text.index("по направлениям наставничества") :]
    meetings_part = text[text.index("6. Встречи наставников и наставляемых по направлениям") :]
    for title, count in zip(titles, PAIRS, strict=True):
        assert f"{title} {count}" in pairs_part, (title, count)
        # One organisational meeting held per pair, no trial meetings, none else.
        assert f"{title} {count} 0 0" in meetings_part, (title, count)
    assert "Программа не завершена." in text
    assert "Запланировано." not in text
