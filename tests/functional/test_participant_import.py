"""Importing pupils and staff: mapping with a preview, validation of every row, corrections
in place, all-or-nothing apply, the error report, idempotent re-import, broken files, and a
10,000-row file processed by the background job."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.platform import jobs
from nastavnik.platform.db import set_school
from nastavnik.school.participants.importing import JOB_KIND as JOB
from nastavnik.school.participants.models import (
    ImportStatus,
    MenteeProfile,
    MentorProfile,
    Participant,
    ParticipantImport,
    ParticipantKind,
    TeacherCategory,
)
from tests.conftest import Browser, Persona, PersonaBrowser, World, csrf_token
from tests.functional._participants import CURRENT_YEAR, make_person, year_title

pytestmark = pytest.mark.anyio

PUPILS = [
    ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс", "Телефон"],
    ["Алексеева", "Дарья", "Игоревна", "12.03.2012", "7А", "+7 900 111-22-33"],
    ["Борисов", "Тимур", "Русланович", "01.09.2011", "8 Б", ""],
    ["Ёлкина", "Софья", "", "2013-05-30", "6в", ""],
]


def letters_for(number: int) -> str:
    """A distinct letters-only suffix per number (names may not contain digits)."""
    alphabet = "абвгдежзиклмнопрстуфхцчшэюя"
    word = ""
    while True:
        number, digit = divmod(number, len(alphabet))
        word = alphabet[digit] + word
        if number == 0:
            return word


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def upload(
    browser: PersonaBrowser,
    world: World,
    filename: str,
    content: bytes,
    *,
    target: str = "pupils",
    bank: str = "mentees",
) -> httpx.Response:
    base = f"/s/{world.school_a.code}/participants/import"
    token = await csrf_token(browser, base)
    return await browser.post(
        base,
        data={"_csrf_token": token, "target": target, "bank": bank, "year": year_title()},
        files={"file": (filename, content, "application/octet-stream")},
        follow_redirects=False,
    )


def mapping_of(page: str) -> dict[str, str]:
    """The mapping the page proposes: col_N → chosen field."""
    chosen = {}
    for match in re.finditer(
        r'<select class="select" id="col-(\d+)" name="col_\d+">(.*?)</select>', page, re.S
    ):
        selected = re.search(r'<option value="([^"]*)" selected>', match.group(2))
        chosen[f"col_{match.group(1)}"] = selected.group(1) if selected else ""
    return chosen


async def submit_mapping(
    browser: PersonaBrowser, url: str, mapping: dict[str, str] | None = None, bank: str = "mentees"
) -> httpx.Response:
    page = await browser.get(url)
    token = await csrf_token(browser, url)
    data = {"_csrf_token": token, "bank": bank, "year": year_title(), **(mapping or mapping_of(page.text))}
    return await browser.post(f"{url}/mapping", data=data, follow_redirects=False)


async def apply(browser: PersonaBrowser, url: str) -> httpx.Response:
    token = await csrf_token(browser, url)
    return await browser.post(f"{url}/apply", data={"_csrf_token": token}, follow_redirects=False)


async def count_people(db: AsyncSession, world: World) -> int:
    await set_school(db, world.school_a.id)
    return int(await db.scalar(select(func.count()).select_from(Participant)) or 0)


async def test_pupils_are_imported_into_the_mentee_bank_and_a_second_import_adds_nobody(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(curator_a)
    content = csv_bytes(PUPILS)
    reply = await upload(browser, world, "ученики.csv", content)
    assert reply.status_code == 303
    url = reply.headers["location"]
    page = await browser.get(url)
    assert "Какие данные в каких столбцах" in page.text
    assert mapping_of(page.text) == {
        "col_0": "last_name",
        "col_1": "first_name",
        "col_2": "middle_name",
        "col_3": "birth_date",
        "col_4": "class_name",
        "col_5": "phone",
    }
    assert "Алексеева" in page.text  # the preview
    reply = await submit_mapping(browser, url)
    assert reply.status_code == 303
    page = await browser.get(url)
    assert "Ошибок нет" in page.text
    reply = await apply(browser, url)
    assert reply.status_code == 303
    page = await browser.get(url)
    assert "Файл загружен" in page.text

    await set_school(db, world.school_a.id)
    people = (await db.execute(select(Participant).order_by(Participant.search_name))).scalars().all()
    assert [(p.last_name, p.grade, p.class_letter, p.birth_date) for p in people] == [
        ("Алексеева", 7, "А", dt.date(2012, 3, 12)),
        ("Борисов", 8, "Б", dt.date(2011, 9, 1)),
        ("Ёлкина", 6, "В", dt.date(2013, 5, 30)),
    ]
    assert people[0].phone == "+79001112233"
    profiles = (await db.execute(select(MenteeProfile))).scalars().all()
    assert {p.academic_year for p in profiles} == {CURRENT_YEAR}
    assert len(profiles) == 3

    # The same file again: everyone is recognised, nobody is added twice.
    reply = await upload(browser, world, "ученики.csv", content)
    url = reply.headers["location"]
    await submit_mapping(browser, url)
    page = await browser.get(url)
    assert "обновятся: 0, без изменений: 3" in page.text
    await apply(browser, url)
    assert await count_people(db, world) == 3
    assert int(await db.scalar(select(func.count()).select_from(MenteeProfile)) or 0) == 3


async def test_a_changed_row_updates_the_person_instead_of_adding_one(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(curator_a)
    rows = [["ID", "ФИО", "Класс"], ["1001", "Громов Павел Андреевич", "5А"]]
    url = (await upload(browser, world, "a.csv", csv_bytes(rows), bank="none")).headers["location"]
    await submit_mapping(browser, url, bank="none")
    await apply(browser, url)
    rows[1] = ["1001", "Громов Павел Андреевич", "6А"]  # moved up a grade
    url = (await upload(browser, world, "b.csv", csv_bytes(rows), bank="none")).headers["location"]
    await submit_mapping(browser, url, bank="none")
    page = await browser.get(url)
    assert "обновятся: 1, без изменений: 0" in page.text
    await apply(browser, url)
    await set_school(db, world.school_a.id)
    person = (await db.execute(select(Participant))).scalar_one()
    assert (person.grade, person.import_key) == (6, "ext:pupils:1001")


async def test_cp1251_csv_from_a_school_system_is_read_correctly(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(curator_a)
    reply = await upload(browser, world, "export.csv", csv_bytes(PUPILS, encoding="cp1251"))
    url = reply.headers["location"]
    page = await browser.get(url)
    assert "Алексеева" in page.text
    await submit_mapping(browser, url)
    await apply(browser, url)
    await set_school(db, world.school_a.id)
    names = set((await db.execute(select(Participant.last_name))).scalars())
    assert names == {"Алексеева", "Борисов", "Ёлкина"}


async def test_utf16_text_export_of_excel_is_read(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    content = csv_bytes(PUPILS, encoding="utf-16", delimiter="\t")
    reply = await upload(browser, world, "excel-unicode.txt", content)
    assert reply.status_code == 303
    page = await browser.get(reply.headers["location"])
    assert "Ёлкина" in page.text


async def test_xlsx_with_a_title_above_the_header_is_understood(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    rows: list[list[Any]] = [
        ["Список обучающихся МБОУ СОШ № 2 на 01.09.2025"],  # one cell, as school systems write it
        [],
        ["ФИО", "Дата рождения", "Класс"],
        ["Жуков Иван Петрович", dt.datetime(2010, 2, 3), "10А"],
    ]
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "list.xlsx", xlsx_bytes(rows))).headers["location"]
    page = await browser.get(url)
    assert mapping_of(page.text) == {"col_0": "full_name", "col_1": "birth_date", "col_2": "class_name"}
    await submit_mapping(browser, url)
    await apply(browser, url)
    await set_school(db, world.school_a.id)
    person = (await db.execute(select(Participant))).scalar_one()
    assert (person.last_name, person.first_name, person.middle_name, person.birth_date, person.grade) == (
        "Жуков",
        "Иван",
        "Петрович",
        dt.date(2010, 2, 3),
        10,
    )


async def test_missing_columns_are_reported_before_any_row_is_read(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    rows = [["Фамилия", "Имя", "Дата рождения"], ["Иванов", "Иван", "01.01.2012"]]
    url = (await upload(browser, world, "no-class.csv", csv_bytes(rows))).headers["location"]
    reply = await submit_mapping(browser, url)
    assert reply.status_code == 422
    assert "Укажите столбец с классом обучающегося" in reply.text
    reply = await submit_mapping(browser, url, {"col_0": "last_name", "col_1": "", "col_2": "last_name"})
    assert reply.status_code == 422
    assert "Укажите столбец с ФИО или столбцы «Фамилия» и «Имя»." in reply.text
    assert "выбрано для 2 столбцов" in reply.text


async def test_broken_rows_are_listed_and_nothing_is_applied(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    await make_person(db, world.school_a, last_name="Старожилов", import_key="ext:pupils:77")
    rows = [
        ["Фамилия", "Имя", "Дата рождения", "Класс"],
        ["Верный", "Олег", "01.02.2012", "7А"],
        ["Плохаядата", "Ирина", "31.02.2012", "7А"],
        ["Безкласса", "Пётр", "01.02.2012", "13Б"],
        ["", "Безфамильный", "01.02.2012", "7А"],
        ["Верный", "Олег", "01.02.2012", "7А"],
        ["Будущий", "Максим", "01.02.2099", "7А"],
    ]
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "broken.csv", csv_bytes(rows))).headers["location"]
    await submit_mapping(browser, url)
    page = await browser.get(url)
    assert "В базу ничего не загружено" in page.text
    report = await browser.get(f"{url}/errors.csv")
    assert report.status_code == 200
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Строка", "Столбец", "Значение", "Ошибка"]
    by_line = {(int(line), message) for line, _, _, message in lines[1:]}
    assert (3, "Такой даты нет: в феврале 2012 года 29 дней.") in by_line
    assert (4, "Класс — число от 1 до 11 и буква, например 7Б или 10 «А».") in by_line
    assert (5, "Укажите фамилию.") in by_line
    assert (6, "Строка повторяет строку 2.") in by_line
    assert (7, "Дата рождения не может быть сегодняшней или будущей.") in by_line
    assert {line for line, _ in by_line} == {3, 4, 5, 6, 7}
    assert ("Дата рождения", "31.02.2012") in {(c, v) for _, c, v, _ in lines[1:]}

    reply = await apply(browser, url)
    assert reply.status_code == 303
    assert await count_people(db, world) == 1  # only the one who was there before


async def test_a_row_is_corrected_in_place_and_the_file_applied(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    rows = [
        ["Фамилия", "Имя", "Дата рождения", "Класс"],
        ["Правкин", "Юрий", "2012-13-01", "7А"],
        ["Целый", "Иван", "01.01.2012", "7А"],
    ]
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "fix.csv", csv_bytes(rows))).headers["location"]
    await submit_mapping(browser, url)
    page = await browser.get(url)
    assert 'name="fix_2_birth_date" value="2012-13-01"' in page.text
    token = await csrf_token(browser, url)
    reply = await browser.post(
        f"{url}/corrections",
        data={
            "_csrf_token": token,
            "fix_2_last_name": "Правкин",
            "fix_2_first_name": "Юрий",
            "fix_2_middle_name": "",
            "fix_2_birth_date": "13.01.2012",
            "fix_2_class_name": "7А",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    page = await browser.get(url)
    assert "Ошибок нет" in page.text
    # Five fields came back, one was edited: one correction, not five.
    assert "Исправлено значений: 1" in page.text
    assert f'action="{url}/delete"' in page.text  # the checked import can still be cancelled
    await apply(browser, url)
    await set_school(db, world.school_a.id)
    person = (await db.execute(select(Participant).where(Participant.last_name == "Правкин"))).scalar_one()
    assert person.birth_date == dt.date(2012, 1, 13)
    assert await count_people(db, world) == 2


async def test_staff_are_imported_into_the_mentor_bank(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    rows = [
        ["ФИО", "Должность", "Предметы", "Педагогический стаж", "Квалификационная категория", "E-mail"],
        [
            "Романова Елена Викторовна",
            "Учитель математики",
            "математика; информатика",
            "25",
            "высшая",
            "romanova@school.example",
        ],
        ["Новиков Артём Олегович", "Учитель истории", "история", "1", "молодой специалист", ""],
    ]
    browser = await browser_for(curator_a)
    url = (
        await upload(browser, world, "staff.xlsx", xlsx_bytes(rows), target="staff", bank="mentors")
    ).headers["location"]
    await submit_mapping(browser, url, bank="mentors")
    await apply(browser, url)
    await set_school(db, world.school_a.id)
    people = (await db.execute(select(Participant).order_by(Participant.search_name))).scalars().all()
    assert [(p.kind, p.subjects, p.experience_years, p.teacher_category) for p in people] == [
        (ParticipantKind.TEACHER, ["история"], 1, TeacherCategory.YOUNG_SPECIALIST),
        (ParticipantKind.TEACHER, ["математика", "информатика"], 25, TeacherCategory.HIGHEST),
    ]
    assert int(await db.scalar(select(func.count()).select_from(MentorProfile)) or 0) == 2


async def test_a_pupil_in_a_staff_file_is_a_conflict(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    await make_person(
        db,
        world.school_a,
        last_name="Двойнов",
        first_name="Илья",
        middle_name="",
        birth_date=dt.date(2008, 1, 1),
        import_key="fio:двойнов илья|2008-01-01",
    )
    rows = [["Фамилия", "Имя", "Дата рождения"], ["Двойнов", "Илья", "01.01.2008"]]
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "s.csv", csv_bytes(rows), target="staff", bank="none")).headers[
        "location"
    ]
    await submit_mapping(browser, url, bank="none")
    page = await browser.get(url)
    assert "уже есть в базе школы в другой роли (обучающийся)" in page.text


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0 binary", "Поддерживаются файлы CSV и XLSX."),
        ("fake.xlsx", b"not a zip at all", "Файл не похож на таблицу Excel (XLSX)."),
        ("binary.csv", b"\x00\x01\x02garbage", "Файл не похож на текстовый CSV."),
        ("empty.csv", b"", "Файл пуст"),
        ("header-only.csv", "Фамилия;Имя;Класс\n".encode(), "нет ни одной строки с данными"),
    ],
)
async def test_unreadable_files_are_refused_with_a_reason(
    browser_for: Browser, *, curator_a: Persona, world: World, filename: str, content: bytes, message: str
) -> None:
    browser = await browser_for(curator_a)
    reply = await upload(browser, world, filename, content)
    assert reply.status_code == 422
    assert message in reply.text


async def test_upload_needs_a_file(browser_for: Browser, curator_a: Persona, world: World) -> None:
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}/participants/import"
    token = await csrf_token(browser, base)
    reply = await browser.post(
        base, data={"_csrf_token": token, "target": "pupils", "bank": "mentees", "year": year_title()}
    )
    assert reply.status_code == 422
    assert "Выберите файл CSV или XLSX" in reply.text


async def test_a_large_file_runs_as_a_background_job_with_progress(
    browser_for: Browser,
    *,
    curator_a: Persona,
    world: World,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    header: list[Any] = ["Код", "Фамилия", "Имя", "Отчество", "Дата рождения", "Класс"]
    rows: list[list[Any]] = [header] + [
        [
            f"S{n:05d}",
            "Фамилия" + letters_for(n),
            "Имя",
            "Отчество",
            dt.date(2008 + n % 8, 1 + n % 12, 1 + n % 28),
            f"{1 + n % 11}{'АБВГ'[n % 4]}",
        ]
        for n in range(10_000)
    ]
    content = xlsx_bytes(rows)
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "big.xlsx", content)).headers["location"]
    page = await browser.get(url)
    assert mapping_of(page.text)["col_0"] == "external_id"
    await submit_mapping(browser, url)
    page = await browser.get(url)
    assert 'hx-trigger="every 1s"' in page.text
    assert "Проверено строк: 0 из 10000" in page.text
    poll = await browser.get(url, headers={"HX-Request": "true"})
    assert '<div id="import-progress"' in poll.text
    assert "<html" not in poll.text

    assert await jobs.run_pending(sessionmaker) == 1
    poll = await browser.get(url, headers={"HX-Request": "true"})
    assert poll.headers["hx-redirect"] == url
    page = await browser.get(url)
    assert "Ошибок нет" in page.text
    assert re.search(r"Новых людей</p>\s*<p class=\"stat__value\">10000<", page.text)

    await apply(browser, url)
    await set_school(db, world.school_a.id)
    imp = (await db.execute(select(ParticipantImport))).scalar_one()
    assert imp.status is ImportStatus.APPLYING
    assert await jobs.run_pending(sessionmaker) == 1
    await db.refresh(imp)
    assert imp.status is ImportStatus.APPLIED
    assert imp.processed_rows == 10_000
    assert await count_people(db, world) == 10_000
    assert int(await db.scalar(select(func.count()).select_from(MenteeProfile)) or 0) == 10_000
    page = await browser.get(url)
    assert "Файл загружен" in page.text


async def _import_job(db: AsyncSession) -> Any:
    return (
        await db.execute(
            text("SELECT status, attempts FROM procrastinate_jobs WHERE task_name = :t"), {"t": JOB}
        )
    ).one()


async def test_a_failing_job_keeps_the_import_in_progress_while_a_retry_is_due(
    browser_for: Browser,
    *,
    curator_a: Persona,
    world: World,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nastavnik.school.participants import importing

    monkeypatch.setattr(importing, "BACKGROUND_ROWS", 1)
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "p.csv", csv_bytes(PUPILS))).headers["location"]
    await submit_mapping(browser, url)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "run_validation", broken)
    assert await jobs.run_pending(sessionmaker) == 1
    page = await browser.get(url)
    assert "Не удалось обработать файл" not in page.text
    assert "Проверено строк: 0 из 3" in page.text
    assert tuple(await _import_job(db)) == ("todo", 1)


async def test_a_job_failing_on_its_last_attempt_marks_the_import_failed(
    browser_for: Browser,
    *,
    curator_a: Persona,
    world: World,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nastavnik.school.participants import importing

    monkeypatch.setattr(importing, "BACKGROUND_ROWS", 1)
    monkeypatch.setattr(importing.run_import_job, "retry_strategy", None)
    browser = await browser_for(curator_a)
    url = (await upload(browser, world, "p.csv", csv_bytes(PUPILS))).headers["location"]
    await submit_mapping(browser, url)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "run_validation", broken)
    assert await jobs.run_pending(sessionmaker) == 1
    page = await browser.get(url)
    assert "Не удалось обработать файл" in page.text
    assert tuple(await _import_job(db)) == ("failed", 1)


async def test_a_20_mb_file_is_refused_beside_the_field_not_as_an_expired_page(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    reply = await upload(browser, world, "большой.csv", b"a;b\n" + b"x" * (20 * 1024 * 1024))
    assert reply.status_code == 422
    assert "Файл больше 10 МБ" in reply.text
    assert "Страница устарела" not in reply.text
    page = await browser.get(f"/s/{world.school_a.code}/participants/import")
    assert "До 50\u00a0000 строк, файл до 10\u00a0МБ." in page.text
    assert "&amp;nbsp;" not in page.text


def test_a_date_missing_from_the_calendar_says_so() -> None:
    from nastavnik.school.participants.parsing import impossible_date

    assert impossible_date("31.02.2013") == "Такой даты нет: в феврале 2013 года 28 дней."
    assert impossible_date("31.04.2012") == "Такой даты нет: в апреле 2012 года 30 дней."
    assert impossible_date("2013-13-01") == "Такой даты нет: месяца 13 не бывает."
    assert impossible_date("29.02.2012") is None
    assert impossible_date("вчера") is None
