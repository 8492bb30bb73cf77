"""Onboarding of regions, municipalities and schools; school staff and invitations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.auth.models import User
from nastavnik.platform.auth.permissions import INVITABLE_ROLES, Membership, Role, Scope
from nastavnik.platform.db import set_school, utcnow
from nastavnik.platform.imports import RowError
from nastavnik.platform.tabular import Table
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.tenants.models import (
    SCHOOL_KIND_TITLES,
    Municipality,
    Region,
    School,
    SchoolKind,
    StaffMember,
)
from nastavnik.tenants.provisioning import KeycloakProvisioner

CODE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
CODE_HINT = "Латинские строчные буквы, цифры и дефис, до 40 символов, например sosh2-zar."
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INN_RE = re.compile(r"^\d{10}$|^\d{12}$")


# --- regions and municipalities -------------------------------------------------------


async def list_regions(db: AsyncSession) -> list[Region]:
    result = await db.execute(
        select(Region).options(selectinload(Region.municipalities)).order_by(Region.name)
    )
    return list(result.scalars())


async def region_by_code(
    db: AsyncSession, code: str, *, with_schools: bool = True, with_municipalities: bool = True
) -> Region | None:
    """The region with its municipalities, and their schools unless `with_schools` is off
    (a workspace request needs no list of every school of the region). Without
    `with_municipalities` only the region's own row is read (every regional request
    resolves its region; the pages that list municipalities call `municipalities_of`)."""
    query = select(Region).where(Region.code == code)
    if with_municipalities:
        municipalities = selectinload(Region.municipalities)
        query = query.options(
            municipalities.selectinload(Municipality.schools) if with_schools else municipalities
        )
    result = await db.execute(query)
    return result.scalar_one_or_none()


async def municipalities_of(db: AsyncSession, region_id: Any) -> list[Municipality]:
    """The region's municipalities by name (a region has at most a hundred or so)."""
    result = await db.execute(
        select(Municipality).where(Municipality.region_id == region_id).order_by(Municipality.name)
    )
    return list(result.scalars())


async def municipality_in_region(
    db: AsyncSession, region_id: Any, *, code: str | None = None, municipality_id: Any = None
) -> Municipality | None:
    query = select(Municipality).where(Municipality.region_id == region_id)
    if code is not None:
        query = query.where(Municipality.code == code)
    if municipality_id is not None:
        query = query.where(Municipality.id == municipality_id)
    return (await db.execute(query)).scalar_one_or_none()


async def municipality_by_code(db: AsyncSession, code: str) -> Municipality | None:
    result = await db.execute(
        select(Municipality)
        .where(Municipality.code == code)
        .options(selectinload(Municipality.schools), selectinload(Municipality.region))
    )
    return result.scalar_one_or_none()


async def school_by_code(db: AsyncSession, code: str) -> School | None:
    result = await db.execute(
        select(School)
        .where(School.code == code)
        .options(selectinload(School.municipality).selectinload(Municipality.region))
    )
    return result.scalar_one_or_none()


async def schools_by_codes(db: AsyncSession, codes: list[str]) -> list[School]:
    if not codes:
        return []
    result = await db.execute(
        select(School)
        .where(School.code.in_(codes))
        .options(selectinload(School.municipality))
        .order_by(School.name)
    )
    return list(result.scalars())


def _check_code(form: Form, field: str = "code") -> str:
    code = form.require(field).lower()
    if code and not CODE_RE.match(code):
        form.error(field, "Код может содержать только " + CODE_HINT[0].lower() + CODE_HINT[1:])
    return code


async def create_region(db: AsyncSession, provisioner: KeycloakProvisioner, form: Form) -> Region | None:
    code = _check_code(form)
    name = form.require("name", "Укажите название региона.")
    if code and await db.scalar(select(func.count()).where(Region.code == code)):
        form.error("code", "Регион с таким кодом уже есть.")
    if not form.ok:
        return None
    await provisioner.ensure_region_groups(code)
    region = Region(code=code, name=name)
    db.add(region)
    await db.flush()
    return region


