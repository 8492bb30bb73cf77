"""Load benchmark: every school page and the main PDFs against `nastavnik serve` as production runs it.

    scripts/uv run python -m bench.load --sizes 1,10,100                  # the full measure
    scripts/uv run python -m bench.load --sizes 1 --quick                 # a smoke run (about a minute)
    scripts/uv run python -m bench.load --sizes 100 --baseline HEAD~1     # before and after in one run
    scripts/uv run python -m bench.load --sizes 100 --compare bench/results/old.json

For each size the demo school is grown by `bench.region` (a database of its own), then
`nastavnik serve` is started as a subprocess on a free localhost port with
NASTAVNIK_ENV=production, a generated SESSION_SECRET and DATABASE_URL at the bench
database (`--workers N` is passed when the tree's `nastavnik serve --help` offers it).
A curator of the demo school is signed in without Keycloak: a server-side session row
is created with `create_session`, exactly as the sign-in callback does, and its token is
the browser's cookie. The pages are every GET route under `/s/{school_code}/` of the
app, with ids taken from the bench database (a pair, a mentee's card, a round, a stage…),
plus the execution report PDF and the pairs order / agreement PDFs.

Measured, per size:
- single client: p50 / p95 of each page (sequential requests, `--requests` or
  `--page-seconds`, whichever ends first), with the statements and database time per
  request from pg_stat_statements (reset before each page; the bench server preloads it);
- `--clients` (50) closed-loop clients for `--seconds`: p50 / p95 / p99, throughput, errors;
- `--mixed-clients` (200) clients for `--mixed-seconds` (60) with `--write-share` (10 %)
  of writes through the real forms with their CSRF token: log a meeting of a pair, edit a
  plan item, save a plan's goals; every acknowledged meeting (303) is looked up afterwards;
- the RSS of every server process after the runs (psutil).

Only 127.0.0.1 is ever contacted; every phase has a deadline, the server is stopped at
the end (also on Ctrl+C). Results: a Markdown table on stdout and JSON in
`bench/results/load-<date>.json` (`--out` to choose). The load generator shares the
machine's cores with the server: measure on a quiet machine.

`--baseline <git-ref>` checks the ref out into a temporary worktree (`git worktree add`),
copies this `bench/` into it (the same tools measure both trees), builds its databases
(suffix `_base`, on the same bench server) and measures it first with the same settings;
the table then shows both, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
REQUEST_TIMEOUT = 60.0
CSRF_RE = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')
PARAM_RE = re.compile(r"\{(\w+):\w+\}")
WRITE_TAG = "bench-load"
GIT = shutil.which("git") or "/usr/bin/git"


# --- prepare: runs inside the tree being measured (its code, its schema) -----------------


def _owner_conn(db: Any) -> Any:
    import psycopg

    return psycopg.connect(db.owner_dsn, autocommit=True)


async def _sign_in(db: Any, school_code: str) -> str:
    """A session row for the bench curator, as the sign-in callback makes one; returns the cookie."""
    from sqlalchemy import select, update

    import nastavnik.models  # noqa: F401 - every mapper known before a flush
    from bench.region import BENCH_CURATOR_EMAIL, BENCH_USERNAME
    from nastavnik.platform.auth.models import User
    from nastavnik.platform.auth.permissions import Membership, Role, Scope
    from nastavnik.platform.auth.sessions import create_session
    from nastavnik.platform.db import make_engine, make_sessionmaker, new_id, set_school
    from nastavnik.tenants.models import School, StaffMember

    engine = make_engine(db.urls.app)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            user = (
                await session.execute(select(User).where(User.keycloak_id == BENCH_USERNAME))
            ).scalar_one_or_none()
            if user is None:
                user = User(
                    id=new_id(),
                    keycloak_id=BENCH_USERNAME,
                    username=BENCH_USERNAME,
                    email=BENCH_CURATOR_EMAIL,
                    last_name="Иванова",
                    first_name="Мария",
                    middle_name="Петровна",
                )
                session.add(user)
                await session.flush()
            school = (await session.execute(select(School).where(School.code == school_code))).scalar_one()
            await set_school(session, school.id)
            await session.execute(
                update(StaffMember).where(StaffMember.email == BENCH_CURATOR_EMAIL).values(user_id=user.id)
            )
            await set_school(session, None)
            return await create_session(
                session,
                user=user,
                keycloak_sid=str(uuid.uuid4()),
                id_token="bench-id-token",  # noqa: S106 - not a secret: no Keycloak behind it
                memberships=[Membership(Scope.SCHOOL, school_code, Role.CURATOR)],
                max_age_seconds=24 * 3600,
            )
    finally:
        await engine.dispose()


def _one(conn: Any, query: str, *args: Any) -> Any:
    row = conn.execute(query, args).fetchone()
    return None if row is None else row[0]


def _path_values(conn: Any, school_code: str) -> dict[str, Any]:
    """Ids for the path parameters of the school's pages, taken from the bench database."""
    from bench.region import school_id_of

    school = school_id_of(conn, school_code)
    conn.execute("SELECT set_config('app.school_id', %s, false)", (str(school),))
    year = _one(conn, "SELECT academic_year FROM programme ORDER BY academic_year DESC LIMIT 1")
    pair = _one(
        conn,
        "SELECT m.id FROM mentorship m JOIN development_plan p ON p.mentorship_id = m.id "
        "WHERE m.status = 'active' AND EXISTS (SELECT 1 FROM plan_item i WHERE i.plan_id = p.id) "
        "ORDER BY m.created_at, m.id LIMIT 1",
    )
    mentee = _one(
        conn,
        "SELECT participant_id FROM mentee_profile ORDER BY created_at, id LIMIT 1",
    )
    mentor = _one(conn, "SELECT participant_id FROM mentor_profile ORDER BY created_at, id LIMIT 1")
    scan = conn.execute(
        "SELECT c.participant_id, c.id FROM consent_scan s JOIN consent c ON c.id = s.consent_id LIMIT 1"
    ).fetchone()
    attachment = conn.execute("SELECT item_id, id FROM roadmap_attachment LIMIT 1").fetchone()
    return {
        "school_code": school_code,
        "year": f"{year}-{year + 1}" if year else None,
        "pair_id": pair,
        "participant_id": mentee,
        "mentor_participant_id": mentor,
        "round_id": _one(
            conn, "SELECT id FROM matching_round WHERE status = 'approved' ORDER BY created_at, id LIMIT 1"
        ),
        "stage_id": _one(conn, "SELECT id FROM programme_stage ORDER BY position LIMIT 1"),
        "item_id": _one(conn, "SELECT id FROM roadmap_item ORDER BY created_at, id LIMIT 1"),
        "partner_id": _one(conn, "SELECT id FROM partner_organization LIMIT 1"),
        "import_id": _one(conn, "SELECT id FROM participant_import LIMIT 1"),
        "scan": scan,
        "attachment": attachment,
        "filename": "report.pdf",
        "fmt": "pdf",
    }


