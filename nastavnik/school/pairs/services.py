"""Pairs and groups: creation on approval, lists, status, the development plan, and the
documents made from them (the order approving pairs, each pair's written agreement)."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql.base import ExecutableOption

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.directory import services as directory
from nastavnik.school.pairs.models import (
    STATUS_NEXT,
    STATUS_TITLES,
    DevelopmentPlan,
    MemberRole,
    Mentorship,
    MentorshipMember,
    MentorshipStatus,
    PlanItem,
)
from nastavnik.school.pairs.plans import template_for
from nastavnik.school.participants.models import MenteeProfile, MentorProfile, Participant
from nastavnik.school.participants.search import register_mentor_load
from nastavnik.tenants.models import School, StaffMember
from nastavnik.tenants.reference import ReferenceItem


class PairError(Exception):
    """An action on a pair that cannot be done, with the reason in words."""


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _options() -> list[ExecutableOption]:
    return [
        selectinload(Mentorship.members),
        selectinload(Mentorship.directions),
        selectinload(Mentorship.plan).selectinload(DevelopmentPlan.items),
    ]


async def participant_ids_of_user(db: AsyncSession, school: School, user_id: uuid.UUID) -> set[uuid.UUID]:
    """The participants a signed-in person is in this school (through their staff record)."""
    query = (
        select(Participant.id)
        .join(
            StaffMember,
            (StaffMember.school_id == Participant.school_id)
            & (StaffMember.id == Participant.staff_member_id),
        )
        .where(Participant.school_id == school.id, StaffMember.user_id == user_id)
    )
    return set((await db.execute(query)).scalars())


async def create_mentorship(
    db: AsyncSession,
    school: School,
    *,
    year: int,
    form: ReferenceItem,
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    started_on: dt.date | None,
    round_id: uuid.UUID | None = None,
) -> Mentorship:
    """A pair or group with its members, directions and a plan started from the form's template.

    Profiles must be loaded with their participant and directions.
    """
    number = (
        await db.scalar(
            select(func.coalesce(func.max(Mentorship.number), 0)).where(
                Mentorship.school_id == school.id, Mentorship.academic_year == year
            )
        )
        or 0
    ) + 1
    mentor_directions = {d.id for m in mentors for d in m.directions}
    asked: dict[uuid.UUID, ReferenceItem] = {d.id: d for p in mentees for d in p.directions}
    # The directions the pair works in: what was asked and the mentor helps with, or all asked.
    directions = [d for key, d in asked.items() if key in mentor_directions] or list(asked.values())
    mentorship = Mentorship(
        school_id=school.id,
        academic_year=year,
        form_id=form.id,
        is_group=len(mentors) + len(mentees) > 2,
        status=MentorshipStatus.FORMING,
        started_on=started_on,
        ends_on=dt.date(year + 1, 5, 31),
        round_id=round_id,
        number=number,
    )
    mentorship.directions = directions
    members = [
        MentorshipMember(
            school_id=school.id,
            participant_id=m.participant_id,
            role=MemberRole.MENTOR,
            profile_id=m.id,
            position=i,
        )
        for i, m in enumerate(mentors)
    ] + [
        MentorshipMember(
            school_id=school.id,
            participant_id=p.participant_id,
            role=MemberRole.MENTEE,
            profile_id=p.id,
            position=i,
        )
        for i, p in enumerate(mentees)
    ]
    mentorship.members = members
    template = template_for(form.code)
    start = started_on or dt.date(year, 9, 1)
    plan = DevelopmentPlan(
        school_id=school.id,
        title=template.title,
        goals=template.goals,
        expected_results=template.expected_results,
    )
    plan.items = [
        PlanItem(
            school_id=school.id, task=task, activity=activity, due_on=add_months(start, month), position=i
        )
        for i, (task, activity, month) in enumerate(template.items)
    ]
    mentorship.plan = plan
    db.add(mentorship)
    await db.flush()
    await directory.sync_mentors(db, school.id, [m.participant_id for m in mentors], year=year)
    return mentorship


async def list_mentorships(
    db: AsyncSession,
    school: School,
    *,
    year: int | None = None,
    status: MentorshipStatus | None = None,
    participant_ids: set[uuid.UUID] | None = None,
    round_id: uuid.UUID | None = None,
) -> list[Mentorship]:
    query = select(Mentorship).where(Mentorship.school_id == school.id).options(*_options())
    if year is not None:
        query = query.where(Mentorship.academic_year == year)
    if status is not None:
        query = query.where(Mentorship.status == status)
    if round_id is not None:
        query = query.where(Mentorship.round_id == round_id)
    if participant_ids is not None:
        own = select(MentorshipMember.mentorship_id).where(
            MentorshipMember.school_id == school.id, MentorshipMember.participant_id.in_(participant_ids)
        )
        query = query.where(Mentorship.id.in_(own))
    query = query.order_by(Mentorship.academic_year.desc(), Mentorship.number)
    return list((await db.execute(query)).unique().scalars())


@dataclass
class PairRow:
    """A pair on the list page with its plan's progress, counted in PostgreSQL."""

    mentorship: Mentorship
    plan_done: int
    plan_total: int

    @property
    def plan_percent(self) -> int:
        return round(self.plan_done * 100 / self.plan_total) if self.plan_total else 0


