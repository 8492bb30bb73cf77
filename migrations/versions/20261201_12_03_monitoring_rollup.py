"""The schools' monitoring figures in the rollups: surveyed, answers, satisfaction, impact.

Counts and sums only (no person): the regional pages turn them into the shares of
«Доля опрошенных», «Регулярность обратной связи», «Удовлетворённость» and «Изменения
«до/после»». Written by the same per-school recount as the other figures.

Revision ID: 20261201_12_03
Revises: 20261201_13_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_12_03"
down_revision: str | None = "20261201_13_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTEGERS = (
    "surveyed",
    "survey_invited",
    "survey_answered",
    "satisfaction_answers",
    "impact_people",
    "pairs_without_feedback",
)
SUMS = ("satisfaction_sum", "impact_before_sum", "impact_after_sum")


def upgrade() -> None:
    for name in INTEGERS:
        op.add_column(
            "regional_school_year", sa.Column(name, sa.Integer(), nullable=False, server_default="0")
        )
    for name in SUMS:
        op.add_column("regional_school_year", sa.Column(name, sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    for name in (*INTEGERS, *SUMS):
        op.drop_column("regional_school_year", name)
