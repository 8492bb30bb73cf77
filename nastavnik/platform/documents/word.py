"""python-docx renderer: the same structure as the PDF, editable in Word.

Real Word tables (header rows marked to repeat on each page), named paragraph styles
based on Times New Roman, page numbers as PAGE / NUMPAGES fields, so a curator can change
a line and print it again.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, cast

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

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

FONT_NAME = "Times New Roman"
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
HEADER_FILL = "E0E0E0"
SECTION_FILL = "F2F2F2"

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_LEFT_MM = 25
MARGIN_RIGHT_MM = 12
MARGIN_TOP_MM = 18
MARGIN_BOTTOM_MM = 18


def _set_font(element: Any, name: str = FONT_NAME) -> None:
    """Sets every script slot of a run/style font and drops theme fonts that would win."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_as_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _no_split(row: Any) -> None:
    """Header rows must not split; body rows may (long cells), as in the PDF."""
    trpr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    trpr.append(cant)


def _bottom_border(cell: _Cell) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "0")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    tcpr.append(borders)


def _add_field(paragraph: DocxParagraph, instruction: str, placeholder: str) -> None:
    """A complex field (PAGE, NUMPAGES) that Word updates when it lays out the pages."""

    def fld_char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    begin = paragraph.add_run()
    begin._r.append(fld_char("begin"))
    instr = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    instr._r.append(text)
    separate = paragraph.add_run()
    separate._r.append(fld_char("separate"))
    paragraph.add_run(placeholder)
    end = paragraph.add_run()
    end._r.append(fld_char("end"))


