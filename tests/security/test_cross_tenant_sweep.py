"""Every route of the app, swept across tenants: another school, municipality or region gets 404.

The routes are read from the app itself (`app.routes`, every method of every handler), so
a route added later is swept without anyone listing it; a route outside the four tenant
scopes must be named in `NOT_TENANT_SCOPED` with its reason, and a path parameter the sweep
cannot fill with a real id fails the route's case instead of skipping it.

One data set for the module (the demo region: school A `sosh2-zar` in Заречный with its
mid-year data, and a school B in Озёрский with the same kind of data, plus a second region),
inside one transaction rolled back at the end:

- school B's curator, director, psychologist and mentor get 404 on every `/s/{A}/…` route
  with A's ids, GET and POST (POST with B's valid CSRF token and the fields of A's own
  form for that route), and on every `/s/{B}/…` route that names an object with A's ids
  (the same GET with B's own ids is the control: it must not be 404, so the 404 comes
  from the foreign id, not from a missing programme);
- the officer of B's municipality gets 404 on every `/m/{A's municipality}/…`; the
  methodist, tutor and ministry viewer of another region on every `/r/{demo}/…` (and on
  their own region's URLs with the demo region's template ids); nobody but a platform
  administrator reaches `/admin/…`;
- after every POST, no row of school A (every school-owned table, fingerprinted as A
  through row-level security) and no template of the demo region has changed;
- no `/m/` or `/r/` page shows the full name or birth date of a pupil of school A, to the
  municipality's officer or to the region's methodist, tutor and ministry viewer.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient
from openpyxl import Workbook
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import selectinload

from nastavnik.app import create_app
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.csrf import CSRF_HEADER, csrf_token, session_binding
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.auth.sessions import create_session
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.db import school_owned_tables, set_region, set_school
from nastavnik.platform.imports import ImportReport
from nastavnik.platform.settings import Settings, load_settings
from nastavnik.regional.indicators.models import RegionalReport, ReportStatus
from nastavnik.school.bank.models import BankAttachment, CollectionItem
from nastavnik.school.completion.demo import seed_school_completion
from nastavnik.school.completion.models import Incentive, SchoolCasePhoto, SchoolContest, YearDocument
from nastavnik.school.demo import DEMO_SCHOOL_CODE, seed_school_demo
from nastavnik.school.directory.models import CrossSchoolPair, CrossSchoolPairStatus, MentorDirectoryEntry
from nastavnik.school.matching.models import IncompatibilityMark, MatchingPreference, MatchingRound
from nastavnik.school.meetings.models import Meeting
from nastavnik.school.pairs.models import DevelopmentPlan, Mentorship, PlanItem
from nastavnik.school.participants.models import (
    Consent,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    Participant,
    ParticipantImport,
    PartnerOrganization,
    local_today,
)
from nastavnik.school.programme.models import (
    Programme,
    ProgrammeStage,
    RoadmapTemplate,
    RoadmapTemplateItem,
    RoadmapTemplateStage,
)
from nastavnik.school.questionnaires.definitions import questions_of
from nastavnik.school.questionnaires.models import (
    INTAKE_KINDS,
    Questionnaire,
    ResponseStatus,
    Survey,
    SurveyResponse,
)
from nastavnik.school.roadmap.models import RoadmapAttachment, RoadmapItem
from nastavnik.school.roadmap.storage import AttachmentStore
from nastavnik.tenants.demo import DEMO_REGION, DEMO_STAFF, seed_demo
from nastavnik.tenants.models import Municipality, Region, School, SchoolKind, StaffMember
from tests.conftest import PersonaBrowser, make_persona
from tests.functional._directory import cross_school_pair
from tests.functional._routes import make_route, route_objects

pytestmark = [
    pytest.mark.anyio,
    # See `_post`: uploads refused before their handler are closed by the garbage collector.
]

# Routes outside the four tenant scopes, each with the reason it is not swept here.
NOT_TENANT_SCOPED: dict[str, str] = {
    "/": "the landing page lists the signed-in person's own workspaces only",
    "/health/live": "liveness probe, no data",
    "/health/ready": "readiness probe, no data",
    "/auth/login": "sign-in redirect to Keycloak",
    "/auth/callback": "OIDC callback: state, nonce and code are checked (test_sessions_and_tokens)",
    "/auth/logout": "ends the caller's own session",
    "/auth/backchannel-logout": "Keycloak's signed logout token, no tenant in the URL",
    "/preferences/{token:str}": "a signed preference link: the token names school and person "
    "(forgery and replay: test_sessions_and_tokens)",
    "/q/{token:str}": "a signed questionnaire link: the token names school and answer "
    "(forgery and revocation: test_questionnaires)",
}
NOT_TENANT_PREFIXES: dict[str, str] = {
    "/static/": "static files",
    "/api/docs": "OpenAPI documentation (every workspace handler is excluded from it)",
    "/public/": "the school's public page «Наставничество»: the published snapshot only, no school scope "
    "(tests/security/test_public_page.py)",
    "/api/v1/regions/": "the indicators API: a Keycloak client-credentials token whose region claim must "
    "name the region of the URL (tests/functional/test_indicator_api.py)",
}
SCOPE_PREFIXES = ("/s/", "/m/", "/r/", "/admin")

# Path parameters that name no object: B's own URL with them is B's own page.
NOT_OBJECT_IDS = {
    "school_code",
    "municipality_code",
    "region_code",
    "code",
    "year",
    "fmt",
    "section",
    "kind",
    "questionnaire_kind",
    "filename",
    "form_name",
    "number",  # a step of an individual route (1-7)
    # A card of the region's mentor directory is the region's, not a school's: every school
    # of the region reads it (its policies: tests/security/test_directory_rls.py).
    "entry_id",
}
PARAM_RE = re.compile(r"\{(\w+)(?::\w+)?\}")

# One digest of a table's rows (`t`), whatever its columns.
DIGEST = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# ---- the routes, read from the app ------------------------------------------------------


@cache
def _route_table() -> tuple[tuple[str, str], ...]:
    """(method, path) of every HTTP route handler of the app, HEAD and OPTIONS aside."""
    settings = load_settings(
        {**os.environ, "NASTAVNIK_ENV": "test", "SESSION_SECRET": secrets.token_urlsafe(32)}
    )
    settings = replace(settings, environment="test", log_json=True, log_level="WARNING")
    unused = "postgresql+psycopg://unused/unused"
    app = create_app(settings, DatabaseUrls(unused, unused, "unused", embedded=False))
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            found.update((method, route.path) for method in route.methods - {"HEAD", "OPTIONS"})
    return tuple(sorted(found, key=lambda r: ("delete" in r[1], r[1], r[0])))


def _routes(prefix: str, method: str | None = None) -> list[tuple[str, str]]:
    return [(m, p) for m, p in _route_table() if p.startswith(prefix) and method in (None, m)]


def _case_id(route: tuple[str, str]) -> str:
    return f"{route[0]} {route[1]}"


def _params(path: str) -> list[str]:
    return PARAM_RE.findall(path)


def _names_an_object(path: str) -> bool:
    return any(p not in NOT_OBJECT_IDS for p in _params(path))


def _cases(routes: list[tuple[str, str]]) -> list[Any]:
    return [pytest.param(r, id=_case_id(r)) for r in routes]


# ---- the data set -----------------------------------------------------------------------


@dataclass
class Ids:
    """Real path values of one school, chosen so that ids in one URL belong together."""

    values: dict[str, str]

    def fill(self, path: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            key = _value_key(path, name)
            if key not in self.values:
                pytest.fail(f"{path}: no real value for {{{name}}} (key {key!r}); add it to the sweep's data")
            return quote(self.values[key], safe="")

        return PARAM_RE.sub(one, path)


def _value_key(path: str, name: str) -> str:  # noqa: PLR0911 - one answer per kind of parameter
    """Which object a parameter names: `item_id` is a roadmap item, a plan item or a template item."""
    segments = [s for s in path.split("/") if s and not s.startswith("{")]
    area = segments[1] if segments and segments[0] in {"s", "m", "r"} and len(segments) > 1 else ""
    if segments and segments[0] == "admin":
        area = "admin"
    if name == "participant_id":
        if "/consents/{consent_id" in path:
            return "consent.participant_id"
        if "/mentor" in path or path.endswith("/invite"):
            return "mentor.participant_id"
        return "mentee.participant_id"
    if name == "code":
        return "region_code"
    if name in {"item_id", "stage_id", "template_id", "fmt"}:
        return f"{area}.{name}"
    if name in {"bank_item_id", "bank_file_id"}:
        # A school's URL names its own draft; a region's URL an item published in the region.
        return f"{segments[0]}.{name}"
    return name


@dataclass
class Sweep:
    app: Litestar
    client: AsyncTestClient[Litestar]
    db: AsyncSession
    settings: Settings
    school_a: School
    school_b: School
    region: Region
    other_region: Region
    ids_a: Ids
    ids_b: Ids
    ids_other_region: Ids
    browsers: dict[str, PersonaBrowser]
    cookies: dict[str, str]
    forms: dict[str, dict[str, Form]] = field(default_factory=dict)  # per school code: action → form
    pupils_a: list[str] = field(default_factory=list)

    def token(self, who: str) -> str:
        return csrf_token(self.settings.session_secret, session_binding(self.cookies[who]))

    async def fingerprint(self) -> dict[str, str]:
        """A digest of every row of school A and of the demo region's templates."""
        db = self.db
        digest: dict[str, str] = {}
        await set_school(db, self.school_a.id)
        for table in school_owned_tables():
            digest[table] = await db.scalar(text(f"SELECT {DIGEST} FROM {table} t"))
        await set_school(db, None)
        for table, join in (
            ("roadmap_template", "t.region_id = :r"),
            (
                "roadmap_template_stage",
                "t.template_id IN (SELECT id FROM roadmap_template WHERE region_id = :r)",
            ),
            (
                "roadmap_template_item",
                (
                    "t.stage_id IN (SELECT s.id FROM roadmap_template_stage s "
                    "JOIN roadmap_template rt ON rt.id = s.template_id WHERE rt.region_id = :r)"
                ),
            ),
        ):
            digest[table] = await db.scalar(
                text(f"SELECT {DIGEST} FROM {table} t WHERE {join}"),
                {"r": self.region.id},
            )
        for table, where in (
            ("school", "t.id = :s"),
            ("municipality", "t.id = :m"),
            ("region", "t.id = :r"),
        ):
            digest[table] = await db.scalar(
                text(f"SELECT md5(t::text) FROM {table} t WHERE {where}"),
                {"s": self.school_a.id, "m": self.school_a.municipality_id, "r": self.region.id},
            )
        await db.commit()
        return digest


