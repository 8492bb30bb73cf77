"""Mentor directory benchmark: searching 40,000 mentors of a generated region with 50 clients.

    scripts/uv run python -m bench.mentors                       # 40,000 mentors, 50 clients
    scripts/uv run python -m bench.mentors --mentors 40000 --clients 50 --requests 4000 --keep

Builds a scratch database on the embedded PostgreSQL (superuser needed for the bulk load),
migrated from scratch, with one region of 60 municipalities and 1,500 schools, and loads
40,000 consenting teachers (participant, mentor profile and directory card each) by COPY;
foreign-key triggers are off for the load only (`session_replication_role = replica`) and
the tables are ANALYZEd after. Then 50 concurrent clients, each its own connection as the
application role under row-level security, run the search behind «Наставники региона»
(`nastavnik.regional.mentor_search.services.search`, one page of 50 with its total) in a mix
of queries: a word, a word with a typo, two words, a competency area, a subject, a form,
a municipality, free places only, and combinations; each request is its own transaction
scoped to the region as the page is (`set_region`). Reports median, p95 and p99 per kind
and overall, and the throughput.

Target (issue 13): p95 < 50 ms over 40,000 mentors with 50 concurrent clients.
"""

# ruff: noqa: E501 - rows of synthetic data and their column lists, kept one per line

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import quote

import psycopg

import nastavnik.models  # noqa: F401 - every mapper configured
from nastavnik.cli import migrate
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.db import make_engine, make_sessionmaker, set_region
from nastavnik.platform.embedded_db import APP_ROLE, drop_database, ensure_database, start_server
from nastavnik.platform.settings import get_settings
from nastavnik.regional.mentor_search import services as search
from nastavnik.school.directory.services import _WORDS
from nastavnik.school.participants.models import local_today

SEED = 13
LAST = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
]
FIRST_M = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Павел",
    "Игорь",
]
FIRST_F = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Екатерина",
    "Юлия",
    "Марина",
    "Валентина",
]
MIDDLE_M = ["Александрович", "Сергеевич", "Петрович", "Николаевич", "Викторович", "Андреевич", "Игоревич"]
MIDDLE_F = ["Александровна", "Сергеевна", "Петровна", "Николаевна", "Викторовна", "Андреевна", "Игоревна"]
SUBJECTS = [
    "математика",
    "физика",
    "информатика",
    "химия",
    "биология",
    "география",
    "история",
    "обществознание",
    "литература",
    "английский_язык",
    "русский_язык",
    "музыка",
    "технология",
    "физическая_культура",
    "астрономия",
]
COMPETENCIES = [
    ("theory", "Научно-теоретические"),
    ("regulatory", "Нормативные правовые"),
    ("subject", "Предметно-профессиональные"),
    ("psychology", "Психолого-педагогические (обучающиеся и родители)"),
    ("methods", "Методические (содержание, методики, технологии)"),
    ("ict", "ИКТ-компетенции и цифровизация"),
    ("upbringing", "Внеурочная и воспитательная деятельность"),
    ("health", "Здоровьесбережение"),
]
ABOUT = [
    "Подготовка к ОГЭ и ЕГЭ, разбор сложных заданий",
    "Цифровые лаборатории и электронный журнал",
    "Классное руководство, работа с родителями",
    "Проектная и исследовательская деятельность обучающихся",
    "Функциональная грамотность, формирующее оценивание",
    "Олимпиадная подготовка, работа с одарёнными детьми",
    "Инклюзивное образование, адаптированные программы",
]
COURSES = [
    "Школа наставника (ИРО)",
    "Наставничество в образовательной организации (ИРО)",
    "Цифровая образовательная среда (ЦНППМ)",
    "Функциональная грамотность (ЦНППМ)",
]


