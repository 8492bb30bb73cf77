"""Error pages carry the security headers of normal pages; personal data is never cached."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

import nastavnik.app
from nastavnik.platform.settings import Settings
from tests.conftest import Browser, Persona, World
from tests.functional._participants import give_consent, make_mentee, make_person, year_title

pytestmark = pytest.mark.anyio


def assert_secure(reply: httpx.Response, settings: Settings) -> None:
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["referrer-policy"] == "same-origin"
    policy = reply.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert settings.keycloak_url in policy
    assert "no-store" in reply.headers["cache-control"]


async def test_404_of_an_unknown_url_has_the_security_headers(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    reply = await client.get("/no/such/page")
    assert reply.status_code == 404
    assert "Страница не найдена" in reply.text
    assert_secure(reply, settings)


async def test_404_of_another_schools_page_has_the_security_headers(
    browser_for: Browser, curator_b: Persona, world: World, settings: Settings
) -> None:
    reply = await (await browser_for(curator_b)).get(f"/s/{world.school_a.code}/staff")
    assert reply.status_code == 404
    assert_secure(reply, settings)


async def test_403_has_the_security_headers(
    browser_for: Browser, mentor_a: Persona, world: World, settings: Settings
) -> None:
    reply = await (await browser_for(mentor_a)).get(f"/s/{world.school_a.code}/mentees/export.xlsx")
    assert reply.status_code == 403
    assert_secure(reply, settings)


async def test_400_of_a_refused_form_has_the_security_headers(
    browser_for: Browser, curator_a: Persona, settings: Settings
) -> None:
    reply = await (await browser_for(curator_a)).post("/auth/logout", data={"_csrf_token": "forged"})
    assert reply.status_code == 403
    assert_secure(reply, settings)
    bad = await (await browser_for(curator_a)).get("/auth/login?next=%00")
    assert bad.status_code == 400
    assert_secure(bad, settings)


async def test_405_has_the_security_headers(client: AsyncTestClient[Litestar], settings: Settings) -> None:
    reply = await client.get("/auth/logout")
    assert reply.status_code == 405
    assert_secure(reply, settings)


async def test_500_has_the_security_headers(
    browser_for: Browser, curator_a: Persona, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(nastavnik.app, "home_url", broken)
    reply = await (await browser_for(curator_a)).get("/")
    assert reply.status_code == 500
    assert "Что-то пошло не так" in reply.text
    assert_secure(reply, settings)


async def test_signed_in_pages_and_exports_are_not_cached_but_static_files_are(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession, settings: Settings
) -> None:
    person = await make_person(db, world.school_a)
    await make_mentee(db, world.school_a, person)
    await give_consent(db, world.school_a, person)
    browser = await browser_for(curator_a)
    for url in (
        f"/s/{world.school_a.code}/",
        f"/s/{world.school_a.code}/participants/{person.id}",
        f"/s/{world.school_a.code}/mentees/export.xlsx?year={year_title()}",
    ):
        reply = await browser.get(url)
        assert reply.status_code == 200, url
        assert_secure(reply, settings)
    static = await browser.get("/static/css/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("cache-control", "")
