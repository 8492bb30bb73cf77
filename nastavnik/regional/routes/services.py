"""Individual educational routes: caseloads, the seven steps, the profile of deficits, the
roadmap with its versions, products, reflection and mentors proposed for a deficit.

Every function takes the route it works on, loaded under the caller's scope: a school's
page loads it under `app.school_id`, a tutor's under `app.tutor_id` (the route's policies
then show only the tutor's own routes), a methodist's under `app.routes_region_id` (the
header only). After each write the route's regional figures are recounted in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from nastavnik.platform import audit
from nastavnik.platform.auth.models import User
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_region, utcnow
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.regional.routes import figures
from nastavnik.regional.routes.models import (
    ACTIVITY_KIND_TITLES,
    ACTIVITY_STATUS_TITLES,
    STEP_TITLES,
    ActivityKind,
    ActivityStatus,
    IndividualRoute,
    ProposalStatus,
    RegionTutor,
    RouteActivity,
    RouteAreaScore,
    RouteCourse,
    RouteMentorProposal,
    RouteResource,
    RouteStatus,
    RouteStep,
    RouteVersion,
    StepStatus,
)
from nastavnik.school.participants.models import Participant, ParticipantKind, local_today
from nastavnik.school.participants.parsing import parse_date
from nastavnik.tenants.models import Region, School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items
from nastavnik.tenants.services import region_by_code

ROUTE_YEARS = 4
TEXT_LIMIT = 4000
TEACHER_CHOICES = 300
PRODUCT_MAX_BYTES = 5 * 1024 * 1024


def parse_uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except (ValueError, TypeError):
        return None


async def deficit_areas(db: AsyncSession) -> list[ReferenceItem]:
    return await reference_items(db, ReferenceKind.DEFICIT_AREA)


# --- tutors ------------------------------------------------------------------------------


async def sync_tutor_on_login(db: AsyncSession, user: User, memberships: Sequence[Membership]) -> None:
    """A tutor who signs in is found in the region's list by e-mail (or added to it)."""
    for m in memberships:
        if m.scope is not Scope.REGION or m.role is not Role.CNPPM_TUTOR:
            continue
        region = await region_by_code(db, m.code, with_schools=False)
        if region is None:
            continue
        await set_region(db, region.id)
        email = (user.email or user.username).lower()
        tutor = await db.scalar(
            select(RegionTutor).where(
                RegionTutor.region_id == region.id,
                (RegionTutor.user_id == user.id) | (func.lower(RegionTutor.email) == email),
            )
        )
        if tutor is None:
            tutor = await add_tutor(db, region, user)
        tutor.user_id = user.id
        await db.flush()
    await set_region(db, None)


async def add_tutor(db: AsyncSession, region: Region, user: User) -> RegionTutor:
    name = " ".join(p for p in (user.last_name, user.first_name, user.middle_name) if p)
    tutor = RegionTutor(
        region_id=region.id,
        user_id=user.id,
        email=(user.email or user.username).lower(),
        full_name=name or user.username,
    )
    db.add(tutor)
    await db.flush()
    return tutor


async def tutor_of_user(db: AsyncSession, region: Region, user: User) -> RegionTutor | None:
    email = (user.email or user.username).lower()
    found: RegionTutor | None = await db.scalar(
        select(RegionTutor)
        .where(
            RegionTutor.region_id == region.id,
            (RegionTutor.user_id == user.id) | (func.lower(RegionTutor.email) == email),
        )
        .order_by(RegionTutor.user_id.is_(None))
        .limit(1)
    )
    return found


@dataclass(frozen=True)
class TutorLoad:
    tutor: RegionTutor
    routes: int


async def tutors_with_load(db: AsyncSession, region: Region) -> list[TutorLoad]:
    """The region's tutors and how many active routes each guides (methodist's scope)."""
    load = (
        select(IndividualRoute.tutor_id, func.count().label("n"))
        .where(IndividualRoute.region_id == region.id, IndividualRoute.status == RouteStatus.ACTIVE)
        .group_by(IndividualRoute.tutor_id)
        .subquery()
    )
    rows = await db.execute(
        select(RegionTutor, func.coalesce(load.c.n, 0))
        .outerjoin(load, load.c.tutor_id == RegionTutor.id)
        .where(RegionTutor.region_id == region.id)
        .order_by(RegionTutor.full_name)
        .limit(500)
    )
    return [TutorLoad(t, int(n)) for t, n in rows]


# --- caseloads ---------------------------------------------------------------------------


def _search(query: Select[Any], q: str) -> Select[Any]:
    if q:
        pattern = "%" + q.replace("%", "").replace("_", "")[:100] + "%"
        query = query.where(
            IndividualRoute.teacher_name.ilike(pattern) | IndividualRoute.school_name.ilike(pattern)
        )
    return query


async def caseload(
    db: AsyncSession, tutor: RegionTutor, page: int, q: str = ""
) -> tuple[Sequence[IndividualRoute], Window]:
    """The tutor's teachers across schools, by name (the tutor's policy shows no others)."""
    query = _search(select(IndividualRoute).where(IndividualRoute.tutor_id == tutor.id), q)
    return await page_of(db, query.order_by(IndividualRoute.teacher_name, IndividualRoute.id), page)


