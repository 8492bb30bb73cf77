"""Грамоты and благодарственные письма in bulk, and the two orders of the year's end.

Names and organisations are declined with the platform's morphology (`name_in`,
`title_in`, `initials_surname`): a letter of thanks goes «Ивановой Марии Петровне», to
the parents «Петровой Ольге Ивановне», to a partner «Обществу с ограниченной
ответственностью …»; the order «О поощрении» awards «Иванову Марию Петровну».
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform import documents as d
from nastavnik.platform import russian
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.db import set_school
from nastavnik.platform.russian import Case, Gender
from nastavnik.school.completion.models import Incentive, IncentiveKind, RecipientKind
from nastavnik.school.documents.builders import lower_first
from nastavnik.school.meetings.models import Meeting, MeetingKind
from nastavnik.school.pairs.documents import staff_with_role
from nastavnik.school.participants.models import Participant, ParticipantKind, PartnerOrganization
from nastavnik.tenants.models import School, StaffMember

LETTERS_LIMIT = 500


@dataclass(frozen=True)
class Recipient:
    """One letter's addressee, as the register holds it."""

    incentive: Incentive
    person: Participant | None
    partner: PartnerOrganization | None

    @property
    def name(self) -> str:
        if self.incentive.recipient is RecipientKind.PARENT:
            return self.incentive.parent_name
        if self.partner is not None:
            return self.partner.name
        return self.person.full_name if self.person else ""

    @property
    def is_organisation(self) -> bool:
        return self.incentive.recipient is RecipientKind.PARTNER


async def recipients(
    db: AsyncSession, school: School, year: int, kinds: Sequence[IncentiveKind]
) -> list[Recipient]:
    """The year's register entries of these kinds with their people, in one query (bounded)."""
    await set_school(db, school.id)
    rows = await db.execute(
        select(Incentive, Participant, PartnerOrganization)
        .outerjoin(
            Participant,
            and_(Participant.school_id == Incentive.school_id, Participant.id == Incentive.participant_id),
        )
        .outerjoin(
            PartnerOrganization,
            and_(
                PartnerOrganization.school_id == Incentive.school_id,
                PartnerOrganization.id == Incentive.partner_id,
            ),
        )
        .where(Incentive.school_id == school.id, Incentive.academic_year == year, Incentive.kind.in_(kinds))
        .order_by(
            Incentive.kind,
            Participant.last_name,
            PartnerOrganization.name,
            Incentive.parent_name,
            Incentive.id,
        )
        .limit(LETTERS_LIMIT)
    )
    return [Recipient(i, p, o) for i, p, o in rows]


def _gender(full_name: str) -> Gender:
    _, first, middle = russian.split_full_name(full_name)
    return russian.gender_of(first, middle)


def _dear(full_name: str) -> str:
    """«Уважаемая Мария Петровна!» — the first name and patronymic, as a letter addresses."""
    _, first, middle = russian.split_full_name(full_name)
    word = "Уважаемая" if _gender(full_name) is Gender.FEMALE else "Уважаемый"
    return f"{word} {' '.join(p for p in (first, middle) if p)}!"


def _child_word(pupil: Participant) -> str:
    gender = russian.gender_of(pupil.first_name, pupil.middle_name)
    return "дочери" if gender is Gender.FEMALE else "сына"


def _letter_blocks(
    school: School, year: AcademicYear, r: Recipient, director: StaffMember | None
) -> list[d.Block]:
    incentive = r.incentive
    wording = incentive.wording.strip()
    sign = d.SignatureBlock(
        [d.Signer("Директор", d.initials_surname(director.full_name) if director else "")]
    )
    date_line = d.Paragraph(d.format_date_long(incentive.issued_on), align="left", indent=False)
    header = d.Paragraph(school.full_name, align="center", indent=False, bold=True)
    if incentive.kind is IncentiveKind.CERTIFICATE:
        person = r.person
        position = person.position if person and person.position else ""
        return [
            header,
            d.Spacer(36),
            d.Heading("ГРАМОТА", level=1),
            d.Paragraph("награждается", align="center", indent=False),
            d.Paragraph(r.name, align="center", indent=False, bold=True),
            *([d.Paragraph(position, align="center", indent=False)] if position else []),
            d.Paragraph(
                (wording or "за высокие результаты наставнической деятельности")
                + f" в {year.title} учебном году",
                align="center",
                indent=False,
            ),
            d.Spacer(48),
            sign,
            date_line,
        ]
    if r.is_organisation:
        addressee = d.title_in(r.name, Case.DATIVE)
        body = (
            f"Администрация {d.title_in(school.name, Case.GENITIVE)} выражает благодарность {addressee} "
            + (
                wording
                or f"за сотрудничество в реализации программы наставничества в {year.title} учебном году"
            )
            + "."
        )
        return [
            header,
            d.Spacer(36),
            d.Heading("БЛАГОДАРСТВЕННОЕ ПИСЬМО", level=1),
            d.Paragraph(body),
            d.Spacer(48),
            sign,
            date_line,
        ]
    if incentive.recipient is RecipientKind.PARENT:
        pupil = r.person
        female = pupil is not None and russian.gender_of(pupil.first_name, pupil.middle_name) is Gender.FEMALE
        child = (
            f" {_child_word(pupil)} — наставника-обучающегося {d.name_in(pupil.full_name, Case.GENITIVE)}"
            if pupil
            else ""
        )
        body = (
            f"Администрация {d.title_in(school.name, Case.GENITIVE)} выражает благодарность "
            f"{d.name_in(r.name, Case.DATIVE)} за воспитание{child}, "
            + (
                wording
                or f"активно и ответственно помогавше{'й' if female else 'го'} другим ребятам "
                f"в {year.title} учебном году"
            )
            + "."
        )
        return [
            header,
            d.Spacer(36),
            d.Heading("БЛАГОДАРСТВЕННОЕ ПИСЬМО", level=1),
            d.Paragraph(_dear(r.name), align="center", indent=False, bold=True),
            d.Paragraph(body),
            d.Spacer(48),
            sign,
            date_line,
        ]
    body = (
        f"Администрация {d.title_in(school.name, Case.GENITIVE)} выражает благодарность "
        f"{d.name_in(r.name, Case.DATIVE)} "
        + (wording or f"за добросовестный труд наставника в {year.title} учебном году")
        + "."
    )
    return [
        header,
        d.Spacer(36),
        d.Heading("БЛАГОДАРСТВЕННОЕ ПИСЬМО", level=1),
        d.Paragraph(_dear(r.name), align="center", indent=False, bold=True),
        d.Paragraph(body),
        d.Spacer(48),
        sign,
        date_line,
    ]


