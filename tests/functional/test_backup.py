"""`nastavnik backup` / `restore`: the demo region comes back table for table, file for file.

Works on whichever server the suite runs on: the embedded one (its superuser creates the
databases and takes the dump) or the one of TEST_DATABASE_URL, which then also needs
TEST_ADMIN_DATABASE_URL (a superuser, to create databases) and may name a BYPASSRLS
dump role in TEST_BACKUP_DATABASE_URL (scripts/debian-postgres.sh prints all three).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import select

from nastavnik.cli import _seed, main, migrate
from nastavnik.platform.backup import (
    BackupError,
    FileEntry,
    Manifest,
    backup,
    describe,
    embedded_bindir,
    libpq_url,
    restore,
    verify,
)
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.db import make_engine, make_sessionmaker, set_school
from nastavnik.platform.embedded_db import APP_ROLE, OWNER_ROLE, ensure_database, start_server
from nastavnik.platform.settings import Settings
from nastavnik.school.demo import DEMO_SCHOOL_CODE
from nastavnik.school.roadmap.models import RoadmapAttachment, RoadmapItem
from nastavnik.school.roadmap.storage import AttachmentStore
from nastavnik.tenants.models import School

pytestmark = pytest.mark.anyio


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(libpq_url(url))
    return urlunsplit(parts._replace(path="/" + database))


@dataclass
class Cluster:
    """Creates databases owned by the owner role, and names the roles that reach them."""

    admin_url: str  # superuser, on database `postgres`
    dump_url: str  # bypasses RLS; its database part is replaced
    owner_url: str
    app_url: str
    app_role: str
    bindir: Path | None
    embedded: bool

    def create(self, name: str, *, app_may_connect: bool = True) -> DatabaseUrls:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(name), sql.Identifier(OWNER_ROLE)
                )
            )
            # As production: nobody but the app and the backup role may connect.
            conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(name)))
            if app_may_connect:
                conn.execute(
                    sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                        sql.Identifier(name), sql.Identifier(self.app_role)
                    )
                )
            dump_role = urlsplit(self.dump_url).username or "postgres"
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(name), sql.Identifier(dump_role)
                )
            )
        driver = "postgresql+psycopg://"
        return DatabaseUrls(
            _with_database(self.app_url, name).replace("postgresql://", driver, 1),
            _with_database(self.owner_url, name).replace("postgresql://", driver, 1),
            self.app_role,
            embedded=self.embedded,
        )

    def drop(self, name: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def dump(self, name: str) -> str:
        return _with_database(self.dump_url, name)


@pytest.fixture(scope="module")
def cluster(test_data_dir: Path) -> Cluster:
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        admin = os.environ.get("TEST_ADMIN_DATABASE_URL")
        if not admin:
            pytest.fail("TEST_DATABASE_URL is set: the backup test also needs TEST_ADMIN_DATABASE_URL")
        bindir = os.environ.get("TEST_PG_BINDIR")
        return Cluster(
            admin_url=libpq_url(admin),
            dump_url=libpq_url(os.environ.get("TEST_BACKUP_DATABASE_URL", admin)),
            owner_url=libpq_url(os.environ.get("TEST_MIGRATION_DATABASE_URL", explicit)),
            app_url=libpq_url(explicit),
            app_role=os.environ.get("APP_DB_ROLE", APP_ROLE),
            bindir=Path(bindir) if bindir else None,
            embedded=False,
        )
    socket_dir = start_server(test_data_dir)
    db = ensure_database(socket_dir, "postgres")  # the database exists; this makes the roles
    return Cluster(
        admin_url=db.libpq_url("postgres"),
        dump_url=db.libpq_url("postgres"),
        owner_url=db.libpq_url(OWNER_ROLE),
        app_url=db.libpq_url(APP_ROLE),
        app_role=APP_ROLE,
        bindir=embedded_bindir(),
        embedded=True,
    )


@pytest.fixture
def databases(cluster: Cluster) -> Iterator[tuple[str, str]]:
    suffix = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    names = (f"nastavnik_bk_src_{suffix}", f"nastavnik_bk_dst_{suffix}")
    yield names
    for name in names:
        cluster.drop(name)


TABLES = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
"""