@dataclass
class Form:
    action: str
    multipart: bool
    fields: list[tuple[str, str]]
    files: list[str]


class _FormParser(HTMLParser):
    """The forms of a page: action (or hx-post), fields with the values a person would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" or (
            tag in {"button", "a", "div", "tr", "select"} and a.get("hx-post") and not self._form
        ):
            action = a.get("hx-post") or a.get("action") or ""
            if tag == "form" and action:
                self._form = Form(action, "multipart" in a.get("enctype", ""), [], [])
                self.forms.append(self._form)
            elif action:
                self.forms.append(Form(action, multipart=False, fields=[], files=[]))
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "file":
                form.files.append(name)
            elif kind in {"checkbox", "radio"}:
                if "checked" in a or not any(n == name for n, _ in form.fields):
                    form.fields.append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "reset"}:
                form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_value is None or ("selected" in a and value):
                self._select_value = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.fields.append((self._textarea, self._text.strip() or "Текст"))
            self._textarea = None
        elif tag == "form":
            self._form = None


def _forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def _route_regex(path: str) -> re.Pattern[str]:
    return re.compile(
        "^" + PARAM_RE.sub("[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")) + "/?$"
    )


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def _first(db: AsyncSession, query: Any) -> Any:
    value = (await db.execute(query.limit(1))).scalar()
    assert value is not None, f"the sweep's data has no row for {query}"
    return value


async def _school_ids(db: AsyncSession, school: School, region: Region, municipality: Municipality) -> Ids:
    await set_school(db, school.id)
    sid = school.id
    mentee = await _first(
        db,
        select(Consent.participant_id)
        .join(
            MenteeProfile,
            (MenteeProfile.school_id == sid) & (MenteeProfile.participant_id == Consent.participant_id),
        )
        .where(Consent.school_id == sid, Consent.scan_size > 0),
    )
    consent = await _first(db, select(Consent).where(Consent.school_id == sid, Consent.scan_size > 0))
    training = await _first(db, select(MentorTraining).where(MentorTraining.school_id == sid))
    mentor = await _first(
        db, select(MentorProfile.participant_id).where(MentorProfile.id == training.mentor_profile_id)
    )
    pair = await _first(db, select(Mentorship.id).where(Mentorship.school_id == sid))
    plan_item = await _first(
        db,
        select(PlanItem.id)
        .join(DevelopmentPlan, (DevelopmentPlan.school_id == sid) & (DevelopmentPlan.id == PlanItem.plan_id))
        .where(PlanItem.school_id == sid, DevelopmentPlan.mentorship_id == pair),
    )
    attachment = await _first(db, select(RoadmapAttachment).where(RoadmapAttachment.school_id == sid))
    programme = await _first(db, select(Programme.id).where(Programme.school_id == sid))
    stage = await _first(
        db,
        select(ProgrammeStage.id).where(
            ProgrammeStage.school_id == sid, ProgrammeStage.programme_id == programme
        ),
    )
    values = {
        "school_code": school.code,
        "municipality_code": municipality.code,
        "region_code": region.code,
        "year": AcademicYear.current(local_today()).title,
        "mentee.participant_id": str(mentee),
        "consent.participant_id": str(consent.participant_id),
        "consent_id": str(consent.id),
        "mentor.participant_id": str(mentor),
        "training_id": str(training.id),
        "import_id": str(
            await _first(db, select(ParticipantImport.id).where(ParticipantImport.school_id == sid))
        ),
        "partner_id": str(
            await _first(db, select(PartnerOrganization.id).where(PartnerOrganization.school_id == sid))
        ),
        "round_id": str(await _first(db, select(MatchingRound.id).where(MatchingRound.school_id == sid))),
        "matching.fmt": "pdf",
        "mark_id": str(
            await _first(db, select(IncompatibilityMark.id).where(IncompatibilityMark.school_id == sid))
        ),
        "preference_id": str(
            await _first(db, select(MatchingPreference.id).where(MatchingPreference.school_id == sid))
        ),
        "pair_id": str(pair),
        "pairs.item_id": str(plan_item),
        "pairs.fmt": "pdf",
        "section": "goals",
        "meeting_id": str(await _first(db, select(Meeting.id).where(Meeting.school_id == sid))),
        "roadmap.item_id": str(attachment.item_id),
        "roadmap.stage_id": str(stage),
        "attachment_id": str(attachment.id),
        "filename": "order.docx",
        "kind": "order",
        "form_name": "mark",
        **await _questionnaire_ids(db, school),
        **await _completion_ids(db, school),
    }
    await set_school(db, None)
    return Ids(values)


async def _questionnaire_ids(db: AsyncSession, school: School) -> dict[str, str]:
    # An intake answer still waiting for review: every response route (accepting it too) reaches it.
    submitted = SurveyResponse.status == ResponseStatus.SUBMITTED
    response = await _first(
        db,
        select(SurveyResponse)
        .join(
            Survey, (Survey.school_id == SurveyResponse.school_id) & (Survey.id == SurveyResponse.survey_id)
        )
        .join(
            Questionnaire,
            (Questionnaire.school_id == Survey.school_id) & (Questionnaire.id == Survey.questionnaire_id),
        )
        .where(
            SurveyResponse.school_id == school.id,
            submitted,
            SurveyResponse.accepted_at.is_(None),
            Questionnaire.kind.in_(INTAKE_KINDS),
        ),
    )
    survey = await _first(
        db, select(Survey).where(Survey.school_id == school.id, Survey.id == response.survey_id)
    )
    return {
        "questionnaire_id": str(survey.questionnaire_id),
        "survey_id": str(survey.id),
        "response_id": str(response.id),
        "key": next(questions_of(survey.questionnaire.definition)).key,
        "questionnaires.fmt": "csv",
        "monitoring.fmt": "pdf",
    }


async def _completion_ids(db: AsyncSession, school: School) -> dict[str, str]:
    photo = await _first(db, select(SchoolCasePhoto).where(SchoolCasePhoto.school_id == school.id))
    return {
        "case_id": str(photo.case_id),
        "photo_id": str(photo.id),
        "contest_id": str(
            await _first(db, select(SchoolContest.id).where(SchoolContest.school_id == school.id))
        ),
        "incentive_id": str(await _first(db, select(Incentive.id).where(Incentive.school_id == school.id))),
        "document_id": str(
            await _first(db, select(YearDocument.id).where(YearDocument.school_id == school.id))
        ),
        "completion.fmt": "pdf",
    }


async def _directory_ids(db: AsyncSession, school: School, pair: CrossSchoolPair) -> dict[str, str]:
    await set_school(db, school.id)
    entry = await _first(
        db, select(MentorDirectoryEntry.id).where(MentorDirectoryEntry.school_id == school.id)
    )
    await set_school(db, None)
    return {"entry_id": str(entry), "cross_pair_id": str(pair.id), "region.fmt": "pdf"}


async def _template_ids(db: AsyncSession, region: Region) -> dict[str, str]:
    template = await _first(db, select(RoadmapTemplate.id).where(RoadmapTemplate.region_id == region.id))
    stage = await _first(
        db, select(RoadmapTemplateStage.id).where(RoadmapTemplateStage.template_id == template)
    )
    item = await _first(db, select(RoadmapTemplateItem.id).where(RoadmapTemplateItem.stage_id == stage))
    values = {"template_id": str(template), "stage_id": str(stage), "item_id": str(item)}
    return {f"templates.{k}": v for k, v in values.items()}


async def _regional_report_ids(db: AsyncSession, region: Region) -> dict[str, str]:
    """A finished ministry report of the demo region (its files are checked by its own tests)."""
    await set_region(db, region.id)
    report = RegionalReport(
        region_id=region.id,
        academic_year=AcademicYear.current(local_today()).start,
        report_date=local_today(),
        status=ReportStatus.DONE,
        progress=100,
        pdf=PDF,
        docx=b"docx",
        xlsx=b"xlsx",
    )
    db.add(report)
    await db.flush()
    await set_region(db, None)
    return {"regional_report_id": str(report.id), "indicators.fmt": "pdf"}


async def _route_ids(db: AsyncSession, school: School, region: Region) -> dict[str, str]:
    """An individual route of a teacher of the school (not in its mentee bank), with an
    activity holding a product file, a mentor proposal, and an import report of the region."""
    route = await make_route(db, school)
    values = await route_objects(db, school, route)
    await set_region(db, region.id)
    report = ImportReport(kind="route_courses", scope_code=region.code, filename="дпп.xlsx", errors=[])
    db.add(report)
    await db.flush()
    await set_region(db, None)
    await db.commit()
    return values | {"course_report_id": str(report.id), "routes.fmt": "pdf", "number": "1"}


async def _add_objects(sweep: Sweep, who: str, school: School, ids: dict[str, str]) -> None:
    """What the demo data lacks, made as the school's curator would: a consent with its scan,
    a roadmap attachment, an import, an incompatibility mark."""
    browser, token, base = sweep.browsers[who], sweep.token(who), f"/s/{school.code}"
    db = sweep.db
    await set_school(db, school.id)
    mentee = await _first(
        db, select(MenteeProfile.participant_id).where(MenteeProfile.school_id == school.id)
    )
    mentor = await _first(
        db, select(MentorProfile.participant_id).where(MentorProfile.school_id == school.id)
    )
    item = await _first(db, select(RoadmapItem.id).where(RoadmapItem.school_id == school.id))
    await set_school(db, None)
    await db.commit()
    replies = [
        await browser.post(
            f"{base}/participants/{mentee}/consents",
            data={
                "_csrf_token": token,
                "signer": "parent",
                "signer_name": "Родитель Тест Тестович",
                "signed_on": local_today().isoformat(),
                "scopes": ["programme"],
            },
            files={"scan": ("согласие.pdf", PDF, "application/pdf")},
            follow_redirects=False,
        ),
        await browser.post(
            f"{base}/roadmap/{ids['year']}/items/{item}/attachments",
            data={"_csrf_token": token},
            files={"file": ("Приказ.pdf", PDF, "application/pdf")},
            follow_redirects=False,
        ),
        await browser.post(
            f"{base}/participants/import",
            data={"_csrf_token": token, "target": "pupils", "bank": "mentees", "year": ids["year"]},
            files={
                "file": (
                    "ученики.xlsx",
                    _xlsx([["Фамилия", "Имя", "Класс"], ["Импортов", "Тест", "7А"]]),
                    "application/octet-stream",
                )
            },
            follow_redirects=False,
        ),
        await browser.post(
            f"{base}/matching/marks",
            data={"_csrf_token": token, "mentee": str(mentee), "mentor": str(mentor), "note": "Конфликт"},
            follow_redirects=False,
        ),
    ]
    for reply in replies:
        assert reply.status_code in {200, 303}, (reply.request.url, reply.status_code, reply.text[:500])


async def _bank_objects(sweep: Sweep, region: Region, other_region: Region) -> dict[str, dict[str, str]]:
    """The bank's objects, made as their authors would: each school's draft with a file, A's
    practice published by the methodist (with a file), an item of each region's ИРО, adopted
    by A and B into their collections."""
    db, found = sweep.db, {}
    fields = {
        "kind": "practice",
        "title": "Практика для проверки",
        "summary": "Кратко.",
        "description": "Что сделано.",
        "results": "Результаты.",
        "forms": "teacher_teacher",
    }
    drafts: dict[str, list[str]] = {}
    for who, school in (("a_staff", sweep.school_a), ("b_staff", sweep.school_b)):
        browser, token = sweep.browsers[who], sweep.token(who)
        drafts[school.code] = []
        for title in ("Черновик", "Опубликованная"):
            reply = await browser.post(
                f"/s/{school.code}/publications/new",
                data={"_csrf_token": token, **fields, "title": f"{title} {school.name}"},
                follow_redirects=False,
            )
            assert reply.status_code == 303, reply.text[:500]
            item_id = reply.headers["location"].split("/")[-2]
            drafts[school.code].append(item_id)
            upload = await browser.post(
                f"/s/{school.code}/publications/{item_id}/files",
                data={"_csrf_token": token},
                files={"file": ("Отчёт.pdf", PDF, "application/pdf")},
                follow_redirects=False,
            )
            assert upload.status_code == 303, upload.text[:500]
        submit = await browser.post(
            f"/s/{school.code}/publications/{drafts[school.code][1]}/edit",
            data={"_csrf_token": token, **fields, "title": f"Опубликованная {school.name}", "submit": "1"},
            follow_redirects=False,
        )
        assert submit.status_code == 303, submit.text[:500]
    methodist = sweep.browsers["iro_methodist_1"]
    for code in (sweep.school_a.code, sweep.school_b.code):
        approved = await methodist.post(
            f"/r/{region.code}/bank/{drafts[code][1]}/moderate",
            data={"_csrf_token": sweep.token("iro_methodist_1"), "action": "approve"},
            follow_redirects=False,
        )
        assert approved.status_code == 303, approved.text[:500]
    region_items = {}
    for who, r in (("iro_methodist_1", region), ("iro_methodist_2", other_region)):
        reply = await sweep.browsers[who].post(
            f"/r/{r.code}/moderation/new",
            data={"_csrf_token": sweep.token(who), **fields, "title": f"Материал ИРО {r.name}"},
            follow_redirects=False,
        )
        assert reply.status_code == 303, reply.text[:500]
        region_items[r.code] = reply.headers["location"].rsplit("/", 1)[1]
    for who, school in (("a_staff", sweep.school_a), ("b_staff", sweep.school_b)):
        reply = await sweep.browsers[who].post(
            f"/s/{school.code}/bank/{region_items[region.code]}/adopt",
            data={"_csrf_token": sweep.token(who)},
            follow_redirects=False,
        )
        assert reply.status_code == 303, reply.text[:500]
    await set_region(db, None)
    for school in (sweep.school_a, sweep.school_b):
        await set_school(db, school.id)
        entry = await _first(db, select(CollectionItem.id).where(CollectionItem.school_id == school.id))
        draft, published = drafts[school.code]
        files = {
            str(a.item_id): str(a.id)
            for a in (
                await db.execute(select(BankAttachment).where(BankAttachment.item_id.in_([draft, published])))
            ).scalars()
        }
        found[school.code] = {
            "s.bank_item_id": draft,
            "s.bank_file_id": files[draft],
            "r.bank_item_id": published,
            "r.bank_file_id": files[published],
            "collection_item_id": str(entry),
        }
    await set_school(db, None)
    # The other region's own item, with a file its methodist would have attached.
    await set_region(db, other_region.id)
    await db.execute(text("SELECT set_config('app.bank_moderation', :r, true)"), {"r": str(other_region.id)})
    key = AttachmentStore(sweep.settings.storage_dir).save(other_region.id, PDF, folder="bank")
    attachment = BankAttachment(
        item_id=uuid.UUID(region_items[other_region.code]),
        filename="Рекомендации.pdf",
        content_type="application/pdf",
        size_bytes=len(PDF),
        sha256="0" * 64,
        storage_key=key,
    )
    db.add(attachment)
    await db.flush()
    await db.execute(text("SELECT set_config('app.bank_moderation', '', true)"))
    await set_region(db, None)
    await db.commit()
    found["other_region"] = {
        "r.bank_item_id": region_items[other_region.code],
        "r.bank_file_id": str(attachment.id),
    }
    return found


async def _collect_forms(sweep: Sweep, who: str, prefix: str, ids: Ids) -> dict[str, Form]:
    """The forms of every GET page under `prefix` as `who` sees them, by action path."""
    found: dict[str, Form] = {}
    for _, path in _routes(prefix, "GET"):
        reply = await sweep.browsers[who].get(ids.fill(path))
        if reply.status_code == 200 and reply.headers.get("content-type", "").startswith("text/html"):
            for form in _forms_of(reply.text):
                found.setdefault(urlsplit(form.action).path, form)
    return found


@pytest.fixture(scope="module")
async def sweep(settings: Settings, database: DatabaseUrls) -> AsyncIterator[Sweep]:
    engine = create_async_engine(database.app)
    async with engine.connect() as conn:
        transaction = await conn.begin()
        maker = async_sessionmaker(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        app = create_app(settings, database, sessionmaker=maker)
        try:
            async with maker() as db, AsyncTestClient(app, base_url="http://testserver.local") as client:
                yield await _build(app, client, db, settings)
        finally:
            await transaction.rollback()
    await engine.dispose()


async def _build(
    app: Litestar, client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> Sweep:
    assert await seed_demo(db, None)
    ozyorsk = (await db.execute(select(Municipality).where(Municipality.code == "ozyorsk"))).scalar_one()
    school_b = School(
        municipality_id=ozyorsk.id,
        code=f"sb-{uuid.uuid4().hex[:6]}",
        name="Школа Б",
        full_name="МБОУ «Средняя школа Б»",
        kind=SchoolKind.GENERAL,
    )
    db.add(school_b)
    await db.flush()
    await set_school(db, school_b.id)
    for username, last, first, middle, position, roles in DEMO_STAFF[DEMO_SCHOOL_CODE]:
        db.add(
            StaffMember(
                school_id=school_b.id,
                email=f"{username}@demo.nastavnik.local",
                last_name=last,
                first_name=first,
                middle_name=middle,
                position=position,
                roles=roles,
            )
        )
    await db.flush()
    await set_school(db, None)
    other_region = Region(code=f"rg-{uuid.uuid4().hex[:6]}", name="Другая область")
    db.add(other_region)
    await db.flush()
    other_municipality = Municipality(
        region_id=other_region.id, code=f"mo-{uuid.uuid4().hex[:6]}", name="Другой"
    )
    db.add(other_municipality)
    await db.flush()
    schools = {
        s.code: s
        for s in (
            await db.execute(
                select(School).options(selectinload(School.municipality).selectinload(Municipality.region))
            )
        ).scalars()
    }
    school_a, school_b = schools[DEMO_SCHOOL_CODE], schools[school_b.code]
    assert await seed_school_demo(db, school_a)
    assert await seed_school_demo(db, school_b)
    assert await seed_school_completion(db, school_a)
    assert await seed_school_completion(db, school_b)
    # Inter-school pairs of each school with a third one (A ↔ gimn1-zar, B ↔ cdt-ozr).
    cross_pairs = {
        school.id: (
            await cross_school_pair(db, school, schools[other], status=CrossSchoolPairStatus.ACCEPTED)
        )[0]
        for school, other in ((school_a, "gimn1-zar"), (school_b, "cdt-ozr"))
    }
    # And pairs where A and B are the mentor's school (their mentors' own pages).
    mentor_pairs = {
        school.id: (
            await cross_school_pair(db, schools[other], school, status=CrossSchoolPairStatus.REQUESTED)
        )[0]
        for school, other in ((school_a, "gimn1-zar"), (school_b, "cdt-ozr"))
    }
    region = school_a.municipality.region
    assert region.code == DEMO_REGION[0]
    db.add(ImportReport(kind="schools", scope_code=region.code, filename="школы.xlsx", errors=[]))
    await db.commit()

    a, b, mun_a, mun_b = school_a.code, school_b.code, school_a.municipality.code, ozyorsk.code
    people: dict[str, list[Membership]] = {
        "a_staff": [
            Membership(Scope.SCHOOL, a, role) for role in (Role.CURATOR, Role.DIRECTOR, Role.PSYCHOLOGIST)
        ],
        "b_staff": [
            Membership(Scope.SCHOOL, b, role) for role in (Role.CURATOR, Role.DIRECTOR, Role.PSYCHOLOGIST)
        ],
        "b_curator": [Membership(Scope.SCHOOL, b, Role.CURATOR)],
        "b_director": [Membership(Scope.SCHOOL, b, Role.DIRECTOR)],
        "b_psychologist": [Membership(Scope.SCHOOL, b, Role.PSYCHOLOGIST)],
        "b_mentor": [Membership(Scope.SCHOOL, b, Role.MENTOR)],
        "officer_a": [Membership(Scope.MUNICIPALITY, mun_a, Role.MUNICIPAL_OFFICER)],
        "officer_b": [Membership(Scope.MUNICIPALITY, mun_b, Role.MUNICIPAL_OFFICER)],
        "admin": [Membership(Scope.PLATFORM, "platform", Role.PLATFORM_ADMIN)],
    }
    for suffix, code in (("1", region.code), ("2", other_region.code)):
        for role in (Role.IRO_METHODIST, Role.CNPPM_TUTOR, Role.MINISTRY_VIEWER):
            people[f"{role.value}_{suffix}"] = [Membership(Scope.REGION, code, role)]
    cookies, browsers = {}, {}
    for name, memberships in people.items():
        # One staff row per school (make_persona adds one per membership): the first role's.
        firsts = {m.code: m for m in reversed(memberships) if m.scope is Scope.SCHOOL}
        persona = await make_persona(
            db,
            settings,
            f"sweep_{name}",
            [m for m in memberships if m.scope is not Scope.SCHOOL] + list(firsts.values()),
        )
        if len(firsts) < sum(m.scope is Scope.SCHOOL for m in memberships):
            persona = await _with_memberships(db, persona, memberships)
        cookies[name] = persona.cookie
        browsers[name] = PersonaBrowser(client, persona.cookie)

    sweep = Sweep(
        app, client, db, settings, school_a, school_b, region, other_region,
        Ids({}), Ids({}), Ids({}), browsers, cookies,
    )  # fmt: skip
    year = AcademicYear.current(local_today()).title
    await _add_objects(sweep, "a_staff", school_a, {"year": year})
    await _add_objects(sweep, "b_staff", school_b, {"year": year})
    # Each region keeps its own copy of a shipped template, as its methodist makes it.
    shipped = await _first(db, select(RoadmapTemplate.id).where(RoadmapTemplate.region_id.is_(None)))
    for who, code in (("iro_methodist_1", region.code), ("iro_methodist_2", other_region.code)):
        reply = await browsers[who].post(
            f"/r/{code}/templates/{shipped}/copy",
            data={"_csrf_token": sweep.token(who)},
            follow_redirects=False,
        )
        assert reply.status_code in {200, 303}, reply.text[:500]

    bank = await _bank_objects(sweep, region, other_region)

    report = await _first(db, select(ImportReport.id))
    common = {
        "report_id": str(report),
        "admin.template_id": str(shipped),
        "questionnaire_kind": "mentee_intake_pupil",
    }
    common |= await _regional_report_ids(db, region)
    admin_template = await _template_ids(db, region)
    shipped_stage = await _first(
        db, select(RoadmapTemplateStage.id).where(RoadmapTemplateStage.template_id == shipped)
    )
    shipped_item = await _first(
        db, select(RoadmapTemplateItem.id).where(RoadmapTemplateItem.stage_id == shipped_stage)
    )
    common |= {"admin.stage_id": str(shipped_stage), "admin.item_id": str(shipped_item)}
    ids_a = await _school_ids(db, school_a, region, school_a.municipality)
    ids_a.values |= common | admin_template | await _directory_ids(db, school_a, cross_pairs[school_a.id])
    ids_a.values |= bank[school_a.code] | {"mentor_pair_id": str(mentor_pairs[school_a.id].id)}
    ids_b = await _school_ids(db, school_b, region, ozyorsk)
    ids_b.values |= common | admin_template | await _directory_ids(db, school_b, cross_pairs[school_b.id])
    ids_b.values |= bank[school_b.code] | {"mentor_pair_id": str(mentor_pairs[school_b.id].id)}
    ids_a.values |= await _route_ids(db, school_a, region)
    ids_b.values |= await _route_ids(db, school_b, region)
    sweep.ids_a, sweep.ids_b = ids_a, ids_b
    far_school = School(
        municipality_id=other_municipality.id,
        code=f"sf-{uuid.uuid4().hex[:6]}",
        name="Школа другой области",
        full_name="МБОУ «Школа другой области»",
        kind=SchoolKind.GENERAL,
    )
    db.add(far_school)
    await db.flush()
    sweep.ids_other_region = Ids(
        {
            "region_code": other_region.code,
            "municipality_code": other_municipality.code,
            "questionnaire_kind": "mentee_intake_pupil",
        }
        | await _template_ids(db, other_region)
        | await _regional_report_ids(db, other_region)
        | bank["other_region"]
        | await _route_ids(db, far_school, other_region)
    )

    sweep.forms[a] = await _collect_forms(sweep, "a_staff", "/s/", ids_a)
    sweep.forms[b] = await _collect_forms(sweep, "b_staff", "/s/", ids_b)
    sweep.forms["region"] = await _collect_forms(sweep, "iro_methodist_1", "/r/", ids_a)
    sweep.forms["admin"] = await _collect_forms(sweep, "admin", "/admin", ids_a)

    await set_school(db, school_a.id)
    pupils = (
        await db.execute(
            select(Participant).join(
                MenteeProfile,
                (MenteeProfile.school_id == school_a.id) & (MenteeProfile.participant_id == Participant.id),
            )
        )
    ).scalars()
    for pupil in pupils:
        sweep.pupils_a.append(pupil.full_name)
        if pupil.birth_date:
            sweep.pupils_a += [pupil.birth_date.strftime("%d.%m.%Y"), pupil.birth_date.isoformat()]
    await set_school(db, None)
    await db.commit()
    assert len(sweep.pupils_a) > 20
    return sweep


async def _with_memberships(db: AsyncSession, persona: Any, memberships: list[Membership]) -> Any:
    """A second session of the persona's user, holding every membership (several roles in one school)."""
    raw = await create_session(
        db,
        user=persona.user,
        keycloak_sid=str(uuid.uuid4()),
        id_token="test-id-token",
        memberships=memberships,
        max_age_seconds=3600,
    )
    await db.commit()
    return replace(persona, memberships=memberships, cookie=raw)


