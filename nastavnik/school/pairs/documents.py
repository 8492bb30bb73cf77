"""Documents made from pairs: the order «Об утверждении наставнических пар/групп» and the
written agreement (письменное соглашение) of each pair or group."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Role
from nastavnik.school.pairs.models import Mentorship
from nastavnik.tenants.models import School, StaffMember


async def staff_with_role(db: AsyncSession, school: School, role: Role) -> StaffMember | None:
    query = (
        select(StaffMember)
        .where(
            StaffMember.school_id == school.id,
            StaffMember.roles.contains([role]),
            StaffMember.left_at.is_(None),
        )
        .order_by(StaffMember.created_at)
    )
    return (await db.execute(query)).scalars().first()


def _signer(member: StaffMember | None, position: str) -> d.Signer:
    return d.Signer(position, d.initials_surname(member.full_name) if member else "")


def _people(members: Sequence[object]) -> str:
    names = []
    for m in members:
        person = m.participant  # type: ignore[attr-defined]
        extra = (
            f", {person.class_title} кл."
            if person.class_title
            else (f", {person.position}" if person.position else "")
        )
        names.append(person.full_name + extra)
    return "; ".join(names)


def order_document(
    school: School,
    mentorships: Sequence[Mentorship],
    *,
    year: int,
    form_title: str,
    number: str,
    date: dt.date | None,
    director: StaffMember | None,
    curator: StaffMember | None,
) -> d.Document:
    academic_year = AcademicYear(year).title
    has_groups = any(m.is_group for m in mentorships)
    doc = d.Document(
        title="ПРИКАЗ",
        subtitle="Об утверждении наставнических пар/групп",
        organisation=school.full_name,
        organisation_parent=school.municipality.name if school.municipality else None,
        registration=d.Registration(number=number or None, date=date),
        registration_before_subtitle=True,
        author=school.name,
        subject="Об утверждении наставнических пар/групп",
    )
    doc.add(
        d.Paragraph(
            "В соответствии с распоряжением Министерства просвещения Российской Федерации от 25.12.2019 "
            "№ Р-145 «Об утверждении методологии (целевой модели) наставничества обучающихся», "
            "Положением о наставничестве и программой наставничества на "
            f"{academic_year} учебный год, по итогам анализа анкет наставников и наставляемых и групповой "
            "встречи, в целях закрепления наставнических пар/групп"
        ),
        d.Paragraph("ПРИКАЗЫВАЮ:", indent=False, bold=True),
        d.BulletList(
            [
                (
                    f"Утвердить наставнические {'пары и группы' if has_groups else 'пары'} по форме "
                    f"наставничества «{form_title}» на {academic_year} учебный год (приложение)."
                ),
                (
                    "Наставникам совместно с наставляемыми в течение месяца составить планы индивидуального "
                    "развития (персонализированные программы наставничества)."
                ),
                (
                    "Куратору программ наставничества организовать первую (организационную) встречу каждой "
                    "пары/группы, вести учёт встреч и обратную связь не реже раза в месяц; организовать "
                    "психологическое сопровождение наставляемых, не сформировавших пару, и продолжить "
                    "поиск наставника."
                ),
                "Контроль за исполнением настоящего приказа "
                + (
                    "возложить на куратора программ наставничества "
                    f"{d.initials_surname(curator.full_name, d.Case.ACCUSATIVE)}."
                    if curator
                    else "оставляю за собой."
                ),
            ],
            numbered=True,
        ),
        d.SignatureBlock([_signer(director, "Директор")]),
        d.PageBreak(),
        d.Paragraph(
            f"Приложение к приказу от {d.format_date(date, '__.__.____')} № {number or '____'}",
            align="right",
            indent=False,
        ),
        d.Heading(f"Наставнические пары/группы на {academic_year} учебный год", level=2),
        d.Table(
            columns=[
                d.Column("№", 0.4, "center"),
                d.Column("Наставник", 2),
                d.Column("Наставляемый(е)", 2.4),
                d.Column("Направления", 2.2),
                d.Column("Срок", 1.2, "center"),
            ],
            rows=[
                [
                    str(m.number),
                    _people(m.mentors),
                    _people(m.mentees),
                    "; ".join(x.short_title or x.title for x in m.directions) or "—",
                    f"{d.format_date(m.started_on)} – {d.format_date(m.ends_on)}",
                ]
                for m in mentorships
            ],
        ),
    )
    return doc


AGREEMENT_DUTIES_MENTOR = [
    "помогать наставляемому в достижении целей плана индивидуального развития, делиться опытом и знаниями;",
    "проводить встречи в согласованное время, не реже двух раз в месяц;",
    "соблюдать конфиденциальность сведений о наставляемом;",
    "сообщать куратору о трудностях в работе пары/группы.",
]
AGREEMENT_DUTIES_MENTEE = [
    "участвовать во встречах и выполнять согласованные задания;",
    "сообщать наставнику о трудностях и своих достижениях;",
    "давать обратную связь о работе с наставником не реже раза в месяц.",
]


def agreement_document(
    school: School, mentorship: Mentorship, *, form_title: str, curator: StaffMember | None
) -> d.Document:
    """The written agreement of a pair or group; a minor mentee signs with a parent."""
    kind = "наставнической группы" if mentorship.is_group else "наставнической пары"
    doc = d.Document(
        title="СОГЛАШЕНИЕ",
        subtitle=f"о сотрудничестве участников {kind} № {mentorship.number}",
        organisation=school.full_name,
        author=school.name,
        subject="Письменное соглашение участников наставнической пары/группы",
    )
    mentors = _people(mentorship.mentors)
    mentees = _people(mentorship.mentees)
    directions = "; ".join(x.title for x in mentorship.directions) or "по плану индивидуального развития"
    doc.add(
        d.Paragraph(
            f"Наставник: {mentors}. Наставляем{'ые' if len(mentorship.mentees) > 1 else 'ый'}: {mentees}. "
            f"Форма наставничества: «{form_title}». Стороны заключили настоящее соглашение в рамках "
            f"программы наставничества {school.name}."
        ),
        d.Heading("1. Предмет соглашения", level=2, align="left"),
        d.Paragraph(
            f"Совместная работа по направлениям: {directions} — в соответствии с планом индивидуального "
            "развития (персонализированной программой наставничества), который является неотъемлемой частью "
            "соглашения."
        ),
        d.Heading("2. Наставник обязуется", level=2, align="left"),
        d.BulletList(AGREEMENT_DUTIES_MENTOR),
        d.Heading("3. Наставляемый обязуется", level=2, align="left"),
        d.BulletList(AGREEMENT_DUTIES_MENTEE),
        d.Heading("4. Срок действия", level=2, align="left"),
        d.Paragraph(
            f"Соглашение действует с {d.format_date(mentorship.started_on, '__.__.____')} по "
            f"{d.format_date(mentorship.ends_on, '__.__.____')} и может быть прекращено по инициативе любой "
            "из сторон с уведомлением куратора программы наставничества с указанием причины."
        ),
    )
    signers = [d.Signer("Наставник", d.initials_surname(m.participant.full_name)) for m in mentorship.mentors]
    for m in mentorship.mentees:
        signers.append(d.Signer("Наставляемый", d.initials_surname(m.participant.full_name)))
        if m.participant.is_minor():
            signers.append(d.Signer("Родитель (законный представитель) наставляемого", ""))
    signers.append(_signer(curator, "Куратор программы наставничества"))
    doc.add(d.Spacer(), d.SignatureBlock(signers))
    return doc
