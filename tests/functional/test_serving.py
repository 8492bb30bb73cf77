"""Serving under pressure: a bounded pool, a database that is gone or restarted, readiness.

These tests build the app with its own engine (as `nastavnik serve` does), not the
rolled-back test connection: the pool itself is what is tested. They only read.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.app import create_app
from nastavnik.platform.admission import AdmissionMiddleware, ServerBusyError
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.settings import Settings

pytestmark = pytest.mark.anyio

UNAVAILABLE = "Сервис временно недоступен, повторите через несколько секунд"
# A cookie that names no session: the page looks it up, so every request needs the pool.
ANY_SESSION = {"nst_session": "no-such-session"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _assert_unavailable_page(reply: object) -> None:
    assert reply.status_code == 503  # type: ignore[attr-defined]
    headers = reply.headers  # type: ignore[attr-defined]
    assert UNAVAILABLE in reply.text  # type: ignore[attr-defined]
    assert int(headers["retry-after"]) > 0
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"


@pytest.fixture
def tiny_pool(settings: Settings) -> Settings:
    return replace(settings, db_pool_size=1, db_max_overflow=0, db_pool_timeout=0.5, jobs_in_process=False)


def _client(app: Litestar) -> AsyncTestClient[Litestar]:
    return AsyncTestClient(app, base_url="http://testserver.local", cookies=ANY_SESSION)


@pytest.fixture
async def client(tiny_pool: Settings, database: DatabaseUrls) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app with its own pool of one connection (DB_POOL_TIMEOUT 0.5 s), running."""
    async with _client(create_app(tiny_pool, database)) as running:
        yield running


async def test_request_waiting_longer_than_pool_timeout_gets_a_russian_503(
    client: AsyncTestClient[Litestar],
) -> None:
    maker: async_sessionmaker[AsyncSession] = client.app.state.sessionmaker
    assert (await client.get("/")).status_code == 200
    async with maker() as holder:
        await holder.connection()  # the pool's only connection, held
        started = time.monotonic()
        reply = await client.get("/")
        waited = time.monotonic() - started
    _assert_unavailable_page(reply)
    assert waited < 1.5
    # The connection is back: the next request is served.
    assert (await client.get("/")).status_code == 200


async def test_htmx_request_on_an_exhausted_pool_gets_the_503_too(client: AsyncTestClient[Litestar]) -> None:
    maker: async_sessionmaker[AsyncSession] = client.app.state.sessionmaker
    async with maker() as holder:
        await holder.connection()
        reply = await client.get("/", headers={"HX-Request": "true"})
    _assert_unavailable_page(reply)


async def test_database_on_a_closed_port_gets_a_russian_503(
    tiny_pool: Settings, database: DatabaseUrls
) -> None:
    gone = replace(database, app=f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/nowhere")
    async with _client(create_app(tiny_pool, gone)) as client:
        started = time.monotonic()
        reply = await client.get("/")
        assert time.monotonic() - started < 3
        _assert_unavailable_page(reply)
        ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["database"] != "ok"


def _terminate_app_connections(database: DatabaseUrls) -> int:
    """What a PostgreSQL restart does to the pool: every app connection is cut.

    Run as the app role itself, which may signal its own backends (no superuser needed).
    """
    dsn = database.app.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND usename = %s AND pid <> pg_backend_pid()",
            (database.app_role,),
        ).fetchall()
    return len(rows)


async def test_read_on_a_connection_cut_under_it_is_retried_once_and_the_pool_heals(
    client: AsyncTestClient[Litestar], database: DatabaseUrls
) -> None:
    assert (await client.get("/")).status_code == 200  # leaves a connection in the pool
    assert _terminate_app_connections(database) >= 1
    first = await client.get("/")
    # The read met the dead connection (without pre-ping nothing tests it first) and was
    # run once more on a fresh one: the person never sees the failure.
    assert first.status_code == 200
    after = [(await client.get("/")).status_code for _ in range(3)]
    assert after == [200, 200, 200]


async def test_readiness_reuses_one_http_client_and_tells_the_truth(
    tiny_pool: Settings, database: DatabaseUrls
) -> None:
    down = replace(tiny_pool, keycloak_url=f"http://127.0.0.1:{_closed_port()}")
    app = create_app(down, database)
    async with _client(app) as client:
        shared = app.state.http
        replies = [await client.get("/health/ready") for _ in range(2)]
        assert app.state.http is shared
        maker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
        async with maker() as session:
            assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
    assert shared.is_closed  # closed with the app
    for reply in replies:
        assert reply.status_code == 503
        assert reply.json() == {
            "database": "ok",
            "keycloak": "error: ConnectError",
            "status": "unavailable",
        }


def _door(app: Litestar) -> AdmissionMiddleware:
    return next(m for m in app.middleware if isinstance(m, AdmissionMiddleware))


async def test_a_worker_admits_as_many_requests_as_its_pool_serves_and_queues_the_rest(
    tiny_pool: Settings, database: DatabaseUrls
) -> None:
    settings = replace(tiny_pool, db_pool_size=3, db_max_overflow=2, request_queue_timeout=0.3)
    async with _client(create_app(settings, database)) as client:
        door = _door(client.app)
        assert door.concurrency == 5  # the pool's size plus its overflow
        portal = client.blocking_portal  # the app runs on the test client's own event loop
        gate = portal.call(door.gate)
        for _ in range(door.concurrency):
            portal.call(gate.acquire)  # every place taken by requests still running
        try:
            started = time.monotonic()
            reply = await client.get("/")
            waited = time.monotonic() - started
            _assert_unavailable_page(reply)
            assert 0.3 <= waited < 1.5
            # Probes and static files need no place: a busy worker still answers them.
            assert (await client.get("/health/live")).status_code == 200
            portal.call(gate.release)  # one request finished: the next one is served
            assert (await client.get("/")).status_code == 200
        finally:
            for _ in range(door.concurrency - 1):
                portal.call(gate.release)


async def test_requests_beyond_the_places_wait_their_turn_instead_of_failing() -> None:
    inside, most = 0, 0

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.02)
        inside -= 1

    door = AdmissionMiddleware(concurrency=2, queue_timeout=5)
    scope = {"type": "http", "path": "/s/x/"}
    # Eight at once through two places: all served, never more than two inside.
    await asyncio.gather(*(door.handle(scope, None, None, slow_app) for _ in range(8)))  # type: ignore[arg-type]
    assert most == 2 and inside == 0
    # A place that does not free within the timeout: the request is refused, not hung.
    quick = AdmissionMiddleware(concurrency=1, queue_timeout=0.05)
    await quick.gate().acquire()
    with pytest.raises(ServerBusyError):
        await quick.handle(scope, None, None, slow_app)  # type: ignore[arg-type]