# ---- requests ---------------------------------------------------------------------------


def _form_for(forms: dict[str, Form], route: str, url: str) -> Form | None:
    """The form that posts to this route: the one for this very URL, else any of the route."""
    exact = forms.get(urlsplit(url).path)
    if exact is not None:
        return exact
    pattern = _route_regex(route)
    return next((f for action, f in forms.items() if pattern.match(action)), None)


async def _post(sweep: Sweep, who: str, route: str, url: str, forms: dict[str, Form]) -> httpx.Response:
    form = _form_for(forms, route, url)
    fields: list[tuple[str, str]] = [(n, v) for n, v in form.fields if n != "_csrf_token"] if form else []
    if not fields:  # no form for it on any page: every field any form of the scope has
        seen: dict[str, str] = {}
        for other in forms.values():
            for name, value in other.fields:
                seen.setdefault(name, value)
        seen.pop("_csrf_token", None)
        fields = list(seen.items())
    data: dict[str, list[str]] = {"_csrf_token": [sweep.token(who)]}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    files = dict.fromkeys(form.files if form else [], ("файл.pdf", PDF, "application/pdf"))
    # The token also goes as htmx sends it: the CSRF check then needs no parse of the upload.
    headers = {CSRF_HEADER: sweep.token(who)}
    reply = await sweep.browsers[who].post(
        url, data=data, files=files or None, headers=headers, follow_redirects=False
    )
    assert not (reply.status_code == 403 and "CSRF" in reply.text), (
        f"{url}: CSRF refused, handler not reached"
    )
    return reply


