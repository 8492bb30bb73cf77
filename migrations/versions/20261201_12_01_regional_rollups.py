"""Rollups of the regional layer: figures per school and academic year, and the region's target.

The tables hold counts only. Regional scopes read them through policies on
`app.region_id` / `app.municipality_id` (an empty municipality is the whole region); the
school side writes its own rows under `app.school_id`. RLS is FORCEd as on school tables.

Revision ID: 20261201_12_01
Revises: 20261201_11_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_12_01"
down_revision: str | None = "20261201_11_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUPS = ("regional_school_year", "regional_breakdown")
REGION_SCOPE = (
    "region_id = app_current_region() "
    "AND (app_current_municipality() IS NULL OR municipality_id = app_current_municipality())"
)


def _scope_columns() -> list[sa.Column[sa.Uuid]]:
    return [
        sa.Column("region_id", sa.Uuid(), sa.ForeignKey("region.id"), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), sa.ForeignKey("municipality.id"), nullable=False),
    ]


def upgrade() -> None:
    op.execute(
        "CREATE FUNCTION app_current_region() RETURNS uuid LANGUAGE sql STABLE AS "
        "$$ SELECT NULLIF(current_setting('app.region_id', true), '')::uuid $$"
    )
    op.execute(
        "CREATE FUNCTION app_current_municipality() RETURNS uuid LANGUAGE sql STABLE AS "
        "$$ SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid $$"
    )
    counts = [
        "mentee_pupils",
        "mentee_pupils_10_19",
        "mentee_teachers",
        "mentee_young_teachers",
        "mentors",
        "pairs",
        "groups",
        "mentorships_active",
        "mentorships_completed",
        "mentorships_terminated",
        "meetings",
        "quiet_pairs",
        "roadmap_rows",
        "roadmap_done",
        "roadmap_overdue",
    ]
    op.create_table(
        "regional_school_year",
        sa.Column("school_id", sa.Uuid(), sa.ForeignKey("school.id", ondelete="CASCADE"), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        *_scope_columns(),
        sa.Column("has_programme", sa.Boolean(), nullable=False),
        sa.Column("programme_approved", sa.Boolean(), nullable=False),
        sa.Column("pupils", sa.Integer(), nullable=True),
        sa.Column("pupils_10_19", sa.Integer(), nullable=True),
        sa.Column("teachers", sa.Integer(), nullable=True),
        sa.Column("young_teachers", sa.Integer(), nullable=True),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in counts],
        sa.Column("refreshed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "academic_year"),
    )
    op.create_index(
        "ix_regional_school_year_region_year", "regional_school_year", ["region_id", "academic_year"]
    )
    op.create_index(
        "ix_regional_school_year_municipality_year",
        "regional_school_year",
        ["municipality_id", "academic_year"],
    )
    op.create_table(
        "regional_breakdown",
        sa.Column("school_id", sa.Uuid(), sa.ForeignKey("school.id", ondelete="CASCADE"), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column(
            "dimension",
            sa.Enum("form", "direction", "roadmap_month", name="regional_dimension"),
            nullable=False,
        ),
        sa.Column("key", sa.String(60), nullable=False),
        *_scope_columns(),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "academic_year", "dimension", "key"),
    )
    op.create_index(
        "ix_regional_breakdown_region_year", "regional_breakdown", ["region_id", "academic_year", "dimension"]
    )
    op.create_index(
        "ix_regional_breakdown_municipality_year",
        "regional_breakdown",
        ["municipality_id", "academic_year", "dimension"],
    )
    for table in ROLLUPS:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY regional_read ON {table} FOR SELECT USING ({REGION_SCOPE})")
        op.execute(
            f"CREATE POLICY school_write ON {table} "
            "USING (school_id = app_current_school()) WITH CHECK (school_id = app_current_school())"
        )
    op.create_table(
        "regional_target",
        sa.Column("region_id", sa.Uuid(), sa.ForeignKey("region.id", ondelete="CASCADE"), nullable=False),
        sa.Column("coverage_percent", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.PrimaryKeyConstraint("region_id"),
    )
    op.create_index(op.f("ix_regional_target_updated_by_id"), "regional_target", ["updated_by_id"])
    op.execute("ALTER TABLE regional_target ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE regional_target FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY region_scope ON regional_target "
        "USING (region_id = app_current_region()) WITH CHECK (region_id = app_current_region())"
    )


def downgrade() -> None:
    op.drop_table("regional_target")
    op.drop_table("regional_breakdown")
    op.drop_table("regional_school_year")
    op.execute("DROP TYPE IF EXISTS regional_dimension")
    op.execute("DROP FUNCTION app_current_municipality()")
    op.execute("DROP FUNCTION app_current_region()")
