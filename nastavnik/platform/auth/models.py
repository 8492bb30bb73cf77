"""The app's mirror of Keycloak users, and server-side web sessions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    """Mirror row of a Keycloak account, kept for references and the audit log."""

    __tablename__ = "app_user"

    keycloak_id: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    last_name: Mapped[str] = mapped_column(String(120), default="")
    first_name: Mapped[str] = mapped_column(String(120), default="")
    middle_name: Mapped[str] = mapped_column(String(120), default="")
    last_login_at: Mapped[dt.datetime | None]

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)
        return name or self.username


class WebSession(Base):
    """A signed-in browser session, keyed by a hash of the cookie and by Keycloak's `sid`."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    keycloak_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    id_token: Mapped[str] = mapped_column(Text)
    memberships: Mapped[list[list[str]]] = mapped_column(JSONB)
    flashes: Mapped[list[list[str]]] = mapped_column(JSONB, default=list)
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
