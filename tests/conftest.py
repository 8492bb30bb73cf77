"""Shared fixtures: real PostgreSQL (embedded by default), real Keycloak, personas.

The database is migrated once per session; every test runs inside a transaction that is
rolled back at the end, with the app's sessions joined to it through savepoints.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker, create_async_engine

from nastavnik.app import create_app
from nastavnik.cli import migrate
from nastavnik.platform.auth.models import User
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.auth.sessions import SESSION_COOKIE, create_session
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.db import new_id, set_school
from nastavnik.platform.embedded_db import APP_ROLE, drop_database, ensure_database, start_server
from nastavnik.platform.settings import PROJECT_ROOT, Settings, load_settings
from nastavnik.tenants.models import Municipality, Region, School, SchoolKind, StaffMember

TEST_KEYCLOAK_PORT = int(os.environ.get("TEST_KEYCLOAK_PORT", "8181"))
TEST_KEYCLOAK_MGMT_PORT = int(os.environ.get("TEST_KEYCLOAK_MGMT_PORT", "9181"))
TEST_APP_PORT = 8765


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def test_data_dir() -> Iterator[Path]:
    base = Path(os.environ.get("NASTAVNIK_TEST_DATA_DIR", PROJECT_ROOT / "var" / "test"))
    base.mkdir(parents=True, exist_ok=True)
    yield base


@pytest.fixture(scope="session")
def settings(test_data_dir: Path) -> Settings:
    # "test" has no secret of its own (it fails closed like production): one per run.
    base = load_settings({**os.environ, "NASTAVNIK_ENV": "test", "SESSION_SECRET": secrets.token_urlsafe(32)})
    return replace(
        base,
        environment="test",
        data_dir=test_data_dir,
        base_url=f"http://localhost:{TEST_APP_PORT}",
        keycloak_url=f"http://localhost:{TEST_KEYCLOAK_PORT}",
        log_json=True,
        log_level="WARNING",
        smtp_port=int(os.environ.get("TEST_SMTP_PORT", "2525")),
        session_cookie_secure=False,
    )


def _database_urls(test_data_dir: Path, name: str) -> DatabaseUrls:
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        url = explicit.replace("postgresql://", "postgresql+psycopg://", 1)
        owner = os.environ.get("TEST_MIGRATION_DATABASE_URL", explicit).replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
        return DatabaseUrls(url, owner, os.environ.get("APP_DB_ROLE", APP_ROLE), embedded=False)
    socket_dir = start_server(test_data_dir)
    drop_database(socket_dir, name)
    db = ensure_database(socket_dir, name)
    return DatabaseUrls(db.app_url, db.owner_url, APP_ROLE, embedded=True)


@pytest.fixture(scope="session")
def database(test_data_dir: Path) -> Iterator[DatabaseUrls]:
    # One database per test run, so that parallel runs on one machine never collide.
    name = f"nastavnik_test_{os.getpid()}"
    urls = _database_urls(test_data_dir, name)
    migrate(urls)
    yield urls
    if urls.embedded:
        drop_database(start_server(test_data_dir), name)


@pytest.fixture
async def connection(database: DatabaseUrls) -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine(database.app)
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            await transaction.rollback()
    await engine.dispose()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def db(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def app(
    settings: Settings, database: DatabaseUrls, sessionmaker: async_sessionmaker[AsyncSession]
) -> Litestar:
    return create_app(settings, database, sessionmaker=sessionmaker)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """An anonymous browser."""
    async with AsyncTestClient(app, base_url="http://testserver.local") as c:
        yield c


class PersonaBrowser:
    """One person's browser: its own cookie jar over the shared test client."""

    def __init__(self, client: AsyncTestClient[Litestar], cookie: str) -> None:
        self.client = client
        self.jar = httpx.Cookies()
        self.jar.set(SESSION_COOKIE, cookie)

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies = self.jar
        try:
            return await self.client.request(method, url, **kwargs)
        finally:
            self.jar = httpx.Cookies(self.client.cookies)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)


Browser = Callable[["Persona"], Awaitable[PersonaBrowser]]


@pytest.fixture
async def browser_for(client: AsyncTestClient[Litestar]) -> Browser:
    """A signed-in browser per persona."""

    async def open_for(persona: Persona) -> PersonaBrowser:
        return PersonaBrowser(client, persona.cookie)

    return open_for


# --- tenants and personas -------------------------------------------------------------


@dataclass
class World:
    region: Region
    municipality_a: Municipality
    municipality_b: Municipality
    school_a: School
    school_b: School


@pytest.fixture
async def world(db: AsyncSession) -> World:
    suffix = uuid.uuid4().hex[:6]
    region = Region(code=f"rg-{suffix}", name="Тестовая область")
    db.add(region)
    await db.flush()
    mun_a = Municipality(region_id=region.id, code=f"ma-{suffix}", name="Муниципалитет А")
    mun_b = Municipality(region_id=region.id, code=f"mb-{suffix}", name="Муниципалитет Б")
    db.add_all([mun_a, mun_b])
    await db.flush()
    school_a = School(
        municipality_id=mun_a.id,
        code=f"sa-{suffix}",
        name="Школа А",
        full_name="МБОУ «Средняя школа А»",
        kind=SchoolKind.GENERAL,
    )
    school_b = School(
        municipality_id=mun_b.id,
        code=f"sb-{suffix}",
        name="Школа Б",
        full_name="МБОУ «Средняя школа Б»",
        kind=SchoolKind.GENERAL,
    )
    db.add_all([school_a, school_b])
    await db.flush()
    return World(region, mun_a, mun_b, school_a, school_b)


