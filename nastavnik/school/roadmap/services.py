"""Roadmap rows: validation, editing in place, order, statuses, attachments, progress,
approval by the director and the history of changes made after approval."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.models import User
from nastavnik.platform.db import set_school, utcnow
from nastavnik.platform.documents.text import format_date
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.programme.deadlines import DeadlineError, parse_for_year
from nastavnik.school.programme.models import Programme, ProgrammeStage
from nastavnik.school.programme.services import local_today, programme_for_year
from nastavnik.school.roadmap.models import (
    ITEM_STATUS_TITLES,
    OPEN_STATUSES,
    ChangeAction,
    ItemStatus,
    RoadmapAttachment,
    RoadmapChange,
    RoadmapItem,
    RoadmapResponsible,
)
from nastavnik.school.roadmap.storage import AttachmentStore, CheckedFile
from nastavnik.tenants.models import School, StaffMember

SOON_DAYS = 14
ITEM_FIELDS = (
    "event",
    "deadline",
    "responsible_note",
    "expected_result",
    "status",
    "completed_on",
    "result_text",
)
EVENT_MAX = 2000


def is_overdue(item: RoadmapItem, today: dt.date) -> bool:
    return item.status in OPEN_STATUSES and item.due_on < today


def is_due_soon(item: RoadmapItem, today: dt.date) -> bool:
    return item.status in OPEN_STATUSES and today <= item.due_on <= today + dt.timedelta(days=SOON_DAYS)


def percent(done: int, total: int) -> int:
    return round(done * 100 / total) if total else 0


@dataclass
class StageView:
    stage: ProgrammeStage
    number: int
    items: list[RoadmapItem]
    today: dt.date

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.status is ItemStatus.DONE)

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if is_overdue(i, self.today))

    @property
    def tone(self) -> str | None:
        if self.total and self.done == self.total:
            return "success"
        if self.overdue:
            return "danger"
        return None


@dataclass
class RoadmapView:
    programme: Programme
    stages: list[StageView]
    today: dt.date
    changes_since_approval: int = 0
    items: list[RoadmapItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.stages)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.stages)

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)

    @property
    def overdue(self) -> list[RoadmapItem]:
        return sorted((i for i in self.items if is_overdue(i, self.today)), key=self._order)

    @property
    def due_soon(self) -> list[RoadmapItem]:
        return sorted((i for i in self.items if is_due_soon(i, self.today)), key=self._order)

    def _order(self, item: RoadmapItem) -> tuple[dt.date, int, int]:
        """By date, then in the roadmap's own order."""
        stage = self.stage_of(item)
        return item.due_on, stage.number if stage else 0, item.position

    def count(self, status: ItemStatus) -> int:
        return sum(1 for i in self.items if i.status is status)

    def number_of(self, item: RoadmapItem) -> str:
        for stage in self.stages:
            if stage.stage.id == item.stage_id:
                return f"{stage.number}.{item.position}"
        return str(item.position)

    def stage_of(self, item: RoadmapItem) -> StageView | None:
        return next((s for s in self.stages if s.stage.id == item.stage_id), None)


def _item_options() -> list[Any]:
    return [
        selectinload(RoadmapItem.responsibles).selectinload(RoadmapResponsible.staff_member),
        selectinload(RoadmapItem.attachments),
    ]


def as_of(programme: Programme, today: dt.date | None) -> dt.date:
    """The day a roadmap is judged on: today, or the closing day of a closed programme."""
    day = today or local_today()
    return min(day, programme.closed_on) if programme.closed_on else day


async def load_roadmap(
    db: AsyncSession, school: School, programme: Programme, today: dt.date | None = None
) -> RoadmapView:
    await set_school(db, school.id)
    today = as_of(programme, today)
    items = list(
        (
            await db.execute(
                select(RoadmapItem)
                .where(RoadmapItem.school_id == school.id, RoadmapItem.programme_id == programme.id)
                .options(*_item_options())
                .order_by(RoadmapItem.position)
            )
        ).scalars()
    )
    by_stage: dict[uuid.UUID, list[RoadmapItem]] = {}
    for item in items:
        by_stage.setdefault(item.stage_id, []).append(item)
    stages = [
        StageView(stage, number, by_stage.get(stage.id, []), today)
        for number, stage in enumerate(programme.stages, start=1)
    ]
    changes = 0
    if programme.approved_at is not None:
        changes = (
            await db.scalar(
                select(func.count())
                .select_from(RoadmapChange)
                .where(
                    RoadmapChange.school_id == school.id,
                    RoadmapChange.programme_id == programme.id,
                    RoadmapChange.action != ChangeAction.APPROVED,
                    RoadmapChange.created_at > programme.approved_at,
                )
            )
            or 0
        )
    return RoadmapView(programme, stages, today, changes, items)


