"""Questionnaires (versioned), surveys, answers and the monitoring summary of a school year.

Every new table is school-owned and goes behind FORCEd row-level security; every foreign
key is indexed (the unique key of survey_response leads with (school_id, survey_id)).

Revision ID: 20261201_11_01
Revises: 20261201_10_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.db import rls_disable_sql, rls_enable_sql

revision: str = "20261201_11_01"
down_revision: str | None = "20261201_10_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHOOL_OWNED_TABLES = ("questionnaire", "survey", "survey_response", "monitoring_summary")
ENUMS = ("questionnaire_kind", "survey_stage", "survey_response_status")


def upgrade() -> None:
    op.create_table(
        "monitoring_summary",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("weaknesses", sa.Text(), nullable=False),
        sa.Column("opportunities", sa.Text(), nullable=False),
        sa.Column("threats", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_monitoring_summary_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_monitoring_summary")),
        sa.UniqueConstraint(
            "school_id", "academic_year", name=op.f("uq_monitoring_summary_school_id_academic_year")
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "questionnaire",
        sa.Column(
            "kind",
            sa.Enum(
                "mentee_intake_pupil",
                "mentee_intake_teacher",
                "mentor_intake",
                "preferences",
                "feedback_mentor",
                "feedback_mentee",
                "satisfaction",
                "quality_mentor",
                "quality_mentee",
                "quality_curator",
                "impact",
                name="questionnaire_kind",
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_questionnaire_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_questionnaire_school_id_school")),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_questionnaire")),
        sa.UniqueConstraint(
            "school_id", "kind", "version", name=op.f("uq_questionnaire_school_id_kind_version")
        ),
        info={"school_owned": True},
    )
    op.create_index(op.f("ix_questionnaire_created_by_id"), "questionnaire", ["created_by_id"], unique=False)
    op.create_table(
        "survey",
        sa.Column("questionnaire_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("audience", sa.String(length=300), nullable=False),
        sa.Column("stage", sa.Enum("none", "start", "end", name="survey_stage"), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_survey_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "questionnaire_id"],
            ["questionnaire.school_id", "questionnaire.id"],
            name=op.f("fk_survey_school_id_questionnaire_id_questionnaire"),
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_survey")),
        info={"school_owned": True},
    )
    op.create_index(op.f("ix_survey_created_by_id"), "survey", ["created_by_id"], unique=False)
    op.create_index(
        "ix_survey_school_id_academic_year", "survey", ["school_id", "academic_year"], unique=False
    )
    op.create_index(
        "ix_survey_school_id_questionnaire_id", "survey", ["school_id", "questionnaire_id"], unique=False
    )
    op.create_table(
        "survey_response",
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("mentorship_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status", sa.Enum("invited", "draft", "submitted", name="survey_response_status"), nullable=False
        ),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "mentorship_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_survey_response_school_id_mentorship_id_mentorship"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_survey_response_school_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "survey_id"],
            ["survey.school_id", "survey.id"],
            name=op.f("fk_survey_response_school_id_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_survey_response")),
        sa.UniqueConstraint(
            "school_id",
            "survey_id",
            "participant_id",
            "mentorship_id",
            name=op.f("uq_survey_response_school_id_survey_id_participant_id_mentorship_id"),
            postgresql_nulls_not_distinct=True,
        ),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_survey_response_school_id_mentorship_id",
        "survey_response",
        ["school_id", "mentorship_id"],
        unique=False,
    )
    op.create_index(
        "ix_survey_response_school_id_participant_id",
        "survey_response",
        ["school_id", "participant_id"],
        unique=False,
    )
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_enable_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_disable_sql(table):
            op.execute(statement)
    op.drop_index("ix_survey_response_school_id_participant_id", table_name="survey_response")
    op.drop_index("ix_survey_response_school_id_mentorship_id", table_name="survey_response")
    op.drop_table("survey_response")
    op.drop_index("ix_survey_school_id_questionnaire_id", table_name="survey")
    op.drop_index("ix_survey_school_id_academic_year", table_name="survey")
    op.drop_index(op.f("ix_survey_created_by_id"), table_name="survey")
    op.drop_table("survey")
    op.drop_index(op.f("ix_questionnaire_created_by_id"), table_name="questionnaire")
    op.drop_table("questionnaire")
    op.drop_table("monitoring_summary")
    for name in ENUMS:
        op.execute(f"DROP TYPE IF EXISTS {name}")