async def _request(sweep: Sweep, who: str, method: str, route: str, url: str, forms: dict[str, Form]) -> int:
    if method == "GET":
        return (await sweep.browsers[who].get(url, follow_redirects=False)).status_code
    assert method == "POST", f"{method} {route}: the sweep knows GET and POST only; teach it {method}"
    return (await _post(sweep, who, route, url, forms)).status_code


async def _expect_404(
    sweep: Sweep,
    people: list[str],
    method: str,
    route: str,
    url: str,
    forms: dict[str, Form],
    *,
    made_up: str | None = None,
) -> None:
    """404 for everyone; with `made_up` (the same URL with ids that exist nowhere), a member
    whose role does not allow the action may get the 403 that the made-up ids get too:
    the answer then says nothing about the foreign object."""
    before = await sweep.fingerprint() if method != "GET" else None
    answers = {who: await _request(sweep, who, method, route, url, forms) for who in people}
    wrong = {who: status for who, status in answers.items() if status != 404}
    if made_up is not None:
        for who in [w for w, status in wrong.items() if status == 403]:
            if await _request(sweep, who, method, route, made_up, forms) == 403:
                del wrong[who]
        assert 404 in answers.values(), f"{method} {url}: nobody got past the permission check"
    assert not wrong, f"{method} {url}: expected 404 for everyone, got {wrong}"
    if before is not None:
        after = await sweep.fingerprint()
        changed = sorted(t for t in before if before[t] != after[t])
        assert not changed, f"{method} {url} changed school A's data in {changed}"