def _fill(path: str, values: dict[str, Any]) -> str | None:
    local = dict(values)
    if "/mentor" in path.split("{participant_id:str}", 1)[-1][:7]:
        local["participant_id"] = values["mentor_participant_id"]
    if "{consent_id" in path:
        local["participant_id"], local["consent_id"] = values["scan"] or (None, None)
    if "{attachment_id" in path:
        local["item_id"], local["attachment_id"] = values["attachment"] or (None, None)
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        found = local.get(match.group(1))
        if found is None:
            missing = True
            return ""
        return str(found)

    filled = PARAM_RE.sub(value, path)
    return None if missing else filled


def discover_pages(db: Any, school_code: str) -> tuple[list[dict[str, str]], list[str]]:
    """Every GET route under /s/{school_code} with its ids filled; and the routes left out."""
    from nastavnik.app import create_app
    from nastavnik.platform.settings import get_settings

    app = create_app(get_settings(), db.urls)
    with _owner_conn(db) as conn:
        values = _path_values(conn, school_code)
    pages: list[dict[str, str]] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for route in app.routes:
        if not route.path.startswith("/s/{school_code"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if "GET" not in getattr(handler, "http_methods", ()):
                continue
            if route.path in seen:
                continue
            seen.add(route.path)
            url = _fill(route.path, values)
            name = PARAM_RE.sub(
                lambda m: "{" + m.group(1) + "}", route.path.removeprefix("/s/{school_code:str}")
            )
            name = name.replace("{filename}", "report.pdf").replace("{fmt}", "pdf") or "/"
            if url is None:
                skipped.append(f"{name}: в базе нет объекта для пути")
            else:
                pages.append({"name": name, "url": url})
    return pages, skipped


def write_targets(db: Any, school_code: str, limit: int = 200) -> list[dict[str, str]]:
    """Active pairs with a plan item each: what the mixed run writes to, spread over many rows."""
    from bench.region import school_id_of

    with _owner_conn(db) as conn:
        school = school_id_of(conn, school_code)
        conn.execute("SELECT set_config('app.school_id', %s, false)", (str(school),))
        rows = conn.execute(
            """
            SELECT DISTINCT ON (m.id) m.id, i.id, i.task, coalesce(i.due_on::text, '')
            FROM mentorship m JOIN development_plan p ON p.mentorship_id = m.id
            JOIN plan_item i ON i.plan_id = p.id
            WHERE m.status = 'active' ORDER BY m.id, i.id LIMIT %s
            """,
            (limit,),
        ).fetchall()
    return [{"pair": str(a), "item": str(b), "task": str(c), "due_on": str(d)} for a, b, c, d in rows]


def prepare(size: int, school_code: str) -> dict[str, Any]:
    from bench import region

    db = region.build(size, quiet=True)
    cookie = asyncio.run(_sign_in(db, school_code))
    pages, skipped = discover_pages(db, school_code)
    return {
        "size": size,
        "database": db.name,
        "env": db.app_env(),
        "owner_dsn": db.owner_dsn,
        "superuser_dsn": db.superuser_dsn,
        "data_dir": str(db.data_dir) if db.data_dir else None,
        "cookie": cookie,
        "school": school_code,
        "pages": pages,
        "skipped": skipped,
        "writes": write_targets(db, school_code),
    }


# --- a tree to measure: the checkout itself or a worktree of a ref -----------------------


@dataclass
class Tree:
    label: str
    root: Path
    python: Path
    tag: str = ""

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MIGRATION_DATABASE_URL"}}
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
            env["MIGRATION_DATABASE_URL"] = os.environ.get("MIGRATION_DATABASE_URL", "")
        from bench.region import BENCH_DATA_DIR

        env["NASTAVNIK_BENCH_DIR"] = str(BENCH_DATA_DIR)
        env["NASTAVNIK_BENCH_TAG"] = self.tag
        env["PYTHONPATH"] = str(self.root)
        return env

    def prepare(self, size: int, school_code: str) -> dict[str, Any]:
        command = [
            str(self.python),
            "-m",
            "bench.load",
            "prepare",
            "--size",
            str(size),
            "--school",
            school_code,
        ]
        result = subprocess.run(
            command, cwd=self.root, env=self.env(), capture_output=True, text=True, check=False, timeout=900
        )
        if result.returncode != 0:
            msg = f"{self.label}: подготовка базы ×{size} не удалась:\n{result.stderr[-4000:]}"
            raise SystemExit(msg)
        return dict(json.loads(result.stdout.strip().splitlines()[-1]))

    @property
    def nastavnik(self) -> Path:
        return self.python.parent / "nastavnik"

    def serve_supports_workers(self) -> bool:
        result = subprocess.run(
            [str(self.nastavnik), "serve", "--help"],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        return "--workers" in result.stdout


def current_tree() -> Tree:
    return Tree("текущий", ROOT, Path(sys.executable))


@contextlib.contextmanager
def baseline_tree(ref: str) -> Iterator[Tree]:
    """A worktree of `ref` with this bench/ copied in and its own venv (scripts/uv sync)."""
    sha = subprocess.run(
        [GIT, "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    parent = Path(tempfile.mkdtemp(prefix="nastavnik-baseline-"))
    root = parent / "tree"
    subprocess.run([GIT, "worktree", "add", "--detach", str(root), ref], cwd=ROOT, check=True)
    try:
        target = root / "bench"
        target.mkdir(exist_ok=True)
        for path in BENCH_DIR.glob("*.py"):
            shutil.copy2(path, target / path.name)
        vendor = ROOT / "nastavnik" / "static" / "vendor"
        if vendor.is_dir() and not (root / "nastavnik" / "static" / "vendor").exists():
            (root / "nastavnik" / "static" / "vendor").symlink_to(vendor)
        subprocess.run([str(ROOT / "scripts" / "uv"), "sync", "--frozen", "--quiet"], cwd=root, check=True)
        yield Tree(f"база {ref} ({sha})", root, root / ".venv" / "bin" / "python", tag="base")
    finally:
        subprocess.run([GIT, "worktree", "remove", "--force", str(root)], cwd=ROOT, check=False)
        shutil.rmtree(parent, ignore_errors=True)


# --- the server under test ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    tree: Tree
    prepared: dict[str, Any]
    workers: int
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    workers_applied: int = 1

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 90) -> None:
        import httpx

        self.port = free_port()
        data_dir = Path(tempfile.mkdtemp(prefix="nastavnik-bench-app-"))
        env = self.tree.env()
        env.update(self.prepared["env"])
        env.update(
            {
                "NASTAVNIK_ENV": "production",
                "SESSION_SECRET": secrets.token_urlsafe(48),
                "APP_BASE_URL": self.base_url,
                "NASTAVNIK_DATA_DIR": str(data_dir),
                "LOG_LEVEL": "WARNING",
            }
        )
        env.update(self.extra_env)
        command = [str(self.tree.nastavnik), "serve", "--host", HOST, "--port", str(self.port)]
        if self.workers > 1 and self.tree.serve_supports_workers():
            command += ["--workers", str(self.workers)]
            self.workers_applied = self.workers
        elif self.workers > 1:
            print(
                f"  ! {self.tree.label}: у `nastavnik serve` нет --workers, запущен один процесс", flush=True
            )
        RESULTS_DIR.mkdir(exist_ok=True)
        self.log_path = RESULTS_DIR / f"serve-{self.port}.log.tmp"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=self.tree.root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                msg = f"nastavnik serve завершился с кодом {self.process.returncode}; журнал: {self.log_path}"
                raise SystemExit(msg)
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + "/health/live", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        self.stop()
        msg = f"nastavnik serve не ответил за {timeout:.0f} с; журнал: {self.log_path}"
        raise SystemExit(msg)

    def rss_mb(self) -> list[float]:
        import psutil

        if self.process is None or self.process.poll() is not None:
            return []
        root = psutil.Process(self.process.pid)
        procs = [root, *root.children(recursive=True)]
        return [round(p.memory_info().rss / 2**20, 1) for p in procs if p.is_running()]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


# --- pg_stat_statements -------------------------------------------------------------------


class SqlStats:
    """Statements and their execution time on the bench database, from pg_stat_statements."""

    def __init__(self, prepared: dict[str, Any]) -> None:
        import psycopg

        self.conn: Any = None
        dsn = prepared.get("superuser_dsn") or prepared["owner_dsn"]
        try:
            self.conn = psycopg.connect(dsn, autocommit=True)
            self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            self.reset()
        except psycopg.Error as exc:
            print(
                f"  ! pg_stat_statements недоступен ({exc.__class__.__name__}): без счёта запросов",
                flush=True,
            )
            self.conn = None

    def reset(self) -> None:
        if self.conn is not None:
            self.conn.execute("SELECT pg_stat_statements_reset()")

    def read(self) -> tuple[int, float] | None:
        """(statements, total execution ms) since the last reset, transaction control excluded."""
        if self.conn is None:
            return None
        row = self.conn.execute(
            """
            SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0)
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = current_database()
              AND s.query !~* '^\\s*(begin|commit|rollback|savepoint|release|select pg_stat_statements)'
            """
        ).fetchone()
        return int(row[0]), float(row[1])

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


# --- clients -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(latencies: list[float]) -> dict[str, float | None]:
    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 1)

    return {
        "n": len(latencies),
        "p50": ms(percentile(latencies, 50)),
        "p95": ms(percentile(latencies, 95)),
        "p99": ms(percentile(latencies, 99)),
    }


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    per_page: dict[str, list[float]] = field(default_factory=dict)

    def error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1


def make_client(server: Server, cookie: str, connections: int) -> Any:
    import httpx

    return httpx.AsyncClient(
        base_url=server.base_url,
        cookies={"nst_session": cookie},
        timeout=REQUEST_TIMEOUT,
        follow_redirects=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


async def csrf_token(client: Any, url: str) -> str:
    reply = await client.get(url)
    match = CSRF_RE.search(reply.text)
    if not match:
        msg = f"нет поля CSRF на {url} (ответ {reply.status_code})"
        raise SystemExit(msg)
    return match.group(1)


@dataclass
class Writer:
    """Cheap repeatable writes through the pair page's real forms, with the page's CSRF token."""

    school: str
    targets: list[dict[str, str]]
    token: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    acknowledged_meetings: list[str] = field(default_factory=list)
    attempted: int = 0
    acknowledged: int = 0
    n: int = 0

    async def write(self, client: Any, rng: random.Random) -> tuple[str, int]:
        import httpx

        self.n += 1
        self.attempted += 1
        target = rng.choice(self.targets)
        base = f"/s/{self.school}/pairs/{target['pair']}"
        kind = self.n % 3
        if kind == 0:
            tag = f"{WRITE_TAG}-{self.run_id}-{self.n}"
            name, url = "POST встреча пары", base + "/meetings"
            data: dict[str, str] = {
                "kind": "regular",
                "held_on": dt.date.today().isoformat(),
                "duration_minutes": "45",
                "format": "in_person",
                "topic": tag,
                "notes": "",
            }
        elif kind == 1:
            tag = ""
            name, url = "POST пункт плана", base + f"/plan-items/{target['item']}"
            data = {"task": target["task"], "activity": f"нагрузка {self.n}", "due_on": target["due_on"]}
        else:
            tag = ""
            name, url = "POST цели плана", base + "/plan/goals"
            data = {"goals": f"Цели плана (нагрузочный тест, запись {self.n})."}
        data["_csrf_token"] = self.token
        try:
            reply = await client.post(url, data=data)
        except httpx.HTTPError:
            return name, 0
        if reply.status_code in {200, 201, 204, 303}:
            self.acknowledged += 1
            if tag:
                self.acknowledged_meetings.append(tag)
        return name, reply.status_code

    def found_meetings(self, prepared: dict[str, Any]) -> int:
        import psycopg

        from bench.region import school_id_of

        with psycopg.connect(prepared["owner_dsn"], autocommit=True) as conn:
            school = school_id_of(conn, self.school)
            conn.execute("SELECT set_config('app.school_id', %s, false)", (str(school),))
            row = conn.execute(
                "SELECT count(*) FROM meeting WHERE topic LIKE %s", (f"{WRITE_TAG}-{self.run_id}-%",)
            ).fetchone()
        return int(row[0]) if row else 0


async def closed_loop(
    server: Server,
    prepared: dict[str, Any],
    pages: list[dict[str, str]],
    *,
    clients: int,
    seconds: float,
    writer: Writer | None = None,
    write_share: float = 0.0,
    stop: asyncio.Event | None = None,
) -> dict[str, Any]:
    """`clients` clients, each sending its next request when the last one answered, for `seconds`."""
    import httpx

    outcome = Outcome()
    deadline = time.monotonic() + seconds
    async with make_client(server, prepared["cookie"], clients) as client:

        async def one_client(index: int) -> None:
            rng = random.Random(index)
            while time.monotonic() < deadline and not (stop is not None and stop.is_set()):
                started = time.perf_counter()
                if writer is not None and rng.random() < write_share:
                    name, status = await writer.write(client, rng)
                else:
                    page = rng.choice(pages)
                    name = page["name"]
                    try:
                        status = (await client.get(page["url"])).status_code
                    except httpx.HTTPError as exc:
                        status, name = 0, f"{name} ({exc.__class__.__name__})"
                elapsed = time.perf_counter() - started
                outcome.latencies.append(elapsed)
                outcome.per_page.setdefault(name.split(" (")[0], []).append(elapsed)
                if status not in {200, 303}:
                    outcome.error(f"{name}: {status or 'нет ответа'}")

        started = time.monotonic()
        tasks = [asyncio.create_task(one_client(i)) for i in range(clients)]
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + REQUEST_TIMEOUT + 10)
        wall = time.monotonic() - started
    result: dict[str, Any] = {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(outcome.latencies),
        "throughput": round(len(outcome.latencies) / wall, 1) if wall else 0,
        **summary(outcome.latencies),
        "errors": sum(outcome.errors.values()),
        "error_kinds": dict(sorted(outcome.errors.items(), key=lambda kv: -kv[1])[:10]),
        "per_page": {k: summary(v) for k, v in sorted(outcome.per_page.items())},
    }
    if writer is not None:
        found = writer.found_meetings(prepared)
        result["writes"] = {
            "attempted": writer.attempted,
            "acknowledged": writer.acknowledged,
            "meetings_acknowledged": len(writer.acknowledged_meetings),
            "meetings_found": found,
            "lost": max(0, len(writer.acknowledged_meetings) - found),
        }
    return result


async def probe(server: Server, prepared: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Keep the pages that answer 200; the others are listed with their status."""
    keep: list[dict[str, Any]] = []
    skipped = list(prepared["skipped"])
    async with make_client(server, prepared["cookie"], 1) as client:
        for page in prepared["pages"]:
            reply = await client.get(page["url"])
            if reply.status_code == 200:
                keep.append(
                    {**page, "bytes": len(reply.content), "type": reply.headers.get("content-type", "")}
                )
            else:
                where = reply.headers.get("location", "")
                skipped.append(f"{page['name']}: {reply.status_code}" + (f" → {where}" if where else ""))
    return keep, skipped


async def single_client(
    server: Server,
    prepared: dict[str, Any],
    pages: list[dict[str, Any]],
    *,
    requests: int,
    page_seconds: float,
) -> dict[str, Any]:
    stats = SqlStats(prepared)
    results: dict[str, Any] = {}
    try:
        async with make_client(server, prepared["cookie"], 1) as client:
            for page in pages:
                await client.get(page["url"])  # warm: templates, fonts, the pool
                stats.reset()
                latencies: list[float] = []
                statuses: set[int] = set()
                until = time.monotonic() + page_seconds
                while len(latencies) < requests and (len(latencies) < 3 or time.monotonic() < until):
                    started = time.perf_counter()
                    reply = await client.get(page["url"])
                    latencies.append(time.perf_counter() - started)
                    statuses.add(reply.status_code)
                sql = stats.read()
                entry: dict[str, Any] = {
                    **summary(latencies),
                    "status": sorted(statuses),
                    "bytes": page["bytes"],
                }
                if sql is not None:
                    entry["statements"] = round(sql[0] / len(latencies), 1)
                    entry["db_ms"] = round(sql[1] / len(latencies), 1)
                results[page["name"]] = entry
    finally:
        stats.close()
    return results


# --- one measure of one tree at one size ---------------------------------------------------


@dataclass
class Settings:
    workers: int
    requests: int
    page_seconds: float
    clients: int
    seconds: float
    mixed_clients: int
    mixed_seconds: float
    write_share: float
    school: str


def measure(tree: Tree, size: int, settings: Settings) -> dict[str, Any]:
    print(f"\n== {tree.label}, ×{size}: подготовка базы", flush=True)
    prepared = tree.prepare(size, settings.school)
    server = Server(tree, prepared, settings.workers)
    server.start()
    try:
        return asyncio.run(_measure(server, prepared, size, settings))
    finally:
        server.stop()


async def _measure(server: Server, prepared: dict[str, Any], size: int, s: Settings) -> dict[str, Any]:
    pages, skipped = await probe(server, prepared)
    print(f"   страниц {len(pages)}, пропущено {len(skipped)}; один клиент…", flush=True)
    single = await single_client(server, prepared, pages, requests=s.requests, page_seconds=s.page_seconds)
    print(f"   {s.clients} клиентов, {s.seconds:.0f} с…", flush=True)
    closed = await closed_loop(server, prepared, pages, clients=s.clients, seconds=s.seconds)
    mixed: dict[str, Any] | None = None
    if s.mixed_clients and prepared["writes"]:
        print(f"   смешанная нагрузка: {s.mixed_clients} клиентов, {s.mixed_seconds:.0f} с…", flush=True)
        async with make_client(server, prepared["cookie"], 1) as client:
            token = await csrf_token(client, f"/s/{s.school}/pairs/{prepared['writes'][0]['pair']}")
        writer = Writer(s.school, prepared["writes"], token)
        mixed = await closed_loop(
            server,
            prepared,
            pages,
            clients=s.mixed_clients,
            seconds=s.mixed_seconds,
            writer=writer,
            write_share=s.write_share,
        )
    return {
        "tree": server.tree.label,
        "size": size,
        "workers": server.workers_applied,
        "database": prepared["database"],
        "pages": single,
        "skipped": skipped,
        "closed": closed,
        "mixed": mixed,
        "rss_mb": server.rss_mb(),
    }


# --- output ----------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}".replace(",", " ")
    return str(value)


def _ratio(now: Any, base: Any) -> str:
    if not now or not base:
        return "—"
    return f"{now / base:.2f}×"


def markdown(runs: list[dict[str, Any]], baseline: list[dict[str, Any]]) -> str:
    by_size = {r["size"]: r for r in baseline}
    out: list[str] = []
    for run in runs:
        base = by_size.get(run["size"])
        out.append(f"\n### ×{run['size']} — {run['tree']}, процессов: {run['workers']}\n")
        head = "| страница | p50, мс | p95, мс | запросов SQL | время БД, мс | страница / БД | размер, КБ |"
        rule = "|---|---:|---:|---:|---:|---:|---:|"
        if base:
            head += " p50 базы, мс | p50 / база |"
            rule += "---:|---:|"
        out += [head, rule]
        for name, page in run["pages"].items():
            ratio = page["p50"] / page["db_ms"] if page.get("db_ms") else None
            row = (
                f"| `{name}` | {_fmt(page['p50'], 1)} | {_fmt(page['p95'], 1)} "
                f"| {_fmt(page.get('statements'), 1)} | {_fmt(page.get('db_ms'), 1)} "
                f"| {_fmt(ratio, 1)} | {_fmt(page['bytes'] / 1024, 0)} |"
            )
            if base:
                old = base["pages"].get(name, {}).get("p50")
                row += f" {_fmt(old, 1)} | {_ratio(page['p50'], old)} |"
            out.append(row)
        out.append("\n| нагрузка | клиентов | запросов/с | p50, мс | p95, мс | p99, мс | ошибок |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for label, key in (("замкнутый цикл", "closed"), ("смешанная, с записью", "mixed")):
            for tree_label, entry in ((run["tree"], run.get(key)), ("база", (base or {}).get(key))):
                if entry:
                    out.append(
                        f"| {label} ({tree_label}) | {entry['clients']} | {_fmt(entry['throughput'], 1)} | "
                        f"{_fmt(entry['p50'], 1)} | {_fmt(entry['p95'], 1)} | {_fmt(entry['p99'], 1)} | "
                        f"{entry['errors']} |"
                    )
        mixed = run.get("mixed") or {}
        if mixed.get("writes"):
            w = mixed["writes"]
            out.append(
                f"\nЗаписи: отправлено {w['attempted']}, подтверждено {w['acknowledged']}; "
                f"встреч подтверждено {w['meetings_acknowledged']}, "
                f"найдено в базе {w['meetings_found']}, потеряно {w['lost']}."
            )
        for entry in (run.get("closed"), run.get("mixed")):
            if entry and entry["error_kinds"]:
                out.append("Ошибки: " + "; ".join(f"{k} ×{v}" for k, v in entry["error_kinds"].items()))
        out.append(
            f"\nRSS процессов сервера после прогона, МБ: {', '.join(map(str, run['rss_mb'])) or '—'}"
            + (f" (база: {', '.join(map(str, base['rss_mb']))})" if base and base.get("rss_mb") else "")
        )
        if run["skipped"]:
            out.append("Не измерялись: " + "; ".join(run["skipped"]))
    return "\n".join(out)


def git_head() -> str:
    result = subprocess.run(
        [GIT, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("prepare", help="(внутреннее) подготовить базу и вывести JSON")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--school", default="sosh2-zar")
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="процессов `nastavnik serve`"
    )
    parser.add_argument("--requests", type=int, default=20, help="запросов на страницу, один клиент")
    parser.add_argument(
        "--page-seconds", type=float, default=10, help="не дольше стольких секунд на страницу"
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--mixed-clients", type=int, default=200)
    parser.add_argument("--mixed-seconds", type=float, default=60)
    parser.add_argument("--write-share", type=float, default=0.1)
    parser.add_argument("--school", default="sosh2-zar")
    parser.add_argument("--quick", action="store_true", help="короткий пробный прогон")
    parser.add_argument("--baseline", metavar="GIT_REF", help="измерить и этот коммит, в том же прогоне")
    parser.add_argument("--compare", metavar="JSON", type=Path, help="сравнить с прошлым результатом")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        print(json.dumps(prepare(args.size, args.school), default=str))
        return 0
    if args.quick:
        args.requests, args.page_seconds, args.clients, args.seconds = 3, 3, 5, 5
        args.mixed_clients, args.mixed_seconds = 10, 5
    settings = Settings(
        args.workers,
        args.requests,
        args.page_seconds,
        args.clients,
        args.seconds,
        args.mixed_clients,
        args.mixed_seconds,
        args.write_share,
        args.school,
    )
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    from bench.region import start_bench_server

    if not os.environ.get("DATABASE_URL"):
        start_bench_server()  # held open by this process, so the trees' steps never stop it
    baseline: list[dict[str, Any]] = []
    if args.compare:
        baseline = list(json.loads(args.compare.read_text())["runs"])
    if args.baseline:
        with baseline_tree(args.baseline) as tree:
            baseline = [measure(tree, size, settings) for size in sizes]
    runs = [measure(current_tree(), size, settings) for size in sizes]
    report = {
        "meta": {
            "commit": git_head(),
            "baseline": args.baseline or (str(args.compare) if args.compare else None),
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "settings": settings.__dict__,
            "quick": args.quick,
        },
        "runs": runs,
        "baseline_runs": baseline,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    out = args.out or RESULTS_DIR / f"load-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    print(markdown(runs, baseline))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
