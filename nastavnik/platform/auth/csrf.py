"""CSRF tokens bound to the browser's session.

The token of a signed-in browser is an HMAC of its session cookie (under the CSRF key
derived from SESSION_SECRET), so a token taken from another session — the attacker's own,
say — is refused, and signing out or in changes it. A browser without a session (the
participant's personal preference link) gets a random `nst_csrf` cookie to bind to instead.
Every unsafe request must carry the token in the `_csrf_token` form field or the
`X-CSRF-Token` header (htmx), else it is answered 403 before its handler runs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from nastavnik.platform.auth.sessions import SESSION_COOKIE, hash_token
from nastavnik.platform.auth.signing import Purpose, derive_key

CSRF_COOKIE = "nst_csrf"
CSRF_FIELD = "_csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token(secret: str, binding: str) -> str:
    return hmac.new(derive_key(secret, Purpose.CSRF), binding.encode(), hashlib.sha256).hexdigest()


def session_binding(raw_session: str) -> str:
    return "session:" + hash_token(raw_session)


def anonymous_binding(raw_cookie: str) -> str:
    return "anonymous:" + raw_cookie


class CsrfMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_opt_key = "exclude_from_csrf"

    def __init__(self, *, secret: str, cookie_secure: bool) -> None:
        self.secret = secret
        self.cookie_secure = cookie_secure

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope=scope, receive=receive)
        session = request.cookies.get(SESSION_COOKIE)
        anonymous = request.cookies.get(CSRF_COOKIE)
        new_cookie: str | None = None
        if session:
            binding = session_binding(session)
        elif anonymous:
            binding = anonymous_binding(anonymous)
        else:
            new_cookie = secrets.token_urlsafe(32)
            binding = anonymous_binding(new_cookie)
        expected = csrf_token(self.secret, binding)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER)
            content_type, _ = request.content_type
            if not sent and content_type in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
                value = (await request.form()).get(CSRF_FIELD)
                sent = value if isinstance(value, str) else None
            # A browser that had nothing to bind to cannot hold a token yet.
            if (
                new_cookie is not None
                or not sent
                or not hmac.compare_digest(sent.encode(), expected.encode())
            ):
                raise PermissionDeniedException("CSRF token verification failed")
        ScopeState.from_scope(scope).csrf_token = expected
        if new_cookie is None:
            await next_app(scope, receive, send)
            return
        cookie = Cookie(
            key=CSRF_COOKIE,
            value=new_cookie,
            path="/",
            secure=self.cookie_secure,
            httponly=True,
            samesite="lax",
        )

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))
            await send(message)

        await next_app(scope, receive, send_with_cookie)
