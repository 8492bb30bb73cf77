"""Faults under load: PostgreSQL restarted, then Keycloak stopped for 30 s, while clients read and write.

    scripts/uv run python -m bench.faults --size 10              # the full run (about 3 minutes)
    scripts/uv run python -m bench.faults --size 1 --quick       # a smoke run, shorter outage

Reuses `bench.load`: the bench database of the size, `nastavnik serve` in production
mode (`--workers`), a signed-in curator, every school page, the mixed load with writes
through the forms (`--clients`, `--write-share`). A local Keycloak with the project's
realm runs on bench ports (`--keycloak-port`, not the dev or test ones) and the app is
pointed at it with KEYCLOAK_URL. The embedded bench PostgreSQL is restarted with
`pg_ctl restart -m fast` (so it needs the embedded server, not DATABASE_URL).

Timeline: load alone; PostgreSQL restart; load until the app answers again and a little
more; Keycloak stopped for `--outage` seconds and started again; load to the end. Every
second a probe records `/health/ready`, a signed-in page and a new sign-in
(`GET /auth/login`). Reported:
- writes acknowledged (303) against rows found afterwards: 0 acknowledged writes lost;
- recovery after the PostgreSQL restart: from the moment it is up again to the first 200
  of a page (goal < 10 s), and the errors while it was down;
- signed-in users while Keycloak is down: the page's status codes (goal: all 200);
- new sign-ins while Keycloak is down: status and whether the page is a Russian message
  (goal: a clear page, not a 500);
- `/health/ready` every second against the truth (503 while PostgreSQL or Keycloak is
  down, 200 otherwise; the second of each switch is not judged).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import load
from bench.region import BENCH_DATA_DIR, restart_server, start_bench_server

CYRILLIC = re.compile(r"[А-Яа-яЁё]{4,}")


@dataclass
class Probe:
    t: float
    phase: str
    ready: int
    page: int
    login: int
    login_russian: bool


@dataclass
class Timeline:
    started: float = field(default_factory=time.monotonic)
    phase: str = "нагрузка"
    db_down: bool = False
    kc_down: bool = False
    probes: list[Probe] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)

    def now(self) -> float:
        return round(time.monotonic() - self.started, 1)

    def mark(self, name: str) -> None:
        self.marks[name] = self.now()
        print(f"   {self.marks[name]:6.1f} с  {name}", flush=True)


async def probe_loop(server: load.Server, prepared: dict[str, Any], timeline: Timeline, until: float) -> None:
    import httpx

    page = f"/s/{prepared['school']}"
    async with (
        load.make_client(server, prepared["cookie"], 4) as signed_in,
        httpx.AsyncClient(base_url=server.base_url, timeout=10, follow_redirects=False) as anonymous,
    ):

        async def status(client: httpx.AsyncClient, url: str) -> tuple[int, str]:
            try:
                reply = await client.get(url)
            except httpx.HTTPError:
                return 0, ""
            return reply.status_code, reply.text if reply.status_code != 303 else ""

        while time.monotonic() < until:
            tick = time.monotonic()
            (ready, _), (page_status, _), (login, body) = await asyncio.gather(
                status(anonymous, "/health/ready"), status(signed_in, page), status(anonymous, "/auth/login")
            )
            # Judged only while Keycloak is down: a redirect to it then is a dead end.
            russian = login != 303 and bool(CYRILLIC.search(body))
            timeline.probes.append(Probe(timeline.now(), timeline.phase, ready, page_status, login, russian))
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))


async def first_ok_after(server: load.Server, prepared: dict[str, Any], limit: float) -> float | None:
    """Seconds until a signed-in page answers 200 again (polled every 0.2 s)."""
    import httpx

    started = time.monotonic()
    async with load.make_client(server, prepared["cookie"], 1) as client:
        while time.monotonic() - started < limit:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"/s/{prepared['school']}")).status_code == 200:
                    return round(time.monotonic() - started, 2)
            await asyncio.sleep(0.2)
    return None


async def scenario(
    server: load.Server, prepared: dict[str, Any], keycloak: Any, args: argparse.Namespace
) -> dict:
    timeline = Timeline()
    data_dir = Path(prepared["data_dir"])
    result: dict[str, Any] = {}

    async def faults() -> None:
        await asyncio.sleep(args.warmup)
        timeline.phase, timeline.db_down = "перезапуск PostgreSQL", True
        timeline.mark("PostgreSQL: перезапуск")
        started = time.monotonic()
        await asyncio.to_thread(restart_server, data_dir)
        timeline.db_down = False
        result["pg_restart_seconds"] = round(time.monotonic() - started, 2)
        timeline.mark("PostgreSQL: снова принимает соединения")
        timeline.phase = "после перезапуска PostgreSQL"
        result["recovery_seconds"] = await first_ok_after(server, prepared, 60)
        timeline.mark(f"приложение ответило 200 через {result['recovery_seconds']} с")
        await asyncio.sleep(args.warmup)
        timeline.phase, timeline.kc_down = "Keycloak остановлен", True
        timeline.mark("Keycloak: остановлен")
        await asyncio.to_thread(keycloak.stop)
        await asyncio.sleep(args.outage)
        timeline.mark("Keycloak: запуск")
        await asyncio.to_thread(keycloak.start)
        timeline.kc_down = False
        timeline.phase = "после Keycloak"
        timeline.mark("Keycloak: готов")

    total = args.warmup * 3 + args.outage + 60 + args.keycloak_start
    token_page = f"/s/{prepared['school']}/pairs/{prepared['writes'][0]['pair']}"
    async with load.make_client(server, prepared["cookie"], 1) as client:
        token = await load.csrf_token(client, token_page)
    writer = load.Writer(prepared["school"], prepared["writes"], token)
    pages, _ = await load.probe(server, prepared)  # the pages that answer 200, as bench.load measures
    fault_task = asyncio.create_task(faults())
    until = time.monotonic() + total
    probes = asyncio.create_task(probe_loop(server, prepared, timeline, until))

    stop = asyncio.Event()

    async def end_after_faults() -> None:
        try:
            await fault_task
        finally:
            await asyncio.sleep(args.warmup)
            stop.set()

    ender = asyncio.create_task(end_after_faults())
    load_result = await load.closed_loop(
        server,
        prepared,
        pages,
        clients=args.clients,
        seconds=total,
        writer=writer,
        write_share=args.write_share,
        stop=stop,
    )
    await ender
    probes.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await probes
    result.update(judge(timeline, writer, prepared, load_result))
    return result


def judge(timeline: Timeline, writer: load.Writer, prepared: dict[str, Any], loaded: dict[str, Any]) -> dict:
    found = writer.found_meetings(prepared)
    marks = timeline.marks
    pg_down = (marks.get("PostgreSQL: перезапуск", 0), marks.get("PostgreSQL: снова принимает соединения", 0))
    kc_down = (marks.get("Keycloak: остановлен", 0), marks.get("Keycloak: готов", 0))

    def within(t: float, span: tuple[float, float]) -> bool:
        return span[0] < t < span[1]

    def near_switch(t: float) -> bool:
        return any(abs(t - m) < 1.5 for m in marks.values())

    outage = [p for p in timeline.probes if within(p.t, (kc_down[0] + 1, marks.get("Keycloak: запуск", 0)))]
    lies = []
    for p in timeline.probes:
        if near_switch(p.t):
            continue
        down = within(p.t, pg_down) or within(p.t, kc_down)
        if (down and p.ready == 200) or (not down and p.ready != 200):
            lies.append(f"{p.t} с: {p.ready} ({'зависимость недоступна' if down else 'всё работает'})")

    def counts(values: list[int]) -> dict[str, int]:
        out: dict[str, int] = {}
        for v in values:
            out[str(v)] = out.get(str(v), 0) + 1
        return out

    return {
        "writes_attempted": writer.attempted,
        "writes_acknowledged": writer.acknowledged,
        "meetings_acknowledged": len(writer.acknowledged_meetings),
        "meetings_found": found,
        "meetings_lost": max(0, len(writer.acknowledged_meetings) - found),
        "load": {k: loaded.get(k) for k in ("requests", "errors", "error_kinds", "p50", "p95", "p99")},
        "keycloak_outage_page_statuses": counts([p.page for p in outage]),
        "keycloak_outage_login_statuses": counts([p.login for p in outage]),
        "keycloak_outage_login_russian": all(p.login_russian for p in outage) if outage else None,
        "ready_wrong_seconds": lies,
        "marks": marks,
        "probes": [p.__dict__ for p in timeline.probes],
    }


def table(result: dict[str, Any]) -> str:
    def ok(flag: bool | None) -> str:
        return "—" if flag is None else ("да" if flag else "НЕТ")

    page = result["keycloak_outage_page_statuses"]
    login = result["keycloak_outage_login_statuses"]
    rows = [
        ("подтверждённые записи (встречи) / найдены в базе",
         f"{result['meetings_acknowledged']} / {result['meetings_found']}", ok(result["meetings_lost"] == 0)),
        ("записей отправлено / подтверждено",
         f"{result['writes_attempted']} / {result['writes_acknowledged']}", ""),
        ("перезапуск PostgreSQL, с", str(result.get("pg_restart_seconds")), ""),
        ("первый 200 после перезапуска, с (цель < 10)", str(result.get("recovery_seconds")),
         ok(result.get("recovery_seconds") is not None and result["recovery_seconds"] < 10)),
        ("Keycloak недоступен: страница вошедшего, коды", json.dumps(page),
         ok(set(page) <= {"200"} and bool(page))),
        ("Keycloak недоступен: /auth/login, коды", json.dumps(login), ok("500" not in login and bool(login))),
        ("Keycloak недоступен: /auth/login — русский текст", ok(result["keycloak_outage_login_russian"]),
         ok(result["keycloak_outage_login_russian"])),
        ("/health/ready говорил неправду, секунд", str(len(result["ready_wrong_seconds"])),
         ok(not result["ready_wrong_seconds"])),
        ("ошибок нагрузки (за всё время)", str(result["load"].get("errors")), ""),
    ]  # fmt: skip
    out = ["| проверка | значение | цель выполнена |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    if result["ready_wrong_seconds"]:
        out.append("\n/health/ready: " + "; ".join(result["ready_wrong_seconds"][:20]))
    if result["load"].get("error_kinds"):
        out.append(
            "Ошибки нагрузки: " + "; ".join(f"{k} ×{v}" for k, v in result["load"]["error_kinds"].items())
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--write-share", type=float, default=0.1)
    parser.add_argument("--outage", type=float, default=30, help="сколько секунд Keycloak остановлен")
    parser.add_argument("--warmup", type=float, default=10, help="нагрузка до и между сбоями, с")
    parser.add_argument("--keycloak-start", type=float, default=120, help="запас на запуск Keycloak, с")
    parser.add_argument("--keycloak-port", type=int, default=8191)
    parser.add_argument("--school", default="sosh2-zar")
    parser.add_argument("--quick", action="store_true", help="короткий пробный прогон")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.outage, args.warmup = 5, 8, 3
    from nastavnik.platform.keycloak_server import KeycloakServer, default_cache_dir, ensure_distribution

    start_bench_server()  # held by this process for the whole run
    tree = load.current_tree()
    print(f"== сбои, ×{args.size}: подготовка базы", flush=True)
    prepared = tree.prepare(args.size, args.school)
    if not prepared.get("data_dir"):
        msg = "bench.faults перезапускает встроенный PostgreSQL: запустите без DATABASE_URL"
        raise SystemExit(msg)
    keycloak = KeycloakServer(
        ensure_distribution(default_cache_dir()),
        BENCH_DATA_DIR / "keycloak",
        http_port=args.keycloak_port,
        management_port=args.keycloak_port + 1000,
        keep_data=True,
        reuse=False,
    )
    print(f"   Keycloak на :{args.keycloak_port}: готов за {keycloak.start():.0f} с", flush=True)
    server = load.Server(tree, prepared, args.workers, extra_env={"KEYCLOAK_URL": keycloak.base_url})
    try:
        server.start()
        result = asyncio.run(scenario(server, prepared, keycloak, args))
    finally:
        server.stop()
        keycloak.stop()
    result["rss_mb"] = server.rss_mb()
    load.RESULTS_DIR.mkdir(exist_ok=True)
    out = args.out or load.RESULTS_DIR / f"faults-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"size": args.size, "args": vars(args) | {"out": str(out)}, **result},
                              ensure_ascii=False, indent=1, default=str))  # fmt: skip
    print("\n" + table(result))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
