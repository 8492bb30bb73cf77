"""Regional workspaces, the landing page, health, headers and error pages."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Browser, Persona, World

pytestmark = pytest.mark.anyio


async def test_landing_page_invites_to_sign_in(client: AsyncTestClient[Litestar]) -> None:
    reply = await client.get("/")
    assert reply.status_code == 200
    assert "/auth/login" in reply.text
    assert "Наставник" in reply.text


async def test_signed_in_user_goes_from_home_to_their_workspace(
    browser_for: Browser,
    curator_a: Persona,
    municipal_officer: Persona,
    cnppm_tutor: Persona,
    platform_admin: Persona,
    world: World,
) -> None:
    expected = [
        (curator_a, f"/s/{world.school_a.code}/"),
        (municipal_officer, f"/m/{world.municipality_a.code}/"),
        (cnppm_tutor, f"/r/{world.region.code}/"),
        (platform_admin, "/admin/"),
    ]
    for persona, url in expected:
        reply = await (await browser_for(persona)).get("/", follow_redirects=False)
        assert reply.status_code == 303
        assert reply.headers["location"] == url


async def test_municipal_officer_sees_the_schools_of_their_municipality_only(
    browser_for: Browser, municipal_officer: Persona, world: World
) -> None:
    browser = await browser_for(municipal_officer)
    page = await browser.get(f"/m/{world.municipality_a.code}/")
    assert page.status_code == 200
    assert "Школа А" in page.text
    assert "Школа Б" not in page.text
    assert (await browser.get(f"/m/{world.municipality_b.code}/")).status_code == 404
    assert (await browser.get(f"/s/{world.school_a.code}/")).status_code == 404


async def test_regional_staff_land_on_the_region_workspace_for_their_role(
    browser_for: Browser, cnppm_tutor: Persona, ministry_viewer: Persona, world: World
) -> None:
    tutor = await (await browser_for(cnppm_tutor)).get(f"/r/{world.region.code}/")
    assert tutor.status_code == 200
    assert "Индивидуальные образовательные маршруты" in tutor.text
    ministry = await (await browser_for(ministry_viewer)).get(f"/r/{world.region.code}/")
    assert "Отчёты для министерства" in ministry.text
    assert "Индивидуальные образовательные маршруты" not in ministry.text
    assert (await (await browser_for(ministry_viewer)).get("/r/another/")).status_code == 404


async def test_a_user_without_memberships_is_told_what_to_do(
    browser_for: Browser, db: object, settings: object
) -> None:
    from tests.conftest import make_persona

    persona = await make_persona(db, settings, "nobody", [])  # type: ignore[arg-type]
    reply = await (await browser_for(persona)).get("/")
    assert reply.status_code == 200
    assert "пока ни к чему не подключены" in reply.text


async def test_health_endpoints(client: AsyncTestClient[Litestar], keycloak: object) -> None:
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"database": "ok", "keycloak": "ok", "status": "ok"}


async def test_responses_carry_a_request_id_and_security_headers(client: AsyncTestClient[Litestar]) -> None:
    reply = await client.get("/", headers={"X-Request-ID": "abc123"})
    assert reply.headers["x-request-id"] == "abc123"
    assert reply.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    generated = await client.get("/", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["x-request-id"] != "bad id with spaces"


async def test_unknown_page_shows_the_russian_404(client: AsyncTestClient[Litestar]) -> None:
    reply = await client.get("/no/such/page")
    assert reply.status_code == 404
    assert "Страница не найдена" in reply.text
    assert reply.headers["x-request-id"] in reply.text


async def test_static_assets_are_served(client: AsyncTestClient[Litestar]) -> None:
    reply = await client.get("/static/css/app.css")
    assert reply.status_code == 200
    assert "--" in reply.text


async def test_a_user_of_two_schools_comes_back_to_the_school_last_opened(
    browser_for: Browser, db: object, settings: object, world: World
) -> None:
    from nastavnik.platform.auth.permissions import Membership, Role, Scope
    from tests.conftest import make_persona

    both = [
        Membership(Scope.SCHOOL, world.school_a.code, Role.CURATOR),
        Membership(Scope.SCHOOL, world.school_b.code, Role.CURATOR),
    ]
    persona = await make_persona(db, settings, "two_schools", both)  # type: ignore[arg-type]
    browser = await browser_for(persona)
    first = await browser.get("/", follow_redirects=False)
    assert first.headers["location"] == f"/s/{world.school_a.code}/"  # alphabetical at first
    assert (await browser.get(f"/s/{world.school_b.code}/")).status_code == 200
    again = await browser.get("/", follow_redirects=False)
    assert again.headers["location"] == f"/s/{world.school_b.code}/"


async def test_a_remembered_workspace_of_someone_else_is_ignored(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    browser.jar.set("nst_workspace", f"/s/{world.school_b.code}/")
    reply = await browser.get("/", follow_redirects=False)
    assert reply.headers["location"] == f"/s/{world.school_a.code}/"
