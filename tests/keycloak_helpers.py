"""Talking to the test Keycloak as a browser would (login form) and as its admin."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from nastavnik.platform.settings import Settings

FORM_ACTION_RE = re.compile(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"')


def keycloak_login(authorize_url: str, username: str, password: str = "demo") -> str:
    """Follow Keycloak's login page for `authorize_url`; returns the redirect back to the app."""
    # Keycloak marks its login cookies Secure even over plain http; browsers send them to
    # localhost anyway, httpx does not, so they are carried by hand here.
    with httpx.Client(follow_redirects=False, timeout=20) as browser:
        page = browser.get(authorize_url)
        assert page.status_code == 200, page.text[:500]
        match = FORM_ACTION_RE.search(page.text)
        assert match, "no login form on Keycloak's page"
        cookies = "; ".join(header.split(";", 1)[0] for header in page.headers.get_list("set-cookie"))
        reply = browser.post(
            html.unescape(match.group(1)),
            data={"username": username, "password": password, "credentialId": ""},
            headers={"Cookie": cookies},
        )
        assert reply.status_code in (302, 303), reply.text[:800]
        return reply.headers["location"]


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def master_admin(settings: Settings) -> KeycloakAdmin:
    """The bootstrap admin of the master realm, acting on the project's realm."""
    connection = KeycloakOpenIDConnection(
        server_url=settings.keycloak_url,
        username=settings.keycloak_admin_user,
        password=settings.keycloak_admin_password,
        realm_name=settings.keycloak_realm,
        user_realm_name="master",
        client_id="admin-cli",
        timeout=20,
    )
    return KeycloakAdmin(connection=connection)
