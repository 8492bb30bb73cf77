"""Housekeeping deletes sessions that can no longer be used, and only those."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.models import User, WebSession
from nastavnik.platform.auth.sessions import hash_token
from nastavnik.platform.db import new_id, utcnow
from nastavnik.platform.housekeeping import delete_dead_sessions

pytestmark = pytest.mark.anyio

IDLE = 2 * 3600


async def _session(
    db: AsyncSession, user: User, name: str, *, last_seen: dt.datetime, expires: dt.datetime
) -> str:
    token = hash_token(f"{name}-{uuid.uuid4().hex}")
    db.add(
        WebSession(
            token_hash=token,
            user_id=user.id,
            keycloak_sid=None,
            id_token="",
            memberships=[],
            created_at=last_seen,
            last_seen_at=last_seen,
            expires_at=expires,
        )
    )
    await db.flush()
    return token


async def test_expired_and_idle_sessions_are_deleted_live_ones_kept(db: AsyncSession) -> None:
    user = User(id=new_id(), keycloak_id=str(uuid.uuid4()), username=f"hk-{uuid.uuid4().hex[:6]}")
    db.add(user)
    await db.flush()
    now = utcnow()
    live = await _session(
        db, user, "live", last_seen=now - dt.timedelta(minutes=5), expires=now + dt.timedelta(hours=8)
    )
    expired = await _session(
        db, user, "expired", last_seen=now - dt.timedelta(minutes=5), expires=now - dt.timedelta(seconds=1)
    )
    idle = await _session(
        db, user, "idle", last_seen=now - dt.timedelta(seconds=IDLE + 60), expires=now + dt.timedelta(hours=8)
    )

    deleted = await delete_dead_sessions(db, idle_seconds=IDLE, now=now)

    left = set((await db.scalars(select(WebSession.token_hash).where(WebSession.user_id == user.id))).all())
    assert left == {live}
    assert deleted == 2
    assert expired not in left
    assert idle not in left
