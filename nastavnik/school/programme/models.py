"""Programmes per academic year, the region's roadmap templates and the school's contingent.

Templates are reference data of a region (`region_id`), or shipped with the platform when
`region_id` is NULL; their deadlines are positions within the academic year (month and
day), so one template serves every year. A school's programme copies a template's stages
and rows into its own tables, where the curator edits them freely.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.db import SCHOOL_OWNED, Base, IdMixin, SchoolOwned, TimestampMixin
from nastavnik.school.programme.deadlines import Deadline, Position


def _enum(cls: type[enum.Enum], name: str, *, create: bool = True) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e], create_type=create)


class ProgrammeModel(enum.StrEnum):
    PUPILS = "pupils"  # наставничество обучающихся (Р-145)
    TEACHERS = "teachers"  # система наставничества педагогических работников


PROGRAMME_MODEL_TITLES: dict[ProgrammeModel, str] = {
    ProgrammeModel.PUPILS: "Наставничество обучающихся (Р-145)",
    ProgrammeModel.TEACHERS: "Наставничество педагогических работников",
}

# Roles a template row may name as responsible; the school's staff in that role are
# assigned when a programme is started from the template.
RESPONSIBLE_ROLES = (Role.DIRECTOR, Role.CURATOR, Role.PSYCHOLOGIST)


# --- region-wide templates ------------------------------------------------------------


class RoadmapTemplate(IdMixin, TimestampMixin, Base):
    __tablename__ = "roadmap_template"

    # NULL: shipped with the platform (edited by platform admins); else the region's own.
    region_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), index=True
    )
    # The shipped template a region's copy was made from, to offer the copy instead.
    based_on_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("roadmap_template.id", ondelete="SET NULL"), index=True
    )
    # A school's own template (a programme adopted from the region's bank): offered to that
    # school only; the region's and the shipped templates have none.
    school_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    model: Mapped[ProgrammeModel] = mapped_column(_enum(ProgrammeModel, "programme_model"))
    description: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    stages: Mapped[list[RoadmapTemplateStage]] = relationship(
        back_populates="template",
        order_by="RoadmapTemplateStage.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )


class RoadmapTemplateStage(IdMixin, Base):
    __tablename__ = "roadmap_template_stage"

    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("roadmap_template.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))

    template: Mapped[RoadmapTemplate] = relationship(back_populates="stages", lazy="raise")
    items: Mapped[list[RoadmapTemplateItem]] = relationship(
        back_populates="stage",
        order_by="RoadmapTemplateItem.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )


class RoadmapTemplateItem(IdMixin, Base):
    __tablename__ = "roadmap_template_item"
    __table_args__ = (
        CheckConstraint("due_month BETWEEN 1 AND 12 AND due_day BETWEEN 1 AND 31", name="due_position"),
        CheckConstraint(
            "(starts_month IS NULL AND starts_day IS NULL) OR "
            "(starts_month BETWEEN 1 AND 12 AND starts_day BETWEEN 1 AND 31)",
            name="starts_position",
        ),
    )

    stage_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("roadmap_template_stage.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    event: Mapped[str] = mapped_column(Text)
    # As printed: «сентябрь–октябрь», «в течение года»; the positions below come from it.
    deadline_text: Mapped[str] = mapped_column(String(120))
    starts_month: Mapped[int | None]
    starts_day: Mapped[int | None]
    due_month: Mapped[int]
    due_day: Mapped[int]
    responsible_role: Mapped[Role | None] = mapped_column(_enum(Role, "staff_role", create=False))
    responsible_note: Mapped[str] = mapped_column(String(300), default="")
    expected_result: Mapped[str] = mapped_column(String(500), default="")

    stage: Mapped[RoadmapTemplateStage] = relationship(back_populates="items", lazy="raise")

    @property
    def deadline(self) -> Deadline:
        starts = (
            Position(self.starts_month, self.starts_day)
            if self.starts_month is not None and self.starts_day is not None
            else None
        )
        return Deadline(due=Position(self.due_month, self.due_day), starts=starts)

    def dates(self, year: AcademicYear) -> tuple[dt.date | None, dt.date]:
        return self.deadline.dates(year)


# --- a school's programme ---------------------------------------------------------------


class Programme(SchoolOwned, TimestampMixin, Base):
    """The school's mentoring programme for one academic year, with its roadmap."""

    __tablename__ = "programme"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year"),
        ForeignKeyConstraint(["school_id", "curator_id"], ["staff_member.school_id", "staff_member.id"]),
        Index("ix_programme_school_id_curator_id", "school_id", "curator_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), primary_key=True)
    academic_year: Mapped[int]  # start year: 2025 is «2025-2026»
    model: Mapped[ProgrammeModel] = mapped_column(_enum(ProgrammeModel, "programme_model", create=False))
    title: Mapped[str] = mapped_column(String(500))
    # Where the roadmap came from, as the curator chose it: «Шаблон «…»», «Программа 2024-2025».
    origin: Mapped[str] = mapped_column(String(300), default="")
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("roadmap_template.id", ondelete="SET NULL"), index=True
    )
    goals: Mapped[str] = mapped_column(Text, default="")
    # Codes of the region's forms of mentoring (reference_item, kind «form») in use this year.
    forms: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    curator_id: Mapped[uuid.UUID | None]
    approved_at: Mapped[dt.datetime | None]
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    # Printed in the approval stamp: the approver as the staff list knew them then.
    approved_by_name: Mapped[str] = mapped_column(String(300), default="")
    approved_by_position: Mapped[str] = mapped_column(String(300), default="")
    # The day the curator closed the year (its report was filed); NULL while it runs.
    closed_on: Mapped[dt.date | None]

    stages: Mapped[list[ProgrammeStage]] = relationship(
        back_populates="programme",
        order_by="ProgrammeStage.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )

    @property
    def year(self) -> AcademicYear:
        return AcademicYear(self.academic_year)


class ProgrammeStage(SchoolOwned, Base):
    """A group of roadmap rows: one of the seven stages, or a section of the school's own."""

    __tablename__ = "programme_stage"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "programme_id"], ["programme.school_id", "programme.id"], ondelete="CASCADE"
        ),
        Index("ix_programme_stage_school_id_programme_id", "school_id", "programme_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    programme_id: Mapped[uuid.UUID]
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))

    programme: Mapped[Programme] = relationship(back_populates="stages", lazy="raise")


