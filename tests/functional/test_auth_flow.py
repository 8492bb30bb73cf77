"""Sign-in through the real Keycloak: code flow with PKCE, state, nonce; sign-out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.models import User, WebSession
from nastavnik.platform.auth.sessions import LOGIN_COOKIE, SESSION_COOKIE
from nastavnik.platform.db import set_school
from nastavnik.platform.settings import Settings
from nastavnik.tenants.demo import seed_demo
from nastavnik.tenants.models import School, StaffMember
from tests.conftest import csrf_token
from tests.keycloak_helpers import keycloak_login, path_and_query, query

pytestmark = [pytest.mark.anyio, pytest.mark.keycloak]


@pytest.fixture
async def demo(db: AsyncSession, keycloak: Any) -> None:
    await seed_demo(db, None)
    await db.commit()


async def sign_in(client: AsyncTestClient[Litestar], username: str, next_path: str = "/") -> str:
    start = await client.get(f"/auth/login?next={next_path}", follow_redirects=False)
    assert start.status_code == 303
    authorize = start.headers["location"]
    params = query(authorize)
    assert params["code_challenge_method"] == ["S256"]
    assert params["state"][0] and params["nonce"][0] and params["code_challenge"][0]
    back = keycloak_login(authorize, username)
    reply = await client.get(path_and_query(back), follow_redirects=False)
    assert reply.status_code == 303, reply.text[:500]
    return str(reply.headers["location"])


async def test_curator_signs_in_and_returns_to_the_page_asked_for(
    client: AsyncTestClient[Litestar], demo: None, db: AsyncSession
) -> None:
    target = await sign_in(client, "curator", "/s/sosh2-zar/staff")
    assert target == "/s/sosh2-zar/staff"
    page = await client.get(target)
    assert page.status_code == 200
    assert "Иванова Мария Петровна" in page.text
    # Both schools of the curator are offered in the switcher.
    assert "/s/gimn1-zar/" in page.text
    user = (await db.execute(select(User).where(User.username == "curator"))).scalar_one()
    session = (await db.execute(select(WebSession).where(WebSession.user_id == user.id))).scalar_one()
    assert session.keycloak_sid
    assert ["school", "sosh2-zar", "curator"] in session.memberships


async def test_sign_in_links_the_account_to_its_staff_record(
    client: AsyncTestClient[Litestar], demo: None, db: AsyncSession
) -> None:
    await sign_in(client, "mentor")
    school = (await db.execute(select(School).where(School.code == "sosh2-zar"))).scalar_one()
    await set_school(db, school.id)
    member = (
        await db.execute(select(StaffMember).where(StaffMember.email == "mentor@demo.nastavnik.local"))
    ).scalar_one()
    user = (await db.execute(select(User).where(User.username == "mentor"))).scalar_one()
    assert member.user_id == user.id


async def test_a_changed_state_is_refused(client: AsyncTestClient[Litestar], demo: None) -> None:
    start = await client.get("/auth/login", follow_redirects=False)
    back = keycloak_login(start.headers["location"], "curator")
    forged = path_and_query(back).replace("state=", "state=x", 1)
    reply = await client.get(forged, follow_redirects=False)
    assert reply.status_code == 400
    assert "Начните вход заново" in reply.text
    assert SESSION_COOKIE not in reply.cookies


async def test_a_callback_without_the_login_cookie_is_refused(
    client: AsyncTestClient[Litestar], demo: None
) -> None:
    start = await client.get("/auth/login", follow_redirects=False)
    back = keycloak_login(start.headers["location"], "curator")
    client.cookies.delete(LOGIN_COOKIE)
    reply = await client.get(path_and_query(back), follow_redirects=False)
    assert reply.status_code == 400


async def test_keycloak_error_on_callback_is_explained(client: AsyncTestClient[Litestar]) -> None:
    reply = await client.get("/auth/callback?error=access_denied&state=x")
    assert reply.status_code == 400
    assert "Вход не выполнен" in reply.text


async def test_next_must_be_a_local_path(client: AsyncTestClient[Litestar], demo: None) -> None:
    target = await sign_in(client, "curator", "https://evil.example/steal")
    assert target == "/"


async def test_logout_ends_the_app_session_and_the_keycloak_session(
    client: AsyncTestClient[Litestar], demo: None, db: AsyncSession, settings: Settings
) -> None:
    await sign_in(client, "curator")
    token = await csrf_token(client, "/s/sosh2-zar/")
    before = await db.scalar(select(func.count()).select_from(WebSession))
    reply = await client.post("/auth/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert reply.status_code == 303
    location = reply.headers["location"]
    parts = urlsplit(location)
    assert location.startswith(f"{settings.keycloak_url}/realms/nastavnik/protocol/openid-connect/logout")
    assert query(location)["id_token_hint"][0].count(".") == 2
    assert query(location)["post_logout_redirect_uri"] == [f"{settings.base_url}/"]
    assert parts.scheme == "http"
    after = await db.scalar(select(func.count()).select_from(WebSession))
    assert after == (before or 0) - 1
    again = await client.get("/s/sosh2-zar/", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/auth/login")


async def test_logout_without_csrf_token_is_refused(client: AsyncTestClient[Litestar], demo: None) -> None:
    await sign_in(client, "curator")
    reply = await client.post("/auth/logout", data={}, follow_redirects=False)
    assert reply.status_code == 403
    assert "устарела" in reply.text


async def test_backchannel_logout_rejects_a_forged_token(client: AsyncTestClient[Litestar]) -> None:
    reply = await client.post("/auth/backchannel-logout", data={"logout_token": "a.b.c"})
    assert reply.status_code == 400
