"""Background jobs on procrastinate: a PostgreSQL queue with LISTEN/NOTIFY, retries and heartbeats.

Why procrastinate: it keeps the queue in our own PostgreSQL (no broker to run), speaks
psycopg 3, wakes workers with LISTEN/NOTIFY, retries with backoff, and its workers send
heartbeats, so a job whose worker died is found and run again (`retry_stalled_jobs`).

- A job is queued in the caller's transaction (`defer`): procrastinate's own SQL runs on
  the session's connection, so the job exists only if the request commits, and the worker
  is notified at that commit.
- A job carries only ids; personal data stays in school-owned tables behind row-level
  security, and the task scopes its own transaction with `set_school`.
- Workers use their own connections (a procrastinate pool and a SQLAlchemy engine for the
  tasks), never the web pool: `nastavnik worker` in production, `in_process_worker` in
  the app's lifespan in development.
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ParamSpec, cast

import procrastinate
import psycopg
import structlog
from procrastinate import JobContext, RetryStrategy
from procrastinate import exceptions as queue_errors
from procrastinate.manager import JobManager
from procrastinate.tasks import Task
from procrastinate.types import JSONValue
from procrastinate.worker import Worker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.platform import housekeeping
from nastavnik.platform.db import make_engine, make_sessionmaker

__all__ = [
    "JobContext",
    "RetryStrategy",
    "app",
    "defer",
    "in_process_worker",
    "is_last_attempt",
    "retry_stalled_jobs",
    "run_pending",
    "run_worker",
    "sessionmaker_of",
]

log = structlog.get_logger("nastavnik.jobs")

# Tasks register on this app at import time. Its connector is never opened: requests
# defer on their own connection, and workers swap in a pool of their own while they run.
app = procrastinate.App(connector=procrastinate.PsycopgConnector())

# A worker sends a heartbeat every HEARTBEAT_SECONDS; one silent for STALLED_AFTER_SECONDS
# is taken for dead and its running jobs are queued again, checked every RECOVER_EVERY_SECONDS.
HEARTBEAT_SECONDS = 10.0
STALLED_AFTER_SECONDS = 60.0
RECOVER_EVERY_SECONDS = 60.0
# On a stop, running jobs get this long to finish; the rest are aborted and retried later.
SHUTDOWN_GRACE_SECONDS = 30.0

_SESSIONMAKER = "sessionmaker"
Args = ParamSpec("Args")


def sessionmaker_of(context: JobContext) -> async_sessionmaker[AsyncSession]:
    """The worker's sessions for a task's own transactions (the task decides their scope)."""
    return cast("async_sessionmaker[AsyncSession]", context.additional_context[_SESSIONMAKER])


def is_last_attempt(context: JobContext) -> bool:
    """True when a failure of this run is final (no retry left), so the task may say so."""
    task = context.app.tasks.get(context.job.task_name)
    strategy = task.retry_strategy if task else None
    if strategy is None:
        return True
    max_attempts = getattr(strategy, "max_attempts", None)
    return max_attempts is not None and context.job.attempts >= max_attempts


async def _driver_connection(db: AsyncSession) -> psycopg.AsyncConnection[Any]:
    connection = await db.connection()
    raw = await connection.get_raw_connection()
    return cast("psycopg.AsyncConnection[Any]", raw.driver_connection)


async def defer(db: AsyncSession, task: Task[Any, Any, Args], /, **kwargs: JSONValue) -> int:
    """Queue `task` in the caller's transaction: it runs only if that transaction commits."""
    connection = await _driver_connection(db)
    return await task.configure(connection=connection).defer_async(**kwargs)


class JobError(Exception):
    """What a failed job leaves in procrastinate's log: the error's type, never its message."""


async def _hide_messages(call_next: Callable[[], Awaitable[Any]], context: JobContext, worker: Worker) -> Any:
    try:
        return await call_next()
    except (asyncio.CancelledError, queue_errors.JobAborted):
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised below as a JobError of the same type name
        # The type and the frames only: messages of database errors may quote personal data.
        log.error(  # noqa: TRY400 - the message is left out on purpose
            "job_failed",
            job_id=context.job.id,
            task=context.job.task_name,
            attempt=context.job.attempts + 1,
            error=type(exc).__name__,
            frames="".join(traceback.format_tb(exc.__traceback__)),
        )
        raise JobError(type(exc).__name__) from None


