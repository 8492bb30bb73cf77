"""Hostile input never gives a 5xx: every route of the app, its query and its form fields.

The person is the curator of the demo school (mid-year data: participants, rounds, pairs,
meetings, a roadmap) who is also the region's methodist, its municipality's officer and a
platform admin, so that every handler is reached past its permission check. Path
parameters are real ids of the demo data; the query of every GET route and the fields
of every POST route (all names found in the rendered forms, with a valid CSRF token) get
each hostile value in turn.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_school
from nastavnik.platform.settings import Settings
from nastavnik.school.demo import DEMO_SCHOOL_CODE, demo_school, seed_school_demo
from nastavnik.school.matching.models import MatchingRound
from nastavnik.school.meetings.models import Meeting
from nastavnik.school.pairs.models import Mentorship
from nastavnik.school.participants.models import Consent, Participant, local_today
from nastavnik.school.roadmap.models import RoadmapItem
from nastavnik.tenants.demo import seed_demo
from nastavnik.tenants.models import Municipality, Region, School
from tests.conftest import CSRF_RE, Browser, PersonaBrowser, make_persona

pytestmark = pytest.mark.anyio

# Raw (already percent-encoded) values: NUL, invalid UTF-8, very long, numbers out of
# range, ids that are no ids, path traversal, markup and script.
HOSTILE = {
    "nul": "%00",
    "nul_inside": "abc%00def",
    "invalid_utf8": "%FF%FE%C3%28",
    "long": "я" * 20_000,
    "negative": "-1",
    "huge": "99999999999999999999999999",
    "not_uuid": "not-a-uuid",
    "traversal": quote("../../etc/passwd", safe=""),
    "markup": quote('"><script>alert(1)</script><img src=x onerror=alert(1)>', safe=""),
}
QUERY_NAMES = [
    "q",
    "class_letter",
    "consent",
    "direction",
    "free",
    "grade",
    "kind",
    "page",
    "status",
    "year",
    "bank",
    "edit",
    "error",
    "next",
    "saved",
    "state",
    "target",
    "tab",
    "mode",
    "format",
    "audience",
    "role",
    "region_code",
    "mentor",
    "proposal",
]
SKIPPED_PREFIXES = ("/static/", "/api/docs")
# Readiness answers 503 by design when its checks fail (no job worker in tests).
MAY_BE_UNAVAILABLE = {"/health/ready"}
# Keycloak is not part of this test: these call it (or create its groups and users).
CALLS_KEYCLOAK = {"/auth/login", "/auth/callback", "/admin/regions", "/admin/regions/{code}/schools"}
FIELD_RE = re.compile(r'name="([A-Za-z_][\w\-\[\]]*)"')


async def _load_demo(db: AsyncSession) -> School:
    assert await seed_demo(db, None)
    school = await demo_school(db)
    assert school is not None
    assert await seed_school_demo(db, school)
    return school


async def _first(db: AsyncSession, query: Any) -> str:
    value = (await db.execute(query.limit(1))).scalar()
    return str(value) if value is not None else str(uuid.uuid4())


async def _path_values(db: AsyncSession, school: School) -> dict[str, str]:
    await set_school(db, school.id)
    municipality = await db.get(Municipality, school.municipality_id)
    assert municipality is not None
    region = await db.get(Region, municipality.region_id)
    assert region is not None
    pair = await _first(db, select(Mentorship.id).where(Mentorship.school_id == school.id))
    return {
        "school_code": school.code,
        "region_code": region.code,
        "year": AcademicYear.current(local_today()).title,
        "participant_id": await _first(db, select(Participant.id).where(Participant.school_id == school.id)),
        "consent_id": await _first(db, select(Consent.id).where(Consent.school_id == school.id)),
        "round_id": await _first(db, select(MatchingRound.id).where(MatchingRound.school_id == school.id)),
        "pair_id": pair,
        "meeting_id": await _first(db, select(Meeting.id).where(Meeting.school_id == school.id)),
        "item_id": await _first(db, select(RoadmapItem.id).where(RoadmapItem.school_id == school.id)),
        "fmt": "pdf",
        "section": "goals",
        "kind": "regulation",
        "filename": "x.pdf",
        # /m/{code} is a municipality, /r/{code} and /admin/regions/{code} a region.
        "code:m": municipality.code,
        "code": region.code,
    }


def _is_failure(path: str, status: int) -> bool:
    return status >= 500 and not (status == 503 and path in MAY_BE_UNAVAILABLE)


def _http_routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(SKIPPED_PREFIXES):
            continue
        found.extend((method, route.path) for method in sorted(route.methods - {"HEAD", "OPTIONS"}))
    return found


def _fill(path: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "code" and path.startswith("/m/"):
            name = "code:m"
        return quote(values.get(name, str(uuid.uuid4())), safe="")

    return re.sub(r"\{(\w+)(?::\w+)?\}", one, path)


@dataclass
class Fuzzer:
    browser: PersonaBrowser
    token: str
    values: dict[str, str]


@pytest.fixture
async def fuzzer(db: AsyncSession, settings: Settings, browser_for: Browser) -> Fuzzer:
    school = await _load_demo(db)
    values = await _path_values(db, school)
    await set_school(db, None)
    persona = await make_persona(
        db,
        settings,
        "fuzz",
        [
            Membership(Scope.SCHOOL, DEMO_SCHOOL_CODE, Role.CURATOR),
            Membership(Scope.REGION, values["region_code"], Role.IRO_METHODIST),
            Membership(Scope.MUNICIPALITY, values["code:m"], Role.MUNICIPAL_OFFICER),
            Membership(Scope.PLATFORM, "platform", Role.PLATFORM_ADMIN),
        ],
    )
    browser = await browser_for(persona)
    token_page = await browser.get(f"/s/{DEMO_SCHOOL_CODE}/staff")
    match = CSRF_RE.search(token_page.text)
    assert match, token_page.status_code
    return Fuzzer(browser, match.group(1), values)


async def test_no_route_answers_hostile_input_with_a_server_error(app: Litestar, fuzzer: Fuzzer) -> None:
    browser, token, values = fuzzer.browser, fuzzer.token, fuzzer.values
    routes = [(m, p) for m, p in _http_routes(app) if p not in CALLS_KEYCLOAK]
    assert len(routes) > 100, "every route of the app is enumerated"
    failures: list[str] = []
    fields: set[str] = set()

    # GET first, real ids: the pages show the forms whose fields the POSTs then get.
    for method, path in routes:
        if method != "GET":
            continue
        url = _fill(path, values)
        page = await browser.get(url)
        if _is_failure(path, page.status_code):
            failures.append(f"GET {url} -> {page.status_code}")
        if page.headers.get("content-type", "").startswith("text/html"):
            fields.update(FIELD_RE.findall(page.text))
        for label, raw in HOSTILE.items():
            # A URL has a length limit on the way (httpx: 64 KiB): the long value goes in two names.
            names = ("q", "page") if label == "long" else QUERY_NAMES
            query = "&".join(f"{name}={raw[:3000]}" for name in names)
            reply = await browser.get(f"{url}?{query}")
            if _is_failure(path, reply.status_code):
                failures.append(f"GET {path} ?{label} -> {reply.status_code}")
            short = raw[:3000]
            hostile_path = _fill(path, dict.fromkeys(values, short))
            if hostile_path != url:
                reply = await browser.get(hostile_path.replace(quote(short, safe=""), short))
                if _is_failure(path, reply.status_code):
                    failures.append(f"GET {path} path={label} -> {reply.status_code}")
    fields.discard("_csrf_token")
    assert len(fields) > 30, sorted(fields)

    # Deletions last, so that the other actions find their objects.
    posts = sorted((p for m, p in routes if m == "POST"), key=lambda p: ("delete" in p, p))
    for path in posts:
        url = _fill(path, values)
        for label, raw in HOSTILE.items():
            body = "&".join([f"_csrf_token={token}", *(f"{quote(name)}={raw}" for name in sorted(fields))])
            reply = await browser.post(
                url,
                content=body.encode(),
                headers={"content-type": "application/x-www-form-urlencoded"},
                follow_redirects=False,
            )
            if _is_failure(path, reply.status_code):
                failures.append(f"POST {path} {label} -> {reply.status_code}")
            if reply.status_code == 403 and "устарела" in reply.text:
                failures.append(f"POST {path} {label}: CSRF refused, the handler was not reached")
    assert not failures, "\n".join(failures)


async def test_a_nul_byte_in_a_search_is_a_clear_400(fuzzer: Fuzzer) -> None:
    browser = fuzzer.browser
    for page in ("mentees", "mentors", "participants", "consents"):
        reply = await browser.get(f"/s/{DEMO_SCHOOL_CODE}/{page}?q=%00")
        assert reply.status_code == 400, page
        assert "недопустимые символы" in reply.text


async def test_a_nul_byte_in_a_form_field_is_a_clear_400(fuzzer: Fuzzer) -> None:
    browser, token = fuzzer.browser, fuzzer.token
    reply = await browser.post(
        f"/s/{DEMO_SCHOOL_CODE}/participants/new",
        data={"_csrf_token": token, "last_name": "Иван\x00ов", "first_name": "Пётр"},
    )
    assert reply.status_code == 400
    assert "недопустимые символы" in reply.text
    reply = await browser.post(
        f"/s/{DEMO_SCHOOL_CODE}/participants/new",
        files={"scan": ("a.pdf", b"%PDF-1.4\x00binary is fine", "application/pdf")},
        data={"_csrf_token": token, "last_name": "Иван\x00ов"},
    )
    assert reply.status_code == 400  # a text field of a multipart form is checked too
