"""Meetings of pairs and groups, and school-level meetings (group meeting before matching,
final ceremony), with attendance."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Date, Enum, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.platform.db import SCHOOL_OWNED, Base, SchoolOwned, TimestampMixin


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class MeetingKind(enum.StrEnum):
    ORGANISATIONAL = "organisational"
    TRIAL = "trial"
    PLANNING = "planning"
    REGULAR = "regular"
    FINAL = "final"
    # School-level meetings.
    GROUP_MEETING = "group_meeting"
    FINAL_CEREMONY = "final_ceremony"


# In the order a pair goes through them (seeds 000, 003).
PAIR_MEETING_KINDS = (
    MeetingKind.ORGANISATIONAL,
    MeetingKind.TRIAL,
    MeetingKind.PLANNING,
    MeetingKind.REGULAR,
    MeetingKind.FINAL,
)
SCHOOL_MEETING_KINDS = (MeetingKind.GROUP_MEETING, MeetingKind.FINAL_CEREMONY)

MEETING_KIND_TITLES: dict[MeetingKind, str] = {
    MeetingKind.ORGANISATIONAL: "Первая (организационная)",
    MeetingKind.TRIAL: "Вторая (пробная рабочая)",
    MeetingKind.PLANNING: "Встреча-планирование",
    MeetingKind.REGULAR: "Регулярная",
    MeetingKind.FINAL: "Заключительная",
    MeetingKind.GROUP_MEETING: "Групповая встреча наставников и наставляемых",
    MeetingKind.FINAL_CEREMONY: "Итоговое мероприятие",
}


# Column headings of the per-direction counts (seed 000 reports them by meeting).
MEETING_KIND_SHORT: dict[MeetingKind, str] = {
    MeetingKind.ORGANISATIONAL: "Организационные",
    MeetingKind.TRIAL: "Пробные рабочие",
    MeetingKind.PLANNING: "Планирование",
    MeetingKind.REGULAR: "Регулярные",
    MeetingKind.FINAL: "Заключительные",
    MeetingKind.GROUP_MEETING: "Групповые",
    MeetingKind.FINAL_CEREMONY: "Итоговые",
}


class MeetingFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


MEETING_FORMAT_TITLES: dict[MeetingFormat, str] = {
    MeetingFormat.IN_PERSON: "Очно",
    MeetingFormat.ONLINE: "Онлайн",
}


class Meeting(SchoolOwned, TimestampMixin, Base):
    """A meeting of a pair or group (`mentorship_id` set) or of the whole school programme."""

    __tablename__ = "meeting"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        ForeignKeyConstraint(
            ["school_id", "mentorship_id"], ["mentorship.school_id", "mentorship.id"], ondelete="CASCADE"
        ),
        Index("ix_meeting_school_id_mentorship_id_held_on", "school_id", "mentorship_id", "held_on"),
        Index("ix_meeting_school_id_academic_year", "school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    mentorship_id: Mapped[uuid.UUID | None]
    academic_year: Mapped[int]
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(default=45)
    format: Mapped[MeetingFormat] = mapped_column(
        _enum(MeetingFormat, "meeting_format"), default=MeetingFormat.IN_PERSON
    )
    topic: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)

    attendance: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    @property
    def kind_title(self) -> str:
        return MEETING_KIND_TITLES[self.kind]

    @property
    def format_title(self) -> str:
        return MEETING_FORMAT_TITLES[self.format]


class MeetingAttendance(SchoolOwned, Base):
    """Who of a group (or of the school's participants) was at a meeting."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "meeting_id"], ["meeting.school_id", "meeting.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "participant_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "meeting_id", "participant_id"),
        Index("ix_meeting_attendance_school_id_participant_id", "school_id", "participant_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    meeting_id: Mapped[uuid.UUID]
    participant_id: Mapped[uuid.UUID]
    present: Mapped[bool] = mapped_column(default=True)

    meeting: Mapped[Meeting] = relationship(back_populates="attendance", lazy="raise")
