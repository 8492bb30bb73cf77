# ruff: noqa: T201, PLR0911, S107 - a command-line check: prints its steps, demo password
"""Signs in to a running Наставник through Keycloak's login form over plain HTTP, as a
person would, and loads the school dashboard the sign-in lands on. Exits non-zero with
the reason if any step fails. Used by scripts/smoke-dev.sh.

    python scripts/smoke_sign_in.py http://localhost:8000 curator [password]
"""

from __future__ import annotations

import html
import re
import sys
from urllib.parse import urljoin

import httpx

FORM_ACTION_RE = re.compile(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"')


def fail(message: str) -> int:
    print(f"smoke: {message}", file=sys.stderr)
    return 1


def main(base: str, username: str, password: str = "demo") -> int:
    with httpx.Client(follow_redirects=False, timeout=30) as app, httpx.Client(timeout=30) as keycloak:
        start = app.get(f"{base}/auth/login")
        if start.status_code not in (302, 303):
            return fail(f"/auth/login answered {start.status_code}, not a redirect to Keycloak")
        form_page = keycloak.get(start.headers["location"])
        match = FORM_ACTION_RE.search(form_page.text)
        if form_page.status_code != 200 or not match:
            return fail(f"Keycloak showed no login form ({form_page.status_code})")
        # Keycloak marks its cookies Secure even on plain http; carry them by hand.
        cookies = "; ".join(f"{k}={v}" for k, v in keycloak.cookies.items())
        reply = keycloak.post(
            html.unescape(match.group(1)),
            data={"username": username, "password": password, "credentialId": ""},
            headers={"Cookie": cookies},
            follow_redirects=False,
        )
        if reply.status_code not in (302, 303):
            return fail(f"Keycloak refused the sign-in of {username!r} ({reply.status_code})")
        url = reply.headers["location"]
        for _ in range(5):
            answer = app.get(url)
            if answer.status_code not in (301, 302, 303, 307):
                break
            url = urljoin(url, answer.headers["location"])
        else:
            return fail("too many redirects after the sign-in")
        if answer.status_code != 200 or "/s/" not in str(answer.url):
            return fail(f"after the sign-in {answer.url} answered {answer.status_code}, not a school page")
        if "Обзор" not in answer.text or "Выйти" not in answer.text:
            return fail(f"{answer.url} is not the school dashboard of a signed-in user")
        print(f"==> smoke: signed in as {username}, dashboard {answer.url} ({len(answer.content)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
