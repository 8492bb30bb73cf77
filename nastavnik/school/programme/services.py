"""Starting a programme (from a template or last year's), its settings and the contingent."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.db import set_school
from nastavnik.platform.web import Form
from nastavnik.school.programme.models import (
    Contingent,
    Programme,
    ProgrammeModel,
    ProgrammeStage,
    RoadmapTemplate,
    RoadmapTemplateStage,
)
from nastavnik.school.roadmap.models import ItemStatus, RoadmapItem, RoadmapResponsible
from nastavnik.tenants.models import School, StaffMember
from nastavnik.tenants.reference import ReferenceKind, reference_items

# Seven years back and two ahead are enough for any programme a school runs.
YEARS_BACK, YEARS_AHEAD = 7, 2


def local_today() -> dt.date:
    """Today in the server's time zone (set TZ to the region's zone in production)."""
    return dt.datetime.now(dt.UTC).astimezone().date()


def year_choices(today: dt.date | None = None) -> list[AcademicYear]:
    current = AcademicYear.current(today or local_today())
    return [AcademicYear(current.start + delta) for delta in range(YEARS_AHEAD, -YEARS_BACK - 1, -1)]


def parse_year(text: str) -> AcademicYear | None:
    year = AcademicYear.parse(text)
    if year is None:
        return None
    current = AcademicYear.current(local_today())
    if not current.start - YEARS_BACK <= year.start <= current.start + YEARS_AHEAD:
        return None
    return year


# --- staff ---------------------------------------------------------------------------


async def active_staff(db: AsyncSession, school: School) -> list[StaffMember]:
    await set_school(db, school.id)
    result = await db.execute(
        select(StaffMember)
        .where(StaffMember.school_id == school.id, StaffMember.left_at.is_(None))
        .order_by(StaffMember.last_name, StaffMember.first_name)
    )
    return list(result.scalars())


def _with_role(staff: list[StaffMember], role: Role) -> list[StaffMember]:
    return [s for s in staff if role in s.roles]


# --- templates -------------------------------------------------------------------------


def _template_options() -> list[Any]:
    return [selectinload(RoadmapTemplate.stages).selectinload(RoadmapTemplateStage.items)]


async def templates_for_school(db: AsyncSession, school: School) -> list[RoadmapTemplate]:
    """Active templates a school may start from: its region's own and the shipped ones.

    A shipped template is hidden where the region keeps an active copy of it.
    """
    region_id = school.municipality.region_id
    result = await db.execute(
        select(RoadmapTemplate)
        .where(
            RoadmapTemplate.active.is_(True),
            or_(RoadmapTemplate.region_id.is_(None), RoadmapTemplate.region_id == region_id),
            # The school's own templates (programmes adopted from the region's bank) and no other's.
            or_(RoadmapTemplate.school_id.is_(None), RoadmapTemplate.school_id == school.id),
        )
        .order_by(
            RoadmapTemplate.school_id.is_(None),
            RoadmapTemplate.region_id.is_(None),
            RoadmapTemplate.sort_order,
            RoadmapTemplate.title,
        )
    )
    templates = list(result.scalars())
    replaced = {t.based_on_id for t in templates if t.region_id is not None and t.based_on_id}
    return [t for t in templates if t.id not in replaced]


async def template_with_rows(db: AsyncSession, template_id: uuid.UUID) -> RoadmapTemplate | None:
    result = await db.execute(
        select(RoadmapTemplate).where(RoadmapTemplate.id == template_id).options(*_template_options())
    )
    return result.scalar_one_or_none()


# --- programmes -------------------------------------------------------------------------


async def list_programmes(db: AsyncSession, school: School) -> list[Programme]:
    await set_school(db, school.id)
    result = await db.execute(
        select(Programme).where(Programme.school_id == school.id).order_by(Programme.academic_year.desc())
    )
    return list(result.scalars())


async def programme_for_year(db: AsyncSession, school: School, year: AcademicYear) -> Programme | None:
    await set_school(db, school.id)
    result = await db.execute(
        select(Programme)
        .where(Programme.school_id == school.id, Programme.academic_year == year.start)
        .options(selectinload(Programme.stages))
    )
    return result.scalar_one_or_none()


async def default_programme(db: AsyncSession, school: School) -> Programme | None:
    """The programme to open by default: this academic year's, else the latest one."""
    current = await programme_for_year(db, school, AcademicYear.current(local_today()))
    if current is not None:
        return current
    programmes = await list_programmes(db, school)
    return programmes[0] if programmes else None