class Contingent(SchoolOwned, TimestampMixin, Base):
    """The school's numbers for one academic year; coverage shares are computed from them."""

    __tablename__ = "contingent"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year"),
        CheckConstraint(
            "pupils >= 0 AND pupils_10_19 >= 0 AND teachers >= 0 AND young_teachers >= 0",
            name="non_negative",
        ),
        CheckConstraint("pupils_10_19 <= pupils AND young_teachers <= teachers", name="parts_of_whole"),
        CheckConstraint(
            "(pupils_surveyed IS NULL OR pupils_surveyed BETWEEN 0 AND pupils) AND "
            "(teachers_surveyed IS NULL OR teachers_surveyed BETWEEN 0 AND teachers)",
            name="surveyed_within",
        ),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    pupils: Mapped[int] = mapped_column(default=0)
    pupils_10_19: Mapped[int] = mapped_column(default=0)
    teachers: Mapped[int] = mapped_column(default=0)
    # Teachers under 35 in their first three years of work.
    young_teachers: Mapped[int] = mapped_column(default=0)
    # Potential mentees who took the questionnaire, as the report states them («52 (10 %)»);
    # recorded by the curator until the questionnaires feature counts answered forms.
    pupils_surveyed: Mapped[int | None]
    teachers_surveyed: Mapped[int | None]
