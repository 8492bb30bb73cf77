"""ReportLab renderer: A4, DejaVu Serif embedded, Russian official layout.

Layout follows the habits of ГОСТ Р 7.0.97-2016 for organisational documents: the
organisation's name centred at the top of page one, the approval stamp in the top right
corner, a centred bold title, justified body text with a first-line indent, tables whose
header row repeats on every page, «Страница N из M» at the foot of each page, and a
signature block of position, signature line and initials with surname.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    SimpleDocTemplate,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Spacer as RLSpacer
from reportlab.platypus import Table as RLTable

from nastavnik.platform.documents.fonts import SERIF, register_fonts
from nastavnik.platform.documents.model import (
    Align,
    Approval,
    BulletList,
    Cell,
    Document,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Registration,
    SectionRow,
    SignatureBlock,
    Spacer,
    Table,
    Text,
    runs_of,
    typographic,
)
from nastavnik.platform.documents.text import format_date, format_date_long

# ReportLab compares alignment with these integer codes (its strings are not honoured
# everywhere), so keep the Literal type mypy wants.
_ALIGN: dict[str, Literal[0, 1, 2, 4]] = {
    "left": TA_LEFT,
    "center": TA_CENTER,
    "right": TA_RIGHT,
    "justify": TA_JUSTIFY,
}

MARGIN_LEFT = 25 * mm
MARGIN_RIGHT = 12 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 18 * mm

HEADER_FILL = colors.Color(0.88, 0.88, 0.88)
SECTION_FILL = colors.Color(0.95, 0.95, 0.95)


def _markup(text: Text, *, bold: bool = False, italic: bool = False) -> str:
    """Runs → ReportLab paragraph markup, with the text escaped."""
    parts = []
    for run in runs_of(text):
        chunk = escape(run.text).replace("\n", "<br/>")
        if run.bold or bold:
            chunk = f"<b>{chunk}</b>"
        if run.italic or italic:
            chunk = f"<i>{chunk}</i>"
        parts.append(chunk)
    return "".join(parts)


class _Styles:
    def __init__(self, size: float) -> None:
        face = SERIF.name
        leading = size * 1.25
        self.body = ParagraphStyle(
            "body",
            fontName=face,
            fontSize=size,
            leading=leading,
            alignment=TA_JUSTIFY,
            firstLineIndent=12.5 * mm,
            spaceAfter=size * 0.35,
        )
        self.plain = ParagraphStyle(
            "plain", parent=self.body, firstLineIndent=0, spaceAfter=0, alignment=TA_LEFT
        )
        self.org = ParagraphStyle(
            "org", parent=self.plain, fontName=SERIF.face(bold=True), alignment=TA_CENTER
        )
        self.org_parent = ParagraphStyle(
            "org_parent", parent=self.plain, fontSize=size - 1, alignment=TA_CENTER
        )
        self.title = ParagraphStyle(
            "title",
            parent=self.plain,
            fontName=SERIF.face(bold=True),
            fontSize=size + 2,
            leading=(size + 2) * 1.25,
            alignment=TA_CENTER,
            spaceBefore=size * 0.8,
            spaceAfter=size * 0.3,
        )
        self.subtitle = ParagraphStyle(
            "subtitle",
            parent=self.plain,
            fontName=SERIF.face(bold=True),
            alignment=TA_CENTER,
            spaceAfter=size * 0.8,
        )
        self.h1 = ParagraphStyle(
            "h1",
            parent=self.plain,
            fontName=SERIF.face(bold=True),
            alignment=TA_CENTER,
            spaceBefore=size * 0.8,
            spaceAfter=size * 0.5,
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=self.h1,
            fontName=SERIF.face(bold=True, italic=False),
            alignment=TA_LEFT,
            spaceBefore=size * 0.5,
            spaceAfter=size * 0.3,
        )
        self.footer_size = size - 2

    def cell(self, size: float, align: Align, *, bold: bool = False) -> ParagraphStyle:
        return ParagraphStyle(
            f"cell-{size}-{align}-{bold}",
            fontName=SERIF.face(bold=bold),
            fontSize=size,
            leading=size * 1.2,
            alignment=_ALIGN[align],
        )


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so that each can say «Страница N из M»."""

    font_size = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 — overrides ReportLab's camelCase API
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_page_number(number, total)
            super().showPage()
        super().save()

    def _draw_page_number(self, number: int, total: int) -> None:
        width, _height = self._pagesize  # type: ignore[attr-defined]
        self.setFont(SERIF.name, self.font_size)
        self.setFillColor(colors.black)
        self.drawCentredString(width / 2, MARGIN_BOTTOM / 2, f"Страница {number} из {total}")


