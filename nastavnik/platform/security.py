"""What every response carries and what every request is checked for, in one place.

- Security headers and `Cache-Control: no-store` are added by a before-send hook of the
  app, which sees every response: pages, downloads, error pages of any status and the 404
  of a URL no route matches (route middleware never sees those).
- Bad input (a NUL byte, which PostgreSQL refuses in text; bytes that are not UTF-8) is
  answered with a clear 400 before a handler runs, instead of failing deep in a query.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.datastructures import MutableScopeHeaders, UploadFile
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from nastavnik.platform.settings import Settings

STATIC_PREFIX = "/static/"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self' {keycloak}"
)


def security_headers(settings: Settings) -> dict[str, str]:
    return {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY.format(keycloak=settings.keycloak_url),
    }


SendHook = Callable[[Message, Scope], Awaitable[None]]


def response_headers_hook(settings: Settings) -> SendHook:
    """A before-send hook adding the security headers, and `no-store` outside /static/.

    Every page and download but the static assets may show personal data (a signed-in
    page, an export, a personal preference link), so none is kept by a browser or proxy
    cache; a handler that sets its own Cache-Control keeps it.
    """
    headers = [(name.lower(), value) for name, value in security_headers(settings).items()]

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        mutable = MutableScopeHeaders.from_message(message)
        for name, value in headers:
            if name not in mutable:
                mutable[name] = value
        if not str(scope.get("path", "")).startswith(STATIC_PREFIX) and "cache-control" not in mutable:
            mutable["cache-control"] = "no-store"

    return add_headers


class BadInputError(HTTPException):
    """The request carries something no field can hold; answered with a 400 page."""

    status_code = 400
    detail = "В запросе есть недопустимые символы."


def _bad_text(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _bad_value(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, UploadFile):
        return "\x00" in (value.filename or "")
    return False


class InputGuardMiddleware(ASGIMiddleware):
    """Refuses a path, query or form field with a NUL byte or with bytes that are not UTF-8.

    Forms are parsed here (Litestar keeps the parsed form for the handler); file contents
    are not looked at, only the names and the text fields.
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        query = scope.get("query_string", b"")
        if (
            "\x00" in scope["path"]
            or _bad_text(unquote_to_bytes(raw_path))
            or _bad_text(unquote_to_bytes(query.replace(b"+", b" ")))
        ):
            raise BadInputError
        request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope=scope, receive=receive)
        content_type, _ = request.content_type
        if content_type not in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
            await next_app(scope, receive, send)
            return
        try:
            form = await request.form()
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadInputError from exc
        items = list(form.multi_items())
        uploads = [value for _, value in items if isinstance(value, UploadFile)]
        try:
            if any(_bad_value(v) for _, v in items) or any("\x00" in k for k, _ in items):
                raise BadInputError
            await next_app(scope, receive, send)
        finally:
            # The files were spooled when the form was parsed here; close them however the
            # request ends (refused by a guard, answered, or failed), not at garbage collection.
            for upload in uploads:
                await upload.close()
