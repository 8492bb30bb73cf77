"""The bank of programmes and practices: what schools publish, what methodists moderate,
what schools adopt.

Each function runs in the scope of whoever acts, and the policies of migration
20261201_13_02 decide what that scope may touch: a school (`app.school_id`, with its
region in `app.region_id`) writes its own drafts and sends them to moderation; the
region's methodists (`app.bank_moderation`, see `moderation_scope`) approve, return,
unpublish and recommend. Every step is written to the item's history.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.auth.models import User
from nastavnik.platform.db import utcnow
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.bank.models import (
    BANK_ITEM_KIND_TITLES,
    BankAdoption,
    BankAttachment,
    BankEventAction,
    BankItem,
    BankItemEvent,
    BankItemKind,
    BankItemStatus,
    BankWord,
    CollectionItem,
)
from nastavnik.school.pairs.models import (
    DevelopmentPlan,
    Mentorship,
    MentorshipMember,
    MentorshipStatus,
    PlanItem,
)
from nastavnik.school.pairs.services import add_months
from nastavnik.school.participants.models import local_today
from nastavnik.school.programme.models import (
    Programme,
    ProgrammeModel,
    RoadmapTemplate,
    RoadmapTemplateItem,
    RoadmapTemplateStage,
)
from nastavnik.school.roadmap.models import RoadmapItem
from nastavnik.school.roadmap.storage import AttachmentStore, CheckedFile
from nastavnik.tenants.models import SCHOOL_KIND_TITLES, Region, School, SchoolKind
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items

ITEM_FIELDS = (
    "kind",
    "title",
    "summary",
    "description",
    "results",
    "keywords",
    "school_kind",
    "grade_from",
    "grade_to",
    "plan",
    "programme_year",
)
MULTI_FIELDS = ("forms", "directions")
KIND_OPTIONS = [(k.value, t) for k, t in BANK_ITEM_KIND_TITLES.items()]
SCHOOL_KIND_OPTIONS = [("", "Любая организация")] + [(k.value, t) for k, t in SCHOOL_KIND_TITLES.items()]
# Levels of general education by grades (НОО, ООО, СОО), a facet of the bank.
LEVELS: dict[str, tuple[str, int, int]] = {
    "primary": ("1–4 классы", 1, 4),
    "basic": ("5–9 классы", 5, 9),
    "secondary": ("10–11 классы", 10, 11),
}
TEXT_LIMIT = 20_000
MAX_KEYWORDS = 12
MAX_PLAN_ROWS = 40
# Words of a published item kept in the region's vocabulary for typo tolerance.
MAX_WORDS = 400
_WORD_RE = re.compile(r"[а-яёa-z]{4,40}")
HISTORY_LIMIT = 100
ATTACHMENT_LIMIT = 20


def moderation_scope_sql() -> str:
    return "SELECT set_config('app.bank_moderation', :region, true)"


async def moderation_scope(db: AsyncSession, region_id: uuid.UUID | None) -> None:
    """Open the region's moderation to this transaction (methodists' pages only), or close it."""
    await db.execute(text(moderation_scope_sql()), {"region": str(region_id) if region_id else ""})


# --- the form -------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    forms: list[ReferenceItem]
    directions: list[ReferenceItem]

    @property
    def form_titles(self) -> dict[str, str]:
        return {f.code: f.title for f in self.forms}

    @property
    def direction_titles(self) -> dict[str, str]:
        return {d.code: d.title for d in self.directions}


async def choices(db: AsyncSession) -> Choices:
    return Choices(
        await reference_items(db, ReferenceKind.FORM), await reference_items(db, ReferenceKind.DIRECTION)
    )


def plan_text(rows: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(
        " | ".join(str(p) for p in (r.get("task", ""), r.get("activity", ""), r.get("month", 0)))
        for r in rows
    )


def item_form(item: BankItem) -> Form:
    return Form(
        data={
            "kind": item.kind.value,
            "title": item.title,
            "summary": item.summary,
            "description": item.description,
            "results": item.results,
            "keywords": ", ".join(item.keywords),
            "school_kind": item.school_kind,
            "grade_from": str(item.grade_from or ""),
            "grade_to": str(item.grade_to or ""),
            "plan": plan_text(item.plan_items),
            "programme_year": "",
            "forms": list(item.form_codes),
            "directions": list(item.direction_codes),
        }
    )


def read_form(data: Any) -> Form:
    form = Form.from_mapping(data, ITEM_FIELDS)
    for name in MULTI_FIELDS:
        form.data[name] = [v for v in data.getall(name, []) if isinstance(v, str)]
    return form


def _grade(form: Form, name: str) -> int | None:
    raw = form.value(name)
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 11:
        form.error(name, "Класс — число от 1 до 11.")
        return None
    return int(raw)


def _plan_rows(form: Form) -> list[dict[str, Any]]:
    """«задача | мероприятие | месяц от начала» per line; the month may be left out."""
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(form.value("plan").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        month = 0
        if len(parts) > 2 and parts[2]:
            if not parts[2].isdigit() or int(parts[2]) > 24:
                form.error("plan", f"Строка {number}: месяц от начала — число от 0 до 24.")
                continue
            month = int(parts[2])
        if not parts[0]:
            form.error("plan", f"Строка {number}: сначала напишите задачу.")
            continue
        rows.append(
            {"task": parts[0][:300], "activity": (parts[1] if len(parts) > 1 else "")[:500], "month": month}
        )
    if len(rows) > MAX_PLAN_ROWS:
        form.error("plan", f"Не больше {MAX_PLAN_ROWS} строк плана.")
    return rows


def check_form(form: Form, options: Choices) -> dict[str, Any] | None:
    """The item's fields from the form, or None with the form's errors set."""
    try:
        kind = BankItemKind(form.value("kind"))
    except ValueError:
        form.error("kind", "Выберите, что публикуете: программу, практику, кейс или шаблон.")
        kind = None
    title = form.require("title", "Назовите материал: по названию его будут искать другие школы.")
    if len(title) > 300:
        form.error("title", "Название длиннее 300 символов — сократите его.")
    summary = form.require("summary", "Напишите в двух-трёх предложениях, о чём этот материал.")
    description = form.value("description")
    results = form.value("results")
    if kind in (BankItemKind.PRACTICE, BankItemKind.CASE) and not description:
        form.error("description", "Опишите, что было сделано: этапы, формы работы, участники (без имён).")
    if kind in (BankItemKind.PRACTICE, BankItemKind.CASE) and not results:
        form.error("results", "Напишите, каких результатов достигли.")
    for name, value in (("summary", summary), ("description", description), ("results", results)):
        if len(value) > TEXT_LIMIT:
            form.error(name, f"Текст длиннее {TEXT_LIMIT:,} символов — сократите его.".replace(",", " "))
    keywords = [k.strip().lower()[:60] for k in form.value("keywords").split(",") if k.strip()]
    if len(keywords) > MAX_KEYWORDS:
        form.error("keywords", f"Не больше {MAX_KEYWORDS} ключевых слов.")
    forms = [c for c in form.data.get("forms", []) if c in options.form_titles]
    directions = [c for c in form.data.get("directions", []) if c in options.direction_titles]
    if not forms:
        form.error("forms", "Отметьте хотя бы одну форму наставничества.")
    school_kind = form.value("school_kind")
    if school_kind and school_kind not in {k.value for k in SchoolKind}:
        form.error("school_kind", "Выберите тип организации из списка.")
    grade_from, grade_to = _grade(form, "grade_from"), _grade(form, "grade_to")
    if grade_from and grade_to and grade_from > grade_to:
        form.error("grade_to", "Класс «по» не может быть меньше класса «с».")
    plan = _plan_rows(form)
    if kind is BankItemKind.PLAN_TEMPLATE and not plan and "plan" not in form.errors:
        form.error("plan", "Запишите задачи плана — по одной в строке.")
    if not form.ok or kind is None:
        return None
    return {
        "kind": kind,
        "title": title,
        "summary": summary,
        "description": description,
        "results": results,
        "keywords": keywords,
        "form_codes": forms,
        "direction_codes": directions,
        "school_kind": school_kind,
        "grade_from": grade_from,
        "grade_to": grade_to,
        "plan_items": plan,
    }


def search_text_of(item: BankItem, options: Choices) -> str:
    """What full-text search reads besides the title: texts, keywords, forms and directions."""
    titles = [options.form_titles.get(c, "") for c in item.form_codes]
    titles += [options.direction_titles.get(c, "") for c in item.direction_codes]
    plan = " ".join(f"{r.get('task', '')} {r.get('activity', '')}" for r in item.plan_items or [])
    roadmap = " ".join(
        f"{stage.get('title', '')} " + " ".join(str(i.get("event", "")) for i in stage.get("items", []))
        for stage in item.roadmap or []
    )
    parts = [item.summary, item.description, item.results, " ".join(item.keywords), " ".join(titles), plan]
    return "\n".join([*parts, roadmap[:TEXT_LIMIT], item.author_name])


def _apply(item: BankItem, fields: Mapping[str, Any], options: Choices) -> None:
    for name, value in fields.items():
        setattr(item, name, value)
    item.search_text = search_text_of(item, options)


async def record(
    db: AsyncSession, item: BankItem, action: BankEventAction, actor: User | None, comment: str = ""
) -> None:
    db.add(
        BankItemEvent(
            item_id=item.id,
            action=action,
            actor_id=actor.id if actor else None,
            actor_name=actor.display_name if actor else "",
            comment=comment,
        )
    )
    await db.flush()


# --- a school's publications ------------------------------------------------------------


async def programme_years(db: AsyncSession, school: School) -> list[tuple[int, str]]:
    rows = await db.execute(
        select(Programme.academic_year, Programme.title)
        .where(Programme.school_id == school.id)
        .order_by(Programme.academic_year.desc())
        .limit(20)
    )
    return [(year, title) for year, title in rows]


async def roadmap_snapshot(db: AsyncSession, school: School, year: int) -> list[dict[str, Any]] | None:
    """The stages and rows of the school's programme of `year`, as a template would hold them:
    deadlines as positions in the year, no responsible people, no marks of execution."""
    programme = await db.scalar(
        select(Programme)
        .where(Programme.school_id == school.id, Programme.academic_year == year)
        .options(selectinload(Programme.stages))
    )
    if programme is None:
        return None
    rows = (
        await db.execute(
            select(RoadmapItem)
            .where(RoadmapItem.school_id == school.id, RoadmapItem.programme_id == programme.id)
            .order_by(RoadmapItem.stage_id, RoadmapItem.position)
            .limit(500)
        )
    ).scalars()
    by_stage: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for row in rows:
        by_stage.setdefault(row.stage_id, []).append(
            {
                "event": row.event,
                "deadline_text": row.deadline_text,
                "due_month": row.due_on.month,
                "due_day": row.due_on.day,
                "starts_month": row.starts_on.month if row.starts_on else None,
                "starts_day": row.starts_on.day if row.starts_on else None,
                "expected_result": row.expected_result,
            }
        )
    return [{"title": s.title, "items": by_stage.get(s.id, [])} for s in programme.stages]


async def create_school_item(
    db: AsyncSession, school: School, form: Form, options: Choices, *, actor: User
) -> BankItem | None:
    fields = check_form(form, options)
    roadmap: list[dict[str, Any]] = []
    if fields is not None and fields["kind"] is BankItemKind.PROGRAMME:
        year = form.value("programme_year")
        snapshot = await roadmap_snapshot(db, school, int(year)) if year.isdigit() else None
        if snapshot is None:
            form.error("programme_year", "Выберите программу школы: её дорожная карта войдёт в материал.")
            return None
        roadmap = snapshot
    if fields is None:
        return None
    item = BankItem(
        region_id=school.municipality.region_id,
        author_school_id=school.id,
        municipality_id=school.municipality_id,
        author_name=school.name,
        status=BankItemStatus.DRAFT,
        roadmap=roadmap,
        contact_email=actor.email or "",
        created_by_id=actor.id,
    )
    _apply(item, fields, options)
    db.add(item)
    await db.flush()
    await record(db, item, BankEventAction.CREATED, actor)
    return item


async def update_item(db: AsyncSession, item: BankItem, form: Form, options: Choices, *, actor: User) -> bool:
    fields = check_form(form, options)
    if fields is None:
        return False
    fields.pop("kind")  # the kind stays what it was created as (a programme holds its roadmap)
    _apply(item, fields, options)
    await db.flush()
    await record(db, item, BankEventAction.EDITED, actor)
    return True


async def submit(db: AsyncSession, item: BankItem, *, actor: User) -> None:
    resubmitted = item.status is BankItemStatus.RETURNED
    item.status = BankItemStatus.SUBMITTED
    item.submitted_at = utcnow()
    if actor.email:
        item.contact_email = actor.email
    await db.flush()
    await record(
        db, item, BankEventAction.SUBMITTED, actor, "Повторно, после доработки" if resubmitted else ""
    )


async def get_item(db: AsyncSession, item_id: str) -> BankItem | None:
    """The item if this transaction's scope may read it (the policy decides), else None."""
    try:
        key = uuid.UUID(item_id)
    except ValueError:
        return None
    return await db.get(BankItem, key, populate_existing=True)


