"""Sessions end when idle, CSRF tokens belong to one session, signed values to one purpose."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.csrf import CSRF_COOKIE, anonymous_binding
from nastavnik.platform.auth.csrf import csrf_token as token_for
from nastavnik.platform.auth.models import WebSession
from nastavnik.platform.auth.oidc import PendingLogin
from nastavnik.platform.auth.sessions import LOGIN_COOKIE, hash_token
from nastavnik.platform.auth.signing import Purpose, sign
from nastavnik.platform.db import utcnow
from nastavnik.platform.settings import Settings
from nastavnik.school.matching.models import PreferenceSide
from nastavnik.school.matching.services import preference_token
from tests.conftest import Browser, Persona, World, csrf_token

pytestmark = pytest.mark.anyio


async def _session_of(db: AsyncSession, persona: Persona) -> WebSession:
    found = await db.get(WebSession, hash_token(persona.cookie), populate_existing=True)
    assert found is not None
    return found


async def _set_last_seen(db: AsyncSession, persona: Persona, ago: dt.timedelta) -> dt.datetime:
    web_session = await _session_of(db, persona)
    web_session.last_seen_at = utcnow() - ago
    await db.commit()
    return web_session.last_seen_at


# --- idle and absolute timeouts ---------------------------------------------------------------


async def test_a_session_unused_for_longer_than_the_idle_timeout_is_ended(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession, settings: Settings
) -> None:
    await _set_last_seen(db, curator_a, dt.timedelta(seconds=settings.session_idle_seconds + 60))
    browser = await browser_for(curator_a)
    for _ in range(2):  # and a later request does not revive it
        reply = await browser.get(f"/s/{world.school_a.code}/", follow_redirects=False)
        assert reply.status_code == 303
        assert reply.headers["location"].startswith("/auth/login?next=")


async def test_a_session_used_within_the_idle_timeout_stays(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession, settings: Settings
) -> None:
    await _set_last_seen(db, curator_a, dt.timedelta(seconds=settings.session_idle_seconds - 120))
    reply = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/")
    assert reply.status_code == 200


async def test_a_session_past_its_absolute_expiry_is_ended_even_if_active(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    web_session = await _session_of(db, curator_a)
    web_session.expires_at = utcnow() - dt.timedelta(seconds=1)
    await db.commit()
    reply = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/", follow_redirects=False)
    assert reply.status_code == 303


async def test_last_seen_is_written_at_most_once_a_minute(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(curator_a)
    recent = await _set_last_seen(db, curator_a, dt.timedelta(seconds=30))
    assert (await browser.get(f"/s/{world.school_a.code}/")).status_code == 200
    assert (await _session_of(db, curator_a)).last_seen_at == recent
    stale = await _set_last_seen(db, curator_a, dt.timedelta(seconds=90))
    assert (await browser.get(f"/s/{world.school_a.code}/")).status_code == 200
    assert (await _session_of(db, curator_a)).last_seen_at > stale + dt.timedelta(seconds=60)


# --- CSRF bound to the session ----------------------------------------------------------------


async def test_a_csrf_token_of_another_session_is_refused(
    browser_for: Browser, curator_a: Persona, curator_b: Persona, world: World, db: AsyncSession
) -> None:
    attacker = await browser_for(curator_b)
    stolen = await csrf_token(attacker, f"/s/{world.school_b.code}/staff")
    victim = await browser_for(curator_a)
    own = await csrf_token(victim, f"/s/{world.school_a.code}/staff")
    assert stolen != own
    refused = await victim.post("/auth/logout", data={"_csrf_token": stolen}, follow_redirects=False)
    assert refused.status_code == 403
    assert "Страница устарела" in refused.text
    assert await db.get(WebSession, hash_token(curator_a.cookie), populate_existing=True) is not None
    refused = await victim.post("/auth/logout", headers={"X-CSRF-Token": stolen}, follow_redirects=False)
    assert refused.status_code == 403
    accepted = await victim.post("/auth/logout", headers={"X-CSRF-Token": own}, follow_redirects=False)
    assert accepted.status_code == 303
    assert await db.get(WebSession, hash_token(curator_a.cookie), populate_existing=True) is None


async def test_a_planted_csrf_cookie_with_its_token_does_not_pass_for_a_session(
    client: AsyncTestClient[Litestar],
    browser_for: Browser,
    curator_a: Persona,
    db: AsyncSession,
    settings: Settings,
) -> None:
    # Double-submit alone would accept this: a cookie an attacker set (from a sibling
    # subdomain, say) and the token that matches it.
    await client.get("/")
    planted = client.cookies.get(CSRF_COOKIE)
    assert planted
    # The token the attacker's anonymous browser is given with that cookie on any form.
    token = token_for(settings.session_secret, anonymous_binding(planted))
    victim = await browser_for(curator_a)
    victim.jar.set("nst_csrf", planted)
    reply = await victim.post("/auth/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert reply.status_code == 403
    assert await db.get(WebSession, hash_token(curator_a.cookie), populate_existing=True) is not None


async def test_a_post_without_a_token_is_refused(browser_for: Browser, curator_a: Persona) -> None:
    reply = await (await browser_for(curator_a)).post("/auth/logout", data={}, follow_redirects=False)
    assert reply.status_code == 403


async def test_a_browser_without_a_session_is_bound_to_its_own_cookie(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings, world: World
) -> None:
    token = preference_token(
        settings.session_secret, world.school_a, uuid.uuid4(), PreferenceSide.MENTEE, 2025
    )
    # Unknown person: the page is a 404, but it still hands out an anonymous CSRF cookie.
    await client.get(f"/preferences/{token}")
    anonymous = client.cookies.get("nst_csrf")
    assert anonymous
    client.cookies.clear()
    reply = await client.post(f"/preferences/{token}", data={"_csrf_token": "x"}, follow_redirects=False)
    assert reply.status_code == 403


# --- one key per purpose ----------------------------------------------------------------------


async def test_a_preference_link_replayed_as_the_login_cookie_is_a_clean_400(
    client: AsyncTestClient[Litestar], settings: Settings, world: World
) -> None:
    token = preference_token(
        settings.session_secret, world.school_a, uuid.uuid4(), PreferenceSide.MENTEE, 2025
    )
    client.cookies.set(LOGIN_COOKIE, token)
    reply = await client.get("/auth/callback?code=abc&state=xyz", follow_redirects=False)
    assert reply.status_code == 400
    assert "Страница входа устарела" in reply.text


async def test_a_login_state_value_replayed_as_a_preference_link_is_not_found(
    client: AsyncTestClient[Litestar], settings: Settings, world: World
) -> None:
    payload = {"s": str(world.school_a.id), "p": str(uuid.uuid4()), "d": "mentee", "y": 2025}
    forged = sign(settings.session_secret, payload, purpose=Purpose.LOGIN_STATE)
    reply = await client.get(f"/preferences/{forged}")
    assert reply.status_code == 404


async def test_a_login_state_with_missing_fields_is_a_clean_400(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    client.cookies.set(LOGIN_COOKIE, sign(settings.session_secret, {"s": "xyz"}, purpose=Purpose.LOGIN_STATE))
    reply = await client.get("/auth/callback?code=abc&state=xyz", follow_redirects=False)
    assert reply.status_code == 400
    assert PendingLogin.from_dict({"s": "xyz"}) is None
