"""The demo school in mid-year: programme, roadmap, banks, consents, pairs and meetings.

`nastavnik seed-demo` (and `nastavnik dev`) create the demo region (`tenants.demo`); this
module then fills «МБОУ СОШ № 2» (`sosh2-zar`) with a programme of the current academic
year, as a curator would have done it by now through the features' own services: the
roadmap from the region's pupils' template (Р-145) with the first stages done, people in
the banks with their requests, consents, trainings and interviews, matching rounds
approved into pairs and a group by an order, personalised plans and the meetings held.

Everything is dated relative to today, chosen with a fixed random seed, and created once:
a school that already has this year's programme or any participant is left as it is.

The demo people have no accounts yet (they sign in through Keycloak later), so where a
service records *who* did something it is given nobody: those columns are nullable.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.models import User
from nastavnik.platform.db import set_school
from nastavnik.platform.web import Form
from nastavnik.school.matching import services as matching
from nastavnik.school.matching.models import MatchingRound, PreferenceSide
from nastavnik.school.meetings import services as meetings
from nastavnik.school.meetings.models import MeetingFormat, MeetingKind
from nastavnik.school.pairs import services as pairs
from nastavnik.school.pairs.models import Mentorship
from nastavnik.school.participants import services as participants
from nastavnik.school.participants.consents import record_consent
from nastavnik.school.participants.models import (
    ConsentScope,
    ConsentSigner,
    InterviewResult,
    MenteeCategory,
    MentorProfile,
    MentorStatus,
    Participant,
    ParticipantKind,
    PartnerKind,
    PartnerOrganization,
    RequestSource,
    local_today,
)
from nastavnik.school.programme import services as programme_services
from nastavnik.school.programme.demo_history import seed_past_year
from nastavnik.school.programme.models import Programme, ProgrammeModel
from nastavnik.school.questionnaires.demo import seed_questionnaires_demo
from nastavnik.school.roadmap import services as roadmap
from nastavnik.school.roadmap.models import ChangeAction, ItemStatus, RoadmapChange, RoadmapItem
from nastavnik.tenants.models import Municipality, School, StaffMember
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_by_code

DEMO_SCHOOL_CODE = "sosh2-zar"
SEED = 145  # the random choices (birthdays, parents, meeting days) are the same every run

# Services record who did something by their account id; the demo loader is nobody (the
# columns are nullable), and a lookup by a nil id finds nobody.
NOBODY = cast("uuid.UUID", None)
NO_ACCOUNT = uuid.UUID(int=0)

CONTINGENT = {"pupils": "612", "pupils_10_19": "430", "teachers": "48", "young_teachers": "7"}
ORDER_NUMBER = "134-о"
ORDER_DAYS_AGO = 35  # pairs approved five weeks ago
QUIET_PAIR = ("p_egorova", "Макаров")  # this pair has not met since the order


# --- people -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoMentor:
    key: str
    kind: ParticipantKind
    last: str
    first: str
    middle: str
    capacity: int
    directions: tuple[str, ...]
    subjects: tuple[str, ...] = ()
    competencies: tuple[str, ...] = ()
    position: str = ""
    experience: int | None = None
    category: str = ""
    email: str = ""
    class_name: str = ""
    birth: tuple[int, int, int] | None = None  # (years before the academic year, month, day)
    competencies_text: str = ""
    confirmed_results: str = ""
    trainings: tuple[tuple[str, str, int, int], ...] = ()  # course, provider, hours, days ago
    interview: InterviewResult = InterviewResult.RECOMMENDED
    interview_note: str = ""
    cross_school: bool = False
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoMentee:
    last: str
    first: str
    middle: str
    directions: tuple[str, ...]
    areas: tuple[str, ...]
    sources: tuple[RequestSource, ...]
    request: str
    mentor: str | None  # the mentor chosen after the group meeting
    class_name: str = ""
    subjects: tuple[str, ...] = ()
    consent: bool = True
    # Young teachers:
    position: str = ""
    experience: int | None = None
    email: str = ""


CNPPM = "ЦНППМ Демонстрационной области"
SCHOOL_OF_MENTORS = ("Школа наставника: технологии наставничества в образовательной организации", CNPPM, 36)
PUPIL_MENTOR_SCHOOL = (
    "Школа наставника для старшеклассников",
    "МБОУ СОШ № 2, педагог-психолог Кузнецова О. И.",
    8,
)

MENTORS: tuple[DemoMentor, ...] = (
    DemoMentor(
        "t_smirnov",
        ParticipantKind.TEACHER,
        "Смирнов",
        "Дмитрий",
        "Алексеевич",
        3,
        ("potential", "motivation", "educational_path"),
        ("математика",),
        ("subject", "methods"),
        position="Учитель математики",
        experience=14,
        category="highest",
        email="mentor@demo.nastavnik.local",
        competencies_text="Подготовка к олимпиадам и ОГЭ по математике, проектные задачи.",
        confirmed_results="Призёры регионального этапа ВсОШ по математике (2024, 2025).",
        trainings=(
            (*SCHOOL_OF_MENTORS, 420),
            ("Подготовка обучающихся к олимпиадам по математике", "ИРО Демонстрационной области", 72, 250),
        ),
        interview_note="Готов вести трёх наставляемых, предпочитает 7-9 классы.",
        cross_school=True,
        topics=(
            "Разбор задач школьного этапа олимпиады",
            "Текстовые задачи на движение и работу",
            "Подготовка к муниципальному этапу: комбинаторика",
            "Пробный ОГЭ: разбор ошибок",
            "Геометрия: вспомогательные построения",
        ),
    ),
    DemoMentor(
        "t_orlova",
        ParticipantKind.TEACHER,
        "Орлова",
        "Наталья",
        "Викторовна",
        3,
        ("potential", "motivation", "young_teacher", "teacher_adaptation"),
        ("русский язык", "литература"),
        ("methods", "psychology", "regulatory"),
        position="Учитель русского языка и литературы",
        experience=22,
        category="mentor",
        competencies_text="Методика преподавания русского языка, классное руководство, работа с родителями.",
        confirmed_results="Победитель муниципального конкурса «Учитель года» (2019).",
        trainings=((*SCHOOL_OF_MENTORS, 420),),
        cross_school=True,
        topics=(
            "Чтение и обсуждение рассказа",
            "Орфографический практикум",
            "Подготовка к конкурсу чтецов",
            "Анализ урока, планирование следующей темы",
            "Разбор трудной ситуации с родителями",
        ),
    ),
    DemoMentor(
        "t_belov",
        ParticipantKind.TEACHER,
        "Белов",
        "Игорь",
        "Николаевич",
        2,
        ("potential", "educational_path", "young_teacher"),
        ("физика", "астрономия"),
        ("subject", "ict"),
        position="Учитель физики",
        experience=11,
        category="first",
        competencies_text="Лабораторный практикум, цифровые лаборатории, инженерные проекты.",
        trainings=((*SCHOOL_OF_MENTORS, 60),),
        topics=(
            "Эксперимент с цифровой лабораторией",
            "Задачи на законы Ньютона",
            "Посещение урока и его разбор",
            "Подготовка инженерного проекта",
        ),
    ),
    DemoMentor(
        "t_zaytseva",
        ParticipantKind.TEACHER,
        "Зайцева",
        "Людмила",
        "Петровна",
        3,
        ("potential", "motivation", "educational_path"),
        ("биология", "химия"),
        ("subject", "upbringing"),
        position="Учитель биологии и химии",
        experience=18,
        category="highest",
        competencies_text="Исследовательские проекты, экологическое воспитание, подготовка к олимпиадам.",
        confirmed_results="Руководитель проектов — призёров регионального конкурса «Юные исследователи».",
        trainings=((*SCHOOL_OF_MENTORS, 420),),
        topics=(
            "Выбор темы исследовательского проекта",
            "Полевая практика: пробы воды из реки Заречной",
            "Работа с микроскопом",
            "Оформление результатов исследования",
        ),
    ),
    DemoMentor(
        "t_kovaleva",
        ParticipantKind.TEACHER,
        "Ковалёва",
        "Светлана",
        "Андреевна",
        2,
        ("soft_skills", "civic_values", "young_teacher", "teacher_adaptation"),
        ("английский язык",),
        ("methods", "psychology"),
        position="Учитель английского языка",
        experience=9,
        category="first",
        trainings=((*SCHOOL_OF_MENTORS, 60),),
        topics=(
            "Дебаты на английском: подготовка аргументов",
            "Планирование урока по системе PPP",
            "Речевой клуб",
            "Разбор открытого урока",
        ),
    ),
    DemoMentor(
        "t_grigoryev",
        ParticipantKind.TEACHER,
        "Григорьев",
        "Алексей",
        "Викторович",
        2,
        ("civic_values", "soft_skills"),
        ("история", "обществознание"),
        ("upbringing",),
        position="Учитель истории и обществознания",
        experience=16,
        category="first",
        competencies_text="Руководитель школьного музея и отряда «Юнармия».",
        trainings=((*SCHOOL_OF_MENTORS, 420),),
        topics=(
            "Экспозиция школьного музея: подготовка экскурсии",
            "Дебаты: права и обязанности школьника",
            "Встреча с ветеранами педагогического труда",
            "Подготовка к конференции «Моя малая родина»",
        ),
    ),
    DemoMentor(
        "t_tarasova",
        ParticipantKind.TEACHER,
        "Тарасова",
        "Елена",
        "Михайловна",
        2,
        ("potential", "entrepreneurship", "soft_skills"),
        ("информатика",),
        ("ict", "methods"),
        position="Учитель информатики",
        experience=7,
        category="first",
        trainings=((*SCHOOL_OF_MENTORS, 60),),
        topics=(
            "Python: первые программы",
            "Проект «Школьный бот расписания»",
            "Подготовка к олимпиаде по информатике",
            "Защита мини-проекта",
        ),
    ),
    DemoMentor(
        "t_medvedeva",
        ParticipantKind.TEACHER,
        "Медведева",
        "Ирина",
        "Борисовна",
        2,
        ("young_teacher", "teacher_adaptation"),
        ("география",),
        ("methods", "regulatory", "psychology"),
        position="Учитель географии, руководитель методического объединения",
        experience=27,
        category="methodist",
        competencies_text="Сопровождение молодых педагогов, подготовка к аттестации.",
        trainings=((*SCHOOL_OF_MENTORS, 420),),
        cross_school=True,
        topics=(
            "Рабочая программа по ФГОС: разбор",
            "Посещение урока и его анализ",
            "Классное руководство: первое родительское собрание",
            "Портфолио к аттестации",
        ),
    ),
    DemoMentor(
        "t_frolov",
        ParticipantKind.TEACHER,
        "Фролов",
        "Сергей",
        "Иванович",
        1,
        ("motivation", "soft_skills", "pupil_adaptation"),
        ("физическая культура",),
        ("health", "upbringing"),
        position="Учитель физической культуры",
        experience=20,
        category="first",
        interview=InterviewResult.NOT_DONE,
        topics=("Тренировка к сдаче ГТО", "Командные игры: роль капитана", "Дневник самоконтроля"),
    ),
    DemoMentor(
        "p_romanov",
        ParticipantKind.PUPIL,
        "Романов",
        "Артём",
        "Денисович",
        2,
        ("pupil_adaptation", "soft_skills"),
        class_name="11А",
        birth=(17, 4, 12),
        competencies_text="Председатель совета обучающихся.",
        trainings=((*PUPIL_MENTOR_SCHOOL, 40),),
        topics=(
            "Экскурсия по школе и кружкам",
            "Как готовить домашние задания",
            "Игра на знакомство в классе",
        ),
    ),
    DemoMentor(
        "p_egorova",
        ParticipantKind.PUPIL,
        "Егорова",
        "Полина",
        "Сергеевна",
        2,
        ("soft_skills", "civic_values"),
        class_name="10Б",
        birth=(16, 2, 3),
        competencies_text="Волонтёрский отряд «Добро», школьный театр.",
        trainings=((*PUPIL_MENTOR_SCHOOL, 40),),
        topics=("Подготовка выступления", "Волонтёрская акция", "Репетиция школьного театра"),
    ),
    DemoMentor(
        "p_kiselev",
        ParticipantKind.PUPIL,
        "Киселёв",
        "Максим",
        "Олегович",
        1,
        ("motivation", "potential"),
        ("математика",),
        class_name="11Б",
        birth=(18, 3, 8),
        confirmed_results="Призёр муниципального этапа олимпиады по математике.",
        trainings=((*PUPIL_MENTOR_SCHOOL, 40),),
        topics=("Разбор домашней работы по алгебре", "Логические задачи", "Подготовка к контрольной"),
    ),
    DemoMentor(
        "p_lebedeva",
        ParticipantKind.PUPIL,
        "Лебедева",
        "Дарья",
        "Ильинична",
        2,
        ("pupil_adaptation",),
        class_name="10А",
        birth=(16, 7, 21),
        trainings=((*PUPIL_MENTOR_SCHOOL, 40),),
        topics=("Знакомство с классом и кружками", "Школьная библиотека", "Подготовка к школьному празднику"),
    ),
    DemoMentor(
        "e_volkov",
        ParticipantKind.EMPLOYER_STAFF,
        "Волков",
        "Андрей",
        "Викторович",
        3,
        ("career", "entrepreneurship"),
        competencies=(),
        position="Инженер-конструктор",
        experience=12,
        competencies_text="Конструкторское бюро завода, наставник молодых специалистов предприятия.",
        trainings=((*SCHOOL_OF_MENTORS, 60),),
        topics=(
            "Экскурсия в конструкторское бюро",
            "Чертёж детали в САПР",
            "Проект «Умная теплица»: постановка задачи",
            "Профессии завода: встреча с технологами",
        ),
    ),
)

# Pupils, three lines each: name, class → the mentor chosen after the group meeting («—»:
# nobody in the bank helps with this yet; «без согласия»: parents have not returned the
# signed consent); subjects / directions | request areas | sources (SOURCES) / the request.
PUPIL_TABLE = """
Кузьмин Егор Павлович, 5А → p_romanov
    pupil_adaptation | creative | ct q
    Трудно привыкнуть к предметной системе в пятом классе, теряется на переменах.