@dataclass
class Persona:
    user: User
    memberships: list[Membership]
    cookie: str


async def make_persona(
    db: AsyncSession, settings: Settings, name: str, memberships: list[Membership]
) -> Persona:
    user = User(
        id=new_id(),
        keycloak_id=str(uuid.uuid4()),
        username=name,
        email=f"{name}-{uuid.uuid4().hex[:6]}@test.nastavnik.local",
        last_name=name.capitalize(),
        first_name="Тест",
        middle_name="",
    )
    db.add(user)
    await db.flush()
    for m in memberships:
        if m.scope is Scope.SCHOOL:
            school = (await db.execute(School.__table__.select().where(School.code == m.code))).first()
            assert school is not None
            await set_school(db, school.id)
            db.add(
                StaffMember(
                    school_id=school.id,
                    user_id=user.id,
                    email=user.email or "",
                    last_name=user.last_name,
                    first_name=user.first_name,
                    roles=[m.role],
                )
            )
            await db.flush()
    await set_school(db, None)
    raw = await create_session(
        db,
        user=user,
        keycloak_sid=str(uuid.uuid4()),
        id_token="test-id-token",
        memberships=memberships,
        max_age_seconds=3600,
    )
    await db.commit()
    return Persona(user, memberships, raw)


@pytest.fixture
async def curator_a(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db, settings, "curator_a", [Membership(Scope.SCHOOL, world.school_a.code, Role.CURATOR)]
    )


@pytest.fixture
async def mentor_a(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db, settings, "mentor_a", [Membership(Scope.SCHOOL, world.school_a.code, Role.MENTOR)]
    )


@pytest.fixture
async def curator_b(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db, settings, "curator_b", [Membership(Scope.SCHOOL, world.school_b.code, Role.CURATOR)]
    )


@pytest.fixture
async def municipal_officer(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db,
        settings,
        "municipal",
        [Membership(Scope.MUNICIPALITY, world.municipality_a.code, Role.MUNICIPAL_OFFICER)],
    )


@pytest.fixture
async def cnppm_tutor(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db, settings, "tutor", [Membership(Scope.REGION, world.region.code, Role.CNPPM_TUTOR)]
    )


@pytest.fixture
async def ministry_viewer(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db, settings, "ministry", [Membership(Scope.REGION, world.region.code, Role.MINISTRY_VIEWER)]
    )


@pytest.fixture
async def platform_admin(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db, settings, "admin", [Membership(Scope.PLATFORM, "platform", Role.PLATFORM_ADMIN)]
    )


CSRF_RE = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


async def csrf_token(client: AsyncTestClient[Litestar] | PersonaBrowser, path: str) -> str:
    """Open a page as a person would and take the CSRF token from its form."""
    reply = await client.get(path)
    match = CSRF_RE.search(reply.text)
    assert match, f"no CSRF field on {path} (status {reply.status_code})"
    return match.group(1)


# --- Keycloak ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_port() -> int:
    """The port the e2e live server will take (chosen early: Keycloak is told about it)."""
    import socket

    for port in range(TEST_APP_PORT, TEST_APP_PORT + 5):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    msg = "no free port among 8765-8769 for the live server"
    raise RuntimeError(msg)


@pytest.fixture(scope="session")
def keycloak(test_data_dir: Path, settings: Settings, live_port: int) -> Iterator[Any]:
    """A real Keycloak with the project's realm; fails (never skips) if it cannot start."""
    from nastavnik.platform.keycloak_server import KeycloakServer, default_cache_dir, ensure_distribution

    home = ensure_distribution(default_cache_dir())
    server = KeycloakServer(
        home,
        test_data_dir / "keycloak",
        http_port=TEST_KEYCLOAK_PORT,
        management_port=TEST_KEYCLOAK_MGMT_PORT,
        reuse=os.environ.get("CI") != "true",
        # Keycloak's own letters (set-password links) go to the test SMTP sink, and its
        # back-channel logout calls reach the e2e live server.
        extra_env={
            "NASTAVNIK_SMTP_PORT": str(settings.smtp_port),
            "NASTAVNIK_BACKCHANNEL_LOGOUT_URL": f"http://127.0.0.1:{live_port}/auth/backchannel-logout",
        },
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_sink(settings: Settings) -> Iterator[Path]:
    """SMTP at the edge of the world: a local server that stores letters in a folder."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    base = Path(tempfile.mkdtemp(prefix="nastavnik-mail-"))
    folder = base / "maildir"  # Maildir creates its tmp/new/cur only for a new folder
    controller = Controller(Mailbox(folder), hostname="127.0.0.1", port=settings.smtp_port)
    controller.start()
    yield folder
    controller.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
async def kc_admin(settings: Settings, keycloak: Any) -> AsyncIterator[Any]:
    """Keycloak's master admin, acting on the project's realm (to check what the app did)."""
    from nastavnik.tenants.provisioning import close_admin
    from tests.keycloak_helpers import master_admin

    admin = master_admin(settings)
    yield admin
    await close_admin(admin)