async def retry_stalled_jobs(
    job_manager: JobManager, *, seconds_since_heartbeat: float = STALLED_AFTER_SECONDS
) -> int:
    """Queue again the running jobs of workers that stopped sending heartbeats (they died)."""
    retried = 0
    for job in await job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat):
        try:
            await job_manager.retry_job(job)
        except queue_errors.ConnectorException:
            continue  # another worker queued it again first
        log.warning("job_stalled_retried", job_id=job.id, task=job.task_name)
        retried += 1
    return retried


async def _recover_forever(job_manager: JobManager) -> None:
    while True:
        try:
            await retry_stalled_jobs(job_manager)
        except queue_errors.ConnectorException as exc:  # e.g. the database restarting
            log.warning("job_recovery_failed", error=type(exc).__name__)
        await asyncio.sleep(RECOVER_EVERY_SECONDS)


def libpq_url(url: str) -> str:
    """procrastinate's pool takes a libpq URL, without SQLAlchemy's driver suffix."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


async def run_worker(
    database_url: str,
    *,
    concurrency: int = 1,
    name: str = "nastavnik",
    install_signal_handlers: bool = True,
    session_idle_seconds: int | None = None,
) -> None:
    """Run jobs until stopped (SIGTERM/SIGINT, or cancellation of the calling task).

    With `session_idle_seconds` the worker also does the housekeeping (dead sessions, old
    finished jobs) every few hours.
    """
    engine = make_engine(database_url, pool_size=concurrency + 1, max_overflow=concurrency)
    connector = procrastinate.PsycopgConnector(
        conninfo=libpq_url(database_url), min_size=1, max_size=concurrency + 3
    )
    try:
        with app.replace_connector(connector):
            async with app.open_async():
                side = [
                    asyncio.create_task(_recover_forever(app.job_manager), name="nastavnik-jobs-recovery")
                ]
                if session_idle_seconds is not None:
                    side.append(
                        asyncio.create_task(
                            housekeeping.sweep_forever(
                                make_sessionmaker(engine), app.job_manager, idle_seconds=session_idle_seconds
                            ),
                            name="nastavnik-housekeeping",
                        )
                    )
                try:
                    await app.run_worker_async(
                        name=name,
                        concurrency=concurrency,
                        install_signal_handlers=install_signal_handlers,
                        additional_context={_SESSIONMAKER: make_sessionmaker(engine)},
                        worker_middleware=[_hide_messages],
                        update_heartbeat_interval=HEARTBEAT_SECONDS,
                        stalled_worker_timeout=STALLED_AFTER_SECONDS,
                        shutdown_graceful_timeout=SHUTDOWN_GRACE_SECONDS,
                    )
                finally:
                    for task in side:
                        task.cancel()
                    for task in side:
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
    finally:
        await engine.dispose()


def _log_worker_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("job_worker_stopped", error=type(exc).__name__)


@contextlib.asynccontextmanager
async def in_process_worker(
    database_url: str, *, session_idle_seconds: int | None = None
) -> AsyncIterator[asyncio.Task[None]]:
    """A worker inside the web process (development): started with the app, stopped with it."""
    task = asyncio.create_task(
        run_worker(
            database_url,
            name="nastavnik-in-process",
            install_signal_handlers=False,
            session_idle_seconds=session_idle_seconds,
        ),
        name="nastavnik-jobs",
    )
    task.add_done_callback(_log_worker_end)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


class _OneConnection:
    """Stands in for procrastinate's pool, so that its worker runs on one caller's connection."""

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._connection = connection

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        yield self._connection


async def run_pending(maker: async_sessionmaker[AsyncSession]) -> int:
    """Run the jobs queued and due, inside the caller's transaction; returns how many runs.

    Tests queue jobs in a transaction that is rolled back at the end, which no separate
    worker can see; this runs procrastinate's own worker on that connection instead.
    """
    runs = 0

    async def count(call_next: Callable[[], Awaitable[Any]], context: JobContext, worker: Worker) -> Any:
        nonlocal runs
        runs += 1
        return await call_next()

    async with maker() as session:
        pool = _OneConnection(await _driver_connection(session))
        with app.replace_connector(procrastinate.PsycopgConnector()):
            async with app.open_async(pool=cast("Any", pool)):
                await app.run_worker_async(
                    wait=False,
                    listen_notify=False,
                    install_signal_handlers=False,
                    additional_context={_SESSIONMAKER: maker},
                    worker_middleware=[count, _hide_messages],
                    # Nothing else may run on the connection meanwhile.
                    update_heartbeat_interval=3600,
                    abort_job_polling_interval=3600,
                )
        await session.commit()
    return runs
