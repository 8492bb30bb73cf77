"""Inter-school pairs are accepted by both of school B: its curator and the mentor (issue 13).

Revision ID: 20261201_13_03
Revises: 20261201_13_02
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_13_03"
down_revision: str | None = "20261201_13_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "cross_school_pair",
        sa.Column("curator_agreed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.alter_column("cross_school_pair", "curator_agreed", server_default=None)
    # Pairs agreed before this change were accepted by B's curator (the owner reads every
    # row only while the policies are not forced on it).
    op.execute("ALTER TABLE cross_school_pair NO FORCE ROW LEVEL SECURITY")
    op.execute("UPDATE cross_school_pair SET curator_agreed = true WHERE status IN ('accepted', 'completed')")
    op.execute("ALTER TABLE cross_school_pair FORCE ROW LEVEL SECURITY")
    op.add_column(
        "cross_school_pair", sa.Column("mentor_answered_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("cross_school_pair", "mentor_answered_at")
    op.drop_column("cross_school_pair", "curator_agreed")
