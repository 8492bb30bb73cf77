"""Keeping the rollups current: school writes queue a recount of their school.

One listener on every SQLAlchemy session notices flushed rows of the tables the
indicators count (and ORM bulk statements on them, attributed to the transaction's
`app.school_id`); at commit it queues `refresh_school_job` for each school touched, in
the same transaction. A queueing lock per school makes a burst of writes coalesce into
one recount, and the short delay lets the burst finish first. School code is not edited
and never imports this module: the regional layer subscribes to the school's writes.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from procrastinate import exceptions as queue_errors
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.util import await_only

from nastavnik.platform import jobs
from nastavnik.regional.indicators.rollup import refresh_school

# The school-owned tables whose rows the rollups count.
WATCHED_TABLES = frozenset(
    {
        "programme",
        "contingent",
        "participant",
        "mentee_profile",
        "mentor_profile",
        "mentorship",
        "mentorship_direction",
        "meeting",
        "roadmap_item",
        "survey_response",
    }
)
REFRESH_DELAY_SECONDS = 2
TASK_NAME = "regional.refresh_school"
_PENDING = "regional_refresh_schools"


@jobs.app.task(name=TASK_NAME, pass_context=True, retry=jobs.RetryStrategy(max_attempts=5, wait=10))
async def refresh_school_job(context: jobs.JobContext, *, school_id: str) -> None:
    maker = jobs.sessionmaker_of(context)
    async with maker() as db, db.begin():
        await refresh_school(db, uuid.UUID(school_id))


def _pending(session: Session) -> set[uuid.UUID]:
    pending: set[uuid.UUID] = session.info.setdefault(_PENDING, set())
    return pending


def _scope_school(session: Session) -> uuid.UUID | None:
    """The school the transaction is scoped to (what `set_school` last set on the connection)."""
    try:
        connection = session.connection()
    except Exception:  # noqa: BLE001 - no connection, nothing scoped
        return None
    applied: dict[str, tuple[object, str]] = connection.info.get("app_scope", {})
    value = applied.get("app.school_id", (None, ""))[1]
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@event.listens_for(Session, "after_flush")
def _notice_flush(session: Session, _context: Any) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(instance), "__tablename__", None)
        if table in WATCHED_TABLES:
            school_id = getattr(instance, "school_id", None)
            if isinstance(school_id, uuid.UUID):
                _pending(session).add(school_id)


@event.listens_for(Session, "do_orm_execute")
def _notice_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED_TABLES:
        school_id = _scope_school(state.session)
        if school_id is not None:
            _pending(state.session).add(school_id)


async def _queue(connection: psycopg.AsyncConnection[Any], school_ids: list[uuid.UUID]) -> None:
    for school_id in school_ids:
        lock = f"rollup:{school_id}"
        async with connection.cursor() as cursor:
            await cursor.execute(
                "SELECT 1 FROM procrastinate_jobs WHERE queueing_lock = %s AND status = 'todo'", (lock,)
            )
            if await cursor.fetchone():
                continue  # a recount is already waiting; it will see this transaction's rows
        try:
            async with connection.transaction():  # a savepoint: a lost race must not abort the request
                await refresh_school_job.configure(
                    connection=connection,
                    queueing_lock=lock,
                    schedule_in={"seconds": REFRESH_DELAY_SECONDS},
                ).defer_async(school_id=str(school_id))
        except queue_errors.AlreadyEnqueued:
            continue


@event.listens_for(Session, "before_commit")
def _queue_refreshes(session: Session) -> None:
    if session.info.get("rollups_off"):
        session.info.pop(_PENDING, None)
        return
    if not session.info.get(_PENDING) and not (session.new or session.dirty or session.deleted):
        return
    session.flush()  # commit flushes after this event: flush now so that those rows are noticed
    school_ids = sorted(session.info.pop(_PENDING, set()))
    if not school_ids:
        return
    driver = session.connection().connection.driver_connection
    if not isinstance(driver, psycopg.AsyncConnection):
        return  # a synchronous session (migrations, scripts): the full rebuild covers it
    await_only(_queue(driver, school_ids))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
