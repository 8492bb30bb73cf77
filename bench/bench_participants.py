"""Participants benchmark: importing a 10,000-row XLSX, and searching a bank of 5,000 people.

    uv run python -m bench.bench_participants                 # 10,000 rows, bank of 5,000
    uv run python -m bench.bench_participants --rows 20000 --bank 5000 --other-schools 20

Runs against a scratch database on the embedded PostgreSQL (or DATABASE_URL's server with
MIGRATION_DATABASE_URL), migrated from scratch, through the same service functions the
background job calls, as the application role under row-level security.

Import: wall time of each step — reading and storing the upload (`create_import`),
validating every row (`run_validation`), writing all rows into the mentee bank in one
transaction (`run_apply`) — then the same file again (nothing changes: the idempotent path),
with the peak Python memory traced by tracemalloc in a separate run (tracing slows the code,
so the timed run is untraced) and the growth of the process's peak RSS.

Search: a school with a bank of 5,000 pupils (half with consent) among other schools' people
in the same tables; median and 95th percentile of `search_bank` (the query behind the bank
page) for a name with a typo, a name prefix, class / direction / consent filters, and of the
whole page over HTTP (Litestar, template rendering included).

Targets: the 10,000-row import under 30 s end to end and under 300 MB peak; search under
100 ms at the 95th percentile.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import os
import random
import resource
import statistics
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from openpyxl import Workbook
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.cli import migrate
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.db import make_engine, make_sessionmaker, new_id, set_school
from nastavnik.platform.embedded_db import APP_ROLE, drop_database, ensure_database, start_server
from nastavnik.platform.settings import get_settings
from nastavnik.school.participants import importing
from nastavnik.school.participants.models import (
    Consent,
    ConsentScope,
    ConsentSigner,
    ImportBank,
    ImportTarget,
    MenteeProfile,
    Participant,
    ParticipantImport,
    ParticipantKind,
    mentee_direction,
)
from nastavnik.school.participants.search import BankFilters, search_bank
from nastavnik.tenants.models import Municipality, Region, School, SchoolKind
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind

YEAR = 2025
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
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
]
FIRST = [
    "Александр",
    "Максим",
    "Артём",
    "Михаил",
    "Иван",
    "Дмитрий",
    "Даниил",
    "Кирилл",
    "Андрей",
    "Егор",
    "Илья",
    "Матвей",
    "Тимофей",
    "Роман",
    "Владимир",
    "Ярослав",
    "Фёдор",
    "Лев",
    "Марк",
    "Глеб",
]
MIDDLE = [
    "Александрович",
    "Сергеевич",
    "Андреевич",
    "Дмитриевич",
    "Алексеевич",
    "Игоревич",
    "Олегович",
    "Викторович",
    "Павлович",
    "Михайлович",
]
LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"


def person_name(n: int, rng: random.Random) -> tuple[str, str, str]:
    # A family-name stem plus letters from n keeps every name distinct and letters-only.
    suffix, number = "", n
    while number:
        number, digit = divmod(number, len(LETTERS))
        suffix = LETTERS[digit] + suffix
    return rng.choice(LAST) + suffix, rng.choice(FIRST), rng.choice(MIDDLE)


def pupils_xlsx(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Обучающиеся")
    sheet.append(["Список обучающихся на 01.09.2025"])
    sheet.append(["Код", "Фамилия", "Имя", "Отчество", "Дата рождения", "Класс", "Телефон"])
    for n in range(rows):
        last, first, middle = person_name(n, rng)
        grade = 1 + n % 11
        birth = dt.date(2025 - 7 - grade, 1 + rng.randrange(12), 1 + rng.randrange(28))
        phone = f"+7 9{rng.randrange(10**9):09d}" if n % 3 == 0 else ""
        sheet.append([f"U{n:06d}", last, first, middle, birth, f"{grade}{'АБВГ'[n % 4]}", phone])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"bench_participants: {message}")


async def load(db: AsyncSession, school: School, import_id: str) -> ParticipantImport:
    imp = await importing.get_import(db, school, import_id, with_content=True)
    if imp is None:
        raise SystemExit("bench_participants: the import vanished")
    return imp


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def make_school(maker: async_sessionmaker[AsyncSession], code: str) -> School:
    async with maker() as db, db.begin():
        region = (await db.execute(select(Region).where(Region.code == "bench"))).scalar_one_or_none()
        if region is None:
            region = Region(code="bench", name="Бенчмарк-область")
            db.add(region)
            await db.flush()
            db.add(Municipality(region_id=region.id, code="bench-m", name="Бенчмарк-район"))
            await db.flush()
        municipality = (
            await db.execute(select(Municipality).where(Municipality.code == "bench-m"))
        ).scalar_one()
        school = School(
            municipality_id=municipality.id, code=code, name=code, full_name=code, kind=SchoolKind.GENERAL
        )
        db.add(school)
        await db.flush()
        return school


async def run_import(
    maker: async_sessionmaker[AsyncSession], school: School, content: bytes
) -> tuple[dict[str, float], dict[str, int]]:
    times: dict[str, float] = {}
    started = time.perf_counter()
    async with maker() as db, db.begin():
        await set_school(db, school.id)
        imp = await importing.create_import(
            db,
            school,
            filename="обучающиеся.xlsx",
            data=content,
            target=ImportTarget.PUPILS,
            bank=ImportBank.MENTEES,
            year=YEAR,
            created_by=None,
        )
        problems = importing.mapping_problems(imp.mapping, imp.target)
        check(not problems, f"mapping: {problems}")
        import_id = str(imp.id)
    times["upload (read + store)"] = time.perf_counter() - started

    started = time.perf_counter()
    async with maker() as db, db.begin():
        await set_school(db, school.id)
        result = await importing.run_validation(db, school, await load(db, school, import_id))
        check(not result.errors, f"rows with errors: {result.errors[:3]}")
    times["validate every row"] = time.perf_counter() - started

    started = time.perf_counter()
    async with maker() as db, db.begin():
        await set_school(db, school.id)
        result = await importing.run_apply(db, school, await load(db, school, import_id))
    times["apply (one transaction)"] = time.perf_counter() - started
    times["total"] = sum(times.values())
    return times, result.summary


async def bench_import(maker: async_sessionmaker[AsyncSession], rows: int) -> None:
    content = pupils_xlsx(rows)
    print(f"\nImport of a {rows:,}-row XLSX ({len(content) / 1024:.0f} KB), into the mentee bank")
    school = await make_school(maker, f"imp-{uuid.uuid4().hex[:6]}")
    rss_before = peak_rss_mb()
    times, summary = await run_import(maker, school, content)
    rss_after = peak_rss_mb()
    for step, seconds in times.items():
        print(f"  {step:<28} {seconds:7.2f} s")
    print(f"  rows: created {summary['create']:,}, updated {summary['update']}, unchanged {summary['same']}")
    print(f"  peak RSS of the process: {rss_after:.0f} MB (grew by {rss_after - rss_before:.0f} MB)")

    again, summary = await run_import(maker, school, content)
    print(
        f"  the same file again: {again['total']:.2f} s total — created {summary['create']}, "
        f"unchanged {summary['same']:,}"
    )

    traced_school = await make_school(maker, f"mem-{uuid.uuid4().hex[:6]}")
    tracemalloc.start()
    await run_import(maker, traced_school, content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak Python memory of the whole import (tracemalloc): {peak / 1024 / 1024:.0f} MB")


async def fill_bank(
    maker: async_sessionmaker[AsyncSession], school: School, people: int, rng: random.Random
) -> None:
    """People, their mentee profiles, directions and consents, inserted in bulk."""
    async with maker() as db, db.begin():
        directions = list(
            (
                await db.execute(
                    select(ReferenceItem.id).where(ReferenceItem.kind == ReferenceKind.DIRECTION)
                )
            ).scalars()
        )
        await set_school(db, school.id)
        person_rows: list[dict[str, Any]] = []
        profile_rows: list[dict[str, Any]] = []
        link_rows: list[dict[str, Any]] = []
        consent_rows: list[dict[str, Any]] = []
        for n in range(people):
            last, first, middle = person_name(n, rng)
            grade = 1 + n % 11
            person_id, profile_id = new_id(), new_id()
            person_rows.append(
                {
                    "school_id": school.id,
                    "id": person_id,
                    "kind": ParticipantKind.PUPIL,
                    "last_name": last,
                    "first_name": first,
                    "middle_name": middle,
                    "birth_date": dt.date(2025 - 7 - grade, 3, 1),
                    "grade": grade,
                    "class_letter": "АБВГ"[n % 4],
                    "subjects": [],
                    "position": "",
                    "email": "",
                    "phone": "",
                    "notes": "",
                    "import_key": f"ext:pupils:{school.code}-{n}",
                }
            )
            profile_rows.append(
                {
                    "school_id": school.id,
                    "id": profile_id,
                    "participant_id": person_id,
                    "academic_year": YEAR,
                    "category": "pupil",
                    "request_text": "",
                    "request_sources": [],
                    "status": "active",
                }
            )
            link_rows.extend(
                {"school_id": school.id, "mentee_profile_id": profile_id, "reference_item_id": item}
                for item in rng.sample(directions, 2)
            )
            if n % 2 == 0:
                consent_rows.append(
                    {
                        "school_id": school.id,
                        "id": new_id(),
                        "participant_id": person_id,
                        "signer": ConsentSigner.PARENT,
                        "signer_name": "Родитель",
                        "signed_on": dt.date(2025, 9, 5),
                        "scopes": [ConsentScope.PROGRAMME],
                        "withdrawal_note": "",
                        "scan_filename": "",
                        "scan_content_type": "",
                        "scan_size": 0,
                    }
                )
        tables: list[tuple[Any, list[dict[str, Any]]]] = [
            (Participant.__table__, person_rows),
            (MenteeProfile.__table__, profile_rows),
            (mentee_direction, link_rows),
            (Consent.__table__, consent_rows),
        ]
        for table, rows in tables:
            for start in range(0, len(rows), 5000):
                await db.execute(insert(table), rows[start : start + 5000])


async def timed(run: Callable[[], Awaitable[Any]], repeats: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def bench_search(
    maker: async_sessionmaker[AsyncSession], urls: DatabaseUrls, bank: int, other_schools: int, repeats: int
) -> None:
    rng = random.Random(11)
    print(
        f"\nSearch in a bank of {bank:,} pupils "
        f"({other_schools} other schools of {bank:,} each in the same tables)"
    )
    school = await make_school(maker, f"srch-{uuid.uuid4().hex[:6]}")
    await fill_bank(maker, school, bank, rng)
    for _ in range(other_schools):
        await fill_bank(maker, await make_school(maker, f"oth-{uuid.uuid4().hex[:6]}"), bank, rng)
    async with maker() as db, db.begin():
        await db.execute(text("ANALYZE"))  # as autovacuum would after a bulk load
        await set_school(db, school.id)
        sample = (
            await db.execute(select(Participant).where(Participant.school_id == school.id).limit(1))
        ).scalar_one()
        direction = (await db.execute(select(mentee_direction.c.reference_item_id).limit(1))).scalar_one()
    typo = sample.last_name[:2] + sample.last_name[3:]  # one letter dropped
    cases = {
        f"name with a typo («{typo}»)": BankFilters(year=YEAR, q=typo),
        f"name prefix («{sample.last_name[:4]}»)": BankFilters(year=YEAR, q=sample.last_name[:4]),
        "full name, first name first": BankFilters(year=YEAR, q=f"{sample.first_name} {sample.last_name}"),
        "class 7 «Б»": BankFilters(year=YEAR, grade=7, class_letter="Б"),
        "direction": BankFilters(year=YEAR, direction=str(direction)),
        "no consent": BankFilters(year=YEAR, consent="missing"),
        "page 40 of everyone": BankFilters(year=YEAR, page=40),
    }
    for title, filters in cases.items():

        async def run(filters: BankFilters = filters) -> Any:
            async with maker() as db, db.begin():
                await set_school(db, school.id)
                return await search_bank(db, school, "mentees", filters, show_unconsented=True)

        found = await run()
        median, p95 = await timed(run, repeats)
        print(f"  {title:<44} {median:6.1f} ms median, {p95:6.1f} ms p95   ({found.total:,} found)")
    await bench_http(maker, urls, school, typo, repeats)


async def bench_http(
    maker: async_sessionmaker[AsyncSession], urls: DatabaseUrls, school: School, query: str, repeats: int
) -> None:
    """The whole bank page over HTTP: session, tenancy, query, template."""
    from litestar.testing import AsyncTestClient

    from nastavnik.app import create_app
    from nastavnik.platform.auth.models import User
    from nastavnik.platform.auth.permissions import Membership, Role, Scope
    from nastavnik.platform.auth.sessions import SESSION_COOKIE, create_session

    async with maker() as db, db.begin():
        user = User(
            keycloak_id=str(uuid.uuid4()),
            username="bench",
            email="bench@example.org",
            last_name="Бенч",
            first_name="Куратор",
            middle_name="",
        )
        db.add(user)
        await db.flush()
        cookie = await create_session(
            db,
            user=user,
            keycloak_sid=str(uuid.uuid4()),
            id_token="bench",  # noqa: S106 - a placeholder, not a secret
            memberships=[Membership(Scope.SCHOOL, school.code, Role.CURATOR)],
            max_age_seconds=3600,
        )
    settings = replace(get_settings(), log_level="WARNING")
    app = create_app(settings, urls, sessionmaker=maker)
    async with AsyncTestClient(app, base_url="http://bench.local") as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        for title, url in (
            (
                "HTTP: bank page, typo search (htmx fragment)",
                f"/s/{school.code}/mentees?year=2025-2026&q={query}",
            ),
            ("HTTP: bank page, first page, full layout", f"/s/{school.code}/mentees?year=2025-2026"),
        ):
            headers = {"HX-Request": "true"} if "htmx" in title else {}

            async def run(url: str = url, headers: dict[str, str] = headers) -> Any:
                reply = await client.get(url, headers=headers)
                check(reply.status_code == 200, f"HTTP {reply.status_code}")
                return reply

            median, p95 = await timed(run, repeats)
            print(f"  {title:<44} {median:6.1f} ms median, {p95:6.1f} ms p95")


async def main(args: argparse.Namespace) -> None:
    settings = get_settings()
    if os.environ.get("DATABASE_URL"):
        app_url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
        owner_url = os.environ.get("MIGRATION_DATABASE_URL", os.environ["DATABASE_URL"]).replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
        urls = DatabaseUrls(app_url, owner_url, APP_ROLE, embedded=False)
        socket = None
    else:
        socket = start_server(settings.data_dir)
        drop_database(socket, args.database)
        database = ensure_database(socket, args.database)
        urls = DatabaseUrls(database.app_url, database.owner_url, APP_ROLE, embedded=True)
    migrate(urls)
    engine = make_engine(urls.app)
    maker = make_sessionmaker(engine)
    try:
        if args.only in (None, "import"):
            await bench_import(maker, args.rows)
        if args.only in (None, "search"):
            await bench_search(maker, urls, args.bank, args.other_schools, args.repeats)
    finally:
        await engine.dispose()
        if socket is not None and not args.keep:
            drop_database(socket, args.database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bank", type=int, default=5_000)
    parser.add_argument("--other-schools", type=int, default=9)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--only", choices=("import", "search"))
    parser.add_argument("--database", default="nastavnik_bench_participants")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    asyncio.run(main(parser.parse_args()))
