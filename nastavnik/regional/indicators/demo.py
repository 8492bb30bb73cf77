"""The demo region's other schools, at different stages, so the regional pages have a picture.

A light generator: real rows in each school's own tables (programme and roadmap,
contingent, participants, profiles, pairs and groups, meetings), written under that
school's `app.school_id` with bulk inserts, then counted into the rollups by the same
`refresh_school` the app uses. Fixed random seeds; dated relative to today.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import new_id, set_school, utcnow
from nastavnik.regional.indicators.rollup import refresh_school
from nastavnik.school.meetings.models import Meeting, MeetingFormat, MeetingKind
from nastavnik.school.pairs.models import (
    MemberRole,
    Mentorship,
    MentorshipMember,
    MentorshipStatus,
    mentorship_direction,
)
from nastavnik.school.participants.models import (
    InterviewResult,
    MenteeCategory,
    MenteeProfile,
    MenteeStatus,
    MentorProfile,
    MentorStatus,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.school.programme.models import Contingent, Programme, ProgrammeModel, ProgrammeStage
from nastavnik.school.roadmap.models import ItemStatus, RoadmapItem
from nastavnik.tenants.demo import DEMO_REGION
from nastavnik.tenants.models import Municipality, Region, School, SchoolKind
from nastavnik.tenants.reference import ReferenceKind, reference_by_code


@dataclass(frozen=True)
class DemoSchool:
    municipality: str
    code: str
    name: str
    full_name: str
    kind: SchoolKind
    address: str
    # none | draft | approved | advanced | lagging
    stage: str
    pupils: int
    teachers: int
    # Mentees this year: pupils and young teachers; mentors; groups among the mentorships.
    mentee_pupils: int
    mentee_teachers: int
    groups: int = 0
    last_year: bool = False  # ran a programme last year too (for the trends)


EXTRA_MUNICIPALITIES = [("lesnogorsk", "Лесногорский городской округ")]

MBOU = "Муниципальное бюджетное общеобразовательное учреждение"
MAOU = "Муниципальное автономное общеобразовательное учреждение"
MKOU = "Муниципальное казённое общеобразовательное учреждение"
SOSH = "«Средняя общеобразовательная школа"

# (municipality, code, name, full name, kind, address, stage, pupils, teachers,
#  mentee pupils, mentee young teachers, groups, ran last year)
# fmt: off
_SCHOOLS: list[tuple[Any, ...]] = [
    ("zarechny", "sosh5-zar", "МБОУ СОШ № 5", f"{MBOU} {SOSH} № 5»", SchoolKind.GENERAL,
     "г. Заречный, ул. Гагарина, 11", "advanced", 820, 54, 330, 5, 35, True),
    ("zarechny", "oosh7-zar", "МКОУ ООШ № 7", f"{MKOU} «Основная общеобразовательная школа № 7»",
     SchoolKind.GENERAL, "п. Светлый, ул. Лесная, 3", "lagging", 190, 17, 30, 1, 0, False),
    ("zarechny", "lic3-zar", "МАОУ Лицей № 3", f"{MAOU} «Лицей № 3»", SchoolKind.GENERAL,
     "г. Заречный, ул. Советская, 30", "approved", 640, 41, 25, 2, 0, False),
    ("zarechny", "ds12-zar", "МБДОУ Детский сад № 12",
     "Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № 12 «Солнышко»»",
     SchoolKind.PRESCHOOL, "г. Заречный, ул. Садовая, 8", "none", 0, 22, 0, 0, 0, False),
    ("ozyorsk", "sosh1-ozr", "МБОУ СОШ № 1 г. Озёрска", f"{MBOU} {SOSH} № 1» г. Озёрска", SchoolKind.GENERAL,
     "г. Озёрск, ул. Пушкина, 5", "advanced", 910, 60, 400, 6, 45, True),
    ("ozyorsk", "sosh4-ozr", "МБОУ СОШ № 4", f"{MBOU} {SOSH} № 4»", SchoolKind.GENERAL,
     "г. Озёрск, ул. Строителей, 17", "draft", 560, 38, 0, 0, 0, False),
    ("ozyorsk", "zaoz-ozr", "МКОУ Заозёрная ООШ", f"{MKOU} «Заозёрная основная общеобразовательная школа»",
     SchoolKind.GENERAL, "с. Заозёрье, ул. Центральная, 1", "approved", 64, 9, 3, 1, 0, False),
    ("ozyorsk", "teh-ozr", "ГБПОУ Озёрский технологический техникум",
     ("Государственное бюджетное профессиональное образовательное учреждение "
      "«Озёрский технологический техникум»"),
     SchoolKind.VOCATIONAL, "г. Озёрск, пр. Металлургов, 44", "approved", 480, 35, 60, 3, 4, False),
    ("lesnogorsk", "sosh1-les", "МБОУ СОШ № 1 г. Лесногорска", f"{MBOU} {SOSH} № 1» г. Лесногорска",
     SchoolKind.GENERAL, "г. Лесногорск, ул. Ленина, 12", "lagging", 700, 46, 70, 2, 0, True),
    ("lesnogorsk", "gimn2-les", "МАОУ Гимназия № 2", f"{MAOU} «Гимназия № 2»", SchoolKind.GENERAL,
     "г. Лесногорск, ул. Парковая, 4", "advanced", 750, 52, 300, 4, 30, True),
    ("lesnogorsk", "ddt-les", "МБУ ДО ДДТ",
     "Муниципальное бюджетное учреждение дополнительного образования «Дом детского творчества»",
     SchoolKind.ADDITIONAL, "г. Лесногорск, ул. Мира, 20", "approved", 380, 24, 40, 0, 5, False),
    ("lesnogorsk", "sosh9-les", "МБОУ СОШ № 9", f"{MBOU} {SOSH} № 9»", SchoolKind.GENERAL,
     "г. Лесногорск, ул. Заводская, 9", "none", 430, 31, 0, 0, 0, False),
    ("lesnogorsk", "int-les", "ГКОУ Лесногорская школа-интернат",
     "Государственное казённое общеобразовательное учреждение «Лесногорская школа-интернат»",
     SchoolKind.GENERAL, "г. Лесногорск, ул. Школьная, 2", "draft", 150, 19, 0, 0, 0, False),
]
# fmt: on
DEMO_REGION_SCHOOLS = [DemoSchool(*row) for row in _SCHOOLS]

# Names of the generated people (pupils among them): they live only in their school's
# tables, and the regional pages are tested never to show them.
SURNAMES = [
    "Белов",
    "Громов",
    "Дьячков",
    "Ершов",
    "Жуков",
    "Зайцев",
    "Калинин",
    "Лаптев",
    "Мельников",
    "Носов",
    "Орлов",
    "Панов",
    "Рябов",
    "Сорокин",
    "Тихонов",
    "Ульянов",
    "Фомин",
    "Харитонов",
    "Цветков",
    "Чернов",
    "Шубин",
    "Щукин",
    "Юдин",
    "Яковлев",
]
MALE = ["Артём", "Богдан", "Глеб", "Даниил", "Егор", "Кирилл", "Матвей", "Никита", "Роман", "Тимур"]
FEMALE = ["Алиса", "Вероника", "Дарья", "Есения", "Злата", "Ксения", "Милана", "Полина", "Ульяна", "Яна"]
PATRONYMICS = [
    ("Андреевич", "Андреевна"),
    ("Игоревич", "Игоревна"),
    ("Олегович", "Олеговна"),
    ("Сергеевич", "Сергеевна"),
    ("Викторович", "Викторовна"),
]
ROADMAP_EVENTS = [
    "Приказ о внедрении целевой модели наставничества",
    "Назначение куратора программы",
    "Формирование базы наставляемых",
    "Формирование базы наставников",
    "Обучение наставников",
    "Формирование пар и групп",
    "Организационные встречи пар",
    "Промежуточный мониторинг",
    "Групповая встреча наставников и наставляемых",
    "Итоговый мониторинг программы",
    "Итоговое мероприятие",
    "Публикация результатов на сайте",
]


def _name(rng: random.Random) -> tuple[str, str, str]:
    last = rng.choice(SURNAMES)
    male_father, female_father = rng.choice(PATRONYMICS)
    if rng.random() < 0.5:
        return last, rng.choice(MALE), male_father
    return last + "а", rng.choice(FEMALE), female_father


class _Writer:
    def __init__(self, db: AsyncSession, school: School, rng: random.Random, today: dt.date) -> None:
        self.db, self.school, self.rng, self.today = db, school, rng, today
        self.rows: dict[Any, list[dict[str, Any]]] = {}

    def add(self, table: Any, **values: Any) -> uuid.UUID:
        if table is not mentorship_direction:
            values.setdefault("id", new_id())
        values["school_id"] = self.school.id
        self.rows.setdefault(table, []).append(values)
        return values.get("id")  # type: ignore[return-value]

    async def flush(self) -> None:
        order: list[Any] = [
            Participant,
            Contingent,
            Programme,
            ProgrammeStage,
            RoadmapItem,
            MenteeProfile,
            MentorProfile,
            Mentorship,
            MentorshipMember,
            mentorship_direction,
            Meeting,
        ]
        for table in order:
            if self.rows.get(table):
                await self.db.execute(insert(table), self.rows.pop(table))


def _roadmap(w: _Writer, spec: DemoSchool, year: AcademicYear, *, past: bool, approved: bool) -> None:
    rng, today = w.rng, w.today
    programme = w.add(
        Programme,
        academic_year=year.start,
        model=ProgrammeModel.PUPILS,
        title=f"Программа наставничества {spec.name} на {year.title} учебный год",
        origin="Шаблон региона",
        forms=["teacher_student", "teacher_teacher"],
        approved_at=dt.datetime.combine(year.starts + dt.timedelta(days=9), dt.time(9), dt.UTC)
        if approved
        else None,
        approved_by_name="Директор" if approved else "",
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    stages = [
        w.add(ProgrammeStage, programme_id=programme, position=i, title=title)
        for i, title in enumerate(["Подготовка", "Реализация", "Завершение"])
    ]
    # A lagging school leaves many past rows open; a draft has done only the first.
    keep_rate = 1.0 if past else (0.55 if spec.stage == "lagging" else 0.92)
    for position, event in enumerate(ROADMAP_EVENTS):
        due = year.starts + dt.timedelta(days=20 + position * 26)
        status, done_on = ItemStatus.PLANNED, None
        if due < today:
            kept = rng.random() < keep_rate if approved else position < 1
            if kept:
                status, done_on = ItemStatus.DONE, due - dt.timedelta(days=rng.randint(0, 6))
            else:
                status = rng.choice([ItemStatus.IN_PROGRESS, ItemStatus.PLANNED])
        elif due < today + dt.timedelta(days=30) and approved:
            status = ItemStatus.IN_PROGRESS
        w.add(
            RoadmapItem,
            programme_id=programme,
            stage_id=stages[min(position // 5, 2)],
            position=position,
            event=event,
            deadline_text=due.strftime("%d.%m.%Y"),
            due_on=due,
            status=status,
            completed_on=done_on,
            created_at=utcnow(),
            updated_at=utcnow(),
        )


def _person(w: _Writer, kind: ParticipantKind, **values: Any) -> uuid.UUID:
    last, first, middle = _name(w.rng)
    return w.add(
        Participant,
        kind=kind,
        last_name=last,
        first_name=first,
        middle_name=middle,
        created_at=utcnow(),
        updated_at=utcnow(),
        **values,
    )


Member = tuple[uuid.UUID, uuid.UUID]  # participant id, profile id


def _people(w: _Writer, spec: DemoSchool, year: AcademicYear, *, past: bool) -> tuple[list[Member], ...]:
    rng = w.rng
    scale = 0.8 if past else 1.0
    status = MenteeStatus.COMPLETED if past else MenteeStatus.ACTIVE
    pupils: list[Member] = []
    teachers: list[Member] = []
    mentors: list[Member] = []
    for _ in range(round(spec.mentee_pupils * scale)):
        grade = rng.randint(5, 11)
        birth = dt.date(year.start - grade - 6, rng.randint(1, 12), rng.randint(1, 28))
        pid = _person(w, ParticipantKind.PUPIL, birth_date=birth, grade=grade, class_letter=rng.choice("АБВ"))
        profile = w.add(
            MenteeProfile,
            participant_id=pid,
            academic_year=year.start,
            category=MenteeCategory.PUPIL,
            status=status,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        pupils.append((pid, profile))
    for _ in range(round(spec.mentee_teachers * scale)):
        pid = _person(w, ParticipantKind.TEACHER, experience_years=rng.randint(0, 2), position="Учитель")
        profile = w.add(
            MenteeProfile,
            participant_id=pid,
            academic_year=year.start,
            category=MenteeCategory.YOUNG_TEACHER,
            status=status,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        teachers.append((pid, profile))
    if pupils or teachers:
        for _ in range(max(1, (len(pupils) - spec.groups * 3) // 2 + len(teachers))):
            pid = _person(w, ParticipantKind.TEACHER, experience_years=rng.randint(8, 30), position="Учитель")
            profile = w.add(
                MentorProfile,
                participant_id=pid,
                academic_year=year.start,
                capacity=3,
                interview_result=InterviewResult.RECOMMENDED,
                status=MentorStatus.SELECTED,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            mentors.append((pid, profile))
    return pupils, teachers, mentors


def _meetings(
    w: _Writer, spec: DemoSchool, year: AcademicYear, mentorship: uuid.UUID, started: dt.date, *, past: bool
) -> None:
    """A meeting every two weeks or so; a lagging school's pairs (and a few others) go quiet."""
    rng = w.rng
    end = min(w.today, year.ends)
    quiet = (spec.stage == "lagging" and rng.random() < 0.5) or rng.random() < 0.06
    stop = end - dt.timedelta(days=rng.randint(25, 60)) if quiet and not past else end
    day, kinds = started, [MeetingKind.ORGANISATIONAL, MeetingKind.TRIAL, MeetingKind.PLANNING]
    while day <= stop:
        w.add(
            Meeting,
            mentorship_id=mentorship,
            academic_year=year.start,
            kind=kinds.pop(0) if kinds else MeetingKind.REGULAR,
            held_on=day,
            duration_minutes=45,
            format=MeetingFormat.IN_PERSON if rng.random() < 0.8 else MeetingFormat.ONLINE,
            topic="",
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        day += dt.timedelta(days=rng.randint(10, 18))


def _mentorships(
    w: _Writer, spec: DemoSchool, year: AcademicYear, refs: dict[str, dict[str, Any]], *, past: bool
) -> None:
    rng = w.rng
    pupils, teachers, mentors = _people(w, spec, year, past=past)
    if not mentors:
        return
    forms, directions = refs["form"], list(refs["direction"].values())
    pupil_dirs = [d for d in directions if d.attributes.get("audience") == "pupil"] or directions
    teacher_dirs = [d for d in directions if d.attributes.get("audience") == "teacher"] or directions
    units: list[tuple[list[Member], Any, list[Any], bool]] = []
    for _ in range(spec.groups):
        size = min(len(pupils), rng.randint(3, 5))
        if size < 3:
            break
        units.append(([pupils.pop() for _ in range(size)], forms["teacher_student"], pupil_dirs, True))
    units += [
        ([m], forms["student_student"] if rng.random() < 0.3 else forms["teacher_student"], pupil_dirs, False)
        for m in pupils
    ]
    units += [([m], forms["teacher_teacher"], teacher_dirs, False) for m in teachers]
    for number, (mentees, form, dirs, is_group) in enumerate(units, start=1):
        mentor = mentors[(number - 1) % len(mentors)]
        started = min(year.starts + dt.timedelta(days=rng.randint(30, 60)), w.today - dt.timedelta(days=3))
        if past:
            status = MentorshipStatus.COMPLETED if rng.random() < 0.9 else MentorshipStatus.TERMINATED
        else:
            status = MentorshipStatus.ACTIVE if rng.random() < 0.93 else MentorshipStatus.FORMING
        mentorship = w.add(
            Mentorship,
            academic_year=year.start,
            form_id=form.id,
            is_group=is_group,
            status=status,
            started_on=started,
            ended_on=year.ends - dt.timedelta(days=70) if past else None,
            number=number,
            status_reason="Переезд семьи" if status is MentorshipStatus.TERMINATED else "",
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        members = [(mentor, MemberRole.MENTOR)] + [(m, MemberRole.MENTEE) for m in mentees]
        for position, ((pid, profile), role) in enumerate(members):
            w.add(
                MentorshipMember,
                mentorship_id=mentorship,
                participant_id=pid,
                profile_id=profile,
                role=role,
                position=position,
            )
        w.add(mentorship_direction, mentorship_id=mentorship, reference_item_id=rng.choice(dirs).id)
        _meetings(w, spec, year, mentorship, started, past=past)


async def _year(
    w: _Writer, spec: DemoSchool, year: AcademicYear, refs: dict[str, dict[str, Any]], *, past: bool
) -> None:
    young = max(1, round(spec.teachers * 0.12)) if spec.teachers else 0
    w.add(
        Contingent,
        academic_year=year.start,
        pupils=spec.pupils,
        pupils_10_19=round(spec.pupils * 0.62),
        teachers=spec.teachers,
        young_teachers=young,
    )
    if spec.stage == "none":
        return
    approved = past or spec.stage != "draft"
    _roadmap(w, spec, year, past=past, approved=approved)
    if approved:
        _mentorships(w, spec, year, refs, past=past)


async def seed_demo_region_schools(db: AsyncSession, *, today: dt.date | None = None) -> bool:
    """Add the demo region's other schools with a year (or two) of data; once only."""
    region = (await db.execute(select(Region).where(Region.code == DEMO_REGION[0]))).scalar_one_or_none()
    if region is None:
        return False
    existing = set((await db.execute(select(School.code))).scalars())
    if DEMO_REGION_SCHOOLS[0].code in existing:
        return False
    day = today or local_today()
    year = AcademicYear.current(day)
    municipalities = {m.code: m for m in (await db.execute(select(Municipality))).scalars()}
    for code, name in EXTRA_MUNICIPALITIES:
        if code not in municipalities:
            municipalities[code] = Municipality(region_id=region.id, code=code, name=name)
            db.add(municipalities[code])
    await db.flush()
    refs = {
        "form": await reference_by_code(db, ReferenceKind.FORM),
        "direction": await reference_by_code(db, ReferenceKind.DIRECTION),
    }
    schools: list[School] = []
    for spec in DEMO_REGION_SCHOOLS:
        school = School(
            municipality_id=municipalities[spec.municipality].id,
            code=spec.code,
            name=spec.name,
            full_name=spec.full_name,
            kind=spec.kind,
            address=spec.address,
        )
        db.add(school)
        await db.flush()
        await set_school(db, school.id)
        writer = _Writer(db, school, random.Random(spec.code), day)  # noqa: S311 - demo data, not secrets
        if spec.last_year:
            await _year(writer, spec, year.previous(), refs, past=True)
        await _year(writer, spec, year, refs, past=False)
        await writer.flush()
        schools.append(school)
    # The rollups of every school of the region, the demo school's included.
    all_ids = (
        (
            await db.execute(
                select(School.id)
                .join(Municipality, Municipality.id == School.municipality_id)
                .where(Municipality.region_id == region.id)
            )
        )
        .scalars()
        .all()
    )
    for school_id in all_ids:
        await refresh_school(db, school_id, today=day)
    await set_school(db, None)
    return True
