"""Logging meetings and what the curator watches: quiet pairs, pairs that never met for the
organisational meeting, meeting counts per direction (as seed 000 reports them)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Integer, exists, func, literal, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.ui.pagination import Window, page_of
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
from nastavnik.school.monitoring import services as monitoring
from nastavnik.school.pairs.models import Mentorship, MentorshipMember, MentorshipStatus, mentorship_direction
from nastavnik.school.pairs.services import OPEN_STATUSES, mentorships_by_id
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


MAX_NOTES = 4000


def _validate(
    form: Form, kinds: tuple[MeetingKind, ...], today: dt.date, year: AcademicYear
) -> dict[str, object] | None:
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
    elif held_on and not year.contains(held_on):
        # Past years are entered after the fact; a date outside the year is a typo.
        form.error("held_on", year.outside_message())
    minutes_raw = form.value("duration_minutes") or "45"
    minutes = int(minutes_raw) if minutes_raw.isdigit() else 0
    if not 5 <= minutes <= MAX_MINUTES:
        form.error("duration_minutes", "Продолжительность — от 5 до 600 минут.")
    format_value = form.value("format") or MeetingFormat.IN_PERSON.value
    if format_value not in {f.value for f in MeetingFormat}:
        form.error("format", "Выберите: очно или онлайн.")
    if len(form.value("topic")) > 300:
        form.error("topic", "Тема — не длиннее 300 символов.")
    if len(form.value("notes")) > MAX_NOTES:
        form.error("notes", f"Итоги — не длиннее {MAX_NOTES} символов; сейчас {len(form.value('notes'))}.")
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
    values = _validate(form, PAIR_MEETING_KINDS, today, AcademicYear(mentorship.academic_year))
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
    values = _validate(form, SCHOOL_MEETING_KINDS, today, AcademicYear(year))
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


async def meetings_page(
    db: AsyncSession,
    school: School,
    year: int,
    *,
    participant_ids: set[uuid.UUID] | None = None,
    page: int = 1,
) -> tuple[list[Meeting], Window, dict[uuid.UUID, Mentorship]]:
    """One page of the year's pair meetings (a mentor's own pairs' only), newest first, with
    the page's pairs loaded for their titles."""
    query = (
        select(Meeting)
        .where(
            Meeting.school_id == school.id,
            Meeting.academic_year == year,
            Meeting.mentorship_id.is_not(None),
        )
        .order_by(Meeting.held_on.desc(), Meeting.created_at.desc(), Meeting.id)
    )
    if participant_ids is not None:
        own = select(MentorshipMember.mentorship_id).where(
            MentorshipMember.school_id == school.id, MentorshipMember.participant_id.in_(participant_ids)
        )
        query = query.where(Meeting.mentorship_id.in_(own))
    meetings, window = await page_of(db, query, page)
    pairs = await mentorships_by_id(db, school, {m.mentorship_id for m in meetings if m.mentorship_id})
    return list(meetings), window, pairs


SCHOOL_MEETINGS_SHOWN = 20


async def school_meetings(db: AsyncSession, school: School, year: int) -> tuple[list[Meeting], int]:
    """The latest school-level meetings of the year (group meetings, ceremonies) and how many there are."""
    query = (
        select(Meeting, func.count().over())
        .where(Meeting.school_id == school.id, Meeting.academic_year == year, Meeting.mentorship_id.is_(None))
        .order_by(Meeting.held_on.desc(), Meeting.created_at.desc())
        .limit(SCHOOL_MEETINGS_SHOWN)
    )
    rows = (await db.execute(query)).all()
    return [m for m, _ in rows], int(rows[0][1]) if rows else 0


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


# How many quiet pairs and pairs without the first meeting the watch names; the rest are counted.
WATCH_SHOWN = 10


