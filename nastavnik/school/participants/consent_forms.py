"""Consent forms (152-ФЗ) pre-filled for the selected people, to print and sign.

An adult signs for themself; for a minor the form is made out to a parent or legal
representative, whose name is left blank to be written by hand. One document, one page
per person, rendered to PDF or DOCX by the platform's document toolkit.
"""

from __future__ import annotations

from nastavnik.platform import documents as d
from nastavnik.school.participants.models import (
    CONSENT_SCOPE_TITLES,
    ConsentScope,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.tenants.models import School

BLANK_NAME = "_" * 58
BLANK_SHORT = "_" * 24

DATA_LIST = (
    "фамилия, имя, отчество; дата рождения; класс (для обучающихся); "
    "место работы, должность, преподаваемые предметы, педагогический стаж, квалификационная "
    "категория (для педагогов и сотрудников организаций-партнёров); адрес электронной почты "
    "и номер телефона; запросы и направления наставничества; сведения об обучении наставников "
    "и результатах собеседования; результаты участия в программе наставничества"
)
ACTIONS = (
    "сбор, запись, систематизацию, накопление, хранение, уточнение (обновление, изменение), "
    "извлечение, использование, передачу (предоставление, доступ) в пределах целей обработки, "
    "обезличивание, блокирование, удаление и уничтожение, с использованием средств автоматизации "
    "(платформа «Наставник») и без них"
)


def _person_line(person: Participant) -> str:
    parts = [person.full_name]
    if person.birth_date:
        parts.append(f"дата рождения {d.format_date(person.birth_date)}")
    if person.kind is ParticipantKind.PUPIL and person.class_title:
        parts.append(f"обучающийся {person.class_title} класса")
    elif person.position:
        parts.append(person.position)
    return ", ".join(parts)


def _consent_blocks(school: School, person: Participant) -> list[d.Block]:
    minor = person.is_minor()
    organisation = d.title_in(school.full_name or school.name, d.Case.DATIVE)
    address = f", адрес: {school.address}" if school.address else ""
    if minor:
        opening = (
            f"Я, {BLANK_NAME}, (фамилия, имя, отчество родителя или законного представителя), "
            f"документ, удостоверяющий личность: {BLANK_SHORT}, являясь родителем (законным "
            f"представителем) несовершеннолетнего: {_person_line(person)}, в соответствии со статьёй 9 "
            "Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных» даю согласие "
            f"{organisation}{address} (далее — Оператор) на обработку персональных данных моего "
            "ребёнка на следующих условиях."
        )
    else:
        opening = (
            f"Я, {_person_line(person)}, документ, удостоверяющий личность: {BLANK_SHORT}, в "
            "соответствии со статьёй 9 Федерального закона от 27.07.2006 № 152-ФЗ «О персональных "
            f"данных» даю согласие {organisation}{address} (далее — Оператор) на обработку моих "
            "персональных данных на следующих условиях."
        )
    subject = "персональных данных моего ребёнка" if minor else "моих персональных данных"
    blocks: list[d.Block] = [
        d.Paragraph(opening, align="left"),
        d.Paragraph(
            "1. Цель обработки: участие в программе наставничества Оператора (целевая модель "
            "наставничества, распоряжение Минпросвещения России от 25.12.2019 № Р-145): формирование "
            "баз наставников и наставляемых, подбор наставнических пар и групп, проведение встреч, "
            "мониторинг и оценка результатов, отчётность."
        ),
        d.Paragraph(f"2. Перечень {subject}, на обработку которых даётся согласие: {DATA_LIST}."),
        d.Paragraph(f"3. Действия с персональными данными: {ACTIONS}."),
        d.Paragraph("4. Кроме того, я (отметьте нужное):"),
        d.Paragraph(
            f"□ согласен(на) — {CONSENT_SCOPE_TITLES[ConsentScope.REGIONAL_BANK].lower()} "
            "(для поиска наставника другими образовательными организациями региона);",
            align="left",
        ),
        d.Paragraph(
            f"□ согласен(на) — {CONSENT_SCOPE_TITLES[ConsentScope.PUBLICATION].lower()} "
            "на официальном сайте Оператора в разделе «Наставничество».",
            align="left",
        ),
        d.Paragraph(
            "5. Согласие действует со дня подписания до окончания участия в программе наставничества "
            "и может быть отозвано в любой момент письменным заявлением, поданным Оператору. После "
            "отзыва Оператор прекращает обработку и уничтожает персональные данные в срок, "
            "установленный частью 5 статьи 21 Федерального закона № 152-ФЗ, за исключением "
            "сведений, хранение которых предусмотрено законодательством."
        ),
        d.Spacer(10),
        d.Table(
            columns=[d.Column("", 1.7), d.Column("", 1.2), d.Column("", 1.9)],
            rows=[
                [
                    "«___» ____________ 20___ г.",
                    "____________________\n(подпись)",
                    "______________________________\n(расшифровка подписи)",
                ]
            ],
            show_header=False,
            borders=False,
            font_size=10,
        ),
    ]
    return blocks


def consent_document(school: School, people: list[Participant]) -> d.Document:
    doc = d.Document(
        title="СОГЛАСИЕ",
        subtitle="на обработку персональных данных участника программы наставничества",
        organisation=school.full_name or school.name,
        author=school.name,
        subject="Согласия на обработку персональных данных",
        font_size=10.5,
        page_numbers=False,
    )
    for index, person in enumerate(people):
        if index:
            # Each page is handed out on its own: it repeats the organisation and the title.
            doc.add(
                d.PageBreak(),
                d.Paragraph(school.full_name or school.name, align="center", indent=False, bold=True),
                d.Heading("СОГЛАСИЕ"),
                d.Paragraph(
                    "на обработку персональных данных участника программы наставничества",
                    align="center",
                    indent=False,
                    bold=True,
                ),
            )
        doc.add(*_consent_blocks(school, person))
    return doc


def consent_filename(extension: str) -> str:
    return f"Согласия на обработку ПД {d.format_date(local_today())}.{extension}"