async def get_item(
    db: AsyncSession, school: School, programme: Programme, item_id: str
) -> RoadmapItem | None:
    try:
        key = uuid.UUID(item_id)
    except ValueError:
        return None
    await set_school(db, school.id)
    result = await db.execute(
        select(RoadmapItem)
        .where(
            RoadmapItem.school_id == school.id,
            RoadmapItem.programme_id == programme.id,
            RoadmapItem.id == key,
        )
        .options(*_item_options())
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


def get_stage(programme: Programme, stage_id: str) -> ProgrammeStage | None:
    return next((s for s in programme.stages if str(s.id) == stage_id), None)


# --- validation ----------------------------------------------------------------------


@dataclass
class ItemDraft:
    event: str
    deadline_text: str
    starts_on: dt.date | None
    due_on: dt.date
    responsibles: list[StaffMember]
    responsible_note: str
    expected_result: str
    status: ItemStatus
    result_text: str
    completed_on: dt.date | None = None


def completion_day(programme: Programme, today: dt.date) -> dt.date:
    """The day a row marked done is taken as completed: today, or the last day of a past year."""
    return min(today, programme.year.ends)


def _completed_on(form: Form, programme: Programme, status: ItemStatus, today: dt.date) -> dt.date | None:
    """The typed completion date of a done row: inside the programme's year, not in the future."""
    raw = form.value("completed_on")
    if not raw or status is not ItemStatus.DONE:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        form.error("completed_on", "Дата пишется так: 23.09.2022.")
        return None
    if day > today:
        form.error("completed_on", "Дата выполнения не может быть в будущем.")
    elif not programme.year.contains(day):
        form.error("completed_on", programme.year.outside_message("Дата выполнения"))
    return day


def item_form(item: RoadmapItem | None) -> Form:
    if item is None:
        return Form(data={"status": ItemStatus.PLANNED.value, "responsible": []})
    return Form(
        data={
            "event": item.event,
            "deadline": item.deadline_text,
            "responsible": [str(r.staff_member_id) for r in item.responsibles],
            "responsible_note": item.responsible_note,
            "expected_result": item.expected_result,
            "status": item.status.value,
            "completed_on": item.completed_on.isoformat() if item.completed_on else "",
            "result_text": item.result_text,
        }
    )


async def _check_responsibles(
    db: AsyncSession, school: School, form: Form, responsible_ids: Sequence[str]
) -> list[StaffMember]:
    """Responsible people must be the school's staff who still work there."""
    await set_school(db, school.id)
    keys: list[uuid.UUID] = []
    for value in dict.fromkeys(v for v in responsible_ids if v):
        try:
            keys.append(uuid.UUID(value))
        except ValueError:
            form.error("responsible", "Ответственный не найден — обновите страницу и выберите снова.")
    if not keys:
        return []
    found = {
        s.id: s
        for s in (
            await db.execute(
                select(StaffMember).where(StaffMember.school_id == school.id, StaffMember.id.in_(keys))
            )
        ).scalars()
    }
    people: list[StaffMember] = []
    for key in keys:
        person = found.get(key)
        if person is None:
            form.error("responsible", "Ответственный не найден среди сотрудников школы — выберите снова.")
        elif person.left_at is not None:
            form.error(
                "responsible",
                f"{person.short_name} не работает в школе с {format_date(person.left_at.date())} — "
                "выберите другого ответственного.",
            )
        else:
            people.append(person)
    return people


async def validate_item(
    db: AsyncSession, school: School, programme: Programme, form: Form, responsible_ids: Sequence[str]
) -> ItemDraft | None:
    """Check a row as typed; every problem goes next to its field, nothing is saved."""
    form.data["responsible"] = list(responsible_ids)
    event = form.require("event", "Опишите мероприятие: без названия строку нельзя сохранить.")
    if len(event) > EVENT_MAX:
        form.error("event", f"Описание длиннее {EVENT_MAX} символов — сократите его.")
    deadline_text = form.require("deadline", "Укажите срок: дату, месяц или период.")
    dates: tuple[dt.date | None, dt.date] | None = None
    if deadline_text:
        if len(deadline_text) > 120:
            form.error("deadline", "Срок длиннее 120 символов — запишите короче.")
        else:
            try:
                dates = parse_for_year(deadline_text, programme.year)
            except DeadlineError as exc:
                form.error("deadline", str(exc))
    people = await _check_responsibles(db, school, form, responsible_ids)
    note = form.value("responsible_note")
    if len(note) > 300:
        form.error("responsible_note", "Не больше 300 символов.")
    if not responsible_ids and not note and "responsible" not in form.errors:
        form.error("responsible", "Выберите ответственного сотрудника или впишите ответственного ниже.")
    expected = form.value("expected_result")
    if len(expected) > 500:
        form.error("expected_result", "Не больше 500 символов — сократите описание результата.")
    status_value = form.value("status") or ItemStatus.PLANNED.value
    try:
        status = ItemStatus(status_value)
    except ValueError:
        form.error("status", "Выберите статус из списка.")
        status = ItemStatus.PLANNED
    completed_on = _completed_on(form, programme, status, local_today())
    result_text = form.value("result_text")
    if len(result_text) > 10_000:
        form.error("result_text", "Текст длиннее 10 000 символов — сократите его.")
    if not form.ok or dates is None:
        return None
    return ItemDraft(
        event, deadline_text, dates[0], dates[1], people, note, expected, status, result_text, completed_on
    )


# --- history ------------------------------------------------------------------------


def _label(stage_number: int | None, item: RoadmapItem) -> str:
    prefix = f"{stage_number}.{item.position} " if stage_number else ""
    text = item.event if len(item.event) <= 160 else item.event[:157] + "…"
    return prefix + text


def _stage_number(programme: Programme, stage_id: uuid.UUID) -> int | None:
    for number, stage in enumerate(programme.stages, start=1):
        if stage.id == stage_id:
            return number
    return None


async def _track(
    db: AsyncSession,
    programme: Programme,
    actor: User,
    action: ChangeAction,
    *,
    item: RoadmapItem | None = None,
    details: list[dict[str, str]] | None = None,
) -> None:
    """After approval every change is written down; before it the roadmap is a draft."""
    if programme.approved_at is None and action is not ChangeAction.APPROVED:
        return
    db.add(
        RoadmapChange(
            school_id=programme.school_id,
            programme_id=programme.id,
            item_id=item.id if item else None,
            item_label=_label(_stage_number(programme, item.stage_id), item) if item else "",
            action=action,
            details=details or [],
            actor_id=actor.id,
            actor_name=actor.display_name,
            created_at=utcnow(),
        )
    )


def _snapshot(item: RoadmapItem, people: Sequence[StaffMember]) -> dict[str, str]:
    return {
        "Мероприятие": item.event,
        "Срок": item.deadline_text,
        "Ответственные": ", ".join(p.short_name for p in people) or "—",
        "Ответственный (текстом)": item.responsible_note or "—",
        "Результат / вид документа": item.expected_result or "—",
        "Статус": ITEM_STATUS_TITLES[item.status],
        "Дата выполнения": format_date(item.completed_on) if item.completed_on else "—",
        "Что сделано": item.result_text or "—",
    }


def _diff(before: dict[str, str], after: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"field": name, "before": before[name], "after": after[name]}
        for name in before
        if before[name] != after[name]
    ]