def table_fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent md5 of every row's text, per table."""
    result: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url) as conn:
        for (table,) in conn.execute(TABLES).fetchall():
            row = conn.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                    "FROM {} t"
                ).format(sql.Identifier(str(table)))
            ).fetchone()
            assert row is not None
            result[str(table)] = (int(row[0]), str(row[1]))
    return result


def security_fingerprint(url: str) -> list[tuple[object, ...]]:
    """Owners, grants, RLS switches and policies of the public tables."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner), c.relacl::text, c.relrowsecurity, "
            "c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') ORDER BY 1"
        ).fetchall()
        policies = conn.execute(
            "SELECT tablename, policyname, roles::text, cmd, qual, with_check FROM pg_policies ORDER BY 1, 2"
        ).fetchall()
        defaults = conn.execute(
            "SELECT defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1"
        ).fetchall()
    return [*tables, *policies, *defaults]


def set_aside(storage: Path) -> list[Path]:
    """Folders a forced restore moved the previous files to."""
    return [p for p in storage.parent.iterdir() if p.name.startswith(f"{storage.name}.before-restore-")]


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


async def add_attachment(urls: DatabaseUrls, storage: Path) -> str:
    """A school uploads a scan to its first roadmap row, as the roadmap page does."""
    data = bytes(range(256)) * 64 + "Приказ № 12-о".encode()
    engine = make_engine(urls.app)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            school = (await db.execute(select(School).where(School.code == DEMO_SCHOOL_CODE))).scalar_one()
            await set_school(db, school.id)
            item = (await db.execute(select(RoadmapItem).order_by(RoadmapItem.id).limit(1))).scalar_one()
            key = AttachmentStore(storage).save(school.id, data)
            db.add(
                RoadmapAttachment(
                    school_id=school.id,
                    item_id=item.id,
                    filename="приказ.pdf",
                    content_type="application/pdf",
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    storage_key=key,
                )
            )
    finally:
        await engine.dispose()
    return key


def app_sees(url: str, school_code: str) -> tuple[int, int, str]:
    """As the app role: participants without a school scope, with it, and who owns the table."""
    with psycopg.connect(url) as conn:
        unscoped = conn.execute("SELECT count(*) FROM participant").fetchone()
        school = conn.execute("SELECT id FROM school WHERE code = %s", (school_code,)).fetchone()
        assert school is not None
        conn.execute("SELECT set_config('app.school_id', %s, true)", (str(school[0]),))
        scoped = conn.execute("SELECT count(*) FROM participant").fetchone()
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'participant'").fetchone()
        assert unscoped is not None and scoped is not None and owner is not None
        return int(unscoped[0]), int(scoped[0]), str(owner[0])


async def test_demo_region_survives_backup_and_restore(
    cluster: Cluster, databases: tuple[str, str], settings: Settings, tmp_path: Path
) -> None:
    source_name, target_name = databases
    source = cluster.create(source_name)
    migrate(source)
    assert await _seed(settings, source, with_keycloak=False)
    storage = tmp_path / "storage"
    key = await add_attachment(source, storage)
    (storage / "roadmap" / "notes.txt").write_text("Проверка: файлы вне строк БД тоже копируются\n")

    manifest = backup(
        dump_url=cluster.dump(source_name),
        storage_dir=storage,
        destination=tmp_path / "backup",
        bindir=cluster.bindir,
    )
    assert manifest.alembic_revision
    assert {f.path for f in manifest.files} == {
        "database.dump",
        f"storage/{key}",
        "storage/roadmap/notes.txt",
    }

    # Left to the restore to let the app in, as on a server whose administrator made an empty database.
    target = cluster.create(target_name, app_may_connect=False)
    restored_storage = tmp_path / "restored-storage"
    restore(
        tmp_path / "backup",
        target_url=target.migration,
        app_role=cluster.app_role,
        storage_dir=restored_storage,
        bindir=cluster.bindir,
    )

    before = table_fingerprints(cluster.dump(source_name))
    after = table_fingerprints(cluster.dump(target_name))
    assert after == before
    # The comparison means something only if the demo region is really there.
    assert before["participant"][0] > 20 and before["meeting"][0] > 0 and before["roadmap_attachment"][0] == 1
    assert before["alembic_version"] == after["alembic_version"]
    assert security_fingerprint(cluster.dump(target_name)) == security_fingerprint(cluster.dump(source_name))
    assert files_of(restored_storage) == files_of(storage)

    # The app role is still neither owner nor exempt from RLS in the restored database.
    unscoped, scoped, owner = app_sees(libpq_url(target.app), DEMO_SCHOOL_CODE)
    assert (unscoped, owner) == (0, OWNER_ROLE)
    assert scoped == app_sees(libpq_url(source.app), DEMO_SCHOOL_CODE)[1] > 0

    # A second restore into the same, now full, database is refused unless forced.
    with pytest.raises(BackupError, match="не пуста"):
        restore(
            tmp_path / "backup",
            target_url=target.migration,
            app_role=cluster.app_role,
            storage_dir=tmp_path / "other-storage",
            bindir=cluster.bindir,
        )
    restore(
        tmp_path / "backup",
        target_url=target.migration,
        app_role=cluster.app_role,
        storage_dir=restored_storage,
        bindir=cluster.bindir,
        force=True,
    )
    assert table_fingerprints(cluster.dump(target_name)) == before
    assert files_of(restored_storage) == files_of(storage)
    kept = set_aside(restored_storage)
    assert len(kept) == 1 and files_of(kept[0]) == files_of(storage)


def write_backup(folder: Path, files: dict[str, bytes], listed: dict[str, bytes]) -> None:
    """A backup folder by hand: `files` on disk, `listed` (path: content) in the manifest."""
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    entries = [
        {"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for p, d in listed.items()
    ]
    manifest = {
        "format": 1,
        "created_at": "2026-01-01T00:00:00+00:00",
        "database": "x",
        "alembic_revision": None,
        "server_version": "15",
        "pg_dump_version": "15",
        "seconds": 0,
        "files": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_damaged_backup_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    write_backup(
        folder,
        {"database.dump": b"PGDMP", "storage/scan": b"changed!"},
        {"database.dump": b"PGDMP", "storage/scan": b"original"},
    )
    with pytest.raises(BackupError, match="повреждён"):
        verify(folder)
    target = tmp_path / "untouched"
    with pytest.raises(BackupError, match="повреждён"):
        restore(
            folder, target_url="postgresql://nobody@/none", app_role=APP_ROLE, storage_dir=target, bindir=None
        )
    assert not target.exists()


def test_backup_with_an_unlisted_file_is_refused(tmp_path: Path) -> None:
    write_backup(tmp_path, {"database.dump": b"PGDMP", "storage/stray": b"?"}, {"database.dump": b"PGDMP"})
    with pytest.raises(BackupError, match="нет в манифесте"):
        verify(tmp_path)
    (tmp_path / "storage" / "stray").unlink()
    assert [f.path for f in verify(tmp_path).files] == ["database.dump"]


def test_backup_never_writes_into_a_folder_that_has_files(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(BackupError, match="не пуста"):
        backup(dump_url="postgresql://nobody@/none", storage_dir=tmp_path, destination=tmp_path, bindir=None)


def test_restore_command_explains_a_missing_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["restore", str(tmp_path / "nothing-here")]) == 1
    assert "не резервная копия" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("count", "text"), [(1, "1 файл"), (3, "3 файла"), (12, "12 файлов"), (21, "21 файл")]
)
def test_summary_counts_files_in_russian(count: int, text: str) -> None:
    manifest = Manifest("", "x", "r1", "15", "15", 0.0, [FileEntry(f"f{i}", 1, "") for i in range(count)])
    assert describe(manifest).startswith(f"{text}, ")
