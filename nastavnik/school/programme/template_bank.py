"""Editing the roadmap templates: the region's own (ИРО methodists) and the shipped ones
(platform administrators). A region adopts a shipped template by copying it."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.auth.permissions import ROLE_TITLES, Role
from nastavnik.platform.web import Form
from nastavnik.school.programme.deadlines import DeadlineError, ParsedDeadline, parse
from nastavnik.school.programme.models import (
    RESPONSIBLE_ROLES,
    ProgrammeModel,
    RoadmapTemplate,
    RoadmapTemplateItem,
    RoadmapTemplateStage,
)

TEMPLATE_FIELDS = ("title", "model", "description", "goals", "active")
ITEM_FIELDS = ("event", "deadline", "responsible_role", "responsible_note", "expected_result")
ROLE_OPTIONS = [(role.value, ROLE_TITLES[role]) for role in RESPONSIBLE_ROLES]


async def templates_of(db: AsyncSession, region_id: uuid.UUID | None) -> list[RoadmapTemplate]:
    """Shipped templates and, for a region, its own ones; with their stages and rows."""
    condition: ColumnElement[bool] = RoadmapTemplate.region_id.is_(None)
    if region_id is not None:
        condition = or_(condition, RoadmapTemplate.region_id == region_id)
    result = await db.execute(
        select(RoadmapTemplate)
        .where(condition, RoadmapTemplate.school_id.is_(None))
        .options(selectinload(RoadmapTemplate.stages).selectinload(RoadmapTemplateStage.items))
        .order_by(RoadmapTemplate.region_id.is_(None), RoadmapTemplate.sort_order, RoadmapTemplate.title)
    )
    return list(result.scalars())


async def get_template(db: AsyncSession, template_id: str) -> RoadmapTemplate | None:
    try:
        key = uuid.UUID(template_id)
    except ValueError:
        return None
    result = await db.execute(
        select(RoadmapTemplate)
        .where(RoadmapTemplate.id == key)
        .options(selectinload(RoadmapTemplate.stages).selectinload(RoadmapTemplateStage.items))
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def copy_for_region(
    db: AsyncSession, template: RoadmapTemplate, region_id: uuid.UUID
) -> RoadmapTemplate:
    copy = RoadmapTemplate(
        region_id=region_id,
        based_on_id=template.id,
        title=template.title,
        model=template.model,
        description=template.description,
        goals=template.goals,
        active=True,
        sort_order=template.sort_order,
    )
    copy.stages = []
    db.add(copy)
    for stage in template.stages:
        new_stage = RoadmapTemplateStage(position=stage.position, title=stage.title)
        new_stage.items = [
            RoadmapTemplateItem(
                position=item.position,
                event=item.event,
                deadline_text=item.deadline_text,
                starts_month=item.starts_month,
                starts_day=item.starts_day,
                due_month=item.due_month,
                due_day=item.due_day,
                responsible_role=item.responsible_role,
                responsible_note=item.responsible_note,
                expected_result=item.expected_result,
            )
            for item in stage.items
        ]
        copy.stages.append(new_stage)
    await db.flush()
    return copy


def template_form(template: RoadmapTemplate) -> Form:
    return Form(
        data={
            "title": template.title,
            "model": template.model.value,
            "description": template.description,
            "goals": template.goals,
            "active": "true" if template.active else "",
        }
    )


def save_template(template: RoadmapTemplate, form: Form) -> bool:
    title = form.require("title", "Укажите название шаблона.")
    if len(title) > 300:
        form.error("title", "Название длиннее 300 символов — сократите его.")
    try:
        model = ProgrammeModel(form.value("model"))
    except ValueError:
        form.error("model", "Выберите, для кого шаблон: обучающиеся или педагоги.")
        model = template.model
    if not form.ok:
        return False
    template.title = title
    template.model = model
    template.description = form.value("description")
    template.goals = form.value("goals")
    template.active = form.value("active") in {"true", "on", "1"}
    return True


async def add_stage(db: AsyncSession, template: RoadmapTemplate, form: Form) -> RoadmapTemplateStage | None:
    title = form.require("title", "Укажите название этапа.")
    if len(title) > 300:
        form.error("title", "Название этапа длиннее 300 символов.")
    if not form.ok:
        return None
    last = await db.scalar(
        select(func.max(RoadmapTemplateStage.position)).where(RoadmapTemplateStage.template_id == template.id)
    )
    stage = RoadmapTemplateStage(template_id=template.id, position=(last or 0) + 1, title=title)
    stage.items = []
    template.stages.append(stage)
    await db.flush()
    return stage


def rename_stage(stage: RoadmapTemplateStage, form: Form) -> bool:
    title = form.require("title", "Укажите название этапа.")
    if len(title) > 300:
        form.error("title", "Название этапа длиннее 300 символов.")
    if not form.ok:
        return False
    stage.title = title
    return True


async def remove_stage(db: AsyncSession, template: RoadmapTemplate, stage: RoadmapTemplateStage) -> None:
    template.stages.remove(stage)
    await db.delete(stage)
    await db.flush()
    for number, rest in enumerate(template.stages, start=1):
        rest.position = number
    await db.flush()


def find_stage(template: RoadmapTemplate, stage_id: str) -> RoadmapTemplateStage | None:
    return next((s for s in template.stages if str(s.id) == stage_id), None)


def find_item(template: RoadmapTemplate, item_id: str) -> RoadmapTemplateItem | None:
    return next((i for s in template.stages for i in s.items if str(i.id) == item_id), None)


def item_form(item: RoadmapTemplateItem | None) -> Form:
    if item is None:
        return Form()
    return Form(
        data={
            "event": item.event,
            "deadline": item.deadline_text,
            "responsible_role": item.responsible_role.value if item.responsible_role else "",
            "responsible_note": item.responsible_note,
            "expected_result": item.expected_result,
        }
    )


def _check_item(form: Form) -> tuple[ParsedDeadline, Role | None] | None:
    event = form.require("event", "Опишите мероприятие: без названия строку нельзя сохранить.")
    if len(event) > 2000:
        form.error("event", "Описание длиннее 2000 символов — сократите его.")
    deadline_text = form.require("deadline", "Укажите срок: месяц, период или дату без года.")
    parsed: ParsedDeadline | None = None
    if deadline_text:
        try:
            parsed = parse(deadline_text)
        except DeadlineError as exc:
            form.error("deadline", str(exc))
        else:
            if parsed.years:
                form.error(
                    "deadline",
                    "В шаблоне срок пишется без года («сентябрь–октябрь», «до 30 сентября»): "
                    "год подставит школа, выбрав учебный год.",
                )
    if len(deadline_text) > 120:
        form.error("deadline", "Срок длиннее 120 символов — запишите короче.")
    role: Role | None = None
    role_value = form.value("responsible_role")
    if role_value:
        role = next((r for r in RESPONSIBLE_ROLES if r.value == role_value), None)
        if role is None:
            form.error("responsible_role", "Выберите роль из списка.")
    if len(form.value("responsible_note")) > 300:
        form.error("responsible_note", "Не больше 300 символов.")
    if len(form.value("expected_result")) > 500:
        form.error("expected_result", "Не больше 500 символов.")
    if not form.ok or parsed is None:
        return None
    return parsed, role


def _apply(item: RoadmapTemplateItem, form: Form, parsed: ParsedDeadline, role: Role | None) -> None:
    deadline = parsed.deadline
    item.event = form.value("event")
    item.deadline_text = form.value("deadline")
    item.starts_month = deadline.starts.month if deadline.starts else None
    item.starts_day = deadline.starts.day if deadline.starts else None
    item.due_month = deadline.due.month
    item.due_day = deadline.due.day
    item.responsible_role = role
    item.responsible_note = form.value("responsible_note")
    item.expected_result = form.value("expected_result")


async def add_item(db: AsyncSession, stage: RoadmapTemplateStage, form: Form) -> RoadmapTemplateItem | None:
    checked = _check_item(form)
    if checked is None:
        return None
    item = RoadmapTemplateItem(stage_id=stage.id, position=len(stage.items) + 1)
    _apply(item, form, *checked)
    stage.items.append(item)
    await db.flush()
    return item


async def update_item(db: AsyncSession, item: RoadmapTemplateItem, form: Form) -> bool:
    checked = _check_item(form)
    if checked is None:
        return False
    _apply(item, form, *checked)
    await db.flush()
    return True


async def remove_item(db: AsyncSession, stage: RoadmapTemplateStage, item: RoadmapTemplateItem) -> None:
    stage.items.remove(item)
    await db.delete(item)
    await db.flush()
    for number, rest in enumerate(stage.items, start=1):
        rest.position = number
    await db.flush()