Андреева Софья Максимовна, 5Б → p_romanov
    pupil_adaptation soft_skills | creative | ct pa
    Стесняется отвечать у доски, хочет найти друзей в новом классе.
Макаров Тимур Русланович, 6А → p_egorova
    soft_skills | creative | q ps
    Боится выступать перед классом, хочет научиться защищать проект.
Федотова Ева Александровна, 7Б → p_egorova
    civic_values soft_skills | creative | q
    Хочет участвовать в волонтёрском отряде и школьных акциях.
Попов Даниил Сергеевич, 7А → p_kiselev; математика
    motivation potential | intellectual | q pa
    Снизились оценки по алгебре, просит помочь с домашними заданиями.
Ильина Варвара Олеговна, 6Б → p_lebedeva
    pupil_adaptation | creative | ct ps
    Пришла в школу в этом году из другого города.
Титов Арсений Викторович, 9А → e_volkov
    career entrepreneurship | career_guidance | q pa
    Интересуется инженерными профессиями, думает об инженерном классе.
Гаврилова Алиса Романовна, 8Б → e_volkov
    career | career_guidance | q
    Не может выбрать профиль обучения, хочет узнать о профессиях завода.
Никитин Матвей Андреевич, 8А → t_smirnov; математика
    potential educational_path | intellectual | q ct
    Подготовка к олимпиаде по математике, муниципальный этап.
