"""Demo ИОМ: the region's tutors, a catalogue of ДПП and resources, and routes in every step.

The demo tutor (login `tutor`) guides teachers of several schools of the demo region, so the
caseload is real at first sign-in; the demo teacher (login `mentee`, Васильева А. С. of
sosh2-zar) has a route at step 3 with the self-diagnosis questionnaires waiting in «Мои
анкеты»; one teacher's route waits for a tutor (the methodist's queue). Idempotent per
school: a school that already has routes is left alone.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.db import set_region, set_school
from nastavnik.regional.routes import diagnosis, figures
from nastavnik.regional.routes.models import (
    ActivityKind,
    ActivityStatus,
    IndividualRoute,
    RegionTutor,
    ResourceKind,
    RouteActivity,
    RouteAreaScore,
    RouteCourse,
    RouteResource,
    RouteStatus,
    RouteStep,
    RouteVersion,
    StepStatus,
)
from nastavnik.school.participants.models import Participant, ParticipantKind, local_today
from nastavnik.tenants.models import Municipality, Region, School, StaffMember

DEMO_REGION_CODE = "demo"
AREAS = ("theory", "regulatory", "subject", "psychology", "methods", "ict", "upbringing", "health")
TUTORS = (
    ("tutor@demo.nastavnik.local", "Фёдорова Ирина Владимировна", "Тьютор ЦНППМ, русский язык и литература"),
    ("orlov.tutor@demo.nastavnik.local", "Орлов Виктор Семёнович", "Тьютор ЦНППМ, естественные науки"),
)
PROVIDER = "ГАУ ДПО «Институт развития образования»"
COURSES = (
    ("Формирование функциональной грамотности обучающихся", PROVIDER, 36, "очно-заочно", ("methods",)),
    ("Цифровая образовательная среда: инструменты учителя", "ЦНППМ ПР", 48, "дистанционно", ("ict",)),
    ("Обновлённые ФГОС: требования к рабочим программам", PROVIDER, 24, "дистанционно", ("regulatory",)),
    ("Психолого-педагогическое сопровождение обучающихся с ОВЗ", PROVIDER, 72, "очно", ("psychology",)),
    ("Взаимодействие с родителями: трудные случаи", "ЦНППМ ПР", 18, "очно", ("psychology",)),
    ("Рабочая программа воспитания: от плана к событиям", PROVIDER, 36, "очно-заочно", ("upbringing",)),
    ("Здоровьесберегающие технологии на уроке", "ЦНППМ ПР", 24, "дистанционно", ("health",)),
    ("Подготовка к ОГЭ и ЕГЭ по русскому языку: трудные задания", PROVIDER, 36, "очно", ("subject",)),
    ("Подготовка к олимпиадам по математике", "ЦНППМ ПР", 48, "очно-заочно", ("subject",)),
    ("Современная дидактика: теория и исследования", PROVIDER, 72, "дистанционно", ("theory",)),
    ("Формирующее оценивание в основной школе", "ЦНППМ ПР", 24, "очно", ("methods",)),
    (
        "Проектная и исследовательская деятельность школьников",
        PROVIDER,
        36,
        "очно-заочно",
        ("methods", "upbringing"),
    ),
)
RESOURCES = (
    (
        ResourceKind.INTERNSHIP_SITE,
        "Стажировочная площадка «Функциональная грамотность»",
        "МАОУ Гимназия № 1",
        ("methods",),
    ),
    (ResourceKind.INTERNSHIP_SITE, "Стажировочная площадка «Цифровая школа»", "МБОУ СОШ № 2", ("ict",)),
    (
        ResourceKind.COMMUNITY,
        "Региональное методическое объединение учителей русского языка",
        "ИРО",
        ("subject",),
    ),
    (ResourceKind.COMMUNITY, "Клуб молодых педагогов «Старт»", "ЦНППМ ПР", ("psychology", "upbringing")),
)

REFLECTION = "Освоила приёмы, которые теперь использую на каждом уроке; осталось закрепить в старших классах."
# Per school, how far each of its teachers' routes has gone (the order of the teachers found).
PLAN: dict[str, tuple[int, ...]] = {
    "sosh2-zar": (3, 4, 5, 7, 2, 0),
    "gimn1-zar": (5, 4, 6, 1),
    "cdt-ozr": (4, 7, 0),
}


def _scores(seed: int) -> dict[str, tuple[float, int, int]]:
    """Round-one assessments: two or three clear deficits per teacher, the rest fine."""
    weak = {
        AREAS[seed % 8],
        AREAS[(seed * 3 + 1) % 8],
        AREAS[(seed + 5) % 8] if seed % 2 else AREAS[seed % 8],
    }
    found = {}
    for i, area in enumerate(AREAS):
        if area in weak:
            found[area] = (2.0 + (i % 3) * 0.33, 2 + (seed + i) % 2, 2 + (i % 2))
        else:
            found[area] = (3.67 + (i % 3) * 0.33, 4, 4 + (seed + i) % 2)
    return found


async def _region(db: AsyncSession) -> Region | None:
    found: Region | None = await db.scalar(
        select(Region)
        .where(Region.code == DEMO_REGION_CODE)
        .options(selectinload(Region.municipalities).selectinload(Municipality.schools))
    )
    return found


async def _catalogue(db: AsyncSession, region: Region, today: dt.date) -> dict[str, RouteCourse]:
    courses = {
        c.title: c
        for c in (await db.execute(select(RouteCourse).where(RouteCourse.region_id == region.id))).scalars()
    }
    if not courses:
        for i, (title, provider, hours, fmt, areas) in enumerate(COURSES):
            start = today + dt.timedelta(days=14 + 21 * (i % 6))
            course = RouteCourse(
                region_id=region.id,
                title=title,
                provider=provider,
                hours=hours,
                format=fmt,
                starts_on=start,
                ends_on=start + dt.timedelta(days=hours // 6 + 7),
                area_codes=list(areas),
            )
            db.add(course)
            courses[title] = course
        for kind, title, organisation, areas in RESOURCES:
            db.add(
                RouteResource(
                    region_id=region.id,
                    kind=kind,
                    title=title,
                    organisation=organisation,
                    area_codes=list(areas),
                )
            )
        await db.flush()
    return courses


async def _tutors(db: AsyncSession, region: Region) -> list[RegionTutor]:
    tutors = []
    for email, name, position in TUTORS:
        tutor = await db.scalar(
            select(RegionTutor).where(RegionTutor.region_id == region.id, RegionTutor.email == email)
        )
        if tutor is None:
            tutor = RegionTutor(
                region_id=region.id, email=email, full_name=name, position=position, capacity=60
            )
            db.add(tutor)
        tutors.append(tutor)
    await db.flush()
    return tutors


async def _teachers(db: AsyncSession, school: School, limit: int) -> list[Participant]:
    """The school's teachers, the demo teacher with a login (`mentee`) first."""
    rows = await db.execute(
        select(Participant, StaffMember.email)
        .outerjoin(
            StaffMember,
            (StaffMember.school_id == Participant.school_id)
            & (StaffMember.id == Participant.staff_member_id),
        )
        .where(
            Participant.school_id == school.id,
            Participant.kind == ParticipantKind.TEACHER,
            Participant.anonymised_at.is_(None),
        )
        .order_by(Participant.last_name, Participant.first_name)
        .limit(200)
    )
    people = [(p, email or "") for p, email in rows]
    people.sort(key=lambda pe: pe[1] != "mentee@demo.nastavnik.local")
    return [p for p, _ in people[:limit]]