# --- editing -------------------------------------------------------------------------


def _apply(item: RoadmapItem, draft: ItemDraft, today: dt.date) -> None:
    item.event = draft.event
    item.deadline_text = draft.deadline_text
    item.starts_on = draft.starts_on
    item.due_on = draft.due_on
    item.responsible_note = draft.responsible_note
    item.expected_result = draft.expected_result
    if draft.status is ItemStatus.DONE:
        # A typed date wins (a past year entered afterwards); else the day it was marked done.
        item.completed_on = draft.completed_on or item.completed_on or today
    else:
        item.completed_on = None
    item.status = draft.status
    item.result_text = draft.result_text


async def _set_responsibles(db: AsyncSession, item: RoadmapItem, people: Sequence[StaffMember]) -> None:
    current = {r.staff_member_id: r for r in item.responsibles}
    wanted = [p.id for p in people]
    for key, link in current.items():
        if key not in wanted:
            item.responsibles.remove(link)
            await db.delete(link)
    await db.flush()
    for order, person in enumerate(people):
        existing = current.get(person.id)
        if existing is not None and existing in item.responsibles:
            existing.position = order
        else:
            link = RoadmapResponsible(
                school_id=item.school_id, item_id=item.id, staff_member_id=person.id, position=order
            )
            link.staff_member = person
            item.responsibles.append(link)
    await db.flush()


