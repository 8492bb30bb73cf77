"""Small helpers shared by migrations."""

from __future__ import annotations

import os
import re

from nastavnik.platform.embedded_db import APP_ROLE


def app_role() -> str:
    """The application's database role; validated because it is spliced into DDL."""
    role = os.environ.get("APP_DB_ROLE", APP_ROLE)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        msg = f"invalid APP_DB_ROLE: {role!r}"
        raise ValueError(msg)
    return role


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave procrastinate's tables out of `alembic check`: its own scripts define them."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def create_region_version(versions: str, watched: str) -> None:
    """A table `versions` (region_id, version, changed_at) whose row of a region gets a new
    number, from a sequence, after every statement writing rows of that region in
    `watched` (statement triggers with transition tables).

    Searches kept per worker are keyed by it; sequence numbers are never reused, so a
    version seen inside a transaction that rolled back is never given to another state.
    The trigger function is SECURITY DEFINER (owned by the schema's owner): the schools
    writing `watched` cannot write `versions`; the app role only reads it.
    """
    import sqlalchemy as sa
    from alembic import op

    for name in (versions, watched):
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,50}", name):
            msg = f"invalid table name: {name!r}"
            raise ValueError(msg)
    op.create_table(
        versions,
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f(f"fk_{versions}_region_id_region")),
        sa.PrimaryKeyConstraint("region_id", name=op.f(f"pk_{versions}")),
    )
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {versions} FROM {app_role()}")
    op.execute(f"GRANT SELECT ON {versions} TO {app_role()}")
    op.execute(f"CREATE SEQUENCE {versions}_seq")
    op.execute(
        f"""
CREATE FUNCTION {versions}_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO {versions} AS v (region_id, version, changed_at)
    SELECT region_id, nextval('{versions}_seq'), now()
    FROM (SELECT DISTINCT region_id FROM changed_rows) AS touched
    ON CONFLICT (region_id) DO UPDATE SET version = excluded.version, changed_at = now();
    RETURN NULL;
END
$$
"""
    )
    op.execute(f"REVOKE ALL ON FUNCTION {versions}_bump FROM PUBLIC")
    for event, rows in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        op.execute(
            f"CREATE TRIGGER {versions}_{event} AFTER {event.upper()} ON {watched} "
            f"REFERENCING {rows} TABLE AS changed_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {versions}_bump()"
        )
    op.execute(
        f"INSERT INTO {versions} (region_id, version) SELECT region_id, nextval('{versions}_seq') "
        f"FROM (SELECT DISTINCT region_id FROM {watched}) AS r"
    )


def drop_region_version(versions: str, watched: str) -> None:
    from alembic import op

    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER {versions}_{event} ON {watched}")
    op.execute(f"DROP FUNCTION {versions}_bump")
    op.drop_table(versions)
    op.execute(f"DROP SEQUENCE {versions}_seq")