async def seed_routes_demo(db: AsyncSession, *, today: dt.date | None = None) -> bool:
    region = await _region(db)
    if region is None:
        return False
    day = today or local_today()
    await set_region(db, region.id)
    courses = list((await _catalogue(db, region, day)).values())
    tutors = await _tutors(db, region)
    await set_region(db, None)
    created = False
    schools = {s.code: s for m in region.municipalities for s in m.schools}
    for code, plan in PLAN.items():
        school = schools.get(code)
        if school is None:
            continue
        await set_school(db, school.id)
        if await db.scalar(
            select(func.count()).select_from(IndividualRoute).where(IndividualRoute.school_id == school.id)
        ):
            continue
        school.municipality = next(m for m in region.municipalities if m.id == school.municipality_id)
        for i, (person, reached) in enumerate(
            zip(await _teachers(db, school, len(plan)), plan, strict=False)
        ):
            # The second tutor guides one teacher: the demo tutor has the rest, in every step.
            tutor = tutors[1] if (code, i) == ("gimn1-zar", 3) else tutors[0]
            await _route(db, school, person, tutor, reached, courses, seed=i + len(code), today=day)
            created = True
    await set_school(db, None)
    return created


async def _route(
    db: AsyncSession,
    school: School,
    person: Participant,
    tutor: RegionTutor,
    reached: int,
    courses: list[RouteCourse],
    *,
    seed: int,
    today: dt.date,
) -> None:
    started = today - dt.timedelta(days=30 * max(reached, 1) + 10)
    route = IndividualRoute(
        school_id=school.id,
        participant_id=person.id,
        region_id=school.municipality.region_id,
        municipality_id=school.municipality_id,
        teacher_name=person.full_name,
        teacher_position=person.position,
        subject=(person.subjects[0] if person.subjects else "")[:120],
        school_name=school.name,
        starts_on=started,
        ends_on=started.replace(year=started.year + 4),
        status=RouteStatus.REQUESTED if reached == 0 else RouteStatus.ACTIVE,
        tutor_id=None if reached == 0 else tutor.id,
        tutor_name="" if reached == 0 else tutor.full_name,
        request_note="Молодой педагог, второй год работы: затруднения с дисциплиной и подготовкой к ОГЭ."
        if reached == 0
        else "",
        current_step=max(reached, 1),
        diagnosis_round=2 if reached >= 7 else 1,
    )
    db.add(route)
    await db.flush()
    author = f"{tutor.full_name} (тьютор)"
    texts = {
        1: "Хочу стать учителем, который умеет увлечь любого ученика предметом и работает в команде коллег; "
        "через пять лет — пройти аттестацию на высшую категорию и вести методическое объединение.",
        2: "Сильные стороны: знание предмета, тёплые отношения с классом, опыт проектов с обучающимися. "
        "Ресурсы: поддержка наставника, участие в конкурсе «Педагогический дебют».",
    }
    for number in range(1, 8):
        if number < reached:
            status = StepStatus.DONE
        elif number == reached:
            status = StepStatus.IN_PROGRESS
        else:
            continue
        db.add(
            RouteStep(
                school_id=school.id,
                route_id=route.id,
                number=number,
                status=status,
                content=texts.get(number, ""),
                updated_by=author,
            )
        )
    scores = _scores(seed)
    if reached >= 4 or reached == 3:
        for area, (self_score, tutor_score, curator_score) in scores.items():
            db.add(
                RouteAreaScore(
                    school_id=school.id,
                    route_id=route.id,
                    round=1,
                    area_code=area,
                    self_score=round(self_score, 2) if reached >= 4 else None,
                    tutor_score=tutor_score if reached >= 4 else None,
                    curator_score=curator_score if reached >= 4 else None,
                    self_comment="",
                    achievements="",
                    reflection="",
                )
            )
    deficits = [a for a, (s, t, c) in scores.items() if (s + t + c) / 3 < figures.DEFICIT_BELOW]
    await db.flush()
    if reached == 3:
        await diagnosis.start_round(db, school, route, list(AREAS), user_id=None, today=today)
    if reached >= 4:
        await _roadmap(db, school, route, deficits, courses, reached, author, today)
    if reached >= 7:
        for area, (s, t, c) in scores.items():
            better = min(5.0, (s + t + c) / 3 + (1.5 if area in deficits[:2] else 0.3))
            db.add(
                RouteAreaScore(
                    school_id=school.id,
                    route_id=route.id,
                    round=2,
                    area_code=area,
                    self_score=round(better, 2),
                    tutor_score=round(better),
                    curator_score=None,
                    self_comment="",
                    achievements="",
                    reflection=REFLECTION if area in deficits else "",
                )
            )
    await figures.refresh_route(db, school.id, route.id)


