"""Server-side sessions: the cookie holds a random token, the database its hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.models import User, WebSession
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import new_id, utcnow

SESSION_COOKIE = "nst_session"
LOGIN_COOKIE = "nst_login"
# A session's last-seen time is written at most this often, not on every request; the
# idle timeout is therefore exact to within this interval.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class AuthContext:
    """Who is signed in, with their memberships, for the duration of one request."""

    user: User
    session: WebSession
    memberships: list[Membership]
    pending_flashes: list[tuple[str, str]] = field(default_factory=list)

    def school_roles(self, code: str) -> frozenset[Role]:
        return frozenset(m.role for m in self.memberships if m.scope is Scope.SCHOOL and m.code == code)

    def roles_in(self, scope: Scope, code: str) -> frozenset[Role]:
        return frozenset(m.role for m in self.memberships if m.scope is scope and m.code == code)

    def codes(self, scope: Scope) -> list[str]:
        return sorted({m.code for m in self.memberships if m.scope is scope})

    @property
    def is_platform_admin(self) -> bool:
        return any(m.role is Role.PLATFORM_ADMIN for m in self.memberships)

    def flash(self, category: str, message: str) -> None:
        self.session.flashes = [*self.session.flashes, [category, message]]

    def pop_flashes(self) -> list[tuple[str, str]]:
        flashes = [(str(c), str(m)) for c, m in self.session.flashes]
        if flashes:
            self.session.flashes = []
        return flashes


async def create_session(
    db: AsyncSession,
    *,
    user: User,
    keycloak_sid: str | None,
    id_token: str,
    memberships: list[Membership],
    max_age_seconds: int,
) -> str:
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(
        WebSession(
            token_hash=hash_token(raw),
            user_id=user.id,
            keycloak_sid=keycloak_sid,
            id_token=id_token,
            memberships=[m.to_json() for m in memberships],
            flashes=[],
            created_at=now,
            last_seen_at=now,
            expires_at=now + dt.timedelta(seconds=max_age_seconds),
        )
    )
    await db.flush()
    return raw


async def load_session(db: AsyncSession, raw: str, *, idle_seconds: int) -> AuthContext | None:
    """The signed-in context of a session cookie, or None if it is unknown, past its absolute
    expiry or unused for longer than `idle_seconds` (both end the session)."""
    row = (
        await db.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == hash_token(raw))
        )
    ).first()
    if row is None:
        return None
    web_session, user = row
    now = utcnow()
    if web_session.expires_at <= now or now - web_session.last_seen_at > dt.timedelta(seconds=idle_seconds):
        await db.delete(web_session)
        return None
    if now - web_session.last_seen_at > TOUCH_INTERVAL:
        web_session.last_seen_at = now
    memberships = [Membership.from_json(m) for m in web_session.memberships]
    return AuthContext(user=user, session=web_session, memberships=memberships)


async def end_session(db: AsyncSession, raw: str) -> WebSession | None:
    web_session = await db.get(WebSession, hash_token(raw))
    if web_session is not None:
        await db.delete(web_session)
    return web_session


async def end_sessions_by_sid(db: AsyncSession, sid: str) -> int:
    result = await db.execute(delete(WebSession).where(WebSession.keycloak_sid == sid))
    return int(getattr(result, "rowcount", 0) or 0)


async def end_sessions_of_user(db: AsyncSession, keycloak_id: str) -> int:
    user_id = select(User.id).where(User.keycloak_id == keycloak_id).scalar_subquery()
    result = await db.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def upsert_user(db: AsyncSession, claims: dict[str, Any]) -> User:
    """Create or refresh the mirror row of the Keycloak account named by the ID token."""
    sub = str(claims["sub"])
    user = (await db.execute(select(User).where(User.keycloak_id == sub))).scalar_one_or_none()
    if user is None:
        user = User(id=new_id(), keycloak_id=sub, username=str(claims.get("preferred_username", sub)))
        db.add(user)
    user.username = str(claims.get("preferred_username", user.username))
    user.email = claims.get("email") or user.email
    user.last_name = str(claims.get("family_name", "") or "")
    user.first_name = str(claims.get("given_name", "") or "")
    middle = claims.get("middle_name") or claims.get("middleName") or ""
    user.middle_name = str(middle)
    user.last_login_at = utcnow()
    await db.flush()
    return user
