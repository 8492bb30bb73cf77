"""Corrections of a pairs order's number or date after approval.

`matching_round.order_corrections`: JSONB list of the replaced values with who, when and
why; the order's PDF and DOCX are built from the round's current number and date, so the
documents follow the correction at once. Same table and policy as before.

Revision ID: 20261201_10_04
Revises: 20261201_10_03
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261201_10_04"
down_revision: str | None = "20261201_10_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "matching_round",
        sa.Column(
            "order_corrections",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default="[]",
        ),
    )


def downgrade() -> None:
    op.drop_column("matching_round", "order_corrections")
