"""Completing the year (stage 7): pairs' results, cases, contests, incentives, the public page.

Everything here is school-owned (`(school_id, id)` keys, FORCEd row-level security) except
the public page's published snapshot (`public_page`, `public_page_document`): a copy of
what the curator chose to publish — counts, consented mentors with the fields they chose,
published cases — that anonymous visitors read without any school scope being opened.
"""

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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import SCHOOL_OWNED, Base, IdMixin, SchoolOwned, TimestampMixin


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


# --- results of pairs -------------------------------------------------------------------


class PairOutcome(enum.StrEnum):
    COMPLETED = "completed"
    TERMINATED = "terminated"


OUTCOME_TITLES: dict[PairOutcome, str] = {
    PairOutcome.COMPLETED: "Завершена: программа выполнена",
    PairOutcome.TERMINATED: "Прекращена досрочно",
}


class GoalsMet(enum.StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


GOALS_MET_TITLES: dict[GoalsMet, str] = {
    GoalsMet.MET: "Цели плана достигнуты",
    GoalsMet.PARTLY: "Цели достигнуты частично",
    GoalsMet.NOT_MET: "Цели не достигнуты",
}


class PairResult(SchoolOwned, TimestampMixin, Base):
    """How a pair or group ended: the final meeting, results against the plan's goals."""

    __tablename__ = "pair_result"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "mentorship_id"], ["mentorship.school_id", "mentorship.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "final_meeting_id"], ["meeting.school_id", "meeting.id"], ondelete="SET NULL"
        ),
        ForeignKeyConstraint(
            ["school_id", "continued_as_id"], ["mentorship.school_id", "mentorship.id"], ondelete="SET NULL"
        ),
        UniqueConstraint("school_id", "mentorship_id"),
        Index("ix_pair_result_school_id_final_meeting_id", "school_id", "final_meeting_id"),
        Index("ix_pair_result_school_id_continued_as_id", "school_id", "continued_as_id"),
        Index("ix_pair_result_school_id_academic_year", "school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    mentorship_id: Mapped[uuid.UUID]
    academic_year: Mapped[int]
    final_meeting_id: Mapped[uuid.UUID | None]
    outcome: Mapped[PairOutcome] = mapped_column(_enum(PairOutcome, "pair_outcome"))
    goals_met: Mapped[GoalsMet] = mapped_column(_enum(GoalsMet, "pair_goals_met"))
    # What came of it, written against the plan's goals; for a terminated pair, the reason.
    results: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # The plan's tasks done of all, counted when the result was recorded.
    plan_items_done: Mapped[int] = mapped_column(default=0)
    plan_items_total: Mapped[int] = mapped_column(default=0)
    # Offered as a mentor candidate next year («долгосрочная база наставников»).
    mentee_successful: Mapped[bool] = mapped_column(default=False)
    # The pair goes on next year and moves there with its history.
    continues: Mapped[bool] = mapped_column(default=False)
    # The next year's pair this one goes on as, once the next year is started.
    continued_as_id: Mapped[uuid.UUID | None]
    ended_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)

    @property
    def outcome_title(self) -> str:
        return OUTCOME_TITLES[self.outcome]

    @property
    def goals_title(self) -> str:
        return GOALS_MET_TITLES[self.goals_met]


# --- cases and best practices («методическая копилка») -----------------------------------


