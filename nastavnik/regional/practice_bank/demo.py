"""Demo content of the region's bank of programmes and practices.

Items of several demo schools in every state of moderation — published (some recommended
by ИРО), on moderation, returned with the methodist's comment, a draft — one item of the
region itself, and adoptions: the gymnasium's practice in sosh2-zar's collection, sosh2-zar's
programme taken by another school as its roadmap template. Each school's items are written
once (a school that already has items is left alone), in the scope that would write them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.db import set_region, set_school
from nastavnik.regional.practice_bank import services as svc
from nastavnik.school.bank.models import (
    BankEventAction,
    BankItem,
    BankItemEvent,
    BankItemKind,
    BankItemStatus,
)
from nastavnik.tenants.models import Municipality, Region, School

DEMO_REGION_CODE = "demo"
METHODIST = "Новиков Павел Андреевич"


@dataclass(frozen=True)
class DemoItem:
    school: str | None  # None: the region's own (ИРО)
    kind: BankItemKind
    status: BankItemStatus
    title: str
    summary: str
    description: str
    results: str
    forms: tuple[str, ...]
    directions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    school_kind: str = ""
    grades: tuple[int | None, int | None] = (None, None)
    recommended: bool = False
    plan: tuple[tuple[str, str, int], ...] = ()
    return_comment: str = ""
    adopted_by: tuple[str, ...] = ()
    days_ago: int = 30
    roadmap_from_programme: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


ITEMS: tuple[DemoItem, ...] = (
    DemoItem(
        "gimn1-zar",
        BankItemKind.PRACTICE,
        BankItemStatus.PUBLISHED,
        "Методический десант: молодой педагог на открытых уроках наставника",
        "Раз в две недели молодые учителя посещают уроки наставников и разбирают их по единой карте "
        "наблюдения; затем наставник посещает урок молодого коллеги.",
        "1. Сентябрь: анкета профессиональных затруднений, выбор двух-трёх тем на полугодие.\n"
        "2. Октябрь–апрель: взаимопосещение уроков по графику, разбор по карте наблюдения "
        "(цель урока, организация работы, обратная связь обучающимся).\n"
        "3. Декабрь и май: открытый урок молодого педагога для методического объединения.\n"
        "4. Май: самоанализ и заключительная встреча пары.",
        "Все пять молодых педагогов прошли аттестацию на соответствие должности; доля уроков "
        "с продуманной обратной связью выросла с 40 до 75 % по картам наблюдения; двое выступили "
        "на муниципальном семинаре.",
        ("teacher_teacher",),
        ("young_teacher", "teacher_adaptation"),
        ("открытый урок", "взаимопосещение", "молодой педагог"),
        "general",
        (5, 11),
        recommended=True,
        adopted_by=("sosh2-zar", "sosh1-ozr"),
        days_ago=80,
    ),
    DemoItem(
        "sosh2-zar",
        BankItemKind.PROGRAMME,
        BankItemStatus.PUBLISHED,
        "Программа наставничества обучающихся «Шаг навстречу»",
        "Программа школы на учебный год по Р-145: формы «ученик – ученик», «учитель – ученик», "
        "«работодатель – ученик»; дорожная карта из семи этапов.",
        "Дорожная карта программы школы: подготовка условий, базы наставляемых и наставников, "
        "обучение наставников, формирование пар, работа пар и завершение с итоговым мероприятием.",
        "Охват обучающихся 10–19 лет — 34 %, 18 пар; 86 % наставляемых отметили рост мотивации "
        "к учёбе в итоговой анкете.",
        ("student_student", "teacher_student", "employer_student"),
        ("pupil_adaptation", "motivation", "career"),
        ("дорожная карта", "Р-145", "программа наставничества"),
        "general",
        (5, 11),
        adopted_by=("sosh5-zar",),
        days_ago=60,
        roadmap_from_programme=True,
    ),
    DemoItem(
        "sosh2-zar",
        BankItemKind.CASE,
        BankItemStatus.RETURNED,
        "Кейс: старшеклассник-наставник помогает пятикласснику освоиться в новой школе",
        "Как пара «ученик – ученик» за полгода сняла тревожность пятиклассника, пришедшего из другой школы.",
        "Наставник из 9 класса встречался с наставляемым дважды в неделю: экскурсия по школе, "
        "помощь с расписанием и домашними заданиями, совместный проект для школьной выставки.",
        "Наставляемый вошёл в актив класса; оценка тревожности по методике Филлипса снизилась "
        "с высокой до средней.",
        ("student_student",),
        ("pupil_adaptation",),
        ("адаптация", "пятиклассник"),
        "general",
        (5, 9),
        return_comment="В описании названы имя и фамилия наставляемого — уберите их и добавьте, "
        "как подбирали пару и что делали при пропусках встреч.",
        days_ago=12,
    ),
    DemoItem(
        "sosh2-zar",
        BankItemKind.PRACTICE,
        BankItemStatus.DRAFT,
        "Профориентационные пробы на предприятии-партнёре",
        "Обучающиеся 8–9 классов проходят три профессиональные пробы с наставниками "
        "из ООО «Заречный машиностроительный завод».",
        "Черновик: описание этапов будет дополнено после весенних проб.",
        "",
        ("employer_student",),
        ("career", "educational_path"),
        ("профориентация", "работодатель"),
        "general",
        (8, 9),
        days_ago=3,
    ),
    DemoItem(
        "cdt-ozr",
        BankItemKind.PRACTICE,
        BankItemStatus.SUBMITTED,
        "Студент колледжа — наставник школьной команды по робототехнике",
        "Студенты технологического техникума ведут с наставниками ЦДТ команды школьников "
        "к региональным соревнованиям по робототехнике.",
        "Пары «студент – ученик» собираются раз в неделю в лаборатории ЦДТ; педагог ДО "
        "сопровождает студентов-наставников, проводит для них короткие методические встречи.",
        "Две команды вышли в финал регионального этапа; четверо выпускников выбрали "
        "инженерные специальности.",
        ("university_student_student",),
        ("career", "potential"),
        ("робототехника", "студент", "инженерные специальности"),
        "additional",
        (6, 11),
        days_ago=2,
    ),
    DemoItem(
        "lic3-zar",
        BankItemKind.PLAN_TEMPLATE,
        BankItemStatus.PUBLISHED,
        "Персонализированная программа наставничества молодого учителя математики",
        "Шаблон программы пары «учитель – учитель» на год: задачи, мероприятия, сроки.",
        "Составлен по дефицитам, которые чаще всего выявляет диагностика молодых учителей "
        "математики лицея: дифференциация заданий, оценивание, работа с родителями.",
        "По шаблону в лицее работают три пары; все наставляемые закрыли два дефицита из трёх.",
        ("teacher_teacher",),
        ("young_teacher",),
        ("персонализированная программа", "математика"),
        "general",
        plan=(
            ("Диагностика дефицитов", "Анкета, посещение двух уроков, собеседование", 0),
            ("Дифференциация заданий", "Совместная разработка разноуровневых заданий к двум темам", 1),
            ("Критериальное оценивание", "Разбор критериев ОГЭ, взаимная проверка работ", 3),
            ("Работа с родителями", "Подготовка и проведение родительского собрания с наставником", 5),
            ("Подведение итогов", "Открытый урок, самоанализ, заключительная встреча", 8),
        ),
        days_ago=45,
    ),
    DemoItem(
        "teh-ozr",
        BankItemKind.PRACTICE,
        BankItemStatus.PUBLISHED,
        "Наставник с производства: практика «работодатель – студент» на предприятии",
        "Мастера предприятий-партнёров сопровождают студентов на производственной практике "
        "по индивидуальному плану.",
        "Договор о сотрудничестве с тремя предприятиями, подготовка мастеров-наставников "
        "(16 часов), индивидуальный план практики, еженедельная обратная связь в электронном дневнике.",
        "Трудоустройство выпускников по специальности выросло с 52 до 71 %.",
        ("employer_student",),
        ("career",),
        ("производственная практика", "работодатель", "трудоустройство"),
        "vocational",
        recommended=True,
        days_ago=100,
    ),
    DemoItem(
        "ds12-zar",
        BankItemKind.CASE,
        BankItemStatus.SUBMITTED,
        "Кейс: адаптация молодого воспитателя в первый месяц работы",
        "Как «скоростное» и ситуационное наставничество помогли воспитателю без опыта "
        "провести первые родительские собрания.",
        "Пять коротких встреч с разными наставниками по конкретным ситуациям: режимные моменты, "
        "конфликт детей, разговор с родителями, документация, подготовка праздника.",
        "Воспитатель остался в детском саду; родители группы оценили её работу на 4,6 из 5.",
        ("teacher_teacher",),
        ("teacher_adaptation", "young_teacher"),
        ("ДОУ", "воспитатель", "скоростное наставничество"),
        "preschool",
        days_ago=5,
    ),
    DemoItem(
        None,
        BankItemKind.PRACTICE,
        BankItemStatus.PUBLISHED,
        "Реверсивное наставничество: молодые педагоги учат коллег цифровым инструментам",
        "Методические рекомендации ИРО: как организовать реверсивные пары по ИКТ-компетенциям "
        "и учесть их работу в программе наставничества.",
        "Отбор молодых педагогов-наставников по результатам диагностики ИКТ-компетенций, "
        "короткие практикумы по ФГИС «Моя школа», электронному журналу и цифровым лабораториям.",
        "В пилоте 2024–2025 года участвовали 14 школ региона; 83 % наставляемых освоили "
        "не меньше двух цифровых инструментов.",
        ("teacher_teacher",),
        ("teacher_adaptation",),
        ("реверсивное наставничество", "ИКТ", "цифровая образовательная среда"),
        recommended=True,
        days_ago=120,
    ),
)


async def _demo_region(db: AsyncSession) -> Region | None:
    result = await db.execute(
        select(Region)
        .where(Region.code == DEMO_REGION_CODE)
        .options(selectinload(Region.municipalities).selectinload(Municipality.schools))
    )
    return result.scalar_one_or_none()


def _event(
    item: BankItem, action: BankEventAction, actor: str, at: dt.datetime, comment: str = ""
) -> BankItemEvent:
    return BankItemEvent(item_id=item.id, action=action, actor_name=actor, comment=comment, created_at=at)


async def _write(
    db: AsyncSession,
    region: Region,
    school: School | None,
    spec: DemoItem,
    options: svc.Choices,
    now: dt.datetime,
) -> BankItem:
    created = now - dt.timedelta(days=spec.days_ago)
    roadmap: list[dict[str, Any]] = []
    if school is not None and spec.roadmap_from_programme:
        latest = await svc.programme_years(db, school)
        roadmap = (await svc.roadmap_snapshot(db, school, latest[0][0]) or []) if latest else []
    item = BankItem(
        region_id=region.id,
        author_school_id=school.id if school else None,
        municipality_id=school.municipality_id if school else None,
        author_name=school.name if school else "Региональный институт развития образования (ИРО)",
        kind=spec.kind,
        # Written as the author would (a draft), then moved on below in the moderator's scope.
        status=BankItemStatus.DRAFT if school else BankItemStatus.PUBLISHED,
        title=spec.title,
        summary=spec.summary,
        description=spec.description,
        results=spec.results,
        keywords=list(spec.keywords),
        form_codes=list(spec.forms),
        direction_codes=list(spec.directions),
        school_kind=spec.school_kind,
        grade_from=spec.grades[0],
        grade_to=spec.grades[1],
        roadmap=roadmap,
        plan_items=[{"task": t, "activity": a, "month": m} for t, a, m in spec.plan],
        recommended=False,
        contact_email=f"curator@{school.code}.demo.nastavnik.local" if school else "",
        created_at=created,
        published_at=created + dt.timedelta(days=2) if school is None else None,
    )
    item.search_text = svc.search_text_of(item, options)
    db.add(item)
    await db.flush()
    author = "Куратор программы наставничества" if school else METHODIST
    db.add(_event(item, BankEventAction.CREATED if school else BankEventAction.PUBLISHED, author, created))
    if school is not None and spec.status is not BankItemStatus.DRAFT:
        item.status = BankItemStatus.SUBMITTED
        item.submitted_at = created + dt.timedelta(days=1)
        db.add(_event(item, BankEventAction.SUBMITTED, author, item.submitted_at))
    await db.flush()
    return item


async def _moderate(db: AsyncSession, region: Region, item: BankItem, spec: DemoItem) -> None:
    """The methodist's steps, in the moderation scope."""
    await svc.moderation_scope(db, region.id)
    at = (item.submitted_at or item.created_at) + dt.timedelta(days=1)
    if spec.status is BankItemStatus.RETURNED:
        item.status = BankItemStatus.RETURNED
        db.add(_event(item, BankEventAction.RETURNED, METHODIST, at, spec.return_comment))
    elif spec.status is BankItemStatus.PUBLISHED and item.status is BankItemStatus.SUBMITTED:
        item.status = BankItemStatus.PUBLISHED
        item.published_at = at
        db.add(_event(item, BankEventAction.APPROVED, METHODIST, at))
    if spec.recommended and item.status is BankItemStatus.PUBLISHED:
        item.recommended = True
        db.add(_event(item, BankEventAction.RECOMMENDED, METHODIST, at + dt.timedelta(hours=2)))
    await db.flush()
    if item.status is BankItemStatus.PUBLISHED:
        await svc.add_words(db, item)
    await svc.moderation_scope(db, None)


