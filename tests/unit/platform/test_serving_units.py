"""Serving settings, `nastavnik serve --workers`, the pool's engine and the cached OIDC discovery."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from nastavnik import cli
from nastavnik.platform.auth import oidc as oidc_module
from nastavnik.platform.auth.oidc import OidcClient
from nastavnik.platform.db import web_engine
from nastavnik.platform.settings import Settings, SettingsError, load_settings

pytestmark = pytest.mark.anyio
SECRET = "s" * 40


def _settings(tmp_path: Path, **values: str) -> Settings:
    return load_settings({"NASTAVNIK_DATA_DIR": str(tmp_path), "SESSION_SECRET": SECRET, **values})


def test_one_worker_in_development_one_per_core_in_production(tmp_path: Path) -> None:
    assert _settings(tmp_path).web_workers == 1
    assert _settings(tmp_path, NASTAVNIK_ENV="production").web_workers == (os.cpu_count() or 1)
    assert _settings(tmp_path, NASTAVNIK_ENV="production", WEB_WORKERS="3").web_workers == 3


def test_pool_is_bounded_by_settings(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, DB_POOL_SIZE="4", DB_MAX_OVERFLOW="0", DB_POOL_TIMEOUT="1.5", DB_POOL_RECYCLE="600"
    )
    engine = web_engine("postgresql+psycopg://app@127.0.0.1:1/none", settings)
    pool: Any = engine.pool
    assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (4, 0, 1.5, 600)
    assert pool._pre_ping is False


@pytest.mark.parametrize(
    ("name", "value"),
    [("WEB_WORKERS", "0"), ("DB_POOL_SIZE", "many"), ("DB_MAX_OVERFLOW", "-1"), ("DB_POOL_TIMEOUT", "0")],
)
def test_nonsense_pool_settings_are_refused_with_the_variable_named(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=name):
        _settings(tmp_path, **{name: value})


def test_serve_offers_workers_and_passes_them_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    assert "--workers" in capsys.readouterr().out  # what bench/load.py looks for
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    monkeypatch.setattr(cli, "get_settings", lambda: _settings(tmp_path, WEB_WORKERS="2"))
    assert cli.main(["serve", "--port", "8001"]) == 0
    assert cli.main(["serve", "--workers", "3"]) == 0
    assert cli.main(["serve", "--workers", "3", "--reload"]) == 0
    assert [(c["workers"], c["reload"]) for c in calls] == [(2, False), (3, False), (None, True)]
    assert all(c["app"] == "nastavnik.app:create_app" and c["factory"] for c in calls)


class _FakeKeycloak:
    def __init__(self) -> None:
        self.fetched = 0

    async def a_well_known(self) -> dict[str, Any]:
        self.fetched += 1
        return {"authorization_endpoint": "http://kc.test/realms/r/protocol/openid-connect/auth"}


async def test_sign_ins_ask_keycloak_once_a_second_and_stop_when_it_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(oidc_module.time, "monotonic", lambda: now[0])
    oidc = OidcClient(_settings(tmp_path))
    fake = _FakeKeycloak()
    oidc.keycloak = fake  # type: ignore[assignment]
    for _ in range(3):  # a burst of sign-ins within the second: one request to Keycloak
        url, pending = await oidc.begin_login("/next")
    assert fake.fetched == 1
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path.endswith("/protocol/openid-connect/auth")
    assert query["state"] == [pending.state]
    assert query["nonce"] == [pending.nonce]
    assert query["scope"] == ["openid email profile"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [oidc.settings.redirect_uri]
    # The readiness probe found Keycloak down: the next sign-in asks again.
    oidc.remember_discovery(None)
    await oidc.begin_login("/")
    assert fake.fetched == 2
    # A second later the next sign-in asks again; Keycloak has gone meanwhile (no probe
    # told this worker): the sign-in fails instead of redirecting to a dead server.
    now[0] += 1.5

    async def down() -> dict[str, Any]:
        raise httpx.ConnectError("connection refused")

    fake.a_well_known = down  # type: ignore[method-assign]
    with pytest.raises(httpx.ConnectError):
        await oidc.begin_login("/")
    # The document is forgotten: the next sign-in asks Keycloak again, never trusts it.
    assert oidc._discovery is None