async def caseload_steps(db: AsyncSession, tutor: RegionTutor) -> dict[int, int]:
    rows = await db.execute(
        select(IndividualRoute.current_step, func.count())
        .where(IndividualRoute.tutor_id == tutor.id, IndividualRoute.status == RouteStatus.ACTIVE)
        .group_by(IndividualRoute.current_step)
    )
    return {int(step): int(n) for step, n in rows}


async def region_routes(
    db: AsyncSession, region: Region, page: int, *, waiting_only: bool, q: str = ""
) -> tuple[Sequence[IndividualRoute], Window]:
    """The region's routes for its methodists (headers only), those awaiting a tutor first."""
    query = select(IndividualRoute).where(IndividualRoute.region_id == region.id)
    if waiting_only:
        query = query.where(IndividualRoute.status == RouteStatus.REQUESTED)
    query = _search(query, q).order_by(
        (IndividualRoute.status != RouteStatus.REQUESTED), IndividualRoute.teacher_name, IndividualRoute.id
    )
    return await page_of(db, query, page)


async def waiting_count(db: AsyncSession, region: Region) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(IndividualRoute)
            .where(IndividualRoute.region_id == region.id, IndividualRoute.status == RouteStatus.REQUESTED)
        )
        or 0
    )


async def school_routes(
    db: AsyncSession, school: School, page: int
) -> tuple[Sequence[IndividualRoute], Window]:
    query = (
        select(IndividualRoute)
        .where(IndividualRoute.school_id == school.id)
        .order_by(IndividualRoute.teacher_name, IndividualRoute.id)
    )
    return await page_of(db, query, page)


async def routes_of_participants(
    db: AsyncSession, school: School, participant_ids: Sequence[uuid.UUID]
) -> Sequence[IndividualRoute]:
    if not participant_ids:
        return []
    rows = await db.execute(
        select(IndividualRoute)
        .where(IndividualRoute.school_id == school.id, IndividualRoute.participant_id.in_(participant_ids))
        .order_by(IndividualRoute.teacher_name)
        .limit(100)
    )
    return rows.scalars().all()


async def get_route(db: AsyncSession, route_id: str, school: School | None = None) -> IndividualRoute | None:
    """The route if the transaction's scope may read it (else None → 404)."""
    key = parse_uuid(route_id)
    if key is None:
        return None
    query = select(IndividualRoute).where(IndividualRoute.id == key)
    if school is not None:
        query = query.where(IndividualRoute.school_id == school.id)
    found: IndividualRoute | None = await db.scalar(query)
    return found


# --- creating and assigning --------------------------------------------------------------


@dataclass(frozen=True)
class TeacherChoice:
    participant_id: uuid.UUID
    title: str


async def school_teacher_choices(db: AsyncSession, school: School) -> list[TeacherChoice]:
    """Teachers of the school's bank without a route yet (bounded window, by name)."""
    routed = select(IndividualRoute.participant_id).where(IndividualRoute.school_id == school.id)
    rows = await db.execute(
        select(Participant)
        .where(
            Participant.school_id == school.id,
            Participant.kind == ParticipantKind.TEACHER,
            Participant.anonymised_at.is_(None),
            Participant.id.not_in(routed),
        )
        .order_by(Participant.last_name, Participant.first_name)
        .limit(TEACHER_CHOICES)
    )
    return [
        TeacherChoice(p.id, p.full_name + (f" — {p.position}" if p.position else "")) for p in rows.scalars()
    ]


@dataclass(frozen=True)
class Candidate:
    participant_id: uuid.UUID
    full_name: str
    position: str
    subjects: list[str]


async def region_teacher_candidates(db: AsyncSession, school: School) -> list[Candidate]:
    """Teachers of a school of the methodist's region (see `route_teacher_candidates`)."""
    rows = await db.execute(
        text("SELECT * FROM route_teacher_candidates(:school, :n)"),
        {"school": school.id, "n": TEACHER_CHOICES},
    )
    return [Candidate(r.participant_id, r.full_name, r.position or "", list(r.subjects or [])) for r in rows]


async def schools_of_region(db: AsyncSession, region: Region) -> list[School]:
    from nastavnik.tenants.models import Municipality

    rows = await db.execute(
        select(School)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(Municipality.region_id == region.id)
        .options(contains_eager(School.municipality))
        .order_by(School.name)
        .limit(2000)
    )
    return list(rows.scalars())


def _new_route(
    school: School, *, participant_id: uuid.UUID, name: str, position: str, subject: str
) -> IndividualRoute:
    today = local_today()
    return IndividualRoute(
        school_id=school.id,
        participant_id=participant_id,
        region_id=school.municipality.region_id,
        municipality_id=school.municipality_id,
        teacher_name=name,
        teacher_position=position,
        subject=subject[:120],
        school_name=school.name,
        starts_on=today,
        ends_on=today.replace(year=today.year + ROUTE_YEARS),
        current_step=1,
        tutor_name="",
        request_note="",
    )


