"""The `nastavnik` command: serve, dev, migrate, seed-demo, keycloak, backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig

from nastavnik.platform.database import DatabaseUrls, resolve_database
from nastavnik.platform.settings import PROJECT_ROOT, Settings, SettingsError, get_settings


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["url"] = url
    return config


def migrate(urls: DatabaseUrls, revision: str = "heads") -> None:
    alembic_command.upgrade(alembic_config(urls.migration), revision)


async def _seed(
    settings: Settings, urls: DatabaseUrls, *, with_keycloak: bool, with_school_data: bool = True
) -> bool:
    import nastavnik.models  # noqa: F401 - every mapper must be known before a flush
    from nastavnik.platform.db import make_engine, make_sessionmaker
    from nastavnik.regional.indicators.demo import seed_demo_region_schools
    from nastavnik.regional.mentor_search.demo import seed_cross_school_demo
    from nastavnik.regional.practice_bank.demo import seed_bank_demo
    from nastavnik.regional.routes.demo import seed_routes_demo
    from nastavnik.school.completion.demo import seed_completion_demo
    from nastavnik.school.demo import seed_demo_school
    from nastavnik.tenants.demo import seed_demo
    from nastavnik.tenants.provisioning import KeycloakProvisioner

    engine = make_engine(urls.app)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            created = await seed_demo(db, KeycloakProvisioner(settings) if with_keycloak else None)
            if not with_school_data:
                return created
            created = await seed_demo_school(db) or created
            # The other schools of the region (their programmes at different stages), then
            # the directory and an inter-school pair over every school with mentors.
            created = await seed_demo_region_schools(db) or created
            created = await seed_cross_school_demo(db) or created
            # The region's bank of programmes and practices, in every state of moderation.
            created = await seed_bank_demo(db) or created
            # Last year completed (results, a case, a contest, letters) and the public page.
            created = await seed_completion_demo(db) or created
            # ИОМ of teachers of several schools, guided by the demo tutor.
            return await seed_routes_demo(db) or created
    finally:
        await engine.dispose()


def start_keycloak(settings: Settings, *, reuse: bool = True) -> object:
    from urllib.parse import urlsplit

    from nastavnik.platform.keycloak_server import (
        KeycloakServer,
        default_cache_dir,
        ensure_distribution,
    )

    home = ensure_distribution(default_cache_dir())
    # The port comes from KEYCLOAK_URL, so two checkouts can run side by side
    # (KEYCLOAK_URL=http://localhost:8280 KEYCLOAK_MGMT_PORT=9280 PORT=8100 SMTP_PORT=1125).
    http_port = urlsplit(settings.keycloak_url).port or 8180
    management_port = int(os.environ.get("KEYCLOAK_MGMT_PORT", str(http_port + 1000)))
    server = KeycloakServer(
        home,
        settings.data_dir / "keycloak",
        reuse=reuse,
        keep_data=reuse,
        http_port=http_port,
        management_port=management_port,
    )
    seconds = server.start()
    step(f"Keycloak {server.base_url}: " + (f"готов за {seconds:.1f} с" if seconds else "уже запущен"))
    return server


def start_smtp_sink(settings: Settings) -> object | None:
    """A local SMTP server that stores letters in var/mail (development only)."""
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Mailbox
    except ImportError:  # pragma: no cover - production install without dev tools
        return None
    mail_dir = settings.data_dir / "mail"  # a Maildir: created with its subfolders when new
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(mail_dir), hostname=settings.smtp_host, port=settings.smtp_port)
    try:
        controller.start()
    except OSError:
        return None  # already running (another dev server)
    return controller


def serve(host: str, port: int, *, reload: bool = False, workers: int = 1) -> None:
    """Uvicorn; with `workers` > 1 its supervisor runs that many processes on one socket.

    Each worker builds its own app (the factory), so each has its own pool of
    DB_POOL_SIZE + DB_MAX_OVERFLOW connections; a worker that dies is started again.
    Uvicorn rather than granian: measured alike on this app (its Python time per page
    dominates), and uvicorn is already here with proxy headers (deploy/README.md).
    """
    import uvicorn

    uvicorn.run(
        "nastavnik.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
        proxy_headers=True,
        access_log=False,
        log_config=None,
    )


DEMO_BANNER = """
┌──────────────────────────────────────────────────────────────────────┐
│ Наставник запущен: {url:<50}│
│ Пароль у всех демо-пользователей: demo                               │
└──────────────────────────────────────────────────────────────────────┘
"""


def step(text: str) -> None:
    """One line per step of `nastavnik dev`: what a newcomer reads while it starts."""
    print(f"==> {text}", flush=True)


def cmd_dev(args: argparse.Namespace) -> int:
    # The terminal of `make dev` shows the steps, the logins and the address; the app's
    # own logs there are warnings and errors only, readable rather than JSON.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("LOG_JSON", "false")
    settings = get_settings()
    started = time.monotonic()
    urls = resolve_database(settings)
    step(
        "PostgreSQL: "
        + ("встроенный, данные в " + str(settings.data_dir) if urls.embedded else "DATABASE_URL")
    )
    migrate(urls)
    step("миграции применены")
    keycloak = start_keycloak(settings)
    smtp = start_smtp_sink(settings)
    if smtp is not None:
        step(f"почта: SMTP-приёмник на :{settings.smtp_port}, письма в {settings.data_dir / 'mail'}")
    created = asyncio.run(_seed(settings, urls, with_keycloak=True))
    step("демо-регион " + ("загружен" if created else "уже был загружен"))
    from nastavnik.tenants.demo import DEMO_LOGINS

    print(DEMO_BANNER.format(url=settings.base_url), flush=True)
    for login in DEMO_LOGINS:
        print(f"  {login.username:<13} {login.full_name:<30} {login.role}", flush=True)
    print(f"\n  Готово за {time.monotonic() - started:.1f} с. Остановить: Ctrl+C\n", flush=True)
    try:
        serve(args.host, args.port)
    finally:
        if smtp is not None:
            smtp.stop()  # type: ignore[attr-defined]
        keycloak.stop()  # type: ignore[attr-defined]
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()  # a missing secret is reported here, not as a traceback of the server
    workers = args.workers or settings.web_workers
    if args.reload and workers > 1:
        print("nastavnik: --reload работает с одним процессом; --workers не учтён", file=sys.stderr)
        workers = 1
    serve(args.host, args.port, reload=args.reload, workers=workers)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    migrate(resolve_database(get_settings()), args.revision)
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    settings = get_settings()
    created = asyncio.run(
        _seed(
            settings,
            resolve_database(settings),
            with_keycloak=not args.no_keycloak,
            with_school_data=not args.region_only,
        )
    )
    print("Демо-регион загружен." if created else "Демо-регион уже есть.")
    return 0


async def _rebuild_rollups(urls: DatabaseUrls) -> int:
    import nastavnik.models  # noqa: F401 - every mapper must be known
    from nastavnik.platform.db import make_engine, make_sessionmaker
    from nastavnik.regional.indicators.rollup import rebuild_all

    engine = make_engine(urls.app)
    try:
        return await rebuild_all(make_sessionmaker(engine))
    finally:
        await engine.dispose()


def cmd_rebuild_rollups(args: argparse.Namespace) -> int:
    started = time.monotonic()
    schools = asyncio.run(_rebuild_rollups(resolve_database(get_settings())))
    print(f"Показатели пересчитаны: организаций {schools}, {time.monotonic() - started:.1f} с.")
    return 0


def cmd_keycloak(args: argparse.Namespace) -> int:
    settings = get_settings()
    server = start_keycloak(settings, reuse=False)
    stop = False

    def handle(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    while not stop:
        time.sleep(0.5)
    server.stop()  # type: ignore[attr-defined]
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from nastavnik.platform import backup

    settings = get_settings()
    try:
        url, bindir = backup.backup_source(settings, args.database_url)
        destination = args.destination or backup.default_destination(settings)
        manifest = backup.backup(
            dump_url=url, storage_dir=settings.storage_dir, destination=destination, bindir=bindir
        )
    except backup.BackupError as exc:
        print(f"nastavnik backup: {exc}", file=sys.stderr)
        return 1
    print(f"Резервная копия {destination}: {backup.describe(manifest)}, за {manifest.seconds:.1f} с.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from nastavnik.platform import backup

    settings = get_settings()
    started = time.monotonic()
    try:
        manifest = backup.verify(args.source)
        url, bindir = backup.restore_target(settings, args.database_url, args.database)
        backup.restore(
            args.source,
            target_url=url,
            app_role=os.environ.get("APP_DB_ROLE", "nastavnik_app"),
            storage_dir=args.storage_dir or settings.storage_dir,
            bindir=bindir,
            force=args.force,
        )
    except backup.BackupError as exc:
        print(f"nastavnik restore: {exc}", file=sys.stderr)
        return 1
    print(
        f"Восстановлено из {args.source} ({backup.describe(manifest)}) за {time.monotonic() - started:.1f} с."
    )
    return 0


def _add_backup_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pathlib import Path

    p = sub.add_parser("backup", help="резервная копия: дамп базы (pg_dump) и загруженные файлы")
    p.add_argument("destination", nargs="?", type=Path, help="новая папка (по умолчанию var/backups/…)")
    p.add_argument(
        "--database-url",
        default=os.environ.get("BACKUP_DATABASE_URL"),
        help="роль с BYPASSRLS и pg_read_all_data (по умолчанию BACKUP_DATABASE_URL)",
    )
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="восстановить резервную копию в пустую базу")
    p.add_argument("source", type=Path, help="папка резервной копии")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--database-url", help="пустая база, куда восстанавливать (URL владельца схемы)")
    target.add_argument("--database", help="новая база встроенного PostgreSQL (создаётся)")
    p.add_argument("--storage-dir", type=Path, help="куда положить файлы (по умолчанию папка приложения)")
    p.add_argument("--force", action="store_true", help="перезаписать непустую базу и папку файлов")
    p.set_defaults(func=cmd_restore)


def cmd_worker(args: argparse.Namespace) -> int:
    import nastavnik.app  # noqa: F401 - registers every task (and mapper) that a request can queue
    from nastavnik.platform import jobs
    from nastavnik.platform.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    urls = resolve_database(settings)
    print(f"Фоновые задачи: обработчик запущен, задач одновременно: {args.concurrency}.", flush=True)
    # SIGTERM / Ctrl+C: running jobs get time to finish, the rest are retried by another worker.
    asyncio.run(
        jobs.run_worker(
            urls.app, concurrency=args.concurrency, session_idle_seconds=settings.session_idle_seconds
        )
    )
    return 0


def _add_worker_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("worker", help="обработчик фоновых задач (загрузки, отчёты) отдельным процессом")
    p.add_argument(
        "--concurrency",
        type=int,
        default=int(os.environ.get("JOBS_CONCURRENCY", "1")),
        help="сколько задач выполнять одновременно (по умолчанию JOBS_CONCURRENCY или 1)",
    )
    p.set_defaults(func=cmd_worker)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nastavnik", description="Платформа «Наставник»")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, help_text in (
        ("dev", cmd_dev, "всё для разработки: PostgreSQL, Keycloak, миграции, демо-данные, сервер"),
        ("serve", cmd_serve, "запустить веб-сервер"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        if name == "serve":
            p.add_argument("--reload", action="store_true")
            p.add_argument(
                "--workers",
                type=int,
                default=0,
                metavar="N",
                help="число процессов сервера (по умолчанию WEB_WORKERS: в production — число ядер, иначе 1)",
            )
        p.set_defaults(func=func)
    p = sub.add_parser("migrate", help="применить миграции базы данных")
    p.add_argument("revision", nargs="?", default="heads")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("seed-demo", help="загрузить демонстрационный регион")
    p.add_argument("--no-keycloak", action="store_true", help="не создавать группы в Keycloak")
    p.add_argument(
        "--region-only",
        action="store_true",
        help="только регион, школы и сотрудники, без программы, участников и пар СОШ № 2",
    )
    p.set_defaults(func=cmd_seed_demo)
    p = sub.add_parser("keycloak", help="запустить локальный Keycloak с демо-реалмом")
    p.set_defaults(func=cmd_keycloak)
    _add_backup_commands(sub)
    _add_worker_command(sub)
    p = sub.add_parser("rebuild-rollups", help="пересчитать региональные показатели всех организаций заново")
    p.set_defaults(func=cmd_rebuild_rollups)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"nastavnik: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
