"""One file for the whole programme: pupils and staff together («Кто»), their roles, requests
(directions, areas, capacity) and pupils' parents, who then sign in the consents grid; the
downloadable template maps itself."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.db import set_school
from nastavnik.school.participants.importing import parse_references
from nastavnik.school.participants.models import (
    MenteeCategory,
    MenteeProfile,
    MentorProfile,
    Participant,
    ParticipantKind,
)
from tests.conftest import Browser, Persona, World
from tests.functional.test_participant_import import (
    apply,
    csv_bytes,
    mapping_of,
    submit_mapping,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.anyio

HEADER = [
    "Кто",
    "Роль",
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Класс",
    "ФИО родителя",
    "Телефон родителя",
    "Должность",
    "Направления",
    "Сферы запроса",
    "Сколько наставляемых",
]
ROWS = [
    HEADER,
    ["обучающийся", "наставляемый", "Алексеева", "Дарья", "Игоревна", "12.03.2012", "7А",
     "Алексеева Ольга Петровна", "8 900 111-22-33", "", "4; Профессия и карьера", "Интеллектуальное", ""],
    ["ученик", "", "Борисов", "Тимур", "", "01.09.2011", "8Б", "Борисов Руслан Ильич", "", "", "1", "", ""],
    ["педагог", "наставник", "Романова", "Елена", "Викторовна", "20.05.1980", "", "", "",
     "Учитель математики", "Мотивация и результаты; 9", "", "3"],
]  # fmt: skip


async def test_a_file_of_pupils_and_staff_fills_both_banks_with_requests_and_parents(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(curator_a)
    reply = await upload(browser, world, "все.xlsx", xlsx_bytes(ROWS))
    url = reply.headers["location"]
    page = await browser.get(url)
    mapping = mapping_of(page.text)
    assert mapping["col_0"] == "kind"
    assert mapping["col_9"] == "position"  # a staff column, recognised in a pupils' upload
    assert mapping["col_12"] == "capacity"
    await submit_mapping(browser, url)
    page = await browser.get(url)
    assert "Ошибок нет" in page.text, page.text
    await apply(browser, url)

    await set_school(db, world.school_a.id)
    people = {p.last_name: p for p in (await db.execute(select(Participant))).scalars()}
    assert people["Алексеева"].kind is ParticipantKind.PUPIL
    assert people["Алексеева"].parent_name == "Алексеева Ольга Петровна"
    assert people["Алексеева"].parent_phone == "+79001112233"
    assert people["Романова"].kind is ParticipantKind.TEACHER
    assert people["Романова"].position == "Учитель математики"
    mentees = {
        m.participant_id: m
        for m in (
            await db.execute(
                select(MenteeProfile).options(
                    selectinload(MenteeProfile.directions), selectinload(MenteeProfile.request_areas)
                )
            )
        ).scalars()
    }
    dasha = mentees[people["Алексеева"].id]
    assert dasha.category is MenteeCategory.PUPIL
    assert {d.code for d in dasha.directions} == {"motivation", "career"}
    assert [a.code for a in dasha.request_areas] == ["intellectual"]
    assert [d.code for d in mentees[people["Борисов"].id].directions] == ["potential"]
    mentor = (
        await db.execute(select(MentorProfile).options(selectinload(MentorProfile.directions)))
    ).scalar_one()
    assert mentor.participant_id == people["Романова"].id
    assert mentor.capacity == 3
    assert {d.code for d in mentor.directions} == {"motivation", "career"}

    # The consents grid names the parent as the signer of a minor's form.
    grid = await browser.get(f"/s/{world.school_a.code}/consents/received")
    assert 'value="Алексеева Ольга Петровна"' in grid.text

    # A second file changes the request of a profile already there; nobody is added.
    again = [HEADER, [*ROWS[3][:10], "10", "", "5"]]
    url = (await upload(browser, world, "ещё.xlsx", xlsx_bytes(again))).headers["location"]
    await submit_mapping(browser, url)
    await apply(browser, url)
    db.expire_all()
    mentor = (
        await db.execute(select(MentorProfile).options(selectinload(MentorProfile.directions)))
    ).scalar_one()
    assert mentor.capacity == 5
    assert [d.code for d in mentor.directions] == ["teacher_adaptation"]
    assert int(await db.scalar(select(func.count()).select_from(Participant)) or 0) == 3


async def test_unknown_kind_role_direction_and_capacity_are_row_errors(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    rows = [
        ["Кто", "Роль", "ФИО", "Класс", "Направления", "Сколько наставляемых"],
        ["директор", "", "Петров Пётр", "7А", "", ""],
        ["обучающийся", "куратор", "Сидоров Сидор", "7А", "", ""],
        ["обучающийся", "", "Козлов Иван", "7А", "Астрономия", ""],
        ["педагог", "наставник", "Орлова Анна", "", "", "99"],
    ]
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "bad.csv", csv_bytes(rows))).headers["location"]
    await submit_mapping(browser, url)
    page = (await browser.get(url)).text
    assert "Кто: «обучающийся» или «педагог»." in page
    assert "Роль: «наставник» или «наставляемый»" in page
    assert "Нет такого направления: «астрономия»" in page
    assert "Число наставляемых — от 1 до 30." in page
    # The bad cell of each row is marked and comes first in its row.
    assert 'name="fix_2_kind" value="директор" aria-invalid="true"' in page
    assert page.index('id="fix-4-directions"') < page.index('id="fix-4-last_name"')
    assert int(await db.scalar(select(func.count()).select_from(Participant)) or 0) == 0


async def test_the_template_holds_the_columns_the_page_states(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    page = await browser.get(f"/s/{world.school_a.code}/participants/import")
    assert "Скачать шаблон XLSX" in page.text
    assert "&amp;nbsp;" not in page.text
    assert "До 50\u00a0000 строк" in page.text
    assert "если в нём есть столбец «Кто»" in page.text
    reply = await browser.get(f"/s/{world.school_a.code}/participants/import/template.xlsx")
    assert reply.status_code == 200
    book = load_workbook(io.BytesIO(reply.content), read_only=True)
    header = [c.value for c in next(book["Участники"].iter_rows(max_row=1))]
    assert header[:3] == ["Кто", "Роль", "Фамилия"]
    for column in header:
        assert f'<th scope="row" class="table__lead">{column}</th>' in page.text
    # The template is a valid upload: every column maps itself.
    reply = await upload(browser, world, "шаблон.xlsx", xlsx_bytes([header, ROWS[1]]))
    mapping = mapping_of((await browser.get(reply.headers["location"])).text)
    assert "" not in mapping.values()
    references = [list(r) for r in book["Справочник"].iter_rows(min_row=2, values_only=True)]
    assert ["Направление", "9", "Осознанный выбор профессии и карьера"] in references


def test_directions_are_read_by_title_with_commas_short_title_code_or_number() -> None:
    words = {
        "гибкие навыки, лидерство, метакомпетенции": "soft",
        "профессия и карьера": "career",
        "9": "career",
        "potential": "potential",
    }
    found, unknown = parse_references(  # type: ignore[arg-type]
        "Гибкие навыки, лидерство, метакомпетенции; 9\npotential, астрономия", words
    )
    assert found == ["soft", "career", "potential"]
    assert unknown == ["астрономия"]