async def school_items_page(db: AsyncSession, school: School, page: int) -> tuple[Sequence[BankItem], Window]:
    query = (
        select(BankItem)
        .where(BankItem.author_school_id == school.id)
        .order_by(BankItem.updated_at.desc(), BankItem.id)
    )
    return await page_of(db, query, page)


async def adoption_counts(db: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    keys = list(ids)
    if not keys:
        return {}
    rows = await db.execute(
        select(BankAdoption.item_id, func.count())
        .where(BankAdoption.item_id.in_(keys))
        .group_by(BankAdoption.item_id)
    )
    return {item_id: int(n) for item_id, n in rows}


async def events_of(db: AsyncSession, item: BankItem) -> Sequence[BankItemEvent]:
    result = await db.execute(
        select(BankItemEvent)
        .where(BankItemEvent.item_id == item.id)
        .order_by(BankItemEvent.created_at.desc(), BankItemEvent.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return result.scalars().all()


async def last_return_comment(db: AsyncSession, item: BankItem) -> str:
    comment = await db.scalar(
        select(BankItemEvent.comment)
        .where(BankItemEvent.item_id == item.id, BankItemEvent.action == BankEventAction.RETURNED)
        .order_by(BankItemEvent.created_at.desc())
        .limit(1)
    )
    return comment or ""


# --- attachments ------------------------------------------------------------------------


async def attachments_of(db: AsyncSession, item: BankItem) -> Sequence[BankAttachment]:
    result = await db.execute(
        select(BankAttachment)
        .where(BankAttachment.item_id == item.id)
        .order_by(BankAttachment.created_at)
        .limit(ATTACHMENT_LIMIT)
    )
    return result.scalars().all()


async def add_attachment(
    db: AsyncSession,
    store: AttachmentStore,
    item: BankItem,
    checked: CheckedFile,
    form: Form,
    *,
    actor: User,
) -> BankAttachment | None:
    is_photo = checked.content_type.startswith("image/")
    consent = form.value("consent") in {"1", "on", "true"}
    if is_photo and not consent:
        form.error(
            "consent",
            "Фотографию можно опубликовать только с согласия всех, кто на ней есть "
            "(за обучающихся — родителей): подтвердите согласие или прикрепите материал без фото.",
        )
        return None
    count = await db.scalar(select(func.count()).where(BankAttachment.item_id == item.id))
    if (count or 0) >= ATTACHMENT_LIMIT:
        form.error("file", f"К материалу можно прикрепить не больше {ATTACHMENT_LIMIT} файлов.")
        return None
    key = store.save(item.region_id, checked.data, folder="bank")
    attachment = BankAttachment(
        item_id=item.id,
        filename=checked.filename,
        content_type=checked.content_type,
        size_bytes=len(checked.data),
        sha256=checked.sha256,
        storage_key=key,
        is_photo=is_photo,
        consent_confirmed=consent and is_photo,
        uploaded_by_id=actor.id,
    )
    db.add(attachment)
    await db.flush()
    return attachment


async def find_attachment(db: AsyncSession, item: BankItem, attachment_id: str) -> BankAttachment | None:
    try:
        key = uuid.UUID(attachment_id)
    except ValueError:
        return None
    found = await db.get(BankAttachment, key)
    return found if found is not None and found.item_id == item.id else None


# --- moderation ---------------------------------------------------------------------------

MODERATION_ACTIONS: dict[str, tuple[set[BankItemStatus], str]] = {
    "approve": ({BankItemStatus.SUBMITTED, BankItemStatus.UNPUBLISHED}, "Одобрить и опубликовать"),
    "return": ({BankItemStatus.SUBMITTED, BankItemStatus.PUBLISHED}, "Вернуть на доработку"),
    "unpublish": ({BankItemStatus.PUBLISHED}, "Снять с публикации"),
    "recommend": ({BankItemStatus.PUBLISHED}, "Отметить как рекомендованное"),
    "unrecommend": ({BankItemStatus.PUBLISHED}, "Снять отметку «Рекомендовано»"),
}


def moderation_actions(item: BankItem) -> list[tuple[str, str]]:
    actions = [(name, title) for name, (states, title) in MODERATION_ACTIONS.items() if item.status in states]
    # Return is for a school's item; a region's own item is edited by the methodist instead.
    if item.author_school_id is None:
        actions = [a for a in actions if a[0] != "return"]
    return [a for a in actions if a[0] != ("unrecommend" if not item.recommended else "recommend")]


async def moderate(db: AsyncSession, item: BankItem, form: Form, *, actor: User) -> BankEventAction | None:
    """One methodist's step on the item; None with the form's error when it cannot be taken."""
    action = form.value("action")
    comment = form.value("comment")[:4000]
    if action not in dict(moderation_actions(item)):
        form.error("action", "Это действие сейчас недоступно: обновите страницу.")
        return None
    if action in {"return", "unpublish"} and not comment:
        form.error("comment", "Напишите комментарий для школы: что исправить или почему материал снят.")
        return None
    event: BankEventAction
    if action == "approve":
        item.status = BankItemStatus.PUBLISHED
        item.published_at = item.published_at or utcnow()
        event = BankEventAction.APPROVED
        await add_words(db, item)
    elif action == "return":
        item.status = BankItemStatus.RETURNED
        item.recommended = False
        event = BankEventAction.RETURNED
    elif action == "unpublish":
        item.status = BankItemStatus.UNPUBLISHED
        item.recommended = False
        event = BankEventAction.UNPUBLISHED
    elif action == "recommend":
        item.recommended = True
        event = BankEventAction.RECOMMENDED
    else:
        item.recommended = False
        event = BankEventAction.UNRECOMMENDED
    await db.flush()
    await record(db, item, event, actor, comment)
    return event


async def create_region_item(
    db: AsyncSession, region: Region, form: Form, options: Choices, *, actor: User
) -> BankItem | None:
    """An item written by the region's methodists: published at once, no school as author."""
    fields = check_form(form, options)
    if fields is None:
        return None
    item = BankItem(
        region_id=region.id,
        author_school_id=None,
        municipality_id=None,
        author_name="Региональный институт развития образования (ИРО)",
        status=BankItemStatus.PUBLISHED,
        roadmap=[],
        published_at=utcnow(),
        contact_email=actor.email or "",
        created_by_id=actor.id,
    )
    _apply(item, fields, options)
    db.add(item)
    await db.flush()
    await record(db, item, BankEventAction.PUBLISHED, actor)
    await add_words(db, item)
    return item


def words_of(item: BankItem) -> list[str]:
    seen: dict[str, None] = {}
    for word in _WORD_RE.findall(f"{item.title} {item.search_text}".lower()):
        seen.setdefault(word, None)
        if len(seen) >= MAX_WORDS:
            break
    return list(seen)


async def add_words(db: AsyncSession, item: BankItem) -> None:
    words = words_of(item)
    if words:
        await db.execute(
            insert(BankWord)
            .values([{"region_id": item.region_id, "word": w} for w in words])
            .on_conflict_do_nothing()
        )


async def moderation_page(
    db: AsyncSession, region: Region, status: BankItemStatus, page: int
) -> tuple[Sequence[BankItem], Window]:
    query = (
        select(BankItem)
        .where(BankItem.region_id == region.id, BankItem.status == status)
        .order_by(BankItem.submitted_at.desc().nulls_last(), BankItem.id)
    )
    return await page_of(db, query, page)


async def moderation_counts(db: AsyncSession, region: Region) -> dict[BankItemStatus, int]:
    rows = await db.execute(
        select(BankItem.status, func.count())
        .where(BankItem.region_id == region.id, BankItem.status != BankItemStatus.DRAFT)
        .group_by(BankItem.status)
    )
    return {status: int(n) for status, n in rows}


# --- adoption -------------------------------------------------------------------------


async def adoption_of(db: AsyncSession, school: School, item: BankItem) -> CollectionItem | None:
    return await db.scalar(
        select(CollectionItem).where(
            CollectionItem.school_id == school.id, CollectionItem.bank_item_id == item.id
        )
    )


def _model_of(item: BankItem, options: Choices) -> ProgrammeModel:
    teacher_forms = {f.code for f in options.forms if f.attributes.get("mentee") == "teacher"}
    codes = set(item.form_codes)
    return ProgrammeModel.TEACHERS if codes and codes <= teacher_forms else ProgrammeModel.PUPILS


def _template_from(item: BankItem, school: School, options: Choices) -> RoadmapTemplate:
    template = RoadmapTemplate(
        region_id=school.municipality.region_id,
        school_id=school.id,
        title=item.title[:300],
        model=_model_of(item, options),
        description=f"Из банка региона: {item.author_name}. {item.summary}"[:2000],
        goals=item.results,
        active=True,
    )
    template.stages = []
    for position, stage in enumerate(item.roadmap, start=1):
        new_stage = RoadmapTemplateStage(position=position, title=str(stage.get("title", ""))[:300])
        new_stage.items = [
            RoadmapTemplateItem(
                position=number,
                event=str(row.get("event", "")),
                deadline_text=str(row.get("deadline_text", ""))[:120],
                starts_month=row.get("starts_month"),
                starts_day=row.get("starts_day"),
                due_month=int(row.get("due_month", 5)),
                due_day=int(row.get("due_day", 31)),
                responsible_role=None,
                responsible_note="",
                expected_result=str(row.get("expected_result", ""))[:500],
            )
            for number, row in enumerate(stage.get("items", []), start=1)
        ]
        template.stages.append(new_stage)
    return template


async def adopt(
    db: AsyncSession, school: School, item: BankItem, options: Choices, *, actor: User | None
) -> CollectionItem | None:
    """Copy a published item into the school: a programme becomes the school's roadmap
    template, every item is kept in the school's collection with the link back. None when
    the school already has it (or the item is its own)."""
    if item.status is not BankItemStatus.PUBLISHED or item.author_school_id == school.id:
        return None
    if await adoption_of(db, school, item) is not None:
        return None
    template: RoadmapTemplate | None = None
    if item.kind is BankItemKind.PROGRAMME and item.roadmap:
        template = _template_from(item, school, options)
        db.add(template)
        await db.flush()
    entry = CollectionItem(
        school_id=school.id,
        bank_item_id=item.id,
        kind=item.kind,
        title=item.title,
        summary=item.summary,
        description=item.description,
        results=item.results,
        source_name=item.author_name,
        plan_items=list(item.plan_items),
        roadmap_template_id=template.id if template else None,
        added_by_id=actor.id if actor else None,
    )
    db.add(entry)
    db.add(BankAdoption(region_id=item.region_id, item_id=item.id, school_id=school.id))
    await db.flush()
    return entry


async def collection_page(
    db: AsyncSession, school: School, page: int
) -> tuple[Sequence[CollectionItem], Window]:
    query = (
        select(CollectionItem)
        .where(CollectionItem.school_id == school.id)
        .order_by(CollectionItem.created_at.desc(), CollectionItem.id)
    )
    return await page_of(db, query, page)


async def get_collection_item(db: AsyncSession, school: School, entry_id: str) -> CollectionItem | None:
    try:
        key = uuid.UUID(entry_id)
    except ValueError:
        return None
    return await db.get(CollectionItem, (school.id, key))


# --- a plan template from the collection, into a pair's plan ----------------------------

PLAN_PAIRS_LIMIT = 200


async def plan_pairs(db: AsyncSession, school: School, year: int) -> list[tuple[str, str]]:
    """The school's forming and active pairs of the year, to add a collected plan to (bounded)."""
    result = await db.execute(
        select(Mentorship)
        .where(
            Mentorship.school_id == school.id,
            Mentorship.academic_year == year,
            Mentorship.status.in_((MentorshipStatus.FORMING, MentorshipStatus.ACTIVE)),
        )
        .options(selectinload(Mentorship.members).selectinload(MentorshipMember.participant))
        .order_by(Mentorship.created_at)
        .limit(PLAN_PAIRS_LIMIT)
    )
    return [(str(m.id), m.title) for m in result.scalars()]


async def apply_plan(db: AsyncSession, school: School, entry: CollectionItem, pair_id: str) -> int | None:
    """Add the collected plan's tasks to the pair's development plan; None: no such pair."""
    try:
        key = uuid.UUID(pair_id)
    except ValueError:
        return None
    plan = await db.scalar(
        select(DevelopmentPlan)
        .where(DevelopmentPlan.school_id == school.id, DevelopmentPlan.mentorship_id == key)
        .options(selectinload(DevelopmentPlan.items), selectinload(DevelopmentPlan.mentorship))
    )
    if plan is None:
        return None
    start = plan.mentorship.started_on or local_today()
    last = max((i.position for i in plan.items), default=-1)
    for offset, row in enumerate(entry.plan_items, start=1):
        plan.items.append(
            PlanItem(
                school_id=school.id,
                task=str(row.get("task", "")),
                activity=str(row.get("activity", "")),
                due_on=add_months(start, int(row.get("month", 0))),
                position=last + offset,
            )
        )
    await db.flush()
    return len(entry.plan_items)
