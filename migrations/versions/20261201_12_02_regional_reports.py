"""Regional reports for the ministry: built by a job, kept in PDF, DOCX and XLSX.

Readable and writable within the report's region only (`app.region_id`); RLS FORCEd.

Revision ID: 20261201_12_02
Revises: 20261201_12_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_12_02"
down_revision: str | None = "20261201_12_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "regional_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_id", sa.Uuid(), sa.ForeignKey("region.id", ondelete="CASCADE"), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "running", "done", "failed", name="regional_report_status"),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("data_as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("docx", sa.LargeBinary(), nullable=True),
        sa.Column("xlsx", sa.LargeBinary(), nullable=True),
        sa.Column("requested_by_id", sa.Uuid(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_regional_report_region_id_created_at", "regional_report", ["region_id", "created_at"])
    op.create_index(op.f("ix_regional_report_requested_by_id"), "regional_report", ["requested_by_id"])
    op.execute("ALTER TABLE regional_report ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE regional_report FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY region_scope ON regional_report "
        "USING (region_id = app_current_region()) WITH CHECK (region_id = app_current_region())"
    )


def downgrade() -> None:
    op.drop_table("regional_report")
    op.execute("DROP TYPE IF EXISTS regional_report_status")
