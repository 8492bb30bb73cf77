"""Background jobs: a PostgreSQL table polled by one asyncio task per app process.

Long work (large imports, big reports) is queued as a row and picked up with
`FOR UPDATE SKIP LOCKED`, so several processes can share the queue without a broker.
A job carries only ids in its payload; personal data stays in school-owned tables behind
row-level security, and the handler scopes its own transaction with `set_school`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import traceback
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy import Enum, String, Text, func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import Base, IdMixin, utcnow

log = structlog.get_logger("nastavnik.jobs")


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(IdMixin, Base):
    __tablename__ = "background_job"

    kind: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, name="job_status", values_callable=lambda e: [m.value for m in e]),
        default=JobStatus.QUEUED,
        index=True,
    )
    school_id: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")


Handler = Callable[[async_sessionmaker[AsyncSession], Job], Awaitable[None]]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind`."""

    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return register


async def enqueue(
    db: AsyncSession, kind: str, payload: dict[str, Any], *, school_id: uuid.UUID | None = None
) -> Job:
    """Queue a job in the caller's transaction: it starts only if that transaction commits."""
    job = Job(kind=kind, payload=payload, school_id=school_id)
    db.add(job)
    await db.flush()
    return job


async def _claim(maker: async_sessionmaker[AsyncSession]) -> Job | None:
    async with maker() as db, db.begin():
        job = (
            await db.execute(
                select(Job)
                .where(Job.status == JobStatus.QUEUED)
                .order_by(Job.created_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).scalar_one_or_none()
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = utcnow()
    return job


async def _finish(
    maker: async_sessionmaker[AsyncSession], job: Job, status: JobStatus, error: str = ""
) -> None:
    async with maker() as db, db.begin():
        await db.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(status=status, finished_at=utcnow(), error=error[:4000])
        )


async def run_next(maker: async_sessionmaker[AsyncSession]) -> Job | None:
    """Run one queued job, if any; returns it (with its final status) or None."""
    job = await _claim(maker)
    if job is None:
        return None
    func = _HANDLERS.get(job.kind)
    if func is None:
        await _finish(maker, job, JobStatus.FAILED, f"no handler for {job.kind}")
        job.status = JobStatus.FAILED
        return job
    try:
        await func(maker, job)
    except Exception as exc:  # noqa: BLE001 - a failed job must never stop the worker
        # The type and the frames only: messages of database errors may quote personal data.
        log.error(  # noqa: TRY400 - the message is left out on purpose
            "job_failed",
            job_id=str(job.id),
            kind=job.kind,
            error=type(exc).__name__,
            frames="".join(traceback.format_tb(exc.__traceback__)),
        )
        await _finish(maker, job, JobStatus.FAILED, type(exc).__name__)
        job.status = JobStatus.FAILED
        return job
    await _finish(maker, job, JobStatus.DONE)
    job.status = JobStatus.DONE
    return job


async def run_pending(maker: async_sessionmaker[AsyncSession]) -> int:
    """Run queued jobs until none is left (tests and the `jobs` command use this)."""
    count = 0
    while await run_next(maker) is not None:
        count += 1
    return count


STALE_AFTER = dt.timedelta(minutes=15)


async def requeue_stale(maker: async_sessionmaker[AsyncSession]) -> int:
    """Jobs left running by a process that died are queued again (handlers are re-runnable)."""
    async with maker() as db, db.begin():
        result = await db.execute(
            update(Job)
            .where(Job.status == JobStatus.RUNNING, Job.started_at < utcnow() - STALE_AFTER)
            .values(status=JobStatus.QUEUED, started_at=None)
        )
    return int(getattr(result, "rowcount", 0) or 0)


async def worker(maker: async_sessionmaker[AsyncSession], *, poll_seconds: float = 1.0) -> None:
    """Poll the queue forever; started as a task in the app's lifespan."""
    try:
        await requeue_stale(maker)
    except Exception as exc:  # noqa: BLE001 - the database may not be up yet; polling retries
        log.warning("job_requeue_failed", error=type(exc).__name__)
    while True:
        try:
            job = await run_next(maker)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. the database restarting, keep polling
            log.warning("job_poll_failed", error=type(exc).__name__)
            job = None
        if job is None:
            await asyncio.sleep(poll_seconds)


def start_worker(maker: async_sessionmaker[AsyncSession]) -> asyncio.Task[None]:
    return asyncio.create_task(worker(maker), name="nastavnik-jobs")


async def stop_worker(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
