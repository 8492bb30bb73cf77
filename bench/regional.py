"""The benchmark region of ARCHITECTURE.md «Scale», and the regional layer measured on it.

    scripts/uv run python -m bench.regional            # build (or reuse) and measure
    scripts/uv run python -m bench.regional --fresh    # rebuild the data from scratch

Generates region `bench` into its own database on the bench server (`var/bench/`):
60 municipalities, 1,500 schools, 150,000 mentees (135,000 pupils, 15,000 young
teachers), 40,000 mentors, 120,000 pairs (2 people each) and 2,000,000 meetings, with a
programme, its 12 roadmap rows and a contingent per school. Rows are bulk-loaded with
COPY (schools, people, profiles, pairs, members) and set-based INSERT … SELECT for the
meetings, as the superuser of the bench server (row-level security does not slow the
load; the app role reads everything back through the policies). Ids are deterministic,
so a run is repeatable.

Then, as the app would:
- rebuilds every school's rollups from scratch (`rollup.rebuild_all`, app role);
- serves the app in production mode and runs 50 concurrent clients for the region
  dashboard, a municipality drill-down and the comparison table (p50/p95/p99);
- builds the ministry report (PDF, DOCX, XLSX) for the region;
- times a meeting logged (insert + commit) with and without the rollup hook.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import random
import statistics
import sys
import time
import uuid
from typing import Any

import psycopg

from bench.load import Server, closed_loop, current_tree
from bench.region import BenchDatabase, bench_database
from nastavnik.cli import migrate

REGION_CODE = "bench"
MUNICIPALITIES = 60
SCHOOLS = 1500
MENTEES_PER_SCHOOL = 100  # 90 pupils, 10 young teachers → 150,000
MENTORS_PER_SCHOOL = 27  # ≈ 40,000
PAIRS_PER_SCHOOL = 80  # 120,000
MEETINGS = 2_000_000
MARKER = "bench:region-1500"
TODAY = dt.date(2026, 12, 1)
YEAR = 2026


def uid(*parts: object) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(":".join(map(str, parts)).encode()).hexdigest())  # noqa: S324 - ids, not security


def _copy(conn: psycopg.Connection, table: str, columns: list[str], rows: Any) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(db: BenchDatabase) -> dict[str, float]:  # noqa: PLR0915 - one table after another, in order
    timings: dict[str, float] = {}
    if not db.superuser_dsn:
        msg = "the regional bench needs the embedded bench server (unset DATABASE_URL)"
        raise SystemExit(msg)
    rng = random.Random(12)
    with psycopg.connect(db.superuser_dsn) as conn:
        forms = dict(conn.execute("SELECT code, id FROM reference_item WHERE kind = 'form'").fetchall())
        directions = [r[0] for r in conn.execute("SELECT id FROM reference_item WHERE kind = 'direction'")]
        region_id = uid("region")
        started = time.perf_counter()
        conn.execute(
            "INSERT INTO region (id, code, name) VALUES (%s, %s, 'Эталонная область')",
            (region_id, REGION_CODE),
        )
        _copy(
            conn,
            "municipality",
            ["id", "region_id", "code", "name"],
            (
                (uid("m", m), region_id, f"bm{m:02d}", f"Муниципальный округ № {m + 1}")
                for m in range(MUNICIPALITIES)
            ),
        )
        kinds = ["general"] * 8 + ["additional", "vocational"]
        _copy(
            conn,
            "school",
            ["id", "municipality_id", "code", "name", "full_name", "kind", "address"],
            (
                (
                    uid("s", s),
                    uid("m", s % MUNICIPALITIES),
                    f"bs{s:04d}",
                    f"Школа № {s + 1}",
                    f"Муниципальное общеобразовательное учреждение «Школа № {s + 1}»",
                    kinds[s % 10],
                    "",
                )
                for s in range(SCHOOLS)
            ),
        )
        pupils = [rng.randint(250, 1200) for _ in range(SCHOOLS)]
        _copy(
            conn,
            "contingent",
            ["school_id", "id", "academic_year", "pupils", "pupils_10_19", "teachers", "young_teachers"],
            (
                (uid("s", s), uid("c", s), YEAR, pupils[s], round(pupils[s] * 0.62), 60, 14)
                for s in range(SCHOOLS)
            ),
        )
        approved = dt.datetime(YEAR, 9, 10, 9, tzinfo=dt.UTC)
        _copy(
            conn,
            "programme",
            [
                "school_id",
                "id",
                "academic_year",
                "model",
                "title",
                "origin",
                "goals",
                "forms",
                "approved_at",
                "approved_by_name",
                "approved_by_position",
            ],
            (
                (
                    uid("s", s),
                    uid("pr", s),
                    YEAR,
                    "pupils",
                    "Программа наставничества",
                    "",
                    "",
                    "{teacher_student}",
                    approved if s % 7 else None,
                    "",
                    "",
                )
                for s in range(SCHOOLS)
            ),
        )
        _copy(
            conn,
            "programme_stage",
            ["school_id", "id", "programme_id", "position", "title"],
            ((uid("s", s), uid("st", s), uid("pr", s), 0, "Реализация") for s in range(SCHOOLS)),
        )

        def roadmap() -> Any:
            for s in range(SCHOOLS):
                for i in range(12):
                    due = dt.date(YEAR, 9, 20) + dt.timedelta(days=26 * i)
                    done = due < TODAY and rng.random() < 0.85
                    yield (
                        uid("s", s),
                        uid("ri", s, i),
                        uid("pr", s),
                        uid("st", s),
                        i,
                        f"Мероприятие {i + 1}",
                        "",
                        due,
                        "",
                        "",
                        "done" if done else "planned",
                        "",
                        due if done else None,
                    )

        _copy(
            conn,
            "roadmap_item",
            [
                "school_id",
                "id",
                "programme_id",
                "stage_id",
                "position",
                "event",
                "deadline_text",
                "due_on",
                "responsible_note",
                "expected_result",
                "status",
                "result_text",
                "completed_on",
            ],
            roadmap(),
        )
        timings["schools_programmes_roadmaps_s"] = time.perf_counter() - started

        started = time.perf_counter()

        def people() -> Any:
            for s in range(SCHOOLS):
                school = uid("s", s)
                for n in range(MENTEES_PER_SCHOOL):
                    pupil = n < 90
                    birth = dt.date(YEAR - rng.randint(10, 17), rng.randint(1, 12), 15) if pupil else None
                    yield (
                        school,
                        uid("pe", s, n),
                        "pupil" if pupil else "teacher",
                        "Фамилия",
                        "Имя",
                        "",
                        birth,
                        rng.randint(5, 11) if pupil else None,
                        "",
                        "{}",
                        "",
                        "",
                        "",
                        "",
                    )
                for n in range(MENTORS_PER_SCHOOL):
                    yield (
                        school,
                        uid("pm", s, n),
                        "teacher",
                        "Наставник",
                        "Имя",
                        "",
                        None,
                        None,
                        "",
                        "{}",
                        "",
                        "",
                        "",
                        "",
                    )

        _copy(
            conn,
            "participant",
            [
                "school_id",
                "id",
                "kind",
                "last_name",
                "first_name",
                "middle_name",
                "birth_date",
                "grade",
                "class_letter",
                "subjects",
                "position",
                "email",
                "phone",
                "notes",
            ],
            people(),
        )
        _copy(
            conn,
            "mentee_profile",
            [
                "school_id",
                "id",
                "participant_id",
                "academic_year",
                "category",
                "request_text",
                "request_sources",
                "status",
            ],
            (
                (
                    uid("s", s),
                    uid("mp", s, n),
                    uid("pe", s, n),
                    YEAR,
                    "pupil" if n < 90 else "young_teacher",
                    "",
                    "{}",
                    "active",
                )
                for s in range(SCHOOLS)
                for n in range(MENTEES_PER_SCHOOL)
            ),
        )
        _copy(
            conn,
            "mentor_profile",
            [
                "school_id",
                "id",
                "participant_id",
                "academic_year",
                "capacity",
                "subjects",
                "competencies_text",
                "confirmed_results",
                "interview_result",
                "interview_note",
                "cross_school_search",
                "status",
            ],
            (
                (
                    uid("s", s),
                    uid("rp", s, n),
                    uid("pm", s, n),
                    YEAR,
                    3,
                    "{}",
                    "",
                    "",
                    "recommended",
                    "",
                    False,
                    "selected",
                )
                for s in range(SCHOOLS)
                for n in range(MENTORS_PER_SCHOOL)
            ),
        )
        timings["people_s"] = time.perf_counter() - started

        started = time.perf_counter()
        _copy(
            conn,
            "mentorship",
            [
                "school_id",
                "id",
                "academic_year",
                "form_id",
                "is_group",
                "status",
                "status_reason",
                "started_on",
                "number",
            ],
            (
                (
                    uid("s", s),
                    uid("ms", s, k),
                    YEAR,
                    forms["teacher_student" if k < 72 else "teacher_teacher"],
                    False,
                    "active",
                    "",
                    dt.date(YEAR, 10, 1) + dt.timedelta(days=k % 20),
                    k + 1,
                )
                for s in range(SCHOOLS)
                for k in range(PAIRS_PER_SCHOOL)
            ),
        )
        members = (
            row
            for s in range(SCHOOLS)
            for k in range(PAIRS_PER_SCHOOL)
            for row in (
                (
                    uid("s", s),
                    uid("mm", s, k, 0),
                    uid("ms", s, k),
                    uid("pm", s, k % MENTORS_PER_SCHOOL),
                    "mentor",
                    uid("rp", s, k % MENTORS_PER_SCHOOL),
                    0,
                ),
                (
                    uid("s", s),
                    uid("mm", s, k, 1),
                    uid("ms", s, k),
                    uid("pe", s, k if k < 72 else 90 + k % 10),
                    "mentee",
                    uid("mp", s, k if k < 72 else 90 + k % 10),
                    1,
                ),
            )
        )
        _copy(
            conn,
            "mentorship_member",
            ["school_id", "id", "mentorship_id", "participant_id", "role", "profile_id", "position"],
            members,
        )
        _copy(
            conn,
            "mentorship_direction",
            ["school_id", "mentorship_id", "reference_item_id"],
            (
                (uid("s", s), uid("ms", s, k), directions[k % len(directions)])
                for s in range(SCHOOLS)
                for k in range(PAIRS_PER_SCHOOL)
            ),
        )
        timings["pairs_s"] = time.perf_counter() - started

        # Meetings set-based, inside PostgreSQL: pair k of a school meets every 4 days from its start.
        started = time.perf_counter()
        per_school = MEETINGS // SCHOOLS
        conn.execute(
            """
            INSERT INTO meeting (school_id, id, mentorship_id, academic_year, kind, held_on, duration_minutes,
                                 format, topic, notes)
            SELECT ms.school_id, md5(ms.id::text || ':' || g)::uuid, ms.id, ms.academic_year,
                   CASE WHEN g = 0 THEN 'organisational' ELSE 'regular' END::meeting_kind,
                   ms.started_on + g * 3, 45, 'in_person', '', ''
            FROM mentorship ms
            CROSS JOIN LATERAL generate_series(0, %s - 1 + (ms.number <= %s)::int) g
            WHERE ms.started_on + g * 3 <= %s
            """,
            (per_school // PAIRS_PER_SCHOOL, per_school % PAIRS_PER_SCHOOL, TODAY),
        )
        timings["meetings_s"] = time.perf_counter() - started
        conn.execute(f"COMMENT ON DATABASE {db.name} IS '{MARKER}'")
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
        timings["rows_meeting"] = conn.execute("SELECT count(*) FROM meeting").fetchone()[0]  # type: ignore[index]
    return timings


def _marked(db: BenchDatabase) -> bool:
    with psycopg.connect(db.owner_dsn) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    return bool(row and row[0] == MARKER)


async def rebuild(db: BenchDatabase) -> dict[str, float]:
    import nastavnik.models  # noqa: F401 - every mapper known
    from nastavnik.platform.db import make_engine, make_sessionmaker
    from nastavnik.regional.indicators.rollup import rebuild_all

    engine = make_engine(db.urls.app)
    try:
        started = time.perf_counter()
        schools = await rebuild_all(make_sessionmaker(engine), today=TODAY)
        return {"schools": schools, "seconds": round(time.perf_counter() - started, 1)}
    finally:
        await engine.dispose()


async def sign_in(db: BenchDatabase) -> str:
    import nastavnik.models  # noqa: F401
    from nastavnik.platform.auth.models import User
    from nastavnik.platform.auth.permissions import Membership, Role, Scope
    from nastavnik.platform.auth.sessions import create_session
    from nastavnik.platform.db import make_engine, make_sessionmaker, new_id

    engine = make_engine(db.urls.app)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            user = User(
                id=new_id(),
                keycloak_id=f"bench-ministry-{uuid.uuid4()}",
                username="bench-ministry",
                email="ministry@bench.local",
                last_name="Лебедев",
                first_name="Сергей",
                middle_name="",
            )
            session.add(user)
            await session.flush()
            return await create_session(
                session,
                user=user,
                keycloak_sid=str(uuid.uuid4()),
                id_token="bench-id-token",  # noqa: S106
                memberships=[Membership(Scope.REGION, REGION_CODE, Role.MINISTRY_VIEWER)],
                max_age_seconds=24 * 3600,
            )
    finally:
        await engine.dispose()


async def report(db: BenchDatabase) -> dict[str, Any]:
    from sqlalchemy import select

    import nastavnik.models  # noqa: F401
    from nastavnik.platform.academic_year import AcademicYear
    from nastavnik.platform.db import make_engine, make_sessionmaker
    from nastavnik.regional.indicators.reports import build_report
    from nastavnik.tenants.models import Region

    async def progress(_: int) -> None:
        return None

    engine = make_engine(db.urls.app)
    try:
        times = []
        for _ in range(3):
            async with make_sessionmaker(engine)() as session, session.begin():
                region = (
                    await session.execute(select(Region).where(Region.code == REGION_CODE))
                ).scalar_one()
                started = time.perf_counter()
                pdf, docx, xlsx, _ = await build_report(session, region, AcademicYear(YEAR), TODAY, progress)
                times.append(time.perf_counter() - started)
        return {
            "seconds_min": round(min(times), 2),
            "seconds_max": round(max(times), 2),
            "pdf_kb": len(pdf) // 1024,
            "docx_kb": len(docx) // 1024,
            "xlsx_kb": len(xlsx) // 1024,
        }
    finally:
        await engine.dispose()


async def write_overhead(db: BenchDatabase, writes: int = 200) -> dict[str, float]:
    """A meeting logged (insert + commit) with the rollup hook, and with it switched off."""
    import nastavnik.models  # noqa: F401
    from nastavnik.platform.db import make_engine, make_sessionmaker, set_school
    from nastavnik.regional.indicators import hook as _hook  # noqa: F401 - the listener
    from nastavnik.school.meetings.models import Meeting, MeetingKind

    engine = make_engine(db.urls.app, pool_size=2)
    results: dict[str, float] = {}
    try:
        maker = make_sessionmaker(engine)
        for label, off in (("without_hook", True), ("with_hook", False), ("without_hook_2", True)):
            times = []
            for n in range(writes):
                s = n % SCHOOLS
                started = time.perf_counter()
                async with maker() as session:
                    session.info["rollups_off"] = off
                    await set_school(session, uid("s", s))
                    session.add(
                        Meeting(
                            school_id=uid("s", s),
                            mentorship_id=uid("ms", s, n % PAIRS_PER_SCHOOL),
                            academic_year=YEAR,
                            kind=MeetingKind.REGULAR,
                            held_on=TODAY,
                        )
                    )
                    await session.commit()
                times.append(time.perf_counter() - started)
            results[f"{label}_median_ms"] = round(statistics.median(times) * 1000, 2)
            results[f"{label}_p95_ms"] = round(sorted(times)[int(len(times) * 0.95)] * 1000, 2)
    finally:
        await engine.dispose()
    return results


async def load(db: BenchDatabase, cookie: str, clients: int, seconds: float) -> dict[str, Any]:
    prepared = {"env": db.app_env(), "cookie": cookie}
    base = f"/r/{REGION_CODE}"
    pages = {
        "region dashboard": [{"name": "region dashboard", "url": base + "/"}],
        "municipality drill-down": [
            {"name": "municipality drill-down", "url": f"{base}/indicators/municipalities/bm{m:02d}"}
            for m in range(0, MUNICIPALITIES, 7)
        ],
        "comparison table": [
            {"name": "comparison table", "url": f"{base}/indicators/schools?sort={sort}&page={page}"}
            for sort, page in (("coverage", 1), ("overdue", 3), ("name", 10), ("pairs", 30))
        ],
    }
    server = Server(current_tree(), prepared, workers=2)
    server.start()
    results: dict[str, Any] = {}
    try:
        for name, urls in pages.items():
            await closed_loop(server, prepared, urls, clients=5, seconds=3)  # warm-up
            run = await closed_loop(server, prepared, urls, clients=clients, seconds=seconds)
            results[name] = {
                k: run[k] for k in ("requests", "throughput", "p50", "p95", "p99", "errors", "error_kinds")
            }
            print(f"  {name}: {results[name]}", flush=True)
    finally:
        server.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.regional")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument(
        "--only",
        action="append",
        choices=("rebuild", "report", "write", "load"),
        help="run only these steps (repeatable); the region is generated first if missing",
    )
    args = parser.parse_args(argv)
    steps = set(args.only or ("rebuild", "report", "write", "load"))
    if args.skip_load:
        steps.discard("load")
    db = bench_database(0)
    result: dict[str, Any] = {}
    if args.fresh or not _marked(db):
        if args.fresh:
            from nastavnik.platform.embedded_db import drop_database

            if db.socket_dir:
                drop_database(db.socket_dir, db.name)
            db = bench_database(0)
        migrate(db.urls)
        print("generating the benchmark region …", flush=True)
        started = time.perf_counter()
        result["generate"] = generate(db)
        result["generate"]["total_s"] = round(time.perf_counter() - started, 1)
        print(f"  {result['generate']}", flush=True)
    else:
        migrate(db.urls)  # a kept region catches up with migrations added since
    if "rebuild" in steps:
        print("rebuilding every rollup …", flush=True)
        result["rebuild"] = asyncio.run(rebuild(db))
        print(f"  {result['rebuild']}", flush=True)
    if "report" in steps:
        print("ministry report …", flush=True)
        result["report"] = asyncio.run(report(db))
        print(f"  {result['report']}", flush=True)
    if "write" in steps:
        print("write overhead …", flush=True)
        result["write"] = asyncio.run(write_overhead(db))
        print(f"  {result['write']}", flush=True)
    if "load" in steps:
        print(f"load: {args.clients} clients, {args.seconds:.0f} s per page …", flush=True)
        result["load"] = asyncio.run(load(db, asyncio.run(sign_in(db)), args.clients, args.seconds))
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
