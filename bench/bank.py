"""Bank of programmes and practices benchmark: searching 20,000 items with facets.

    scripts/uv run python -m bench.bank                          # 20,000 items, 10 clients
    scripts/uv run python -m bench.bank --items 2000 --requests 200 --clients 4   # smoke

Builds a scratch database on the embedded PostgreSQL (superuser needed for the bulk load),
migrated from scratch, with one region of 60 municipalities and 1,500 schools, and loads
the items by COPY (90 % published, the rest drafts, on moderation or returned; the
`russian` tsvector is computed by PostgreSQL as the generated column), then the region's
vocabulary of published words as moderation would add it; the tables are ANALYZEd after.
Concurrent clients, each its own connection as the application role under row-level
security, run the search behind «Банк программ и практик»
(`nastavnik.regional.practice_bank.search.search`: the facet counts, one page of 20, the
cards of the page) in a mix: no filter, a word, two words, a word with a typo, a form, a
direction, a level, a school kind, a municipality, «recommended», and combinations; each
request its own transaction scoped to the region as the page is. Reports median, p95 and
p99 per kind and overall.

Target (issue 13): p95 < 50 ms over 20,000 items.
"""

# ruff: noqa: E501 - rows of synthetic data and their column lists, kept one per line

from __future__ import annotations

import argparse
import asyncio
import json
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
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.db import make_engine, make_sessionmaker, set_region, set_school
from nastavnik.platform.embedded_db import APP_ROLE, drop_database, ensure_database, start_server
from nastavnik.platform.settings import get_settings
from nastavnik.regional.practice_bank import search

SEED = 13
FORMS = [
    "student_student",
    "teacher_teacher",
    "teacher_student",
    "employer_student",
    "university_student_student",
]
DIRECTIONS = [
    "potential", "teen_crisis", "pupil_adaptation", "motivation", "educational_path", "civic_values",
    "soft_skills", "entrepreneurship", "career", "teacher_adaptation", "young_teacher",
]  # fmt: skip
KINDS = ["practice", "case", "programme", "plan_template"]
SUBJECTS = [
    "адаптация молодого педагога", "профориентация старшеклассников", "проектная деятельность",
    "подготовка к олимпиадам", "цифровая образовательная среда", "работа с родителями",
    "школьное самоуправление", "инклюзивное образование", "функциональная грамотность",
    "волонтёрство", "робототехника", "читательская грамотность", "предпринимательство",
    "адаптация пятиклассников", "профилактика буллинга", "медиация конфликтов",
]  # fmt: skip
FORMATS = ["клуб", "мастерская", "лаборатория", "марафон", "школа", "форум", "акселератор", "кружок"]
VERBS = [
    "Наставники проводили еженедельные встречи и разбирали трудные ситуации",
    "Пары работали по индивидуальному плану с промежуточной обратной связью",
    "Молодые учителя посещали открытые уроки наставников",
    "Старшеклассники сопровождали младших в проектах",
    "Специалисты предприятия вели профессиональные пробы",
    "Студенты колледжа готовили команды к соревнованиям",
]
RESULTS = [
    "Выросла мотивация к учёбе по итоговой анкете",
    "Все молодые педагоги остались в профессии",
    "Команды стали призёрами регионального этапа",
    "Снизилось число конфликтов в классах",
    "Выпускники осознанно выбрали профиль обучения",
]


def _copy(conn: psycopg.Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _array(values: list[str]) -> str:
    return "{" + ",".join('"' + v.replace('"', '\\"') + '"' for v in values) + "}"


def generate(
    superuser_dsn: str, items: int, municipalities: int, schools: int
) -> tuple[uuid.UUID, list[str]]:
    rng = random.Random(SEED)
    region_id = uuid.uuid4()
    with psycopg.connect(superuser_dsn) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "INSERT INTO region (id, code, name, created_at, updated_at) VALUES (%s, 'bench', 'Область', now(), now())",
            (region_id,),
        )
        muns = [(uuid.uuid4(), f"bm{i}", f"Муниципальный округ № {i + 1}") for i in range(municipalities)]
        _copy(conn, "municipality", ["id", "region_id", "code", "name", "created_at", "updated_at"],
              [(m[0], region_id, m[1], m[2], "now", "now") for m in muns])  # fmt: skip
        school_rows = []
        for i in range(schools):
            mun = muns[i % municipalities]
            kind = rng.choices(["general", "additional", "preschool", "vocational"], [70, 10, 15, 5])[0]
            school_rows.append(
                (
                    uuid.uuid4(),
                    mun[0],
                    f"bs{i}",
                    f"Школа № {i + 1}",
                    f"Школа № {i + 1}",
                    kind,
                    "",
                    "now",
                    "now",
                )
            )
        _copy(conn, "school", ["id", "municipality_id", "code", "name", "full_name", "kind", "address", "created_at", "updated_at"], school_rows)  # fmt: skip
        rows = []
        for n in range(items):
            school = rng.choice(school_rows)
            subject, form_word = rng.choice(SUBJECTS), rng.choice(FORMATS)
            kind = rng.choice(KINDS)
            status = rng.choices(["published", "draft", "submitted", "returned"], [90, 4, 4, 2])[0]
            grade_from = rng.choice([None, 1, 5, 8, 10])
            grade_to = None if grade_from is None else min(11, grade_from + rng.choice([3, 4, 6]))
            forms = rng.sample(FORMS, rng.choice([1, 1, 2]))
            directions = rng.sample(DIRECTIONS, rng.choice([1, 2, 3]))
            title = f"{form_word.capitalize()} «{subject}» № {n + 1}"
            summary = f"{rng.choice(VERBS)}: {subject}."
            description = f"{rng.choice(VERBS)}. {rng.choice(VERBS)}. Тема: {subject}, формат — {form_word}."
            results = f"{rng.choice(RESULTS)}. {rng.choice(RESULTS)}."
            search_text = "\n".join([summary, description, results, subject, school[3]])
            published = "now" if status == "published" else None
            rows.append((
                uuid.uuid4(), region_id, school[0], school[1], school[3], kind, status, title, summary,
                description, results, _array(subject.split()), _array(forms), _array(directions),
                school[5] if rng.random() < 0.7 else "", grade_from, grade_to, "[]", "[]",
                rng.random() < 0.05 and status == "published", "", published, search_text, "now", "now",
            ))  # fmt: skip
        _copy(conn, "bank_item", [
            "id", "region_id", "author_school_id", "municipality_id", "author_name", "kind", "status", "title",
            "summary", "description", "results", "keywords", "form_codes", "direction_codes", "school_kind",
            "grade_from", "grade_to", "roadmap", "plan_items", "recommended", "contact_email", "published_at",
            "search_text", "created_at", "updated_at",
        ], rows)  # fmt: skip
        # The vocabulary moderation adds as items are published (services.add_words).
        conn.execute(
            "INSERT INTO bank_word (region_id, word) SELECT DISTINCT %s, w FROM bank_item i, "
            "regexp_split_to_table(lower(i.title || ' ' || i.search_text), '[^а-яёa-z]+') w "
            "WHERE i.status = 'published' AND length(w) BETWEEN 4 AND 40 ON CONFLICT DO NOTHING",
            (region_id,),
        )
        conn.commit()
        # As autovacuum leaves a loaded table: analysed, and all-visible for index-only scans.
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE bank_item")
        conn.execute("VACUUM ANALYZE bank_word")
    return region_id, [str(m[0]) for m in muns]


