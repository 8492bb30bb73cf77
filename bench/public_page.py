"""Public page benchmark: «/public/<school>/nastavnichestvo» of many schools under load.

    scripts/uv run python -m bench.public_page                               # 1,500 schools, 50 clients
    scripts/uv run python -m bench.public_page --schools 50 --clients 10 --requests 1000   # smoke

Builds a scratch database on the bench embedded PostgreSQL (`var/bench/`, or the server of
DATABASE_URL / MIGRATION_DATABASE_URL), migrated from scratch, with one region and
`--schools` schools, each with a published snapshot of the page as publishing writes it:
the programme, the year's figures, `--mentors` consented mentors, `--cases` cases and the
three programme documents (PDF-sized blobs). Then starts `nastavnik serve` (production
mode, `--workers`) and runs `--clients` concurrent anonymous clients, `--requests` in all,
over random schools: the page (first visit to a school renders it, later ones come from
the per-worker cache), the page revalidated with If-None-Match (304), and the embed.
Reports p50 / p95 / p99 per kind and overall, and the throughput.

Target (issue 15): p95 < 30 ms.
"""

# ruff: noqa: E501 - rows of synthetic data and their column lists, kept one per line

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import psycopg

from nastavnik.cli import migrate
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.embedded_db import APP_ROLE, drop_database, ensure_database

HOST = "127.0.0.1"
SEED = 15
NAME = "nastavnik_bench_public"
FIRST = ["Мария", "Ольга", "Игорь", "Алексей", "Наталья", "Дмитрий", "Елена", "Сергей"]
LAST = ["Иванова", "Петрова", "Смирнов", "Кузнецов", "Соколова", "Попов", "Лебедева", "Новиков"]
MIDDLE = ["Петровна", "Игоревна", "Николаевич", "Викторович", "Сергеевна", "Алексеевич"]


def database() -> tuple[DatabaseUrls, str, str | None]:
    """(urls, owner libpq dsn, socket dir of the embedded server or None)."""
    explicit = os.environ.get("DATABASE_URL")
    if explicit:
        app = explicit.replace("postgresql://", "postgresql+psycopg://", 1)
        owner = (os.environ.get("MIGRATION_DATABASE_URL") or explicit).replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
        urls = DatabaseUrls(app, owner, os.environ.get("APP_DB_ROLE", APP_ROLE), embedded=False)
        return urls, owner.replace("postgresql+psycopg://", "postgresql://", 1), None
    from bench.region import start_bench_server

    socket_dir = start_bench_server()
    with contextlib.suppress(Exception):
        drop_database(socket_dir, NAME)
    db = ensure_database(socket_dir, NAME)
    urls = DatabaseUrls(db.app_url, db.owner_url, APP_ROLE, embedded=True)
    return urls, db.owner_url.replace("postgresql+psycopg://", "postgresql://", 1), socket_dir


def snapshot(rng: random.Random, school: str, mentors: int, cases: int) -> dict[str, Any]:
    return {
        "school": {"name": school, "full_name": f"Муниципальное бюджетное общеобразовательное учреждение «{school}»", "address": ""},
        "year": "2026-2027",
        "programme": {"title": "Программа наставничества на 2026-2027 учебный год", "goals": "Раскрытие потенциала. " * 20},
        "results_year": "2025-2026",
        "results_final": True,
        "figures": {
            "mentors": rng.randint(5, 60), "mentees": rng.randint(5, 200), "pairs": rng.randint(5, 120),
            "pairs_completed": rng.randint(1, 100), "pupils_share": rng.randint(5, 80), "satisfaction": 8.4,
            "cases": cases, "pairs_by_form": [["Ученик – ученик", 4], ["Учитель – ученик", 9], ["Учитель – учитель", 2]],
        },
        "mentors": [
            {
                "name": f"{rng.choice(LAST)} {rng.choice(FIRST)} {rng.choice(MIDDLE)}",
                "position": "Учитель математики", "subjects": ["математика", "информатика"], "experience": rng.randint(1, 30),
                "statement": "Главное — помочь увидеть свою цель и первый шаг к ней.",
            }
            for _ in range(mentors)
        ],
        "cases": [
            {
                "title": f"Кейс {n + 1}: проект как путь к мотивации", "problem": "Низкая мотивация к учёбе. " * 8,
                "actions": "Встречи раз в неделю, проект, профпробы. " * 10, "result": "Оценки выросли, проект защищён. " * 6,
                "form": "Учитель – ученик", "directions": ["Повышение мотивации"], "year": "2025-2026", "best": n == 0, "photos": [],
            }
            for n in range(cases)
        ],
        "documents": [],
        "published_on": "2026-12-01",
    }  # fmt: skip