async def add_item(
    db: AsyncSession,
    school: School,
    programme: Programme,
    stage: ProgrammeStage,
    *,
    actor: User,
    form: Form,
    responsible_ids: Sequence[str],
) -> RoadmapItem | None:
    draft = await validate_item(db, school, programme, form, responsible_ids)
    if draft is None:
        return None
    last = await db.scalar(
        select(func.max(RoadmapItem.position)).where(
            RoadmapItem.school_id == school.id, RoadmapItem.stage_id == stage.id
        )
    )
    item = RoadmapItem(
        school_id=school.id,
        programme_id=programme.id,
        stage_id=stage.id,
        position=(last or 0) + 1,
        status=ItemStatus.PLANNED,
        result_text="",
    )
    item.responsibles = []
    item.attachments = []
    _apply(item, draft, completion_day(programme, local_today()))
    db.add(item)
    await db.flush()
    await _set_responsibles(db, item, draft.responsibles)
    await _track(
        db,
        programme,
        actor,
        ChangeAction.ITEM_ADDED,
        item=item,
        details=_diff_added(item, draft.responsibles),
    )
    return item


def _diff_added(item: RoadmapItem, people: Sequence[StaffMember]) -> list[dict[str, str]]:
    return [{"field": k, "before": "", "after": v} for k, v in _snapshot(item, people).items() if v != "—"]


async def update_item(
    db: AsyncSession,
    school: School,
    programme: Programme,
    item: RoadmapItem,
    *,
    actor: User,
    form: Form,
    responsible_ids: Sequence[str],
) -> bool:
    draft = await validate_item(db, school, programme, form, responsible_ids)
    if draft is None:
        return False
    before = _snapshot(item, item.responsible_staff)
    _apply(item, draft, completion_day(programme, local_today()))
    await _set_responsibles(db, item, draft.responsibles)
    details = _diff(before, _snapshot(item, draft.responsibles))
    if details:
        await _track(db, programme, actor, ChangeAction.ITEM_CHANGED, item=item, details=details)
    await db.flush()
    return True


async def set_status(
    db: AsyncSession, programme: Programme, item: RoadmapItem, actor: User, status_value: str
) -> bool:
    try:
        status = ItemStatus(status_value)
    except ValueError:
        return False
    if status is item.status:
        return True
    before = ITEM_STATUS_TITLES[item.status]
    item.completed_on = completion_day(programme, local_today()) if status is ItemStatus.DONE else None
    item.status = status
    await _track(
        db,
        programme,
        actor,
        ChangeAction.ITEM_CHANGED,
        item=item,
        details=[{"field": "Статус", "before": before, "after": ITEM_STATUS_TITLES[status]}],
    )
    await db.flush()
    return True


async def _stage_items(db: AsyncSession, school: School, stage_id: uuid.UUID) -> list[RoadmapItem]:
    result = await db.execute(
        select(RoadmapItem)
        .where(RoadmapItem.school_id == school.id, RoadmapItem.stage_id == stage_id)
        .order_by(RoadmapItem.position)
    )
    return list(result.scalars())


