"""ИОМ benchmark: 90,000 teachers, 15,000 individual routes and 200 ЦНППМ tutors in a region.

    scripts/uv run python -m bench.routes                              # full size, 50 clients
    scripts/uv run python -m bench.routes --teachers 3000 --routes 500 --tutors 20 --requests 300  # smoke

Builds a scratch database on the embedded PostgreSQL (superuser needed for the bulk load),
migrated from scratch: one region of 60 municipalities and 1,500 schools, 90,000 teachers
(participants), 15,000 routes spread over the schools and assigned to the 200 tutors, each
route with its step records, eight area assessments (a re-diagnosis for those at step 7),
four roadmap activities (two from a catalogue of 300 ДПП), a version and its regional
projection (`route_figure`), loaded by COPY with foreign-key triggers off for the load only
and ANALYZEd after. Then `--clients` concurrent clients, each its own connection as the
application role under row-level security, run what the pages run, each request its own
transaction scoped as the page is:

- caseload: a tutor's «Мои педагоги» (`services.caseload` page of 50 with its total, and the
  steps' tiles), under `app.tutor_id` and `app.region_id`;
- route: a route's page as its tutor opens it (`services.route_view`: steps, profile,
  roadmap, versions, proposals), under `app.tutor_id`;
- deficits indicator: the regional page (`figures.indicators`: by area, step, municipality,
  subject, courses, closed), under `app.region_id`, for the region and for a municipality;
  the page keeps the figures per worker against the projection's version (nothing changes
  during the run, so after the warm-up that is the version check); `--no-cache` counts them
  every time, as after each write.

Targets (issue 14): caseload and route p95 < 100 ms; the deficits indicator p95 < 150 ms.
"""

# ruff: noqa: E501 - rows of synthetic data and their column lists, kept one per line

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
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
from bench.mentors import FIRST_F, FIRST_M, LAST, MIDDLE_F, MIDDLE_M, SUBJECTS, _copy, _pg_array
from nastavnik.cli import migrate
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.db import make_engine, make_sessionmaker, set_region, set_tutor
from nastavnik.platform.embedded_db import APP_ROLE, drop_database, ensure_database, start_server
from nastavnik.platform.settings import get_settings
from nastavnik.regional.routes import figures, services
from nastavnik.regional.routes.models import RegionTutor

SEED = 14
AREAS = ["theory", "regulatory", "subject", "psychology", "methods", "ict", "upbringing", "health"]
AREA_TITLES = {a: a for a in AREAS}
KINDS = ["course", "trial", "project", "measure"]


