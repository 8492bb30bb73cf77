"""The region's mentor directory (база наставников региона): a projection the school side
writes for each mentor who agreed to be found by other schools.

A row holds only what the mentor agreed to share (ARCHITECTURE.md «The regional layer's
data»): name, school, position, subjects, competency areas, forms, capacity and load,
trainings. No contact details, no birth date, no pupils: pupil mentors never enter it.
Its policies let the whole region (or one municipality) read it and only the mentor's
own school write it.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    Date,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import Base, IdMixin, TimestampMixin

# Text search configuration: Russian stemming (морфология по Snowball).
TS_CONFIG = "russian"


class MentorDirectoryEntry(IdMixin, Base):
    __tablename__ = "mentor_directory_entry"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("school_id", "mentor_profile_id"),
        Index("ix_mentor_directory_entry_search", "search_document", postgresql_using="gin"),
        Index(
            "ix_mentor_directory_entry_full_name_trgm",
            "full_name",
            postgresql_using="gin",
            postgresql_ops={"full_name": "gin_trgm_ops"},
        ),
        Index("ix_mentor_directory_entry_competency_codes", "competency_codes", postgresql_using="gin"),
        Index("ix_mentor_directory_entry_subjects", "subjects", postgresql_using="gin"),
        Index("ix_mentor_directory_entry_region_id_full_name", "region_id", "full_name"),
    )

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id"), index=True)
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    mentor_profile_id: Mapped[uuid.UUID]
    participant_id: Mapped[uuid.UUID]
    academic_year: Mapped[int]
    full_name: Mapped[str] = mapped_column(String(400))
    position: Mapped[str] = mapped_column(String(200), default="")
    participant_kind: Mapped[str] = mapped_column(String(40))
    school_name: Mapped[str] = mapped_column(String(200))
    school_kind: Mapped[str] = mapped_column(String(40))
    municipality_name: Mapped[str] = mapped_column(String(200))
    subjects: Mapped[list[str]] = mapped_column(ARRAY(String(120)), default=list)
    competency_codes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    competency_titles: Mapped[list[str]] = mapped_column(ARRAY(String(300)), default=list)
    direction_titles: Mapped[list[str]] = mapped_column(ARRAY(String(300)), default=list)
    form_codes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    trainings: Mapped[list[str]] = mapped_column(ARRAY(String(400)), default=list)
    competencies_text: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int]
    # Mentees in the mentor's open pairs in all schools: their own school's pairs and the
    # agreed inter-school pairs (the mentor's school is a party to those, so it can count them).
    load: Mapped[int] = mapped_column(default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    search_document: Mapped[str] = mapped_column(
        TSVECTOR, Computed(f"to_tsvector('{TS_CONFIG}'::regconfig, search_text)", persisted=True)
    )
    synced_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class MentorDirectoryWord(Base):
    """The words of a region's cards (names aside): where a mistyped query word finds its
    spelling («матиматика» → «математика») before the full-text search runs.

    Searching the cards themselves by trigrams would compare the query with every card's
    whole text; this vocabulary is a few thousand short words per region. Names are left
    out so that nothing of a mentor stays here after their card is withdrawn (surnames are
    matched with typos on the card's own `full_name`).
    """

    __tablename__ = "mentor_directory_word"
    __table_args__ = (
        Index(
            "ix_mentor_directory_word_word_trgm",
            "word",
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), primary_key=True)
    word: Mapped[str] = mapped_column(String(60), primary_key=True)


class MentorDirectoryVersion(Base):
    """A number per region, renewed by a trigger on every write to the region's cards.

    Searches are kept per worker under it (`mentor_search.services`): a search repeated
    before any card of the region changes is served from memory, and one changed card
    makes every kept search of its region stale at once. Holds no person.
    """

    __tablename__ = "mentor_directory_version"

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class CrossSchoolPairStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


CROSS_SCHOOL_PAIR_STATUS_TITLES: dict[CrossSchoolPairStatus, str] = {
    CrossSchoolPairStatus.REQUESTED: "Запрос отправлен",
    CrossSchoolPairStatus.ACCEPTED: "Пара согласована",
    CrossSchoolPairStatus.DECLINED: "Отклонён",
    CrossSchoolPairStatus.WITHDRAWN: "Отозван",
    CrossSchoolPairStatus.COMPLETED: "Завершена",
}


class CrossSchoolPair(IdMixin, TimestampMixin, Base):
    """An inter-school pair: a mentee of school A (`mentee_school_id`) and a mentor of
    school B (`mentor_school_id`), from the request to its end.

    The row holds what each side may see of the other's person, copied when it was agreed:
    the mentor's directory card (and contact, once the pair is agreed) for A; the mentee's
    name, form and directions for B. Neither school reads the other's tables: its policy
    lets exactly the two schools read the row.
    """

    __tablename__ = "cross_school_pair"
    __table_args__ = (
        ForeignKeyConstraint(
            ["mentee_school_id", "mentee_participant_id"],
            ["participant.school_id", "participant.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["mentor_school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("mentee_school_id <> mentor_school_id", name="two_schools"),
        Index("ix_cross_school_pair_mentee", "mentee_school_id", "mentee_participant_id"),
        Index("ix_cross_school_pair_mentor", "mentor_school_id", "mentor_profile_id"),
    )

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), index=True)
    mentee_school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    mentor_school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    mentee_participant_id: Mapped[uuid.UUID]
    mentor_profile_id: Mapped[uuid.UUID]
    form_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reference_item.id"), index=True)
    status: Mapped[CrossSchoolPairStatus] = mapped_column(
        Enum(
            CrossSchoolPairStatus,
            name="cross_school_pair_status",
            values_callable=lambda e: [m.value for m in e],
        ),
        default=CrossSchoolPairStatus.REQUESTED,
    )
    # What school B sees of the mentee (the agreed fields).
    mentee_name: Mapped[str] = mapped_column(String(400))
    mentee_kind: Mapped[str] = mapped_column(String(40))
    direction_titles: Mapped[list[str]] = mapped_column(ARRAY(String(300)), default=list)
    # What school A sees of the mentor: the directory card, and the contact once agreed.
    mentor_name: Mapped[str] = mapped_column(String(400))
    mentor_position: Mapped[str] = mapped_column(String(200), default="")
    mentor_subjects: Mapped[list[str]] = mapped_column(ARRAY(String(120)), default=list)
    mentor_competency_titles: Mapped[list[str]] = mapped_column(ARRAY(String(300)), default=list)
    mentor_contact: Mapped[str] = mapped_column(String(320), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # Both of school B must accept: its curator (in the school's pages) and the mentor (in
    # their own workspace), in either order; the pair is agreed when both have.
    mentor_agreed: Mapped[bool] = mapped_column(default=False)
    curator_agreed: Mapped[bool] = mapped_column(default=False)
    mentor_answered_at: Mapped[dt.datetime | None]
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    decided_at: Mapped[dt.datetime | None]
    order_number: Mapped[str] = mapped_column(String(40), default="")


class CrossSchoolMeeting(IdMixin, Base):
    """A meeting (or feedback) of an inter-school pair, logged by either school."""

    __tablename__ = "cross_school_meeting"

    pair_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cross_school_pair.id", ondelete="CASCADE"), index=True
    )
    logged_by_school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    logged_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