async def _roadmap(
    db: AsyncSession,
    school: School,
    route: IndividualRoute,
    deficits: list[str],
    courses: list[RouteCourse],
    reached: int,
    author: str,
    today: dt.date,
) -> None:
    rows: list[RouteActivity] = []
    for area in deficits[:3]:
        course = next((c for c in courses if area in c.area_codes), None)
        if course is not None:
            rows.append(
                RouteActivity(
                    school_id=school.id,
                    route_id=route.id,
                    id=uuid.uuid4(),
                    kind=ActivityKind.COURSE,
                    title=course.title,
                    course_id=course.id,
                    details=f"{course.provider}, {course.hours} ч, {course.format}",
                    area_codes=[area],
                    starts_on=course.starts_on,
                    ends_on=course.ends_on,
                    status=ActivityStatus.PLANNED,
                )
            )
    rows.append(
        RouteActivity(
            school_id=school.id,
            route_id=route.id,
            id=uuid.uuid4(),
            kind=ActivityKind.TRIAL,
            title="Серия открытых уроков с приёмами формирующего оценивания",
            area_codes=deficits[:1] or ["methods"],
            starts_on=today - dt.timedelta(days=20),
            ends_on=today + dt.timedelta(days=60),
            status=ActivityStatus.IN_PROGRESS,
        )
    )
    rows.append(
        RouteActivity(
            school_id=school.id,
            route_id=route.id,
            id=uuid.uuid4(),
            kind=ActivityKind.MEASURE,
            title="Стажировка на площадке «Функциональная грамотность»",
            details="МАОУ Гимназия № 1",
            area_codes=deficits[-1:] or ["methods"],
            starts_on=today + dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=35),
            status=ActivityStatus.PLANNED,
        )
    )
    if reached >= 5:
        done = rows[-2]
        done.status = ActivityStatus.DONE
        done.product_title = "Методические рекомендации «Формирующее оценивание на уроке»"
        done.product_url = "https://example.org/metod/formiruyushchee-ocenivanie"
        done.teacher_view = (
            "Приёмы прижились: ученики сами оценивают работу по критериям, стало меньше споров об отметках."
        )
    db.add_all(rows)
    await db.flush()
    if reached >= 4:
        snapshot = [
            {
                "title": r.title,
                "kind": r.kind.value,
                "areas": ", ".join(r.area_codes),
                "starts_on": "",
                "ends_on": "",
                "status": r.status.value,
            }
            for r in rows
        ]
        route.roadmap_version = 1
        db.add(
            RouteVersion(
                school_id=school.id,
                route_id=route.id,
                number=1,
                reason="Дорожная карта составлена и согласована",
                change="Утверждена",
                snapshot=snapshot,
                author=author,
            )
        )
        if reached >= 6:
            route.roadmap_version = 2
            db.add(
                RouteVersion(
                    school_id=school.id,
                    route_id=route.id,
                    number=2,
                    reason="Курс перенесён организатором на весенний поток",
                    change=f"{rows[0].title}: сроки",
                    snapshot=snapshot,
                    author=author,
                )
            )
    await db.flush()
