"""Every school-scoped route answers 404 to a user of another school."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Browser, Persona, World, csrf_token

pytestmark = pytest.mark.anyio

SCHOOL_GET_ROUTES = [
    "/s/{code}/",
    "/s/{code}/staff",
    # The region's bank inside the school, its publications and methodical collection (issue 13);
    # every route with ids is swept in tests/security/test_cross_tenant_sweep.py.
    "/s/{code}/bank",
    "/s/{code}/publications",
    "/s/{code}/publications/new",
    "/s/{code}/collection",
    "/s/{code}/my-cross-pairs",
    # Completing the year (issue 15); routes naming objects: tests/security/test_cross_tenant_sweep.py.
    "/s/{code}/completion",
    "/s/{code}/completion/cases",
    "/s/{code}/completion/contests",
    "/s/{code}/completion/incentives",
    "/s/{code}/completion/public-page",
    "/s/{code}/completion/next-year",
    "/s/{code}/questionnaires/",
    "/s/{code}/questionnaires/intake",
    "/s/{code}/monitoring/",
    "/s/{code}/routes",
]
SCHOOL_POST_ROUTES = ["/s/{code}/staff/invite", "/s/{code}/completion/contests", "/s/{code}/completion/close"]


@pytest.mark.parametrize("route", SCHOOL_GET_ROUTES)
async def test_user_of_school_b_gets_404_on_school_a_pages(
    browser_for: Browser, world: World, curator_a: Persona, curator_b: Persona, route: str
) -> None:
    own = await (await browser_for(curator_a)).get(route.format(code=world.school_a.code))
    assert own.status_code == 200
    other = await (await browser_for(curator_b)).get(route.format(code=world.school_a.code))
    assert other.status_code == 404
    assert "Страница не найдена" in other.text


@pytest.mark.parametrize("route", SCHOOL_POST_ROUTES)
async def test_user_of_school_b_gets_404_on_school_a_actions(
    browser_for: Browser, world: World, curator_b: Persona, route: str
) -> None:
    browser = await browser_for(curator_b)
    token = await csrf_token(browser, f"/s/{world.school_b.code}/staff")
    reply = await browser.post(
        route.format(code=world.school_a.code),
        data={
            "_csrf_token": token,
            "email": "x@example.org",
            "last_name": "Х",
            "first_name": "Х",
            "role": "mentor",
        },
    )
    assert reply.status_code == 404


async def test_unknown_school_is_404(browser_for: Browser, curator_a: Persona) -> None:
    reply = await (await browser_for(curator_a)).get("/s/no-such-school/")
    assert reply.status_code == 404


async def test_anonymous_user_is_sent_to_sign_in_with_the_page_to_return_to(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    reply = await client.get(f"/s/{world.school_a.code}/staff?tab=1", follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/auth/login?next=%2Fs%2F{world.school_a.code}%2Fstaff%3Ftab%3D1"


async def test_htmx_request_of_anonymous_user_gets_hx_redirect(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    reply = await client.get(
        f"/s/{world.school_a.code}/", headers={"HX-Request": "true"}, follow_redirects=False
    )
    assert reply.status_code == 401
    assert reply.headers["hx-redirect"].startswith("/auth/login?next=")
