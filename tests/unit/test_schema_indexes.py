"""Every foreign key has an index (CONVENTIONS.md «Data»), read from the migrated database's catalog.

A foreign key is covered when its columns, in any order, are the leading columns of some
index of its table: then a lookup by the key (a page loading a pair's plan items) and the
check on deleting the referenced row (ON DELETE CASCADE) are index scans, not scans of
the whole table of every school.
"""

from __future__ import annotations

import psycopg

from nastavnik.models import metadata
from nastavnik.platform.database import DatabaseUrls

FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text, c.conname,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)
FROM pg_constraint c
WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
ORDER BY 1, 2
"""

# Index columns in index order; an expression column (attnum 0) ends the usable prefix.
INDEXES = """
SELECT i.indrelid::regclass::text,
       ARRAY(SELECT coalesce(a.attname::text, '') FROM unnest(i.indkey) WITH ORDINALITY k(n, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.ord)
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = current_schema()::regnamespace AND i.indpred IS NULL
"""


def foreign_keys_without_index(conn: psycopg.Connection) -> list[str]:
    indexes: dict[str, list[list[str]]] = {}
    for table, columns in conn.execute(INDEXES).fetchall():
        indexes.setdefault(table, []).append(list(columns))
    # Tables of third-party libraries in the same schema (the job queue) are theirs to index.
    ours = set(metadata.tables)
    missing: list[str] = []
    for table, name, columns in conn.execute(FOREIGN_KEYS).fetchall():
        if table not in ours:
            continue
        wanted = set(columns)
        covered = any(
            "" not in index[: len(wanted)] and set(index[: len(wanted)]) == wanted
            for index in indexes.get(table, [])
        )
        if not covered:
            missing.append(f"{table}({', '.join(columns)}) — {name}")
    return missing


def test_every_foreign_key_has_an_index(database: DatabaseUrls) -> None:
    dsn = database.migration.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn) as conn:
        missing = foreign_keys_without_index(conn)
    assert missing == [], "foreign keys without an index:\n" + "\n".join(missing)