async def request_route(
    db: AsyncSession, school: School, form: Form, *, user_id: uuid.UUID | None
) -> IndividualRoute | None:
    """A school curator asks the region for a tutor for one of the school's teachers."""
    raw = form.require("teacher", "Выберите педагога.")
    note = form.value("note")[:TEXT_LIMIT]
    if not form.ok:
        return None
    person = None
    key = parse_uuid(raw)
    if key is not None:
        person = await db.scalar(
            select(Participant).where(
                Participant.school_id == school.id,
                Participant.id == key,
                Participant.kind == ParticipantKind.TEACHER,
                Participant.anonymised_at.is_(None),
            )
        )
    if person is None:
        form.error("teacher", "Выберите педагога из списка.")
        return None
    exists = await db.scalar(
        select(func.count())
        .select_from(IndividualRoute)
        .where(IndividualRoute.school_id == school.id, IndividualRoute.participant_id == person.id)
    )
    if exists:
        form.error("teacher", "У этого педагога уже есть маршрут.")
        return None
    route = _new_route(
        school,
        participant_id=person.id,
        name=person.full_name,
        position=person.position,
        subject=person.subjects[0] if person.subjects else "",
    )
    route.status = RouteStatus.REQUESTED
    route.request_note = note
    route.requested_by_id = user_id
    db.add(route)
    await figures.refresh_route(db, school.id, route.id)
    return route


async def assign_new(
    db: AsyncSession, region: Region, form: Form, *, user_id: uuid.UUID | None
) -> IndividualRoute | None:
    """A methodist assigns a teacher of a school of the region to a tutor (a new route)."""
    school_code = form.require("school", "Выберите организацию.")
    teacher_raw = form.require("teacher", "Выберите педагога.")
    tutor_raw = form.require("tutor", "Выберите тьютора.")
    if not form.ok:
        return None
    school = next((s for s in await schools_of_region(db, region) if s.code == school_code), None)
    if school is None:
        form.error("school", "Выберите организацию из списка.")
        return None
    candidate = next(
        (c for c in await region_teacher_candidates(db, school) if str(c.participant_id) == teacher_raw), None
    )
    if candidate is None:
        form.error("teacher", "Выберите педагога из списка.")
    tutor = await _tutor(db, region, tutor_raw)
    if tutor is None:
        form.error("tutor", "Выберите тьютора из списка.")
    if candidate is None or tutor is None:
        return None
    existing = await db.scalar(
        select(IndividualRoute).where(
            IndividualRoute.school_id == school.id, IndividualRoute.participant_id == candidate.participant_id
        )
    )
    if existing is not None:
        if existing.tutor_id is not None:
            form.error("teacher", f"Педагога уже сопровождает тьютор {existing.tutor_name}.")
            return None
        await assign_tutor(db, existing, tutor, user_id=user_id)
        return existing
    route = _new_route(
        school,
        participant_id=candidate.participant_id,
        name=candidate.full_name,
        position=candidate.position,
        subject=candidate.subjects[0] if candidate.subjects else "",
    )
    route.status = RouteStatus.ACTIVE
    route.tutor_id = tutor.id
    route.tutor_name = tutor.full_name
    route.assigned_by_id = user_id
    route.assigned_at = utcnow()
    db.add(route)
    await figures.refresh_status(db, school.id, route.id)
    return route


async def _tutor(db: AsyncSession, region: Region, raw: str) -> RegionTutor | None:
    key = parse_uuid(raw)
    if key is None:
        return None
    found: RegionTutor | None = await db.scalar(
        select(RegionTutor).where(RegionTutor.region_id == region.id, RegionTutor.id == key)
    )
    return found


async def assign_tutor(
    db: AsyncSession, route: IndividualRoute, tutor: RegionTutor, *, user_id: uuid.UUID | None
) -> None:
    route.tutor_id = tutor.id
    route.tutor_name = tutor.full_name
    route.assigned_by_id = user_id
    route.assigned_at = utcnow()
    if route.status is RouteStatus.REQUESTED:
        route.status = RouteStatus.ACTIVE
    await figures.refresh_status(db, route.school_id, route.id)


async def assign_from_form(
    db: AsyncSession, region: Region, route: IndividualRoute, form: Form, *, user_id: uuid.UUID | None
) -> bool:
    tutor = await _tutor(db, region, form.require("tutor", "Выберите тьютора."))
    if tutor is None:
        form.error("tutor", "Выберите тьютора из списка.")
        return False
    await assign_tutor(db, route, tutor, user_id=user_id)
    return True


async def audit_read(
    db: AsyncSession, route: IndividualRoute, *, actor_id: uuid.UUID, request_id: str, who: str
) -> None:
    """A tutor's (or methodist's) read of a teacher's route, outside the teacher's school."""
    await audit.record(
        db,
        action="individual_route.read",
        actor_id=actor_id,
        school_id=route.school_id,
        object_type="individual_route",
        object_id=str(route.id),
        request_id=request_id,
        details={"reader": who},
    )