Захарова Анастасия Дмитриевна, 9Б → t_smirnov; математика
    educational_path motivation | intellectual career_guidance | q pa
    Выбор профиля 10 класса, подготовка к ОГЭ по математике.
Семёнов Лев Алексеевич, 7В → t_smirnov; математика
    motivation | intellectual | ct pa
    Снизилась успеваемость по алгебре, пропала мотивация.
Виноградова Милана Евгеньевна, 8В → t_zaytseva; биология
    potential | intellectual | q
    Исследовательский проект по экологии реки Заречной.
Борисов Глеб Ильич, 8В → t_zaytseva; биология, химия
    potential educational_path | intellectual | q ct
    Хочет выступить на конференции «Юные исследователи».
Полякова Ульяна Сергеевна, 9А → t_zaytseva; химия
    educational_path | intellectual career_guidance | q pa
    Думает о медицинском классе, нужна подготовка по химии и биологии.
Комаров Святослав Денисович, 6В → t_orlova; русский язык
    motivation | intellectual | ct ps
    Трудности с орфографией, не любит читать.
Баранова Кира Владимировна, 9В → t_orlova; литература
    potential | creative | q
    Пишет стихи, хочет участвовать в литературных конкурсах.
Жуков Ярослав Николаевич, 9Б → t_belov; физика
    educational_path potential | intellectual | q pa
    Собирается в инженерный класс, нужен проект по физике.
Антонова Василиса Игоревна, 7Б → t_kovaleva; английский язык
    soft_skills | creative | q
    Хочет выступать в дебатах на английском языке.
Филиппов Марк Евгеньевич, 8А → t_grigoryev; история
    civic_values | creative | q ct
    Интересуется историей края, хочет работать в школьном музее.
Дмитриева Алёна Павловна, 7А → t_grigoryev; обществознание
    civic_values soft_skills | creative | q
    Хочет войти в совет обучающихся и научиться вести проекты.
Сидоров Роман Алексеевич, 8Б → t_tarasova; информатика
    potential entrepreneurship | intellectual | q
    Программирует сам, хочет сделать проект для школы.
Крылова Мирослава Антоновна, 6А → t_tarasova; информатика
    potential | intellectual | q pa
    Интересуется робототехникой и программированием.
Голубев Тимофей Романович, 5В → t_frolov
    motivation pupil_adaptation | creative | ct sw
    Часто пропускает уроки, нужен взрослый пример и спорт.
Ершова Злата Михайловна, 7В → —
    teen_crisis | creative | ps pa
    Конфликты в классе, замкнутость; нужна поддержка взрослого.