def _plan_items_count(*, done_only: bool) -> ColumnElement[int]:
    query = (
        select(func.count())
        .select_from(PlanItem)
        .join(
            DevelopmentPlan,
            (DevelopmentPlan.school_id == PlanItem.school_id) & (DevelopmentPlan.id == PlanItem.plan_id),
        )
        .where(
            DevelopmentPlan.school_id == Mentorship.school_id, DevelopmentPlan.mentorship_id == Mentorship.id
        )
    )
    if done_only:
        query = query.where(PlanItem.done.is_(True))
    return query.correlate(Mentorship).scalar_subquery()


def own_mentorships(school: School, participant_ids: set[uuid.UUID]) -> ColumnElement[bool]:
    """The pairs and groups one of these participants is a member of (a mentor's own)."""
    own = select(MentorshipMember.mentorship_id).where(
        MentorshipMember.school_id == school.id, MentorshipMember.participant_id.in_(participant_ids)
    )
    return Mentorship.id.in_(own)


async def mentorships_page(
    db: AsyncSession,
    school: School,
    *,
    year: int,
    status: MentorshipStatus | None = None,
    participant_ids: set[uuid.UUID] | None = None,
    page: int = 1,
) -> tuple[list[PairRow], Window]:
    """One page of the pairs list: the page's pairs with members and directions, plan figures in SQL."""
    query = (
        select(Mentorship, _plan_items_count(done_only=True), _plan_items_count(done_only=False))
        .where(Mentorship.school_id == school.id, Mentorship.academic_year == year)
        .options(selectinload(Mentorship.members), selectinload(Mentorship.directions))
        .order_by(Mentorship.number, Mentorship.id)
    )
    if status is not None:
        query = query.where(Mentorship.status == status)
    if participant_ids is not None:
        query = query.where(own_mentorships(school, participant_ids))
    rows, window = await page_of(db, query, page)
    return [PairRow(m, int(done or 0), int(total or 0)) for m, done, total in rows], window


async def mentorships_by_id(
    db: AsyncSession, school: School, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Mentorship]:
    """These pairs with their members (for their titles), in one query whatever their number."""
    if not ids:
        return {}
    query = (
        select(Mentorship)
        .where(Mentorship.school_id == school.id, Mentorship.id.in_(set(ids)))
        .options(selectinload(Mentorship.members))
    )
    return {m.id: m for m in (await db.execute(query)).scalars()}


async def get_mentorship(db: AsyncSession, school: School, mentorship_id: str) -> Mentorship | None:
    try:
        key = uuid.UUID(mentorship_id)
    except ValueError:
        return None
    query = (
        select(Mentorship).where(Mentorship.school_id == school.id, Mentorship.id == key).options(*_options())
    )
    return (await db.execute(query)).unique().scalar_one_or_none()


def is_member(mentorship: Mentorship, participant_ids: set[uuid.UUID]) -> bool:
    return any(m.participant_id in participant_ids for m in mentorship.members)


def is_mentor(mentorship: Mentorship, participant_ids: set[uuid.UUID]) -> bool:
    return any(m.participant_id in participant_ids for m in mentorship.mentors)


STATUS_FIELDS = ("status", "reason", "on")


def _status_date_ok(mentorship: Mentorship, form: Form, on: dt.date, today: dt.date) -> bool:
    """A pair is back-dated inside its own year (a past year entered afterwards), never in the future."""
    year = AcademicYear(mentorship.academic_year)
    if on > today:
        form.error("on", "Дата не может быть в будущем.")
    elif not year.contains(on):
        form.error("on", year.outside_message())
    elif mentorship.started_on and on < mentorship.started_on:
        form.error("on", f"Дата не раньше начала работы пары ({mentorship.started_on:%d.%m.%Y}).")
    return form.ok