B_SCHOOL_PEOPLE = ["b_curator", "b_director", "b_psychologist", "b_mentor"]
OTHER_REGION_PEOPLE = ["iro_methodist_2", "cnppm_tutor_2", "ministry_viewer_2"]
NON_ADMINS = ["b_curator", "b_director", "officer_a", "iro_methodist_1", "ministry_viewer_1", "cnppm_tutor_1"]
REGIONAL_READERS = ["officer_a", "iro_methodist_1", "cnppm_tutor_1", "ministry_viewer_1"]


# ---- the sweep --------------------------------------------------------------------------


def test_every_route_is_in_a_tenant_scope_or_allow_listed() -> None:
    routes = _route_table()
    assert len(routes) > 100, "every route of the app is enumerated"
    outside = {
        p
        for _, p in routes
        if not p.startswith(SCOPE_PREFIXES) and not p.startswith(tuple(NOT_TENANT_PREFIXES))
    }
    assert outside == set(NOT_TENANT_SCOPED), (
        "a route outside /s/, /m/, /r/ and /admin is allow-listed with its reason, a stale entry removed: "
        f"{sorted(outside ^ set(NOT_TENANT_SCOPED))}"
    )
    assert {m for m, _ in routes} <= {"GET", "POST"}, "the sweep sends GET and POST only"