async def create_municipality(
    db: AsyncSession, provisioner: KeycloakProvisioner, region: Region, form: Form
) -> Municipality | None:
    code = _check_code(form)
    name = form.require("name", "Укажите название муниципалитета.")
    if code and await db.scalar(select(func.count()).where(Municipality.code == code)):
        form.error("code", "Муниципалитет с таким кодом уже есть.")
    if not form.ok:
        return None
    await provisioner.ensure_municipality_groups(code)
    municipality = Municipality(region_id=region.id, code=code, name=name)
    db.add(municipality)
    await db.flush()
    return municipality


# --- schools ------------------------------------------------------------------------

SCHOOL_FIELDS = ("municipality", "code", "name", "full_name", "kind", "inn", "address")

_KIND_ALIASES: dict[str, SchoolKind] = {
    **{k.value: k for k in SchoolKind},
    **{title.lower(): k for k, title in SCHOOL_KIND_TITLES.items()},
    "школа": SchoolKind.GENERAL,
    "оо": SchoolKind.GENERAL,
    "сош": SchoolKind.GENERAL,
    "дод": SchoolKind.ADDITIONAL,
    "до": SchoolKind.ADDITIONAL,
    "цдт": SchoolKind.ADDITIONAL,
    "доу": SchoolKind.PRESCHOOL,
    "детский сад": SchoolKind.PRESCHOOL,
    "спо": SchoolKind.VOCATIONAL,
    "колледж": SchoolKind.VOCATIONAL,
    "техникум": SchoolKind.VOCATIONAL,
}


def parse_kind(value: str) -> SchoolKind | None:
    return _KIND_ALIASES.get(value.strip().lower())


@dataclass
class SchoolDraft:
    municipality: Municipality
    code: str
    name: str
    full_name: str
    kind: SchoolKind
    inn: str | None
    address: str


def validate_school(
    form: Form,
    municipalities: dict[str, Municipality],
    taken_codes: set[str],
) -> SchoolDraft | None:
    """Check one school (from the form or one import row); errors go into `form`."""
    municipality_key = form.require("municipality", "Выберите муниципалитет.")
    municipality = municipalities.get(municipality_key) or municipalities.get(municipality_key.lower())
    if municipality_key and municipality is None:
        form.error("municipality", "Такого муниципалитета нет в регионе.")
    code = _check_code(form)
    if code and code in taken_codes:
        form.error("code", "Организация с таким кодом уже есть.")
    name = form.require("name", "Укажите краткое наименование.")
    if len(name) > 200:
        form.error("name", "Краткое наименование длиннее 200 символов.")
    full_name = form.value("full_name") or name
    if len(full_name) > 500:
        form.error("full_name", "Полное наименование длиннее 500 символов.")
    kind_value = form.require("kind", "Укажите тип организации.")
    kind = parse_kind(kind_value) if kind_value else None
    if kind_value and kind is None:
        form.error("kind", "Тип: школа, ДОД (ЦДТ), ДОУ или СПО.")
    inn = form.value("inn").replace(" ", "")
    if inn and not INN_RE.match(inn):
        form.error("inn", "ИНН состоит из 10 цифр (для организации).")
    address = form.value("address")
    if not form.ok or municipality is None or kind is None:
        return None
    return SchoolDraft(municipality, code, name, full_name, kind, inn or None, address)


async def _municipality_index(db: AsyncSession, region: Region) -> dict[str, Municipality]:
    result = await db.execute(select(Municipality).where(Municipality.region_id == region.id))
    index: dict[str, Municipality] = {}
    for m in result.scalars():
        index[m.code] = m
        index[m.name.lower()] = m
    return index