async def remove_item(
    db: AsyncSession,
    store: AttachmentStore,
    school: School,
    programme: Programme,
    item: RoadmapItem,
    *,
    actor: User,
) -> None:
    await _track(db, programme, actor, ChangeAction.ITEM_REMOVED, item=item)
    keys = [a.storage_key for a in item.attachments]
    stage_id = item.stage_id
    await db.delete(item)
    await db.flush()
    for number, sibling in enumerate(await _stage_items(db, school, stage_id), start=1):
        sibling.position = number
    await db.flush()
    for key in keys:
        store.delete(key)


async def move_item(
    db: AsyncSession, school: School, programme: Programme, item: RoadmapItem, *, actor: User, direction: str
) -> bool:
    """Swap the row with its neighbour above («up») or below («down») within the stage."""
    siblings = await _stage_items(db, school, item.stage_id)
    index = next(i for i, s in enumerate(siblings) if s.id == item.id)
    target = index - 1 if direction == "up" else index + 1 if direction == "down" else index
    if target == index or not 0 <= target < len(siblings):
        return False
    siblings[index], siblings[target] = siblings[target], siblings[index]
    old_position = item.position
    for number, sibling in enumerate(siblings, start=1):
        sibling.position = number
    await _track(
        db,
        programme,
        actor,
        ChangeAction.ITEM_MOVED,
        item=item,
        details=[{"field": "Номер в этапе", "before": str(old_position), "after": str(item.position)}],
    )
    await db.flush()
    return True


# --- attachments ------------------------------------------------------------------------


async def add_attachment(
    db: AsyncSession,
    store: AttachmentStore,
    programme: Programme,
    item: RoadmapItem,
    *,
    actor: User,
    checked: CheckedFile,
) -> RoadmapAttachment:
    key = store.save(item.school_id, checked.data)
    try:
        attachment = RoadmapAttachment(
            school_id=item.school_id,
            item_id=item.id,
            filename=checked.filename,
            content_type=checked.content_type,
            size=len(checked.data),
            sha256=checked.sha256,
            storage_key=key,
            uploaded_by_id=actor.id,
            created_at=utcnow(),
        )
        db.add(attachment)
        item.attachments.append(attachment)
        await db.flush()
    except Exception:
        store.delete(key)
        raise
    await _track(
        db,
        programme,
        actor,
        ChangeAction.ATTACHMENT_ADDED,
        item=item,
        details=[{"field": "Файл", "before": "", "after": checked.filename}],
    )
    return attachment


def find_attachment(item: RoadmapItem, attachment_id: str) -> RoadmapAttachment | None:
    return next((a for a in item.attachments if str(a.id) == attachment_id), None)


async def remove_attachment(
    db: AsyncSession,
    store: AttachmentStore,
    programme: Programme,
    item: RoadmapItem,
    attachment: RoadmapAttachment,
    *,
    actor: User,
) -> None:
    await _track(
        db,
        programme,
        actor,
        ChangeAction.ATTACHMENT_REMOVED,
        item=item,
        details=[{"field": "Файл", "before": attachment.filename, "after": ""}],
    )
    item.attachments.remove(attachment)
    await db.delete(attachment)
    await db.flush()
    store.delete(attachment.storage_key)


# --- approval and history -------------------------------------------------------------


async def approve(db: AsyncSession, school: School, programme: Programme, actor: User) -> None:
    """The director approves the roadmap; from now on changes are tracked."""
    await set_school(db, school.id)
    member = (
        await db.execute(
            select(StaffMember).where(StaffMember.school_id == school.id, StaffMember.user_id == actor.id)
        )
    ).scalar_one_or_none()
    again = programme.approved_at is not None
    programme.approved_at = utcnow()
    programme.approved_by_id = actor.id
    programme.approved_by_name = member.full_name if member else actor.display_name
    programme.approved_by_position = (member.position if member and member.position else "Директор")[:300]
    await _track(
        db,
        programme,
        actor,
        ChangeAction.APPROVED,
        details=[{"field": "Утверждение", "before": "", "after": "повторно" if again else "впервые"}],
    )
    await db.flush()


async def history(
    db: AsyncSession, school: School, programme: Programme, page: int = 1
) -> tuple[Sequence[RoadmapChange], Window]:
    """One page of the changes made after approval, newest first."""
    await set_school(db, school.id)
    query = (
        select(RoadmapChange)
        .where(RoadmapChange.school_id == school.id, RoadmapChange.programme_id == programme.id)
        .order_by(RoadmapChange.created_at.desc(), RoadmapChange.id.desc())
    )
    return await page_of(db, query, page)