@pytest.mark.parametrize("route", _cases(_routes("/s/")))
async def test_school_b_gets_404_on_every_school_a_url(sweep: Sweep, route: tuple[str, str]) -> None:
    method, path = route
    url = sweep.ids_a.fill(path)
    await _expect_404(sweep, B_SCHOOL_PEOPLE, method, path, url, sweep.forms[sweep.school_a.code])


@pytest.mark.parametrize("route", _cases([r for r in _routes("/s/") if _names_an_object(r[1])]))
async def test_school_b_gets_404_on_school_a_ids_in_its_own_urls(
    sweep: Sweep, route: tuple[str, str]
) -> None:
    method, path = route
    own = Ids(sweep.ids_a.values | {"school_code": sweep.school_b.code})
    url = own.fill(path)
    # The control: B's own ids on the same route are found (deletions run last, so every
    # action still finds its object), hence the 404 below comes from the foreign id.
    control = await _request(
        sweep, "b_staff", method, path, sweep.ids_b.fill(path), sweep.forms[sweep.school_b.code]
    )
    assert control != 404, f"{method} {path} with school B's own ids is 404: the sweep reaches nothing"
    made_up = Ids(
        own.values | {k: str(uuid.uuid4()) for k in own.values if k.rsplit(".", 1)[-1] not in NOT_OBJECT_IDS}
    ).fill(path)
    await _expect_404(
        sweep,
        ["b_staff", *B_SCHOOL_PEOPLE],
        method,
        path,
        url,
        sweep.forms[sweep.school_b.code],
        made_up=made_up,
    )