START_FIELDS = ("year", "source", "shift")


@dataclass(frozen=True)
class StartChoice:
    value: str
    label: str
    hint: str


async def start_choices(db: AsyncSession, school: School, year: AcademicYear | None) -> list[StartChoice]:
    choices: list[StartChoice] = []
    for template in await templates_for_school(db, school):
        hint = template.description
        choices.append(StartChoice(f"template:{template.id}", f"Шаблон «{template.title}»", hint))
    if year is not None:
        previous = await programme_for_year(db, school, year.previous())
        if previous is not None:
            choices.append(
                StartChoice(
                    "previous",
                    f"Программа прошлого года ({previous.year.title})",
                    "Этапы и мероприятия прошлого года со сроками, сдвинутыми на год; статусы и "
                    "отметки об исполнении сбрасываются.",
                )
            )
    return choices


async def start_programme(db: AsyncSession, school: School, form: Form) -> Programme | None:
    """Create the programme of a year from a template or from the previous year's programme."""
    year_text = form.require("year", "Выберите учебный год.")
    year = parse_year(year_text) if year_text else None
    if year_text and year is None:
        form.error("year", "Учебный год записывается как «2025-2026» и должен быть близок к текущему.")
    source = form.require("source", "Выберите, с чего начать: шаблон региона или программа прошлого года.")
    template: RoadmapTemplate | None = None
    previous: Programme | None = None
    if year is not None and await programme_for_year(db, school, year) is not None:
        form.error("year", f"Программа на {year.title} учебный год уже есть — откройте её.")
    if source.startswith("template:"):
        allowed = {str(t.id): t for t in await templates_for_school(db, school)}
        chosen = allowed.get(source.removeprefix("template:"))
        template = await template_with_rows(db, chosen.id) if chosen else None
        if template is None:
            form.error("source", "Этот шаблон недоступен: выберите другой.")
    elif source == "previous":
        if year is not None:
            previous = await programme_for_year(db, school, year.previous())
            if previous is None:
                form.error("source", f"Программы на {year.previous().title} учебный год нет.")
    elif source:
        form.error("source", "Выберите шаблон или программу прошлого года.")
    if not form.ok or year is None:
        return None
    staff = await active_staff(db, school)
    if template is not None:
        programme = await _from_template(db, school, year, template, staff)
        if form.value("shift") in {"true", "1", "on"}:
            await shift_into_rest_of_year(db, school, programme, local_today())
        return programme
    assert previous is not None  # noqa: S101 — the branches above leave one source
    return await _from_previous(db, school, year, previous, staff)


def _programme_title(model: ProgrammeModel, year: AcademicYear) -> str:
    if model is ProgrammeModel.TEACHERS:
        return f"Программа наставничества педагогических работников на {year.title} учебный год"
    return f"Программа наставничества на {year.title} учебный год"


async def _default_forms(db: AsyncSession, model: ProgrammeModel) -> list[str]:
    items = await reference_items(db, ReferenceKind.FORM)
    if model is ProgrammeModel.TEACHERS:
        return [i.code for i in items if i.attributes.get("mentee") == "teacher"]
    return [i.code for i in items]