def generate(  # noqa: PLR0915 - one generator, table by table
    superuser_dsn: str, teachers: int, routes: int, tutors: int, municipalities: int, schools: int
) -> dict[str, Any]:
    rng = random.Random(SEED)
    today = dt.date.today()
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
        school_rows = [
            (uuid.uuid4(), muns[i % municipalities][0], f"bs{i}", f"Школа № {i + 1}") for i in range(schools)
        ]
        _copy(conn, "school", ["id", "municipality_id", "code", "name", "full_name", "kind", "address", "created_at", "updated_at"],
              [(s[0], s[1], s[2], s[3], s[3], "general", "", "now", "now") for s in school_rows])  # fmt: skip
        tutor_rows = [
            (uuid.uuid4(), region_id, f"tutor{i}@bench.local", f"Тьютор № {i + 1}", "", 100)
            for i in range(tutors)
        ]
        _copy(conn, "region_tutor", ["id", "region_id", "email", "full_name", "position", "capacity", "created_at", "updated_at"],
              [(*t, "now", "now") for t in tutor_rows])  # fmt: skip
        courses = [(uuid.uuid4(), region_id, f"Программа ДПП № {i + 1}", "ИРО", rng.choice([16, 24, 36, 72]), "дистанционно",
                    today + dt.timedelta(days=rng.randint(0, 300)), _pg_array([rng.choice(AREAS)])) for i in range(300)]  # fmt: skip
        _copy(conn, "route_course", ["id", "region_id", "title", "provider", "hours", "format", "starts_on", "area_codes", "created_at", "updated_at"],
              [(*c, "now", "now") for c in courses])  # fmt: skip
        people = []
        for i in range(teachers):
            school = school_rows[i % schools]
            female = rng.random() < 0.8
            subject = rng.choice(SUBJECTS).replace("_", " ")
            people.append((school[0], uuid.uuid4(), "teacher", rng.choice(LAST) + ("а" if female else ""),
                           rng.choice(FIRST_F if female else FIRST_M), rng.choice(MIDDLE_F if female else MIDDLE_M),
                           _pg_array([subject]), "Учитель " + subject, school))  # fmt: skip
        _copy(conn, "participant", ["school_id", "id", "kind", "last_name", "first_name", "middle_name", "subjects", "position",
                                    "class_letter", "email", "phone", "notes", "created_at", "updated_at"],
              [(*p[:8], "", "", "", "", "now", "now") for p in people])  # fmt: skip
        route_rows, steps, scores, activities, versions, figure_rows = [], [], [], [], [], []
        mun_of = {s[0]: s[1] for s in school_rows}
        for person in rng.sample(people, routes):
            school = person[8]
            rid = uuid.uuid4()
            tutor = rng.choice(tutor_rows)
            step = rng.randint(1, 7)
            name = f"{person[3]} {person[4]} {person[5]}"
            subject = person[7].removeprefix("Учитель ")
            route_rows.append((school[0], rid, person[1], region_id, mun_of[school[0]], tutor[0], tutor[3], "active", step, name,
                               person[7], subject, school[3], today - dt.timedelta(days=200), today + dt.timedelta(days=1200), "", 2 if step == 7 else 1, 1))  # fmt: skip
            steps.extend(
                (school[0], uuid.uuid4(), rid, n, "done" if n < step else "in_progress", "", "")
                for n in range(1, step + 1)
            )
            deficits, closed = [], []
            for area in AREAS:
                s, t, c = rng.choice([1.67, 2.33, 3.0, 3.67, 4.33]), rng.randint(2, 5), rng.randint(2, 5)
                scores.append((school[0], uuid.uuid4(), rid, 1, area, s, t, c, "", "", ""))
                first = (s + t + c) / 3
                if first < figures.DEFICIT_BELOW:
                    deficits.append(area)
                if step == 7:
                    again = min(5.0, first + rng.choice([0.0, 0.7, 1.5]))
                    scores.append(
                        (
                            school[0],
                            uuid.uuid4(),
                            rid,
                            2,
                            area,
                            round(again, 2),
                            round(again),
                            None,
                            "",
                            "",
                            "",
                        )
                    )
                    if first < figures.DEFICIT_BELOW <= again:
                        closed.append(area)
            chosen = []
            for k in range(4):
                course = rng.choice(courses) if k < 2 else None
                if course:
                    chosen.append(course[0])
                activities.append((school[0], uuid.uuid4(), rid, "course" if course else KINDS[k], course[2] if course else f"Мероприятие {k}",
                                   course[0] if course else None, _pg_array(deficits[:1] or ["methods"]), "planned", "", "", "", "", ""))  # fmt: skip
            versions.append((school[0], uuid.uuid4(), rid, 1, "Утверждена", "Утверждена", "[]", ""))
            figure_rows.append((school[0], rid, region_id, mun_of[school[0]], "active", step, subject, _pg_array(deficits),
                                _pg_array(closed), "{" + ",".join(str(c) for c in dict.fromkeys(chosen)) + "}"))  # fmt: skip
        _copy(conn, "individual_route", ["school_id", "id", "participant_id", "region_id", "municipality_id", "tutor_id", "tutor_name", "status",
                                         "current_step", "teacher_name", "teacher_position", "subject", "school_name", "starts_on", "ends_on",
                                         "request_note", "diagnosis_round", "roadmap_version", "created_at", "updated_at"],
              [(*r, "now", "now") for r in route_rows])  # fmt: skip
        _copy(conn, "route_step", ["school_id", "id", "route_id", "number", "status", "content", "updated_by", "created_at", "updated_at"],
              [(*s, "now", "now") for s in steps])  # fmt: skip
        _copy(conn, "route_area_score", ["school_id", "id", "route_id", "round", "area_code", "self_score", "tutor_score", "curator_score",
                                         "self_comment", "achievements", "reflection", "created_at", "updated_at"],
              [(*s, "now", "now") for s in scores])  # fmt: skip
        _copy(conn, "route_activity", ["school_id", "id", "route_id", "kind", "title", "course_id", "area_codes", "status", "details",
                                       "product_title", "product_url", "product_filename", "product_media_type", "teacher_view", "created_at", "updated_at"],
              [(*a, "", "now", "now") for a in activities])  # fmt: skip
        _copy(conn, "route_version", ["school_id", "id", "route_id", "number", "reason", "change", "snapshot", "author", "created_at"],
              [(*v, "now") for v in versions])  # fmt: skip
        _copy(conn, "route_figure", ["school_id", "route_id", "region_id", "municipality_id", "status", "step", "subject", "deficit_codes",
                                     "closed_codes", "course_ids", "refreshed_at"],
              [(*f, "now") for f in figure_rows])  # fmt: skip
        conn.commit()
    with psycopg.connect(superuser_dsn, autocommit=True) as conn:
        for table in ("participant", "individual_route", "route_step", "route_area_score", "route_activity", "route_version",
                      "route_figure", "region_tutor", "route_course", "school", "municipality"):  # fmt: skip
            conn.execute(f"ANALYZE {table}")
    return {
        "region_id": region_id,
        "tutors": [t[0] for t in tutor_rows],
        "routes": [(r[1], r[5]) for r in route_rows],
        "municipalities": [m[0] for m in muns],
        "names": {m[0]: m[2] for m in muns},
    }


