"""A version per region of the mentor directory, moved by a trigger on every card written.

Cross-school searches are kept per worker under this version (see
`regional.mentor_search.services`), so the counter must move with every insert, update or
delete of `mentor_directory_entry`, whoever writes it: statement-level triggers with
transition tables give each region touched a new number once per statement. The trigger function is
SECURITY DEFINER (owned by the schema's owner) because the schools writing their cards
may not write the counter themselves; the app role only reads it.

Revision ID: 20261201_16_01
Revises: 20261201_12_03
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.platform.migration_helpers import app_role

revision: str = "20261201_16_01"
down_revision: str | None = "20261201_12_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP = """
CREATE FUNCTION mentor_directory_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- From a sequence, never reused: a version seen inside a transaction that then rolled
    -- back is never given to another state of the cards.
    INSERT INTO mentor_directory_version AS v (region_id, version, changed_at)
    SELECT region_id, nextval('mentor_directory_version_seq'), now()
    FROM (SELECT DISTINCT region_id FROM changed_rows) AS touched
    ON CONFLICT (region_id) DO UPDATE SET version = excluded.version, changed_at = now();
    RETURN NULL;
END
$$
"""

TRIGGERS = {
    "insert": "AFTER INSERT ON mentor_directory_entry REFERENCING NEW TABLE AS changed_rows",
    "update": "AFTER UPDATE ON mentor_directory_entry REFERENCING NEW TABLE AS changed_rows",
    "delete": "AFTER DELETE ON mentor_directory_entry REFERENCING OLD TABLE AS changed_rows",
}


def upgrade() -> None:
    op.create_table(
        "mentor_directory_version",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_mentor_directory_version_region_id_region")
        ),
        sa.PrimaryKeyConstraint("region_id", name=op.f("pk_mentor_directory_version")),
    )
    # A counter per region, no person in it: the app role reads it, only the trigger writes.
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON mentor_directory_version FROM {app_role()}")
    op.execute(f"GRANT SELECT ON mentor_directory_version TO {app_role()}")
    op.execute("CREATE SEQUENCE mentor_directory_version_seq")
    op.execute(BUMP)
    op.execute("REVOKE ALL ON FUNCTION mentor_directory_bump FROM PUBLIC")
    for event, clause in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER mentor_directory_bump_{event} {clause} "
            "FOR EACH STATEMENT EXECUTE FUNCTION mentor_directory_bump()"
        )
    op.execute(
        "INSERT INTO mentor_directory_version (region_id, version) "
        "SELECT region_id, nextval('mentor_directory_version_seq') "
        "FROM (SELECT DISTINCT region_id FROM mentor_directory_entry) AS r"
    )


def downgrade() -> None:
    for event in TRIGGERS:
        op.execute(f"DROP TRIGGER mentor_directory_bump_{event} ON mentor_directory_entry")
    op.execute("DROP FUNCTION mentor_directory_bump")
    op.drop_table("mentor_directory_version")
    op.execute("DROP SEQUENCE mentor_directory_version_seq")