def letters_document(
    school: School, year: AcademicYear, found: Sequence[Recipient], director: StaffMember | None
) -> d.Document:
    """Every letter and certificate of the list, one page each, in one file."""
    doc = d.Document(
        title="",
        author=school.name,
        subject=f"Грамоты и благодарственные письма {year.title}",
        page_numbers=False,
        font_size=14,
    )
    for number, recipient in enumerate(found):
        if number:
            doc.add(d.PageBreak())
        doc.add(*_letter_blocks(school, year, recipient, director))
    if not found:
        doc.add(d.Paragraph("В реестре поощрений этого года нет грамот и благодарственных писем."))
    return doc


def _staff_signer(member: StaffMember | None, position: str) -> d.Signer:
    return d.Signer(position, d.initials_surname(member.full_name) if member else "")


def _with_position(r: Recipient, case: Case) -> str:
    name = d.name_in(r.name, case)
    position = (
        r.person.position
        if r.person and r.person.position and r.person.kind is not ParticipantKind.PUPIL
        else ""
    )
    if r.person and r.person.kind is ParticipantKind.PUPIL and r.person.class_title:
        ending = "уюся" if _gender(r.name) is Gender.FEMALE else "егося"
        return f"{name}, обучающ{ending} {r.person.class_title} класса"
    return f"{name}, {lower_first(d.title_in(position, case))}" if position else name


def incentives_order(
    school: School,
    year: AcademicYear,
    found: Sequence[Recipient],
    *,
    director: StaffMember | None,
    curator: StaffMember | None,
) -> d.Document:
    """The order «О поощрении наставников»: who is awarded what, names declined."""
    doc = d.Document(
        title="ПРИКАЗ",
        subtitle="О поощрении наставников",
        organisation=school.full_name,
        organisation_parent=school.municipality.name if school.municipality else None,
        registration=d.Registration(),
        registration_before_subtitle=True,
        author=school.name,
        subject="О поощрении наставников",
    )
    by_kind: dict[IncentiveKind, list[Recipient]] = {}
    for r in found:
        by_kind.setdefault(r.incentive.kind, []).append(r)
    clauses: list[str] = []
    certificates = by_kind.get(IncentiveKind.CERTIFICATE, [])
    if certificates:
        clauses.append(
            "Наградить грамотами «Лучший наставник»: "
            + "; ".join(_with_position(r, Case.ACCUSATIVE) for r in certificates)
            + "."
        )
    gratitude = [
        r
        for r in by_kind.get(IncentiveKind.GRATITUDE, [])
        if r.incentive.recipient is RecipientKind.PARTICIPANT
    ]
    if gratitude:
        clauses.append(
            "Объявить благодарность за наставническую деятельность: "
            + "; ".join(_with_position(r, Case.DATIVE) for r in gratitude)
            + "."
        )
    parents = [
        r for r in by_kind.get(IncentiveKind.GRATITUDE, []) if r.incentive.recipient is RecipientKind.PARENT
    ]
    if parents:
        clauses.append(
            "Направить благодарственные письма родителям наставников из числа обучающихся: "
            + "; ".join(d.name_in(r.name, Case.DATIVE) for r in parents)
            + "."
        )
    partners = [r for r in by_kind.get(IncentiveKind.GRATITUDE, []) if r.is_organisation]
    if partners:
        clauses.append(
            "Направить благодарственные письма организациям-партнёрам: "
            + "; ".join(d.title_in(r.name, Case.DATIVE) for r in partners)
            + "."
        )
    nominated = by_kind.get(IncentiveKind.REGIONAL_NOMINATION, [])
    if nominated:
        clauses.append(
            "Выдвинуть на региональный конкурс профессионального мастерства наставников: "
            + "; ".join(_with_position(r, Case.ACCUSATIVE) for r in nominated)
            + "."
        )
    attestation = by_kind.get(IncentiveKind.ATTESTATION_RECORD, [])
    if attestation:
        clauses.append(
            "Учесть результаты наставнической деятельности при аттестации педагогических работников: "
            + "; ".join(d.initials_surname(r.name, Case.GENITIVE) for r in attestation)
            + "."
        )
    if not clauses:
        clauses.append("Поощрений в реестре этого года нет.")
    clauses.append(
        "Куратору программ наставничества "
        + (d.initials_surname(curator.full_name, Case.DATIVE) + " " if curator else "")
        + "разместить сведения о поощрённых наставниках на странице «Наставничество» официального сайта."
    )
    clauses.append("Контроль за исполнением настоящего приказа оставляю за собой.")
    doc.add(
        d.Paragraph(
            f"По итогам реализации программы наставничества в {year.title} учебном году, на основании "
            "Положения о наставничестве, в целях поощрения наставников за высокие результаты"
        ),
        d.Paragraph("ПРИКАЗЫВАЮ:", indent=False, bold=True),
        d.BulletList(clauses, numbered=True),
        d.SignatureBlock([_staff_signer(director, "Директор")]),
    )
    return doc


