"""Requests and mentors' offers in bulk: directions, request areas and capacity set for many
people of a bank at once (a class after its intake, the teachers after a staff meeting).

The grid is one page of the bank, filtered as the bank is; the curator ticks rows and sets
the values once for all of them, replacing what the rows had or adding to it. All ticked
rows are written or none (the values are checked before anything changes).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.web import Form
from nastavnik.school.directory import services as directory
from nastavnik.school.participants.models import MenteeProfile, MentorProfile
from nastavnik.school.participants.parsing import parse_int
from nastavnik.school.participants.search import BankFilters, BankPage, search_bank
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items

MAX_ROWS = 200
GRID_PAGE_SIZE = 100
MAX_CAPACITY = 30
MODES = {"replace": "Заменить то, что было", "add": "Добавить к тому, что было"}
FIELDS = ("mode", "capacity")


@dataclass
class BulkRequests:
    form: Form = field(default_factory=Form)
    saved: int = 0
    picked: list[str] = field(default_factory=list)


async def grid_page(db: AsyncSession, school: School, bank: str, filters: BankFilters) -> BankPage:
    return await search_bank(db, school, bank, filters, show_unconsented=True, page_size=GRID_PAGE_SIZE)


def _chosen(
    data: Mapping[str, Any], name: str, items: list[ReferenceItem], form: Form
) -> list[ReferenceItem]:
    getall = getattr(data, "getall", None)
    values = [str(v) for v in (getall(name, []) if getall else data.get(name, []))]
    form.data[name] = values
    by_id = {str(i.id): i for i in items}
    chosen = [by_id[v] for v in dict.fromkeys(values) if v in by_id]
    if len(chosen) != len(set(values)):
        form.error(name, "Выберите значения из списка.")
    return chosen


@dataclass
class Values:
    mode: str
    directions: list[ReferenceItem]
    areas: list[ReferenceItem]
    capacity: int | None


async def _values(db: AsyncSession, bank: str, data: Mapping[str, Any], form: Form) -> Values:
    mode = form.value("mode") or "replace"
    if mode not in MODES:
        form.error("mode", "Выберите, заменить или добавить.")
    directions = _chosen(data, "directions", await reference_items(db, ReferenceKind.DIRECTION), form)
    areas: list[ReferenceItem] = []
    capacity: int | None = None
    if bank == "mentees":
        areas = _chosen(data, "request_areas", await reference_items(db, ReferenceKind.REQUEST_AREA), form)
    elif form.value("capacity"):
        capacity = parse_int(form.value("capacity"), 1, MAX_CAPACITY)
        if capacity is None:
            form.error("capacity", f"Число наставляемых — от 1 до {MAX_CAPACITY}.")
    if form.ok and not (directions or areas or capacity):
        what = " или сферы запроса." if bank == "mentees" else " или укажите число наставляемых."
        form.error("directions", "Отметьте направления" + what)
    return Values(mode, directions, areas, capacity)


def _keys(picked: list[str], form: Form) -> list[uuid.UUID]:
    keys: list[uuid.UUID] = []
    for value in dict.fromkeys(picked):
        try:
            keys.append(uuid.UUID(value))
        except ValueError:
            continue
    if not keys:
        form.error("__all__", "Отметьте строки, которым записать запрос.")
    elif len(keys) > MAX_ROWS:
        form.error("__all__", f"За один раз — не больше {MAX_ROWS} строк.")
    return keys


async def save(
    db: AsyncSession, school: School, bank: str, year: int, data: Mapping[str, Any], picked: list[str]
) -> BulkRequests:
    """Set the chosen directions (areas, capacity) on every picked profile of the year."""
    form = Form.from_mapping(data, FIELDS)
    result = BulkRequests(form=form, picked=picked)
    values = await _values(db, bank, data, form)
    keys = _keys(picked, form)
    if not form.ok:
        return result
    rows: list[MenteeProfile] | list[MentorProfile]
    if bank == "mentees":
        rows = list(
            (
                await db.execute(
                    select(MenteeProfile)
                    .where(
                        MenteeProfile.school_id == school.id,
                        MenteeProfile.academic_year == year,
                        MenteeProfile.id.in_(keys),
                    )
                    .options(
                        selectinload(MenteeProfile.directions), selectinload(MenteeProfile.request_areas)
                    )
                )
            ).scalars()
        )
        for mentee in rows:
            if values.directions:
                mentee.directions = _merged(mentee.directions, values.directions, values.mode)
            if values.areas:
                mentee.request_areas = _merged(mentee.request_areas, values.areas, values.mode)
    else:
        rows = list(
            (
                await db.execute(
                    select(MentorProfile)
                    .where(
                        MentorProfile.school_id == school.id,
                        MentorProfile.academic_year == year,
                        MentorProfile.id.in_(keys),
                    )
                    .options(selectinload(MentorProfile.directions))
                )
            ).scalars()
        )
        for mentor in rows:
            if values.directions:
                mentor.directions = _merged(mentor.directions, values.directions, values.mode)
            if values.capacity is not None:
                mentor.capacity = values.capacity
    await db.flush()
    if bank != "mentees":
        await directory.sync_mentors(db, school.id, [r.participant_id for r in rows])
    result.saved = len(rows)
    return result


def _merged(had: list[ReferenceItem], chosen: list[ReferenceItem], mode: str) -> list[ReferenceItem]:
    if mode == "replace":
        return list(chosen)
    return [*had, *(c for c in chosen if c.id not in {h.id for h in had})]
