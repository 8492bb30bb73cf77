"""Questionnaires benchmark: a school of 1,500 pupils answering a 30-question intake at once.

    uv run python -m bench.bench_questionnaires                # 1,500 pupils, 200 at a time
    uv run python -m bench.bench_questionnaires --pupils 3000 --concurrency 300
    uv run python -m bench.bench_questionnaires --spread 900   # the same answers over 15 minutes

A scratch database on the embedded PostgreSQL (or DATABASE_URL), migrated from scratch; the
app runs in this process (Litestar's ASGI test client: the full stack of middleware, CSRF,
the signed link, validation and the write, without a network hop). Every pupil has a
consent; the intake goes to each of the 50 classes through `create_survey`.

Measured: every pupil's POST of a complete 30-question answer through their personal link,
`--concurrency` at a time (p50/p95/max, and that every answer is stored: 0 lost); the
response-rate page of the busiest survey; the monitoring report PDF of the school, once its
pupils have also answered the impact questionnaire at the start and at the end and the
satisfaction questionnaire (written in bulk, not measured), so the report pairs 1,500
people's two measurements. Each figure is printed with its goal and whether it is met.

Targets (issue 11): p95 per submission < 200 ms with 0 lost answers at 200 concurrent;
monitoring report < 2 s; response-rate page < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import math
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.bench_participants import make_school
from nastavnik.cli import migrate
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.db import make_engine, make_sessionmaker, new_id, set_school
from nastavnik.platform.embedded_db import APP_ROLE, drop_database, ensure_database, start_server
from nastavnik.platform.settings import get_settings
from nastavnik.platform.web import Form
from nastavnik.school.participants.models import (
    Consent,
    ConsentScope,
    ConsentSigner,
    Participant,
    ParticipantKind,
)
from nastavnik.school.questionnaires import services
from nastavnik.school.questionnaires.definitions import Question, QuestionKind, Section, questions_of
from nastavnik.school.questionnaires.models import QuestionnaireKind, ResponseStatus, SurveyResponse
from nastavnik.tenants.models import School

TODAY = dt.date.today()
YEAR = TODAY.year if TODAY.month >= 9 else TODAY.year - 1
LETTERS = "АБВГДЕЖ"
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"bench_questionnaires: {message}")


def verdict(met: bool) -> str:
    return "met" if met else "OVER"


async def monitoring_answers(maker: async_sessionmaker[AsyncSession], school: School) -> int:
    """Every pupil answers the impact questionnaire at the start (lower) and at the end
    (higher), and the satisfaction questionnaire: the report then pairs each person's two
    measurements. Written in bulk through the same services' surveys, not measured."""
    async with maker() as db, db.begin():
        await set_school(db, school.id)
        await services.adopt_all(db, school)
        current = await services.current_questionnaires(db, school)
        written = 0
        for kind, stage, score in (
            (QuestionnaireKind.IMPACT, "start", 4),
            (QuestionnaireKind.IMPACT, "end", 7),
            (QuestionnaireKind.SATISFACTION, "none", 8),
        ):
            questionnaire = current[kind]
            answers = {
                q.key: (score if q.kind in (QuestionKind.SCALE5, QuestionKind.SCALE10) else q.options[0])
                for q in questions_of(questionnaire.definition)
                if q.required
            }
            for audience in await services.audiences(db, school, YEAR):
                if not audience.value.startswith("class:"):
                    continue
                form = Form(
                    data={
                        "questionnaire_id": str(questionnaire.id),
                        "audience": audience.value,
                        "deadline": (TODAY + dt.timedelta(days=7)).isoformat(),
                        "stage": stage,
                    }
                )
                survey = await services.create_survey(db, school, YEAR, form, None)
                check(survey is not None, f"monitoring survey not created: {form.errors}")
                assert survey is not None  # noqa: S101 - for the type checker
                result = await db.execute(
                    update(SurveyResponse)
                    .where(SurveyResponse.school_id == school.id, SurveyResponse.survey_id == survey.id)
                    .values(status=ResponseStatus.SUBMITTED, answers=answers, submitted_at=func.now())
                )
                written += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return written


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * share) - 1))]


def thirty_questions() -> list[Section]:
    kinds = [
        QuestionKind.SCALE5,
        QuestionKind.SCALE10,
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.SHORT_TEXT,
        QuestionKind.LONG_TEXT,
        QuestionKind.NUMBER,
        QuestionKind.REFERENCE,
    ]
    questions = []
    for number in range(1, 31):
        kind = kinds[number % len(kinds)]
        questions.append(
            Question(
                key=f"b{number}",
                text=f"Вопрос {number}",
                kind=kind,
                required=number % 3 == 0,
                options=("Да", "Нет", "Не знаю")
                if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
                else (),
                reference="direction:pupil" if kind is QuestionKind.REFERENCE else "",
            )
        )
    return [Section("Часть 1", tuple(questions[:15])), Section("Часть 2", tuple(questions[15:]))]


