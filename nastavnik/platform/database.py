"""Where the database is: the configured server, or the embedded one on a fresh machine."""

from __future__ import annotations

import os
from dataclasses import dataclass

from nastavnik.platform.embedded_db import APP_ROLE, ensure_database, start_server
from nastavnik.platform.settings import Settings


@dataclass(frozen=True)
class DatabaseUrls:
    app: str
    migration: str
    app_role: str
    embedded: bool


def _with_driver(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def resolve_database(settings: Settings, *, database: str = "nastavnik") -> DatabaseUrls:
    if settings.database_url:
        app = _with_driver(settings.database_url)
        migration = _with_driver(settings.migration_database_url or settings.database_url)
        return DatabaseUrls(app, migration, os.environ.get("APP_DB_ROLE", APP_ROLE), embedded=False)
    socket_dir = start_server(settings.data_dir)
    db = ensure_database(socket_dir, database)
    return DatabaseUrls(db.app_url, db.owner_url, APP_ROLE, embedded=True)