async def _from_template(
    db: AsyncSession, school: School, year: AcademicYear, template: RoadmapTemplate, staff: list[StaffMember]
) -> Programme:
    curators = _with_role(staff, Role.CURATOR)
    programme = Programme(
        school_id=school.id,
        academic_year=year.start,
        model=template.model,
        title=_programme_title(template.model, year),
        origin=f"Шаблон «{template.title}»",
        template_id=template.id,
        goals=template.goals,
        forms=await _default_forms(db, template.model),
        curator_id=curators[0].id if curators else None,
        approved_by_name="",
        approved_by_position="",
    )
    db.add(programme)
    await db.flush()
    for template_stage in template.stages:
        stage = ProgrammeStage(
            school_id=school.id,
            programme_id=programme.id,
            position=template_stage.position,
            title=template_stage.title,
        )
        db.add(stage)
        await db.flush()
        for position, row in enumerate(template_stage.items, start=1):
            starts_on, due_on = row.dates(year)
            people = _with_role(staff, row.responsible_role) if row.responsible_role else []
            if row.responsible_role is Role.CURATOR and programme.curator_id:
                people = [s for s in people if s.id == programme.curator_id]
            item = RoadmapItem(
                school_id=school.id,
                programme_id=programme.id,
                stage_id=stage.id,
                position=position,
                event=row.event,
                deadline_text=row.deadline_text,
                starts_on=starts_on,
                due_on=due_on,
                responsible_note=row.responsible_note or ("" if people else _role_note(row.responsible_role)),
                expected_result=row.expected_result,
                status=ItemStatus.PLANNED,
                result_text="",
            )
            db.add(item)
            await db.flush()
            for order, person in enumerate(people[:1]):
                db.add(
                    RoadmapResponsible(
                        school_id=school.id, item_id=item.id, staff_member_id=person.id, position=order
                    )
                )
    await db.flush()
    return programme


def squeeze_day(day: dt.date, year: AcademicYear, start: dt.date, last: dt.date) -> dt.date:
    """Where a deadline of the whole year falls when the year's work is done from `start` to `last`."""
    span = (last - year.starts).days
    if span <= 0:
        return day
    offset = (max(day, year.starts) - year.starts).days
    return start + dt.timedelta(days=round(offset * (last - start).days / span))


async def shift_into_rest_of_year(
    db: AsyncSession, school: School, programme: Programme, today: dt.date
) -> int:
    """A programme started late: the template's deadlines squeezed between today and its last one.

    Rows keep their order; each shifted row's deadline is written as «до дд.мм.гггг». Nothing
    moves for a year not yet begun or already over (a past year's history keeps its dates).
    Returns the number of rows moved.
    """
    year = programme.year
    await set_school(db, school.id)
    items = list(
        (
            await db.execute(
                select(RoadmapItem).where(
                    RoadmapItem.school_id == school.id, RoadmapItem.programme_id == programme.id
                )
            )
        ).scalars()
    )
    last = max((i.due_on for i in items), default=year.ends)
    if not year.contains(today) or today >= last:
        return 0
    moved = 0
    for item in items:
        due = squeeze_day(item.due_on, year, today, last)
        if due == item.due_on:
            continue
        item.starts_on = squeeze_day(item.starts_on, year, today, last) if item.starts_on else None
        item.due_on = due
        item.deadline_text = f"до {due:%d.%m.%Y}"
        moved += 1
    await db.flush()
    return moved


_ROLE_NOTES = {
    Role.DIRECTOR: "Директор",
    Role.CURATOR: "Куратор программы наставничества",
    Role.PSYCHOLOGIST: "Педагог-психолог",
}


def _role_note(role: Role | None) -> str:
    return _ROLE_NOTES.get(role, "") if role else ""


_YEAR_IN_TEXT = re.compile(r"\b(20\d\d)\b")
_SHORT_YEAR_IN_DATE = re.compile(r"(\d{1,2}\.\d{1,2}\.)(\d{2})\b(?!\d)")


def shift_text_by_a_year(text: str) -> str:
    """«до 30.09.2024», «декабрь 2024 – май 2025» → the same a year later."""
    text = _YEAR_IN_TEXT.sub(lambda m: str(int(m.group(1)) + 1), text)
    return _SHORT_YEAR_IN_DATE.sub(lambda m: f"{m.group(1)}{(int(m.group(2)) + 1) % 100:02d}", text)


def shift_date_by_a_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


