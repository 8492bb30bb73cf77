"""Background jobs move to procrastinate: its schema replaces the hand-written background_job.

procrastinate's schema is created by running its own migration scripts, shipped in the
package (`procrastinate/sql/migrations/`), in order, up to the last one of the version
this was written for (3.10). The list is fixed by `LAST_SCRIPT`, so this migration does the
same thing whatever procrastinate is installed later; upgrading procrastinate means a new
migration that runs the scripts after `LAST_SCRIPT` (their names sort after it) and
sets a `LAST_SCRIPT` of its own; tests/unit/test_migrations.py fails until it exists.

The tables belong to the owner role; the app role (neither owner nor superuser) gets the
rows and sequences it needs, as for every other table. Jobs still queued or running in
background_job are moved over (same task names, the school id joins the arguments).

Revision ID: 20261122_01
Revises: 20261121_05
Create Date: 2026-11-22
"""

from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.migration_helpers import app_role

revision: str = "20261122_01"
down_revision: str | None = "20261121_05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LAST_SCRIPT = "03.04.00_50_post_add_retry_failed_job_procedure.sql"


def _scripts() -> list[str]:
    folder = resources.files("procrastinate.sql.migrations")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql") and p.name <= LAST_SCRIPT)
    if LAST_SCRIPT not in names:
        msg = f"procrastinate no longer ships {LAST_SCRIPT}; this migration needs procrastinate 3.x"
        raise RuntimeError(msg)
    return [folder.joinpath(name).read_text(encoding="utf-8") for name in names]


def _run_script(sql: str) -> None:
    # Straight to psycopg without parameters: the scripts hold plpgsql with `%` and `:`,
    # which SQLAlchemy's text() or the driver's placeholders would otherwise interpret.
    driver = op.get_bind().connection.driver_connection
    if driver is None:
        msg = "the migration connection has no driver connection"
        raise RuntimeError(msg)
    driver.execute(sql)


GRANTS = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname, c.relkind FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relname LIKE 'procrastinate\\_%'
               AND c.relkind IN ('r', 'S')
    LOOP
        IF r.relkind = 'r' THEN
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO {role}', r.relname);
        ELSE
            EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO {role}', r.relname);
        END IF;
    END LOOP;
END $$;
"""

DROP_PROCRASTINATE = """
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
    procrastinate_jobs, procrastinate_workers CASCADE;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
    LOOP
        EXECUTE 'DROP ROUTINE IF EXISTS ' || r.signature || ' CASCADE';
    END LOOP;
    FOR r IN SELECT t.typname FROM pg_type t
             JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
               AND t.typtype IN ('e', 'c')
    LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
    END LOOP;
END $$;
"""


def upgrade() -> None:
    for script in _scripts():
        _run_script(script)
        if "ADD VALUE" in script:
            # PostgreSQL before 17 refuses an enum value added in the same transaction
            # ("unsafe use of new value"), and later scripts use the values: commit here.
            with op.get_context().autocommit_block():
                pass
    _run_script(GRANTS.format(role=app_role()))
    op.execute(
        "INSERT INTO procrastinate_jobs (queue_name, task_name, args) "
        "SELECT 'default', kind, payload || jsonb_build_object('school_id', school_id::text) "
        "FROM background_job WHERE status IN ('queued', 'running') ORDER BY created_at"
    )
    op.drop_index(op.f("ix_background_job_status"), table_name="background_job")
    op.drop_table("background_job")
    op.execute("DROP TYPE IF EXISTS job_status")


def downgrade() -> None:
    op.create_table(
        "background_job",
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "status", sa.Enum("queued", "running", "done", "failed", name="job_status"), nullable=False
        ),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_job")),
    )
    op.create_index(op.f("ix_background_job_status"), "background_job", ["status"], unique=False)
    # Jobs not yet run go back to the old queue; finished ones have nothing left to do.
    op.execute(
        "INSERT INTO background_job (id, kind, payload, status, school_id, error) "
        "SELECT gen_random_uuid(), task_name, args - 'school_id', 'queued', "
        "(args ->> 'school_id')::uuid, '' FROM procrastinate_jobs "
        "WHERE status IN ('todo', 'doing') AND task_name NOT LIKE 'builtin:%' ORDER BY id"
    )
    _run_script(DROP_PROCRASTINATE)
