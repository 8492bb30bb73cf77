"""Rules of the roadmap that need no database: uploads, progress, report wording, markup."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from nastavnik.platform import documents as d
from nastavnik.school.documents.builders import (
    deadline_text,
    execution_text,
    lower_first,
    place_of,
    regulation_blocks,
)
from nastavnik.school.programme.services import shift_date_by_a_year, shift_text_by_a_year
from nastavnik.school.roadmap.models import ItemStatus, RoadmapAttachment, RoadmapItem
from nastavnik.school.roadmap.services import is_due_soon, is_overdue, percent
from nastavnik.school.roadmap.storage import AttachmentStore, UploadRejectedError, check_upload

TODAY = dt.date(2026, 3, 16)
LIMIT = 1024 * 1024


def item(status: ItemStatus, due: dt.date, result: str = "") -> RoadmapItem:
    row = RoadmapItem(status=status, due_on=due, result_text=result, event="Событие")
    row.attachments = []
    return row


@pytest.mark.parametrize(
    ("status", "due", "overdue", "soon"),
    [
        (ItemStatus.PLANNED, TODAY - dt.timedelta(days=1), True, False),
        (ItemStatus.IN_PROGRESS, TODAY, False, True),
        (ItemStatus.POSTPONED, TODAY + dt.timedelta(days=14), False, True),
        (ItemStatus.PLANNED, TODAY + dt.timedelta(days=15), False, False),
        (ItemStatus.DONE, TODAY - dt.timedelta(days=30), False, False),
        (ItemStatus.NOT_DONE, TODAY - dt.timedelta(days=30), False, False),
    ],
)
def test_open_rows_are_overdue_after_their_date_and_due_soon_within_two_weeks(
    status: ItemStatus, due: dt.date, overdue: bool, soon: bool
) -> None:
    row = item(status, due)
    assert is_overdue(row, TODAY) is overdue
    assert is_due_soon(row, TODAY) is soon


def test_percent_rounds_and_survives_an_empty_roadmap() -> None:
    assert percent(1, 47) == 2
    assert percent(0, 0) == 0


def test_report_wording_of_each_status() -> None:
    done = item(ItemStatus.DONE, TODAY, "Издан приказ № 62-од")
    done.completed_on = dt.date(2025, 9, 23)
    done.attachments = [RoadmapAttachment(filename="скан.pdf")]
    assert execution_text(done, TODAY) == "Выполнено 23.09.2025. Издан приказ № 62-од Файлы: скан.pdf."
    assert (
        execution_text(item(ItemStatus.PLANNED, TODAY + dt.timedelta(days=5)), TODAY)
        == "Программа не завершена."
    )
    # Past its date and still planned: the report says what a school writes, no «Запланировано.».
    late = item(ItemStatus.PLANNED, TODAY - dt.timedelta(days=5))
    assert execution_text(late, TODAY) == "Программа не завершена."
    own_words = item(ItemStatus.PLANNED, TODAY, "Запланировано: конкурс «Наставник года».")
    assert execution_text(own_words, TODAY) == "Запланировано: конкурс «Наставник года»."
    assert execution_text(item(ItemStatus.IN_PROGRESS, TODAY - dt.timedelta(days=1)), TODAY) == (
        "В работе, срок прошёл."
    )
    assert execution_text(item(ItemStatus.NOT_DONE, TODAY), TODAY) == "Не выполнено."


def test_text_helpers_for_documents() -> None:
    assert deadline_text("сентябрь–октябрь") == "сентябрь – октябрь"
    assert lower_first("Заместитель директора по УВР") == "заместитель директора по УВР"
    assert place_of("г. Заречный, ул. Школьная, 2") == "г. Заречный"
    assert place_of("ул. Школьная, 2") is None
    assert shift_text_by_a_year("с 15 по 29 октября 2024 г.") == "с 15 по 29 октября 2025 г."
    assert shift_date_by_a_year(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


def test_regulation_markup_becomes_headings_paragraphs_and_lists() -> None:
    blocks = regulation_blocks(
        "## 1. Общие\n\nПервый абзац\nпродолжение.\n\n- раз\n- два\nПосле списка.\n# 2. Итог"
    )
    assert blocks == [
        d.Heading("1. Общие"),
        d.Paragraph("Первый абзац продолжение."),
        d.BulletList(["раз", "два"]),
        d.Paragraph("После списка."),
        d.Heading("2. Итог"),
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("", b"%PDF-1", "Выберите файл."),
        ("a.pdf", b"", "пуст"),
        ("a.pdf", b"%PDF-" + b"0" * LIMIT, "весит 1,1 МБ, а можно не больше 1 МБ"),
        ("a.svg", b"<svg/>", "Файлы такого типа прикреплять нельзя"),
        ("a.docx", b"%PDF-1", "не соответствует его расширению"),
    ],
)
def test_uploads_are_checked_by_size_extension_and_content(name: str, data: bytes, message: str) -> None:
    with pytest.raises(UploadRejectedError, match=message):
        check_upload(name, data, LIMIT)


def test_an_accepted_file_keeps_a_safe_name_and_its_type() -> None:
    checked = check_upload("../../Приказ: 62-од.PDF", b"%PDF-1.7 body", LIMIT)
    assert checked.filename == "Приказ_ 62-од.PDF"
    assert checked.content_type == "application/pdf"
    assert len(checked.sha256) == 64


def test_stored_files_live_under_the_storage_folder(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path)
    key = store.save(uuid.uuid4(), b"data")
    assert store.read(key) == b"data"
    assert (tmp_path / key).is_file()
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(ValueError, match="escapes"):
        store.read("../outside")
