"""The job queue (procrastinate): transactional defer, retries with backoff, no personal data
in the logs, and a job whose worker dies is run again by another worker."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.app import create_app
from nastavnik.platform import jobs
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.db import make_engine, make_sessionmaker
from nastavnik.platform.settings import PROJECT_ROOT, Settings
from tests.unit.platform._job_worker import BLOCKING_TASK, block_first_attempt

pytestmark = pytest.mark.anyio

SEEN: dict[str, str] = {}
LAST_ATTEMPT: list[bool] = []


@jobs.app.task(name="tests.jobs.remember", pass_context=True)
async def remember(context: jobs.JobContext, *, marker: str) -> None:
    async with jobs.sessionmaker_of(context)() as db:
        SEEN[marker] = str(await db.scalar(text("SELECT current_user")))


@jobs.app.task(
    name="tests.jobs.explode",
    pass_context=True,
    retry=jobs.RetryStrategy(max_attempts=2, exponential_wait=10),
)
async def explode(context: jobs.JobContext) -> None:
    LAST_ATTEMPT.append(jobs.is_last_attempt(context))
    raise ValueError("Иванов Иван, 7Б")  # personal data must not reach the logs


@jobs.app.task(name="tests.jobs.explode_once", pass_context=True)
async def explode_once(context: jobs.JobContext) -> None:
    LAST_ATTEMPT.append(jobs.is_last_attempt(context))
    raise ValueError("Иванов Иван, 7Б")


async def _job(db: AsyncSession, job_id: int) -> Any:
    return (
        await db.execute(
            text(
                "SELECT status, attempts, scheduled_at > now() + interval '9 seconds' AS later, worker_id "
                "FROM procrastinate_jobs WHERE id = :id"
            ),
            {"id": job_id},
        )
    ).one_or_none()


async def _poll(check: Callable[[], Awaitable[bool]], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.fixture
async def committed(database: DatabaseUrls) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that really commit, for tests with workers of their own connections."""
    engine = make_engine(database.app)
    maker = make_sessionmaker(engine)
    try:
        yield maker
    finally:
        async with maker() as db, db.begin():
            await db.execute(text("DELETE FROM procrastinate_jobs WHERE task_name LIKE 'tests.jobs.%'"))
            await db.execute(
                text(
                    "DELETE FROM procrastinate_workers WHERE id NOT IN "
                    "(SELECT worker_id FROM procrastinate_jobs WHERE worker_id IS NOT NULL)"
                )
            )
        await engine.dispose()


async def test_a_job_exists_only_if_the_transaction_that_queued_it_commits(
    committed: async_sessionmaker[AsyncSession], database: DatabaseUrls
) -> None:
    async with committed() as db:
        rolled_back = await jobs.defer(db, remember, marker="rolled back")
        await db.rollback()
    async with committed() as db:
        kept = await jobs.defer(db, remember, marker="committed")
        await db.commit()

    async def succeeded() -> bool:
        async with committed() as db:
            row = await _job(db, kept)
            return row is not None and row.status == "succeeded"

    async with jobs.in_process_worker(database.app):
        await _poll(succeeded)
    async with committed() as db:
        assert await _job(db, rolled_back) is None
    assert "rolled back" not in SEEN
    # The task ran in the worker's own transaction, as the app role (row-level security applies).
    assert SEEN["committed"] == database.app_role


async def test_a_failing_job_is_retried_later_and_its_message_is_not_logged(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="procrastinate")
    LAST_ATTEMPT.clear()
    job_id = await jobs.defer(db, explode)
    await db.commit()
    assert await jobs.run_pending(sessionmaker) == 1
    row = await _job(db, job_id)
    # Backoff: the second attempt waits 10 s, so it is not run by this pass.
    assert (row.status, row.attempts, row.later) == ("todo", 1, True)
    assert LAST_ATTEMPT == [False]
    assert "ValueError" in caplog.text
    assert "Иванов" not in caplog.text


async def test_a_job_without_retries_fails_on_its_first_attempt(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    LAST_ATTEMPT.clear()
    job_id = await jobs.defer(db, explode_once)
    await db.commit()
    assert await jobs.run_pending(sessionmaker) == 1
    assert (await _job(db, job_id)).status == "failed"
    assert LAST_ATTEMPT == [True]


async def test_a_job_whose_worker_is_killed_is_run_again_by_another_worker(
    committed: async_sessionmaker[AsyncSession], database: DatabaseUrls
) -> None:
    async with committed() as db:
        job_id = await jobs.defer(db, block_first_attempt)
        await db.commit()
    assert BLOCKING_TASK in jobs.app.tasks
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.unit.platform._job_worker", database.app, cwd=PROJECT_ROOT
    )
    try:

        async def running() -> bool:
            assert worker.returncode is None, "the worker process exited"
            async with committed() as db:
                return bool((await _job(db, job_id)).status == "doing")

        await _poll(running)
    finally:
        worker.send_signal(signal.SIGKILL)
        await asyncio.wait_for(worker.wait(), 30)
    async with committed() as db, db.begin():
        row = await _job(db, job_id)
        assert (row.status, row.attempts) == ("doing", 0)  # left running by a dead process
        # Its heartbeats stopped; instead of waiting a minute, make the last one a minute old.
        await db.execute(
            text(
                "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' WHERE id = :id"
            ),
            {"id": row.worker_id},
        )

    async def succeeded() -> bool:
        async with committed() as db:
            again = await _job(db, job_id)
            return bool(again.status == "succeeded")

    async with jobs.in_process_worker(database.app):
        await _poll(succeeded)
    async with committed() as db:
        # The attempt killed with its worker, then the one that finished.
        assert (await _job(db, job_id)).attempts == 2


async def test_the_app_runs_a_worker_in_its_process_when_jobs_in_process(
    committed: async_sessionmaker[AsyncSession], database: DatabaseUrls, settings: Settings
) -> None:
    app = create_app(replace(settings, jobs_in_process=True), database)
    async with AsyncTestClient(app):  # runs the lifespan, as `nastavnik dev` does
        async with committed() as db:
            await jobs.defer(db, remember, marker="in the app")
            await db.commit()

        async def ran() -> bool:
            return "in the app" in SEEN

        await _poll(ran)


async def test_nastavnik_worker_runs_until_sigterm_then_unregisters(
    committed: async_sessionmaker[AsyncSession], database: DatabaseUrls
) -> None:
    async def workers() -> int:
        async with committed() as db:
            return int(await db.scalar(text("SELECT count(*) FROM procrastinate_workers")) or 0)

    before = await workers()
    env = {
        **os.environ,
        "DATABASE_URL": database.app,
        "NASTAVNIK_ENV": "test",
        "SESSION_SECRET": secrets.token_urlsafe(48),
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "nastavnik.cli", "worker", cwd=PROJECT_ROOT, env=env
    )
    try:

        async def registered() -> bool:
            assert process.returncode is None, "nastavnik worker exited"
            return await workers() == before + 1

        await _poll(registered)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 60) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert await workers() == before
