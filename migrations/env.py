"""Alembic environment: runs as the schema owner with lock and statement timeouts."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from nastavnik.models import metadata
from nastavnik.platform.database import resolve_database
from nastavnik.platform.migration_helpers import include_name
from nastavnik.platform.settings import get_settings

config = context.config


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if url:
        return str(url)
    return resolve_database(get_settings()).migration


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(_url())
    with engine.connect() as connection:
        # A migration must never queue behind live traffic for long or run away.
        connection.execute(text("SET lock_timeout = '5s'"))
        connection.execute(text("SET statement_timeout = '10min'"))
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=metadata,
            compare_type=True,
            compare_server_default=False,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
