"""Sibling dependencies of a handler run one after another: a 404 of one never cancels
another in the middle of its query on the request's shared session."""

from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.testing import AsyncTestClient

from nastavnik.platform import sequential_dependencies

pytestmark = pytest.mark.anyio


async def test_siblings_resolve_in_order_and_a_failing_one_cancels_nobody() -> None:
    sequential_dependencies.install()
    events: list[str] = []
    inside = [0, 0]  # now, most at once

    async def slow(name: str) -> str:
        inside[0] += 1
        inside[1] = max(inside[1], inside[0])
        try:
            await asyncio.sleep(0.05)  # a query on the shared session
            events.append(f"{name} done")
        except asyncio.CancelledError:
            events.append(f"{name} cancelled")
            raise
        finally:
            inside[0] -= 1
        return name

    async def a_year() -> str:
        return await slow("a_year")

    async def b_object() -> str:
        await slow("b_object")
        raise NotFoundException

    async def c_page() -> str:
        return await slow("c_page")

    @get(
        "/thing",
        dependencies={"a_year": Provide(a_year), "b_object": Provide(b_object), "c_page": Provide(c_page)},
    )
    async def thing(
        a_year: NamedDependency[str], b_object: NamedDependency[str], c_page: NamedDependency[str]
    ) -> str:
        return "ok"

    async with AsyncTestClient(Litestar([thing])) as client:
        reply = await client.get("/thing")
    assert reply.status_code == 404
    # In order by name; the one after the 404 never starts; none is cut off mid-way.
    assert events == ["a_year done", "b_object done"]
    assert inside[1] == 1