async def change_status(mentorship: Mentorship, form: Form, today: dt.date) -> bool:
    value = form.require("status", "Выберите новый статус.")
    try:
        status = MentorshipStatus(value)
    except ValueError:
        form.error("status", "Выберите новый статус.")
        return False
    if status not in STATUS_NEXT[mentorship.status]:
        form.error(
            "status",
            f"Из статуса «{STATUS_TITLES[mentorship.status]}» нельзя перейти в «{STATUS_TITLES[status]}».",
        )
        return False
    reason = form.value("reason")
    if status is MentorshipStatus.TERMINATED and not reason:
        form.error("reason", "Укажите причину прекращения: она войдёт в отчёт.")
        return False
    on = today
    if form.value("on"):
        try:
            on = dt.date.fromisoformat(form.value("on"))
        except ValueError:
            form.error("on", "Дата пишется так: 01.10.2025.")
            return False
    if not _status_date_ok(mentorship, form, on, today):
        return False
    mentorship.status = status
    mentorship.status_reason = reason
    if status is MentorshipStatus.ACTIVE and mentorship.started_on is None:
        mentorship.started_on = on
    if status in (MentorshipStatus.COMPLETED, MentorshipStatus.TERMINATED):
        mentorship.ended_on = on
    return True


# --- the development plan -------------------------------------------------------------------

PLAN_TEXT_FIELDS = ("goals", "expected_results")
ITEM_FIELDS = ("task", "activity", "due_on", "done")


def save_plan_text(plan: DevelopmentPlan, field: str, form: Form) -> bool:
    if field not in PLAN_TEXT_FIELDS:
        form.error("__all__", "Этот раздел плана не редактируется.")
        return False
    text = form.value(field)
    if len(text) > 5000:
        form.error(field, "Не длиннее 5000 символов.")
        return False
    setattr(plan, field, text)
    return True


def _item_values(form: Form) -> tuple[str, str, dt.date | None] | None:
    task = form.require("task", "Опишите задачу.")
    activity = form.value("activity")
    due: dt.date | None = None
    if form.value("due_on"):
        try:
            due = dt.date.fromisoformat(form.value("due_on"))
        except ValueError:
            form.error("due_on", "Дата пишется так: 01.10.2025.")
    if len(task) > 1000 or len(activity) > 2000:
        form.error("task", "Слишком длинный текст.")
    return (task, activity, due) if form.ok else None


async def add_item(db: AsyncSession, plan: DevelopmentPlan, form: Form) -> PlanItem | None:
    values = _item_values(form)
    if values is None:
        return None
    task, activity, due = values
    item = PlanItem(
        school_id=plan.school_id,
        plan_id=plan.id,
        task=task,
        activity=activity,
        due_on=due,
        position=len(plan.items),
    )
    plan.items.append(item)
    await db.flush()
    return item


def find_item(plan: DevelopmentPlan, item_id: str) -> PlanItem | None:
    return next((i for i in plan.items if str(i.id) == item_id), None)


def update_item(item: PlanItem, form: Form) -> bool:
    values = _item_values(form)
    if values is None:
        return False
    item.task, item.activity, item.due_on = values
    item.done = form.value("done") in ("true", "on", "1")
    return True


async def remove_item(db: AsyncSession, plan: DevelopmentPlan, item: PlanItem) -> None:
    plan.items.remove(item)
    await db.delete(item)
    await db.flush()


# --- mentor load ------------------------------------------------------------------------

OPEN_STATUSES = (MentorshipStatus.FORMING, MentorshipStatus.ACTIVE)


def mentor_load_subquery() -> ColumnElement[int]:
    """Mentees a mentor profile has in forming or active pairs and groups of its year.

    A correlated scalar subquery over `MentorProfile`: the banks' «free places» filter and
    the matching pool both count a group's mentees one by one against the capacity.
    """
    mentor = aliased(MentorshipMember)
    mentee = aliased(MentorshipMember)
    return (
        select(func.count(mentee.participant_id.distinct()))
        .select_from(mentor)
        .join(
            Mentorship, (Mentorship.school_id == mentor.school_id) & (Mentorship.id == mentor.mentorship_id)
        )
        .join(
            mentee,
            (mentee.school_id == mentor.school_id)
            & (mentee.mentorship_id == mentor.mentorship_id)
            & (mentee.role == MemberRole.MENTEE),
        )
        .where(
            mentor.school_id == MentorProfile.school_id,
            mentor.participant_id == MentorProfile.participant_id,
            mentor.role == MemberRole.MENTOR,
            Mentorship.academic_year == MentorProfile.academic_year,
            Mentorship.status.in_(OPEN_STATUSES),
        )
        .correlate(MentorProfile)
        .scalar_subquery()
    )


# A mentor's capacity counts pairs in all schools: the agreed inter-school pairs too.
register_mentor_load(lambda: mentor_load_subquery() + directory.cross_school_mentees())
