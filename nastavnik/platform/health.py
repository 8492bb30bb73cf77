"""Liveness and readiness for the load balancer and the orchestrator."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Controller, get
from litestar.datastructures import State
from litestar.response import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.platform.auth.oidc import OidcClient


class HealthController(Controller):
    path = "/health"
    include_in_schema = False

    @get("/live", name="health:live")
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready", name="health:ready")
    async def ready(self, state: State) -> Response[dict[str, str]]:
        """200 only when this worker can reach its database (through its pool) and Keycloak.

        The database check borrows a pooled connection for one `SELECT 1` (and so waits at
        most DB_POOL_TIMEOUT); the Keycloak check reuses the app's HTTP client and its
        kept-alive connection, made in the lifespan, instead of building one per call.
        """
        maker: async_sessionmaker[AsyncSession] = state.sessionmaker
        client: httpx.AsyncClient = state.http
        checks: dict[str, str] = {}
        try:
            async with maker() as session:
                await session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            checks["database"] = f"error: {type(exc).__name__}"
        oidc: OidcClient = state.oidc
        document: dict[str, Any] | None = None
        try:
            reply = await client.get(oidc.discovery_url)
            if reply.status_code == 200:
                document = reply.json()
            checks["keycloak"] = "ok" if document is not None else f"http {reply.status_code}"
        except (httpx.HTTPError, ValueError) as exc:
            checks["keycloak"] = f"error: {type(exc).__name__}"
        # The sign-in keeps the document it uses fresh from here, and stops redirecting
        # people to Keycloak as soon as this probe finds it down.
        oidc.remember_discovery(document if isinstance(document, dict) else None)
        ok = all(v == "ok" for v in checks.values())
        checks["status"] = "ok" if ok else "unavailable"
        return Response(checks, status_code=200 if ok else 503)
