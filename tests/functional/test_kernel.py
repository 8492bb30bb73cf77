"""The injected request context: every workspace route is guarded and resolves its
workspace as a dependency, once per request, with the signed-in user loaded once."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from nastavnik.platform import web
from nastavnik.tenants import web as tenants_web
from tests.conftest import Browser, Persona, World

pytestmark = pytest.mark.anyio

SCOPES = {"/s/": "member_of_school", "/m/": "member_of_municipality", "/r/": "member_of_region"}


def _workspace_handlers(app: Litestar) -> list[tuple[str, HTTPRouteHandler]]:
    found: list[tuple[str, HTTPRouteHandler]] = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith(("/s/", "/m/", "/r/", "/admin")):
            # Litestar's own OPTIONS handlers answer CORS preflights and carry no page.
            found.extend(
                (route.path, handler)
                for handler in route.route_handlers
                if handler.http_methods != {"OPTIONS"}
            )
    return found


def _dependencies_used(handler: HTTPRouteHandler) -> set[str]:
    """Names of the dependencies a handler resolves, directly or through other providers."""
    providers = handler.resolve_dependencies()
    todo = [name for name in handler.parsed_fn_signature.parameters if name in providers]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(p for p in inspect.signature(providers[name].dependency).parameters if p in providers)
    return seen


async def test_every_workspace_route_is_guarded_and_resolves_its_workspace(app: Litestar) -> None:
    handlers = _workspace_handlers(app)
    assert len(handlers) > 100
    for path, handler in handlers:
        guards = [getattr(g, "__name__", "") for g in handler.resolve_guards()]
        expected = next(
            (name for prefix, name in SCOPES.items() if path.startswith(prefix)), "member_of_platform"
        )
        assert expected in guards, f"{path} ({handler.name}) lacks the {expected} guard"
        # Without the workspace the tenant variables are never set and RLS hides every row
        # (the admin area has no tenant: its guard is enough).
        if path.startswith("/admin"):
            continue
        assert "workspace" in _dependencies_used(handler), (
            f"{path} ({handler.name}) never resolves its workspace"
        )


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    calls: list[Any] = []
    original: Callable[..., Awaitable[Any]] = getattr(module, name)

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append((*args, kwargs) if kwargs else args)
        return await original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


async def test_tenant_and_user_are_resolved_once_per_request(
    monkeypatch: pytest.MonkeyPatch, browser_for: Browser, world: World, curator_a: Persona
) -> None:
    scope = _counting(monkeypatch, tenants_web, "set_workspace_scope")
    load_session = _counting(monkeypatch, web, "load_session")
    # The home page names the workspace, the school and the page renderer (all three need
    # the workspace) behind a guard that needs the user.
    reply = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/staff")
    assert reply.status_code == 200
    assert (len(scope), len(load_session)) == (1, 1)
    # The school and the user acting, in one call (one round trip).
    assert scope[0][-1] == {"actor": curator_a.user.id, "school_id": world.school_a.id}


async def test_guard_refuses_without_loading_the_school(
    monkeypatch: pytest.MonkeyPatch, browser_for: Browser, world: World, curator_b: Persona, mentor_a: Persona
) -> None:
    set_school = _counting(monkeypatch, tenants_web, "set_workspace_scope")
    other = await (await browser_for(curator_b)).get(f"/s/{world.school_a.code}/staff")
    assert other.status_code == 404
    member = await (await browser_for(mentor_a)).get(f"/s/{world.school_a.code}/staff")
    assert member.status_code == 403
    assert set_school == []


async def test_regional_workspaces_scope_the_transaction_to_their_region(
    monkeypatch: pytest.MonkeyPatch,
    browser_for: Browser,
    world: World,
    municipal_officer: Persona,
    cnppm_tutor: Persona,
) -> None:
    scope = _counting(monkeypatch, tenants_web, "set_workspace_scope")
    reply = await (await browser_for(municipal_officer)).get(f"/m/{world.municipality_a.code}/")
    assert reply.status_code == 200
    reply = await (await browser_for(cnppm_tutor)).get(f"/r/{world.region.code}/")
    assert reply.status_code == 200
    # The municipality's page is narrowed to it; the region's page is the whole region.
    assert [call[-1] for call in scope] == [
        {
            "actor": municipal_officer.user.id,
            "region_id": world.region.id,
            "municipality_id": world.municipality_a.id,
        },
        {"actor": cnppm_tutor.user.id, "region_id": world.region.id},
    ]
