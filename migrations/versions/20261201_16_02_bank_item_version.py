"""A version per region of the bank of programmes and practices, renewed on every item written.

Bank searches are kept per worker under this version (see `regional.practice_bank.search`):
see `migration_helpers.create_region_version`.

Revision ID: 20261201_16_02
Revises: 20261201_13_03
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from nastavnik.platform.migration_helpers import create_region_version, drop_region_version

revision: str = "20261201_16_02"
down_revision: str | None = "20261201_13_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_region_version("bank_item_version", "bank_item")


def downgrade() -> None:
    drop_region_version("bank_item_version", "bank_item")
