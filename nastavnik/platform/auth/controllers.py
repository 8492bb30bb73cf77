"""Sign-in, sign-out and Keycloak's back-channel logout."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import structlog
from keycloak.exceptions import KeycloakConnectionError, KeycloakError
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie, State
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform import audit
from nastavnik.platform.auth.models import User
from nastavnik.platform.auth.oidc import OidcClient, PendingLogin, TokenError
from nastavnik.platform.auth.permissions import Membership, memberships_from_groups
from nastavnik.platform.auth.sessions import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    create_session,
    end_session,
    end_sessions_by_sid,
    end_sessions_of_user,
    upsert_user,
)
from nastavnik.platform.auth.signing import Purpose, sign, unsign
from nastavnik.platform.settings import Settings
from nastavnik.platform.web import DB, OptionalAuth, request_id_of, safe_next

log = structlog.get_logger(__name__)

LOGIN_MAX_AGE = 600
OnLogin = Callable[[AsyncSession, User, list[Membership]], Awaitable[None]]


def _cookie(settings: Settings, key: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        max_age=max_age,
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite="lax",
        path="/",
    )


def _sign_in_failed(request: Request[Any, Any, Any], reason: str, status_code: int = 400) -> Template:
    return Template(
        template_name="errors/login_failed.html",
        context={"reason": reason, "request_id": request_id_of(request)},
        status_code=status_code,
    )


# Keycloak unreachable (stopped, restarting, network): people already signed in keep
# working on their server-side sessions; a new sign-in is told so plainly instead of a 500.
SSO_DOWN = (
    "Служба единого входа сейчас недоступна, поэтому войти не получится. "
    "Если вы уже работали в системе, продолжайте в открытой вкладке; "
    "новый вход станет возможен через несколько минут."
)
SSO_ERRORS = (KeycloakError, httpx.HTTPError, OSError)


class AuthController(Controller):
    path = "/auth"
    include_in_schema = False

    @get("/login", name="auth:login")
    async def login(self, request: Request[Any, Any, Any], state: State) -> Redirect | Template:
        settings: Settings = state.settings
        oidc: OidcClient = state.oidc
        try:
            url, pending = await oidc.begin_login(safe_next(request.query_params.get("next")))
        except SSO_ERRORS as exc:
            log.warning("sso_unavailable", step="login", error=type(exc).__name__)
            return _sign_in_failed(request, SSO_DOWN, status_code=503)
        response = Redirect(url, status_code=303)
        value = sign(settings.session_secret, pending.to_dict(), purpose=Purpose.LOGIN_STATE)
        response.cookies.append(_cookie(settings, LOGIN_COOKIE, value, LOGIN_MAX_AGE))
        return response

    @get("/callback", name="auth:callback")
    async def callback(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db: DB,
    ) -> Redirect | Template:
        settings: Settings = state.settings
        oidc: OidcClient = state.oidc
        code = request.query_params.get("code")
        error = request.query_params.get("error")
        returned_state = request.query_params.get("state", "")
        raw_pending = request.cookies.get(LOGIN_COOKIE, "")
        data = unsign(
            settings.session_secret, raw_pending, purpose=Purpose.LOGIN_STATE, max_age=LOGIN_MAX_AGE
        )
        if error:
            return _sign_in_failed(request, "Вход отменён или не разрешён службой единого входа.")
        pending = PendingLogin.from_dict(data) if data is not None else None
        if pending is None or not code:
            return _sign_in_failed(request, "Страница входа устарела. Начните вход заново.")
        if returned_state != pending.state:
            return _sign_in_failed(request, "Ответ службы входа не совпал с запросом. Начните вход заново.")
        try:
            tokens = await oidc.exchange_code(code, pending)
            claims = await oidc.validate_id_token(str(tokens["id_token"]), pending.nonce)
        except (*SSO_ERRORS, TokenError, KeyError) as exc:
            if isinstance(exc, KeycloakConnectionError | httpx.HTTPError | OSError):
                log.warning("sso_unavailable", step="callback", error=type(exc).__name__)
                return _sign_in_failed(request, SSO_DOWN, status_code=503)
            log.warning("login_rejected", error=str(exc))
            return _sign_in_failed(request, "Не удалось подтвердить вход. Начните вход заново.")
        user = await upsert_user(db, claims)
        memberships = memberships_from_groups(list(claims.get("groups") or []))
        on_login: OnLogin | None = getattr(state, "on_login", None)
        if on_login is not None:
            await on_login(db, user, memberships)
        raw = await create_session(
            db,
            user=user,
            keycloak_sid=claims.get("sid"),
            id_token=str(tokens["id_token"]),
            memberships=memberships,
            max_age_seconds=settings.session_max_age_seconds,
        )
        await audit.record(db, action="auth.login", actor_id=user.id, request_id=request_id_of(request))
        response = Redirect(pending.next_url, status_code=303)
        response.cookies.append(_cookie(settings, SESSION_COOKIE, raw, settings.session_max_age_seconds))
        response.cookies.append(_cookie(settings, LOGIN_COOKIE, "", 0))
        return response

    @post("/logout", name="auth:logout")
    async def logout(
        self, request: Request[Any, Any, Any], state: State, db: DB, auth: OptionalAuth
    ) -> Redirect:
        settings: Settings = state.settings
        oidc: OidcClient = state.oidc
        target = settings.base_url + "/"
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            ended = await end_session(db, raw)
            if ended is not None:
                await audit.record(
                    db, action="auth.logout", actor_id=ended.user_id, request_id=request_id_of(request)
                )
                # Ending the Keycloak session too: otherwise "sign in" would pass silently.
                target = oidc.end_session_url(ended.id_token, settings.base_url + "/")
        response = Redirect(target, status_code=303)
        response.cookies.append(_cookie(settings, SESSION_COOKIE, "", 0))
        return response

    @post("/backchannel-logout", name="auth:backchannel", exclude_from_csrf=True)
    async def backchannel_logout(
        self, request: Request[Any, Any, Any], state: State, db: DB
    ) -> Response[str]:
        oidc: OidcClient = state.oidc
        token = str((await request.form()).get("logout_token", ""))
        try:
            claims = await oidc.validate_logout_token(token)
        except TokenError as exc:
            log.warning("backchannel_logout_rejected", error=str(exc))
            return Response("invalid logout token", status_code=400, media_type="text/plain")
        if claims.get("sid"):
            ended = await end_sessions_by_sid(db, str(claims["sid"]))
        else:
            ended = await end_sessions_of_user(db, str(claims["sub"]))
        log.info("backchannel_logout", sessions=ended)
        return Response("", status_code=200, media_type="text/plain", headers={"Cache-Control": "no-store"})
