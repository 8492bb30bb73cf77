"""The document toolkit: one description, a PDF with intact Cyrillic and a real DOCX."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from nastavnik.platform import documents as d
from nastavnik.platform.documents import fonts

ORGANISATION = (
    "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 2»"
)
COLUMNS = [
    d.Column("№", 0.5, "center"),
    d.Column("Мероприятие", 5),
    d.Column("Срок", 1.6),
    d.Column("Ответственный", 2),
    d.Column("Результат", 2),
]


def _rows(count: int) -> list[d.Row | d.SectionRow]:
    rows: list[d.Row | d.SectionRow] = [
        d.SectionRow("1. Подготовка условий для запуска программы наставничества")
    ]
    rows.extend(
        [
            f"1.{number}",
            f"Мероприятие номер {number}: информирование родителей, педагогов и обучающихся (ёЁ щЩ ъЪ)",
            "сентябрь–октябрь",
            "Иванова М. П.",
            d.Cell("Приказ", bold=True),
        ]
        for number in range(1, count + 1)
    )
    return rows


def _document(rows: int = 60) -> d.Document:
    doc = d.Document(
        title="ДОРОЖНАЯ КАРТА",
        subtitle="реализации целевой модели наставничества на 2025-2026 учебный год",
        organisation=ORGANISATION,
        organisation_parent="Управление образования администрации г. Заречного",
        approval=d.Approval(
            signer=d.Signer("Директор МБОУ СОШ № 2", "И. И. Иванов"), date=dt.date(2025, 9, 1)
        ),
        registration=d.Registration(number="45-о", date=dt.date(2025, 9, 2), place="г. Заречный"),
        orientation="landscape",
    )
    doc.add(
        d.Heading("Цели и задачи"),
        d.Paragraph(
            [d.Run("Цель: ", bold=True), d.Run("раскрытие личностного потенциала каждого обучающегося.")]
        ),
        d.BulletList(["обучающийся – обучающийся", "педагог – педагог"]),
        d.BulletList(["первый пункт", "второй пункт"], numbered=True, start=3),
        d.Table(columns=COLUMNS, rows=_rows(rows), caption="Таблица 1"),
        d.SignatureBlock([d.Signer("Куратор программ наставничества", "М. П. Иванова")]),
    )
    return doc


def _flat(text: str) -> str:
    """Wrapped lines come back with line breaks; words are what we compare."""
    return " ".join(text.split())


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_keeps_every_cyrillic_word_and_row() -> None:
    pages = _pages(d.render_pdf(_document()))
    text = _flat(" ".join(pages))
    assert "ДОРОЖНАЯ КАРТА" in text
    assert "Средняя общеобразовательная школа № 2" in text
    assert "УТВЕРЖДАЮ" in text
    assert "«01» сентября 2025 г." in text
    assert "02.09.2025" in text
    assert "№ 45-о" in text
    assert "М. П. Иванова" in text
    for number in range(1, 61):
        assert f"Мероприятие номер {number}:" in text
    assert "(ёЁ щЩ ъЪ)" in text


def test_pdf_repeats_the_table_header_on_every_page_and_numbers_pages() -> None:
    pages = _pages(d.render_pdf(_document(rows=60)))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Страница {number} из {len(pages)}" in text
    # Every page that carries rows of the table starts them under the header.
    for text in pages[1:]:
        if "Мероприятие номер" in text:
            assert re.search(r"№\s*Мероприятие\s*Срок\s*Ответственный\s*Результат", text), text[:300]


def test_pdf_never_cuts_a_row_or_repeats_the_header_mid_page() -> None:
    # Rows of very different heights, as in an execution report with long «what was done».
    table = d.Table(
        columns=COLUMNS,
        rows=[
            [
                f"{n}",
                f"Строка {n}. " + "Подробный отчёт о выполнении. " * (1 + (n * 7) % 13),
                "сентябрь",
                "И. М.",
                "—",
            ]
            for n in range(1, 80)
        ],
    )
    doc = d.Document(title="ОТЧЁТ", organisation=ORGANISATION, orientation="landscape")
    doc.add(table)
    pages = _pages(d.render_pdf(doc))
    assert len(pages) >= 3
    seen: list[str] = []
    for text in pages:
        assert len(re.findall(r"№\s*Мероприятие\s*Срок", text)) <= 1, text[:400]
        seen.extend(re.findall(r"Строка (\d+)\.", text))
    # Every row is printed whole on one page: its number appears exactly once.
    assert seen == [str(n) for n in range(1, 80)]


def test_pdf_embeds_the_dejavu_font() -> None:
    reader = PdfReader(io.BytesIO(d.render_pdf(_document(rows=3))))
    fonts_used = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts_used.add(str(font.get_object()["/BaseFont"]))
    assert any("DejaVuSerif" in name for name in fonts_used)


def test_docx_has_the_same_structure_as_real_word_objects() -> None:
    word = docx.Document(io.BytesIO(d.render_docx(_document(rows=12))))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "ДОРОЖНАЯ КАРТА" in text
    assert "УТВЕРЖДАЮ" in text
    assert "02.09.2025\t№\u00a045-о" in text  # the number never leaves its sign
    assert word.styles["Normal"].font.name == "Times New Roman"
    roadmap, signatures = word.tables
    header = roadmap.rows[0]
    assert [c.text for c in header.cells] == [c.title for c in COLUMNS]
    assert header._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
    assert roadmap.rows[1].cells[0].text == roadmap.rows[1].cells[-1].text  # merged section row
    assert roadmap.rows[2].cells[1].text.startswith("Мероприятие номер 1:")
    assert len(roadmap.rows) == 1 + 1 + 12
    assert signatures.rows[0].cells[2].text == "М. П. Иванова"
    section = word.sections[0]
    assert section.page_width > section.page_height  # landscape
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml
    assert "NUMPAGES" in footer_xml
    assert word.core_properties.title.startswith("ДОРОЖНАЯ КАРТА")


def test_portrait_order_puts_the_registration_between_title_and_subject() -> None:
    doc = d.Document(
        title="ПРИКАЗ",
        subtitle="Об организации наставничества",
        organisation=ORGANISATION,
        registration=d.Registration(),
        registration_before_subtitle=True,
    )
    doc.add(
        d.Paragraph("ПРИКАЗЫВАЮ:", indent=False, bold=True),
        d.PageBreak(),
        d.Spacer(24),
        d.Paragraph("Конец."),
    )
    text = "\n".join(_pages(d.render_pdf(doc)))
    assert text.index("ПРИКАЗ") < text.index("№ ______") < text.index("Об организации наставничества")
    assert "Страница 2 из 2" in text
    word = docx.Document(io.BytesIO(d.render_docx(doc)))
    paragraphs = [p.text for p in word.paragraphs]
    assert paragraphs.index("ПРИКАЗ") < paragraphs.index("Об организации наставничества")


def test_xlsx_export_has_a_header_and_the_rows() -> None:
    table = d.Table(columns=COLUMNS, rows=_rows(5))
    book = load_workbook(io.BytesIO(d.render_xlsx([("Дорожная карта: 2025/2026", table)])))
    sheet = book.worksheets[0]
    assert sheet.title == "Дорожная карта  2025 2026"
    assert [c.value for c in sheet[1]] == [c.title for c in COLUMNS]
    assert sheet["A2"].value.startswith("1. Подготовка")
    assert sheet["E3"].value == "Приказ"
    assert sheet.freeze_panes == "A2"


def test_missing_fonts_are_reported_with_how_to_install_them(tmp_path: Path) -> None:
    with pytest.raises(d.FontsMissingError, match="vendor-assets"):
        fonts.check_fonts(tmp_path)


def test_text_helpers_follow_russian_conventions() -> None:
    assert d.format_date(dt.date(2025, 9, 1)) == "01.09.2025"
    assert d.format_date_long(dt.date(2026, 5, 25)) == "«25» мая 2026 г."
    assert d.initials_surname("Иванова Мария Петровна") == "М. П. Иванова"
    assert d.surname_initials("Иванова Мария Петровна") == "Иванова М. П."
    disposition = d.content_disposition("Дорожная карта 2025-2026.pdf")
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%94" in disposition
