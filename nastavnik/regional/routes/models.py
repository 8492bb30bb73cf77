"""Individual educational routes of teachers (ИОМ) guided by ЦНППМ tutors, and the region's
catalogues of further-training programmes (ДПП), internship sites and communities.

A route and everything in it is owned by the teacher's school (`school_id` in every key).
Besides the school's own policy, the route tables carry two more (migration 20261201_14_01):
the tutor assigned to the route (`app.tutor_id`) reads and writes the route and its records,
and the region's methodists (`app.routes_region_id`) write the route's header only — to
assign a tutor — and read the rest. A route keeps the teacher's name, position and school as the school
wrote them, so that neither the tutor nor the methodist reads the school's own tables.

The catalogues and the tutors' list belong to the region (`app.region_id`). The figures
(`route_figure`) are the regional projection of each route: codes and counts, never a name.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import SCHOOL_OWNED, Base, IdMixin, SchoolOwned, TimestampMixin
from nastavnik.regional.indicators.models import REGIONAL_ROLLUP


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class RouteStatus(enum.StrEnum):
    REQUESTED = "requested"  # the school asked for a tutor; the methodist has not assigned one yet
    ACTIVE = "active"
    COMPLETED = "completed"


ROUTE_STATUS_TITLES: dict[RouteStatus, str] = {
    RouteStatus.REQUESTED: "Ожидает тьютора",
    RouteStatus.ACTIVE: "Ведётся",
    RouteStatus.COMPLETED: "Завершён",
}


class StepStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


STEP_STATUS_TITLES: dict[StepStatus, str] = {
    StepStatus.NOT_STARTED: "Не начат",
    StepStatus.IN_PROGRESS: "В работе",
    StepStatus.DONE: "Выполнен",
}

# The seven positions of the algorithm (seed 002, 3.2).
STEP_TITLES: dict[int, str] = {
    1: "Самоопределение",
    2: "Диагностика достижений",
    3: "Диагностика дефицитов",
    4: "Дорожная карта",
    5: "Реализация",
    6: "Корректировка",
    7: "Рефлексивный анализ",
}
STEP_HINTS: dict[int, str] = {
    1: "Описание идеального, желаемого образа себя как состоявшегося профессионала.",
    2: "Достижения, достоинства и личностные ресурсы педагога в контексте своей школы.",
    3: "Самодиагностика по восьми областям, оценки тьютора и куратора — профиль дефицитов.",
    4: "Курсы ДПП, пробно-поисковые действия, проекты и исследования, другие меры — по дефицитам.",
    5: "Педагогический продукт по каждому мероприятию и собственное отношение к результату.",
    6: "Дополнения и изменения дорожной карты: каждая версия с причиной.",
    7: "Повторная диагностика и рефлексия по каждому дефициту.",
}


class ActivityKind(enum.StrEnum):
    COURSE = "course"  # а) обучение по программам ДПП
    TRIAL = "trial"  # б) пробно-поисковые действия
    PROJECT = "project"  # в) проекты и исследования
    MEASURE = "measure"  # г) другие меры: стажировки, сообщества, мероприятия


ACTIVITY_KIND_TITLES: dict[ActivityKind, str] = {
    ActivityKind.COURSE: "Курс повышения квалификации (ДПП)",
    ActivityKind.TRIAL: "Пробно-поисковые действия",
    ActivityKind.PROJECT: "Проект, исследование",
    ActivityKind.MEASURE: "Другие меры (стажировка, сообщество, мероприятие)",
}


class ActivityStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


ACTIVITY_STATUS_TITLES: dict[ActivityStatus, str] = {
    ActivityStatus.PLANNED: "Запланировано",
    ActivityStatus.IN_PROGRESS: "Выполняется",
    ActivityStatus.DONE: "Выполнено",
    ActivityStatus.CANCELLED: "Отменено",
}


class ResourceKind(enum.StrEnum):
    INTERNSHIP_SITE = "internship_site"
    COMMUNITY = "community"


RESOURCE_KIND_TITLES: dict[ResourceKind, str] = {
    ResourceKind.INTERNSHIP_SITE: "Стажировочная площадка",
    ResourceKind.COMMUNITY: "Профессиональное сообщество",
}


class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    REQUESTED = "requested"  # the school sent the inter-school request (or formed its own pair)
    DISMISSED = "dismissed"


PROPOSAL_STATUS_TITLES: dict[ProposalStatus, str] = {
    ProposalStatus.PROPOSED: "Предложен",
    ProposalStatus.REQUESTED: "Запрос отправлен",
    ProposalStatus.DISMISSED: "Отклонён школой",
}


class RegionTutor(IdMixin, TimestampMixin, Base):
    """A ЦНППМ tutor of the region: found by e-mail at sign-in, listed for the methodists."""

    __tablename__ = "region_tutor"
    __table_args__ = (UniqueConstraint("region_id", "email"),)

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    full_name: Mapped[str] = mapped_column(String(400))
    position: Mapped[str] = mapped_column(String(200), default="")
    # How many teachers the tutor guides at most; the methodist sees the load beside it.
    capacity: Mapped[int] = mapped_column(default=100)


class RouteCourse(IdMixin, TimestampMixin, Base):
    """A further-training programme (ДПП) of the region's catalogue, imported by methodists."""

    __tablename__ = "route_course"
    __table_args__ = (
        UniqueConstraint("region_id", "title", "provider", "starts_on", postgresql_nulls_not_distinct=True),
        Index("ix_route_course_region_id_title", "region_id", "title"),
    )

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    title: Mapped[str] = mapped_column(String(400))
    provider: Mapped[str] = mapped_column(String(300))
    hours: Mapped[int]
    format: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    # Deficit areas the programme addresses (codes of the reference list `deficit_area`).
    area_codes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    imported_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class RouteResource(IdMixin, TimestampMixin, Base):
    """An internship site (стажировочная площадка) or a professional community of the region."""

    __tablename__ = "route_resource"
    __table_args__ = (Index("ix_route_resource_region_id_kind", "region_id", "kind"),)

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    kind: Mapped[ResourceKind] = mapped_column(_enum(ResourceKind, "route_resource_kind"))
    title: Mapped[str] = mapped_column(String(400))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    area_codes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    contact: Mapped[str] = mapped_column(String(300), default="")