# --- the school's dashboard -------------------------------------------------------------

# Rows named under «Просрочено» and «В ближайшие две недели»; the rest are counted.
DASHBOARD_SHOWN = 5


@dataclass
class StageFigures:
    stage: ProgrammeStage
    number: int
    total: int
    done: int
    overdue: int

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)

    @property
    def tone(self) -> str | None:
        if self.total and self.done == self.total:
            return "success"
        if self.overdue:
            return "danger"
        return None


@dataclass
class RoadmapSummary:
    """A roadmap's progress counted in PostgreSQL, with the first few late and coming rows."""

    programme: Programme
    stages: list[StageFigures]
    today: dt.date
    overdue: list[RoadmapItem]
    overdue_count: int
    due_soon: list[RoadmapItem]
    due_soon_count: int

    @property
    def total(self) -> int:
        return sum(s.total for s in self.stages)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.stages)

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)

    def number_of(self, item: RoadmapItem) -> str:
        stage = next((s for s in self.stages if s.stage.id == item.stage_id), None)
        return f"{stage.number}.{item.position}" if stage else str(item.position)


async def summarise_roadmap(
    db: AsyncSession, school: School, programme: Programme, today: dt.date | None = None
) -> RoadmapSummary:
    """Counts per stage and of late and coming rows in one statement, the rows named in two more.

    The programme must be loaded with its stages. The statement count does not grow with the
    roadmap: nothing is loaded to be counted.
    """
    await set_school(db, school.id)
    today = as_of(programme, today)
    soon = today + dt.timedelta(days=SOON_DAYS)
    is_open = RoadmapItem.status.in_(OPEN_STATUSES)
    late = is_open & (RoadmapItem.due_on < today)
    # A closed year has nothing coming.
    coming: ColumnElement[bool] = (
        false()
        if programme.closed_on
        else is_open & (RoadmapItem.due_on >= today) & (RoadmapItem.due_on <= soon)
    )
    mine = (RoadmapItem.school_id == school.id, RoadmapItem.programme_id == programme.id)
    figures = {
        stage_id: (int(total), int(done), int(overdue), int(due))
        for stage_id, total, done, overdue, due in (
            await db.execute(
                select(
                    RoadmapItem.stage_id,
                    func.count(),
                    func.count().filter(RoadmapItem.status == ItemStatus.DONE),
                    func.count().filter(late),
                    func.count().filter(coming),
                )
                .where(*mine)
                .group_by(RoadmapItem.stage_id)
            )
        ).all()
    }
    stages = [
        StageFigures(stage, number, *figures.get(stage.id, (0, 0, 0, 0))[:3])
        for number, stage in enumerate(programme.stages, start=1)
    ]

    async def first_rows(condition: Any) -> list[RoadmapItem]:
        # By date, then in the roadmap's own order (stage, then row).
        query = (
            select(RoadmapItem)
            .join(
                ProgrammeStage,
                (ProgrammeStage.school_id == RoadmapItem.school_id)
                & (ProgrammeStage.id == RoadmapItem.stage_id),
            )
            .where(*mine, condition)
            .order_by(RoadmapItem.due_on, ProgrammeStage.position, RoadmapItem.position)
            .limit(DASHBOARD_SHOWN)
        )
        return list((await db.execute(query)).scalars())

    return RoadmapSummary(
        programme=programme,
        stages=stages,
        today=today,
        overdue=await first_rows(late),
        overdue_count=sum(f[2] for f in figures.values()),
        due_soon=await first_rows(coming),
        due_soon_count=sum(f[3] for f in figures.values()),
    )


async def dashboard(
    db: AsyncSession, school: School, today: dt.date | None = None, year: AcademicYear | None = None
) -> RoadmapSummary | None:
    """Progress of the year's roadmap (this academic year by default), None without a programme."""
    today = today or local_today()
    programme = await programme_for_year(db, school, year or AcademicYear.current(today))
    if programme is None:
        return None
    return await summarise_roadmap(db, school, programme, today)
