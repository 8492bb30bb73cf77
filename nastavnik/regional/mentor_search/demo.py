"""Demo data of the region's mentor directory and inter-school pairs.

Gives the demo schools other than the big one (gimn1-zar, cdt-ozr) a few teachers who
agreed to mentor in other schools, then rebuilds the directory of every school of the demo
region — so any school with consenting mentors, including ones added later, appears in it —
and agrees one inter-school pair (sosh2-zar ← gimn1-zar, with a meeting) and leaves one
request waiting for cdt-ozr's answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_region, set_school
from nastavnik.platform.web import Form
from nastavnik.regional.mentor_search import pairs as pair_svc
from nastavnik.school.directory import services as directory
from nastavnik.school.directory.models import CrossSchoolPair, MentorDirectoryEntry
from nastavnik.school.participants import services as participants
from nastavnik.school.participants.consents import record_consent
from nastavnik.school.participants.models import ConsentScope, ConsentSigner, Participant, local_today
from nastavnik.tenants.models import Municipality, Region, School
from nastavnik.tenants.reference import ReferenceKind, reference_by_code

DEMO_REGION_CODE = "demo"


@dataclass(frozen=True)
class DemoMentor:
    last: str
    first: str
    middle: str
    position: str
    subjects: tuple[str, ...]
    experience: int
    competencies: tuple[str, ...]
    directions: tuple[str, ...]
    capacity: int
    about: str
    trainings: tuple[tuple[str, str, int], ...]


MENTORS: dict[str, tuple[DemoMentor, ...]] = {
    "gimn1-zar": (
        DemoMentor(
            "Белова",
            "Наталья",
            "Сергеевна",
            "Учитель физики, высшая категория",
            ("физика", "астрономия"),
            22,
            ("subject", "methods", "ict"),
            ("young_teacher", "teacher_adaptation"),
            2,
            "Руководитель школьного методобъединения естественных наук; лабораторный практикум, "
            "подготовка к ОГЭ и ЕГЭ по физике, цифровые лаборатории.",
            (
                ("Наставничество в образовательной организации", "ИРО", 200),
                ("Цифровая лаборатория на уроках физики", "ЦНППМ", 90),
            ),
        ),
        DemoMentor(
            "Крылов",
            "Алексей",
            "Викторович",
            "Учитель информатики",
            ("информатика",),
            12,
            ("ict", "methods"),
            ("young_teacher",),
            1,
            "Электронный журнал, ФГИС «Моя школа», проектная деятельность по программированию.",
            (("Цифровая образовательная среда: инструменты педагога", "ЦНППМ", 72),),
        ),
        DemoMentor(
            "Зайцева",
            "Ольга",
            "Николаевна",
            "Учитель русского языка и литературы",
            ("русский язык", "литература"),
            27,
            ("psychology", "upbringing", "regulatory"),
            ("teacher_adaptation", "young_teacher"),
            2,
            "Классное руководство, работа с родителями, профилактика конфликтов, итоговое сочинение.",
            (("Школа наставника", "ИРО", 36),),
        ),
    ),
    "cdt-ozr": (
        DemoMentor(
            "Соловьёв",
            "Игорь",
            "Петрович",
            "Педагог дополнительного образования",
            ("робототехника", "технология"),
            15,
            ("ict", "upbringing", "subject"),
            ("young_teacher",),
            2,
            "Кружок робототехники, подготовка команд к региональным соревнованиям, проектная деятельность.",
            (("Проектирование дополнительных общеразвивающих программ", "ИРО", 72),),
        ),
        DemoMentor(
            "Гаврилова",
            "Светлана",
            "Андреевна",
            "Методист",
            ("изобразительное искусство",),
            19,
            ("methods", "health", "theory"),
            ("teacher_adaptation",),
            1,
            "Методическое сопровождение педагогов ДО, здоровьесберегающие технологии "
            "в творческих объединениях.",
            (),
        ),
    ),
}

# Teachers of the big demo school who found no fitting mentor at home.
MENTEES = (
    (
        "Гусева",
        "Екатерина",
        "Олеговна",
        "Учитель физики",
        ("физика",),
        "Подготовка лабораторных работ, ОГЭ по физике",
    ),
    ("Орлов", "Илья", "Сергеевич", "Учитель технологии", ("технология",), "Запуск кружка робототехники"),
)


_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщыэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "y",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def _latin(surname: str) -> str:
    return "".join(_LATIN.get(ch, "") for ch in surname.lower())


async def _demo_region(db: AsyncSession) -> Region | None:
    result = await db.execute(
        select(Region)
        .where(Region.code == DEMO_REGION_CODE)
        .options(selectinload(Region.municipalities).selectinload(Municipality.schools))
    )
    return result.scalar_one_or_none()


async def _consent(
    db: AsyncSession, school: School, person: Participant, day: dt.date, *extra: ConsentScope
) -> None:
    form = Form(
        data={
            "signer": ConsentSigner.SELF.value,
            "signer_name": "",
            "signed_on": day.isoformat(),
            "valid_until": "",
            "scopes": [ConsentScope.PROGRAMME.value, *(s.value for s in extra)],
        }
    )
    await record_consent(db, school, person, form, scan=None, recorded_by=None, max_bytes=0)


async def _teacher(
    db: AsyncSession,
    school: School,
    last: str,
    first: str,
    middle: str,
    position: str,
    subjects: tuple[str, ...],
    experience: int,
    today: dt.date,
) -> Participant | None:
    form = Form(
        data={
            "kind": "teacher",
            "last_name": last,
            "first_name": first,
            "middle_name": middle,
            "position": position,
            "subjects": ", ".join(subjects),
            "experience_years": str(experience),
            "birth_date": dt.date(today.year - 24 - experience, 3, 14).isoformat(),
            "email": f"{_latin(last)}@{school.code}.demo.nastavnik.local",
        }
    )
    return await participants.create_participant(db, school, form, today=today)


async def _mentors(db: AsyncSession, school: School, year: int, today: dt.date) -> None:
    refs = {
        kind: await reference_by_code(db, kind)
        for kind in (ReferenceKind.DIRECTION, ReferenceKind.DEFICIT_AREA)
    }
    for m in MENTORS.get(school.code, ()):
        person = await _teacher(
            db, school, m.last, m.first, m.middle, m.position, m.subjects, m.experience, today
        )
        if person is None:
            continue
        await _consent(db, school, person, today - dt.timedelta(days=40), ConsentScope.REGIONAL_BANK)
        form = Form(
            data={
                "capacity": str(m.capacity),
                "status": "selected",
                "directions": [str(refs[ReferenceKind.DIRECTION][c].id) for c in m.directions],
                "competencies": [str(refs[ReferenceKind.DEFICIT_AREA][c].id) for c in m.competencies],
                "subjects": ", ".join(m.subjects),
                "competencies_text": m.about,
                "cross_school_search": "true",
            }
        )
        profile = await participants.save_mentor_profile(db, person, year, form)
        for i, (course, provider, hours) in enumerate(m.trainings):
            if profile is not None:
                await participants.add_training(
                    db,
                    profile,
                    Form(
                        data={
                            "completed_on": (today - dt.timedelta(days=200 + 150 * i)).isoformat(),
                            "course": course,
                            "provider": provider,
                            "hours": str(hours),
                        }
                    ),
                )


async def _mentee(
    db: AsyncSession, school: School, year: int, today: dt.date, index: int
) -> Participant | None:
    last, first, middle, position, subjects, request = MENTEES[index]
    person = await _teacher(db, school, last, first, middle, position, subjects, 1, today)
    if person is None:
        return None
    await _consent(db, school, person, today - dt.timedelta(days=30))
    directions = await reference_by_code(db, ReferenceKind.DIRECTION)
    await participants.save_mentee_profile(
        db,
        person,
        year,
        Form(
            data={
                "category": "young_teacher",
                "directions": [str(directions["young_teacher"].id)],
                "request_text": request,
                "status": "active",
            }
        ),
    )
    return person


async def _entry(db: AsyncSession, school: School, last_name: str) -> MentorDirectoryEntry | None:
    result = await db.execute(
        select(MentorDirectoryEntry).where(
            MentorDirectoryEntry.school_id == school.id,
            MentorDirectoryEntry.full_name.startswith(last_name + " "),
        )
    )
    return result.scalars().first()


async def seed_cross_school_demo(db: AsyncSession, *, today: dt.date | None = None) -> bool:
    """Fill the directory and the inter-school pairs of the demo region; nothing if already done."""
    region = await _demo_region(db)
    if region is None:
        return False
    day = today or local_today()
    year = AcademicYear.current(day).start
    schools = {s.code: s for m in region.municipalities for s in m.schools}
    created = False
    for code in MENTORS:
        school = schools.get(code)
        if school is None:
            continue
        await set_school(db, school.id)
        if not await db.scalar(
            select(func.count()).select_from(Participant).where(Participant.school_id == school.id)
        ):
            await _mentors(db, school, year, day)
            created = True
    # Every school of the region, whoever filled it: the directory is rebuilt from its data.
    for school in schools.values():
        await set_school(db, school.id)
        await directory.sync_mentors(db, school.id, year=year)
    home, gymnasium, cdt = schools.get("sosh2-zar"), schools.get("gimn1-zar"), schools.get("cdt-ozr")
    if home is not None and gymnasium is not None and cdt is not None:
        created = await _pairs(db, region, home, gymnasium, cdt, year, day) or created
    await set_school(db, None)
    await set_region(db, None)
    return created


async def _pairs(
    db: AsyncSession, region: Region, home: School, gymnasium: School, cdt: School, year: int, day: dt.date
) -> bool:
    await set_school(db, home.id)
    if await db.scalar(select(func.count()).select_from(CrossSchoolPair)):
        return False
    await set_region(db, region.id)
    home.municipality = next(m for m in region.municipalities if m.id == home.municipality_id)
    physics, robotics = await _entry(db, gymnasium, "Белова"), await _entry(db, cdt, "Соловьёв")
    if physics is None or robotics is None:
        return False
    made = []
    for index, entry, message in (
        (
            0,
            physics,
            (
                "Молодому учителю физики нужна помощь с лабораторным практикумом и подготовкой к ОГЭ; "
                "удобно встречаться по четвергам после уроков или онлайн."
            ),
        ),
        (1, robotics, "Учитель технологии хочет открыть кружок робототехники; просим наставника из ЦДТ."),
    ):
        mentee = await _mentee(db, home, year, day, index)
        if mentee is None:
            return False
        form = Form(data={"mentee": str(mentee.id), "message": message})
        pair = await pair_svc.request_pair(db, home, entry, form, user_id=None, year=year)
        if pair is None:
            msg = f"demo inter-school request: {form.errors}"
            raise RuntimeError(msg)
        made.append(pair)
    await set_school(db, gymnasium.id)
    accepted = made[0]
    form = Form(
        data={
            "decision": "accept",
            "note": "Наталья Сергеевна готова начать с октября.",
        }
    )
    # The mentor accepted in their workspace, then the gymnasium's curator: the pair is agreed.
    agreed = Form(data={"decision": "accept"})
    if not await pair_svc.mentor_answer(db, gymnasium, accepted, agreed) or not await pair_svc.decide(
        db, gymnasium, accepted, form, user_id=None
    ):
        msg = f"demo inter-school decision: {form.errors} {agreed.errors}"
        raise RuntimeError(msg)
    await pair_svc.log_meeting(
        db,
        gymnasium,
        accepted,
        Form(
            data={
                "held_on": (day - dt.timedelta(days=3)).isoformat(),
                "topic": "Организационная встреча",
                "notes": "Познакомились, договорились о графике: раз в две недели, кабинет физики гимназии.",
            }
        ),
        user_id=None,
    )
    await db.flush()
    return True