def load(owner_dsn: str, schools: int, mentors: int, cases: int) -> list[str]:
    rng = random.Random(SEED)
    codes = []
    with psycopg.connect(owner_dsn, autocommit=False) as conn:
        region, municipality = uuid.uuid4(), uuid.uuid4()
        conn.execute(
            "INSERT INTO region (id, code, name) VALUES (%s, 'bench-public', 'Тестовый регион')", (region,)
        )
        conn.execute(
            "INSERT INTO municipality (id, region_id, code, name) VALUES (%s, %s, 'bench-public', 'Тестовый округ')",
            (municipality, region),
        )
        blob = b"%PDF-1.4\n" + os.urandom(60_000)
        for n in range(schools):
            school, page, code = uuid.uuid4(), uuid.uuid4(), f"bp-{n:05d}"
            codes.append(code)
            conn.execute(
                "INSERT INTO school (id, municipality_id, code, name, full_name, kind, address) "
                "VALUES (%s, %s, %s, %s, %s, 'general', '')",
                (school, municipality, code, f"Школа № {n + 1}", f"МБОУ «Школа № {n + 1}»"),
            )
            # The snapshot's policies let a school write its own row only (FORCEd for the owner too).
            conn.execute("SELECT set_config('app.school_id', %s, true)", (str(school),))
            content = snapshot(rng, f"Школа № {n + 1}", mentors, cases)
            titles = (
                "Приказ «Об организации наставничества»",
                "Положение о наставничестве",
                "Дорожная карта",
            )
            documents = [{"id": str(uuid.uuid4()), "title": title} for title in titles]
            content["documents"] = documents
            conn.execute(
                "INSERT INTO public_page (id, school_id, school_code, published, version, content, published_at) "
                "VALUES (%s, %s, %s, true, 1, %s, now())",
                (page, school, code, json.dumps(content, ensure_ascii=False)),
            )
            for position, document in enumerate(documents):
                conn.execute(
                    "INSERT INTO public_page_document (id, school_id, page_id, title, filename, content_type, content, position) "
                    "VALUES (%s, %s, %s, %s, %s, 'application/pdf', %s, %s)",
                    (
                        document["id"],
                        school,
                        page,
                        document["title"],
                        document["title"] + ".pdf",
                        blob,
                        position,
                    ),
                )
            if n % 500 == 499:
                conn.commit()
        conn.commit()
        conn.execute("ANALYZE public_page")
        conn.execute("ANALYZE public_page_document")
        conn.commit()
    return codes


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(urls: DatabaseUrls, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": urls.app.replace("postgresql+psycopg://", "postgresql://", 1),
        "MIGRATION_DATABASE_URL": urls.migration.replace("postgresql+psycopg://", "postgresql://", 1),
        "NASTAVNIK_ENV": "production",
        "SESSION_SECRET": secrets.token_urlsafe(48),
        "APP_BASE_URL": base,
        "NASTAVNIK_DATA_DIR": tempfile.mkdtemp(prefix="nastavnik-bench-public-"),
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "nastavnik.cli",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"nastavnik serve завершился с кодом {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/health/live", timeout=2).status_code == 200:
                return process, base
        time.sleep(0.3)
    stop(process)
    raise SystemExit("nastavnik serve не ответил за 90 с")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def run(base: str, codes: list[str], clients: int, requests: int) -> dict[str, list[float]]:
    rng = random.Random(SEED)
    timings: dict[str, list[float]] = {"page": [], "revalidate": [], "embed": [], "first visit": []}
    etags: dict[str, str] = {}
    errors = 0
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for _ in range(requests):
        kind = rng.choices(["page", "revalidate", "embed"], weights=[6, 3, 1])[0]
        queue.put_nowait((kind, rng.choice(codes)))

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            while not queue.empty():
                kind, code = queue.get_nowait()
                path = f"/public/{quote(code)}/nastavnichestvo" + ("/embed" if kind == "embed" else "")
                headers = {"If-None-Match": etags[code]} if kind == "revalidate" and code in etags else {}
                if kind == "page" and code not in etags:
                    kind = "first visit"
                started = time.perf_counter()
                reply = await http.get(path, headers=headers)
                timings[kind].append((time.perf_counter() - started) * 1000)
                if reply.status_code not in (200, 304):
                    errors += 1
                if "etag" in reply.headers:
                    etags[code] = reply.headers["etag"]

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    every = [t for values in timings.values() for t in values]
    print(f"\n{len(every)} запросов за {elapsed:.1f} с ({len(every) / elapsed:.0f}/с), ошибок: {errors}")
    print(f"{'вид':<14} {'n':>6} {'p50, мс':>9} {'p95, мс':>9} {'p99, мс':>9}")
    for kind, values in [*timings.items(), ("все", every)]:
        if values:
            print(
                f"{kind:<14} {len(values):>6} {statistics.median(values):>9.1f} "
                f"{percentile(values, 0.95):>9.1f} {percentile(values, 0.99):>9.1f}"
            )
    p95 = percentile(every, 0.95)
    print(f"\nЦель: p95 < 30 мс — {'выполнена' if p95 < 30 else 'НЕ выполнена'} ({p95:.1f} мс)")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--schools", type=int, default=1500)
    parser.add_argument("--mentors", type=int, default=30)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    urls, owner_dsn, _ = database()
    started = time.perf_counter()
    migrate(urls)
    codes = load(owner_dsn, args.schools, args.mentors, args.cases)
    print(f"{len(codes)} школ с опубликованной страницей за {time.perf_counter() - started:.1f} с")
    process, base = start_server(urls, args.workers)
    try:
        asyncio.run(run(base, codes, args.clients, args.requests))
    finally:
        stop(process)


if __name__ == "__main__":
    main()
