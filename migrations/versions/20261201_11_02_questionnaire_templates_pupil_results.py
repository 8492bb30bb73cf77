"""The region's questionnaire templates (versioned, edited by ИРО methodists), the version a
school's copy came from, and the pupils' results of teachers' pairs (monitoring, stage 1).

`questionnaire_template` is region reference data, like `roadmap_template` (no pupil's data,
read by every school of the region); `pair_pupil_results` is school-owned and goes behind
FORCEd row-level security. Its foreign key is covered by its unique key.

Revision ID: 20261201_11_02
Revises: 20261201_15_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.db import rls_disable_sql, rls_enable_sql

revision: str = "20261201_11_02"
down_revision: str | None = "20261201_15_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_template",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("kind", postgresql.ENUM(name="questionnaire_kind", create_type=False), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_questionnaire_template_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_questionnaire_template_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_template")),
        sa.UniqueConstraint(
            "region_id", "kind", "version", name=op.f("uq_questionnaire_template_region_id_kind_version")
        ),
    )
    op.create_index(
        op.f("ix_questionnaire_template_created_by_id"), "questionnaire_template", ["created_by_id"]
    )
    op.create_index(
        "uq_questionnaire_template_draft",
        "questionnaire_template",
        ["region_id", "kind"],
        unique=True,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.add_column("questionnaire", sa.Column("template_version", sa.Integer(), nullable=True))
    op.create_table(
        "pair_pupil_results",
        sa.Column("mentorship_id", sa.Uuid(), nullable=False),
        sa.Column("vpr_pass_percent", sa.Integer(), nullable=True),
        sa.Column("oge_pass_percent", sa.Integer(), nullable=True),
        sa.Column("ege_pass_percent", sa.Integer(), nullable=True),
        sa.Column("quality_change", sa.Integer(), nullable=True),
        sa.Column("olympiad_participants", sa.Integer(), nullable=True),
        sa.Column("olympiad_winners", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(vpr_pass_percent IS NULL OR vpr_pass_percent BETWEEN 0 AND 100) AND "
            "(oge_pass_percent IS NULL OR oge_pass_percent BETWEEN 0 AND 100) AND "
            "(ege_pass_percent IS NULL OR ege_pass_percent BETWEEN 0 AND 100)",
            name=op.f("ck_pair_pupil_results_pass_percents"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentorship_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_pair_pupil_results_school_id_mentorship_id_mentorship"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_pair_pupil_results")),
        sa.UniqueConstraint(
            "school_id", "mentorship_id", name=op.f("uq_pair_pupil_results_school_id_mentorship_id")
        ),
        info={"school_owned": True},
    )
    for statement in rls_enable_sql("pair_pupil_results"):
        op.execute(statement)


def downgrade() -> None:
    for statement in rls_disable_sql("pair_pupil_results"):
        op.execute(statement)
    op.drop_table("pair_pupil_results")
    op.drop_column("questionnaire", "template_version")
    op.drop_index("uq_questionnaire_template_draft", table_name="questionnaire_template")
    op.drop_index(op.f("ix_questionnaire_template_created_by_id"), table_name="questionnaire_template")
    op.drop_table("questionnaire_template")