Сорокин Кирилл Андреевич, 6В → без согласия
    motivation | intellectual | ct
    Низкая мотивация к учёбе по всем предметам.
Николаева Вероника Денисовна, 8А → без согласия
    potential | creative | q
    Рисует, хочет участвовать в конкурсах.
"""
SOURCES = {
    "q": RequestSource.QUESTIONNAIRE,
    "ct": RequestSource.CLASS_TEACHER,
    "ps": RequestSource.PSYCHOLOGIST,
    "sw": RequestSource.SOCIAL_WORKER,
    "pa": RequestSource.PARENT,
}

TEACHER_MENTEES: tuple[DemoMentee, ...] = (
    DemoMentee(
        "Васильева",
        "Анна",
        "Сергеевна",
        ("young_teacher", "teacher_adaptation"),
        ("methodological",),
        (RequestSource.QUESTIONNAIRE, RequestSource.METHODOLOGICAL_ANALYSIS, RequestSource.LESSON_VISITS),
        "Первый год в школе: рабочие программы, дисциплина на уроке, работа с родителями.",
        "t_orlova",
        subjects=("русский язык",),
        position="Учитель русского языка",
        experience=1,
        email="mentee@demo.nastavnik.local",
    ),
    DemoMentee(
        "Гусев",
        "Никита",
        "Олегович",
        ("young_teacher",),
        ("methodological",),
        (RequestSource.QUESTIONNAIRE, RequestSource.LESSON_VISITS),
        "Молодой специалист: лабораторные работы, объективное оценивание.",
        "t_belov",
        subjects=("физика",),
        position="Учитель физики",
        experience=0,
    ),
    DemoMentee(
        "Соловьёва",
        "Ксения",
        "Андреевна",
        ("young_teacher", "teacher_adaptation"),
        ("methodological",),
        (RequestSource.QUESTIONNAIRE, RequestSource.METHODOLOGICAL_ANALYSIS),
        "Новый коллектив, современные технологии обучения языку.",
        "t_kovaleva",
        subjects=("английский язык",),
        position="Учитель английского языка",
        experience=2,
    ),
    DemoMentee(
        "Павлова",
        "Алина",
        "Игоревна",
        ("young_teacher",),
        ("methodological",),
        (RequestSource.ATTESTATION, RequestSource.LESSON_VISITS),
        "Подготовка к первой аттестации, классное руководство.",
        "t_medvedeva",
        subjects=("история",),
        position="Учитель истории",
        experience=1,
    ),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _pupils(table: str) -> tuple[DemoMentee, ...]:
    lines = table.strip().splitlines()
    rows = []
    for head, needs, request in zip(lines[::3], lines[1::3], lines[2::3], strict=True):
        person, _, rest = head.partition(", ")
        class_name, _, chosen = rest.partition(" → ")
        mentor, _, subjects = chosen.partition("; ")
        directions, areas, sources = (cell.split() for cell in needs.split("|"))
        last, first, middle = person.split()
        rows.append(
            DemoMentee(
                last,
                first,
                middle,
                tuple(directions),
                tuple(areas),
                tuple(SOURCES[s] for s in sources),
                request.strip(),
                mentor if mentor.isascii() else None,
                class_name=class_name,
                subjects=tuple(s.strip() for s in subjects.split(",") if s.strip()),
                consent=mentor != "без согласия",
            )
        )
    return tuple(rows)


MENTEES: tuple[DemoMentee, ...] = _pupils(PUPIL_TABLE) + TEACHER_MENTEES

# The rounds, in the order the curator ran them: teachers first, so that their places for
# young teachers are taken before pupils are matched.
ROUNDS = ("teacher_teacher", "teacher_student", "student_student", "employer_student")
GROUP_MENTOR = "t_zaytseva"  # her three mentees work as one group

MOTHERS = ("Ольга", "Елена", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Марина", "Анна", "Екатерина")
FATHERS = ("Андрей", "Сергей", "Алексей", "Дмитрий", "Игорь", "Олег", "Павел", "Роман", "Денис", "Максим")
PATRONYMICS_F = (
    "Александровна",
    "Викторовна",
    "Николаевна",
    "Сергеевна",
    "Владимировна",
    "Юрьевна",
    "Петровна",
)
PATRONYMICS_M = (
    "Александрович",
    "Викторович",
    "Николаевич",
    "Сергеевич",
    "Владимирович",
    "Юрьевич",
    "Петрович",
)


# --- roadmap ------------------------------------------------------------------------------

# What was done, as the curator wrote it (rows keyed «stage.position» of the Р-145 template).
ROADMAP_RESULTS = {
    "1.1": "Приказ от 01.09.{y} № 112-о «Об организации наставничества»; куратор — Иванова М. П.",
    "1.2": "Положение о наставничестве утверждено приказом от 01.09.{y} № 112-о, размещено на сайте.",
    "1.3": "Дорожная карта утверждена директором, размещена в разделе «Наставничество».",
    "1.4": "Собран перечень нормативных документов и методических рекомендаций (14 документов).",
    "1.5": "Проведён мониторинг запросов: анкеты 9 классов, аналитическая справка от 25.09.{y}.",
    "1.6": "Административное совещание 18.09.{y}, протокол № 3.",
    "1.7": "Сформирован банк программ по четырём формам наставничества.",
    "1.8": "Родительские собрания 5-11 классов, новость на сайте школы, стенд в рекреации.",
    "2.1": "Анкетирование обучающихся 5-9 классов и молодых педагогов: 212 анкет.",
    "2.2": "Согласия собраны у всех участников, кроме двух обучающихся (родители не вернули бланки).",
    "2.3": "Получены характеристики от классных руководителей и педагога-психолога.",
    "2.4": "Проанализированы личные дела и посещённые уроки молодых педагогов.",
    "2.6": "База наставляемых сформирована: 30 человек.",
    "3.1": "Анкетирование педагогов, старшеклассников и сотрудников завода-партнёра.",
    "3.2": "Согласия наставников собраны.",
    "3.3": "Педагогический совет и встреча с советом обучающихся о программе наставничества.",
    "3.4": "База наставников сформирована: 14 человек, в том числе сотрудник завода-партнёра.",
    "4.1": "Отобраны 14 наставников под четыре формы наставничества.",
    "4.2": "Собеседования проведены с 13 наставниками, протоколы у педагога-психолога.",
    "4.4": "Обучение наставников: курсы ЦНППМ (36 ч) и школьная «Школа наставника» (8 ч).",
    "5.1": "Анкеты сопоставлены, предложения по парам подготовлены в системе подбора.",
    "5.2": "Групповая встреча наставников и наставляемых проведена в актовом зале.",
    "5.3": "Анкеты предпочтений после групповой встречи собраны у всех наставляемых.",
    "5.4": "Сформированы пары и группа; один наставляемый ожидает наставника.",
    "5.5": "Приказ «Об утверждении наставнических пар / групп» № {order}.",
}
# Done ahead of their November deadlines, so many days before the order on the pairs.
DONE_AHEAD = {"4.1": 14, "4.2": 10, "4.4": 5, "5.1": 3, "5.2": 7, "5.3": 6, "5.4": 1, "5.5": 0}
OVERDUE_ROW = "2.5"  # the psychologist's entry assessment: still not done
IN_PROGRESS_NOTES = {
    "4.3": "Подобраны материалы ЦНППМ; методические рекомендации для наставников-старшеклассников в работе.",
    "8.4": "Заявка Смирнова Д. А. на муниципальный конкурс «Наставник года» подана.",
    "9.1": "Раздел «Наставничество» на сайте ведётся: положение, приказы, новости о встречах.",
}


# --- the seed -----------------------------------------------------------------------------


class DemoSeedError(RuntimeError):
    """A service refused demo data: the demo is out of step with a feature's rules."""