@pytest.mark.parametrize("route", _cases(_routes("/m/")))
async def test_another_municipality_gets_404(sweep: Sweep, route: tuple[str, str]) -> None:
    method, path = route
    own = await sweep.browsers["officer_a"].get(sweep.ids_a.fill(path))
    assert own.status_code == 200, "the municipality's own officer sees the page"
    await _expect_404(sweep, ["officer_b", *OTHER_REGION_PEOPLE], method, path, sweep.ids_a.fill(path), {})


@pytest.mark.parametrize("route", _cases(_routes("/r/")))
async def test_another_region_gets_404(sweep: Sweep, route: tuple[str, str]) -> None:
    method, path = route
    forms = sweep.forms["region"]
    await _expect_404(sweep, [*OTHER_REGION_PEOPLE, "officer_b"], method, path, sweep.ids_a.fill(path), forms)
    if _names_an_object(path):
        # The other region's own URL, the demo region's template ids.
        url = Ids(sweep.ids_a.values | {"region_code": sweep.other_region.code}).fill(path)
        if method == "GET":
            control = await sweep.browsers["iro_methodist_2"].get(sweep.ids_other_region.fill(path))
            assert control.status_code == 200, f"GET {path} with the other region's own ids"
        await _expect_404(sweep, ["iro_methodist_2"], method, path, url, forms)


