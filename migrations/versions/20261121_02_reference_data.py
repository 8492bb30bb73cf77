"""Reference lists: forms and kinds of mentoring, directions, request and deficit areas.

Revision ID: 20261121_02
Revises: 20261121_01
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.db import new_id
from nastavnik.tenants.reference import DEFAULTS

revision: str = "20261121_02"
down_revision: str | None = "20261121_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("form", "mentoring_kind", "direction", "request_area", "deficit_area")


def upgrade() -> None:
    table = op.create_table(
        "reference_item",
        sa.Column("kind", sa.Enum(*KINDS, name="reference_kind"), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("short_title", sa.String(length=120), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_item")),
        sa.UniqueConstraint("kind", "code", name=op.f("uq_reference_item_kind_code")),
    )
    rows = []
    for kind, items in DEFAULTS.items():
        for order, (code, title, short_title, attributes) in enumerate(items, start=1):
            rows.append(
                {
                    "id": new_id(),
                    "kind": kind.value,
                    "code": code,
                    "title": title,
                    "short_title": short_title,
                    "sort_order": order * 10,
                    "active": True,
                    "attributes": attributes,
                }
            )
    op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_table("reference_item")
    op.execute("DROP TYPE IF EXISTS reference_kind")
