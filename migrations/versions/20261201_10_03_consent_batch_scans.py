"""A scanned stack of consent forms, attached once to a bulk-consents save.

- `consent_batch_scan`: the file (PDF or image) of the stack, school-owned, behind FORCEd
  row-level security like `consent_scan`; the app role's grants come from the default
  privileges of the foundation migration.
- `consent.batch_scan_id`: which stack a consent came in; the foreign key includes
  `school_id`, so a consent can never name another school's scan. Indexed.

Revision ID: 20261201_10_03
Revises: 20261201_10_02
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.platform.db import rls_disable_sql, rls_enable_sql

revision: str = "20261201_10_03"
down_revision: str | None = "20261201_10_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_batch_scan",
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_consent_batch_scan_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_consent_batch_scan")),
        info={"school_owned": True},
    )
    op.create_index(
        op.f("ix_consent_batch_scan_recorded_by_id"), "consent_batch_scan", ["recorded_by_id"], unique=False
    )
    for statement in rls_enable_sql("consent_batch_scan"):
        op.execute(statement)
    op.add_column("consent", sa.Column("batch_scan_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_consent_school_id_batch_scan_id_consent_batch_scan"),
        "consent",
        "consent_batch_scan",
        ["school_id", "batch_scan_id"],
        ["school_id", "id"],
    )
    op.create_index(
        "ix_consent_school_id_batch_scan_id", "consent", ["school_id", "batch_scan_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_consent_school_id_batch_scan_id", table_name="consent")
    op.drop_constraint(
        op.f("fk_consent_school_id_batch_scan_id_consent_batch_scan"), "consent", type_="foreignkey"
    )
    op.drop_column("consent", "batch_scan_id")
    for statement in rls_disable_sql("consent_batch_scan"):
        op.execute(statement)
    op.drop_index(op.f("ix_consent_batch_scan_recorded_by_id"), table_name="consent_batch_scan")
    op.drop_table("consent_batch_scan")