class PdfRenderer:
    def __init__(self, document: Document) -> None:
        register_fonts()
        self.doc = document
        self.styles = _Styles(document.font_size)
        pagesize = landscape(A4) if document.orientation == "landscape" else A4
        self.pagesize = pagesize
        self.width = pagesize[0] - MARGIN_LEFT - MARGIN_RIGHT

    def render(self) -> bytes:
        buffer = io.BytesIO()
        template = SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=MARGIN_LEFT,
            rightMargin=MARGIN_RIGHT,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=self.doc.title if not self.doc.subtitle else f"{self.doc.title} {self.doc.subtitle}",
            author=self.doc.author or self.doc.organisation,
            subject=self.doc.subject,
            creator="Наставник",
        )
        story = self._front_matter()
        for block in self.doc.blocks:
            story.extend(self._block(block))
        font_size = self.styles.footer_size

        if self.doc.page_numbers:

            class Numbered(_NumberedCanvas):
                pass

            Numbered.font_size = font_size
            template.build(story, canvasmaker=Numbered)
        else:
            template.build(story)
        return buffer.getvalue()

    # ---- front matter -------------------------------------------------------------

    def _front_matter(self) -> list[Flowable]:
        doc, st = self.doc, self.styles
        story: list[Flowable] = []
        if doc.organisation_parent:
            story.append(RLParagraph(_markup(doc.organisation_parent), st.org_parent))
            story.append(RLSpacer(1, 2))
        if doc.organisation:
            story.append(RLParagraph(_markup(doc.organisation), st.org))
            story.append(RLSpacer(1, doc.font_size * 0.6))
        if doc.annex:
            story.append(self._stamp([RLParagraph(_markup(line), st.plain) for line in doc.annex]))
        if doc.approval:
            story.append(self._approval(doc.approval))
        story.append(RLParagraph(_markup(doc.title), st.title))
        if doc.registration and doc.registration_before_subtitle:
            story.extend(self._registration(doc.registration))
        if doc.subtitle:
            story.append(RLParagraph(_markup(doc.subtitle), st.subtitle))
        if doc.registration and not doc.registration_before_subtitle:
            story.extend(self._registration(doc.registration))
        return story

    def _approval(self, approval: Approval) -> Flowable:
        st = self.styles
        lines: list[Flowable] = [RLParagraph(_markup(approval.title, bold=True), st.plain)]
        lines += [RLParagraph(_markup(line), st.plain) for line in approval.lines]
        if approval.signer:
            lines.append(RLParagraph(_markup(approval.signer.position), st.plain))
            lines.append(RLSpacer(1, 6))
            lines.append(RLParagraph(escape(f"____________ {approval.signer.name}"), st.plain))
            if approval.date or approval.blank_date:
                lines.append(RLParagraph(escape(format_date_long(approval.date)), st.plain))
        elif approval.date:
            lines.append(RLParagraph(escape(format_date_long(approval.date)), st.plain))
        return self._stamp(lines)

    def _stamp(self, lines: list[Flowable]) -> Flowable:
        """A block in the top right corner (approval stamp, annex note)."""
        stamp_width = min(95 * mm, self.width * 0.5)
        table = RLTable(
            [["", lines]],
            colWidths=[self.width - stamp_width, stamp_width],
            style=TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            ),
        )
        table.spaceAfter = self.doc.font_size * 0.5
        return table

    def _registration(self, reg: Registration) -> list[Flowable]:
        st = self.styles
        if reg.inline:
            style = ParagraphStyle(
                "reg", parent=st.plain, alignment=TA_RIGHT, spaceAfter=self.doc.font_size * 0.6
            )
            return [RLParagraph(escape(typographic(reg.inline_text)), style)]
        date_text = format_date(reg.date) if reg.date else "«___» __________ 20___ г."
        number_text = f"№ {reg.number}" if reg.number else "№ ______"
        left = RLParagraph(escape(date_text), st.plain)
        right = RLParagraph(
            escape(typographic(number_text)), ParagraphStyle("r", parent=st.plain, alignment=TA_RIGHT)
        )
        table = RLTable(
            [[left, right]],
            colWidths=[self.width / 2, self.width / 2],
            style=TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            ),
        )
        table.spaceBefore = 4
        table.spaceAfter = 4
        out: list[Flowable] = [table]
        if reg.place:
            out.append(
                RLParagraph(escape(reg.place), ParagraphStyle("p", parent=st.plain, alignment=TA_CENTER))
            )
        out.append(RLSpacer(1, self.doc.font_size * 0.6))
        return out

    # ---- blocks ---------------------------------------------------------------------

    def _block(self, block: object) -> list[Flowable]:  # noqa: PLR0911 — one return per block type
        st = self.styles
        if isinstance(block, Heading):
            style = st.h1 if block.level == 1 else st.h2
            style = ParagraphStyle(f"{style.name}-{block.align}", parent=style, alignment=_ALIGN[block.align])
            return [RLParagraph(_markup(block.text), style)]
        if isinstance(block, Paragraph):
            style = ParagraphStyle(
                "p",
                parent=st.body,
                alignment=_ALIGN[block.align],
                firstLineIndent=st.body.firstLineIndent if block.indent else 0,
            )
            if block.space_after is not None:
                style.spaceAfter = block.space_after
            return [RLParagraph(_markup(block.text, bold=block.bold, italic=block.italic), style)]
        if isinstance(block, BulletList):
            return [self._list(block)]
        if isinstance(block, Table):
            return self._table(block)
        if isinstance(block, SignatureBlock):
            return [self._signatures(block)]
        if isinstance(block, Spacer):
            return [RLSpacer(1, block.points)]
        if isinstance(block, PageBreak):
            return [RLPageBreak()]
        if isinstance(block, Figure):
            caption = [RLParagraph(_markup(block.caption), st.body)] if block.caption else []
            return [block.drawing, *caption]
        msg = f"Неизвестный блок документа: {type(block).__name__}"
        raise TypeError(msg)

    def _list(self, block: BulletList) -> Flowable:
        style = ParagraphStyle(
            "li", parent=self.styles.body, firstLineIndent=0, spaceAfter=2, alignment=_ALIGN[block.align]
        )
        items: list[Any] = [ListItem(RLParagraph(_markup(item), style)) for item in block.items]
        if block.numbered:
            return ListFlowable(
                items,
                bulletType="1",
                start=block.start,
                bulletFontName=SERIF.name,
                bulletFontSize=self.doc.font_size,
                leftIndent=10 * mm,
                bulletFormat="%s.",
            )
        return ListFlowable(
            items,
            bulletType="bullet",
            start="–",
            bulletFontName=SERIF.name,
            bulletFontSize=self.doc.font_size,
            leftIndent=8 * mm,
        )

    def _table(self, table: Table) -> list[Flowable]:
        st = self.styles
        size = table.font_size
        total = sum(column.width for column in table.columns) or 1
        widths = [self.width * column.width / total for column in table.columns]
        data: list[list[Any]] = []
        commands: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if table.borders:
            commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        header_rows = 0
        if table.show_header:
            header_style = st.cell(size, "center", bold=True)
            data.append([RLParagraph(_markup(c.title), header_style) for c in table.columns])
            commands += [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ]
            header_rows = 1
        last = len(table.rows) - 1 + header_rows
        for row in table.rows:
            index = len(data)
            if isinstance(row, SectionRow):
                cells: list[Any] = [RLParagraph(_markup(row.title), st.cell(size, "left", bold=True))]
                cells += [""] * (len(table.columns) - 1)
                data.append(cells)
                commands += [
                    ("SPAN", (0, index), (-1, index)),
                    ("BACKGROUND", (0, index), (-1, index), SECTION_FILL),
                ]
                if index < last:
                    # A section title never stays alone at the foot of a page.
                    commands.append(("NOSPLIT", (0, index), (-1, index + 1)))
                continue
            data.append(self._row(row, table, size))
        flowables: list[Flowable] = []
        if table.caption:
            caption_style = ParagraphStyle("caption", parent=st.plain, alignment=TA_LEFT, spaceAfter=4)
            flowables.append(RLParagraph(_markup(table.caption, bold=True), caption_style))
        grid = RLTable(
            data,
            colWidths=widths,
            repeatRows=header_rows,
            splitByRow=1,
            # Rows are never cut in two: a split row left the repeated header in the middle
            # of a page above the row's first lines.
            splitInRow=0,
            style=TableStyle(commands),
            hAlign="LEFT",
        )
        grid.spaceBefore = 2
        grid.spaceAfter = self.doc.font_size * 0.6
        flowables.append(grid)
        return flowables

    def _row(self, row: Sequence[str | Cell], table: Table, size: float) -> list[Any]:
        cells: list[Any] = []
        for position, column in enumerate(table.columns):
            value = row[position] if position < len(row) else ""
            if isinstance(value, Cell):
                style = self.styles.cell(size, value.align or column.align, bold=value.bold)
                cells.append(RLParagraph(_markup(value.text, bold=value.bold, italic=value.italic), style))
            else:
                style = self.styles.cell(size, column.align)
                cells.append(RLParagraph(_markup(value), style))
        return cells

    def _signatures(self, block: SignatureBlock) -> Flowable:
        st = self.styles
        small = ParagraphStyle("small", parent=st.plain, fontSize=st.footer_size - 1, alignment=TA_CENTER)
        right = ParagraphStyle("sig-name", parent=st.plain, alignment=TA_LEFT)
        data: list[list[Any]] = []
        commands: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ]
        for signer in block.signers:
            index = len(data)
            data.append(
                [RLParagraph(_markup(signer.position), st.plain), "", RLParagraph(escape(signer.name), right)]
            )
            data.append(["", RLParagraph("(подпись)", small), ""])
            commands += [
                ("LINEBELOW", (1, index), (1, index), 0.6, colors.black),
                ("TOPPADDING", (0, index), (-1, index), 14),
                ("TOPPADDING", (0, index + 1), (-1, index + 1), 0),
            ]
        widths = [self.width * 0.45, self.width * 0.25, self.width * 0.30]
        table = RLTable(data, colWidths=widths, style=TableStyle(commands), hAlign="LEFT")
        table.spaceBefore = self.doc.font_size
        flowables: list[Flowable] = [table]
        if block.note:
            flowables.append(RLParagraph(_markup(block.note), st.plain))
        return KeepTogether(flowables)


def render_pdf(document: Document) -> bytes:
    return PdfRenderer(document).render()
