"""Database kernel: metadata with stable constraint names, base models, sessions, RLS.

Every school-owned table carries `school_id` in its primary key and in every foreign key
to another school-owned table, so a row can never point at another school's row. The
application role is not the owner, and row-level security is FORCEd on these tables with
a policy comparing `school_id` to the transaction's `app.school_id`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import uuid6
from sqlalchemy import DateTime, MetaData, Uuid, func, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from nastavnik.platform.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

SCHOOL_OWNED = "school_owned"


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid6.uuid7().bytes)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = metadata
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        dt.datetime: DateTime(timezone=True),
        uuid.UUID: Uuid(),
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=utcnow)


class SchoolOwned:
    """Mixin for tables that belong to one school (tenant).

    Primary key `(school_id, id)`; the table is marked so that migrations enable FORCEd
    row-level security on it and the tenancy test checks its keys.
    """

    school_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)

    @declared_attr.directive
    def __table_args__(cls) -> Any:  # noqa: N805 - SQLAlchemy declared_attr signature
        return ({"info": {SCHOOL_OWNED: True}},)


def school_owned_tables() -> list[str]:
    return sorted(t.name for t in metadata.sorted_tables if t.info.get(SCHOOL_OWNED))


def rls_enable_sql(table: str) -> list[str]:
    """SQL that puts a school-owned table behind row-level security."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        (
            f"CREATE POLICY school_isolation ON {table} "
            "USING (school_id = app_current_school()) WITH CHECK (school_id = app_current_school())"
        ),
    ]


def rls_disable_sql(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS school_isolation ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


# A connection older than this is replaced at checkout (PostgreSQL or a proxy in between may
# drop idle ones); libpq gives up connecting after CONNECT_TIMEOUT_SECONDS (its minimum is 2).
POOL_RECYCLE_SECONDS = 1800
CONNECT_TIMEOUT_SECONDS = 3


def make_engine(
    url: str,
    *,
    pool_recycle: int = POOL_RECYCLE_SECONDS,
    connect_timeout: int = CONNECT_TIMEOUT_SECONDS,
    **kwargs: Any,
) -> AsyncEngine:
    """An engine whose pool recycles connections instead of pinging them before each use.

    No `pool_pre_ping`: it costs a round trip per request. A connection that died (a
    PostgreSQL restart) fails the statement that uses it; SQLAlchemy recognises the
    disconnect, invalidates that connection and every one opened before it, so the next
    checkouts connect afresh. The request that met the dead connection is answered with a
    503 page (see `app.py`), and the pool heals by itself.
    """
    connect_args = {"connect_timeout": connect_timeout, **kwargs.pop("connect_args", {})}
    return create_async_engine(url, pool_recycle=pool_recycle, connect_args=connect_args, **kwargs)


def web_engine(url: str, settings: Settings) -> AsyncEngine:
    """The engine of one web worker: a bounded pool, sized in settings (DB_POOL_*)."""
    return make_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def _set_local(session: AsyncSession, name: str, value: str) -> None:
    """`SET LOCAL` one scope variable once per transaction (see `_set_locals`)."""
    await _set_locals(session, {name: value})


async def _set_locals(session: AsyncSession, values: dict[str, str]) -> None:
    """`SET LOCAL` scope variables once per transaction, all in one round trip.

    Tenant resolution, services and the layout may all scope the same transaction; each
    value is remembered on the connection against its innermost transaction (or
    savepoint), so a repeat within it costs no round trip, while a new transaction, or a
    savepoint that might be rolled back, sets it again. Kept on the connection, not the
    session, so that sessions sharing a connection (as tests do) never trust a value
    another one has overwritten.
    """
    connection = (await session.connection()).sync_connection
    if connection is None:  # pragma: no cover - an open AsyncConnection always has one
        applied: dict[str, tuple[object, str]] = {}
        current: object = None
    else:
        applied = connection.info.setdefault("app_scope", {})
        current = connection.get_nested_transaction() or connection.get_transaction()
    pending = {
        name: value
        for name, value in values.items()
        if not (
            current is not None
            and (known := applied.get(name)) is not None
            and known[0] is current
            and known[1] == value
        )
    }
    if not pending:
        return
    calls = ", ".join(f"set_config(:n{i}, :v{i}, true)" for i in range(len(pending)))
    binds: dict[str, str] = {}
    for i, (name, value) in enumerate(pending.items()):
        binds[f"n{i}"] = name
        binds[f"v{i}"] = value
    await session.execute(text(f"SELECT {calls}"), binds)
    if connection is not None:
        current = connection.get_nested_transaction() or connection.get_transaction()
        for name, value in pending.items():
            applied[name] = (current, value)


async def set_school(session: AsyncSession, school_id: uuid.UUID | None) -> None:
    """Scope the current transaction to one school (SET LOCAL semantics)."""
    await _set_local(session, "app.school_id", str(school_id) if school_id else "")


async def set_region(
    session: AsyncSession, region_id: uuid.UUID | None, municipality_id: uuid.UUID | None = None
) -> None:
    """Scope the current transaction to a region, or to one municipality of it.

    The regional layer's own tables (rollups, directory, bank) have policies comparing
    their `region_id` / `municipality_id` with `app.region_id` / `app.municipality_id`;
    an empty municipality means the whole region. Schools' tables stay closed: their
    policies read `app.school_id` only.
    """
    await _set_locals(
        session,
        {
            "app.region_id": str(region_id) if region_id else "",
            "app.municipality_id": str(municipality_id) if municipality_id else "",
        },
    )


async def set_workspace_scope(
    session: AsyncSession,
    *,
    actor: uuid.UUID,
    school_id: uuid.UUID | None = None,
    region_id: uuid.UUID | None = None,
    municipality_id: uuid.UUID | None = None,
) -> None:
    """A workspace request's scope in one round trip: the school, or the region (and
    municipality), and the user acting. What is not named is left as it was."""
    values = {"app.user_id": str(actor)}
    if school_id is not None:
        values["app.school_id"] = str(school_id)
    if region_id is not None:
        values["app.region_id"] = str(region_id)
        values["app.municipality_id"] = str(municipality_id) if municipality_id else ""
    await _set_locals(session, values)


async def set_tutor(session: AsyncSession, tutor_id: uuid.UUID | None) -> None:
    """Open the routes (ИОМ) assigned to this ЦНППМ tutor, in any school (their own policies)."""
    await _set_local(session, "app.tutor_id", str(tutor_id) if tutor_id else "")


async def set_routes_region(session: AsyncSession, region_id: uuid.UUID | None) -> None:
    """Open the headers of a region's routes to its methodists, who assign the tutors."""
    await _set_local(session, "app.routes_region_id", str(region_id) if region_id else "")


async def set_actor(session: AsyncSession, user_id: uuid.UUID | None) -> None:
    await _set_local(session, "app.user_id", str(user_id) if user_id else "")
