"""The programme's documents described from its data, once, for both PDF and DOCX.

Each builder takes a `DocumentData` (everything read from the database beforehand) and
returns a `documents.Document`; rendering is the toolkit's business.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from nastavnik.platform import documents as d
from nastavnik.platform.documents.text import (
    format_date,
    initials_surname,
    name_in,
    surname_initials,
    title_in,
)
from nastavnik.platform.russian import Case
from nastavnik.school.documents.models import DocumentKind, DocumentRegistration
from nastavnik.school.documents.regulation_default import DEFAULT_REGULATION
from nastavnik.school.meetings.models import MEETING_KIND_SHORT
from nastavnik.school.programme.figures import REPORTED_MEETING_KINDS, Figures
from nastavnik.school.programme.models import Programme, ProgrammeModel
from nastavnik.school.roadmap.models import ITEM_STATUS_TITLES, ItemStatus, RoadmapItem
from nastavnik.school.roadmap.services import RoadmapView
from nastavnik.tenants.models import School, StaffMember

R145 = (
    "распоряжением Министерства просвещения Российской Федерации от 25.12.2019 № Р-145 «Об утверждении "
    "методологии (целевой модели) наставничества обучающихся для организаций, осуществляющих "
    "образовательную деятельность по общеобразовательным, дополнительным общеобразовательным и "
    "программам среднего профессионального образования, в том числе с применением лучших практик "
    "обмена опытом между обучающимися»"
)
TEACHERS_RECOMMENDATIONS = (
    "письмом Министерства просвещения Российской Федерации от 21.12.2021 № АЗ-1128/08 «О направлении "
    "методических рекомендаций» (вместе с Методическими рекомендациями по разработке и внедрению системы "
    "(целевой модели) наставничества педагогических работников в образовательных организациях)"
)


@dataclass
class DocumentData:
    school: School
    programme: Programme
    view: RoadmapView
    figures: Figures
    registrations: dict[DocumentKind, DocumentRegistration]
    director: StaffMember | None
    curator: StaffMember | None
    form_titles: list[str] = field(default_factory=list)
    regulation_text: str = DEFAULT_REGULATION
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def year(self) -> str:
        return self.programme.year.title

    @property
    def municipality(self) -> str | None:
        return self.school.municipality.name if "municipality" in self.school.__dict__ else None

    def registration(self, kind: DocumentKind, *, inline: bool) -> d.Registration:
        found = self.registrations.get(kind)
        place = place_of(self.school.address)
        if found is None:
            return d.Registration(place=None if inline else place, inline=inline)
        return d.Registration(found.number, found.registered_on, None if inline else place, inline=inline)

    @property
    def order_reference(self) -> str | None:
        """«от 01.09.2025 № 45-о» when the order is registered."""
        order = self.registrations.get(DocumentKind.ORDER)
        return f"от {format_date(order.registered_on)} № {order.number}" if order else None

    @property
    def director_signer(self) -> d.Signer:
        position = (
            self.director.position if self.director and self.director.position else "Директор"
        ).strip()
        position = self.with_school(position)
        name = initials_surname(self.director.full_name) if self.director else ""
        return d.Signer(position, name)

    def with_school(self, position: str) -> str:
        """«Директор» → «Директор МБОУ СОШ № 2», as a signature names the organisation."""
        return position if self.school.name in position else f"{position} {self.school.name}"

    @property
    def curator_signer(self) -> d.Signer:
        position = "Куратор программ наставничества"
        return d.Signer(position, initials_surname(self.curator.full_name) if self.curator else "")


def place_of(address: str) -> str | None:
    """«г. Заречный, ул. Школьная, 2» → «г. Заречный» (the place printed under an order's number)."""
    first = address.split(",", maxsplit=1)[0].strip()
    prefixes = ("г.", "с.", "п.", "пос.", "пгт", "д.", "ст-ца", "рп", "село", "город", "посёлок")
    return first if first.lower().startswith(prefixes) else None


def deadline_text(text: str) -> str:
    """«сентябрь–октябрь» → «сентябрь – октябрь», so a narrow column can break the period."""
    return re.sub(r"\s*[–—]\s*", " – ", text).strip()


def lower_first(text: str) -> str:
    """«Заместитель директора по УВР» → «заместитель директора по УВР» (abbreviations kept)."""
    return text[:1].lower() + text[1:]


def responsible_text(item: RoadmapItem) -> str:
    people = [surname_initials(s.full_name) for s in item.responsible_staff]
    if item.responsible_note:
        people.append(item.responsible_note)
    return ", ".join(people)


def _organisation(doc: d.Document, data: DocumentData) -> d.Document:
    doc.organisation = data.school.full_name
    doc.organisation_parent = data.municipality
    doc.author = data.school.full_name
    return doc


# --- roadmap ---------------------------------------------------------------------------


def roadmap_document(data: DocumentData) -> d.Document:
    programme = data.programme
    annex = [f"Приложение 2 к приказу {data.order_reference}"] if data.order_reference else []
    if programme.approved_at:
        approval = d.Approval(
            signer=d.Signer(
                data.with_school(programme.approved_by_position), initials_surname(programme.approved_by_name)
            ),
            date=programme.approved_at.astimezone().date(),
        )
    else:
        approval = d.Approval(signer=data.director_signer)
    doc = _organisation(
        d.Document(
            title="ДОРОЖНАЯ КАРТА",
            subtitle=(
                f"(план мероприятий) реализации целевой модели наставничества в {data.school.name} "
                f"на {data.year} учебный год"
            ),
            annex=annex,
            approval=approval,
            registration=data.registration(DocumentKind.ROADMAP, inline=True)
            if DocumentKind.ROADMAP in data.registrations
            else None,
            orientation="landscape",
            subject=f"Дорожная карта {data.year}",
        ),
        data,
    )
    rows: list[d.Row | d.SectionRow] = []
    for stage in data.view.stages:
        rows.append(d.SectionRow(f"{stage.number}. {stage.stage.title}"))
        rows.extend(
            [
                f"{stage.number}.{item.position}",
                item.event,
                deadline_text(item.deadline_text),
                responsible_text(item),
                item.expected_result,
            ]
            for item in stage.items
        )
    doc.add(
        d.Table(
            columns=[
                d.Column("№ п/п", 0.9, "center"),
                d.Column("Мероприятие", 6),
                d.Column("Срок", 1.7),
                d.Column("Ответственный", 2.2),
                d.Column("Результат / вид документа", 2.4),
            ],
            rows=rows,
        ),
        d.SignatureBlock([data.curator_signer]),
    )
    return doc


# --- execution report -------------------------------------------------------------------


def execution_text(item: RoadmapItem, today: dt.date) -> str:
    """What the report says about a row, as a school writes it (seed 000).

    A row still planned says «Программа не завершена» when nothing is written about it,
    else just what is written (the school's own «Запланировано: …»), never a status prefix
    on top; a done row starts with its completion date.
    """
    done = item.result_text.strip()
    parts: list[str] = []
    if item.status is ItemStatus.DONE:
        parts.append("Выполнено" + (f" {format_date(item.completed_on)}" if item.completed_on else "") + ".")
    elif item.status is ItemStatus.PLANNED:
        if not done:
            parts.append("Программа не завершена.")
    elif item.status is ItemStatus.IN_PROGRESS:
        if not done:
            parts.append("В работе." if item.due_on >= today else "В работе, срок прошёл.")
    else:
        parts.append(ITEM_STATUS_TITLES[item.status] + ".")
    if done:
        parts.append(done)
    if item.attachments:
        parts.append("Файлы: " + ", ".join(a.filename for a in item.attachments) + ".")
    return " ".join(parts)


def _percent_text(value: int | None) -> str:
    return f"{value} %" if value is not None else "—"


def _surveyed_text(count: int | None, percent: int | None) -> str:
    """«52 (10 %)», or «нет данных» when no survey was recorded for the year."""
    if count is None:
        return "нет данных"
    return f"{count} ({percent} %)" if percent is not None else str(count)


def report_document(data: DocumentData) -> d.Document:
    programme, view, figures = data.programme, data.view, data.figures
    doc = _organisation(
        d.Document(
            title="ОТЧЁТ",
            subtitle=(
                f"об исполнении дорожной карты по реализации целевой модели наставничества в "
                f"{data.school.name} за {data.year} учебный год"
            ),
            registration=data.registration(DocumentKind.REPORT, inline=True)
            if DocumentKind.REPORT in data.registrations
            else None,
            subject=f"Отчёт об исполнении дорожной карты {data.year}",
            orientation="landscape",
        ),
        data,
    )
    doc.add(d.Heading("1. Цель реализации"))
    doc.add(d.Paragraph(programme.goals or "Цель программы не указана."))
    doc.add(d.Heading("2. Формы наставничества"))
    if data.form_titles:
        doc.add(
            d.Paragraph(
                f"В {data.year} учебном году в {data.school.name} реализовывались следующие формы "
                "наставничества:"
            ),
            d.BulletList([f"«{title}»" for title in data.form_titles], align="left"),
        )
    else:
        doc.add(d.Paragraph("Формы наставничества в программе не указаны."))
    doc.add(d.Heading("3. Этапы наставничества"))
    doc.add(d.Paragraph(f"Дорожная карта программы включает {len(view.stages)} этапов (разделов):"))
    doc.add(
        d.BulletList(
            [f"{s.stage.title} — выполнено {s.done} из {s.total} мероприятий" for s in view.stages],
            numbered=True,
            align="left",
        )
    )
    doc.add(d.Heading("4. Исполнение дорожной карты"))
    rows: list[d.Row | d.SectionRow] = []
    for stage in view.stages:
        rows.append(d.SectionRow(f"{stage.number}. {stage.stage.title}"))
        rows.extend(
            [
                f"{stage.number}.{item.position}",
                item.event,
                deadline_text(item.deadline_text),
                responsible_text(item),
                execution_text(item, data.today),
            ]
            for item in stage.items
        )
    doc.add(
        d.Table(
            columns=[
                d.Column("№ п/п", 0.9, "center"),
                d.Column("Мероприятие", 4.6),
                d.Column("Срок", 1.6),
                d.Column("Ответственный", 2),
                d.Column("Что сделано", 5.2),
            ],
            rows=rows,
        )
    )
    doc.add(d.Heading("5. Показатели"))
    contingent = figures.contingent
    facts: list[d.Row | d.SectionRow] = [d.SectionRow("Исполнение дорожной карты")]
    facts += [
        ["Мероприятий всего", str(view.total)],
        ["Выполнено", f"{view.done} ({view.percent} %)"],
        ["В работе", str(view.count(ItemStatus.IN_PROGRESS))],
        ["Запланировано", str(view.count(ItemStatus.PLANNED))],
        ["Перенесено", str(view.count(ItemStatus.POSTPONED))],
        ["Не выполнено", str(view.count(ItemStatus.NOT_DONE))],
    ]
    if programme.closed_on:
        facts.append(["Программа закрыта", format_date(programme.closed_on)])
    else:
        facts.append([f"Просрочено на {format_date(data.today)}", str(len(view.overdue))])
    facts += [
        d.SectionRow("Анкетирование потенциальных наставляемых"),
        [
            "Обучающихся, прошедших анкетирование (доля от обучающихся)",
            _surveyed_text(figures.surveyed.pupils, figures.pupils_surveyed_share),
        ],
        [
            "Педагогов, прошедших анкетирование (доля от педагогов)",
            _surveyed_text(figures.surveyed.teachers, figures.teachers_surveyed_share),
        ],
    ]
    facts.append(d.SectionRow("Контингент и охват наставничеством"))
    if contingent is not None:
        facts += [
            ["Обучающихся всего / в возрасте 10-19 лет", f"{contingent.pupils} / {contingent.pupils_10_19}"],
            [
                "Педагогических работников / молодых педагогов",
                f"{contingent.teachers} / {contingent.young_teachers}",
            ],
        ]
    else:
        facts.append(["Контингент", "не указан"])
    facts += [
        [
            "Наставляемых обучающихся 10-19 лет (доля от обучающихся 10-19 лет)",
            f"{figures.pupil_mentees_10_19} ({_percent_text(figures.pupils_share)})",
        ],
        [
            "Наставляемых педагогов (доля от педагогов)",
            f"{figures.teacher_mentees} ({_percent_text(figures.teachers_share)})",
        ],
        [
            "Наставляемых молодых педагогов (доля от молодых педагогов)",
            f"{figures.young_teacher_mentees} ({_percent_text(figures.young_teachers_share)})",
        ],
        ["Наставников", str(figures.mentors)],
    ]
    if figures.pairs_by_form:
        facts.append(d.SectionRow("Наставнические пары и группы по формам наставничества"))
        facts += [[f"«{title}»", str(count)] for title, count in figures.pairs_by_form]
        facts.append(["Всего пар и групп", str(figures.pairs)])
    if figures.pairs_by_direction:
        facts.append(d.SectionRow("Наставнические пары и группы по направлениям наставничества"))
        facts += [[title, str(count)] for title, count in figures.pairs_by_direction]
    doc.add(
        d.Table(
            columns=[d.Column("Показатель", 6), d.Column("Значение", 2, "center")],
            rows=facts,
        )
    )
    if figures.meetings_by_direction:
        doc.add(
            d.Heading("6. Встречи наставников и наставляемых по направлениям"),
            d.Paragraph("Число пар и групп, проведших встречу, по направлениям наставничества."),
            d.Table(
                columns=[
                    d.Column("Направление", 5),
                    *(d.Column(MEETING_KIND_SHORT[k], 1.8, "center") for k in REPORTED_MEETING_KINDS),
                ],
                rows=[
                    [title, *(str(by_kind[k]) for k in REPORTED_MEETING_KINDS)]
                    for title, by_kind in figures.meetings_by_direction
                ],
            ),
        )
    doc.add(d.SignatureBlock([data.curator_signer, data.director_signer]))
    return doc


# --- order «Об организации наставничества» -------------------------------------------


def order_document(data: DocumentData) -> d.Document:
    programme, school = data.programme, data.school
    basis = TEACHERS_RECOMMENDATIONS if programme.model is ProgrammeModel.TEACHERS else R145
    doc = _organisation(
        d.Document(
            title="ПРИКАЗ",
            subtitle="Об организации наставничества",
            registration=data.registration(DocumentKind.ORDER, inline=False),
            registration_before_subtitle=True,
            subject=f"Приказ об организации наставничества {data.year}",
        ),
        data,
    )
    curator = data.curator
    curator_text = (
        name_in(curator.full_name, Case.ACCUSATIVE)
        + (f", {lower_first(title_in(curator.position, Case.ACCUSATIVE))}" if curator.position else "")
        if curator
        else "______________________________ (Ф. И. О., должность)"
    )
    curator_short = initials_surname(curator.full_name, Case.DATIVE) if curator else "куратору"
    last_due = max((i.due_on for i in data.view.items), default=programme.year.ends)
    doc.add(
        d.Paragraph(
            "В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской "
            f"Федерации», {basis}, в целях максимально полного раскрытия потенциала личности наставляемого, "
            "создания условий для формирования эффективной системы поддержки, самоопределения и "
            "профессиональной ориентации обучающихся и педагогических работников"
        ),
        d.Paragraph("ПРИКАЗЫВАЮ:", indent=False, bold=True),
        d.BulletList(
            [
                f"Внедрить целевую модель наставничества в {school.name} в {data.year} учебном году.",
                f"Утвердить Положение о наставничестве в {school.name} (приложение 1).",
                (
                    "Утвердить дорожную карту (план мероприятий) реализации целевой модели наставничества "
                    f"на {data.year} учебный год (приложение 2)."
                ),
                f"Утвердить программу наставничества на {data.year} учебный год (приложение 3).",
                f"Назначить куратором реализации программ наставничества {curator_text}.",
                (
                    f"Куратору ({curator_short}) обеспечить исполнение дорожной карты, формирование баз "
                    "наставников и наставляемых, мониторинг реализации программы наставничества; "
                    f"в срок до {format_date(last_due)} представить отчёт об исполнении дорожной карты."
                ),
                (
                    "Разместить настоящий приказ и Положение о наставничестве на официальном сайте "
                    "в разделе «Наставничество»."
                ),
                "Контроль за исполнением настоящего приказа оставляю за собой.",
            ],
            numbered=True,
        ),
        d.SignatureBlock([data.director_signer]),
        d.Spacer(18),
        d.Paragraph("С приказом ознакомлен(а):", indent=False),
        d.SignatureBlock([data.curator_signer], note="«___» ____________ 20___ г."),
    )
    return doc


# --- regulation ------------------------------------------------------------------------


def fill_placeholders(text: str, data: DocumentData) -> str:
    values = {
        "{организация}": data.school.full_name,
        "{организация_кратко}": data.school.name,
        "{учебный_год}": data.year,
        "{куратор}": initials_surname(data.curator.full_name) if data.curator else "",
        "{директор}": initials_surname(data.director.full_name) if data.director else "",
    }
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def regulation_blocks(text: str) -> list[d.Block]:
    """The light markup of the regulation text → headings, paragraphs and lists."""
    blocks: list[d.Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(d.Paragraph(" ".join(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(d.BulletList(list(items)))
            items.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith(("## ", "# ")):
            flush()
            blocks.append(d.Heading(line.lstrip("#").strip()))
        elif line.startswith(("- ", "– ", "— ", "* ")):
            if paragraph:
                blocks.append(d.Paragraph(" ".join(paragraph)))
                paragraph.clear()
            items.append(line[2:].strip())
        else:
            if items:
                blocks.append(d.BulletList(list(items)))
                items.clear()
            paragraph.append(line)
    flush()
    return blocks


def regulation_document(data: DocumentData) -> d.Document:
    reference = data.order_reference
    approval = d.Approval(
        title="УТВЕРЖДЕНО",
        lines=["приказом руководителя", reference or "от «___» ____________ 20___ г. № ______"],
        blank_date=False,
    )
    doc = _organisation(
        d.Document(
            title="ПОЛОЖЕНИЕ",
            subtitle=f"о наставничестве в {data.school.name}",
            annex=[f"Приложение 1 к приказу {reference}"] if reference else [],
            approval=approval,
            registration=data.registration(DocumentKind.REGULATION, inline=True)
            if DocumentKind.REGULATION in data.registrations
            else None,
            subject="Положение о наставничестве",
        ),
        data,
    )
    doc.blocks.extend(regulation_blocks(fill_placeholders(data.regulation_text, data)))
    return doc


BUILDERS: dict[DocumentKind, Callable[[DocumentData], d.Document]] = {
    DocumentKind.ORDER: order_document,
    DocumentKind.REGULATION: regulation_document,
    DocumentKind.ROADMAP: roadmap_document,
    DocumentKind.REPORT: report_document,
}

FILE_TITLES: dict[DocumentKind, str] = {
    DocumentKind.ORDER: "Приказ об организации наставничества",
    DocumentKind.REGULATION: "Положение о наставничестве",
    DocumentKind.ROADMAP: "Дорожная карта",
    DocumentKind.REPORT: "Отчёт об исполнении дорожной карты",
}
