"""Reading what the documents need, registering documents, and the school's regulation text."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform import documents as d
from nastavnik.platform.auth.models import User
from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.db import set_school
from nastavnik.platform.web import Form
from nastavnik.school.documents.builders import BUILDERS, FILE_TITLES, DocumentData
from nastavnik.school.documents.models import DocumentKind, DocumentRegistration, SchoolRegulation
from nastavnik.school.documents.regulation_default import DEFAULT_REGULATION
from nastavnik.school.programme.figures import programme_figures
from nastavnik.school.programme.models import Programme
from nastavnik.school.programme.services import local_today
from nastavnik.school.roadmap.services import load_roadmap
from nastavnik.tenants.models import School, StaffMember
from nastavnik.tenants.reference import ReferenceKind, reference_items

NUMBER_RE = re.compile(r"^[0-9A-Za-zА-Яа-яЁё./\-_ ]{1,40}$")
REGISTRATION_FIELDS = ("number", "registered_on")
REGULATION_MAX = 100_000


def parse_kind(value: str) -> DocumentKind | None:
    try:
        return DocumentKind(value)
    except ValueError:
        return None


async def registrations(
    db: AsyncSession, school: School, programme: Programme
) -> dict[DocumentKind, DocumentRegistration]:
    await set_school(db, school.id)
    result = await db.execute(
        select(DocumentRegistration).where(
            DocumentRegistration.school_id == school.id, DocumentRegistration.programme_id == programme.id
        )
    )
    return {r.kind: r for r in result.scalars()}


def _parse_date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 — a calendar date
        except ValueError:
            continue
    return None


async def register(
    db: AsyncSession, school: School, programme: Programme, kind: DocumentKind, *, actor: User, form: Form
) -> DocumentRegistration | None:
    """Give a document its number and date; a second registration corrects the first."""
    number = form.require("number", "Укажите регистрационный номер, например 45-о.")
    if number and not NUMBER_RE.match(number):
        form.error("number", "Номер — до 40 символов: цифры, буквы, точка, дефис, косая черта.")
    date_text = form.require("registered_on", "Укажите дату регистрации.")
    day = _parse_date(date_text) if date_text else None
    today = local_today()
    if date_text and day is None:
        form.error("registered_on", "Дата записывается как дд.мм.гггг, например 01.09.2025.")
    elif day is not None and day > today:
        form.error("registered_on", "Дата регистрации не может быть позже сегодняшней.")
    elif day is not None and day < programme.year.starts.replace(year=programme.year.start - 1):
        form.error(
            "registered_on",
            f"Дата слишком ранняя для программы {programme.year.title} — проверьте год.",
        )
    if not form.ok or day is None:
        return None
    existing = (await registrations(db, school, programme)).get(kind)
    if existing is None:
        existing = DocumentRegistration(school_id=school.id, programme_id=programme.id, kind=kind)
        db.add(existing)
    existing.number = number
    existing.registered_on = day
    existing.registered_by_id = actor.id
    await db.flush()
    return existing


# --- regulation text --------------------------------------------------------------------


async def regulation_of(db: AsyncSession, school: School) -> SchoolRegulation | None:
    await set_school(db, school.id)
    result = await db.execute(select(SchoolRegulation).where(SchoolRegulation.school_id == school.id))
    return result.scalar_one_or_none()


async def regulation_text(db: AsyncSession, school: School) -> str:
    own = await regulation_of(db, school)
    return own.text if own else DEFAULT_REGULATION


async def save_regulation(db: AsyncSession, school: School, actor: User, form: Form) -> bool:
    text = form.require("text", "Текст Положения пуст — впишите его или восстановите текст по умолчанию.")
    if len(text) > REGULATION_MAX:
        form.error("text", f"Текст длиннее {REGULATION_MAX:,} символов — сократите его.".replace(",", " "))
    if text and "## " not in text:
        form.error("text", "В тексте нет ни одного раздела: начните заголовки разделов со знаков «## ».")
    if not form.ok:
        return False
    own = await regulation_of(db, school)
    if own is None:
        own = SchoolRegulation(school_id=school.id, text=text)
        db.add(own)
    own.text = text
    own.updated_by_id = actor.id
    await db.flush()
    return True


async def reset_regulation(db: AsyncSession, school: School) -> None:
    own = await regulation_of(db, school)
    if own is not None:
        await db.delete(own)
        await db.flush()


# --- building -----------------------------------------------------------------------


async def _first_with_role(db: AsyncSession, school: School, role: Role) -> StaffMember | None:
    result = await db.execute(
        select(StaffMember)
        .where(StaffMember.school_id == school.id, StaffMember.left_at.is_(None))
        .order_by(StaffMember.last_name)
    )
    return next((s for s in result.scalars() if role in s.roles), None)


async def document_data(db: AsyncSession, school: School, programme: Programme) -> DocumentData:
    await set_school(db, school.id)
    today = local_today()
    curator = None
    if programme.curator_id:
        curator = await db.get(StaffMember, (school.id, programme.curator_id))
    forms = {i.code: i.title for i in await reference_items(db, ReferenceKind.FORM, active_only=False)}
    return DocumentData(
        school=school,
        programme=programme,
        view=await load_roadmap(db, school, programme, today),
        figures=await programme_figures(db, school, programme.year),
        registrations=await registrations(db, school, programme),
        director=await _first_with_role(db, school, Role.DIRECTOR),
        curator=curator or await _first_with_role(db, school, Role.CURATOR),
        form_titles=[forms[code] for code in programme.forms if code in forms],
        regulation_text=await regulation_text(db, school),
        today=today,
    )


def build(kind: DocumentKind, data: DocumentData) -> d.Document:
    return BUILDERS[kind](data)


def file_name(kind: DocumentKind, data: DocumentData, extension: str) -> str:
    return f"{FILE_TITLES[kind]} {data.year} — {data.school.name}.{extension}"
