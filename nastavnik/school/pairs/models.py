"""Mentoring pairs and groups (наставнические пары / группы) and their development plans."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    Column,
    Date,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.platform.db import SCHOOL_OWNED, Base, SchoolOwned, TimestampMixin, metadata
from nastavnik.school.participants.models import Participant
from nastavnik.tenants.reference import ReferenceItem


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class MentorshipStatus(enum.StrEnum):
    FORMING = "forming"
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"


STATUS_TITLES: dict[MentorshipStatus, str] = {
    MentorshipStatus.FORMING: "Формируется",
    MentorshipStatus.ACTIVE: "Действует",
    MentorshipStatus.COMPLETED: "Завершена",
    MentorshipStatus.TERMINATED: "Прекращена",
}
STATUS_TONES: dict[MentorshipStatus, str] = {
    MentorshipStatus.FORMING: "info",
    MentorshipStatus.ACTIVE: "success",
    MentorshipStatus.COMPLETED: "neutral",
    MentorshipStatus.TERMINATED: "danger",
}
# Where a status may go next; a finished pair stays finished.
STATUS_NEXT: dict[MentorshipStatus, tuple[MentorshipStatus, ...]] = {
    MentorshipStatus.FORMING: (MentorshipStatus.ACTIVE, MentorshipStatus.TERMINATED),
    MentorshipStatus.ACTIVE: (MentorshipStatus.COMPLETED, MentorshipStatus.TERMINATED),
    MentorshipStatus.COMPLETED: (),
    MentorshipStatus.TERMINATED: (),
}


class MemberRole(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


mentorship_direction = Table(
    "mentorship_direction",
    metadata,
    Column("school_id", Uuid(), nullable=False),
    Column("mentorship_id", Uuid(), nullable=False),
    Column("reference_item_id", Uuid(), ForeignKey("reference_item.id"), nullable=False, index=True),
    PrimaryKeyConstraint("school_id", "mentorship_id", "reference_item_id"),
    ForeignKeyConstraint(
        ["school_id", "mentorship_id"], ["mentorship.school_id", "mentorship.id"], ondelete="CASCADE"
    ),
    info={SCHOOL_OWNED: True},
)


class Mentorship(SchoolOwned, TimestampMixin, Base):
    """A pair (one mentor, one mentee) or a group (more people) of one form of mentoring."""

    __tablename__ = "mentorship"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        ForeignKeyConstraint(["school_id", "round_id"], ["matching_round.school_id", "matching_round.id"]),
        Index("ix_mentorship_school_id_academic_year", "school_id", "academic_year"),
        Index("ix_mentorship_school_id_round_id", "school_id", "round_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    form_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reference_item.id"), index=True)
    is_group: Mapped[bool] = mapped_column(default=False)
    status: Mapped[MentorshipStatus] = mapped_column(
        _enum(MentorshipStatus, "mentorship_status"), default=MentorshipStatus.FORMING
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)  # planned end
    ended_on: Mapped[dt.date | None] = mapped_column(Date)  # actual end (completed or terminated)
    round_id: Mapped[uuid.UUID | None]
    # A sequence number within the school and year, as the order lists pairs: «Пара № 3».
    number: Mapped[int] = mapped_column(default=0)

    form: Mapped[ReferenceItem] = relationship(lazy="joined")
    members: Mapped[list[MentorshipMember]] = relationship(
        back_populates="mentorship",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
        order_by=lambda: [MentorshipMember.role, MentorshipMember.position],
    )
    directions: Mapped[list[ReferenceItem]] = relationship(
        secondary=lambda: mentorship_direction,
        primaryjoin=lambda: and_(
            Mentorship.school_id == mentorship_direction.c.school_id,
            Mentorship.id == mentorship_direction.c.mentorship_id,
        ),
        secondaryjoin=lambda: ReferenceItem.id == mentorship_direction.c.reference_item_id,
        order_by=lambda: (ReferenceItem.sort_order, ReferenceItem.title),
        lazy="raise",
    )
    plan: Mapped[DevelopmentPlan | None] = relationship(
        back_populates="mentorship", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    @property
    def mentors(self) -> list[MentorshipMember]:
        return [m for m in self.members if m.role is MemberRole.MENTOR]

    @property
    def mentees(self) -> list[MentorshipMember]:
        return [m for m in self.members if m.role is MemberRole.MENTEE]

    @property
    def kind_title(self) -> str:
        return "Группа" if self.is_group else "Пара"

    @property
    def title(self) -> str:
        mentors = ", ".join(m.participant.short_name for m in self.mentors)
        mentees = ", ".join(m.participant.short_name for m in self.mentees)
        return f"{mentors} — {mentees}"

    @property
    def status_title(self) -> str:
        return STATUS_TITLES[self.status]

    @property
    def status_tone(self) -> str:
        return STATUS_TONES[self.status]


class MentorshipMember(SchoolOwned, Base):
    __tablename__ = "mentorship_member"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "mentorship_id"], ["mentorship.school_id", "mentorship.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["school_id", "participant_id"], ["participant.school_id", "participant.id"]),
        Index("ix_mentorship_member_school_id_participant_id", "school_id", "participant_id"),
        Index("ix_mentorship_member_school_id_mentorship_id", "school_id", "mentorship_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    mentorship_id: Mapped[uuid.UUID]
    participant_id: Mapped[uuid.UUID]
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole, "mentorship_member_role"))
    # The bank profile the person came from (mentee or mentor profile of that year).
    profile_id: Mapped[uuid.UUID | None]
    position: Mapped[int] = mapped_column(default=0)

    mentorship: Mapped[Mentorship] = relationship(back_populates="members", lazy="raise")
    participant: Mapped[Participant] = relationship(
        primaryjoin=lambda: and_(
            MentorshipMember.school_id == Participant.school_id,
            MentorshipMember.participant_id == Participant.id,
        ),
        foreign_keys=lambda: [MentorshipMember.school_id, MentorshipMember.participant_id],
        lazy="joined",
        viewonly=True,
    )


class DevelopmentPlan(SchoolOwned, TimestampMixin, Base):
    """The personalised programme (teachers) or individual development plan (pupils)."""

    __tablename__ = "development_plan"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "mentorship_id"], ["mentorship.school_id", "mentorship.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "mentorship_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    mentorship_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(300))
    goals: Mapped[str] = mapped_column(Text, default="")
    expected_results: Mapped[str] = mapped_column(Text, default="")

    mentorship: Mapped[Mentorship] = relationship(back_populates="plan", lazy="raise")
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
        order_by=lambda: [PlanItem.due_on.nulls_last(), PlanItem.position],
    )


class PlanItem(SchoolOwned, Base):
    """A task with its activity and a date: «Задача — мероприятие — срок — отметка»."""

    __tablename__ = "plan_item"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "plan_id"],
            ["development_plan.school_id", "development_plan.id"],
            ondelete="CASCADE",
        ),
        Index("ix_plan_item_school_id_plan_id", "school_id", "plan_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    plan_id: Mapped[uuid.UUID]
    task: Mapped[str] = mapped_column(Text)
    activity: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="items", lazy="raise")