# --- the route's page --------------------------------------------------------------------


@dataclass(frozen=True)
class AreaProfile:
    code: str
    title: str
    short: str
    self_score: float | None
    tutor_score: int | None
    curator_score: int | None
    comment: str
    reflection: str
    combined: float | None
    again: float | None  # the re-diagnosis, when there is one

    @property
    def level(self) -> str:
        return level_of(self.combined)

    @property
    def is_deficit(self) -> bool:
        return self.combined is not None and self.combined < figures.DEFICIT_BELOW

    @property
    def change(self) -> float | None:
        if self.combined is None or self.again is None:
            return None
        return round(self.again - self.combined, 2)

    @property
    def closed(self) -> bool:
        return self.is_deficit and self.again is not None and self.again >= figures.DEFICIT_BELOW


def level_of(score: float | None) -> str:
    if score is None:
        return "нет оценок"
    if score < figures.STRONG_DEFICIT_BELOW:
        return "выраженный дефицит"
    if score < figures.DEFICIT_BELOW:
        return "частичный дефицит"
    return "дефицита нет"


def combined_of(score: RouteAreaScore | None) -> float | None:
    if score is None:
        return None
    values = [float(v) for v in (score.self_score, score.tutor_score, score.curator_score) if v is not None]
    return round(sum(values) / len(values), 2) if values else None


@dataclass
class RouteView:
    route: IndividualRoute
    steps: dict[int, RouteStep]
    areas: list[ReferenceItem]
    profile: list[AreaProfile]
    scores: dict[int, dict[str, RouteAreaScore]]
    activities: Sequence[RouteActivity]
    versions: Sequence[RouteVersion]
    proposals: Sequence[RouteMentorProposal]
    area_titles: dict[str, str] = field(default_factory=dict)

    def step_status(self, number: int) -> StepStatus:
        step = self.steps.get(number)
        return step.status if step else StepStatus.NOT_STARTED

    def step_content(self, number: int) -> str:
        step = self.steps.get(number)
        return step.content if step else ""

    @property
    def deficits(self) -> list[AreaProfile]:
        return [a for a in self.profile if a.is_deficit]

    @property
    def step_titles(self) -> dict[int, str]:
        return STEP_TITLES

    @property
    def has_rediagnosis(self) -> bool:
        return any(a.again is not None for a in self.profile)


VERSIONS_SHOWN = 50
ACTIVITIES_MAX = 200


async def route_view(db: AsyncSession, route: IndividualRoute) -> RouteView:
    """Everything a route page shows, in a fixed number of statements."""
    steps = {
        s.number: s
        for s in (
            await db.execute(
                select(RouteStep).where(
                    RouteStep.school_id == route.school_id, RouteStep.route_id == route.id
                )
            )
        ).scalars()
    }
    score_rows = (
        await db.execute(
            select(RouteAreaScore).where(
                RouteAreaScore.school_id == route.school_id, RouteAreaScore.route_id == route.id
            )
        )
    ).scalars()
    scores: dict[int, dict[str, RouteAreaScore]] = {1: {}, 2: {}}
    for s in score_rows:
        scores.setdefault(s.round, {})[s.area_code] = s
    areas = await deficit_areas(db)
    profile = []
    for area in areas:
        first = scores[1].get(area.code)
        second = scores[2].get(area.code)
        profile.append(
            AreaProfile(
                code=area.code,
                title=area.title,
                short=area.short_title or area.title,
                self_score=first.self_score if first else None,
                tutor_score=first.tutor_score if first else None,
                curator_score=first.curator_score if first else None,
                comment=first.self_comment if first else "",
                reflection=second.reflection if second else "",
                combined=combined_of(first),
                again=combined_of(second),
            )
        )
    activities = (
        (
            await db.execute(
                select(RouteActivity)
                .where(RouteActivity.school_id == route.school_id, RouteActivity.route_id == route.id)
                .order_by(RouteActivity.starts_on.nulls_last(), RouteActivity.created_at)
                .limit(ACTIVITIES_MAX)
            )
        )
        .scalars()
        .all()
    )
    versions = (
        (
            await db.execute(
                select(RouteVersion)
                .where(RouteVersion.school_id == route.school_id, RouteVersion.route_id == route.id)
                .order_by(RouteVersion.number.desc())
                .limit(VERSIONS_SHOWN)
            )
        )
        .scalars()
        .all()
    )
    proposals = (
        (
            await db.execute(
                select(RouteMentorProposal)
                .where(
                    RouteMentorProposal.school_id == route.school_id, RouteMentorProposal.route_id == route.id
                )
                .order_by(RouteMentorProposal.created_at.desc())
                .limit(50)
            )
        )
        .scalars()
        .all()
    )
    return RouteView(
        route,
        steps,
        areas,
        profile,
        scores,
        activities,
        versions,
        proposals,
        {a.code: a.short_title or a.title for a in areas},
    )


# --- steps -------------------------------------------------------------------------------