def _check(form: Form, what: str) -> None:
    if not form.ok:
        raise DemoSeedError(f"{what}: {form.errors}")


def _iso(day: dt.date) -> str:
    return day.isoformat()


@dataclass
class _Context:
    db: AsyncSession
    school: School
    year: AcademicYear
    today: dt.date
    rng: random.Random
    staff: dict[str, StaffMember]
    refs: dict[ReferenceKind, dict[str, ReferenceItem]]
    mentors: dict[str, MentorProfile] = field(default_factory=dict)
    mentor_people: dict[str, Participant] = field(default_factory=dict)
    mentee_people: dict[str, Participant] = field(default_factory=dict)  # by last name

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def ref_ids(self, kind: ReferenceKind, codes: Sequence[str]) -> list[str]:
        return [str(self.refs[kind][code].id) for code in codes]


async def demo_school(db: AsyncSession) -> School | None:
    """The demo region's school that gets the mid-year data, with its municipality."""
    result = await db.execute(
        select(School)
        .where(School.code == DEMO_SCHOOL_CODE)
        .options(selectinload(School.municipality).selectinload(Municipality.region))
    )
    return result.scalar_one_or_none()


async def seed_demo_school(db: AsyncSession) -> bool:
    """Fill the demo school if the demo region is there; returns whether anything was created."""
    school = await demo_school(db)
    return await seed_school_demo(db, school) if school is not None else False


async def seed_school_demo(db: AsyncSession, school: School, *, today: dt.date | None = None) -> bool:
    """Create the school's demo programme year; nothing if the school already has data.

    `school` needs its municipality loaded (the region's templates are looked up through it).
    """
    today = today or local_today()
    year = AcademicYear.current(today)
    await set_school(db, school.id)
    if await programme_services.programme_for_year(db, school, year) is not None:
        await set_school(db, None)
        return False
    if await db.scalar(
        select(func.count()).select_from(Participant).where(Participant.school_id == school.id)
    ):
        await set_school(db, None)
        return False
    staff = await programme_services.active_staff(db, school)
    ctx = _Context(
        db=db,
        school=school,
        year=year,
        today=today,
        rng=random.Random(SEED),  # noqa: S311 - demo data, not secrets
        staff={s.email.split("@")[0]: s for s in staff},
        refs={
            kind: await reference_by_code(db, kind)
            for kind in (
                ReferenceKind.FORM,
                ReferenceKind.DIRECTION,
                ReferenceKind.REQUEST_AREA,
                ReferenceKind.DEFICIT_AREA,
            )
        },
    )
    programme = await _programme(ctx)
    partner = await _partner(ctx)
    await _mentors(ctx, partner)
    await _mentees(ctx)
    await _preferences(ctx)
    await meetings.log_school_meeting(
        db,
        school,
        year=year.start,
        user_id=NOBODY,
        form=Form(
            data={
                "kind": MeetingKind.GROUP_MEETING.value,
                "held_on": _iso(ctx.ago(ORDER_DAYS_AGO + 7)),
                "duration_minutes": "90",
                "format": MeetingFormat.IN_PERSON.value,
                "topic": "Знакомство, презентация наставников, выбор наставника",
                "notes": "Актовый зал; после встречи участники заполнили анкеты предпочтений.",
            }
        ),
        today=today,
    )
    created = await _rounds(ctx)
    await _plans_and_meetings(ctx, created)
    await _roadmap(ctx, programme)
    await seed_past_year(db, school, today)
    await seed_questionnaires_demo(db, school, year.start, today)
    await set_school(db, None)
    return True


async def _programme(ctx: _Context) -> Programme:
    db, school = ctx.db, ctx.school
    templates = await programme_services.templates_for_school(db, school)
    template = next(t for t in templates if t.model is ProgrammeModel.PUPILS)
    form = Form(data={"year": ctx.year.title, "source": f"template:{template.id}"})
    programme = await programme_services.start_programme(db, school, form)
    _check(form, "programme")
    assert programme is not None  # noqa: S101 - a form without errors gives a programme
    form = Form(data=dict(CONTINGENT))
    await programme_services.save_contingent(db, school, ctx.year, form)
    _check(form, "contingent")
    return programme


