"""Documents made from the programme's data: roadmap, execution report, order, regulation."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_school
from nastavnik.platform.documents import FontsMissingError
from nastavnik.platform.settings import Settings
from nastavnik.school.documents.models import DocumentRegistration
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.programme.services import local_today
from nastavnik.school.roadmap.models import ItemStatus, RoadmapItem
from nastavnik.tenants.models import StaffMember
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, World, csrf_token, make_persona
from tests.functional.roadmap_support import YEAR, Roadmap, first_item, start_roadmap

pytestmark = pytest.mark.anyio


@pytest.fixture
async def roadmap(browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession) -> Roadmap:
    return await start_roadmap(browser_for, curator_a, world, db)


def pdf_pages(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def squeeze(text: str) -> str:
    return " ".join(text.split())


async def docs_base(roadmap: Roadmap) -> str:
    return f"/s/{roadmap.world.school_a.code}/documents/{YEAR.title}"


async def test_documents_page_lists_the_four_documents(roadmap: Roadmap) -> None:
    page = await roadmap.browser.get(await docs_base(roadmap))
    assert page.status_code == 200
    for title in ("Приказ «Об организации наставничества»", "Положение о наставничестве", "Дорожная карта"):
        assert title in page.text
    assert "Отчёт об исполнении дорожной карты" in page.text
    current = await roadmap.browser.get(f"/s/{roadmap.world.school_a.code}/documents", follow_redirects=False)
    assert current.headers["location"] == await docs_base(roadmap)


async def test_roadmap_pdf_has_every_row_in_cyrillic_and_the_header_on_every_page(
    roadmap: Roadmap, db: AsyncSession
) -> None:
    reply = await roadmap.browser.get(f"{await docs_base(roadmap)}/roadmap.pdf")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in reply.headers["content-disposition"]
    pages = pdf_pages(reply.content)
    text = " ".join(pages)
    assert "ДОРОЖНАЯ КАРТА" in text
    assert "МБОУ «Средняя школа А»" in text
    assert "УТВЕРЖДАЮ" in text
    await set_school(db, roadmap.world.school_a.id)
    items = (
        await db.execute(select(RoadmapItem).where(RoadmapItem.programme_id == roadmap.programme.id))
    ).scalars()
    for item in items:
        assert squeeze(item.event) in text, item.event
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"Страница {number} из {len(pages)}" in page
        if number > 1 and re.search(r"\d\.\d+ ", page):
            assert "№ п/п Мероприятие Срок Ответственный Результат / вид документа" in page, number


async def test_report_tells_what_was_done_and_the_figures(
    roadmap: Roadmap, db: AsyncSession, world: World
) -> None:
    done = await first_item(db, roadmap, position=1)
    done.status = ItemStatus.DONE
    done.completed_on = local_today()
    done.result_text = "Издан приказ от 23.09 № 62-од «Об организации наставничества»"
    failed = await first_item(db, roadmap, position=2)
    failed.status = ItemStatus.NOT_DONE
    await db.flush()
    token = roadmap.token
    await roadmap.browser.post(
        f"/s/{world.school_a.code}/programme/{YEAR.title}/contingent",
        data={
            "_csrf_token": token,
            "pupils": "520",
            "pupils_10_19": "400",
            "teachers": "45",
            "young_teachers": "5",
        },
    )
    reply = await roadmap.browser.get(f"{await docs_base(roadmap)}/report.pdf")
    assert reply.status_code == 200
    text = " ".join(pdf_pages(reply.content))
    assert "ОТЧЁТ" in text
    assert "об исполнении дорожной карты" in text
    assert "1. Цель реализации" in text
    assert "«Ученик – ученик»" in text
    assert "Издан приказ от 23.09 № 62-од «Об организации наставничества»" in text
    assert "Не выполнено." in text
    assert "Программа не завершена." in text
    assert "Обучающихся всего / в возрасте 10-19 лет 520 / 400" in text
    assert "Выполнено 1 (2 %)" in text
    word = docx.Document(
        io.BytesIO((await roadmap.browser.get(f"{await docs_base(roadmap)}/report.docx")).content)
    )
    table_text = "\n".join(cell.text for table in word.tables for row in table.rows for cell in row.cells)
    assert "Издан приказ от 23.09 № 62-од" in squeeze(table_text)
    assert word.tables[0].rows[0].cells[1].text == "Мероприятие"


async def test_order_appoints_the_curator_and_approves_the_regulation_roadmap_and_programme(
    roadmap: Roadmap, db: AsyncSession, world: World
) -> None:
    await set_school(db, world.school_a.id)
    curator = next(s for s in (await db.execute(select(StaffMember))).scalars() if Role.CURATOR in s.roles)
    curator.last_name, curator.first_name, curator.middle_name = "Иванова", "Мария", "Петровна"
    curator.position = "Заместитель директора по УВР"
    await db.flush()
    pdf = await roadmap.browser.get(f"{await docs_base(roadmap)}/order.pdf")
    text = " ".join(pdf_pages(pdf.content))
    assert "ПРИКАЗ" in text
    assert "Об организации наставничества" in text
    assert "ПРИКАЗЫВАЮ:" in text
    assert "Р-145" in text
    assert (
        "Назначить куратором реализации программ наставничества Иванову Марию Петровну, "
        "заместителя директора по УВР." in text
    )
    assert "Куратору (М. П. Ивановой)" in text
    assert "Утвердить Положение о наставничестве" in text
    assert "Утвердить дорожную карту" in text
    assert "С приказом ознакомлен(а):" in text
    word = docx.Document(
        io.BytesIO((await roadmap.browser.get(f"{await docs_base(roadmap)}/order.docx")).content)
    )
    paragraphs = [p.text for p in word.paragraphs]
    assert "ПРИКАЗ" in paragraphs
    assert any(p.startswith("5.\tНазначить куратором") for p in paragraphs)


async def test_registration_puts_number_and_date_into_the_documents(
    roadmap: Roadmap, db: AsyncSession
) -> None:
    base = await docs_base(roadmap)
    day = local_today() - dt.timedelta(days=1)
    reply = await roadmap.browser.post(
        f"{base}/order/register",
        data={"_csrf_token": roadmap.token, "number": "45-о", "registered_on": day.isoformat()},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    order_text = " ".join(pdf_pages((await roadmap.browser.get(f"{base}/order.pdf")).content))
    assert f"{day:%d.%m.%Y} № 45-о" in order_text
    regulation_text = " ".join(pdf_pages((await roadmap.browser.get(f"{base}/regulation.pdf")).content))
    assert f"Приложение 1 к приказу от {day:%d.%m.%Y} № 45-о" in regulation_text
    assert "УТВЕРЖДЕНО" in regulation_text
    roadmap_text = " ".join(pdf_pages((await roadmap.browser.get(f"{base}/roadmap.pdf")).content))
    assert f"Приложение 2 к приказу от {day:%d.%m.%Y} № 45-о" in roadmap_text
    await roadmap.browser.post(
        f"{base}/report/register",
        data={"_csrf_token": roadmap.token, "number": "7", "registered_on": day.strftime("%d.%m.%Y")},
    )
    report_text = " ".join(pdf_pages((await roadmap.browser.get(f"{base}/report.pdf")).content))
    assert f"Рег. № 7 от {day:%d.%m.%Y}" in report_text
    page = await roadmap.browser.get(base)
    assert f"№ 45-о от {day:%d.%m.%Y}" in page.text


@pytest.mark.parametrize(
    ("number", "date", "message"),
    [
        ("", "2025-09-01", "Укажите регистрационный номер"),
        ("45<script>", "2025-09-01", "Номер — до 40 символов"),
        ("45-о", "", "Укажите дату регистрации."),
        ("45-о", "31.02.2025", "Дата записывается как дд.мм.гггг"),
        ("45-о", (dt.date.today() + dt.timedelta(days=30)).isoformat(), "не может быть позже сегодняшней"),
    ],
)
async def test_bad_registration_is_refused_and_nothing_is_saved(
    roadmap: Roadmap, db: AsyncSession, number: str, date: str, message: str
) -> None:
    reply = await roadmap.browser.post(
        f"{await docs_base(roadmap)}/order/register",
        data={"_csrf_token": roadmap.token, "number": number, "registered_on": date},
    )
    assert reply.status_code == 422
    assert message in reply.text
    if number:
        assert f'value="{html.escape(number)}"' in reply.text  # what was typed stays
    await set_school(db, roadmap.world.school_a.id)
    assert await db.scalar(select(func.count()).select_from(DocumentRegistration)) == 0


async def test_the_school_edits_its_regulation_and_the_document_follows(roadmap: Roadmap) -> None:
    school = roadmap.world.school_a.code
    page = await roadmap.browser.get(f"/s/{school}/documents/regulation")
    assert "## 1. Общие положения" in page.text
    empty = await roadmap.browser.post(
        f"/s/{school}/documents/regulation", data={"_csrf_token": roadmap.token, "text": "  "}
    )
    assert empty.status_code == 422
    assert "Текст Положения пуст" in empty.text
    text = (
        "## 1. Наше положение\n\nНаставничество в {организация_кратко} на {учебный_год} год.\n\n"
        "- первый пункт\n- второй пункт"
    )
    saved = await roadmap.browser.post(
        f"/s/{school}/documents/regulation",
        data={"_csrf_token": roadmap.token, "text": text},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    pdf = " ".join(
        pdf_pages((await roadmap.browser.get(f"{await docs_base(roadmap)}/regulation.pdf")).content)
    )
    assert "ПОЛОЖЕНИЕ" in pdf
    assert "1. Наше положение" in pdf
    assert f"Наставничество в Школа А на {YEAR.title} год." in pdf
    assert "второй пункт" in pdf
    word = docx.Document(
        io.BytesIO((await roadmap.browser.get(f"{await docs_base(roadmap)}/regulation.docx")).content)
    )
    assert any(p.style.name == "Heading 1" and p.text == "1. Наше положение" for p in word.paragraphs)
    reset = await roadmap.browser.post(
        f"/s/{school}/documents/regulation/reset", data={"_csrf_token": roadmap.token}, follow_redirects=False
    )
    assert reset.status_code == 303
    pdf = " ".join(
        pdf_pages((await roadmap.browser.get(f"{await docs_base(roadmap)}/regulation.pdf")).content)
    )
    assert "1. Общие положения" in pdf


async def test_unknown_document_or_format_is_404(roadmap: Roadmap) -> None:
    base = await docs_base(roadmap)
    for name in ("roadmap.exe", "secret.pdf", "roadmap"):
        assert (await roadmap.browser.get(f"{base}/{name}")).status_code == 404


async def test_psychologist_downloads_documents_but_cannot_register_them(
    roadmap: Roadmap, browser_for: Browser, db: AsyncSession, settings: Settings, world: World
) -> None:
    psychologist = await make_persona(
        db, settings, "psy", [Membership(Scope.SCHOOL, world.school_a.code, Role.PSYCHOLOGIST)]
    )
    browser = await browser_for(psychologist)
    base = await docs_base(roadmap)
    assert (await browser.get(f"{base}/roadmap.pdf")).status_code == 200
    page = await browser.get(base)
    assert "Зарегистрировать" not in page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    reply = await browser.post(
        f"{base}/order/register",
        data={"_csrf_token": token.group(1), "number": "1", "registered_on": "2025-09-01"},
    )
    assert reply.status_code == 403


async def test_school_b_gets_404_on_school_a_documents(
    roadmap: Roadmap, browser_for: Browser, curator_b: Persona, world: World
) -> None:
    other = await browser_for(curator_b)
    token = await csrf_token(other, f"/s/{world.school_b.code}/programme")
    base = await docs_base(roadmap)
    school = world.school_a.code
    for path in (base, f"{base}/roadmap.pdf", f"{base}/report.docx", f"/s/{school}/documents/regulation"):
        assert (await other.get(path, follow_redirects=False)).status_code == 404, path
    for path in (
        f"{base}/order/register",
        f"/s/{school}/documents/regulation",
        f"/s/{school}/documents/regulation/reset",
    ):
        reply = await other.post(
            path, data={"_csrf_token": token, "number": "1", "registered_on": "2025-09-01", "text": "## x"}
        )
        assert reply.status_code == 404, path


async def test_report_counts_pairs_and_groups_by_form_leaving_out_terminated_ones(
    roadmap: Roadmap, db: AsyncSession, world: World
) -> None:
    await set_school(db, world.school_a.id)
    forms = await reference_by_code(db, ReferenceKind.FORM)
    for code, status in (
        ("student_student", MentorshipStatus.ACTIVE),
        ("student_student", MentorshipStatus.FORMING),
        ("teacher_teacher", MentorshipStatus.ACTIVE),
        ("teacher_teacher", MentorshipStatus.TERMINATED),
    ):
        db.add(
            Mentorship(
                school_id=world.school_a.id, academic_year=YEAR.start, form_id=forms[code].id, status=status
            )
        )
    await db.flush()
    text = " ".join(pdf_pages((await roadmap.browser.get(f"{await docs_base(roadmap)}/report.pdf")).content))
    assert "Наставнические пары и группы по формам наставничества" in text
    assert "«Ученик – ученик» 2" in text
    assert "«Учитель – учитель» 1" in text
    assert "Всего пар и групп 3" in text


async def test_without_installed_fonts_the_curator_is_told_instead_of_an_error_page(
    roadmap: Roadmap, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fonts(_document: object) -> bytes:
        raise FontsMissingError("Нет шрифтов для документов")

    monkeypatch.setattr("nastavnik.platform.documents.render_pdf", no_fonts)
    base = await docs_base(roadmap)
    reply = await roadmap.browser.get(f"{base}/report.pdf", follow_redirects=False)
    assert reply.status_code == 303
    page = await roadmap.browser.get(base)
    assert "на сервере не установлены шрифты" in page.text