def _copy(conn: psycopg.Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _pg_array(values: list[str]) -> str:
    return "{" + ",".join('"' + v.replace('"', '\\"') + '"' for v in values) + "}"


def generate(superuser_dsn: str, mentors: int, municipalities: int, schools: int) -> uuid.UUID:
    rng = random.Random(SEED)
    year = AcademicYear.current(local_today()).start
    region_id = uuid.uuid4()
    with psycopg.connect(superuser_dsn) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "INSERT INTO region (id, code, name, created_at, updated_at) VALUES (%s, 'bench', 'Область', now(), now())",
            (region_id,),
        )
        muns = [(uuid.uuid4(), f"bm{i}", f"Муниципальный округ № {i + 1}") for i in range(municipalities)]
        _copy(
            conn,
            "municipality",
            ["id", "region_id", "code", "name", "created_at", "updated_at"],
            [(m[0], region_id, m[1], m[2], "now", "now") for m in muns],
        )
        school_rows = []
        for i in range(schools):
            mun = muns[i % municipalities]
            kind = rng.choices(["general", "additional", "preschool", "vocational"], [70, 10, 15, 5])[0]
            school_rows.append((uuid.uuid4(), mun[0], f"bs{i}", f"Школа № {i + 1}", kind, mun[2]))
        _copy(
            conn,
            "school",
            [
                "id",
                "municipality_id",
                "code",
                "name",
                "full_name",
                "kind",
                "address",
                "created_at",
                "updated_at",
            ],
            [(s[0], s[1], s[2], s[3], s[3], s[4], "", "now", "now") for s in school_rows],
        )
        people, profiles, cards = [], [], []
        for _ in range(mentors):
            school = rng.choice(school_rows)
            female = rng.random() < 0.75
            last = rng.choice(LAST) + ("а" if female else "")
            first = rng.choice(FIRST_F if female else FIRST_M)
            middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
            subjects = [s.replace("_", " ") for s in rng.sample(SUBJECTS, rng.choice([1, 1, 2]))]
            comps = rng.sample(COMPETENCIES, rng.randint(1, 3))
            about = rng.choice(ABOUT)
            trainings = [f"{c}, {year - rng.randint(0, 4)}" for c in rng.sample(COURSES, rng.randint(0, 2))]
            capacity = rng.randint(1, 3)
            load = rng.randint(0, capacity)
            pid, mpid = uuid.uuid4(), uuid.uuid4()
            position = "Учитель " + subjects[0]
            full_name = f"{last} {first} {middle}"
            people.append((school[0], pid, "teacher", last, first, middle, _pg_array(subjects), position))
            profiles.append((school[0], mpid, pid, year, capacity, _pg_array(subjects), about))
            text = " ".join(
                [full_name, position, " ".join(subjects), " ".join(t for _, t in comps), about, *trainings,
                 school[3], school[5]]
            )  # fmt: skip
            cards.append(
                (
                    uuid.uuid4(), region_id, school[1], school[0], mpid, pid, year, full_name, position, "teacher",
                    school[3], school[4], school[5], _pg_array(subjects), _pg_array([c for c, _ in comps]),
                    _pg_array([t for _, t in comps]), "{}", "{teacher_teacher,teacher_student}",
                    _pg_array(trainings), about, capacity, load, text,
                )
            )  # fmt: skip
        _copy(
            conn,
            "participant",
            ["school_id", "id", "kind", "last_name", "first_name", "middle_name", "subjects", "position",
             "class_letter", "email", "phone", "notes", "created_at", "updated_at"],
            [(*p, "", "", "", "", "now", "now") for p in people],
        )  # fmt: skip
        _copy(
            conn,
            "mentor_profile",
            ["school_id", "id", "participant_id", "academic_year", "capacity", "subjects", "competencies_text",
             "confirmed_results", "interview_result", "interview_note", "cross_school_search", "status",
             "created_at", "updated_at"],
            [(*p, "", "not_done", "", True, "selected", "now", "now") for p in profiles],
        )  # fmt: skip
        _copy(
            conn,
            "mentor_directory_entry",
            ["id", "region_id", "municipality_id", "school_id", "mentor_profile_id", "participant_id",
             "academic_year", "full_name", "position", "participant_kind", "school_name", "school_kind",
             "municipality_name", "subjects", "competency_codes", "competency_titles", "direction_titles",
             "form_codes", "trainings", "competencies_text", "capacity", "load", "search_text"],
            cards,
        )  # fmt: skip
        # The region's vocabulary, as `sync_mentors` adds each school's words to it.
        words = _WORDS.replace(
            "WHERE e.school_id = :school_id AND e.mentor_profile_id = ANY(CAST(:profile_ids AS uuid[]))",
            "WHERE true",
        )
        conn.execute(words)
        conn.commit()
    with psycopg.connect(superuser_dsn, autocommit=True) as conn:
        for table in (
            "participant",
            "mentor_profile",
            "mentor_directory_entry",
            "mentor_directory_word",
            "school",
            "municipality",
        ):
            conn.execute(f"ANALYZE {table}")
    return region_id