class IndividualRoute(SchoolOwned, TimestampMixin, Base):
    """One teacher's ИОМ: a 4-5 year programme in 7 steps, guided by a tutor."""

    __tablename__ = "individual_route"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        ForeignKeyConstraint(
            ["school_id", "participant_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "participant_id"),
        Index("ix_individual_route_tutor_id_teacher_name", "tutor_id", "teacher_name"),
        Index("ix_individual_route_region_id_status", "region_id", "status"),
        {"info": {SCHOOL_OWNED: True}},
    )

    participant_id: Mapped[uuid.UUID]
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id"), index=True)
    tutor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region_tutor.id"))
    tutor_name: Mapped[str] = mapped_column(String(400), default="")
    status: Mapped[RouteStatus] = mapped_column(_enum(RouteStatus, "route_status"))
    current_step: Mapped[int] = mapped_column(default=1)
    # What the school wrote about the teacher (the tutor reads these, never the bank).
    teacher_name: Mapped[str] = mapped_column(String(400))
    teacher_position: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(120), default="")
    school_name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    request_note: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    assigned_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    assigned_at: Mapped[dt.datetime | None]
    # The diagnosis round in progress: 1 — the first, 2 — the re-diagnosis of step 7.
    diagnosis_round: Mapped[int] = mapped_column(default=1)
    roadmap_version: Mapped[int] = mapped_column(default=0)


class _RouteChild(SchoolOwned):
    route_id: Mapped[uuid.UUID]


def _route_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["school_id", "route_id"], ["individual_route.school_id", "individual_route.id"], ondelete="CASCADE"
    )


class RouteStep(_RouteChild, TimestampMixin, Base):
    """The record and status of one of the seven steps."""

    __tablename__ = "route_step"
    __table_args__ = (
        _route_fk(),
        UniqueConstraint("school_id", "route_id", "number"),
        {"info": {SCHOOL_OWNED: True}},
    )

    number: Mapped[int]
    status: Mapped[StepStatus] = mapped_column(_enum(StepStatus, "route_step_status"))
    content: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(400), default="")


