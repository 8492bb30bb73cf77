"""The PostgreSQL job queue: handlers by kind, failures recorded, stale jobs re-queued."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.platform import jobs

pytestmark = pytest.mark.anyio


async def test_jobs_run_in_order_with_their_handler(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    async def remember(maker: async_sessionmaker[AsyncSession], job: jobs.Job) -> None:
        seen.append(str(job.payload["n"]))

    monkeypatch.setitem(jobs._HANDLERS, "test.remember", remember)
    for n in range(3):
        await jobs.enqueue(db, "test.remember", {"n": n})
    await db.commit()
    assert await jobs.run_pending(sessionmaker) == 3
    assert seen == ["0", "1", "2"]
    statuses = set((await db.execute(select(jobs.Job.status))).scalars())
    assert statuses == {jobs.JobStatus.DONE}


async def test_a_failing_or_unknown_job_is_marked_failed_without_its_message(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(maker: async_sessionmaker[AsyncSession], job: jobs.Job) -> None:
        raise ValueError("Иванов Иван, 7Б")  # personal data must not reach the job's record

    monkeypatch.setitem(jobs._HANDLERS, "test.explode", explode)
    failing = await jobs.enqueue(db, "test.explode", {})
    unknown = await jobs.enqueue(db, "test.nobody", {})
    await db.commit()
    await jobs.run_pending(sessionmaker)
    await db.refresh(failing)
    await db.refresh(unknown)
    assert (failing.status, failing.error) == (jobs.JobStatus.FAILED, "ValueError")
    assert unknown.status is jobs.JobStatus.FAILED
    assert "no handler" in unknown.error


async def test_a_job_left_running_by_a_dead_process_is_queued_again(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    job = await jobs.enqueue(db, "test.stale", {})
    fresh = await jobs.enqueue(db, "test.fresh", {})
    await db.execute(
        update(jobs.Job)
        .where(jobs.Job.id == job.id)
        .values(status=jobs.JobStatus.RUNNING, started_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    )
    await db.execute(
        update(jobs.Job)
        .where(jobs.Job.id == fresh.id)
        .values(status=jobs.JobStatus.RUNNING, started_at=dt.datetime.now(dt.UTC))
    )
    await db.commit()
    assert await jobs.requeue_stale(sessionmaker) == 1
    await db.refresh(job)
    await db.refresh(fresh)
    assert (job.status, fresh.status) == (jobs.JobStatus.QUEUED, jobs.JobStatus.RUNNING)


async def test_the_worker_polls_until_stopped(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    done = asyncio.Event()

    async def finish(maker: async_sessionmaker[AsyncSession], job: jobs.Job) -> None:
        done.set()

    monkeypatch.setitem(jobs._HANDLERS, "test.finish", finish)
    await jobs.enqueue(db, "test.finish", {})
    await db.commit()
    task = jobs.start_worker(sessionmaker)
    await asyncio.wait_for(done.wait(), timeout=10)
    await jobs.stop_worker(task)
    assert task.cancelled()
