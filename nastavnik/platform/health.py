"""Liveness and readiness for the load balancer and the orchestrator."""

from __future__ import annotations

import httpx
from litestar import Controller, get
from litestar.datastructures import State
from litestar.response import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.platform.settings import Settings


class HealthController(Controller):
    path = "/health"
    include_in_schema = False

    @get("/live", name="health:live")
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready", name="health:ready")
    async def ready(self, state: State) -> Response[dict[str, str]]:
        settings: Settings = state.settings
        maker: async_sessionmaker[AsyncSession] = state.sessionmaker
        checks: dict[str, str] = {}
        try:
            async with maker() as session:
                await session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            checks["database"] = f"error: {type(exc).__name__}"
        url = f"{settings.keycloak_url}/realms/{settings.keycloak_realm}/.well-known/openid-configuration"
        try:
            async with httpx.AsyncClient(timeout=3) as client:
                reply = await client.get(url)
            checks["keycloak"] = "ok" if reply.status_code == 200 else f"http {reply.status_code}"
        except httpx.HTTPError as exc:
            checks["keycloak"] = f"error: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        checks["status"] = "ok" if ok else "unavailable"
        return Response(checks, status_code=200 if ok else 503)
