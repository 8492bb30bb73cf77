"""A curator signs in through the Keycloak login page, works, switches school, signs out."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from keycloak import KeycloakAdmin
from playwright.sync_api import Page, expect

from nastavnik.platform.settings import Settings
from tests.e2e.conftest import LiveServer, login
from tests.keycloak_helpers import master_admin

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots"))


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_curator_signs_in_switches_school_and_signs_out(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    shot(page, "01-landing")
    login(page, live_server, "curator", "/s/sosh2-zar/staff")
    expect(page).to_have_url(live_server.url + "/s/sosh2-zar/staff")
    expect(page.get_by_role("heading", name="Сотрудники")).to_be_visible()
    expect(page.get_by_text("Иванова Мария Петровна").first).to_be_visible()
    shot(page, "02-staff")

    page.locator("details.dropdown summary").first.click()
    page.get_by_role("link", name="МАОУ Гимназия № 1").click()
    expect(page).to_have_url(live_server.url + "/s/gimn1-zar/")
    expect(page.get_by_role("heading", name="МАОУ Гимназия № 1")).to_be_visible()
    shot(page, "03-switched")

    # Another school's URL is a 404, not a 403.
    page.goto(live_server.url + "/s/cdt-ozr/")
    expect(page.get_by_role("heading", name="Страница не найдена")).to_be_visible()

    page.goto(live_server.url + "/s/sosh2-zar/")
    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("link", name="Войти").first).to_be_visible()
    shot(page, "04-signed-out")

    # The Keycloak session is over too: signing in asks for the password again.
    page.goto(live_server.url + "/s/sosh2-zar/")
    page.wait_for_selector("#username")
    assert "/realms/nastavnik/" in page.url


def test_a_wrong_password_keeps_the_user_on_keycloaks_page(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/auth/login")
    page.fill("#username", "curator")
    page.fill("#password", "wrong")
    page.click("#kc-login")
    expect(page.locator("#input-error, .kc-feedback-text, [id*=error]").first).to_be_visible()
    assert "/realms/nastavnik/" in page.url


def test_keycloak_backchannel_logout_ends_the_app_session(
    page: Page, live_server: LiveServer, settings: Settings
) -> None:
    login(page, live_server, "director")
    expect(page).to_have_url(live_server.url + "/s/sosh2-zar/")
    admin: KeycloakAdmin = master_admin(settings)
    client_id = admin.get_client_id("nastavnik-web")
    assert client_id
    client = admin.get_client(client_id)
    port = live_server.url.rsplit(":", 1)[1]
    client["attributes"]["backchannel.logout.url"] = f"http://127.0.0.1:{port}/auth/backchannel-logout"
    admin.update_client(client_id, client)
    user_id = admin.get_user_id("director")
    assert user_id
    admin.user_logout(user_id)  # an administrator ends the user's sessions in Keycloak

    reply = httpx.get(
        live_server.url + "/s/sosh2-zar/",
        cookies={c["name"]: c["value"] for c in page.context.cookies() if c["name"] == "nst_session"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/auth/login")
