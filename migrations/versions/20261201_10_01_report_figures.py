"""What the execution report needs that a school typed by hand: surveys and a closed programme.

- `contingent.pupils_surveyed` / `teachers_surveyed`: potential mentees who took the
  questionnaire (seed 000: «52/10 %», «5/11 %»); recorded by the curator until the
  questionnaires feature counts them. NULL = not recorded («нет данных»).
- `programme.closed_on`: the day the curator closed the year's programme; a closed
  programme's report and roadmap no longer count rows as overdue against today.

Revision ID: 20261201_10_01
Revises: 20261122_02
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_10_01"
down_revision: str | None = "20261122_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contingent", sa.Column("pupils_surveyed", sa.Integer(), nullable=True))
    op.add_column("contingent", sa.Column("teachers_surveyed", sa.Integer(), nullable=True))
    op.create_check_constraint(
        op.f("ck_contingent_surveyed_within"),
        "contingent",
        "(pupils_surveyed IS NULL OR pupils_surveyed BETWEEN 0 AND pupils) AND "
        "(teachers_surveyed IS NULL OR teachers_surveyed BETWEEN 0 AND teachers)",
    )
    op.add_column("programme", sa.Column("closed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("programme", "closed_on")
    op.drop_constraint(op.f("ck_contingent_surveyed_within"), "contingent", type_="check")
    op.drop_column("contingent", "teachers_surveyed")
    op.drop_column("contingent", "pupils_surveyed")