async def _recount_step(db: AsyncSession, route: IndividualRoute) -> None:
    """The step the route is at: the furthest one begun (the next after it when it is done)."""
    await db.flush()
    statuses = dict(
        (
            await db.execute(
                select(RouteStep.number, RouteStep.status).where(
                    RouteStep.school_id == route.school_id, RouteStep.route_id == route.id
                )
            )
        ).all()
    )
    begun = [n for n, status in statuses.items() if status is not StepStatus.NOT_STARTED]
    furthest = max(begun, default=1)
    if statuses.get(furthest) is StepStatus.DONE:
        furthest = min(furthest + 1, len(STEP_TITLES))
    route.current_step = furthest
    if all(statuses.get(n) is StepStatus.DONE for n in STEP_TITLES):
        route.status = RouteStatus.COMPLETED
    elif route.status is RouteStatus.COMPLETED:
        route.status = RouteStatus.ACTIVE
    await figures.refresh_route(db, route.school_id, route.id)


async def save_step(
    db: AsyncSession, route: IndividualRoute, number: int, form: Form, *, author: str
) -> bool:
    status = next((s for s in StepStatus if s.value == form.value("status")), None)
    if status is None:
        form.error("status", "Выберите статус шага.")
    content = form.value("content")
    if len(content) > TEXT_LIMIT:
        form.error("content", f"Не длиннее {TEXT_LIMIT} символов: сократите текст.")
    if number in (1, 2) and status is StepStatus.DONE and not content:
        form.error("content", "Опишите результат шага, прежде чем отметить его выполненным.")
    if not form.ok or status is None:
        return False
    step = await db.scalar(
        select(RouteStep).where(
            RouteStep.school_id == route.school_id, RouteStep.route_id == route.id, RouteStep.number == number
        )
    )
    if step is None:
        step = RouteStep(school_id=route.school_id, route_id=route.id, number=number, status=status)
        db.add(step)
    step.status = status
    step.content = content
    step.updated_by = author
    await _recount_step(db, route)
    return True


async def mark_step(
    db: AsyncSession, route: IndividualRoute, number: int, status: StepStatus, author: str
) -> None:
    """Move a step forward when its work is recorded (never back: people set that)."""
    step = await db.scalar(
        select(RouteStep).where(
            RouteStep.school_id == route.school_id, RouteStep.route_id == route.id, RouteStep.number == number
        )
    )
    if step is None:
        db.add(
            RouteStep(
                school_id=route.school_id, route_id=route.id, number=number, status=status, updated_by=author
            )
        )
    elif step.status is StepStatus.NOT_STARTED or (
        step.status is StepStatus.IN_PROGRESS and status is StepStatus.DONE
    ):
        step.status = status
        step.updated_by = author
    await _recount_step(db, route)


# --- assessments -------------------------------------------------------------------------


async def _score_row(
    db: AsyncSession, route: IndividualRoute, round_number: int, code: str
) -> RouteAreaScore:
    row = await db.scalar(
        select(RouteAreaScore).where(
            RouteAreaScore.school_id == route.school_id,
            RouteAreaScore.route_id == route.id,
            RouteAreaScore.round == round_number,
            RouteAreaScore.area_code == code,
        )
    )
    if row is None:
        row = RouteAreaScore(
            school_id=route.school_id,
            route_id=route.id,
            round=round_number,
            area_code=code,
            self_comment="",
            achievements="",
            reflection="",
        )
        db.add(row)
    return row


async def save_assessment(
    db: AsyncSession,
    route: IndividualRoute,
    form: Form,
    *,
    who: str,
    areas: Sequence[ReferenceItem],
    author: str,
) -> bool:
    """The tutor's or the curator's 1-5 per area, for the round in progress."""
    values: dict[str, int | None] = {}
    for area in areas:
        raw = form.value(f"score_{area.code}")
        if not raw:
            values[area.code] = None
        elif raw.isdigit() and 1 <= int(raw) <= 5:
            values[area.code] = int(raw)
        else:
            form.error(f"score_{area.code}", "Оценка от 1 до 5.")
    if not form.ok:
        return False
    if all(v is None for v in values.values()):
        form.error("__all__", "Поставьте оценку хотя бы по одной области.")
        return False
    for code, value in values.items():
        row = await _score_row(db, route, route.diagnosis_round, code)
        if who == "tutor":
            row.tutor_score = value
        else:
            row.curator_score = value
    await mark_step(db, route, 3 if route.diagnosis_round == 1 else 7, StepStatus.IN_PROGRESS, author)
    return True


async def save_reflection(
    db: AsyncSession, route: IndividualRoute, form: Form, *, areas: Sequence[ReferenceItem], author: str
) -> bool:
    texts = {a.code: form.value(f"reflection_{a.code}") for a in areas}
    for code, value in texts.items():
        if len(value) > TEXT_LIMIT:
            form.error(f"reflection_{code}", f"Не длиннее {TEXT_LIMIT} символов.")
    if not form.ok:
        return False
    for code, value in texts.items():
        if value:
            (await _score_row(db, route, 2, code)).reflection = value
    await mark_step(db, route, 7, StepStatus.IN_PROGRESS, author)
    return True


