"""Keycloak unreachable: signed-in people keep working, a new sign-in is told so in Russian."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.app import create_app
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.settings import Settings
from tests.conftest import Persona, PersonaBrowser, World

pytestmark = pytest.mark.anyio


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def offline_client(
    settings: Settings, database: DatabaseUrls, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    down = replace(settings, keycloak_url=f"http://127.0.0.1:{_closed_port()}")
    app = create_app(down, database, sessionmaker=sessionmaker)
    async with AsyncTestClient(app, base_url="http://testserver.local") as client:
        yield client


async def test_new_sign_in_while_keycloak_is_down_gets_a_russian_page(
    offline_client: AsyncTestClient[Litestar],
) -> None:
    reply = await offline_client.get("/auth/login?next=/", follow_redirects=False)
    assert reply.status_code == 503
    assert "Служба единого входа сейчас недоступна" in reply.text


async def test_signed_in_curator_keeps_working_while_keycloak_is_down(
    offline_client: AsyncTestClient[Litestar], curator_a: Persona, world: World
) -> None:
    browser = PersonaBrowser(offline_client, curator_a.cookie)
    page = await browser.get(f"/s/{world.school_a.code}/")
    assert page.status_code == 200
    assert world.school_a.name in page.text


async def test_readiness_says_keycloak_is_down(offline_client: AsyncTestClient[Litestar]) -> None:
    reply = await offline_client.get("/health/ready")
    assert reply.status_code == 503
    assert reply.json()["keycloak"] != "ok"
    assert reply.json()["database"] == "ok"