async def _taken_school_codes(db: AsyncSession) -> set[str]:
    return set((await db.execute(select(School.code))).scalars())


async def create_school(
    db: AsyncSession, provisioner: KeycloakProvisioner, region: Region, form: Form
) -> School | None:
    draft = validate_school(form, await _municipality_index(db, region), await _taken_school_codes(db))
    if draft is None:
        return None
    return await _create_school(db, provisioner, draft)


async def _create_school(db: AsyncSession, provisioner: KeycloakProvisioner, draft: SchoolDraft) -> School:
    await provisioner.ensure_school_groups(draft.code)
    school = School(
        municipality_id=draft.municipality.id,
        code=draft.code,
        name=draft.name,
        full_name=draft.full_name,
        kind=draft.kind,
        inn=draft.inn,
        address=draft.address,
    )
    db.add(school)
    await db.flush()
    return school


# Column titles accepted in import files, mapped to form fields (lower-cased).
IMPORT_COLUMNS: dict[str, str] = {
    "муниципалитет": "municipality",
    "код муниципалитета": "municipality",
    "код": "code",
    "код оо": "code",
    "краткое наименование": "name",
    "наименование": "name",
    "полное наименование": "full_name",
    "тип": "kind",
    "тип оо": "kind",
    "инн": "inn",
    "адрес": "address",
}
IMPORT_COLUMN_TITLES: dict[str, str] = {
    "municipality": "Муниципалитет",
    "code": "Код",
    "name": "Краткое наименование",
    "full_name": "Полное наименование",
    "kind": "Тип",
    "inn": "ИНН",
    "address": "Адрес",
}
REQUIRED_IMPORT_COLUMNS = ("municipality", "code", "name", "kind")


@dataclass
class SchoolImportResult:
    errors: list[RowError]
    created: list[School]
    rows: int


async def import_schools(
    db: AsyncSession, provisioner: KeycloakProvisioner, region: Region, table: Table
) -> SchoolImportResult:
    """Validate every row; create all schools only if none has an error."""
    columns: dict[int, str] = {}
    for index, header in enumerate(table.headers):
        field = IMPORT_COLUMNS.get(header.strip().lower())
        if field and field not in columns.values():
            columns[index] = field
    missing = [f for f in REQUIRED_IMPORT_COLUMNS if f not in columns.values()]
    if missing:
        titles = ", ".join(f"«{IMPORT_COLUMN_TITLES[f]}»" for f in missing)
        return SchoolImportResult(
            [RowError(1, "", "", f"В файле нет обязательных столбцов: {titles}.")], [], 0
        )
    municipalities = await _municipality_index(db, region)
    taken = await _taken_school_codes(db)
    drafts: list[SchoolDraft] = []
    errors: list[RowError] = []
    rows = 0
    for offset, row in enumerate(table.rows):
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        line = offset + 2
        form = Form.from_mapping({columns[i]: v for i, v in enumerate(row) if i in columns}, SCHOOL_FIELDS)
        draft = validate_school(form, municipalities, taken)
        for field, message in form.errors.items():
            errors.append(RowError(line, IMPORT_COLUMN_TITLES[field], form.value(field), message))
        if draft is not None:
            taken.add(draft.code)  # a code repeated further down the file is a duplicate too
            drafts.append(draft)
    if rows == 0:
        errors.append(RowError(2, "", "", "В файле нет ни одной строки с данными."))
    if errors:
        return SchoolImportResult(errors, [], rows)
    created = [await _create_school(db, provisioner, d) for d in drafts]
    return SchoolImportResult([], created, rows)


# --- staff ----------------------------------------------------------------------------


async def list_staff(db: AsyncSession, school: School) -> list[StaffMember]:
    await set_school(db, school.id)
    result = await db.execute(
        select(StaffMember)
        .where(StaffMember.school_id == school.id)
        .order_by(StaffMember.left_at.is_not(None), StaffMember.last_name, StaffMember.first_name)
    )
    return list(result.scalars())