async def run_load(  # noqa: PLR0915 - the load and its report
    app_url: str, data: dict[str, Any], clients: int, requests: int, *, cached: bool
) -> dict[str, dict[str, float]]:
    engine = make_engine(app_url, pool_size=clients, max_overflow=0)
    maker = make_sessionmaker(engine)
    timings: dict[str, list[float]] = defaultdict(list)
    rng = random.Random(SEED)
    region_id: uuid.UUID = data["region_id"]
    kinds = ["caseload", "route", "deficits indicator (region)", "deficits indicator (municipality)"]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for _ in range(requests):
        queue.put_nowait(rng.choice(kinds))

    async def one(kind: str) -> None:
        started = time.perf_counter()
        async with maker() as db, db.begin():
            await set_region(db, region_id)
            if kind == "caseload":
                tutor_id = rng.choice(data["tutors"])
                await set_tutor(db, tutor_id)
                tutor = await db.get(RegionTutor, tutor_id)
                if tutor is None:
                    raise LookupError(tutor_id)
                await services.caseload(db, tutor, rng.randint(1, 2))
                await services.caseload_steps(db, tutor)
            elif kind == "route":
                route_id, tutor_id = rng.choice(data["routes"])
                await set_tutor(db, tutor_id)
                route = await services.get_route(db, str(route_id))
                if route is None:
                    raise LookupError(route_id)
                await services.route_view(db, route)
            else:
                municipality = rng.choice(data["municipalities"]) if "municipality" in kind else None
                await set_region(db, region_id, municipality)
                if cached:
                    await figures.indicators(db, region_id, municipality, AREA_TITLES, data["names"])
                else:
                    await figures.count_indicators(db, region_id, municipality, AREA_TITLES, data["names"])
        timings[kind].append((time.perf_counter() - started) * 1000)

    for kind in kinds * max(1, clients // len(kinds)):  # warm-up: connections open, plans cached
        await one(kind)
    timings.clear()

    async def client() -> None:
        while not queue.empty():
            await one(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    await engine.dispose()

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(f"\n{clients} clients, {requests} requests in {elapsed:.1f} s = {requests / elapsed:.0f} req/s")
    print(f"  {'page':<36} {'n':>6} {'median':>8} {'p95':>8} {'p99':>8}")
    result = {}
    for kind in kinds:
        values = timings[kind]
        if not values:
            continue
        result[kind] = {
            "median": statistics.median(values),
            "p95": pct(values, 0.95),
            "p99": pct(values, 0.99),
        }
        print(
            f"  {kind:<36} {len(values):>6} {result[kind]['median']:7.1f}  {result[kind]['p95']:7.1f}  {result[kind]['p99']:7.1f}  ms"
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
    data = generate(superuser, args.teachers, args.routes, args.tutors, args.municipalities, args.schools)
    print(
        f"generated {args.teachers} teachers, {args.routes} routes, {args.tutors} tutors in {time.perf_counter() - started:.1f} s"
    )
    try:
        result = await run_load(urls.app, data, args.clients, args.requests, cached=not args.no_cache)
        print(
            json.dumps(
                {
                    "teachers": args.teachers,
                    "routes": args.routes,
                    "tutors": args.tutors,
                    "clients": args.clients,
                    "p95_ms": {k: round(v["p95"], 1) for k, v in result.items()},
                },
                ensure_ascii=False,
            )
        )
    finally:
        if not args.keep:
            drop_database(socket, args.database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teachers", type=int, default=90_000)
    parser.add_argument("--routes", type=int, default=15_000)
    parser.add_argument("--tutors", type=int, default=200)
    parser.add_argument("--municipalities", type=int, default=60)
    parser.add_argument("--schools", type=int, default=1_500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4_000)
    parser.add_argument("--database", default="nastavnik_bench_routes")
    parser.add_argument("--keep", action="store_true", help="keep the database after the run")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="count the indicator every time (the page caches it per worker)",
    )
    asyncio.run(main(parser.parse_args()))