async def start_rediagnosis(db: AsyncSession, route: IndividualRoute, author: str) -> None:
    route.diagnosis_round = 2
    await mark_step(db, route, 7, StepStatus.IN_PROGRESS, author)


# --- catalogues --------------------------------------------------------------------------


async def courses_page(
    db: AsyncSession, region: Region, page: int, q: str = "", area: str = ""
) -> tuple[Sequence[RouteCourse], Window]:
    query = select(RouteCourse).where(RouteCourse.region_id == region.id)
    if q:
        query = query.where(RouteCourse.title.ilike("%" + q.replace("%", "")[:100] + "%"))
    if area:
        query = query.where(RouteCourse.area_codes.contains([area]))
    return await page_of(db, query.order_by(RouteCourse.title, RouteCourse.starts_on, RouteCourse.id), page)


async def course_choices(db: AsyncSession, region: Region, limit: int = 300) -> Sequence[RouteCourse]:
    rows = await db.execute(
        select(RouteCourse)
        .where(RouteCourse.region_id == region.id)
        .order_by(RouteCourse.title, RouteCourse.starts_on)
        .limit(limit)
    )
    return rows.scalars().all()


async def resources(db: AsyncSession, region: Region, limit: int = 300) -> Sequence[RouteResource]:
    rows = await db.execute(
        select(RouteResource)
        .where(RouteResource.region_id == region.id)
        .order_by(RouteResource.kind, RouteResource.title)
        .limit(limit)
    )
    return rows.scalars().all()


RESOURCE_FIELDS = ("kind", "title", "organisation", "contact", "areas")


async def add_resource(
    db: AsyncSession, region: Region, form: Form, areas: list[str]
) -> RouteResource | None:
    from nastavnik.regional.routes.models import ResourceKind

    kind = next((k for k in ResourceKind if k.value == form.value("kind")), None)
    if kind is None:
        form.error("kind", "Выберите: стажировочная площадка или сообщество.")
    title = form.require("title", "Укажите название.")[:400]
    if not form.ok or kind is None:
        return None
    resource = RouteResource(
        region_id=region.id,
        kind=kind,
        title=title,
        organisation=form.value("organisation")[:300],
        contact=form.value("contact")[:300],
        area_codes=areas,
    )
    db.add(resource)
    await db.flush()
    return resource


# --- the roadmap and its versions -------------------------------------------------------

ACTIVITY_FIELDS = (
    "kind",
    "course",
    "resource",
    "title",
    "details",
    "areas",
    "starts_on",
    "ends_on",
    "reason",
)


def _snapshot(activities: Sequence[RouteActivity], titles: dict[str, str]) -> list[dict[str, str]]:
    return [
        {
            "title": a.title,
            "kind": ACTIVITY_KIND_TITLES[a.kind],
            "areas": ", ".join(titles.get(c, c) for c in a.area_codes),
            "starts_on": a.starts_on.strftime("%d.%m.%Y") if a.starts_on else "",
            "ends_on": a.ends_on.strftime("%d.%m.%Y") if a.ends_on else "",
            "status": ACTIVITY_STATUS_TITLES[a.status],
        }
        for a in activities
    ]


async def _version(db: AsyncSession, route: IndividualRoute, reason: str, change: str, author: str) -> None:
    await db.flush()
    activities = (
        (
            await db.execute(
                select(RouteActivity)
                .where(RouteActivity.school_id == route.school_id, RouteActivity.route_id == route.id)
                .order_by(RouteActivity.starts_on.nulls_last(), RouteActivity.created_at)
                .limit(ACTIVITIES_MAX)
            )
        )
        .scalars()
        .all()
    )
    titles = {a.code: a.short_title or a.title for a in await deficit_areas(db)}
    route.roadmap_version += 1
    db.add(
        RouteVersion(
            school_id=route.school_id,
            route_id=route.id,
            number=route.roadmap_version,
            reason=reason,
            change=change[:600],
            snapshot=_snapshot(activities, titles),
            author=author,
        )
    )
    if route.roadmap_version > 1:
        await mark_step(db, route, 6, StepStatus.IN_PROGRESS, author)


def _dates(form: Form) -> tuple[dt.date | None, dt.date | None]:
    values = []
    for name in ("starts_on", "ends_on"):
        raw = form.value(name)
        day = parse_date(raw) if raw else None
        if raw and day is None:
            form.error(name, "Дата в виде дд.мм.гггг.")
        values.append(day)
    start, end = values
    if start and end and end < start:
        form.error("ends_on", "Окончание не раньше начала.")
    return start, end


def _reason(route: IndividualRoute, form: Form) -> str:
    """After the roadmap is fixed, every change needs its reason (step 6, corrections)."""
    reason = form.value("reason")[:TEXT_LIMIT]
    if route.roadmap_version > 0 and not reason:
        form.error("reason", "Дорожная карта уже утверждена: укажите причину изменения.")
    return reason