def queries(municipality_ids: list[str]) -> list[tuple[str, dict[str, str]]]:
    return [
        ("no filter (facets of the whole bank)", {}),
        ("word", {"q": "профориентация"}),
        ("two words", {"q": "молодой педагог"}),
        ("word with a typo", {"q": "робототехнка"}),
        ("form", {"form": "teacher_teacher"}),
        ("direction", {"direction": "career"}),
        ("level", {"level": "secondary"}),
        ("school kind", {"school_kind": "preschool"}),
        ("municipality", {"municipality": municipality_ids[7]}),
        ("recommended", {"recommended": "1"}),
        ("word + form + level", {"q": "проектная", "form": "student_student", "level": "basic"}),
        ("kind + direction + municipality", {"kind": "case", "direction": "motivation", "municipality": municipality_ids[3]}),
        ("page 30", {"form": "teacher_student", "page": "30"}),
    ]  # fmt: skip


async def run_load(
    app_url: str, region_id: uuid.UUID, clients: int, requests: int, mix: list[Any]
) -> dict[str, Any]:
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
            await set_school(db, None)
            await set_region(db, region_id)
            _items, facets, _window = await search.search(db, search.BankQuery.from_params(params), region_id)
        timings[kind].append((time.perf_counter() - started) * 1000)
        counts[kind] = facets.total

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
    print(f"  {'query':<40} {'found':>7} {'median':>8} {'p95':>8} {'p99':>8}")
    result: dict[str, Any] = {"clients": clients, "requests": requests, "kinds": {}}
    for kind, _ in mix:
        values = timings[kind]
        if not values:
            continue
        row = {
            "found": counts[kind],
            "median": statistics.median(values),
            "p95": pct(values, 0.95),
            "p99": pct(values, 0.99),
        }
        result["kinds"][kind] = row
        print(
            f"  {kind:<40} {row['found']:>7} {row['median']:7.1f}  {row['p95']:7.1f}  {row['p99']:7.1f}  ms"
        )
    every = [v for values in timings.values() for v in values]
    result["all"] = {"median": statistics.median(every), "p95": pct(every, 0.95), "p99": pct(every, 0.99)}
    print(
        f"  {'all':<40} {'':>7} {result['all']['median']:7.1f}  {result['all']['p95']:7.1f}  {result['all']['p99']:7.1f}  ms"
    )
    return result


async def main(args: argparse.Namespace) -> None:
    settings = get_settings()
    socket = start_server(settings.data_dir)
    drop_database(socket, args.database)
    database = ensure_database(socket, args.database)
    urls = DatabaseUrls(database.app_url, database.owner_url, APP_ROLE, embedded=True)
    migrate(urls)
    superuser = f"postgresql://postgres@/{args.database}?host={quote(socket)}"
    started = time.perf_counter()
    region_id, mun_ids = generate(superuser, args.items, args.municipalities, args.schools)
    print(
        f"generated {args.items} bank items in {args.schools} schools in {time.perf_counter() - started:.1f} s"
    )
    with psycopg.connect(superuser) as conn:
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('bank_item'))").fetchone()
        words = conn.execute("SELECT count(*) FROM bank_word").fetchone()
    print(
        f"bank_item with indexes: {size[0] if size else '?'}; vocabulary: {words[0] if words else '?'} words"
    )
    if args.cold:
        search.KEPT.size = 0
    print("kept searches: " + ("off (--cold)" if args.cold else f"on (up to {search.KEPT.size})"))
    try:
        result = await run_load(urls.app, region_id, args.clients, args.requests, queries(mun_ids))
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
    finally:
        if not args.keep:
            drop_database(socket, args.database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--municipalities", type=int, default=60)
    parser.add_argument("--schools", type=int, default=1_500)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--database", default="nastavnik_bench_bank")
    parser.add_argument("--keep", action="store_true", help="keep the database after the run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no kept searches: every request searches the bank (the cost of a new search)",
    )
    asyncio.run(main(parser.parse_args()))
