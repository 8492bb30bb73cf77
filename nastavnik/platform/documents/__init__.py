"""The document toolkit: describe an official document once, render it as PDF and DOCX.

    from nastavnik.platform import documents as d

    doc = d.Document(
        title="ПРИКАЗ",
        subtitle="Об организации наставничества",
        organisation="Муниципальное бюджетное общеобразовательное учреждение …",
        registration=d.Registration(number="45-о", date=date(2025, 9, 1)),
        registration_before_subtitle=True,
    )
    doc.add(d.Paragraph("В соответствии с …"), d.Table(columns=[…], rows=[…]),
            d.SignatureBlock([d.Signer("Директор", "И. И. Иванов")]))
    pdf_bytes, docx_bytes = d.render_pdf(doc), d.render_docx(doc)

`FontsMissingError` is raised when the DejaVu fonts were not installed at setup.
"""

from nastavnik.platform.documents.fonts import FontsMissingError, check_fonts
from nastavnik.platform.documents.model import (
    Approval,
    Block,
    BulletList,
    Cell,
    Column,
    Document,
    Heading,
    PageBreak,
    Paragraph,
    Registration,
    Row,
    Run,
    SectionRow,
    SignatureBlock,
    Signer,
    Spacer,
    Table,
    plain_text,
)
from nastavnik.platform.documents.pdf import render_pdf
from nastavnik.platform.documents.rendering import off_loop
from nastavnik.platform.documents.text import (
    content_disposition,
    format_date,
    format_date_long,
    initials_surname,
    name_in,
    surname_initials,
    title_in,
)
from nastavnik.platform.documents.word import render_docx
from nastavnik.platform.documents.xlsx import render_xlsx
from nastavnik.platform.russian import Case

PDF_MEDIA_TYPE = "application/pdf"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = [
    "DOCX_MEDIA_TYPE",
    "PDF_MEDIA_TYPE",
    "XLSX_MEDIA_TYPE",
    "Approval",
    "Block",
    "BulletList",
    "Case",
    "Cell",
    "Column",
    "Document",
    "FontsMissingError",
    "Heading",
    "PageBreak",
    "Paragraph",
    "Registration",
    "Row",
    "Run",
    "SectionRow",
    "SignatureBlock",
    "Signer",
    "Spacer",
    "Table",
    "check_fonts",
    "content_disposition",
    "format_date",
    "format_date_long",
    "initials_surname",
    "name_in",
    "off_loop",
    "plain_text",
    "render_docx",
    "render_pdf",
    "render_xlsx",
    "surname_initials",
    "title_in",
]
