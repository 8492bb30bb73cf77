"""Logging meetings and what the curator watches: quiet pairs, pairs that never met for the
organisational meeting, meeting counts per direction (as seed 000 reports them)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.web import Form
from nastavnik.school.meetings.models import (
    MEETING_KIND_SHORT,
    PAIR_MEETING_KINDS,
    SCHOOL_MEETING_KINDS,
    Meeting,
    MeetingAttendance,
    MeetingFormat,
    MeetingKind,
)
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus, mentorship_direction
from nastavnik.school.pairs.services import list_mentorships
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items

QUIET_DAYS = 21
MEETING_FIELDS = ("kind", "held_on", "duration_minutes", "format", "topic", "notes")
MAX_MINUTES = 600


def next_kind(meetings: list[Meeting]) -> MeetingKind:
    """The meeting a pair usually has next: the first of the sequence not held yet."""
    held = {m.kind for m in meetings}
    for kind in PAIR_MEETING_KINDS[:3]:
        if kind not in held:
            return kind
    return MeetingKind.REGULAR


def _validate(form: Form, kinds: tuple[MeetingKind, ...], today: dt.date) -> dict[str, object] | None:
    kind_value = form.require("kind", "Выберите вид встречи.")
    kind = next((k for k in kinds if k.value == kind_value), None)
    if kind_value and kind is None:
        form.error("kind", "Выберите вид встречи из списка.")
    held_on: dt.date | None = None
    raw = form.require("held_on", "Укажите дату встречи.")
    if raw:
        try:
            held_on = dt.date.fromisoformat(raw)
        except ValueError:
            form.error("held_on", "Дата пишется так: 01.10.2025.")
    if held_on and held_on > today:
        form.error("held_on", "Встречу отмечают после того, как она прошла: дата не может быть в будущем.")
    minutes_raw = form.value("duration_minutes") or "45"
    minutes = int(minutes_raw) if minutes_raw.isdigit() else 0
    if not 5 <= minutes <= MAX_MINUTES:
        form.error("duration_minutes", "Продолжительность — от 5 до 600 минут.")
    format_value = form.value("format") or MeetingFormat.IN_PERSON.value
    if format_value not in {f.value for f in MeetingFormat}:
        form.error("format", "Выберите: очно или онлайн.")
    if len(form.value("topic")) > 300:
        form.error("topic", "Тема — не длиннее 300 символов.")
    if not form.ok or kind is None or held_on is None:
        return None
    return {
        "kind": kind,
        "held_on": held_on,
        "duration_minutes": minutes,
        "format": MeetingFormat(format_value),
        "topic": form.value("topic"),
        "notes": form.value("notes"),
    }


async def log_pair_meeting(
    db: AsyncSession,
    mentorship: Mentorship,
    *,
    user_id: uuid.UUID,
    form: Form,
    present: list[str],
    today: dt.date,
) -> Meeting | None:
    if mentorship.status in (MentorshipStatus.COMPLETED, MentorshipStatus.TERMINATED):
        form.error("__all__", "Пара уже не работает: встречи больше не отмечаются.")
        return None
    values = _validate(form, PAIR_MEETING_KINDS, today)
    if values is None:
        return None
    meeting = Meeting(
        school_id=mentorship.school_id,
        mentorship_id=mentorship.id,
        academic_year=mentorship.academic_year,
        recorded_by_id=user_id,
        **values,
    )
    members = {str(m.participant_id): m.participant_id for m in mentorship.members}
    # Attendance is asked for groups; in a pair both people were there.
    chosen = [members[p] for p in present if p in members] if mentorship.is_group else list(members.values())
    meeting.attendance = [
        MeetingAttendance(school_id=mentorship.school_id, participant_id=pid, present=pid in chosen)
        for pid in members.values()
    ]
    db.add(meeting)
    # The first meeting starts the pair's work.
    if mentorship.status is MentorshipStatus.FORMING:
        mentorship.status = MentorshipStatus.ACTIVE
        mentorship.started_on = mentorship.started_on or meeting.held_on
    await db.flush()
    return meeting


async def log_school_meeting(
    db: AsyncSession, school: School, *, year: int, user_id: uuid.UUID, form: Form, today: dt.date
) -> Meeting | None:
    values = _validate(form, SCHOOL_MEETING_KINDS, today)
    if values is None:
        return None
    meeting = Meeting(
        school_id=school.id, mentorship_id=None, academic_year=year, recorded_by_id=user_id, **values
    )
    db.add(meeting)
    await db.flush()
    return meeting


async def pair_meetings(db: AsyncSession, mentorship: Mentorship) -> list[Meeting]:
    query = (
        select(Meeting)
        .where(Meeting.school_id == mentorship.school_id, Meeting.mentorship_id == mentorship.id)
        .options(selectinload(Meeting.attendance))
        .order_by(Meeting.held_on.desc(), Meeting.created_at.desc())
    )
    return list((await db.execute(query)).scalars())


async def list_meetings(
    db: AsyncSession, school: School, year: int, mentorship_ids: set[uuid.UUID] | None = None
) -> list[Meeting]:
    query = select(Meeting).where(Meeting.school_id == school.id, Meeting.academic_year == year)
    if mentorship_ids is not None:
        query = query.where(Meeting.mentorship_id.in_(mentorship_ids))
    query = query.order_by(Meeting.held_on.desc(), Meeting.created_at.desc())
    return list((await db.execute(query)).scalars())


async def get_meeting(db: AsyncSession, school: School, meeting_id: str) -> Meeting | None:
    try:
        key = uuid.UUID(meeting_id)
    except ValueError:
        return None
    return await db.scalar(select(Meeting).where(Meeting.school_id == school.id, Meeting.id == key))


# --- the curator's watch ----------------------------------------------------------------------


@dataclass
class QuietPair:
    mentorship: Mentorship
    last_meeting: dt.date | None
    days: int


@dataclass
class DirectionCount:
    direction: ReferenceItem
    counts: dict[MeetingKind, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Watch:
    quiet: list[QuietPair]
    no_organisational: list[Mentorship]
    by_direction: list[DirectionCount]
    kinds: tuple[MeetingKind, ...]
    open_pairs: int
    meetings: int

    @property
    def kind_titles(self) -> list[str]:
        return [MEETING_KIND_SHORT[k] for k in self.kinds]


async def watch(db: AsyncSession, school: School, year: int, today: dt.date) -> Watch:
    pairs = [
        m
        for m in await list_mentorships(db, school, year=year)
        if m.status in (MentorshipStatus.FORMING, MentorshipStatus.ACTIVE)
    ]
    last = dict(
        (
            await db.execute(
                select(Meeting.mentorship_id, func.max(Meeting.held_on))
                .where(Meeting.school_id == school.id, Meeting.mentorship_id.is_not(None))
                .group_by(Meeting.mentorship_id)
            )
        ).all()
    )
    organised = set(
        (
            await db.execute(
                select(Meeting.mentorship_id).where(
                    Meeting.school_id == school.id, Meeting.kind == MeetingKind.ORGANISATIONAL
                )
            )
        ).scalars()
    )
    quiet = []
    for m in pairs:
        since = last.get(m.id) or m.started_on
        if since is None:
            continue
        days = (today - since).days
        if days >= QUIET_DAYS:
            quiet.append(QuietPair(m, last.get(m.id), days))
    quiet.sort(key=lambda q: -q.days)
    # Meetings counted per direction of their pair, the way seed 000 reports them.
    rows = (
        await db.execute(
            select(mentorship_direction.c.reference_item_id, Meeting.kind, func.count())
            .join(
                Meeting,
                (Meeting.school_id == mentorship_direction.c.school_id)
                & (Meeting.mentorship_id == mentorship_direction.c.mentorship_id),
            )
            .where(Meeting.school_id == school.id, Meeting.academic_year == year)
            .group_by(mentorship_direction.c.reference_item_id, Meeting.kind)
        )
    ).all()
    counts: dict[uuid.UUID, dict[MeetingKind, int]] = defaultdict(lambda: defaultdict(int))
    for direction_id, kind, n in rows:
        counts[direction_id][kind] += int(n)
    by_direction = [
        DirectionCount(item, {k: counts[item.id].get(k, 0) for k in PAIR_MEETING_KINDS})
        for item in await reference_items(db, ReferenceKind.DIRECTION)
    ]
    meetings_count = await db.scalar(
        select(func.count()).where(Meeting.school_id == school.id, Meeting.academic_year == year)
    )
    return Watch(
        quiet=quiet,
        no_organisational=[m for m in pairs if m.id not in organised],
        by_direction=by_direction,
        kinds=PAIR_MEETING_KINDS,
        open_pairs=len(pairs),
        meetings=int(meetings_count or 0),
    )


async def current_watch(db: AsyncSession, school: School) -> Watch:
    """The watch for this academic year, as the school's home page shows it."""
    from nastavnik.platform.academic_year import AcademicYear
    from nastavnik.school.participants.models import local_today

    today = local_today()
    return await watch(db, school, AcademicYear.current(today).start, today)
