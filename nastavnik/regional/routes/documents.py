"""The ИОМ as schools file it (PDF and editable DOCX), and the tutor's caseload report.

The ИОМ: the teacher, the desired professional self, achievements, the profile of deficits
per area, the roadmap table (activity, deficits, dates, status, product), the teacher's view
of the products, corrections and the reflective analysis with the change per area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from nastavnik.platform import documents as d
from nastavnik.regional.routes.models import (
    ACTIVITY_KIND_TITLES,
    ACTIVITY_STATUS_TITLES,
    STEP_STATUS_TITLES,
    STEP_TITLES,
    RegionTutor,
)
from nastavnik.regional.routes.services import CaseloadRow, RouteView


def _day(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def _score(value: float | None) -> str:
    return f"{value:.1f}".replace(".", ",") if value is not None else "—"


def iom_document(view: RouteView) -> d.Document:
    route = view.route
    doc = d.Document(
        title="ИНДИВИДУАЛЬНЫЙ ОБРАЗОВАТЕЛЬНЫЙ МАРШРУТ",
        subtitle="педагогического работника",
        organisation=route.school_name,
        author="ЦНППМ",
        subject=f"ИОМ: {route.teacher_name}",
    )
    doc.add(
        d.Table(
            columns=[d.Column("", 1), d.Column("", 2)],
            rows=[
                ["Педагог", route.teacher_name],
                ["Должность", route.teacher_position or "—"],
                ["Предмет", route.subject or "—"],
                ["Образовательная организация", route.school_name],
                ["Тьютор ЦНППМ", route.tutor_name or "не назначен"],
                ["Срок реализации", f"{_day(route.starts_on)} — {_day(route.ends_on)}"],
            ],
            show_header=False,
        ),
        d.Heading("1. Самоопределение: желаемый образ себя как профессионала", level=2, align="left"),
        d.Paragraph(view.step_content(1) or "Не заполнено."),
        d.Heading("2. Достижения и личностные ресурсы", level=2, align="left"),
        d.Paragraph(view.step_content(2) or "Не заполнено."),
        d.Heading("3. Профессиональные дефициты по областям", level=2, align="left"),
        d.Table(
            columns=[
                d.Column("Область", 3),
                d.Column("Самооценка", 1, "center"),
                d.Column("Тьютор", 1, "center"),
                d.Column("Куратор", 1, "center"),
                d.Column("Итог", 1, "center"),
                d.Column("Вывод", 2),
            ],
            rows=[
                [
                    a.title,
                    _score(a.self_score),
                    _score(a.tutor_score),
                    _score(a.curator_score),
                    _score(a.combined),
                    a.level,
                ]
                for a in view.profile
            ],
            caption="Оценки по шкале 1-5: 5 — владеет уверенно; ниже 3,5 — дефицит.",
        ),
        d.Heading("4-5. Дорожная карта и её реализация", level=2, align="left"),
    )
    if view.activities:
        doc.add(
            d.Table(
                columns=[
                    d.Column("№", 0.4, "center"),
                    d.Column("Мероприятие", 3),
                    d.Column("Дефициты", 1.6),
                    d.Column("Сроки", 1.4),
                    d.Column("Статус", 1.1),
                    d.Column("Продукт", 2),
                ],
                rows=[
                    [
                        str(i),
                        d.Cell(
                            f"{a.title}\n{ACTIVITY_KIND_TITLES[a.kind]}"
                            + (f"; {a.details}" if a.details else "")
                        ),
                        ", ".join(view.area_titles.get(c, c) for c in a.area_codes),
                        f"{_day(a.starts_on)} — {_day(a.ends_on)}",
                        ACTIVITY_STATUS_TITLES[a.status],
                        (a.product_title or "—")
                        + (f"\n{a.product_url}" if a.product_url else "")
                        + (f"\nфайл: {a.product_filename}" if a.product_filename else ""),
                    ]
                    for i, a in enumerate(view.activities, start=1)
                ],
                font_size=9,
            )
        )
        views = [f"{a.title}: {a.teacher_view}" for a in view.activities if a.teacher_view]
        if views:
            doc.add(
                d.Paragraph("Отношение педагога к результатам:", indent=False, bold=True), d.BulletList(views)
            )
    else:
        doc.add(d.Paragraph("Мероприятия ещё не запланированы."))
    doc.add(d.Heading("6. Корректировка дорожной карты", level=2, align="left"))
    if view.versions:
        doc.add(
            d.Table(
                columns=[
                    d.Column("Версия", 0.7, "center"),
                    d.Column("Дата", 1),
                    d.Column("Изменение", 2.5),
                    d.Column("Причина", 3),
                ],
                rows=[
                    [str(v.number), v.created_at.strftime("%d.%m.%Y"), v.change, v.reason]
                    for v in reversed(view.versions)
                ],
                font_size=9,
            )
        )
    else:
        doc.add(d.Paragraph("Изменений не было."))
    doc.add(d.Heading("7. Рефлексивный анализ", level=2, align="left"))
    deficits = view.deficits
    if deficits:
        doc.add(
            d.Table(
                columns=[
                    d.Column("Дефицит", 2.5),
                    d.Column("Было", 0.8, "center"),
                    d.Column("Стало", 0.8, "center"),
                    d.Column("Изменение", 1, "center"),
                    d.Column("Рефлексия", 3.5),
                ],
                rows=[
                    [
                        a.title,
                        _score(a.combined),
                        _score(a.again),
                        ("+" if (a.change or 0) > 0 else "") + _score(a.change)
                        if a.change is not None
                        else "—",
                        a.reflection or "—",
                    ]
                    for a in deficits
                ],
                font_size=9,
            )
        )
    else:
        doc.add(d.Paragraph("Дефициты не выявлены или диагностика ещё не проведена."))
    doc.add(d.Paragraph(view.step_content(7) or "", indent=False))
    doc.add(
        d.Paragraph(
            "Шаги маршрута: "
            + "; ".join(
                f"{n}. {t} — {STEP_STATUS_TITLES[view.step_status(n)].lower()}"
                for n, t in STEP_TITLES.items()
            )
            + ".",
            indent=False,
            space_after=12,
        ),
        d.SignatureBlock(
            [
                d.Signer("Педагог", d.initials_surname(route.teacher_name)),
                d.Signer("Тьютор ЦНППМ", d.initials_surname(route.tutor_name) if route.tutor_name else ""),
            ]
        ),
    )
    return doc


def caseload_document(
    tutor: RegionTutor,
    rows: Sequence[CaseloadRow],
    area_titles: dict[str, str],
    region_name: str,
    today: dt.date,
) -> d.Document:
    doc = d.Document(
        title="ОТЧЁТ ТЬЮТОРА ЦНППМ",
        subtitle=f"о сопровождении индивидуальных образовательных маршрутов на {today:%d.%m.%Y}",
        organisation=region_name,
        orientation="landscape",
        author=tutor.full_name,
        subject="Отчёт о сопровождении ИОМ",
    )
    active = sum(1 for r in rows if r.route.status.value == "active")
    doc.add(
        d.Paragraph(
            f"Тьютор: {tutor.full_name}. Сопровождаемых педагогов: {len(rows)}, "
            f"из них маршрут ведётся — {active}.",
            indent=False,
        ),
        d.Table(
            columns=[
                d.Column("№", 0.4, "center"),
                d.Column("Педагог", 2),
                d.Column("Организация", 2),
                d.Column("Шаг", 1.6),
                d.Column("Дефициты", 2.6),
                d.Column("Мероприятий / выполнено", 1.2, "center"),
            ],
            rows=[
                [
                    str(i),
                    r.route.teacher_name,
                    r.route.school_name,
                    f"{r.route.current_step}. {STEP_TITLES[r.route.current_step]}",
                    ", ".join(area_titles.get(c, c) for c in r.deficits) or "—",
                    f"{r.activities} / {r.done}",
                ]
                for i, r in enumerate(rows, start=1)
            ],
            font_size=9,
        ),
        d.SignatureBlock([d.Signer("Тьютор ЦНППМ", d.initials_surname(tutor.full_name))]),
    )
    return doc