def answer_form(definition: dict[str, Any], refs: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = [("action", "submit")]
    for q in questions_of(definition):
        match q.kind:
            case QuestionKind.SCALE5:
                fields.append((q.key, "4"))
            case QuestionKind.SCALE10:
                fields.append((q.key, "7"))
            case QuestionKind.SINGLE:
                fields.append((q.key, "Да"))
            case QuestionKind.MULTIPLE:
                fields += [(q.key, "Да"), (q.key, "Не знаю")]
            case QuestionKind.NUMBER:
                fields.append((q.key, "12"))
            case QuestionKind.REFERENCE:
                fields += [(q.key, code) for code, _ in refs[q.reference][:2]]
            case _:
                fields.append((q.key, "Хочу научиться выступать перед классом и готовиться к олимпиадам"))
    return fields


async def setup(maker: async_sessionmaker[AsyncSession], pupils: int) -> tuple[School, list[str], str]:
    school = await make_school(maker, f"bench-q-{uuid.uuid4().hex[:6]}")
    async with maker() as db, db.begin():
        await set_school(db, school.id)
        people, consents = [], []
        for number in range(pupils):
            pid = new_id()
            grade, letter = 5 + number % 7, LETTERS[(number // 7) % 7]
            people.append(
                {
                    "school_id": school.id,
                    "id": pid,
                    "kind": ParticipantKind.PUPIL,
                    "last_name": f"Ученик{number}",
                    "first_name": "Иван",
                    "middle_name": "",
                    "grade": grade,
                    "class_letter": letter,
                    "birth_date": dt.date(TODAY.year - grade - 7, 3, 1),
                    "subjects": [],
                    "import_key": f"b:{number}",
                }
            )
            consents.append(
                {
                    "school_id": school.id,
                    "id": new_id(),
                    "participant_id": pid,
                    "signer": ConsentSigner.PARENT,
                    "signer_name": "Родитель",
                    "signed_on": TODAY - dt.timedelta(days=30),
                    "scopes": [ConsentScope.PROGRAMME],
                }
            )
        await db.execute(insert(Participant), people)
        await db.execute(insert(Consent), consents)
        base = await services.adopt_template(db, school, QuestionnaireKind.MENTEE_INTAKE_PUPIL, None)
        questionnaire = await services.new_version(db, school, base, thirty_questions(), None)
        survey_ids = []
        for audience in await services.audiences(db, school, YEAR):
            if not audience.value.startswith("class:"):
                continue
            form = Form(
                data={
                    "questionnaire_id": str(questionnaire.id),
                    "audience": audience.value,
                    "deadline": (TODAY + dt.timedelta(days=7)).isoformat(),
                }
            )
            survey = await services.create_survey(db, school, YEAR, form, None)
            if survey is None:
                raise SystemExit(f"bench_questionnaires: survey not created: {form.errors}")
            survey_ids.append(str(survey.id))
        secret = get_settings().session_secret
        rows = await db.execute(select(SurveyResponse).where(SurveyResponse.school_id == school.id))
        links = [f"/q/{services.response_token(secret, r)}" for r in rows.scalars()]
    check(len(links) == pupils, f"{len(links)} invitations for {pupils} pupils")
    return school, links, survey_ids[0]


async def run(  # noqa: PLR0915 - one benchmark, read top to bottom
    args: argparse.Namespace, maker: async_sessionmaker[AsyncSession], urls: DatabaseUrls
) -> None:
    from nastavnik.platform.auth.models import User
    from nastavnik.platform.auth.permissions import Membership, Role, Scope
    from nastavnik.platform.auth.sessions import SESSION_COOKIE, create_session

    started = time.perf_counter()
    school, links, survey_id = await setup(maker, args.pupils)
    print(
        f"setup: {args.pupils:,} pupils with consent, 50 class surveys, {time.perf_counter() - started:.1f} s"
    )
    async with maker() as db, db.begin():
        refs = await services.reference_options(db)
        await set_school(db, school.id)
        current = (await services.current_questionnaires(db, school))[QuestionnaireKind.MENTEE_INTAKE_PUPIL]
        fields = answer_form(current.definition, refs)
        user = User(
            keycloak_id=str(uuid.uuid4()),
            username="bench",
            email="b@example.org",
            last_name="Б",
            first_name="К",
            middle_name="",
        )
        db.add(user)
        await db.flush()
        cookie = await create_session(
            db,
            user=user,
            keycloak_sid=str(uuid.uuid4()),
            id_token="bench",  # noqa: S106
            memberships=[Membership(Scope.SCHOOL, school.code, Role.CURATOR)],
            max_age_seconds=3600,
        )
    settings = replace(get_settings(), log_level="WARNING", db_pool_size=args.pool, db_max_overflow=0)
    async with _client(args, settings, urls, maker) as client:
        first = await client.get(links[0])
        match = CSRF_RE.search(first.text)
        if match is None:
            raise SystemExit("bench_questionnaires: no CSRF field on the link page")
        token = match.group(1)
        payload: dict[str, list[str]] = {"_csrf_token": [token]}
        for name, value in fields:
            payload.setdefault(name, []).append(value)
        gate = asyncio.Semaphore(args.concurrency)
        samples: list[float] = []
        statuses: list[int] = []

        async def submit(index: int, link: str) -> None:
            # With --spread the answers arrive evenly over that many seconds (pupils finishing
            # the form one after another), at most --concurrency in flight; without, all at once.
            if args.spread:
                await asyncio.sleep(index * args.spread / len(links))
            async with gate:
                begun = time.perf_counter()
                try:
                    reply = await client.post(link, data=payload, follow_redirects=False)
                except httpx.TransportError:
                    statuses.append(0)  # the connection was dropped: the answer did not arrive
                    return
                samples.append((time.perf_counter() - begun) * 1000)
                statuses.append(reply.status_code)

        wall = time.perf_counter()
        await asyncio.gather(*(submit(i, link) for i, link in enumerate(links)))
        wall = time.perf_counter() - wall
        async with maker() as db, db.begin():
            await set_school(db, school.id)
            stored = await db.scalar(
                select(func.count())
                .select_from(SurveyResponse)
                .where(
                    SurveyResponse.school_id == school.id, SurveyResponse.status == ResponseStatus.SUBMITTED
                )
            )
        lost = len(links) - int(stored or 0)
        p95 = percentile(samples, 0.95)
        print(
            f"submissions: {len(links):,} at {args.concurrency} concurrent"
            f"{f' spread over {args.spread:.0f} s' if args.spread else ''} in {wall:.1f} s — "
            f"p50 {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms, "
            f"max {max(samples):.0f} ms; statuses {sorted(set(statuses))}; lost answers: {lost}"
            f" — goal p95 < 200 ms, 0 lost: {verdict(p95 < 200 and lost == 0)}"
        )
        started = time.perf_counter()
        measured = await monitoring_answers(maker, school)
        print(
            f"monitoring answers: {measured:,} (impact start, end, satisfaction), "
            f"{time.perf_counter() - started:.1f} s"
        )

        client.cookies.set(SESSION_COOKIE, cookie)
        for title, url, goal in (
            (
                "response-rate page (one class survey)",
                f"/s/{school.code}/questionnaires/surveys/{survey_id}",
                100,
            ),
            ("monitoring page", f"/s/{school.code}/monitoring", None),
            ("monitoring report PDF", f"/s/{school.code}/monitoring/report/pdf", 2000),
        ):
            times = []
            for _ in range(args.repeats):
                begun = time.perf_counter()
                reply = await client.get(url)
                times.append((time.perf_counter() - begun) * 1000)
                check(reply.status_code == 200, f"{url}: HTTP {reply.status_code}")
            median = statistics.median(times)
            target = f" — goal < {goal} ms: {verdict(median < goal)}" if goal else ""
            print(f"{title:<40} median {median:6.0f} ms, p95 {percentile(times, 0.95):6.0f} ms{target}")


@contextlib.asynccontextmanager
async def _client(
    args: argparse.Namespace, settings: Any, urls: DatabaseUrls, maker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """`nastavnik serve` on localhost (real concurrency), or the app in this process (`--in-process`)."""
    if args.in_process:
        from litestar.testing import AsyncTestClient

        from nastavnik.app import create_app

        async with AsyncTestClient(
            create_app(settings, urls, sessionmaker=maker), base_url="http://bench.local"
        ) as c:
            yield c
        return
    env = {
        **os.environ,
        "NASTAVNIK_ENV": "development",
        "DATABASE_URL": urls.app,
        "MIGRATION_DATABASE_URL": urls.migration,
        "LOG_LEVEL": "WARNING",
        "DB_POOL_SIZE": str(args.pool),
        "DB_MAX_OVERFLOW": "0",
        "DB_POOL_TIMEOUT": str(args.pool_timeout),
    }
    command = [
        sys.executable,
        "-m",
        "nastavnik.cli",
        "serve",
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
    ]
    # Started once, before anything is measured.
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)  # noqa: ASYNC220
    base = f"http://127.0.0.1:{args.port}"
    try:
        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            for _ in range(300):
                try:
                    if (await client.get("/health/live")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise SystemExit("bench_questionnaires: the server did not start")
            yield client
    finally:
        server.terminate()
        server.wait(timeout=30)


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
    engine = make_engine(urls.app, pool_size=args.pool, max_overflow=0)
    try:
        await run(args, make_sessionmaker(engine), urls)
    finally:
        await engine.dispose()
        if socket is not None and not args.keep:
            drop_database(socket, args.database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pupils", type=int, default=1_500)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument(
        "--spread",
        type=float,
        default=0.0,
        help="seconds over which the submissions arrive evenly (0: all at once, the burst)",
    )
    parser.add_argument("--pool", type=int, default=20, help="database connections of the app")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument(
        "--pool-timeout", type=int, default=5, help="seconds a request waits for a connection"
    )
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--in-process", action="store_true", help="the app in this process, no server")
    parser.add_argument("--database", default="nastavnik_bench_questionnaires")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    asyncio.run(main(parser.parse_args()))
