"""End-to-end fixtures: the real app under uvicorn, real Keycloak, headless Chromium.

The live server runs in a subprocess on a free port among 8765-8769 (the realm allows
those redirect URIs), against its own migrated database with the demo region loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from nastavnik.cli import migrate
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.embedded_db import drop_database, start_server
from nastavnik.platform.settings import PROJECT_ROOT, Settings
from tests.conftest import _database_urls

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--lang=ru",
]


@dataclass
class LiveServer:
    url: str
    database: DatabaseUrls
    settings: Settings
    log: Path


@pytest.fixture(scope="module")
def live_server(
    request: pytest.FixtureRequest, keycloak: Any, settings: Settings, test_data_dir: Path, live_port: int
) -> Iterator[LiveServer]:
    """The app in its own process, with a database of its own for each test module: the
    modules' walks (several in the same demo school) never see each other's data."""
    port = live_port
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:24]
    name = f"nastavnik_e2e_{os.getpid()}_{module}"
    urls = _database_urls(test_data_dir, name)
    migrate(urls)
    base_url = f"http://localhost:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": urls.app.replace("postgresql+psycopg://", "postgresql://", 1),
        "MIGRATION_DATABASE_URL": urls.migration.replace("postgresql+psycopg://", "postgresql://", 1),
        "APP_BASE_URL": base_url,
        "KEYCLOAK_URL": settings.keycloak_url,
        "NASTAVNIK_DATA_DIR": str(test_data_dir / f"e2e-{port}"),
        "SMTP_PORT": str(settings.smtp_port),
        "LOG_LEVEL": "INFO",
    }
    seed = subprocess.run(
        # The browser tests start from empty schools: they create what they check.
        [sys.executable, "-m", "nastavnik.cli", "seed-demo", "--region-only"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert seed.returncode == 0, seed.stderr[-3000:]
    log = test_data_dir / f"live-server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nastavnik.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # Ours, not another checkout's server that took the port while Keycloak started.
                if (
                    httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200
                    and process.poll() is None
                ):
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("live server did not start:\n" + log.read_text()[-4000:])
            time.sleep(0.3)
        yield LiveServer(base_url, urls, settings, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        if urls.embedded:
            drop_database(start_server(test_data_dir), name)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(chromium: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = chromium.new_context(
        viewport={"width": 1366, "height": 900}, locale="ru-RU", accept_downloads=True
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def login(
    page: Page, live_server: LiveServer, username: str, path: str = "/", password: str = "demo"
) -> None:
    """Sign in through the real Keycloak login form, starting from `path` of the app."""
    page.goto(live_server.url + path)
    if "/realms/" not in page.url:
        page.get_by_role("link", name="Войти").first.click()
    page.wait_for_selector("#username")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#kc-login")
    page.wait_for_url(f"{live_server.url}/**")
    page.wait_for_load_state("networkidle")
