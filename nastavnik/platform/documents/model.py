"""The description of an official document, rendered by both the PDF and the DOCX renderer.

A document is described once, as data: the organisation's header, an optional approval
stamp («УТВЕРЖДАЮ»), the title, the registration (number and date) and a list of blocks.
The renderers decide how it looks; callers never touch ReportLab or python-docx.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Align = Literal["left", "center", "right", "justify"]
Orientation = Literal["portrait", "landscape"]


@dataclass(frozen=True)
class Run:
    """A piece of text with its own emphasis inside a paragraph or a cell."""

    text: str
    bold: bool = False
    italic: bool = False


Text = str | Sequence[Run]


def typographic(text: str) -> str:
    """A number sign never ends a line: «№ 45» keeps its number (non-breaking space)."""
    return text.replace("№ ", "№\u00a0")


def runs_of(text: Text) -> list[Run]:
    runs = [Run(text)] if isinstance(text, str) else list(text)
    return [Run(typographic(r.text), r.bold, r.italic) for r in runs]


def plain_text(text: Text) -> str:
    return text if isinstance(text, str) else "".join(run.text for run in text)


@dataclass(frozen=True)
class Heading:
    text: str
    level: Literal[1, 2] = 1
    align: Align = "center"


@dataclass(frozen=True)
class Paragraph:
    """Body text. By default justified with a first-line indent, as Russian documents are."""

    text: Text
    align: Align = "justify"
    indent: bool = True
    bold: bool = False
    italic: bool = False
    # Points of space after the paragraph; None keeps the renderer's default.
    space_after: float | None = None


@dataclass(frozen=True)
class BulletList:
    items: Sequence[Text]
    numbered: bool = False
    # Numbered lists may continue a numbering that started elsewhere, e.g. «3.», «4.».
    start: int = 1
    # Short items read better ragged-right; clauses of an order are justified like the body.
    align: Align = "justify"


@dataclass(frozen=True)
class Column:
    title: str
    # Relative width: the renderers share the available width in these proportions.
    width: float = 1.0
    align: Align = "left"


@dataclass(frozen=True)
class Cell:
    text: Text
    bold: bool = False
    italic: bool = False
    align: Align | None = None


@dataclass(frozen=True)
class SectionRow:
    """A row spanning the whole table, e.g. a roadmap stage title."""

    title: str


Row = Sequence["str | Cell"]


@dataclass(frozen=True)
class Table:
    """A grid whose header row repeats on every page the table runs onto."""

    columns: Sequence[Column]
    rows: Sequence[Row | SectionRow]
    caption: str | None = None
    # Smaller than body text: wide official tables are set at 10-11 pt.
    font_size: float = 10
    # Rows of two or more cells that carry label/value pairs need no header.
    show_header: bool = True
    borders: bool = True


@dataclass(frozen=True)
class Signer:
    position: str
    # «И. О. Фамилия» as it is printed under a signature.
    name: str


@dataclass(frozen=True)
class SignatureBlock:
    """Position — signature line — initials and surname, one line per signer."""

    signers: Sequence[Signer]
    # Printed after the lines, e.g. «М.П.» for a stamp; usually empty.
    note: str | None = None


@dataclass(frozen=True)
class Spacer:
    points: float = 12


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Figure:
    """A chart drawn by ReportLab's charting library (a `reportlab.graphics.shapes.Drawing`).

    The PDF draws it as it is; the DOCX, which has no vector drawing of its own, prints the
    caption only, so a chart is always accompanied by a table with the same figures.
    """

    drawing: Any
    caption: str = ""


Block = Heading | Paragraph | BulletList | Table | SignatureBlock | Spacer | PageBreak | Figure


@dataclass(frozen=True)
class Approval:
    """The stamp in the top right corner: «УТВЕРЖДАЮ / Директор … / ____ И. О. Фамилия / дата».

    For documents approved by an order use `title="УТВЕРЖДЕНО"` and `lines=["приказом от … № …"]`
    without a signer.
    """

    title: str = "УТВЕРЖДАЮ"
    lines: Sequence[str] = ()
    signer: Signer | None = None
    date: dt.date | None = None
    # Without a date, a blank «__» ________ 20__ г. is printed when there is a signer.
    blank_date: bool = True


@dataclass(frozen=True)
class Registration:
    """The document's registration: number and date, printed under the title (order style)."""

    number: str | None = None
    date: dt.date | None = None
    place: str | None = None
    # One line «Рег. № 12 от 01.09.2025» at the right instead of the order-style line
    # with the date on the left and the number on the right.
    inline: bool = False

    @property
    def inline_text(self) -> str:
        number = self.number or "______"
        date = self.date.strftime("%d.%m.%Y") if self.date else "«___» __________ 20___ г."
        return f"Рег. № {number} от {date}"


@dataclass
class Document:
    title: str
    # The organisation's full name, as in its charter; printed at the top of page one.
    organisation: str = ""
    # Lines above the organisation (founder, e.g. «Управление образования …»), smaller.
    organisation_parent: str | None = None
    subtitle: str | None = None
    # Printed at the top right above the approval stamp, e.g. «Приложение 1 к приказу от … № …».
    annex: Sequence[str] = ()
    approval: Approval | None = None
    registration: Registration | None = None
    # Orders print «ПРИКАЗ» as the title and the subject («Об организации …») as subtitle,
    # with the registration line between them; other documents put it under the subtitle.
    registration_before_subtitle: bool = False
    blocks: list[Block] = field(default_factory=list)
    orientation: Orientation = "portrait"
    font_size: float = 12
    page_numbers: bool = True
    author: str = ""
    subject: str = ""

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self
