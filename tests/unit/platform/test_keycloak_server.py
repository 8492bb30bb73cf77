"""The local Keycloak keeps its database between dev runs only while the realm file is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from nastavnik.platform.keycloak_server import KeycloakServer


def _server(tmp_path: Path, realm: dict[str, object], *, keep_data: bool) -> KeycloakServer:
    realm_file = tmp_path / "realm.json"
    realm_file.write_text(json.dumps(realm))
    return KeycloakServer(tmp_path / "home", tmp_path / "work", realm_file=realm_file, keep_data=keep_data)


def _h2(server: KeycloakServer) -> Path:
    database = server.work_dir / "data" / "h2"
    database.mkdir(parents=True, exist_ok=True)
    (database / "keycloakdb.mv.db").write_bytes(b"users")
    return database


def test_kept_database_survives_a_restart_with_the_same_realm(tmp_path: Path) -> None:
    server = _server(tmp_path, {"realm": "nastavnik"}, keep_data=True)
    server._prepare_directories()
    database = _h2(server)
    server._prepare_directories()
    assert (database / "keycloakdb.mv.db").read_bytes() == b"users"
    assert (server.home / "data" / "import" / "nastavnik-realm.json").is_file()


def test_edited_realm_file_is_imported_afresh(tmp_path: Path) -> None:
    server = _server(tmp_path, {"realm": "nastavnik"}, keep_data=True)
    server._prepare_directories()
    database = _h2(server)
    edited = _server(tmp_path, {"realm": "nastavnik", "displayName": "Новое"}, keep_data=True)
    edited._prepare_directories()
    assert not database.exists()


def test_without_keep_data_every_start_imports_the_realm(tmp_path: Path) -> None:
    server = _server(tmp_path, {"realm": "nastavnik"}, keep_data=False)
    server._prepare_directories()
    database = _h2(server)
    server._prepare_directories()
    assert not database.exists()
