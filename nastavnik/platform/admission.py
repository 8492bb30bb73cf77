"""A worker admits at most as many requests as its connection pool can serve at once.

Under a burst (200 clients on 2 workers) every request used to start at once and wait for
one of the pool's connections; past DB_POOL_TIMEOUT each got the 503, whole groups of them
together, while the worker's CPU went to requests that would be refused anyway. Here a
request waits at the door instead, first come first served, and enters when one of the
REQUEST_CONCURRENCY places (by default the pool's size plus its overflow, so an admitted
request never waits for a connection) is free. A request that waited REQUEST_QUEUE_TIMEOUT
seconds gets the Russian 503 page with Retry-After: bounded, never a hang.

Static files and health probes bypass the door: they need no connection, and a probe must
tell the truth about a busy worker.
"""

from __future__ import annotations

import asyncio
import weakref

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

BYPASS_PREFIXES = ("/static/", "/health/")


class ServerBusyError(Exception):
    """No place freed for this request within the queue timeout (shown as the 503 page)."""


class AdmissionMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, concurrency: int, queue_timeout: float) -> None:
        self.concurrency = max(1, concurrency)
        self.queue_timeout = queue_timeout
        # One gate per event loop (a worker has one; tests start several).
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.concurrency)
        return gate

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if str(scope.get("path", "")).startswith(BYPASS_PREFIXES):
            await next_app(scope, receive, send)
            return
        gate = self.gate()
        try:
            await asyncio.wait_for(gate.acquire(), timeout=self.queue_timeout)
        except TimeoutError as exc:
            raise ServerBusyError from exc
        try:
            await next_app(scope, receive, send)
        finally:
            gate.release()
