"""Housekeeping that every job worker does now and then: sessions that can no longer be
used and finished jobs past their keeping time are deleted.

Expired sessions are refused at once when they come back (`load_session`), but a session
that never comes back would stay a row forever; finished jobs likewise. Several workers
may run this at the same time: each step is an idempotent DELETE.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import structlog
from procrastinate.manager import JobManager
from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.platform.auth.models import WebSession
from nastavnik.platform.db import utcnow

log = structlog.get_logger("nastavnik.housekeeping")

EVERY_SECONDS = 6 * 3600
# Finished jobs are kept a month for support questions («почему не загрузился файл»); failed
# ones three months, so a pattern of failures can still be seen.
KEEP_SUCCEEDED_HOURS = 30 * 24
KEEP_FAILED_HOURS = 90 * 24


@dataclass(frozen=True)
class Swept:
    sessions: int


async def delete_dead_sessions(db: AsyncSession, *, idle_seconds: int, now: dt.datetime | None = None) -> int:
    """Delete sessions past their absolute expiry or idle for longer than `idle_seconds`."""
    moment = now or utcnow()
    result = await db.execute(
        delete(WebSession).where(
            or_(
                WebSession.expires_at <= moment,
                WebSession.last_seen_at < moment - dt.timedelta(seconds=idle_seconds),
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def sweep(
    maker: async_sessionmaker[AsyncSession], job_manager: JobManager, *, idle_seconds: int
) -> Swept:
    async with maker() as db, db.begin():
        sessions = await delete_dead_sessions(db, idle_seconds=idle_seconds)
    await job_manager.delete_old_jobs(nb_hours=KEEP_SUCCEEDED_HOURS)
    await job_manager.delete_old_jobs(
        nb_hours=KEEP_FAILED_HOURS, include_failed=True, include_cancelled=True, include_aborted=True
    )
    return Swept(sessions=sessions)


async def sweep_forever(
    maker: async_sessionmaker[AsyncSession], job_manager: JobManager, *, idle_seconds: int
) -> None:
    while True:
        try:
            swept = await sweep(maker, job_manager, idle_seconds=idle_seconds)
            log.info("housekeeping", sessions_deleted=swept.sessions)
        except Exception as exc:  # noqa: BLE001 - e.g. the database restarting: try again later
            log.warning("housekeeping_failed", error=type(exc).__name__)
        await asyncio.sleep(EVERY_SECONDS)