async def _partner(ctx: _Context) -> PartnerOrganization:
    form = Form(
        data={
            "name": "ООО «Заречный приборостроительный завод»",
            "kind": PartnerKind.EMPLOYER.value,
            "inn": "",
            "agreement_number": "14/" + str(ctx.year.start)[2:],
            "agreement_date": _iso(ctx.year.starts + dt.timedelta(days=9)),
            "agreement_valid_until": _iso(ctx.year.ends),
            "contact": "Отдел кадров, Лаптева Г. Н., +7 (34377) 2-14-05",
        }
    )
    partner = await participants.save_partner(ctx.db, ctx.school, form)
    _check(form, "partner")
    assert partner is not None  # noqa: S101
    return partner


def _birth(ctx: _Context, years: int, month: int | None = None, day: int | None = None) -> dt.date:
    """A birthday `years` before the academic year's start (random month and day if not given)."""
    month = month or ctx.rng.randint(1, 12)
    day = day or ctx.rng.randint(1, 28)
    return dt.date(ctx.year.start - years, month, day)


def _pupil_age(class_name: str) -> int:
    return int(class_name.rstrip("АБВГ")) + 6  # a fifth-grader turns 11 during the year


async def _person(ctx: _Context, data: dict[str, str]) -> Participant:
    form = Form(data=data)
    person = await participants.create_participant(ctx.db, ctx.school, form, today=ctx.today)
    _check(form, f"participant {data.get('last_name')}")
    assert person is not None  # noqa: S101
    return person


async def _consent(ctx: _Context, person: Participant, *, extra: Sequence[ConsentScope] = ()) -> None:
    signed = ctx.ago(ORDER_DAYS_AGO + ctx.rng.randint(12, 30))
    if person.is_minor(signed):
        surname = _female_surname(person.last_name) if person.middle_name.endswith("ич") else person.last_name
        if ctx.rng.random() < 0.75:
            signer = f"{surname} {ctx.rng.choice(MOTHERS)} {ctx.rng.choice(PATRONYMICS_F)}"
        else:
            father = _father_name(person)
            signer = f"{_male_surname(person.last_name)} {father} {ctx.rng.choice(PATRONYMICS_M)}"
        data: dict[str, Any] = {"signer": ConsentSigner.PARENT.value, "signer_name": signer}
        until = ctx.year.ends
    else:
        data = {"signer": ConsentSigner.SELF.value, "signer_name": ""}
        until = None
    data |= {
        "signed_on": _iso(signed),
        "valid_until": _iso(until) if until else "",
        "scopes": [ConsentScope.PROGRAMME.value, ConsentScope.PUBLICATION.value, *(s.value for s in extra)],
    }
    form = Form(data=data)
    await record_consent(ctx.db, ctx.school, person, form, scan=None, recorded_by=None, max_bytes=0)
    _check(form, f"consent {person.last_name}")


_FEMALE_ENDINGS = (
    ("ский", "ская"),
    ("цкий", "цкая"),
    ("ов", "ова"),
    ("ев", "ева"),
    ("ёв", "ёва"),
    ("ин", "ина"),
)


def _female_surname(last: str) -> str:
    for male, female in _FEMALE_ENDINGS:
        if last.endswith(male):
            return last[: -len(male)] + female
    return last


def _male_surname(last: str) -> str:
    for male, female in _FEMALE_ENDINGS:
        if last.endswith(female):
            return last[: -len(female)] + male
    return last


_FATHER_BY_PATRONYMIC = {
    "Павлович": "Павел",
    "Павловна": "Павел",
    "Максимовна": "Максим",
    "Русланович": "Руслан",
    "Александровна": "Александр",
    "Сергеевич": "Сергей",
    "Сергеевна": "Сергей",
    "Олеговна": "Олег",
    "Олегович": "Олег",
    "Викторович": "Виктор",
    "Романовна": "Роман",
    "Романович": "Роман",
    "Андреевич": "Андрей",
    "Андреевна": "Андрей",
    "Дмитриевна": "Дмитрий",
    "Алексеевич": "Алексей",
    "Евгеньевна": "Евгений",
    "Евгеньевич": "Евгений",
    "Ильич": "Илья",
    "Ильинична": "Илья",
    "Денисович": "Денис",
    "Денисовна": "Денис",
    "Владимировна": "Владимир",
    "Николаевич": "Николай",
    "Игоревна": "Игорь",
    "Антоновна": "Антон",
    "Михайловна": "Михаил",
}


def _father_name(person: Participant) -> str:
    return _FATHER_BY_PATRONYMIC.get(person.middle_name, "Андрей")


async def _mentors(ctx: _Context, partner: PartnerOrganization) -> None:
    db = ctx.db
    psychologist = ctx.staff["psychologist"]
    for m in MENTORS:
        data = {
            "kind": m.kind.value,
            "last_name": m.last,
            "first_name": m.first,
            "middle_name": m.middle,
            "subjects": ", ".join(m.subjects) if m.kind is not ParticipantKind.PUPIL else "",
            "position": m.position,
            "experience_years": "" if m.experience is None else str(m.experience),
            "teacher_category": m.category,
            "email": m.email,
        }
        if m.kind is ParticipantKind.PUPIL:
            assert m.birth is not None  # noqa: S101
            data["class_name"] = m.class_name
            data["birth_date"] = _iso(_birth(ctx, *m.birth))
        else:
            data["birth_date"] = _iso(_birth(ctx, 24 + (m.experience or 0)))
        if m.kind is ParticipantKind.EMPLOYER_STAFF:
            data["partner_organization_id"] = str(partner.id)
        person = await _person(ctx, data)
        extra = (ConsentScope.REGIONAL_BANK,) if m.cross_school else ()
        await _consent(ctx, person, extra=extra)
        form = Form(
            data={
                "capacity": str(m.capacity),
                "status": MentorStatus.SELECTED.value,
                "directions": ctx.ref_ids(ReferenceKind.DIRECTION, m.directions),
                "competencies": ctx.ref_ids(ReferenceKind.DEFICIT_AREA, m.competencies),
                "subjects": ", ".join(m.subjects),
                "competencies_text": m.competencies_text,
                "confirmed_results": m.confirmed_results,
                "cross_school_search": "true" if m.cross_school else "",
            }
        )
        profile = await participants.save_mentor_profile(db, person, ctx.year.start, form)
        _check(form, f"mentor {m.last}")
        assert profile is not None  # noqa: S101
        for course, provider, hours, days_ago in m.trainings:
            form = Form(
                data={
                    "completed_on": _iso(ctx.ago(days_ago)),
                    "course": course,
                    "provider": provider,
                    "hours": str(hours),
                }
            )
            await participants.add_training(db, profile, form)
            _check(form, f"training {m.last}")
        if m.interview is not InterviewResult.NOT_DONE:
            form = Form(
                data={
                    "interview_result": m.interview.value,
                    "interview_date": _iso(ctx.ago(ORDER_DAYS_AGO + ctx.rng.randint(10, 16))),
                    "interview_note": m.interview_note
                    or "Мотивирован(а), готов(а) к работе с наставляемыми.",
                }
            )
            await participants.record_interview(db, ctx.school, profile, form, NO_ACCOUNT)
            _check(form, f"interview {m.last}")
            # The psychologist held it; she has not signed in yet, so her account is unknown.
            profile.interviewed_by_id = psychologist.id
        ctx.mentors[m.key] = profile
        ctx.mentor_people[m.key] = person
    await db.flush()