@pytest.mark.parametrize("route", _cases(_routes("/admin")))
async def test_only_a_platform_admin_reaches_the_admin_area(sweep: Sweep, route: tuple[str, str]) -> None:
    method, path = route
    await _expect_404(sweep, NON_ADMINS, method, path, sweep.ids_a.fill(path), sweep.forms["admin"])


@pytest.mark.parametrize("route", _cases(_routes("/m/", "GET") + _routes("/r/", "GET")))
async def test_regional_pages_show_no_pupil_of_school_a(sweep: Sweep, route: tuple[str, str]) -> None:
    _, path = route
    url = sweep.ids_a.fill(path)
    shown = 0
    for who in REGIONAL_READERS:
        reply = await sweep.browsers[who].get(url)
        assert reply.status_code < 500, (who, reply.status_code)
        if reply.status_code == 200:
            shown += 1
            leaked = [value for value in sweep.pupils_a if value in reply.text]
            assert not leaked, f"{who} sees pupils' personal data on {url}: {leaked[:5]}"
    assert shown, f"{url}: no regional reader got the page, nothing was checked"


def test_the_allow_list_names_no_tenant_route() -> None:
    for path in NOT_TENANT_SCOPED:
        assert not path.startswith(SCOPE_PREFIXES), path
    # A tenant-scoped route always carries its tenant in the URL, the sweep fills it from A.
    for _, path in _route_table():
        if path.startswith("/s/"):
            assert path.startswith("/s/{school_code:str}"), path
        elif path.startswith("/m/"):
            assert path.startswith("/m/{municipality_code:str}"), path
        elif path.startswith("/r/"):
            assert path.startswith("/r/{region_code:str}"), path


async def test_the_fingerprint_sees_a_change_of_school_a(sweep: Sweep) -> None:
    """The check of the POST cases is not vacuous: A's own curator changing A's data shows."""
    before = await sweep.fingerprint()
    url = f"/s/{sweep.school_a.code}/documents/regulation"
    form = sweep.forms[sweep.school_a.code][url]
    fields = dict(form.fields)
    data = fields | {"_csrf_token": sweep.token("a_staff"), "text": fields["text"] + "\n\n## Изменено тестом"}
    reply = await sweep.browsers["a_staff"].post(url, data=data, follow_redirects=False)
    assert reply.status_code == 303
    after = await sweep.fingerprint()
    assert "school_regulation" in {t for t in before if before[t] != after[t]}
