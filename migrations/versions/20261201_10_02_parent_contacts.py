"""A pupil's parent (legal representative) as the school's list names them.

`participant.parent_name` / `parent_phone`: filled from an import's columns «ФИО родителя»
and «Телефон родителя»; the bulk consents grid offers the name as the signer of a minor's
consent, so a stack of 200 forms is ticked off without typing 200 names. Both columns are
plain text of the same row-level-secured table (no new policy or grant needed).

Revision ID: 20261201_10_02
Revises: 20261201_14_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_10_02"
down_revision: str | None = "20261201_14_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "participant", sa.Column("parent_name", sa.String(length=300), nullable=False, server_default="")
    )
    op.add_column(
        "participant", sa.Column("parent_phone", sa.String(length=40), nullable=False, server_default="")
    )


def downgrade() -> None:
    op.drop_column("participant", "parent_phone")
    op.drop_column("participant", "parent_name")