class SchoolCase(SchoolOwned, TimestampMixin, Base):
    """A case written from a completed pair or group: problem, what was done, result."""

    __tablename__ = "school_cases"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "mentorship_id"], ["mentorship.school_id", "mentorship.id"], ondelete="SET NULL"
        ),
        ForeignKeyConstraint(
            ["school_id", "quote_author_id"], ["participant.school_id", "participant.id"], ondelete="SET NULL"
        ),
        Index("ix_school_cases_school_id_mentorship_id", "school_id", "mentorship_id"),
        Index("ix_school_cases_school_id_quote_author_id", "school_id", "quote_author_id"),
        Index("ix_school_cases_school_id_academic_year", "school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    mentorship_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(300))
    problem: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    form_title: Mapped[str] = mapped_column(String(300), default="")
    direction_titles: Mapped[list[str]] = mapped_column(ARRAY(String(300)), default=list)
    # A participant's words, shown only while the author's consent to publication is valid.
    quote: Mapped[str] = mapped_column(Text, default="")
    quote_author_id: Mapped[uuid.UUID | None]
    best_practice: Mapped[bool] = mapped_column(default=False)
    # Shown on the school's public page «Наставничество».
    published: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class SchoolCasePhoto(SchoolOwned, Base):
    """A photo of a case; stored only with the consent of the people on it confirmed."""

    __tablename__ = "school_case_photo"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "case_id"], ["school_cases.school_id", "school_cases.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "person_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        Index("ix_school_case_photo_school_id_case_id", "school_id", "case_id"),
        Index("ix_school_case_photo_school_id_person_id", "school_id", "person_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    case_id: Mapped[uuid.UUID]
    # The participant on the photo, when there is one: their publication consent is checked.
    person_id: Mapped[uuid.UUID | None]
    caption: Mapped[str] = mapped_column(String(300), default="")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    consent_confirmed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=lambda: dt.datetime.now(dt.UTC))


# --- recognition: contests and the incentives register ----------------------------------------


class ContestKind(enum.StrEnum):
    MENTOR_OF_YEAR = "mentor_of_year"
    BEST_PAIR = "best_pair"


CONTEST_KIND_TITLES: dict[ContestKind, str] = {
    ContestKind.MENTOR_OF_YEAR: "Наставник года",
    ContestKind.BEST_PAIR: "Лучшая пара «Наставник+»",
}


class DecisionMode(enum.StrEnum):
    JURY = "jury"
    CURATOR = "curator"


DECISION_TITLES: dict[DecisionMode, str] = {
    DecisionMode.JURY: "Голосование жюри",
    DecisionMode.CURATOR: "Решение куратора",
}


class SchoolContest(SchoolOwned, TimestampMixin, Base):
    __tablename__ = "school_contest"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        Index("ix_school_contest_school_id_academic_year", "school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    kind: Mapped[ContestKind] = mapped_column(_enum(ContestKind, "contest_kind"))
    title: Mapped[str] = mapped_column(String(300))
    decision_mode: Mapped[DecisionMode] = mapped_column(_enum(DecisionMode, "contest_decision_mode"))
    held_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)

    @property
    def kind_title(self) -> str:
        return CONTEST_KIND_TITLES[self.kind]

    @property
    def decision_title(self) -> str:
        return DECISION_TITLES[self.decision_mode]


class ContestNomination(SchoolOwned, Base):
    __tablename__ = "contest_nomination"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "contest_id"], ["school_contest.school_id", "school_contest.id"], ondelete="CASCADE"
        ),
        Index("ix_contest_nomination_school_id_contest_id", "school_id", "contest_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    contest_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)


class ContestNominee(SchoolOwned, Base):
    """A mentor (or a pair, for «Лучшая пара») put forward in a nomination."""

    __tablename__ = "contest_nominee"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "nomination_id"],
            ["contest_nomination.school_id", "contest_nomination.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["school_id", "participant_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "mentorship_id"], ["mentorship.school_id", "mentorship.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "nomination_id", "participant_id", "mentorship_id"),
        Index("ix_contest_nominee_school_id_participant_id", "school_id", "participant_id"),
        Index("ix_contest_nominee_school_id_mentorship_id", "school_id", "mentorship_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    nomination_id: Mapped[uuid.UUID]
    # The mentor; for a pair, its mentor (the pair's mentees are named through the pair).
    participant_id: Mapped[uuid.UUID]
    mentorship_id: Mapped[uuid.UUID | None]
    label: Mapped[str] = mapped_column(String(400))
    winner: Mapped[bool] = mapped_column(default=False)


class ContestVote(SchoolOwned, Base):
    """One jury member's vote in a nomination."""

    __tablename__ = "contest_vote"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "nominee_id"],
            ["contest_nominee.school_id", "contest_nominee.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["school_id", "nomination_id"],
            ["contest_nomination.school_id", "contest_nomination.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("school_id", "nomination_id", "voter_id"),
        Index("ix_contest_vote_school_id_nominee_id", "school_id", "nominee_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    nomination_id: Mapped[uuid.UUID]
    nominee_id: Mapped[uuid.UUID]
    voter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)


class IncentiveKind(enum.StrEnum):
    CERTIFICATE = "certificate"
    GRATITUDE = "gratitude"
    REGIONAL_NOMINATION = "regional_nomination"
    ATTESTATION_RECORD = "attestation_record"


INCENTIVE_KIND_TITLES: dict[IncentiveKind, str] = {
    IncentiveKind.CERTIFICATE: "Грамота «Лучший наставник»",
    IncentiveKind.GRATITUDE: "Благодарственное письмо",
    IncentiveKind.REGIONAL_NOMINATION: "Выдвижение на региональный конкурс",
    IncentiveKind.ATTESTATION_RECORD: "Учёт при аттестации",
}
# The kinds printed as a letter or a certificate, one page each.
PRINTED_KINDS = (IncentiveKind.CERTIFICATE, IncentiveKind.GRATITUDE)


class RecipientKind(enum.StrEnum):
    PARTICIPANT = "participant"
    PARENT = "parent"  # a parent of a pupil-mentor
    PARTNER = "partner"  # a partner organisation


RECIPIENT_TITLES: dict[RecipientKind, str] = {
    RecipientKind.PARTICIPANT: "Участник программы",
    RecipientKind.PARENT: "Родитель наставника-обучающегося",
    RecipientKind.PARTNER: "Организация-партнёр",
}


class Incentive(SchoolOwned, TimestampMixin, Base):
    """One entry of the incentives register: who, what, for what, in which year."""

    __tablename__ = "incentive"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "participant_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["school_id", "partner_id"],
            ["partner_organization.school_id", "partner_organization.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["school_id", "nominee_id"],
            ["contest_nominee.school_id", "contest_nominee.id"],
            ondelete="SET NULL",
        ),
        Index("ix_incentive_school_id_academic_year", "school_id", "academic_year"),
        Index("ix_incentive_school_id_participant_id", "school_id", "participant_id"),
        Index("ix_incentive_school_id_partner_id", "school_id", "partner_id"),
        Index("ix_incentive_school_id_nominee_id", "school_id", "nominee_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    kind: Mapped[IncentiveKind] = mapped_column(_enum(IncentiveKind, "incentive_kind"))
    recipient: Mapped[RecipientKind] = mapped_column(_enum(RecipientKind, "incentive_recipient"))
    participant_id: Mapped[uuid.UUID | None]
    partner_id: Mapped[uuid.UUID | None]
    nominee_id: Mapped[uuid.UUID | None]
    # The parent's full name (nominative), for a letter to the parents of a pupil-mentor.
    parent_name: Mapped[str] = mapped_column(String(300), default="")
    # «за активное участие в программе наставничества …»: printed after the name.
    wording: Mapped[str] = mapped_column(Text, default="")
    issued_on: Mapped[dt.date] = mapped_column(Date)

    @property
    def kind_title(self) -> str:
        return INCENTIVE_KIND_TITLES[self.kind]

    @property
    def recipient_title(self) -> str:
        return RECIPIENT_TITLES[self.recipient]


# --- publication choices of a mentor («Наши наставники») -------------------------------------


class MentorPublication(SchoolOwned, TimestampMixin, Base):
    """What a mentor agreed to show on the school's public page, beside the written consent
    to publication (`ConsentScope.PUBLICATION`) that must also be valid."""

    __tablename__ = "mentor_publication"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "participant_id"], ["participant.school_id", "participant.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "participant_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    participant_id: Mapped[uuid.UUID]
    agreed: Mapped[bool] = mapped_column(default=False)
    show_position: Mapped[bool] = mapped_column(default=True)
    show_subjects: Mapped[bool] = mapped_column(default=True)
    show_experience: Mapped[bool] = mapped_column(default=False)
    show_results: Mapped[bool] = mapped_column(default=False)
    # A sentence of the mentor's own, shown under the name.
    statement: Mapped[str] = mapped_column(Text, default="")


# --- a closed year, frozen --------------------------------------------------------------------


class YearRecord(SchoolOwned, TimestampMixin, Base):
    """The figures of a closed year as they were on closing; the year's pages read these."""

    __tablename__ = "year_record"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        UniqueConstraint("school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    closed_on: Mapped[dt.date] = mapped_column(Date)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class YearDocument(SchoolOwned, Base):
    """A document of a closed year as it was issued (PDF), kept unchanged."""

    __tablename__ = "year_document"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        Index("ix_year_document_school_id_academic_year", "school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    academic_year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=lambda: dt.datetime.now(dt.UTC))


# --- the public page: a published snapshot, readable without a school scope -------------------


class PublicPage(IdMixin, Base):
    """What the page «Наставничество» shows, copied when the curator publishes it.

    Not school-owned on purpose: anonymous visitors read it with no `app.school_id`. Its
    policy lets anyone read a published row and only the school write its own; nothing
    but vetted, consented content is ever written here.
    """

    __tablename__ = "public_page"
    __table_args__ = (UniqueConstraint("school_id"),)

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    school_code: Mapped[str] = mapped_column(String(40), unique=True)
    published: Mapped[bool] = mapped_column(default=False)
    # Bumped on every publication: the ETag, and the key of the rendered page in the cache.
    version: Mapped[int] = mapped_column(default=0)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    published_at: Mapped[dt.datetime | None]


class PublicPageDocument(IdMixin, Base):
    """A file of the published page: a programme document (order, положение, roadmap) in
    PDF, or a consented photo of a published case."""

    __tablename__ = "public_page_document"

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("public_page.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    position: Mapped[int] = mapped_column(default=0)
