"""Migrations: upgrade to head, models and migrations agree, downgrade and upgrade again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from nastavnik.cli import alembic_config
from nastavnik.models import metadata
from nastavnik.platform.embedded_db import drop_database
from nastavnik.platform.migration_helpers import include_name
from tests.conftest import _database_urls


@pytest.fixture
def scratch(test_data_dir: Path) -> str:
    name = f"nastavnik_migrations_{os.getpid()}"
    urls = _database_urls(test_data_dir, name)
    yield urls.migration
    if urls.embedded:
        from nastavnik.platform.embedded_db import start_server

        drop_database(start_server(test_data_dir), name)


def test_there_is_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("postgresql+psycopg://unused"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_upgrade_check_downgrade_upgrade(scratch: str) -> None:
    config = alembic_config(scratch)
    command.upgrade(config, "head")
    engine = create_engine(scratch)
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name}),
            metadata,
        )
        assert diff == []
        tables = set(inspect(connection).get_table_names())
    assert {t.name for t in metadata.sorted_tables} <= tables
    command.downgrade(config, "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    engine.dispose()


def test_every_schema_script_of_the_installed_procrastinate_is_applied_by_a_migration() -> None:
    # Upgrading procrastinate without a migration for its new scripts would leave workers
    # calling SQL functions the database does not have.
    from importlib import resources

    from alembic.script import Script

    script = ScriptDirectory.from_config(alembic_config("postgresql+psycopg://unused"))
    last = max(
        str(module.LAST_SCRIPT)
        for revision in script.walk_revisions()
        if isinstance(revision, Script) and hasattr(module := revision.module, "LAST_SCRIPT")
    )
    shipped = [
        p.name for p in resources.files("procrastinate.sql.migrations").iterdir() if p.name.endswith(".sql")
    ]
    assert last in shipped
    assert [name for name in shipped if name > last] == []
