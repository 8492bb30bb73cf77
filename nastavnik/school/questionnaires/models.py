"""Questionnaires of a school (versioned copies of the region's templates), surveys that
deliver one version to people, and their answers.

A `Questionnaire` row is one version: editing makes a new row with the next version and
the old one stays, so every answer keeps the questions it was given. A `Survey` sends one
version to a list of people (a class, a bank, the pairs) with a deadline; a
`SurveyResponse` is one person's invitation and answer — one each, reached through a
signed personal link or the workspace, editable until the deadline, revocable.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.platform.db import SCHOOL_OWNED, Base, IdMixin, SchoolOwned, TimestampMixin


def _enum(cls: type[enum.Enum], name: str, *, create: bool = True) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e], create_type=create)


class QuestionnaireKind(enum.StrEnum):
    MENTEE_INTAKE_PUPIL = "mentee_intake_pupil"
    MENTEE_INTAKE_TEACHER = "mentee_intake_teacher"
    MENTOR_INTAKE = "mentor_intake"
    PREFERENCES = "preferences"
    FEEDBACK_MENTOR = "feedback_mentor"
    FEEDBACK_MENTEE = "feedback_mentee"
    SATISFACTION = "satisfaction"
    QUALITY_MENTOR = "quality_mentor"
    QUALITY_MENTEE = "quality_mentee"
    QUALITY_CURATOR = "quality_curator"
    IMPACT = "impact"
    # Self-diagnosis of a teacher's professional deficits (ИОМ, step 3), one per area of the
    # reference list `deficit_area`: the kind's suffix is the area's code.
    SELF_DIAGNOSIS_THEORY = "self_diagnosis_theory"
    SELF_DIAGNOSIS_REGULATORY = "self_diagnosis_regulatory"
    SELF_DIAGNOSIS_SUBJECT = "self_diagnosis_subject"
    SELF_DIAGNOSIS_PSYCHOLOGY = "self_diagnosis_psychology"
    SELF_DIAGNOSIS_METHODS = "self_diagnosis_methods"
    SELF_DIAGNOSIS_ICT = "self_diagnosis_ict"
    SELF_DIAGNOSIS_UPBRINGING = "self_diagnosis_upbringing"
    SELF_DIAGNOSIS_HEALTH = "self_diagnosis_health"


KIND_TITLES: dict[QuestionnaireKind, str] = {
    QuestionnaireKind.MENTEE_INTAKE_PUPIL: "Анкета наставляемого (обучающийся)",
    QuestionnaireKind.MENTEE_INTAKE_TEACHER: "Анкета наставляемого (педагог)",
    QuestionnaireKind.MENTOR_INTAKE: "Анкета наставника",
    QuestionnaireKind.PREFERENCES: "Анкета после групповой встречи",
    QuestionnaireKind.FEEDBACK_MENTOR: "Ежемесячная обратная связь наставника",
    QuestionnaireKind.FEEDBACK_MENTEE: "Ежемесячная обратная связь наставляемого",
    QuestionnaireKind.SATISFACTION: "Удовлетворённость участием в программе",
    QuestionnaireKind.QUALITY_MENTOR: "Мониторинг качества программы: наставник",
    QuestionnaireKind.QUALITY_MENTEE: "Мониторинг качества программы: наставляемый",
    QuestionnaireKind.QUALITY_CURATOR: "Мониторинг качества программы: куратор",
    QuestionnaireKind.IMPACT: "Мониторинг влияния программы на участников",
    QuestionnaireKind.SELF_DIAGNOSIS_THEORY: "Самодиагностика: научно-теоретические компетенции",
    QuestionnaireKind.SELF_DIAGNOSIS_REGULATORY: "Самодиагностика: нормативные правовые компетенции",
    QuestionnaireKind.SELF_DIAGNOSIS_SUBJECT: "Самодиагностика: предметно-профессиональные компетенции",
    QuestionnaireKind.SELF_DIAGNOSIS_PSYCHOLOGY: "Самодиагностика: психолого-педагогические компетенции",
    QuestionnaireKind.SELF_DIAGNOSIS_METHODS: "Самодиагностика: методические компетенции",
    QuestionnaireKind.SELF_DIAGNOSIS_ICT: "Самодиагностика: ИКТ-компетенции и цифровизация",
    QuestionnaireKind.SELF_DIAGNOSIS_UPBRINGING: "Самодиагностика: внеурочная и воспитательная деятельность",
    QuestionnaireKind.SELF_DIAGNOSIS_HEALTH: "Самодиагностика: здоровьесбережение",
}

SELF_DIAGNOSIS_PREFIX = "self_diagnosis_"
SELF_DIAGNOSIS_KINDS = tuple(k for k in QuestionnaireKind if k.value.startswith(SELF_DIAGNOSIS_PREFIX))


def self_diagnosis_kind(area_code: str) -> QuestionnaireKind:
    return QuestionnaireKind(SELF_DIAGNOSIS_PREFIX + area_code)


INTAKE_KINDS = (
    QuestionnaireKind.MENTEE_INTAKE_PUPIL,
    QuestionnaireKind.MENTEE_INTAKE_TEACHER,
    QuestionnaireKind.MENTOR_INTAKE,
)
FEEDBACK_KINDS = (QuestionnaireKind.FEEDBACK_MENTOR, QuestionnaireKind.FEEDBACK_MENTEE)


class SurveyStage(enum.StrEnum):
    """For the impact questionnaire: the measurement at the start or at the end of the year."""

    NONE = "none"
    START = "start"
    END = "end"


STAGE_TITLES: dict[SurveyStage, str] = {
    SurveyStage.NONE: "",
    SurveyStage.START: "входной замер",
    SurveyStage.END: "итоговый замер",
}


class ResponseStatus(enum.StrEnum):
    INVITED = "invited"  # asked, has not answered yet
    DRAFT = "draft"  # saved part of the answers
    SUBMITTED = "submitted"


RESPONSE_STATUS_TITLES: dict[ResponseStatus, str] = {
    ResponseStatus.INVITED: "Не отвечал(а)",
    ResponseStatus.DRAFT: "Черновик",
    ResponseStatus.SUBMITTED: "Ответ получен",
}


class Questionnaire(SchoolOwned, TimestampMixin, Base):
    """One version of one of the school's questionnaires; `definition` holds its sections."""

    __tablename__ = "questionnaire"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        UniqueConstraint("school_id", "kind", "version"),
        {"info": {SCHOOL_OWNED: True}},
    )

    kind: Mapped[QuestionnaireKind] = mapped_column(_enum(QuestionnaireKind, "questionnaire_kind"))
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(300))
    # {"sections": [{"title": str, "questions": [question, …]}]}, see definitions.py.
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    is_current: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    # The region's template version this copy was taken from (0: the platform's own
    # template), so the school sees when the region publishes a newer one.
    template_version: Mapped[int | None]

    @property
    def kind_title(self) -> str:
        return KIND_TITLES[self.kind]


