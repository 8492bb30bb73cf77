"""Region-wide reference lists: forms and kinds of mentoring, directions, request and
deficit areas (DOMAIN.md). One table, one kind per list; codes are stable identifiers."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum, String, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import Base, IdMixin


class ReferenceKind(enum.StrEnum):
    FORM = "form"  # форма наставничества
    MENTORING_KIND = "mentoring_kind"  # вид наставничества (педагоги)
    DIRECTION = "direction"  # направление наставничества
    REQUEST_AREA = "request_area"  # сфера запроса
    DEFICIT_AREA = "deficit_area"  # область компетенций / дефицитов педагога


class ReferenceItem(IdMixin, Base):
    __tablename__ = "reference_item"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    kind: Mapped[ReferenceKind] = mapped_column(
        Enum(ReferenceKind, name="reference_kind", values_callable=lambda e: [m.value for m in e])
    )
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    short_title: Mapped[str] = mapped_column(String(120), default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Per-item settings, e.g. for forms: who mentors and who is mentored, grade gap.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


async def reference_items(
    db: AsyncSession, kind: ReferenceKind, *, active_only: bool = True
) -> list[ReferenceItem]:
    query = select(ReferenceItem).where(ReferenceItem.kind == kind)
    if active_only:
        query = query.where(ReferenceItem.active.is_(True))
    return list((await db.execute(query.order_by(ReferenceItem.sort_order, ReferenceItem.title))).scalars())


async def reference_by_code(db: AsyncSession, kind: ReferenceKind) -> dict[str, ReferenceItem]:
    return {item.code: item for item in await reference_items(db, kind, active_only=False)}


# The defaults shipped with the platform (seeded by migration 20261121_02).
DEFAULTS: dict[ReferenceKind, list[tuple[str, str, str, dict[str, Any]]]] = {
    ReferenceKind.FORM: [
        (
            "student_student",
            "Ученик – ученик",
            "обучающийся – обучающийся",
            {"mentor": "pupil", "mentee": "pupil", "min_grade_gap": 2},
        ),
        (
            "teacher_teacher",
            "Учитель – учитель",
            "педагог – педагог",
            {"mentor": "teacher", "mentee": "teacher"},
        ),
        (
            "teacher_student",
            "Учитель – ученик",
            "педагог – обучающийся",
            {"mentor": "teacher", "mentee": "pupil"},
        ),
        (
            "employer_student",
            "Работодатель – ученик",
            "работодатель – обучающийся",
            {"mentor": "employer_staff", "mentee": "pupil"},
        ),
        (
            "university_student_student",
            "Студент – ученик",
            "студент – обучающийся",
            {"mentor": "university_student", "mentee": "pupil"},
        ),
    ],
    ReferenceKind.MENTORING_KIND: [
        ("traditional", "Традиционное (один на один, долгосрочное)", "Традиционное", {}),
        ("group", "В группе", "Групповое", {}),
        ("short_term", "Краткосрочное (целеполагающее)", "Краткосрочное", {}),
        ("reverse", "Реверсивное", "Реверсивное", {}),
        ("situational", "Ситуационное", "Ситуационное", {}),
        ("speed", "Скоростное", "Скоростное", {}),
        ("virtual", "Виртуальное (дистанционное)", "Виртуальное", {}),
    ],
    ReferenceKind.DIRECTION: [
        ("potential", "Раскрытие потенциала наставляемого", "Раскрытие потенциала", {"audience": "pupil"}),
        (
            "teen_crisis",
            "Преодоление подросткового кризиса, самоидентификация, жизненные ориентиры",
            "Подростковый кризис",
            {"audience": "pupil"},
        ),
        (
            "pupil_adaptation",
            "Адаптация обучающегося в новом коллективе",
            "Адаптация обучающегося",
            {"audience": "pupil"},
        ),
        (
            "motivation",
            "Повышение мотивации и образовательных результатов (в т.ч. проекты, программы поддержки)",
            "Мотивация и результаты",
            {"audience": "pupil"},
        ),
        (
            "educational_path",
            "Осознанный выбор образовательной траектории",
            "Образовательная траектория",
            {"audience": "pupil"},
        ),
        (
            "civic_values",
            "Ценности и активная гражданская позиция",
            "Гражданская позиция",
            {"audience": "pupil"},
        ),
        ("soft_skills", "Гибкие навыки, лидерство, метакомпетенции", "Гибкие навыки", {"audience": "pupil"}),
        (
            "entrepreneurship",
            "Предпринимательский потенциал (проектные конкурсы, акселераторы)",
            "Предпринимательство",
            {"audience": "pupil"},
        ),
        ("career", "Осознанный выбор профессии и карьера", "Профессия и карьера", {"audience": "pupil"}),
        (
            "teacher_adaptation",
            "Адаптация педагога в новом коллективе",
            "Адаптация педагога",
            {"audience": "teacher"},
        ),
        ("young_teacher", "Вход молодого педагога в профессию", "Молодой педагог", {"audience": "teacher"}),
    ],
    ReferenceKind.REQUEST_AREA: [
        ("intellectual", "Интеллектуальное", "Интеллектуальное", {}),
        ("career_guidance", "Профориентационное", "Профориентационное", {}),
        ("creative", "Творческое", "Творческое", {}),
        ("methodological", "Методическое", "Методическое", {}),
    ],
    ReferenceKind.DEFICIT_AREA: [
        ("theory", "Научно-теоретические", "Научно-теоретические", {}),
        ("regulatory", "Нормативные правовые", "Нормативные правовые", {}),
        ("subject", "Предметно-профессиональные", "Предметные", {}),
        ("psychology", "Психолого-педагогические (обучающиеся и родители)", "Психолого-педагогические", {}),
        ("methods", "Методические (содержание, методики, технологии)", "Методические", {}),
        ("ict", "ИКТ-компетенции и цифровизация", "ИКТ", {}),
        ("upbringing", "Внеурочная и воспитательная деятельность", "Воспитательная работа", {}),
        ("health", "Здоровьесбережение", "Здоровьесбережение", {}),
    ],
}
