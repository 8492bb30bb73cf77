"""Request plumbing shared by every layer: request id, DB session, auth, forms, pages."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import structlog
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.platform.auth.sessions import SESSION_COOKIE, AuthContext, load_session

log = structlog.get_logger("nastavnik.http")

# Handler parameters filled by the app-level dependencies of the same names.
DB = NamedDependency[AsyncSession]
OptionalAuth = NamedDependency[AuthContext | None]
CurrentUser = NamedDependency[AuthContext]


class LoginRequiredError(HTTPException):
    """Raised where a page needs a signed-in user; answered with a redirect to sign in."""

    status_code = 401


def request_id_of(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


class RequestIdMiddleware(ASGIMiddleware):
    """Gives every request an id (or keeps a sane incoming one) and logs its outcome."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        incoming = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await next_app(scope, receive, send_with_id)
            finally:
                path = scope.get("path", "")
                if not path.startswith("/static/"):
                    log.info(
                        "request",
                        method=scope.get("method"),
                        path=path,
                        status=status,
                        ms=round((time.perf_counter() - started) * 1000, 1),
                    )


# The request's one DB session lives in the ASGI scope: guards run before dependencies, and
# a guard that checks the signed-in user's roles must see the same session, transaction and
# loaded session row as the handler, so that no query runs twice.
_DB_SESSION_KEY = "nastavnik.db_session"
_AUTH_KEY = "nastavnik.auth"


def _scope_state(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    state: dict[str, Any] = connection.scope.setdefault("state", {})
    return state


def request_db(connection: ASGIConnection[Any, Any, Any, Any]) -> AsyncSession:
    """The request's session, opened on first use (by a guard or by the `db` dependency)."""
    state = _scope_state(connection)
    session: AsyncSession | None = state.get(_DB_SESSION_KEY)
    if session is None:
        maker: async_sessionmaker[AsyncSession] = connection.app.state.sessionmaker
        session = state[_DB_SESSION_KEY] = maker()
    return session


async def close_request_db(scope: Scope) -> None:
    session: AsyncSession | None = scope.get("state", {}).pop(_DB_SESSION_KEY, None)
    if session is not None:
        await session.close()


class RequestSessionMiddleware(ASGIMiddleware):
    """Closes (and so rolls back) a session a guard opened when the handler never ran."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        try:
            await next_app(scope, receive, send)
        finally:
            await close_request_db(scope)


async def provide_db(request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
    """One session and one transaction per request, committed when the handler succeeds.

    Litestar runs the code after `yield` once the handler has returned (redirects after
    POST included) and before the response is sent, and throws handler errors in here.
    """
    session = request_db(request)
    try:
        yield session
    except BaseException:
        await session.rollback()
        raise
    else:
        await session.commit()
    finally:
        await close_request_db(request.scope)


async def auth_of(connection: ASGIConnection[Any, Any, Any, Any]) -> AuthContext | None:
    """Who is signed in, loaded once per request whoever asks first (a guard or a handler)."""
    state = _scope_state(connection)
    if _AUTH_KEY not in state:
        raw = connection.cookies.get(SESSION_COOKIE)
        idle_seconds: int = connection.app.state.settings.session_idle_seconds
        db = request_db(connection)
        state[_AUTH_KEY] = await load_session(db, raw, idle_seconds=idle_seconds) if raw else None
    auth: AuthContext | None = state[_AUTH_KEY]
    return auth


async def provide_auth(request: Request[Any, Any, Any], db: DB) -> AuthContext | None:
    # `db` ties the session row's changes (last seen, flashes) to the request's transaction.
    del db
    return await auth_of(request)


async def provide_user(auth: OptionalAuth) -> AuthContext:
    if auth is None:
        raise LoginRequiredError
    return auth


def safe_next(url: str | None) -> str:
    """Only local paths are accepted as a place to return to after sign-in."""
    if not url:
        return "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return "/"
    return url


def login_url_for(request: Request[Any, Any, Any]) -> str:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return "/auth/login?next=" + quote(target, safe="")


@dataclass
class Form:
    """What a person typed and what is wrong with it, to render next to the fields."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], fields: tuple[str, ...]) -> Form:
        values: dict[str, Any] = {}
        for name in fields:
            value = data.get(name, "")
            values[name] = value.strip() if isinstance(value, str) else value
        return cls(data=values)

    def value(self, name: str) -> str:
        value = self.data.get(name, "")
        return value if isinstance(value, str) else ""

    def require(self, name: str, message: str = "Заполните это поле.") -> str:
        value = self.value(name)
        if not value:
            self.errors.setdefault(name, message)
        return value

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"
