"""Roadmap rows of a programme, their responsible staff, attachments and change history."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.platform.db import SCHOOL_OWNED, Base, SchoolOwned, TimestampMixin
from nastavnik.school.programme.models import ProgrammeStage
from nastavnik.tenants.models import StaffMember


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class ItemStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_DONE = "not_done"
    POSTPONED = "postponed"


ITEM_STATUS_TITLES: dict[ItemStatus, str] = {
    ItemStatus.PLANNED: "Запланировано",
    ItemStatus.IN_PROGRESS: "В работе",
    ItemStatus.DONE: "Выполнено",
    ItemStatus.NOT_DONE: "Не выполнено",
    ItemStatus.POSTPONED: "Перенесено",
}
ITEM_STATUS_TONES: dict[ItemStatus, str] = {
    ItemStatus.PLANNED: "neutral",
    ItemStatus.IN_PROGRESS: "info",
    ItemStatus.DONE: "success",
    ItemStatus.NOT_DONE: "danger",
    ItemStatus.POSTPONED: "warning",
}
# Rows still to be done: they can be overdue or due soon.
OPEN_STATUSES = frozenset({ItemStatus.PLANNED, ItemStatus.IN_PROGRESS, ItemStatus.POSTPONED})


class ChangeAction(enum.StrEnum):
    APPROVED = "approved"
    ITEM_ADDED = "item_added"
    ITEM_CHANGED = "item_changed"
    ITEM_REMOVED = "item_removed"
    ITEM_MOVED = "item_moved"
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_REMOVED = "attachment_removed"


CHANGE_ACTION_TITLES: dict[ChangeAction, str] = {
    ChangeAction.APPROVED: "Дорожная карта утверждена",
    ChangeAction.ITEM_ADDED: "Добавлено мероприятие",
    ChangeAction.ITEM_CHANGED: "Изменено мероприятие",
    ChangeAction.ITEM_REMOVED: "Удалено мероприятие",
    ChangeAction.ITEM_MOVED: "Изменён порядок мероприятий",
    ChangeAction.ATTACHMENT_ADDED: "Прикреплён файл",
    ChangeAction.ATTACHMENT_REMOVED: "Удалён файл",
}


class RoadmapItem(SchoolOwned, TimestampMixin, Base):
    """One row: event, deadline, responsible, expected result, status and what was done."""

    __tablename__ = "roadmap_item"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "programme_id"], ["programme.school_id", "programme.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "stage_id"],
            ["programme_stage.school_id", "programme_stage.id"],
            ondelete="CASCADE",
        ),
        Index("ix_roadmap_item_school_id_programme_id", "school_id", "programme_id"),
        Index("ix_roadmap_item_school_id_due_on", "school_id", "due_on"),
        Index("ix_roadmap_item_school_id_stage_id", "school_id", "stage_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    programme_id: Mapped[uuid.UUID]
    stage_id: Mapped[uuid.UUID]
    position: Mapped[int]
    event: Mapped[str] = mapped_column(Text)
    # As the curator wrote it («сентябрь–октябрь»); the dates below are computed from it.
    deadline_text: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    # Who is responsible when no staff member is named («Администрация»), or a remark.
    responsible_note: Mapped[str] = mapped_column(String(300), default="")
    expected_result: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[ItemStatus] = mapped_column(
        _enum(ItemStatus, "roadmap_item_status"), default=ItemStatus.PLANNED
    )
    result_text: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[dt.date | None] = mapped_column(Date)

    stage: Mapped[ProgrammeStage] = relationship(lazy="raise")
    responsibles: Mapped[list[RoadmapResponsible]] = relationship(
        order_by="RoadmapResponsible.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )
    attachments: Mapped[list[RoadmapAttachment]] = relationship(
        order_by="RoadmapAttachment.created_at",
        cascade="all, delete-orphan",
        lazy="raise",
    )

    @property
    def responsible_staff(self) -> list[StaffMember]:
        return [r.staff_member for r in self.responsibles]


class RoadmapResponsible(Base):
    """A staff member responsible for a row (a row may have several)."""

    __tablename__ = "roadmap_responsible"
    __table_args__ = (
        PrimaryKeyConstraint("school_id", "item_id", "staff_member_id"),
        ForeignKeyConstraint(
            ["school_id", "item_id"], ["roadmap_item.school_id", "roadmap_item.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["school_id", "staff_member_id"], ["staff_member.school_id", "staff_member.id"]),
        Index("ix_roadmap_responsible_school_id_staff_member_id", "school_id", "staff_member_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    school_id: Mapped[uuid.UUID]
    item_id: Mapped[uuid.UUID]
    staff_member_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(default=0)

    # Both this and RoadmapItem.responsibles write school_id; it is the same school.
    staff_member: Mapped[StaffMember] = relationship(lazy="raise", overlaps="responsibles")


class RoadmapAttachment(SchoolOwned, Base):
    """A file attached to a row (a signed order's scan, a photo report); kept in storage."""

    __tablename__ = "roadmap_attachment"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "item_id"], ["roadmap_item.school_id", "roadmap_item.id"], ondelete="CASCADE"
        ),
        Index("ix_roadmap_attachment_school_id_item_id", "school_id", "item_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    item_id: Mapped[uuid.UUID]
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Path under settings.storage_dir; never derived from the uploaded name.
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class RoadmapChange(SchoolOwned, Base):
    """What changed in an approved roadmap: who, when, what (field, before, after)."""

    __tablename__ = "roadmap_change"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "programme_id"], ["programme.school_id", "programme.id"], ondelete="CASCADE"
        ),
        Index("ix_roadmap_change_school_id_programme_id", "school_id", "programme_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    programme_id: Mapped[uuid.UUID]
    # No foreign key: the history outlives a removed row.
    item_id: Mapped[uuid.UUID | None]
    item_label: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[ChangeAction] = mapped_column(_enum(ChangeAction, "roadmap_change_action"))
    # [{"field": "Срок", "before": "…", "after": "…"}, …]
    details: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
