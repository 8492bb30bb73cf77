"""When the database cannot serve: a Russian 503 page, never a hang or a 500.

- The pool waited DB_POOL_TIMEOUT for a connection, PostgreSQL refused the connection, or
  it dropped one (a restart; SQLAlchemy then invalidates that connection and every one
  opened before it, so the pool heals by itself): the request gets the 503 page with
  `Retry-After`, and the before-send hook adds the security headers as on every page.
- A read (GET or HEAD) that met a connection dropped under it is run once more on a fresh
  connection before that: its transaction was rolled back with the connection, nothing of
  it was committed, and no byte of its response was sent. Writes are never repeated here;
  the person sees the page and sends the form again.
"""

from __future__ import annotations

from typing import Any

import psycopg
import structlog
from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPRequestEvent, Message, Receive, Scope, Send
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

log = structlog.get_logger("nastavnik.db")

# Seconds a browser or a client is told to wait before trying again.
RETRY_AFTER_SECONDS = 5
# Exceptions that may mean "unavailable"; `database_unavailable` decides.
DATABASE_ERRORS: tuple[type[Exception], ...] = (PoolTimeoutError, DBAPIError, psycopg.OperationalError)
_RETRY_MARK = "nastavnik.retry_read"
_READS = frozenset({"GET", "HEAD"})
# Per-request state that must not survive into the second run of a read.
_REQUEST_STATE = ("nastavnik.db_session", "nastavnik.auth")


def database_unavailable(exc: BaseException) -> bool:
    """The database cannot serve now (try again soon), as opposed to a bug in a query."""
    if isinstance(exc, PoolTimeoutError | OperationalError | psycopg.OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _connection_dropped(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def unavailable_response(request: Request[Any, Any, Any], exc: Exception, page: Any) -> Response[Any] | None:
    """The 503 for `exc`, or None when it is not about availability (a real 500).

    `page(request, status, template, headers)` renders the app's error page.
    """
    if not database_unavailable(exc):
        return None
    state = request.scope.setdefault("state", {})
    if _connection_dropped(exc) and request.method in _READS and _RETRY_MARK in state:
        state[_RETRY_MARK] = True  # the middleware runs the read again
    log.warning("database_unavailable", error=type(exc).__name__, detail=str(exc).splitlines()[0][:200])
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.headers.get("hx-request") == "true":
        headers["HX-Reswap"] = "none"  # htmx keeps the page; the status tells it to retry
    response: Response[Any] = page(request, 503, "errors/503.html", headers)
    return response


class RetryReadOnDroppedConnectionMiddleware(ASGIMiddleware):
    """Runs a GET/HEAD once more when its connection was dropped under it (see above)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") not in _READS:
            await next_app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[_RETRY_MARK] = False
        held: list[Message] = []

        async def hold_if_retried(message: Message) -> None:
            if state.get(_RETRY_MARK):
                held.append(message)  # the 503 of the first run: kept back
            else:
                await send(message)

        await next_app(scope, receive, hold_if_retried)
        if not state.pop(_RETRY_MARK, False):
            return
        for key in _REQUEST_STATE:
            state.pop(key, None)
        log.warning("read_retried_after_dropped_connection", path=scope.get("path"))

        async def no_body() -> HTTPRequestEvent:
            return {"type": "http.request", "body": b"", "more_body": False}

        await next_app(scope, no_body, send)