async def seed_bank_demo(db: AsyncSession, *, now: dt.datetime | None = None) -> bool:
    """Fill the demo region's bank; each school's items once."""
    region = await _demo_region(db)
    if region is None:
        return False
    moment = now or dt.datetime.now(dt.UTC)
    schools = {s.code: s for m in region.municipalities for s in m.schools}
    options = await svc.choices(db)
    created = False
    written: list[tuple[BankItem, DemoItem]] = []
    await set_region(db, region.id)
    for code in dict.fromkeys(spec.school for spec in ITEMS):
        school = schools.get(code) if code else None
        if code and school is None:
            continue
        await set_school(db, school.id if school else None)
        if school is None:
            await svc.moderation_scope(db, region.id)
            already = await db.scalar(
                select(func.count()).where(
                    BankItem.region_id == region.id, BankItem.author_school_id.is_(None)
                )
            )
        else:
            already = await db.scalar(select(func.count()).where(BankItem.author_school_id == school.id))
        if already:
            await svc.moderation_scope(db, None)
            continue
        written += [
            (await _write(db, region, school, spec, options, moment), spec)
            for spec in ITEMS
            if spec.school == code
        ]
        await svc.moderation_scope(db, None)
        created = True
    await set_school(db, None)
    for item, spec in written:
        await _moderate(db, region, item, spec)
    for item, spec in written:
        for code in spec.adopted_by:
            adopter = schools.get(code)
            if adopter is None:
                continue
            await set_school(db, adopter.id)
            await _adopt(db, adopter, item, options, moment - dt.timedelta(days=max(spec.days_ago - 10, 1)))
    await set_school(db, None)
    await set_region(db, None)
    return created


async def _adopt(
    db: AsyncSession, school: School, item: BankItem, options: svc.Choices, at: dt.datetime
) -> None:
    school = (
        await db.scalar(
            select(School).where(School.id == school.id).options(selectinload(School.municipality))
        )
        or school
    )
    entry = await svc.adopt(db, school, item, options, actor=None)
    if entry is not None:
        entry.created_at = at
        await db.flush()