async def add_activity(
    db: AsyncSession,
    region: Region,
    route: IndividualRoute,
    form: Form,
    areas: list[str],
    *,
    known_areas: set[str],
    author: str,
) -> RouteActivity | None:
    kind = next((k for k in ActivityKind if k.value == form.value("kind")), None)
    if kind is None:
        form.error("kind", "Выберите вид мероприятия.")
    if not areas:
        form.error("areas", "Отметьте дефицит(ы), на которые направлено мероприятие.")
    elif any(a not in known_areas for a in areas):
        form.error("areas", "Отметьте области из списка.")
    start, end = _dates(form)
    reason = _reason(route, form)
    title = form.value("title")[:400]
    details = form.value("details")[:600]
    course = resource = None
    if kind is ActivityKind.COURSE:
        key = parse_uuid(form.value("course"))
        course = (
            await db.scalar(
                select(RouteCourse).where(RouteCourse.region_id == region.id, RouteCourse.id == key)
            )
            if key
            else None
        )
        if course is None:
            form.error("course", "Выберите программу из каталога ДПП.")
        else:
            title = course.title
            details = f"{course.provider}, {course.hours} ч, {course.format}"
            start = start or course.starts_on
            end = end or course.ends_on
    elif kind is ActivityKind.MEASURE and form.value("resource"):
        key = parse_uuid(form.value("resource"))
        resource = (
            await db.scalar(
                select(RouteResource).where(RouteResource.region_id == region.id, RouteResource.id == key)
            )
            if key
            else None
        )
        if resource is None:
            form.error("resource", "Выберите площадку или сообщество из списка.")
        else:
            title = title or resource.title
            details = details or resource.organisation
    if kind is not None and kind is not ActivityKind.COURSE and not title:
        form.error("title", "Опишите мероприятие.")
    if not form.ok or kind is None:
        return None
    activity = RouteActivity(
        school_id=route.school_id,
        route_id=route.id,
        kind=kind,
        title=title,
        details=details,
        course_id=course.id if course else None,
        resource_id=resource.id if resource else None,
        area_codes=areas,
        starts_on=start,
        ends_on=end,
        status=ActivityStatus.PLANNED,
    )
    db.add(activity)
    await db.flush()
    if route.roadmap_version > 0:
        await _version(db, route, reason, f"Добавлено: {title}", author)
    await mark_step(db, route, 4, StepStatus.IN_PROGRESS, author)
    return activity


async def get_activity(db: AsyncSession, route: IndividualRoute, activity_id: str) -> RouteActivity | None:
    key = parse_uuid(activity_id)
    if key is None:
        return None
    found: RouteActivity | None = await db.scalar(
        select(RouteActivity).where(
            RouteActivity.school_id == route.school_id,
            RouteActivity.route_id == route.id,
            RouteActivity.id == key,
        )
    )
    return found


async def change_activity(
    db: AsyncSession, route: IndividualRoute, activity: RouteActivity, form: Form, *, author: str
) -> bool:
    """New dates or status of a roadmap row; after approval, with a reason (a new version)."""
    status = next((s for s in ActivityStatus if s.value == form.value("status")), None)
    if status is None:
        form.error("status", "Выберите статус.")
    start, end = _dates(form)
    reason = _reason(route, form)
    if not form.ok or status is None:
        return False
    changes = []
    if status is not activity.status:
        changes.append(f"статус «{ACTIVITY_STATUS_TITLES[status]}»")
    if start != activity.starts_on or end != activity.ends_on:
        changes.append("сроки")
    if not changes:
        form.error("__all__", "Ничего не изменилось.")
        return False
    activity.status = status
    activity.starts_on = start
    activity.ends_on = end
    if route.roadmap_version > 0:
        await _version(db, route, reason, f"{activity.title}: " + ", ".join(changes), author)
    if status is ActivityStatus.DONE:
        await mark_step(db, route, 5, StepStatus.IN_PROGRESS, author)
    else:
        await figures.refresh_route(db, route.school_id, route.id)
    return True


async def approve_roadmap(db: AsyncSession, route: IndividualRoute, form: Form, *, author: str) -> bool:
    count = await db.scalar(
        select(func.count())
        .select_from(RouteActivity)
        .where(RouteActivity.school_id == route.school_id, RouteActivity.route_id == route.id)
    )
    if not count:
        form.error("__all__", "В дорожной карте нет ни одного мероприятия.")
        return False
    if route.roadmap_version > 0:
        form.error("__all__", "Дорожная карта уже утверждена; изменения вносятся с причиной.")
        return False
    await _version(
        db, route, form.value("reason") or "Дорожная карта составлена и согласована", "Утверждена", author
    )
    await mark_step(db, route, 4, StepStatus.DONE, author)
    return True


PRODUCT_FIELDS = ("product_title", "product_url", "teacher_view")