class QuestionnaireTemplate(IdMixin, TimestampMixin, Base):
    """One version of a region's questionnaire template, edited by the ИРО methodists.

    A row without `published_at` is the draft being edited (one per region and kind);
    publishing stamps it. Schools copy a published version into their own `Questionnaire`,
    so a new version never touches the questions a school's people already answered.
    """

    __tablename__ = "questionnaire_template"
    __table_args__ = (
        UniqueConstraint("region_id", "kind", "version"),
        Index(
            "uq_questionnaire_template_draft",
            "region_id",
            "kind",
            unique=True,
            postgresql_where=text("published_at IS NULL"),
        ),
    )

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    kind: Mapped[QuestionnaireKind] = mapped_column(
        _enum(QuestionnaireKind, "questionnaire_kind", create=False)
    )
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    published_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)

    @property
    def kind_title(self) -> str:
        return KIND_TITLES[self.kind]


class Survey(SchoolOwned, TimestampMixin, Base):
    """One questionnaire version sent to a list of people with a deadline."""

    __tablename__ = "survey"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "questionnaire_id"], ["questionnaire.school_id", "questionnaire.id"]
        ),
        Index("ix_survey_school_id_questionnaire_id", "school_id", "questionnaire_id"),
        Index("ix_survey_school_id_academic_year", "school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    questionnaire_id: Mapped[uuid.UUID]
    academic_year: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(String(300), default="")
    stage: Mapped[SurveyStage] = mapped_column(_enum(SurveyStage, "survey_stage"), default=SurveyStage.NONE)
    deadline: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)

    questionnaire: Mapped[Questionnaire] = relationship(lazy="joined")

    def open_on(self, day: dt.date) -> bool:
        return day <= self.deadline


