"""Rollups of the regional layer: counts per school and academic year, never a person.

The school side writes them (`rollup.refresh_school`, under the school's `app.school_id`);
regional roles read them through policies on `app.region_id` / `app.municipality_id`
(an empty municipality is the whole region). `region_id` and `municipality_id` are copied
from the school so that the policies need no join.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Date, Enum, ForeignKey, Index, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import Base, new_id

# Marks tables keyed by school that are not school-owned: readable by regional scopes.
REGIONAL_ROLLUP = "regional_rollup"


class Dimension(enum.StrEnum):
    FORM = "form"  # pairs and groups by form of mentoring (key: reference item id)
    DIRECTION = "direction"  # pairs and groups by direction (key: reference item id)
    ROADMAP_MONTH = "roadmap_month"  # roadmap rows due per month (key: «YYYY-MM»)


class RegionalSchoolYear(Base):
    """One school's figures for one academic year."""

    __tablename__ = "regional_school_year"
    __table_args__ = (
        Index("ix_regional_school_year_region_year", "region_id", "academic_year"),
        Index("ix_regional_school_year_municipality_year", "municipality_id", "academic_year"),
        {"info": {REGIONAL_ROLLUP: True}},
    )

    school_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )
    academic_year: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the (…, academic_year) indexes above, which lead with them.
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id"))
    has_programme: Mapped[bool] = mapped_column(default=False)
    programme_approved: Mapped[bool] = mapped_column(default=False)
    # The contingent the curator entered; NULL when there is none for the year.
    pupils: Mapped[int | None]
    pupils_10_19: Mapped[int | None]
    teachers: Mapped[int | None]
    young_teachers: Mapped[int | None]
    # Mentees who did not withdraw, counted as the school's programme figures count them.
    mentee_pupils: Mapped[int] = mapped_column(default=0)
    mentee_pupils_10_19: Mapped[int] = mapped_column(default=0)
    mentee_teachers: Mapped[int] = mapped_column(default=0)
    mentee_young_teachers: Mapped[int] = mapped_column(default=0)
    mentors: Mapped[int] = mapped_column(default=0)
    # Mentorships not terminated: pairs (one mentee) and groups.
    pairs: Mapped[int] = mapped_column(default=0)
    groups: Mapped[int] = mapped_column(default=0)
    mentorships_active: Mapped[int] = mapped_column(default=0)
    mentorships_completed: Mapped[int] = mapped_column(default=0)
    mentorships_terminated: Mapped[int] = mapped_column(default=0)
    meetings: Mapped[int] = mapped_column(default=0)
    # Open pairs without a meeting for 21 days (since the last one, or since the start).
    quiet_pairs: Mapped[int] = mapped_column(default=0)
    roadmap_rows: Mapped[int] = mapped_column(default=0)
    roadmap_done: Mapped[int] = mapped_column(default=0)
    roadmap_overdue: Mapped[int] = mapped_column(default=0)
    # Monitoring questionnaires of the year (school.monitoring.monitoring_figures): people
    # who answered, invitations and answers, the sum of the final satisfaction scores (1-10)
    # and their number, the impact parameters' before/after sums over the people measured
    # twice (weighted by people), and active pairs without monthly feedback.
    surveyed: Mapped[int] = mapped_column(default=0, server_default="0")
    survey_invited: Mapped[int] = mapped_column(default=0, server_default="0")
    survey_answered: Mapped[int] = mapped_column(default=0, server_default="0")
    satisfaction_answers: Mapped[int] = mapped_column(default=0, server_default="0")
    satisfaction_sum: Mapped[float] = mapped_column(default=0.0, server_default="0")
    impact_people: Mapped[int] = mapped_column(default=0, server_default="0")
    impact_before_sum: Mapped[float] = mapped_column(default=0.0, server_default="0")
    impact_after_sum: Mapped[float] = mapped_column(default=0.0, server_default="0")
    pairs_without_feedback: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the figures were counted («данные на HH:MM»); overdue and quiet are as of then.
    refreshed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class RegionalBreakdown(Base):
    """Counts of one school's year split by a dimension (form, direction, month)."""

    __tablename__ = "regional_breakdown"
    __table_args__ = (
        Index("ix_regional_breakdown_region_year", "region_id", "academic_year", "dimension"),
        Index("ix_regional_breakdown_municipality_year", "municipality_id", "academic_year", "dimension"),
        {"info": {REGIONAL_ROLLUP: True}},
    )

    school_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )
    academic_year: Mapped[int] = mapped_column(primary_key=True)
    dimension: Mapped[Dimension] = mapped_column(
        Enum(Dimension, name="regional_dimension", values_callable=lambda e: [m.value for m in e]),
        primary_key=True,
    )
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    # Indexed by the (…, academic_year) indexes above, which lead with them.
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id"))
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)


class RegionalTarget(Base):
    """The region's own coverage target, beside the federal 70 %."""

    __tablename__ = "regional_target"

    region_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True
    )
    coverage_percent: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class ReportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RegionalReport(Base):
    """A regional report for the ministry, built by a background job in three formats."""

    __tablename__ = "regional_report"
    __table_args__ = (Index("ix_regional_report_region_id_created_at", "region_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    academic_year: Mapped[int]
    report_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[ReportStatus] = mapped_column(
        Enum(ReportStatus, name="regional_report_status", values_callable=lambda e: [m.value for m in e]),
        default=ReportStatus.QUEUED,
    )
    progress: Mapped[int] = mapped_column(default=0)  # percent
    # When the rollups the report was built from were counted («данные на …»).
    data_as_of: Mapped[dt.datetime | None]
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    docx: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    finished_at: Mapped[dt.datetime | None]