async def save_product(
    db: AsyncSession,
    route: IndividualRoute,
    activity: RouteActivity,
    form: Form,
    upload: tuple[str, bytes, str] | None,
    *,
    author: str,
) -> bool:
    """The activity's product (a link or a file, checked by `check_upload`) and the teacher's
    own view of the result."""
    title = form.require("product_title", "Назовите продукт: например, «Методические рекомендации …».")[:300]
    url = form.value("product_url")[:1000]
    if url and not url.lower().startswith(("http://", "https://")):
        form.error("product_url", "Ссылка начинается с http:// или https://.")
    if not url and upload is None and not activity.product_filename:
        form.error("product_url", "Дайте ссылку на продукт или приложите файл.")
    view = form.value("teacher_view")[:TEXT_LIMIT]
    if not form.ok:
        return False
    activity.product_title = title
    activity.product_url = url
    activity.teacher_view = view
    if upload is not None:
        name, content, media_type = upload
        activity.product_filename = name[-255:]
        activity.product_media_type = media_type
        activity.product_file = content
    if activity.status is not ActivityStatus.CANCELLED:
        activity.status = ActivityStatus.DONE
    await mark_step(db, route, 5, StepStatus.IN_PROGRESS, author)
    return True


async def product_file(db: AsyncSession, activity: RouteActivity) -> bytes | None:
    content: bytes | None = await db.scalar(
        select(RouteActivity.product_file).where(
            RouteActivity.school_id == activity.school_id, RouteActivity.id == activity.id
        )
    )
    return content


# --- mentors for a deficit ---------------------------------------------------------------


async def propose_mentor(
    db: AsyncSession,
    route: IndividualRoute,
    *,
    area: str,
    mentor_school_id: uuid.UUID,
    mentor_profile_id: uuid.UUID,
    mentor_name: str,
    mentor_position: str,
    mentor_school_name: str,
    competency_titles: list[str],
    note: str,
    author: str,
) -> RouteMentorProposal | None:
    duplicate = await db.scalar(
        select(func.count())
        .select_from(RouteMentorProposal)
        .where(
            RouteMentorProposal.school_id == route.school_id,
            RouteMentorProposal.route_id == route.id,
            RouteMentorProposal.mentor_school_id == mentor_school_id,
            RouteMentorProposal.mentor_profile_id == mentor_profile_id,
            RouteMentorProposal.area_code == area,
            RouteMentorProposal.status != ProposalStatus.DISMISSED,
        )
    )
    if duplicate:
        return None
    proposal = RouteMentorProposal(
        school_id=route.school_id,
        route_id=route.id,
        area_code=area,
        mentor_school_id=mentor_school_id,
        mentor_profile_id=mentor_profile_id,
        mentor_name=mentor_name,
        mentor_position=mentor_position,
        mentor_school_name=mentor_school_name,
        competency_titles=competency_titles,
        note=note[:TEXT_LIMIT],
        status=ProposalStatus.PROPOSED,
        proposed_by=author,
    )
    db.add(proposal)
    await db.flush()
    return proposal


async def get_proposal(
    db: AsyncSession, route: IndividualRoute, proposal_id: str
) -> RouteMentorProposal | None:
    key = parse_uuid(proposal_id)
    if key is None:
        return None
    found: RouteMentorProposal | None = await db.scalar(
        select(RouteMentorProposal).where(
            RouteMentorProposal.school_id == route.school_id,
            RouteMentorProposal.route_id == route.id,
            RouteMentorProposal.id == key,
        )
    )
    return found


async def dismiss_proposal(db: AsyncSession, proposal: RouteMentorProposal) -> None:
    await db.execute(
        update(RouteMentorProposal)
        .where(RouteMentorProposal.school_id == proposal.school_id, RouteMentorProposal.id == proposal.id)
        .values(status=ProposalStatus.DISMISSED)
    )


@dataclass(frozen=True)
class CaseloadRow:
    route: IndividualRoute
    deficits: list[str]
    activities: int
    done: int


async def caseload_report_rows(db: AsyncSession, tutor: RegionTutor, limit: int = 2000) -> list[CaseloadRow]:
    """The tutor's routes with their deficits and roadmap progress (counted in SQL)."""
    counts = (
        select(
            RouteActivity.school_id,
            RouteActivity.route_id,
            func.count().label("n"),
            func.count().filter(RouteActivity.status == ActivityStatus.DONE).label("done"),
        )
        .group_by(RouteActivity.school_id, RouteActivity.route_id)
        .subquery()
    )
    from nastavnik.regional.routes.models import RouteFigure

    rows = await db.execute(
        select(IndividualRoute, RouteFigure.deficit_codes, counts.c.n, counts.c.done)
        .outerjoin(
            RouteFigure,
            and_(
                RouteFigure.school_id == IndividualRoute.school_id, RouteFigure.route_id == IndividualRoute.id
            ),
        )
        .outerjoin(
            counts,
            and_(counts.c.school_id == IndividualRoute.school_id, counts.c.route_id == IndividualRoute.id),
        )
        .where(IndividualRoute.tutor_id == tutor.id)
        .order_by(IndividualRoute.school_name, IndividualRoute.teacher_name)
        .limit(limit)
    )
    return [CaseloadRow(r, list(codes or []), int(n or 0), int(done or 0)) for r, codes, n, done in rows]