@dataclass(frozen=True)
class FinalEvent:
    held_on: dt.date | None
    topic: str
    notes: str


async def final_event(db: AsyncSession, school: School, year: int) -> FinalEvent:
    """The year's final ceremony as the meetings log has it (the latest one), or blanks."""
    row = (
        await db.execute(
            select(Meeting.held_on, Meeting.topic, Meeting.notes)
            .where(
                Meeting.school_id == school.id,
                Meeting.academic_year == year,
                Meeting.kind == MeetingKind.FINAL_CEREMONY,
            )
            .order_by(Meeting.held_on.desc())
            .limit(1)
        )
    ).first()
    return FinalEvent(row[0], row[1] or "", row[2] or "") if row else FinalEvent(None, "", "")


def final_event_order(
    school: School,
    year: AcademicYear,
    event: FinalEvent,
    *,
    director: StaffMember | None,
    curator: StaffMember | None,
) -> d.Document:
    """The order «О проведении итогового мероприятия в рамках реализации целевой модели наставничества»."""
    subject = "О проведении итогового мероприятия в рамках реализации целевой модели наставничества"
    doc = d.Document(
        title="ПРИКАЗ",
        subtitle=subject,
        organisation=school.full_name,
        organisation_parent=school.municipality.name if school.municipality else None,
        registration=d.Registration(),
        registration_before_subtitle=True,
        author=school.name,
        subject=subject,
    )
    when = d.format_date_long(event.held_on)
    topic = f" «{event.topic}»" if event.topic else ""
    curator_text = (
        d.name_in(curator.full_name, Case.ACCUSATIVE)
        + (f", {lower_first(d.title_in(curator.position, Case.ACCUSATIVE))}" if curator.position else "")
        if curator
        else "куратора программ наставничества"
    )
    curator_dative = d.initials_surname(curator.full_name, Case.DATIVE) if curator else ""
    doc.add(
        d.Paragraph(
            f"В целях подведения итогов реализации программы наставничества в {year.title} учебном году, "
            "выявления и распространения лучших практик наставничества, поощрения наставников"
        ),
        d.Paragraph("ПРИКАЗЫВАЮ:", indent=False, bold=True),
        d.BulletList(
            [
                f"Провести итоговое мероприятие программы наставничества{topic} {when}"
                + (f" ({event.notes.rstrip('.')})." if event.notes else ("" if when.endswith(".") else ".")),
                f"Назначить ответственным за подготовку и проведение мероприятия {curator_text}.",
                (
                    f"Куратору программ наставничества {curator_dative} подготовить итоги работы "
                    "наставнических пар и групп, кейсы лучших практик, наградные материалы; пригласить "
                    "наставников, наставляемых, родителей (законных представителей) и представителей "
                    "организаций-партнёров."
                ).replace("  ", " "),
                (
                    "Разместить информацию об итогах мероприятия на странице «Наставничество» "
                    "официального сайта."
                ),
                "Контроль за исполнением настоящего приказа оставляю за собой.",
            ],
            numbered=True,
        ),
        d.SignatureBlock([_staff_signer(director, "Директор")]),
    )
    return doc


async def signers(db: AsyncSession, school: School) -> tuple[StaffMember | None, StaffMember | None]:
    return await staff_with_role(db, school, Role.DIRECTOR), await staff_with_role(db, school, Role.CURATOR)