class DocxRenderer:
    def __init__(self, document: Document) -> None:
        self.doc = document
        self.word = docx.Document()
        self._style_ids: dict[str, str] = {}
        self.size = document.font_size
        self._setup_page()
        self._setup_styles()

    # ---- page and styles ----------------------------------------------------------

    def _setup_page(self) -> None:
        section = self.word.sections[0]
        if self.doc.orientation == "landscape":
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(PAGE_HEIGHT_MM), Mm(PAGE_WIDTH_MM)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        section.left_margin = Mm(MARGIN_LEFT_MM)
        section.right_margin = Mm(MARGIN_RIGHT_MM)
        section.top_margin = Mm(MARGIN_TOP_MM)
        section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
        section.footer_distance = Mm(8)
        width = section.page_width - section.left_margin - section.right_margin
        self.text_width = int(width)
        if self.doc.page_numbers:
            footer = section.footer.paragraphs[0]
            footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
            footer.style = self.word.styles["Footer"]
            footer.add_run("Страница ")
            _add_field(footer, "PAGE", "1")
            footer.add_run(" из ")
            _add_field(footer, "NUMPAGES", "1")
            for run in footer.runs:
                run.font.size = Pt(self.size - 2)

    def _paragraph_style(self, name: str, base: str = "Normal") -> ParagraphStyle:
        styles = self.word.styles
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles[base]
        return cast("ParagraphStyle", style)

    def _setup_styles(self) -> None:
        size = self.size
        normal = self._paragraph_style("Normal")
        normal.font.size = Pt(size)
        normal.font.name = FONT_NAME
        _set_font(normal.element)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.space_before = Pt(0)
        normal.paragraph_format.line_spacing = 1.0

        body = self._paragraph_style("Текст документа")
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        body.paragraph_format.first_line_indent = Mm(12.5)
        body.paragraph_format.space_after = Pt(size * 0.35)

        title = self._paragraph_style("Заголовок документа")
        title.font.bold = True
        title.font.size = Pt(size + 2)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_before = Pt(size * 0.8)
        title.paragraph_format.space_after = Pt(size * 0.3)
        title.paragraph_format.keep_with_next = True

        for level, space_before in ((1, 0.8), (2, 0.5)):
            heading = cast("ParagraphStyle", self.word.styles[f"Heading {level}"])
            heading.font.name = FONT_NAME
            _set_font(heading.element)
            heading.font.size = Pt(size)
            heading.font.bold = True
            heading.font.italic = False
            heading.font.color.rgb = RGBColor(0, 0, 0)
            heading.paragraph_format.space_before = Pt(size * space_before)
            heading.paragraph_format.space_after = Pt(size * 0.4)
            heading.paragraph_format.keep_with_next = True

        footer = self._paragraph_style("Footer")
        footer.font.size = Pt(size - 2)

    def _style_id(self, name: str) -> str:
        found = self._style_ids.get(name)
        if found is None:
            found = self._style_ids[name] = str(self.word.styles[name].style_id)
        return found

    def _cell_style(self, size: float) -> ParagraphStyle:
        style = self._paragraph_style(f"Текст таблицы {size:g}")
        style.font.size = Pt(size)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.first_line_indent = Mm(0)
        return style

    # ---- helpers --------------------------------------------------------------------

    def _runs(
        self, paragraph: DocxParagraph, text: Text, *, bold: bool = False, italic: bool = False
    ) -> None:
        for run in runs_of(text):
            lines = run.text.split("\n")
            for index, line in enumerate(lines):
                piece = paragraph.add_run(line)
                if run.bold or bold:
                    piece.bold = True
                if run.italic or italic:
                    piece.italic = True
                if index < len(lines) - 1:
                    piece.add_break(WD_BREAK.LINE)

    def _para(
        self,
        text: Text,
        *,
        style: str = "Normal",
        align: Align | None = None,
        bold: bool = False,
        italic: bool = False,
    ) -> DocxParagraph:
        paragraph = self.word.add_paragraph()
        paragraph._p.style = self._style_id(style)
        if align:
            paragraph.alignment = _ALIGN[align]
        self._runs(paragraph, text, bold=bold, italic=italic)
        return paragraph

    # ---- front matter -------------------------------------------------------------

    def render(self) -> bytes:
        doc = self.doc
        body = self.word.paragraphs[0] if self.word.paragraphs else None
        if body is not None and not body.text:
            body._p.getparent().remove(body._p)
        if doc.organisation_parent:
            p = self._para(doc.organisation_parent, align="center")
            p.runs[0].font.size = Pt(self.size - 1) if p.runs else None
        if doc.organisation:
            p = self._para(doc.organisation, align="center", bold=True)
            p.paragraph_format.space_after = Pt(self.size * 0.6)
        if doc.annex:
            self._stamp_lines([(line, False) for line in doc.annex], space_after=self.size * 0.3)
        if doc.approval:
            self._approval(doc.approval)
        self._para(doc.title, style="Заголовок документа")
        if doc.registration and doc.registration_before_subtitle:
            self._registration(doc.registration)
        if doc.subtitle:
            p = self._para(doc.subtitle, align="center", bold=True)
            p.paragraph_format.space_after = Pt(self.size * 0.8)
        if doc.registration and not doc.registration_before_subtitle:
            self._registration(doc.registration)
        for block in doc.blocks:
            self._block(block)
        properties = self.word.core_properties
        properties.title = doc.title if not doc.subtitle else f"{doc.title} {doc.subtitle}"
        properties.author = doc.author or doc.organisation
        properties.subject = doc.subject
        properties.comments = "Сформировано платформой «Наставник»"
        buffer = io.BytesIO()
        self.word.save(buffer)
        return buffer.getvalue()

    def _stamp_lines(self, lines: list[tuple[str, bool]], *, space_after: float) -> None:
        stamp = min(Mm(95), self.text_width // 2)
        for index, (text, bold) in enumerate(lines):
            p = self._para(text, align="left", bold=bold)
            p.paragraph_format.left_indent = self.text_width - stamp
            if text.startswith("____"):
                p.paragraph_format.space_before = Pt(6)
            if index == len(lines) - 1:
                p.paragraph_format.space_after = Pt(space_after)

    def _approval(self, approval: Approval) -> None:
        lines: list[tuple[str, bool]] = [(approval.title, True)]
        lines += [(line, False) for line in approval.lines]
        if approval.signer:
            lines.append((approval.signer.position, False))
            lines.append((f"____________ {approval.signer.name}", False))
            if approval.date or approval.blank_date:
                lines.append((format_date_long(approval.date), False))
        elif approval.date:
            lines.append((format_date_long(approval.date), False))
        self._stamp_lines(lines, space_after=self.size * 0.5)

    def _registration(self, reg: Registration) -> None:
        if reg.inline:
            p = self._para(typographic(reg.inline_text), align="right")
            p.paragraph_format.space_after = Pt(self.size * 0.6)
            return
        date_text = format_date(reg.date) if reg.date else "«___» __________ 20___ г."
        number_text = f"№ {reg.number}" if reg.number else "№ ______"
        p = self.word.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(self.text_width, alignment=WD_TAB_ALIGNMENT.RIGHT)
        p.paragraph_format.space_before = Pt(4)
        p.paragraph_format.space_after = Pt(4)
        p.add_run(typographic(f"{date_text}\t{number_text}"))
        if reg.place:
            self._para(reg.place, align="center")
        spacer = self.word.add_paragraph()
        spacer.paragraph_format.space_after = Pt(self.size * 0.3)

    # ---- blocks ---------------------------------------------------------------------

    def _block(self, block: object) -> None:
        if isinstance(block, Heading):
            self._para(block.text, style=f"Heading {block.level}", align=block.align)
        elif isinstance(block, Paragraph):
            p = self._para(
                block.text, style="Текст документа", align=block.align, bold=block.bold, italic=block.italic
            )
            if not block.indent:
                p.paragraph_format.first_line_indent = Mm(0)
            if block.space_after is not None:
                p.paragraph_format.space_after = Pt(block.space_after)
        elif isinstance(block, BulletList):
            self._list(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, SignatureBlock):
            self._signatures(block)
        elif isinstance(block, Spacer):
            p = self.word.add_paragraph()
            p.paragraph_format.space_after = Pt(max(block.points - self.size, 0))
        elif isinstance(block, PageBreak):
            self.word.add_page_break()  # type: ignore[no-untyped-call]
        elif isinstance(block, Figure):
            if block.caption:
                self._para(block.caption, style="Текст документа", align="left", italic=True)
        else:
            msg = f"Неизвестный блок документа: {type(block).__name__}"
            raise TypeError(msg)

    def _list(self, block: BulletList) -> None:
        for offset, item in enumerate(block.items):
            p = self.word.add_paragraph()
            p._p.style = self._style_id("Текст документа")
            p.paragraph_format.left_indent = Mm(10)
            p.paragraph_format.first_line_indent = Mm(-6)
            p.paragraph_format.space_after = Pt(2)
            p.alignment = _ALIGN[block.align]
            marker = f"{block.start + offset}.\t" if block.numbered else "–\t"
            p.paragraph_format.tab_stops.add_tab_stop(Mm(10))
            p.add_run(marker)
            self._runs(p, item)

    def _table(self, table: Table) -> None:
        if table.caption:
            p = self._para(table.caption, align="left", bold=True)
            p.paragraph_format.space_after = Pt(4)
            p.paragraph_format.keep_with_next = True
        columns = list(table.columns)
        total = sum(column.width for column in columns) or 1
        widths = [int(self.text_width * column.width / total) for column in columns]
        grid: DocxTable = self.word.add_table(rows=0, cols=len(columns))
        if table.borders:
            grid.style = self.word.styles["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.LEFT
        grid.autofit = False
        cell_style = self._cell_style(table.font_size)
        if table.show_header:
            row = grid.add_row()  # type: ignore[no-untyped-call]
            _repeat_as_header(row)
            _no_split(row)
            for cell, column, width in zip(row.cells, columns, widths, strict=True):
                cell.width = width
                self._cell_text(cell, column.title, cell_style, "center", bold=True)
                _shade(cell, HEADER_FILL)
        for data in table.rows:
            row = grid.add_row()  # type: ignore[no-untyped-call]
            cells = row.cells
            for cell, width in zip(cells, widths, strict=True):
                cell.width = width
            if isinstance(data, SectionRow):
                merged = cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]
                self._cell_text(merged, data.title, cell_style, "left", bold=True)
                _shade(merged, SECTION_FILL)
                continue
            self._row(cells, data, columns, cell_style)
        after = self.word.add_paragraph()
        after.paragraph_format.space_after = Pt(self.size * 0.3)

    def _row(
        self,
        cells: Sequence[_Cell],
        data: Sequence[str | Cell],
        columns: Sequence[Any],
        style: ParagraphStyle,
    ) -> None:
        for position, (cell, column) in enumerate(zip(cells, columns, strict=True)):
            value = data[position] if position < len(data) else ""
            if isinstance(value, Cell):
                self._cell_text(
                    cell, value.text, style, value.align or column.align, bold=value.bold, italic=value.italic
                )
            else:
                self._cell_text(cell, value, style, column.align)

    def _cell_text(
        self,
        cell: _Cell,
        text: Text,
        style: ParagraphStyle,
        align: Align,
        *,
        bold: bool = False,
        italic: bool = False,
    ) -> None:
        paragraph = cell.paragraphs[0]
        # Writing the style id directly: python-docx's `paragraph.style = …` rescans all
        # styles for the default on every call, which dominated the time of big tables.
        paragraph._p.style = style.style_id
        paragraph.alignment = _ALIGN[align]
        self._runs(paragraph, text, bold=bold, italic=italic)

    def _signatures(self, block: SignatureBlock) -> None:
        spacer = self.word.add_paragraph()
        spacer.paragraph_format.space_after = Pt(self.size * 0.5)
        table = self.word.add_table(rows=0, cols=3)
        table.autofit = False
        widths = [int(self.text_width * share) for share in (0.45, 0.25, 0.30)]
        small = self._cell_style(self.size - 3)
        normal = self._cell_style(self.size)
        for signer in block.signers:
            row = table.add_row()
            _no_split(row)
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
            self._cell_text(row.cells[0], signer.position, normal, "left")
            row.cells[0].paragraphs[0].paragraph_format.space_before = Pt(14)
            _bottom_border(row.cells[1])
            self._cell_text(row.cells[2], signer.name, normal, "left")
            row.cells[2].paragraphs[0].paragraph_format.left_indent = Mm(3)
            caption = table.add_row()
            for cell, width in zip(caption.cells, widths, strict=True):
                cell.width = width
            self._cell_text(caption.cells[1], "(подпись)", small, "center")
        if block.note:
            self._para(block.note)


def render_docx(document: Document) -> bytes:
    return DocxRenderer(document).render()