async def _from_previous(
    db: AsyncSession, school: School, year: AcademicYear, previous: Programme, staff: list[StaffMember]
) -> Programme:
    active_ids = {s.id for s in staff}
    programme = Programme(
        school_id=school.id,
        academic_year=year.start,
        model=previous.model,
        title=_programme_title(previous.model, year),
        origin=f"Программа {previous.year.title}",
        template_id=previous.template_id,
        goals=previous.goals,
        forms=list(previous.forms),
        curator_id=previous.curator_id if previous.curator_id in active_ids else None,
        approved_by_name="",
        approved_by_position="",
    )
    db.add(programme)
    await db.flush()
    rows = (
        await db.execute(
            select(RoadmapItem)
            .where(RoadmapItem.school_id == school.id, RoadmapItem.programme_id == previous.id)
            .options(selectinload(RoadmapItem.responsibles))
            .order_by(RoadmapItem.position)
        )
    ).scalars()
    by_stage: dict[uuid.UUID, list[RoadmapItem]] = {}
    for row in rows:
        by_stage.setdefault(row.stage_id, []).append(row)
    for old_stage in previous.stages:
        stage = ProgrammeStage(
            school_id=school.id, programme_id=programme.id, position=old_stage.position, title=old_stage.title
        )
        db.add(stage)
        await db.flush()
        for row in by_stage.get(old_stage.id, []):
            item = RoadmapItem(
                school_id=school.id,
                programme_id=programme.id,
                stage_id=stage.id,
                position=row.position,
                event=row.event,
                deadline_text=shift_text_by_a_year(row.deadline_text),
                starts_on=shift_date_by_a_year(row.starts_on) if row.starts_on else None,
                due_on=shift_date_by_a_year(row.due_on),
                responsible_note=row.responsible_note,
                expected_result=row.expected_result,
                status=ItemStatus.PLANNED,
                result_text="",
            )
            db.add(item)
            await db.flush()
            kept = [r for r in row.responsibles if r.staff_member_id in active_ids]
            for order, responsible in enumerate(kept):
                db.add(
                    RoadmapResponsible(
                        school_id=school.id,
                        item_id=item.id,
                        staff_member_id=responsible.staff_member_id,
                        position=order,
                    )
                )
    await db.flush()
    return programme


SETTINGS_FIELDS = ("title", "goals", "curator_id")


async def update_settings(
    db: AsyncSession, school: School, programme: Programme, form: Form, forms_chosen: list[str]
) -> bool:
    title = form.require("title", "Укажите название программы.")
    if len(title) > 500:
        form.error("title", "Название длиннее 500 символов — сократите его.")
    goals = form.value("goals")
    curator_value = form.value("curator_id")
    curator: StaffMember | None = None
    if curator_value:
        staff = {str(s.id): s for s in await active_staff(db, school)}
        curator = staff.get(curator_value)
        if curator is None:
            form.error("curator_id", "Этого сотрудника нет среди работающих в школе — выберите другого.")
    known = {i.code for i in await reference_items(db, ReferenceKind.FORM, active_only=False)}
    unknown = [code for code in forms_chosen if code not in known]
    if unknown:
        form.error(
            "forms", "Среди форм наставничества есть неизвестная — обновите страницу и выберите снова."
        )
    if not form.ok:
        return False
    programme.title = title
    programme.goals = goals
    programme.curator_id = curator.id if curator else None
    programme.forms = [code for code in forms_chosen if code in known]
    await db.flush()
    return True


# --- closing a year -----------------------------------------------------------------------

CLOSE_FIELDS = ("closed_on",)


def close_form(programme: Programme, today: dt.date) -> Form:
    suggested = programme.closed_on or min(today, programme.year.ends)
    return Form(data={"closed_on": suggested.isoformat()})