class RouteDiagnosisSurvey(_RouteChild, Base):
    """The self-diagnosis questionnaire of one area sent to the teacher in one round."""

    __tablename__ = "route_diagnosis_survey"
    __table_args__ = (
        _route_fk(),
        ForeignKeyConstraint(
            ["school_id", "survey_id"], ["survey.school_id", "survey.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "route_id", "round", "area_code"),
        Index("ix_route_diagnosis_survey_school_id_survey_id", "school_id", "survey_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    round: Mapped[int]
    area_code: Mapped[str] = mapped_column(String(60))
    survey_id: Mapped[uuid.UUID]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class RouteAreaScore(_RouteChild, TimestampMixin, Base):
    """One area of the profile in one round: the teacher's, tutor's and curator's assessments."""

    __tablename__ = "route_area_score"
    __table_args__ = (
        _route_fk(),
        UniqueConstraint("school_id", "route_id", "round", "area_code"),
        {"info": {SCHOOL_OWNED: True}},
    )

    round: Mapped[int]
    area_code: Mapped[str] = mapped_column(String(60))
    # 1-5: the mean of the teacher's self-diagnosis answers (5 — владею уверенно).
    self_score: Mapped[float | None] = mapped_column(Numeric(3, 2, asdecimal=False))
    tutor_score: Mapped[int | None]
    curator_score: Mapped[int | None]
    self_comment: Mapped[str] = mapped_column(Text, default="")
    achievements: Mapped[str] = mapped_column(Text, default="")
    reflection: Mapped[str] = mapped_column(Text, default="")


class RouteActivity(_RouteChild, TimestampMixin, Base):
    """A row of the route's roadmap, tied to the deficits it addresses, with its product."""

    __tablename__ = "route_activity"
    __table_args__ = (
        _route_fk(),
        ForeignKeyConstraint(["course_id"], ["route_course.id"]),
        ForeignKeyConstraint(["resource_id"], ["route_resource.id"]),
        Index("ix_route_activity_school_id_route_id", "school_id", "route_id"),
        Index("ix_route_activity_course_id", "course_id"),
        Index("ix_route_activity_resource_id", "resource_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    kind: Mapped[ActivityKind] = mapped_column(_enum(ActivityKind, "route_activity_kind"))
    title: Mapped[str] = mapped_column(String(400))
    # The catalogue entry, and what it said when chosen (schools do not read the catalogue).
    course_id: Mapped[uuid.UUID | None]
    resource_id: Mapped[uuid.UUID | None]
    details: Mapped[str] = mapped_column(String(600), default="")
    area_codes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[ActivityStatus] = mapped_column(_enum(ActivityStatus, "route_activity_status"))
    product_title: Mapped[str] = mapped_column(String(300), default="")
    product_url: Mapped[str] = mapped_column(String(1000), default="")
    product_filename: Mapped[str] = mapped_column(String(255), default="")
    product_media_type: Mapped[str] = mapped_column(String(120), default="")
    product_file: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    teacher_view: Mapped[str] = mapped_column(Text, default="")


class RouteVersion(_RouteChild, Base):
    """A version of the roadmap: what it held after a change, and why it was changed."""

    __tablename__ = "route_version"
    __table_args__ = (
        _route_fk(),
        UniqueConstraint("school_id", "route_id", "number"),
        {"info": {SCHOOL_OWNED: True}},
    )

    number: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(String(600), default="")
    # [{"title", "kind", "areas", "starts_on", "ends_on", "status"}] at this version.
    snapshot: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    author: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class RouteMentorProposal(_RouteChild, TimestampMixin, Base):
    """A mentor proposed for one deficit: from the teacher's own school or from another one."""

    __tablename__ = "route_mentor_proposal"
    __table_args__ = (
        _route_fk(),
        ForeignKeyConstraint(["cross_school_pair_id"], ["cross_school_pair.id"], ondelete="SET NULL"),
        Index("ix_route_mentor_proposal_school_id_route_id", "school_id", "route_id"),
        Index("ix_route_mentor_proposal_mentor", "mentor_school_id", "mentor_profile_id"),
        Index("ix_route_mentor_proposal_cross_school_pair_id", "cross_school_pair_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    area_code: Mapped[str] = mapped_column(String(60))
    # The mentor's profile in their own school, kept as a key, not a foreign key: it may be
    # another school's row, which this school's rows never point at (ARCHITECTURE.md).
    mentor_school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    mentor_profile_id: Mapped[uuid.UUID]
    mentor_name: Mapped[str] = mapped_column(String(400))
    mentor_position: Mapped[str] = mapped_column(String(200), default="")
    mentor_school_name: Mapped[str] = mapped_column(String(200))
    competency_titles: Mapped[list[str]] = mapped_column(ARRAY(String(300)), default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProposalStatus] = mapped_column(_enum(ProposalStatus, "route_proposal_status"))
    proposed_by: Mapped[str] = mapped_column(String(400), default="")
    cross_school_pair_id: Mapped[uuid.UUID | None]

    @property
    def own_school(self) -> bool:
        return self.mentor_school_id == self.school_id


class RouteFigure(Base):
    """The regional projection of one route: its step, subject and deficit codes, no person."""

    __tablename__ = "route_figure"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "route_id"],
            ["individual_route.school_id", "individual_route.id"],
            ondelete="CASCADE",
        ),
        Index("ix_route_figure_region_id_municipality_id", "region_id", "municipality_id"),
        Index("ix_route_figure_municipality_id", "municipality_id"),
        {"info": {REGIONAL_ROLLUP: True}},
    )

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), primary_key=True)
    route_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id"))
    status: Mapped[str] = mapped_column(String(20))
    step: Mapped[int]
    subject: Mapped[str] = mapped_column(String(120), default="")
    deficit_codes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    closed_codes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    course_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), default=list)
    refreshed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