@dataclass
class Watch:
    quiet: list[QuietPair]
    no_organisational: list[Mentorship]
    by_direction: list[DirectionCount]
    kinds: tuple[MeetingKind, ...]
    open_pairs: int
    meetings: int
    quiet_total: int = 0
    no_organisational_total: int = 0
    # No monthly feedback for five weeks (the monitoring's regularity of feedback).
    no_feedback: list[tuple[Mentorship, dt.datetime | None]] = field(default_factory=list)
    no_feedback_total: int = 0

    @property
    def kind_titles(self) -> list[str]:
        return [MEETING_KIND_SHORT[k] for k in self.kinds]

    @property
    def quiet_more(self) -> int:
        return max(0, self.quiet_total - len(self.quiet))

    @property
    def no_organisational_more(self) -> int:
        return max(0, self.no_organisational_total - len(self.no_organisational))

    @property
    def no_feedback_more(self) -> int:
        return max(0, self.no_feedback_total - len(self.no_feedback))


async def watch(db: AsyncSession, school: School, year: int, today: dt.date) -> Watch:
    """The curator's watch, every figure counted in PostgreSQL and every list bounded.

    Open pairs (forming or active) of the year: those without a meeting for three weeks
    (since their last meeting, or since the start when they never met), the longest quiet
    first; those that never had the organisational meeting; active pairs without monthly
    feedback for five weeks; meetings per direction.
    """
    open_pair = (
        Mentorship.school_id == school.id,
        Mentorship.academic_year == year,
        Mentorship.status.in_(OPEN_STATUSES),
    )
    last_meeting = (
        select(func.max(Meeting.held_on))
        .where(Meeting.school_id == Mentorship.school_id, Meeting.mentorship_id == Mentorship.id)
        .correlate(Mentorship)
        .scalar_subquery()
    )
    since = func.coalesce(last_meeting, Mentorship.started_on)
    quiet_days = type_coerce(literal(today) - since, Integer).label("days")
    quiet_rows = (
        await db.execute(
            select(Mentorship.id, last_meeting.label("last"), quiet_days, func.count().over())
            .where(*open_pair, since <= today - dt.timedelta(days=QUIET_DAYS))
            .order_by(quiet_days.desc(), Mentorship.number)
            .limit(WATCH_SHOWN)
        )
    ).all()
    organised = exists().where(
        Meeting.school_id == Mentorship.school_id,
        Meeting.mentorship_id == Mentorship.id,
        Meeting.kind == MeetingKind.ORGANISATIONAL,
    )
    unorganised_rows = (
        await db.execute(
            select(Mentorship.id, func.count().over())
            .where(*open_pair, ~organised)
            .order_by(Mentorship.number)
            .limit(WATCH_SHOWN)
        )
    ).all()
    silent, silent_total = await monitoring.feedback_watch(db, school, year, today, limit=WATCH_SHOWN)
    named = await mentorships_by_id(
        db,
        school,
        [r[0] for r in quiet_rows] + [r[0] for r in unorganised_rows] + [pair_id for pair_id, _ in silent],
    )
    figures = (
        await db.execute(
            select(
                select(func.count()).where(*open_pair).scalar_subquery(),
                select(func.count())
                .where(Meeting.school_id == school.id, Meeting.academic_year == year)
                .scalar_subquery(),
            )
        )
    ).one()
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
    return Watch(
        quiet=[QuietPair(named[key], last, int(days)) for key, last, days, _ in quiet_rows],
        no_organisational=[named[key] for key, _ in unorganised_rows],
        by_direction=by_direction,
        kinds=PAIR_MEETING_KINDS,
        open_pairs=int(figures[0] or 0),
        meetings=int(figures[1] or 0),
        quiet_total=int(quiet_rows[0][-1]) if quiet_rows else 0,
        no_organisational_total=int(unorganised_rows[0][-1]) if unorganised_rows else 0,
        no_feedback=[(named[pair_id], last) for pair_id, last in silent],
        no_feedback_total=silent_total,
    )


async def current_watch(db: AsyncSession, school: School) -> Watch:
    """The watch for this academic year, as the school's home page shows it."""
    from nastavnik.school.participants.models import local_today

    today = local_today()
    return await watch(db, school, AcademicYear.current(today).start, today)