async def _mentees(ctx: _Context) -> None:
    year = ctx.year.start
    for m in MENTEES:
        data = {
            "last_name": m.last,
            "first_name": m.first,
            "middle_name": m.middle,
            "subjects": ", ".join(m.subjects),
            "email": m.email,
        }
        if m.class_name:
            data |= {
                "kind": ParticipantKind.PUPIL.value,
                "class_name": m.class_name,
                "birth_date": _iso(_birth(ctx, _pupil_age(m.class_name))),
            }
            if not m.consent:
                # The school's list names the parent: the consents grid offers them as signer.
                surname = _female_surname(m.last) if m.middle.endswith("ич") else m.last
                mother = MOTHERS[len(m.first) % len(MOTHERS)]
                data["parent_name"] = f"{surname} {mother} {PATRONYMICS_F[len(m.last) % len(PATRONYMICS_F)]}"
                data["parent_phone"] = f"+7 900 {len(m.last):03d}-{len(m.first):02d}-{len(m.middle):02d}"
            category = MenteeCategory.PUPIL
        else:
            data |= {
                "kind": ParticipantKind.TEACHER.value,
                "position": m.position,
                "experience_years": str(m.experience),
                "teacher_category": "young_specialist",
                "birth_date": _iso(_birth(ctx, 23 + (m.experience or 0))),
            }
            category = MenteeCategory.YOUNG_TEACHER
        person = await _person(ctx, data)
        if m.consent:
            await _consent(ctx, person)
        form = Form(
            data={
                "category": category.value,
                "directions": ctx.ref_ids(ReferenceKind.DIRECTION, m.directions),
                "request_areas": ctx.ref_ids(ReferenceKind.REQUEST_AREA, m.areas),
                "request_text": m.request,
                "request_sources": [s.value for s in m.sources],
                "status": "active",
            }
        )
        await participants.save_mentee_profile(ctx.db, person, year, form)
        _check(form, f"mentee {m.last}")
        ctx.mentee_people[m.last] = person


async def _preferences(ctx: _Context) -> None:
    """After the group meeting every mentee named the mentor they would like; mentors of
    the first pairs named their mentees too."""
    for m in MENTEES:
        if m.mentor is None or not m.consent:
            continue
        chooser, chosen = ctx.mentee_people[m.last], ctx.mentor_people[m.mentor]
        for side, a, b in (
            (PreferenceSide.MENTEE, chooser, chosen),
            (PreferenceSide.MENTOR, chosen, chooser),
        ):
            form = Form(data={"side": side.value, "chooser": str(a.id), "chosen": str(b.id)})
            await matching.add_preference(ctx.db, ctx.school, ctx.year.start, form)
            _check(form, f"preference {m.last}")


async def _rounds(ctx: _Context) -> list[Mentorship]:
    order_date = ctx.ago(ORDER_DAYS_AGO)
    created: list[Mentorship] = []
    for code in ROUNDS:
        form = Form(data={"academic_year": ctx.year.title, "form": code, "mode": "best_fit"})
        matching_round = await matching.start_round(ctx.db, ctx.school, NOBODY, form)
        _check(form, f"round {code}")
        assert matching_round is not None  # noqa: S101
        if code == "teacher_student":
            await _group(ctx, matching_round)
        form = Form(
            data={
                "order_number": ORDER_NUMBER,
                "order_date": _iso(order_date),
                "started_on": _iso(order_date),
            }
        )
        made = await matching.approve(ctx.db, ctx.school, matching_round, NOBODY, form)
        _check(form, f"approve {code}")
        created += made or []
    return created


async def _group(ctx: _Context, matching_round: MatchingRound) -> None:
    mentor = ctx.mentors[GROUP_MENTOR]
    view = await matching.proposal_view(ctx.db, ctx.school, matching_round)
    if view.load.get(mentor.id, 0) >= 2:
        await matching.toggle_group(ctx.db, ctx.school, matching_round, str(mentor.id))


async def _plans_and_meetings(ctx: _Context, created: list[Mentorship]) -> None:
    topics_of = {m.key: m.topics for m in MENTORS}
    key_of = {profile.participant_id: key for key, profile in ctx.mentors.items()}
    mentee_names = {person.id: name for name, person in ctx.mentee_people.items()}
    for mentorship in sorted(created, key=lambda x: x.number):
        mentor_key = key_of[mentorship.mentors[0].participant_id]
        names = [mentee_names[m.participant_id] for m in mentorship.mentees]
        if (mentor_key, names[0]) == QUIET_PAIR:
            continue  # formed by the order, never met since: the curator's watch shows it
        await _personalise_plan(ctx, mentorship, names)
        await _meetings(ctx, mentorship, topics_of[mentor_key])