async def count_staff(db: AsyncSession, school: School) -> int:
    """Staff who still work in the school, counted in PostgreSQL."""
    await set_school(db, school.id)
    return int(
        await db.scalar(
            select(func.count())
            .select_from(StaffMember)
            .where(StaffMember.school_id == school.id, StaffMember.left_at.is_(None))
        )
        or 0
    )


async def staff_page(db: AsyncSession, school: School, page: int = 1) -> tuple[Sequence[StaffMember], Window]:
    """One page of the staff list: those who work first, by surname."""
    await set_school(db, school.id)
    query = (
        select(StaffMember)
        .where(StaffMember.school_id == school.id)
        .order_by(
            StaffMember.left_at.is_not(None), StaffMember.last_name, StaffMember.first_name, StaffMember.id
        )
    )
    return await page_of(db, query, page)


async def sync_staff_on_login(db: AsyncSession, user: User, memberships: list[Membership]) -> None:
    """Mirror the user's school roles (from Keycloak groups) into each school's staff list."""
    roles_by_school: dict[str, set[Role]] = {}
    for m in memberships:
        if m.scope is Scope.SCHOOL:
            roles_by_school.setdefault(m.code, set()).add(m.role)
    for school in await schools_by_codes(db, sorted(roles_by_school)):
        await set_school(db, school.id)
        roles = sorted(roles_by_school[school.code])
        member = (
            (
                await db.execute(
                    select(StaffMember).where(
                        StaffMember.school_id == school.id,
                        (StaffMember.user_id == user.id)
                        | (func.lower(StaffMember.email) == (user.email or "").lower()),
                    )
                )
            )
            .scalars()
            .first()
        )
        if member is None:
            member = StaffMember(
                school_id=school.id,
                email=(user.email or user.username).lower(),
                last_name=user.last_name or user.username,
                first_name=user.first_name,
                middle_name=user.middle_name,
                roles=roles,
            )
            db.add(member)
        member.user_id = user.id
        member.roles = roles
        member.left_at = None
    await set_school(db, None)


INVITE_FIELDS = ("email", "last_name", "first_name", "middle_name", "position", "role")


async def invite_staff(
    db: AsyncSession,
    provisioner: KeycloakProvisioner,
    school: School,
    inviter: User,
    form: Form,
) -> StaffMember | None:
    email = form.require("email", "Укажите адрес электронной почты.").lower()
    if email and not EMAIL_RE.match(email):
        form.error("email", "Адрес почты выглядит неверно: проверьте, что в нём есть «@» и домен.")
    last_name = form.require("last_name", "Укажите фамилию.")
    first_name = form.require("first_name", "Укажите имя.")
    middle_name = form.value("middle_name")
    role_value = form.require("role", "Выберите роль.")
    role = next((r for r in INVITABLE_ROLES if r.value == role_value), None)
    if role_value and role is None:
        form.error("role", "Эту роль нельзя выдать приглашением.")
    await set_school(db, school.id)
    existing = (
        await db.execute(
            select(StaffMember).where(
                StaffMember.school_id == school.id, func.lower(StaffMember.email) == email
            )
        )
    ).scalar_one_or_none()
    if existing and role in existing.roles and existing.left_at is None:
        form.error("email", "Этот сотрудник уже работает в школе в этой роли.")
    if not form.ok or role is None:
        return None
    await provisioner.invite(
        email=email,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        group_path=Membership(Scope.SCHOOL, school.code, role).group_path,
    )
    member = existing or StaffMember(
        school_id=school.id,
        email=email,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        roles=[],
    )
    if existing is None:
        db.add(member)
    member.position = form.value("position") or member.position
    member.roles = sorted({*member.roles, role})
    member.invited_by_id = inviter.id
    member.invited_at = utcnow()
    member.left_at = None
    await db.flush()
    return member
