"""A version per region of the mentor directory, renewed on every card written.

Cross-school searches are kept per worker under this version (see
`regional.mentor_search.services`): see `migration_helpers.create_region_version`.

Revision ID: 20261201_16_01
Revises: 20261201_12_03
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from nastavnik.platform.migration_helpers import create_region_version, drop_region_version

revision: str = "20261201_16_01"
down_revision: str | None = "20261201_12_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_region_version("mentor_directory_version", "mentor_directory_entry")


def downgrade() -> None:
    drop_region_version("mentor_directory_version", "mentor_directory_entry")
