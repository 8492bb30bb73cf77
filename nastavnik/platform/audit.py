"""The audit log: who did or saw what, when (personal data access, provisioning)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import Base, IdMixin


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_event"

    at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), index=True)
    actor_id: Mapped[uuid.UUID | None]
    school_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(80), default="")
    object_id: Mapped[str] = mapped_column(String(80), default="")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


async def record(
    session: AsyncSession,
    *,
    action: str,
    actor_id: uuid.UUID | None,
    school_id: uuid.UUID | None = None,
    object_type: str = "",
    object_id: str = "",
    request_id: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            actor_id=actor_id,
            school_id=school_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            request_id=request_id,
            details=details or {},
        )
    )
