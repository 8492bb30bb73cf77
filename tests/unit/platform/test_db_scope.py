"""The tenant variables are set once per transaction, and again whenever that could matter."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from nastavnik.platform.db import new_id, set_actor, set_school

pytestmark = pytest.mark.anyio


def _count_set_config(connection: AsyncConnection) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "set_config" in statement:
            seen.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    return seen


async def _school(db: AsyncSession) -> str:
    return str(await db.scalar(text("SELECT current_setting('app.school_id', true)")))


async def test_repeated_scope_in_one_transaction_is_one_round_trip(
    db: AsyncSession, connection: AsyncConnection
) -> None:
    seen = _count_set_config(connection)
    school = new_id()
    await set_school(db, school)
    await set_school(db, school)
    await set_actor(db, school)
    await set_actor(db, school)
    assert len(seen) == 2
    assert await _school(db) == str(school)


async def test_another_school_is_set_at_once(db: AsyncSession, connection: AsyncConnection) -> None:
    seen = _count_set_config(connection)
    first, second = new_id(), new_id()
    await set_school(db, first)
    await set_school(db, second)
    assert len(seen) == 2
    assert await _school(db) == str(second)


async def test_scope_is_set_again_after_a_rolled_back_savepoint(
    db: AsyncSession, connection: AsyncConnection
) -> None:
    outer, inner = new_id(), new_id()
    await set_school(db, outer)
    nested = await db.begin_nested()
    await set_school(db, inner)
    await nested.rollback()
    # PostgreSQL undid the savepoint's SET LOCAL; the cache must not claim `inner` is set.
    assert await _school(db) == str(outer)
    await set_school(db, inner)
    assert await _school(db) == str(inner)


async def test_new_transaction_sets_the_scope_again(db: AsyncSession, connection: AsyncConnection) -> None:
    seen = _count_set_config(connection)
    school = new_id()
    await set_school(db, school)
    await db.commit()
    await set_school(db, school)
    assert len(seen) == 2


async def test_two_sessions_on_one_connection_never_trust_a_stale_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    mine, theirs = new_id(), new_id()
    async with sessionmaker() as first:
        await set_school(first, mine)
        async with sessionmaker() as second:
            await set_school(second, theirs)
            await second.commit()
        await set_school(first, mine)
        assert await _school(first) == str(mine)