def queries(municipality_ids: list[str]) -> list[tuple[str, dict[str, str]]]:
    return [
        ("word", {"q": "физика"}),
        ("word with a typo", {"q": "матиматика"}),
        ("two words", {"q": "цифровые лаборатории"}),
        ("surname with a typo", {"q": "Саколова"}),
        ("competency area", {"competency": "ict"}),
        ("subject", {"subject": "химия"}),
        ("form", {"form": "teacher_teacher"}),
        ("municipality", {"municipality": municipality_ids[7]}),
        ("free places", {"free": "1"}),
        ("competency + free + municipality", {"competency": "psychology", "free": "1", "municipality": municipality_ids[3]}),
        ("word + competency + subject", {"q": "ОГЭ", "competency": "subject", "subject": "физика"}),
        ("typo + free places", {"q": "инклюзивнае", "free": "1"}),
        ("page 20", {"competency": "methods", "page": "20"}),
    ]  # fmt: skip


async def run_load(app_url: str, region_id: uuid.UUID, clients: int, requests: int, mix: list[Any]) -> None:
    engine = make_engine(app_url, pool_size=clients, max_overflow=0)
    maker = make_sessionmaker(engine)
    timings: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = {}
    queue: asyncio.Queue[tuple[str, dict[str, str]]] = asyncio.Queue()
    rng = random.Random(SEED)
    for _ in range(requests):
        queue.put_nowait(rng.choice(mix))

    async def one(kind: str, params: dict[str, str]) -> None:
        started = time.perf_counter()
        async with maker() as db, db.begin():
            await set_region(db, region_id)
            _rows, window = await search.search(db, search.MentorQuery.from_params(params), region_id)
        timings[kind].append((time.perf_counter() - started) * 1000)
        counts[kind] = window.total

    # Warm-up: every connection open, every query planned once.
    await asyncio.gather(*(one(kind, params) for kind, params in mix * max(1, clients // len(mix))))
    timings.clear()

    async def client() -> None:
        while not queue.empty():
            kind, params = queue.get_nowait()
            await one(kind, params)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    await engine.dispose()

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(f"\n{clients} clients, {requests} requests in {elapsed:.1f} s = {requests / elapsed:.0f} req/s")
    print(f"  {'query':<36} {'found':>7} {'median':>8} {'p95':>8} {'p99':>8}")
    for kind, _ in mix:
        values = timings[kind]
        print(
            f"  {kind:<36} {counts[kind]:>7} {statistics.median(values):7.1f}  {pct(values, 0.95):7.1f}  "
            f"{pct(values, 0.99):7.1f}  ms"
        )
    every = [v for values in timings.values() for v in values]
    print(
        f"  {'all':<36} {'':>7} {statistics.median(every):7.1f}  {pct(every, 0.95):7.1f}  {pct(every, 0.99):7.1f}  ms"
    )


async def main(args: argparse.Namespace) -> None:
    settings = get_settings()
    socket = start_server(settings.data_dir)
    drop_database(socket, args.database)
    database = ensure_database(socket, args.database)
    urls = DatabaseUrls(database.app_url, database.owner_url, APP_ROLE, embedded=True)
    migrate(urls)
    superuser = f"postgresql://postgres@/{args.database}?host={quote(socket)}"
    started = time.perf_counter()
    region_id = generate(superuser, args.mentors, args.municipalities, args.schools)
    print(
        f"generated {args.mentors} mentors in {args.schools} schools in {time.perf_counter() - started:.1f} s"
    )
    with psycopg.connect(superuser) as conn:
        size = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('mentor_directory_entry'))"
        ).fetchone()
        mun_ids = [str(r[0]) for r in conn.execute("SELECT id FROM municipality ORDER BY code").fetchall()]
    print(f"mentor_directory_entry with indexes: {size[0] if size else '?'}")
    with psycopg.connect(superuser) as conn:
        vocabulary = conn.execute("SELECT count(*) FROM mentor_directory_word").fetchone()
    print(f"vocabulary: {vocabulary[0] if vocabulary else '?'} words")
    if args.cold:
        search.KEPT.size = 0
    print("kept searches: " + ("off (--cold)" if args.cold else f"on (up to {search.KEPT.size})"))
    try:
        await run_load(urls.app, region_id, args.clients, args.requests, queries(mun_ids))
    finally:
        if not args.keep:
            drop_database(socket, args.database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentors", type=int, default=40_000)
    parser.add_argument("--municipalities", type=int, default=60)
    parser.add_argument("--schools", type=int, default=1_500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4_000)
    parser.add_argument("--database", default="nastavnik_bench_mentors")
    parser.add_argument("--keep", action="store_true", help="keep the database after the run")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no kept searches: every request searches the directory (the cost of a new search)",
    )
    asyncio.run(main(parser.parse_args()))