async def _personalise_plan(ctx: _Context, mentorship: Mentorship, names: list[str]) -> None:
    plan = mentorship.plan
    if plan is None:
        return
    requests = {m.last: m.request for m in MENTEES}
    goals = " ".join(requests[n] for n in names)
    form = Form(data={"goals": f"{plan.goals}\n\nЗапрос: {goals}"})
    if not pairs.save_plan_text(plan, "goals", form):
        raise DemoSeedError(f"plan goals: {form.errors}")
    started = mentorship.started_on or ctx.today
    for item in plan.items:  # the first steps are taken; year-long work is still ahead
        if item.due_on is None or item.due_on > started:
            continue
        form = Form(
            data={"task": item.task, "activity": item.activity, "due_on": _iso(item.due_on), "done": "true"}
        )
        if not pairs.update_item(item, form):
            raise DemoSeedError(f"plan item: {form.errors}")
    await ctx.db.flush()


async def _meetings(ctx: _Context, mentorship: Mentorship, topics: Sequence[str]) -> None:
    rng = ctx.rng
    start = mentorship.started_on or ctx.ago(ORDER_DAYS_AGO)
    day = start + dt.timedelta(days=rng.randint(2, 5))
    kinds = [MeetingKind.ORGANISATIONAL, MeetingKind.TRIAL, MeetingKind.PLANNING]
    first_topics = {
        MeetingKind.ORGANISATIONAL: "Знакомство, правила работы, контакты, удобное время встреч",
        MeetingKind.TRIAL: "Пробная рабочая встреча: " + (topics[0] if topics else "первое задание"),
        MeetingKind.PLANNING: "Согласование плана индивидуального развития",
    }
    number = 0
    while day < ctx.today:
        kind = kinds[number] if number < len(kinds) else MeetingKind.REGULAR
        topic = first_topics.get(kind) or topics[(number - 2) % len(topics)]
        members = [str(m.participant_id) for m in mentorship.members]
        present = members
        if mentorship.is_group and kind is MeetingKind.REGULAR and rng.random() < 0.4:
            present = [p for p in members if p != members[-1]]  # one mentee was ill
        form = Form(
            data={
                "kind": kind.value,
                "held_on": _iso(day),
                "duration_minutes": str(rng.choice((40, 45, 45, 60, 60, 90))),
                "format": MeetingFormat.ONLINE.value
                if rng.random() < 0.15
                else MeetingFormat.IN_PERSON.value,
                "topic": topic,
                "notes": "",
            }
        )
        await meetings.log_pair_meeting(
            ctx.db, mentorship, user_id=NOBODY, form=form, present=present, today=ctx.today
        )
        _check(form, "meeting")
        number += 1
        day += dt.timedelta(days=rng.randint(6, 12))


async def _roadmap(ctx: _Context, programme: Programme) -> None:
    db, school, today = ctx.db, ctx.school, ctx.today
    # Read back as the roadmap page does, with its stages.
    loaded = await programme_services.programme_for_year(db, school, ctx.year)
    assert loaded is programme  # noqa: S101 - the one this seed started
    view = await roadmap.load_roadmap(db, school, programme, today)
    curator = ctx.staff["curator"]
    # The curator marks the rows; she has no account yet, and the draft roadmap keeps no
    # history, so the actor is never written anywhere.
    actor = User(username="curator", last_name=curator.last_name, first_name=curator.first_name)
    rows = sorted(((view.number_of(i), i) for i in view.items), key=lambda r: _row_order(r[0]))
    for key, item in rows:
        starts = item.starts_on or item.due_on
        if key == OVERDUE_ROW and item.due_on < today:
            continue
        if key in DONE_AHEAD:
            done_on = ctx.ago(ORDER_DAYS_AGO + DONE_AHEAD[key])
        elif item.due_on < today or key.startswith("1."):  # the first stage is done in September
            done_on = min(item.due_on - dt.timedelta(days=ctx.rng.randint(0, 6)), today)
        elif starts <= today and key in IN_PROGRESS_NOTES:
            await _mark(ctx, programme, item, actor, ItemStatus.IN_PROGRESS, IN_PROGRESS_NOTES[key])
            continue
        else:
            continue
        await _mark(ctx, programme, item, actor, ItemStatus.DONE, _result_text(ctx, key, item))
        item.completed_on = done_on  # when it was done, not today
    await _approve(ctx, programme)


def _row_order(key: str) -> tuple[int, ...]:
    return tuple(int(part) for part in key.split("."))


def _result_text(ctx: _Context, key: str, item: RoadmapItem) -> str:
    template = ROADMAP_RESULTS.get(key)
    if template is not None:
        order = f"{ORDER_NUMBER} от {ctx.ago(ORDER_DAYS_AGO):%d.%m.%Y}"
        return template.format(y=ctx.year.start, order=order)
    return f"Выполнено: {item.expected_result.lower()}." if item.expected_result else "Выполнено."


async def _mark(
    ctx: _Context, programme: Programme, item: RoadmapItem, actor: User, status: ItemStatus, result: str
) -> None:
    form = Form(
        data={
            "event": item.event,
            "deadline": item.deadline_text,
            "responsible_note": item.responsible_note,
            "expected_result": item.expected_result,
            "status": status.value,
            "result_text": result,
        }
    )
    people = [str(r.staff_member_id) for r in item.responsibles]
    if not await roadmap.update_item(
        ctx.db, ctx.school, programme, item, actor=actor, form=form, responsible_ids=people
    ):
        raise DemoSeedError(f"roadmap {item.event[:40]}: {form.errors}")


async def _approve(ctx: _Context, programme: Programme) -> None:
    """The director approved the roadmap in September. `roadmap.approve` needs her signed-in
    account, which the demo does not have yet; this records the same facts."""
    director = ctx.staff["director"]
    approved = min(
        dt.datetime(ctx.year.start, 9, 15, 10, 0, tzinfo=dt.UTC),
        dt.datetime.combine(ctx.today, dt.time(9, 0), tzinfo=dt.UTC),
    )
    programme.approved_at = approved
    programme.approved_by_name = director.full_name
    programme.approved_by_position = director.position or "Директор"
    ctx.db.add(
        RoadmapChange(
            school_id=ctx.school.id,
            programme_id=programme.id,
            action=ChangeAction.APPROVED,
            details=[{"field": "Утверждение", "before": "", "after": "впервые"}],
            actor_name=director.full_name,
            created_at=approved,
        )
    )
    await ctx.db.flush()
