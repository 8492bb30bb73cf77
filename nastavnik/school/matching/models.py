"""Matching rounds and what feeds them: the proposal table, exclusions, per-school weights,
the psychologist's "incompatible" marks and preferences stated after the group meeting."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import Date, Enum, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.platform.db import SCHOOL_OWNED, Base, SchoolOwned, TimestampMixin
from nastavnik.school.matching.solver import Mode
from nastavnik.tenants.reference import ReferenceItem


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"  # the proposal is being worked on
    APPROVED = "approved"  # pairs and groups were created
    CANCELLED = "cancelled"


ROUND_STATUS_TITLES: dict[RoundStatus, str] = {
    RoundStatus.DRAFT: "Черновик",
    RoundStatus.APPROVED: "Утверждён",
    RoundStatus.CANCELLED: "Отменён",
}


class PreferenceSide(enum.StrEnum):
    MENTEE = "mentee"  # a mentee names a mentor they would like
    MENTOR = "mentor"  # a mentor names a mentee they would like


class MatchingSettings(SchoolOwned, TimestampMixin, Base):
    """A school's weights of the compatibility score (defaults in `scoring.Weights`)."""

    __tablename__ = "matching_settings"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        UniqueConstraint("school_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    weights: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class MatchingRound(SchoolOwned, TimestampMixin, Base):
    """One matching of a programme year's pool for one form of mentoring."""

    __tablename__ = "matching_round"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        Index("ix_matching_round_school_id_academic_year", "school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    form_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reference_item.id"), index=True)
    mode: Mapped[Mode] = mapped_column(_enum(Mode, "matching_mode"))
    status: Mapped[RoundStatus] = mapped_column(
        _enum(RoundStatus, "matching_round_status"), default=RoundStatus.DRAFT
    )
    # The weights the round was scored with, so a later change of settings does not
    # silently change an approved proposal.
    weights: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Figures of the last run: covered, total, seconds, arcs, pool sizes.
    stats: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    ran_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    approved_at: Mapped[dt.datetime | None]
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    # The order «Об утверждении наставнических пар/групп» issued on approval.
    order_number: Mapped[str] = mapped_column(String(40), default="")
    order_date: Mapped[dt.date | None] = mapped_column(Date)
    # Corrections of the order's number or date after approval, oldest first: {"on", "by",
    # "number", "date" (the values replaced), "reason"}. The documents are built from the
    # current values, so every download after a correction carries it.
    order_corrections: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")

    form: Mapped[ReferenceItem] = relationship(lazy="joined")


class MatchingProposal(SchoolOwned, Base):
    """One mentee's row in a round's proposal: the mentor proposed (or why none)."""

    __tablename__ = "matching_proposal"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "round_id"], ["matching_round.school_id", "matching_round.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "mentee_profile_id"],
            ["mentee_profile.school_id", "mentee_profile.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("school_id", "round_id", "mentee_profile_id"),
        Index("ix_matching_proposal_school_id_mentee_profile_id", "school_id", "mentee_profile_id"),
        Index("ix_matching_proposal_school_id_mentor_profile_id", "school_id", "mentor_profile_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    round_id: Mapped[uuid.UUID]
    mentee_profile_id: Mapped[uuid.UUID]
    mentor_profile_id: Mapped[uuid.UUID | None]
    score: Mapped[int] = mapped_column(default=0)
    # [{"text": …, "points": n, "positive": true|false|null}, …]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    locked: Mapped[bool] = mapped_column(default=False)
    # The mentor's mentees in this round become one group rather than separate pairs.
    as_group: Mapped[bool] = mapped_column(default=False)
    unmatched_reason: Mapped[str] = mapped_column(String(40), default="")
    unmatched_text: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")


class MatchingExclusion(SchoolOwned, Base):
    """A pair the curator excluded in a round; re-runs never propose it again."""

    __tablename__ = "matching_exclusion"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "round_id"], ["matching_round.school_id", "matching_round.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "mentee_profile_id"],
            ["mentee_profile.school_id", "mentee_profile.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("school_id", "round_id", "mentee_profile_id", "mentor_profile_id"),
        Index("ix_matching_exclusion_school_id_mentee_profile_id", "school_id", "mentee_profile_id"),
        Index("ix_matching_exclusion_school_id_mentor_profile_id", "school_id", "mentor_profile_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    round_id: Mapped[uuid.UUID]
    mentee_profile_id: Mapped[uuid.UUID]
    mentor_profile_id: Mapped[uuid.UUID]


class IncompatibilityMark(SchoolOwned, TimestampMixin, Base):
    """The psychologist's mark: these two people are not to be paired (a hard rule)."""

    __tablename__ = "incompatibility_mark"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "mentee_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "mentor_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "mentee_id", "mentor_id"),
        Index("ix_incompatibility_mark_school_id_mentor_id", "school_id", "mentor_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    mentee_id: Mapped[uuid.UUID]
    mentor_id: Mapped[uuid.UUID]
    note: Mapped[str] = mapped_column(Text, default="")
    marked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class MatchingPreference(SchoolOwned, TimestampMixin, Base):
    """A preference stated after the group meeting: `chooser` would like `chosen`."""

    __tablename__ = "matching_preference"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "chooser_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "chosen_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "academic_year", "side", "chooser_id", "chosen_id"),
        Index("ix_matching_preference_school_id_chooser_id", "school_id", "chooser_id"),
        Index("ix_matching_preference_school_id_chosen_id", "school_id", "chosen_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    side: Mapped[PreferenceSide] = mapped_column(_enum(PreferenceSide, "preference_side"))
    chooser_id: Mapped[uuid.UUID]
    chosen_id: Mapped[uuid.UUID]
    # Entered by the curator from a paper questionnaire, or by the person through a link.
    entered_by_link: Mapped[bool] = mapped_column(default=False)
