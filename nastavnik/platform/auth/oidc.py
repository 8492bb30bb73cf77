"""OpenID Connect against Keycloak: authorization code with PKCE, state and nonce.

python-keycloak makes the calls; ID and logout tokens are checked here (issuer,
audience, signature with a cached JWKS, expiry, nonce) with PyJWT.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from nastavnik.platform.settings import Settings

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
JWKS_TTL_SECONDS = 3600
# The discovery document (endpoints) is fetched once and kept this long. The readiness
# probe, which fetches the same document every few seconds, refreshes it or, when
# Keycloak does not answer, forgets it: a new sign-in then fetches it itself, fails, and
# gets the Russian «служба входа недоступна» page rather than a redirect to a dead server.
DISCOVERY_TTL_SECONDS = 300
# A sign-in sends the browser to Keycloak: it asks Keycloak first (at most once a second
# per worker, so a burst of sign-ins costs one request), and says plainly that sign-in is
# unavailable instead of sending people to a server that is down. Every worker checks for
# itself: the readiness probe of one worker tells the others nothing.
LOGIN_DISCOVERY_MAX_AGE_SECONDS = 1.0


class TokenError(Exception):
    """A token from Keycloak did not pass validation."""


@dataclass(frozen=True)
class PendingLogin:
    state: str
    nonce: str
    code_verifier: str
    next_url: str

    def to_dict(self) -> dict[str, str]:
        return {"s": self.state, "n": self.nonce, "v": self.code_verifier, "u": self.next_url}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingLogin | None:
        """None unless every field is there (a value signed by this app for another use)."""
        values = [data.get(key) for key in ("s", "n", "v", "u")]
        if not all(isinstance(v, str) and v for v in values):
            return None
        state, nonce, verifier, next_url = (str(v) for v in values)
        return cls(state, nonce, verifier, next_url)


class OidcClient:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keycloak = KeycloakOpenID(
            server_url=settings.keycloak_url,
            realm_name=settings.keycloak_realm,
            client_id=settings.keycloak_client_id,
            client_secret_key=settings.keycloak_client_secret,
            timeout=15,
        )
        # python-keycloak keeps one httpx.AsyncClient (keep-alive) for every call made here.
        self._jwks: jwt.PyJWKSet | None = None
        self._jwks_fetched = 0.0
        self._discovery: dict[str, Any] | None = None
        self._discovery_fetched = 0.0

    async def aclose(self) -> None:
        await self.keycloak.connection.aclose()

    @property
    def issuer(self) -> str:
        return f"{self.settings.keycloak_url}/realms/{self.settings.keycloak_realm}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def remember_discovery(self, document: dict[str, Any] | None) -> None:
        """Keep a freshly fetched discovery document, or forget it (None: Keycloak is down)."""
        if document is not None and not isinstance(document.get("authorization_endpoint"), str):
            document = None
        self._discovery = document
        self._discovery_fetched = time.monotonic() if document is not None else 0.0

    async def discovery(self, max_age: float = DISCOVERY_TTL_SECONDS) -> dict[str, Any]:
        """The well-known document, fetched again when older than `max_age` seconds.

        A failed fetch forgets the document and raises (Keycloak is down now).
        """
        fresh = time.monotonic() - self._discovery_fetched <= max_age
        if self._discovery is None or not fresh:
            self.remember_discovery(None)
            self.remember_discovery(await self.keycloak.a_well_known())
            if self._discovery is None:
                msg = "discovery document without an authorization endpoint"
                raise KeycloakError(msg)
        return self._discovery

    async def begin_login(self, next_url: str) -> tuple[str, PendingLogin]:
        verifier = secrets.token_urlsafe(64)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        pending = PendingLogin(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            code_verifier=verifier,
            next_url=next_url,
        )
        query = urlencode(
            {
                "client_id": self.settings.keycloak_client_id,
                "response_type": "code",
                "redirect_uri": self.settings.redirect_uri,
                "scope": "openid email profile",
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        document = await self.discovery(max_age=LOGIN_DISCOVERY_MAX_AGE_SECONDS)
        url = f"{document['authorization_endpoint']}?{query}"
        return url, pending

    async def exchange_code(self, code: str, pending: PendingLogin) -> dict[str, Any]:
        tokens: dict[str, Any] = await self.keycloak.a_token(
            grant_type="authorization_code",
            code=code,
            redirect_uri=self.settings.redirect_uri,
            code_verifier=pending.code_verifier,
        )
        return tokens

    async def _signing_key(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise TokenError("malformed token") from exc
        for refresh in (False, True):
            if refresh or self._jwks is None or time.monotonic() - self._jwks_fetched > JWKS_TTL_SECONDS:
                certs = await self.keycloak.a_certs()
                self._jwks = jwt.PyJWKSet.from_dict(certs)
                self._jwks_fetched = time.monotonic()
            for key in self._jwks.keys:
                if key.key_id == kid:
                    return key.key
        raise TokenError("unknown signing key")

    async def _decode(self, token: str) -> dict[str, Any]:
        key = await self._signing_key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256", "PS256", "ES256"],
                audience=self.settings.keycloak_client_id,
                issuer=self.issuer,
                leeway=30,
                options={"require": ["iss", "aud", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        return claims

    async def validate_service_token(self, token: str, audience: str) -> dict[str, Any]:
        """An access token of another system (client credentials), meant for `audience`."""
        key = await self._signing_key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256", "PS256", "ES256"],
                audience=audience,
                issuer=self.issuer,
                leeway=30,
                options={"require": ["iss", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        return claims

    async def validate_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        claims = await self._decode(id_token)
        if "exp" not in claims or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise TokenError("nonce mismatch")
        if claims.get("azp", self.settings.keycloak_client_id) != self.settings.keycloak_client_id:
            raise TokenError("wrong authorized party")
        return claims

    async def validate_logout_token(self, logout_token: str) -> dict[str, Any]:
        claims = await self._decode(logout_token)
        events = claims.get("events")
        if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
            raise TokenError("not a logout token")
        if "nonce" in claims:
            raise TokenError("logout token must not carry a nonce")
        if not claims.get("sid") and not claims.get("sub"):
            raise TokenError("logout token names no session")
        return claims

    def end_session_url(self, id_token_hint: str, post_logout_redirect: str) -> str:
        query = urlencode(
            {
                "id_token_hint": id_token_hint,
                "post_logout_redirect_uri": post_logout_redirect,
                "client_id": self.settings.keycloak_client_id,
            }
        )
        return f"{self.issuer}/protocol/openid-connect/logout?{query}"