def close_programme(programme: Programme, form: Form, today: dt.date) -> bool:
    """Close the year's programme on a day inside its year, not in the future.

    A closed programme is a filed year: its report says what was done by that day and no
    longer counts rows as overdue against today.
    """
    raw = form.require("closed_on", "Укажите дату закрытия программы.")
    day: dt.date | None = None
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            form.error("closed_on", "Дата пишется так: 31.05.2023.")
    if day is not None and day > today:
        form.error("closed_on", "Программу закрывают по факту: дата не может быть в будущем.")
    elif day is not None and not programme.year.contains(day):
        form.error("closed_on", programme.year.outside_message("Дата закрытия"))
    if not form.ok or day is None:
        return False
    programme.closed_on = day
    return True


# --- contingent -------------------------------------------------------------------------

REQUIRED_CONTINGENT_FIELDS = ("pupils", "pupils_10_19", "teachers", "young_teachers")
# Optional: blank means «not recorded» (the report says «нет данных»).
SURVEY_FIELDS = ("pupils_surveyed", "teachers_surveyed")
CONTINGENT_FIELDS = REQUIRED_CONTINGENT_FIELDS + SURVEY_FIELDS
CONTINGENT_TITLES = {
    "pupils": "Обучающихся всего",
    "pupils_10_19": "Обучающихся в возрасте 10-19 лет",
    "teachers": "Педагогических работников",
    "young_teachers": "Педагогов до 35 лет в первые три года работы",
    "pupils_surveyed": "Обучающихся, прошедших анкетирование",
    "teachers_surveyed": "Педагогов, прошедших анкетирование",
}
_MAX_COUNT = 100_000


async def contingent_for(db: AsyncSession, school: School, year: AcademicYear) -> Contingent | None:
    await set_school(db, school.id)
    result = await db.execute(
        select(Contingent).where(Contingent.school_id == school.id, Contingent.academic_year == year.start)
    )
    return result.scalar_one_or_none()


def contingent_form(contingent: Contingent | None) -> Form:
    if contingent is None:
        return Form()
    values = {name: getattr(contingent, name) for name in CONTINGENT_FIELDS}
    return Form(data={name: "" if value is None else str(value) for name, value in values.items()})


async def save_contingent(
    db: AsyncSession, school: School, year: AcademicYear, form: Form
) -> Contingent | None:
    numbers: dict[str, int | None] = {}
    for name in CONTINGENT_FIELDS:
        raw = form.value(name).replace(" ", "").replace("\u00a0", "")
        if not raw and name in SURVEY_FIELDS:
            numbers[name] = None
            continue
        if not raw:
            form.error(name, "Укажите число (0, если таких нет).")
            continue
        if not raw.isdigit():
            form.error(name, "Нужно целое неотрицательное число, например 412.")
            continue
        value = int(raw)
        if value > _MAX_COUNT:
            form.error(
                name,
                f"Слишком большое число для одной организации (больше {_MAX_COUNT:,}).".replace(",", " "),
            )
            continue
        numbers[name] = value
    _check_part(form, numbers, "pupils_10_19", "pupils", "Обучающихся 10-19 лет")
    _check_part(form, numbers, "young_teachers", "teachers", "Молодых педагогов")
    _check_part(form, numbers, "pupils_surveyed", "pupils", "Прошедших анкетирование обучающихся")
    _check_part(form, numbers, "teachers_surveyed", "teachers", "Прошедших анкетирование педагогов")
    if not form.ok:
        return None
    contingent = await contingent_for(db, school, year)
    if contingent is None:
        contingent = Contingent(school_id=school.id, academic_year=year.start)
        db.add(contingent)
    for name, number in numbers.items():
        setattr(contingent, name, number)
    await db.flush()
    return contingent


_WHOLE_WORDS = {"pupils": "обучающихся всего", "teachers": "педагогов всего"}


def _check_part(form: Form, numbers: dict[str, int | None], part: str, whole: str, what: str) -> None:
    part_value, whole_value = numbers.get(part), numbers.get(whole)
    if part_value is not None and whole_value is not None and part_value > whole_value:
        form.error(part, f"{what} не может быть больше, чем {_WHOLE_WORDS[whole]}.")


def share(part: int, whole: int) -> int | None:
    """Percent, rounded; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return round(part * 100 / whole)