class SurveyResponse(SchoolOwned, TimestampMixin, Base):
    """One person's invitation to a survey and their answers (about one pair, for feedback)."""

    __tablename__ = "survey_response"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "survey_id"], ["survey.school_id", "survey.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "participant_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "mentorship_id"], ["mentorship.school_id", "mentorship.id"], ondelete="CASCADE"
        ),
        UniqueConstraint(
            "school_id", "survey_id", "participant_id", "mentorship_id", postgresql_nulls_not_distinct=True
        ),
        Index("ix_survey_response_school_id_participant_id", "school_id", "participant_id"),
        Index("ix_survey_response_school_id_mentorship_id", "school_id", "mentorship_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    survey_id: Mapped[uuid.UUID]
    participant_id: Mapped[uuid.UUID]
    mentorship_id: Mapped[uuid.UUID | None]
    status: Mapped[ResponseStatus] = mapped_column(
        _enum(ResponseStatus, "survey_response_status"), default=ResponseStatus.INVITED
    )
    # Question key → answer: str, int, float or a list of str (multiple choice, reference).
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    submitted_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]
    mailed_at: Mapped[dt.datetime | None]
    # An intake answer the curator took into the person's request or mentor profile.
    accepted_at: Mapped[dt.datetime | None]

    survey: Mapped[Survey] = relationship(lazy="raise")

    @property
    def status_title(self) -> str:
        return RESPONSE_STATUS_TITLES[self.status]


class MonitoringSummary(SchoolOwned, TimestampMixin, Base):
    """Stage 1 of monitoring for one year: the SWOT summary, drafted from answers, edited."""

    __tablename__ = "monitoring_summary"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        UniqueConstraint("school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    strengths: Mapped[str] = mapped_column(Text, default="")
    weaknesses: Mapped[str] = mapped_column(Text, default="")
    opportunities: Mapped[str] = mapped_column(Text, default="")
    threats: Mapped[str] = mapped_column(Text, default="")


class PairPupilResults(SchoolOwned, TimestampMixin, Base):
    """Stage 1 of monitoring for a teachers' pair: the results of the mentee's pupils
    (seed 002) — pass shares of ВПР, ОГЭ and ЕГЭ, the change of knowledge quality and
    olympiads — entered by the curator, one row per pair."""

    __tablename__ = "pair_pupil_results"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "mentorship_id"], ["mentorship.school_id", "mentorship.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "mentorship_id"),
        CheckConstraint(
            "(vpr_pass_percent IS NULL OR vpr_pass_percent BETWEEN 0 AND 100) AND "
            "(oge_pass_percent IS NULL OR oge_pass_percent BETWEEN 0 AND 100) AND "
            "(ege_pass_percent IS NULL OR ege_pass_percent BETWEEN 0 AND 100)",
            name="pass_percents",
        ),
        {"info": {SCHOOL_OWNED: True}},
    )

    mentorship_id: Mapped[uuid.UUID]
    vpr_pass_percent: Mapped[int | None]
    oge_pass_percent: Mapped[int | None]
    ege_pass_percent: Mapped[int | None]
    # Change of the share of «4» and «5» marks over the year, in percentage points.
    quality_change: Mapped[int | None]
    olympiad_participants: Mapped[int | None]
    olympiad_winners: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
