"""ИОМ pages: the tutor's caseload and the methodist's assignments at `/r/<region>/routes`,
the route in the school (curator, teacher, mentor) at `/s/<school>/routes`; both render the
same route screens (`routes/route.html`, one per step: `?step=N`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template
from sqlalchemy import select

from nastavnik.platform import audit
from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.db import set_region
from nastavnik.platform.documents.rendering import off_loop
from nastavnik.platform.imports import ImportReport, errors_csv
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx, request_id_of
from nastavnik.regional.mentor_search import pairs as pair_svc
from nastavnik.regional.mentor_search import services as directory_search

# `diagnosis` also registers the listener that copies self-diagnosis scores into the routes.
from nastavnik.regional.routes import catalogue, diagnosis, figures, services
from nastavnik.regional.routes.access import (
    RegionRouteScope,
    SchoolRouteScope,
    region_route_scope,
    school_route_scope,
)
from nastavnik.regional.routes.documents import caseload_document, iom_document
from nastavnik.regional.routes.models import (
    ACTIVITY_KIND_TITLES,
    ACTIVITY_STATUS_TITLES,
    PROPOSAL_STATUS_TITLES,
    RESOURCE_KIND_TITLES,
    ROUTE_STATUS_TITLES,
    STEP_HINTS,
    STEP_STATUS_TITLES,
    STEP_TITLES,
    IndividualRoute,
    ProposalStatus,
    RouteActivity,
    RouteMentorProposal,
    StepStatus,
)
from nastavnik.school.directory.models import (
    CROSS_SCHOOL_PAIR_STATUS_TITLES,
    CrossSchoolMeeting,
    CrossSchoolPair,
    MentorDirectoryEntry,
)
from nastavnik.school.participants.consent_rules import has_valid_consent
from nastavnik.school.participants.models import MentorProfile, MentorStatus, Participant, local_today
from nastavnik.school.participants.models import mentor_competency as mentor_competency_table
from nastavnik.school.roadmap.storage import UploadRejectedError, check_upload
from nastavnik.tenants.dependencies import (
    Page,
    RegionController,
    RegionScope,
    SchoolController,
    SchoolScope,
    requires,
)
from nastavnik.tenants.models import Municipality
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind

AnyRequest = Request[Any, Any, Any]
UPLOAD_BODY_LIMIT = 16 * 1024 * 1024
STEP_FIELDS = ("status", "content")
OWN_MENTORS = 20


@dataclass
class Abilities:
    """What the person may do on the route's screens."""

    tutor: bool = False
    curator: bool = False
    teacher: bool = False
    assign: bool = False
    steps: frozenset[int] = frozenset()


@dataclass
class Screen:
    """The route's screens' context beyond the route itself (forms with errors, search)."""

    step: int = 0
    forms: dict[str, Form] = field(default_factory=dict)
    area: str = ""
    own_mentors: list[dict[str, Any]] = field(default_factory=list)
    region_mentors: list[MentorDirectoryEntry] = field(default_factory=list)
    mentor_window: Any = None


def _step_of(request: AnyRequest) -> int:
    raw = request.query_params.get("step", "")
    return int(raw) if isinstance(raw, str) and raw.isdigit() and 0 <= int(raw) <= 7 else 0


async def _pairs_of(
    db: DB, proposals: list[RouteMentorProposal]
) -> dict[Any, tuple[CrossSchoolPair, list[CrossSchoolMeeting]]]:
    ids = [p.cross_school_pair_id for p in proposals if p.cross_school_pair_id]
    if not ids:
        return {}
    pairs = (await db.execute(select(CrossSchoolPair).where(CrossSchoolPair.id.in_(ids)))).scalars().all()
    found: dict[Any, tuple[CrossSchoolPair, list[CrossSchoolMeeting]]] = {}
    for pair in pairs:
        found[pair.id] = (pair, list(await pair_svc.meetings_of(db, pair)))
    return found


async def _render(
    request: AnyRequest,
    db: DB,
    page: Page,
    route: IndividualRoute,
    *,
    base: str,
    list_url: str,
    can: Abilities,
    screen: Screen,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    view = await services.route_view(db, route)
    return await page(
        "routes/route.html",
        status_code=status_code,
        view=view,
        route=route,
        base=base,
        list_url=list_url,
        can=can,
        screen=screen,
        pairs=await _pairs_of(db, list(view.proposals)),
        step_titles=STEP_TITLES,
        step_hints=STEP_HINTS,
        step_status_titles=STEP_STATUS_TITLES,
        route_status_titles=ROUTE_STATUS_TITLES,
        activity_kind_titles=ACTIVITY_KIND_TITLES,
        activity_status_titles=ACTIVITY_STATUS_TITLES,
        proposal_status_titles=PROPOSAL_STATUS_TITLES,
        pair_status_titles=CROSS_SCHOOL_PAIR_STATUS_TITLES,
        deficit_below=figures.DEFICIT_BELOW,
        status_options=[(st.value, title) for st, title in STEP_STATUS_TITLES.items()],
        area_options=[(a.code, a.title) for a in view.areas],
        **(extra or {}),
    )


def _teacher_options(choices: list[services.TeacherChoice]) -> dict[str, Any]:
    return {"teachers": choices, "teacher_options": [(str(c.participant_id), c.title) for c in choices]}


def _dates_of(start: Any, end: Any) -> str:
    if start is None:
        return ""
    return f", {start:%d.%m.%Y}" + (f"–{end:%d.%m.%Y}" if end else "")


def _author(user: CurrentUser, role: str) -> str:
    u = user.user
    name = " ".join(p for p in (u.last_name, u.first_name, u.middle_name) if p) or u.username
    return f"{name} ({role})"


async def _document(view: services.RouteView, fmt: str) -> Response[bytes]:
    if fmt not in ("pdf", "docx"):
        raise NotFoundException
    document = iom_document(view)
    content = await off_loop(d.render_pdf if fmt == "pdf" else d.render_docx, document)
    return Response(
        content,
        media_type=d.PDF_MEDIA_TYPE if fmt == "pdf" else d.DOCX_MEDIA_TYPE,
        headers={"Content-Disposition": d.content_disposition(f"ИОМ {view.route.teacher_name}.{fmt}")},
    )


def _file_response(activity: RouteActivity, content: bytes | None) -> Response[bytes]:
    if not content:
        raise NotFoundException
    return Response(
        content,
        media_type=activity.product_media_type or "application/octet-stream",
        headers={"Content-Disposition": d.content_disposition(activity.product_filename or "продукт")},
    )


async def _upload(request: AnyRequest, form: Form) -> tuple[str, bytes, str] | None:
    data = await request.form()
    upload = data.get("product_file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read(services.PRODUCT_MAX_BYTES + 1)
    try:
        checked = check_upload(upload.filename, content, services.PRODUCT_MAX_BYTES)
    except UploadRejectedError as exc:
        form.error("product_file", str(exc))
        return None
    return checked.filename, checked.data, checked.content_type


# ==== the region's side ==================================================================

RegionRouteScopeDep = NamedDependency[SkipValidation[RegionRouteScope]]


async def provide_region_routes(db: DB, workspace: RegionScope, user: CurrentUser) -> RegionRouteScope:
    return await region_route_scope(db, workspace, user)


class RegionRoutesController(RegionController):
    """`/r/<region>/routes`: ЦНППМ tutors (their caseload) and ИРО methodists (assignments)."""

    path = "/r/{region_code:str}/routes"
    dependencies = {  # noqa: RUF012
        **RegionController.dependencies,
        "routes": Provide(provide_region_routes),
    }
    guards = [  # noqa: RUF012
        *RegionController.guards,
        requires(Permission.REGION_ROUTES_GUIDE, Permission.REGION_ROUTES_ASSIGN, hidden=True),
    ]

    @get("/", name="routes:region_index")
    async def index(
        self, request: AnyRequest, page: Page, routes: RegionRouteScopeDep, *, db: DB
    ) -> Template:
        q = str(request.query_params.get("q", "")).strip()[:100]
        number = page_number(request.query_params)
        context: dict[str, Any] = {"q": q, "scope": routes}
        if routes.tutor is not None:
            rows, window = await services.caseload(db, routes.tutor, number, q)
            context |= {"steps": await services.caseload_steps(db, routes.tutor)}
        elif routes.coordinator:
            waiting = request.query_params.get("waiting") == "1"
            rows, window = await services.region_routes(db, routes.region, number, waiting_only=waiting, q=q)
            context |= {
                "waiting": waiting,
                "waiting_count": await services.waiting_count(db, routes.region),
                "tutors": await services.tutors_with_load(db, routes.region),
            }
        else:
            rows, window = [], None
        params = {"q": q, "waiting": "1" if context.get("waiting") else ""}
        return await page(
            "routes/_caseload_rows.html" if is_htmx(request) else "routes/caseload.html",
            rows=rows,
            window=window.linked(routes.base + "/", params, target="#route-rows") if window else None,
            step_titles=STEP_TITLES,
            route_status_titles=ROUTE_STATUS_TITLES,
            **context,
        )

    # --- methodists: assignments ------------------------------------------------------

    async def _assign_page(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        routes: RegionRouteScope,
        user: CurrentUser,
        form: Form,
        status_code: int = 200,
    ) -> Template:
        if not routes.coordinator:
            raise PermissionDeniedException
        schools = await services.schools_of_region(db, routes.region)
        code = form.value("school") or str(request.query_params.get("school", ""))
        school = next((s for s in schools if s.code == code), None)
        candidates = await services.region_teacher_candidates(db, school) if school else []
        if school is not None:
            # The teachers' names of another organisation: read by the region's methodist.
            await audit.record(
                db,
                action="route_candidates.read",
                actor_id=user.user.id,
                school_id=school.id,
                object_type="school",
                object_id=str(school.id),
                request_id=request_id_of(request),
            )
        form.data.setdefault("school", code)
        return await page(
            "routes/assign.html",
            status_code=status_code,
            scope=routes,
            schools=schools,
            school=school,
            candidates=candidates,
            candidate_options=[
                (str(c.participant_id), c.full_name + (f" — {c.position}" if c.position else ""))
                for c in candidates
            ],
            tutor_options=[
                (str(t.tutor.id), f"{t.tutor.full_name} — ведёт {t.routes}")
                for t in await services.tutors_with_load(db, routes.region)
            ],
            form=form,
        )

    @get("/assign", name="routes:assign_form")
    async def assign_form(
        self, request: AnyRequest, page: Page, routes: RegionRouteScopeDep, *, db: DB, user: CurrentUser
    ) -> Template:
        return await self._assign_page(request, db, page, routes, user, Form())

    @post("/assign", name="routes:assign")
    async def assign(
        self, request: AnyRequest, page: Page, routes: RegionRouteScopeDep, *, db: DB, user: CurrentUser
    ) -> Template | Redirect:
        if not routes.coordinator:
            raise PermissionDeniedException
        form = Form.from_mapping(await request.form(), ("school", "teacher", "tutor"))
        route = await services.assign_new(db, routes.region, form, user_id=user.user.id)
        if route is None:
            return await self._assign_page(request, db, page, routes, user, form, status_code=422)
        user.flash("success", f"{route.teacher_name}: маршрут ведёт тьютор {route.tutor_name}.")
        return Redirect(f"{routes.base}/{route.id}", status_code=303)

    @post("/{route_id:str}/tutor", name="routes:assign_tutor")
    async def assign_existing(
        self,
        request: AnyRequest,
        page: Page,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Template | Redirect:
        if not routes.coordinator:
            raise PermissionDeniedException
        route = await self._route(db, routes, route_id)
        form = Form.from_mapping(await request.form(), ("tutor",))
        if not await services.assign_from_form(db, routes.region, route, form, user_id=user.user.id):
            return await self._show(
                request, db, page, routes, route, user, Screen(forms={"tutor": form}), 422
            )
        user.flash("success", f"Тьютор назначен: {route.tutor_name}.")
        return Redirect(f"{routes.base}/{route.id}", status_code=303)

    # --- catalogues ------------------------------------------------------------------

    async def _courses_page(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        routes: RegionRouteScope,
        *,
        result: catalogue.ImportResult | None = None,
        resource_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        q = str(request.query_params.get("q", "")).strip()[:100]
        area = str(request.query_params.get("area", "")).strip()[:60]
        rows, window = await services.courses_page(
            db, routes.region, page_number(request.query_params), q, area
        )
        areas = await services.deficit_areas(db)
        return await page(
            "routes/courses.html",
            status_code=status_code,
            scope=routes,
            rows=rows,
            window=window.linked(routes.base + "/courses", {"q": q, "area": area}),
            q=q,
            area=area,
            areas=areas,
            area_titles={a.code: a.short_title or a.title for a in areas},
            resources=await services.resources(db, routes.region),
            resource_kind_titles=RESOURCE_KIND_TITLES,
            result=result,
            resource_form=resource_form or Form(),
        )

    @get("/courses", name="routes:courses")
    async def courses(
        self, request: AnyRequest, page: Page, routes: RegionRouteScopeDep, *, db: DB
    ) -> Template:
        return await self._courses_page(request, db, page, routes)

    @post("/courses/import", name="routes:courses_import", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def import_courses(
        self, request: AnyRequest, page: Page, routes: RegionRouteScopeDep, *, db: DB, user: CurrentUser
    ) -> Template | Redirect:
        if not routes.coordinator:
            raise PermissionDeniedException
        data = await request.form()
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            result = catalogue.ImportResult(message="Выберите файл XLSX или CSV с программами.")
        else:
            content = await upload.read(catalogue.MAX_BYTES + 1)
            areas = await services.deficit_areas(db)
            result = await catalogue.import_courses(
                db,
                routes.region,
                upload.filename,
                content,
                area_titles={a.code: a.short_title or a.title for a in areas},
                user_id=user.user.id,
            )
        if result.message:
            return await self._courses_page(request, db, page, routes, result=result, status_code=422)
        user.flash(
            "success",
            f"Каталог обновлён: добавлено программ — {result.created}, обновлено — {result.updated}.",
        )
        return Redirect(f"{routes.base}/courses", status_code=303)

    @get("/courses/sample.xlsx", name="routes:courses_sample")
    async def courses_sample(self, routes: RegionRouteScopeDep) -> Response[bytes]:
        del routes
        table = d.Table(
            columns=[d.Column(h) for h in catalogue.sample_rows()[0]],
            rows=catalogue.sample_rows()[1:],
        )
        return Response(
            d.render_xlsx([("Программы", table)]),
            media_type=d.XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": d.content_disposition("Образец каталога ДПП.xlsx")},
        )

    @get("/courses/import-reports/{course_report_id:str}", name="routes:courses_report")
    async def course_report(
        self, routes: RegionRouteScopeDep, *, db: DB, course_report_id: FromPath[str]
    ) -> Response[bytes]:
        key = services.parse_uuid(course_report_id)
        report = await db.get(ImportReport, key) if key else None
        if report is None or report.kind != "route_courses" or report.scope_code != routes.region.code:
            raise NotFoundException
        return Response(
            errors_csv(report.row_errors()),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": d.content_disposition("Ошибки загрузки каталога.csv")},
        )

    @post("/resources", name="routes:resource_add")
    async def add_resource(
        self, request: AnyRequest, page: Page, routes: RegionRouteScopeDep, *, db: DB, user: CurrentUser
    ) -> Template | Redirect:
        if not routes.coordinator:
            raise PermissionDeniedException
        data = await request.form()
        form = Form.from_mapping(data, services.RESOURCE_FIELDS)
        known = {a.code for a in await services.deficit_areas(db)}
        areas = [a for a in data.getall("areas", []) if a in known]
        if await services.add_resource(db, routes.region, form, areas) is None:
            return await self._courses_page(request, db, page, routes, resource_form=form, status_code=422)
        user.flash("success", "Добавлено в каталог площадок и сообществ.")
        return Redirect(f"{routes.base}/courses#resources", status_code=303)

    # --- the tutor's report -------------------------------------------------------------

    @get("/report/{fmt:str}", name="routes:caseload_report")
    async def caseload_report(
        self, routes: RegionRouteScopeDep, *, db: DB, fmt: FromPath[str]
    ) -> Response[bytes]:
        if routes.tutor is None or fmt not in ("pdf", "docx"):
            raise NotFoundException
        rows = await services.caseload_report_rows(db, routes.tutor)
        areas = await services.deficit_areas(db)
        document = caseload_document(
            routes.tutor,
            rows,
            {a.code: a.short_title or a.title for a in areas},
            routes.region.name,
            local_today(),
        )
        content = await off_loop(d.render_pdf if fmt == "pdf" else d.render_docx, document)
        return Response(
            content,
            media_type=d.PDF_MEDIA_TYPE if fmt == "pdf" else d.DOCX_MEDIA_TYPE,
            headers={"Content-Disposition": d.content_disposition(f"Отчёт тьютора.{fmt}")},
        )

    # --- one route ----------------------------------------------------------------------

    async def _route(self, db: DB, routes: RegionRouteScope, route_id: str) -> IndividualRoute:
        route = await services.get_route(db, route_id)
        # The policies already hide others' routes; the check keeps a methodist who is also a
        # tutor from acting as the tutor of a route that is not theirs.
        if route is None or (
            not routes.coordinator and (routes.tutor is None or route.tutor_id != routes.tutor.id)
        ):
            raise NotFoundException
        return route

    def _can(self, routes: RegionRouteScope, route: IndividualRoute) -> Abilities:
        tutor = routes.tutor is not None and route.tutor_id == routes.tutor.id
        return Abilities(
            tutor=tutor, assign=routes.coordinator, steps=frozenset(range(1, 8)) if tutor else frozenset()
        )

    def _tutor_route(self, routes: RegionRouteScope, route: IndividualRoute) -> None:
        if routes.tutor is None or route.tutor_id != routes.tutor.id:
            raise PermissionDeniedException

    async def _show(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        routes: RegionRouteScope,
        route: IndividualRoute,
        user: CurrentUser,
        screen: Screen | None = None,
        status_code: int = 200,
    ) -> Template:
        screen = screen or Screen(step=_step_of(request))
        if not screen.step and status_code == 200:
            screen.step = _step_of(request)
        await services.audit_read(
            db, route, actor_id=user.user.id, request_id=request_id_of(request), who=routes.who
        )
        can = self._can(routes, route)
        extra: dict[str, Any] = {}
        if can.tutor and screen.step == 4:
            extra["course_options"] = [
                (
                    str(c.id),
                    f"{c.title} — {c.provider}, {c.hours} ч, {c.format}" + _dates_of(c.starts_on, c.ends_on),
                )
                for c in await services.course_choices(db, routes.region)
            ]
            extra["resource_options"] = [
                (
                    str(r.id),
                    f"{RESOURCE_KIND_TITLES[r.kind]}: {r.title}"
                    + (f" ({r.organisation})" if r.organisation else ""),
                )
                for r in await services.resources(db, routes.region)
            ]
        if can.assign:
            extra["tutor_options"] = [
                (str(t.tutor.id), f"{t.tutor.full_name} — ведёт {t.routes}")
                for t in await services.tutors_with_load(db, routes.region)
            ]
        area = str(request.query_params.get("area", ""))[:60]
        if can.tutor and area and status_code == 200:
            screen.area = area
            await self._mentors(db, routes, route, screen, request)
        return await _render(
            request,
            db,
            page,
            route,
            base=f"{routes.base}/{route.id}",
            list_url=routes.base + "/",
            can=can,
            screen=screen,
            extra=extra,
            status_code=status_code,
        )

    async def _mentors(
        self, db: DB, routes: RegionRouteScope, route: IndividualRoute, screen: Screen, request: AnyRequest
    ) -> None:
        own = await db.execute(
            select(MentorDirectoryEntry)
            .where(
                MentorDirectoryEntry.school_id == route.school_id,
                MentorDirectoryEntry.competency_codes.contains([screen.area]),
            )
            .order_by(MentorDirectoryEntry.full_name)
            .limit(OWN_MENTORS)
        )
        screen.own_mentors = [_entry_card(e) for e in own.scalars()]
        query = directory_search.MentorQuery(competency=screen.area, page=page_number(request.query_params))
        rows, window = await directory_search.search(
            db, query, routes.region.id, exclude_school_id=route.school_id
        )
        screen.region_mentors = [entry for entry, _ in rows]
        screen.mentor_window = window.linked(
            f"{routes.base}/{route.id}", {"step": str(screen.step or 3), "area": screen.area}
        )

    @get("/{route_id:str}", name="routes:region_route")
    async def route(
        self,
        request: AnyRequest,
        page: Page,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Template:
        return await self._show(request, db, page, routes, await self._route(db, routes, route_id), user)

    @post("/{route_id:str}/steps/{number:int}", name="routes:region_step")
    async def save_step(
        self,
        request: AnyRequest,
        page: Page,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
        number: FromPath[int],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        self._tutor_route(routes, route)
        if number not in STEP_TITLES:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), STEP_FIELDS)
        if not await services.save_step(db, route, number, form, author=_author(user, "тьютор")):
            return await self._show(
                request, db, page, routes, route, user, Screen(number, {"step": form}), 422
            )
        user.flash("success", f"Шаг {number} «{STEP_TITLES[number]}» сохранён.")
        return Redirect(f"{routes.base}/{route.id}?step={number}", status_code=303)

    @post("/{route_id:str}/assessment", name="routes:region_assessment")
    async def assessment(
        self,
        request: AnyRequest,
        page: Page,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        self._tutor_route(routes, route)
        areas = await services.deficit_areas(db)
        form = Form.from_mapping(await request.form(), tuple(f"score_{a.code}" for a in areas))
        ok = await services.save_assessment(
            db, route, form, who="tutor", areas=areas, author=_author(user, "тьютор")
        )
        step = 3 if route.diagnosis_round == 1 else 7
        if not ok:
            return await self._show(
                request, db, page, routes, route, user, Screen(step, {"assessment": form}), 422
            )
        user.flash("success", "Оценка тьютора сохранена: профиль пересчитан.")
        return Redirect(f"{routes.base}/{route.id}?step={step}", status_code=303)

    @post("/{route_id:str}/activities", name="routes:region_activity_add")
    async def add_activity(
        self,
        request: AnyRequest,
        page: Page,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        self._tutor_route(routes, route)
        data = await request.form()
        form = Form.from_mapping(data, services.ACTIVITY_FIELDS)
        areas = list(dict.fromkeys(data.getall("areas", [])))
        form.data["areas"] = areas
        known = {a.code for a in await services.deficit_areas(db)}
        activity = await services.add_activity(
            db, routes.region, route, form, areas, known_areas=known, author=_author(user, "тьютор")
        )
        if activity is None:
            return await self._show(
                request, db, page, routes, route, user, Screen(4, {"activity": form}), 422
            )
        user.flash("success", f"В дорожную карту добавлено: {activity.title}.")
        return Redirect(f"{routes.base}/{route.id}?step=4#activity-{activity.id}", status_code=303)

    @post("/{route_id:str}/activities/{activity_id:str}", name="routes:region_activity_change")
    async def change_activity(
        self,
        request: AnyRequest,
        page: Page,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
        activity_id: FromPath[str],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        activity = await services.get_activity(db, route, activity_id)
        if activity is None:
            raise NotFoundException
        self._tutor_route(routes, route)
        form = Form.from_mapping(await request.form(), ("status", "starts_on", "ends_on", "reason"))
        if not await services.change_activity(db, route, activity, form, author=_author(user, "тьютор")):
            return await self._show(
                request, db, page, routes, route, user, Screen(6, {f"change_{activity.id}": form}), 422
            )
        user.flash("success", "Изменение внесено в дорожную карту, версия сохранена.")
        return Redirect(f"{routes.base}/{route.id}?step=6", status_code=303)

    @post("/{route_id:str}/roadmap/approve", name="routes:region_roadmap_approve")
    async def approve(
        self,
        request: AnyRequest,
        page: Page,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        self._tutor_route(routes, route)
        form = Form.from_mapping(await request.form(), ("reason",))
        if not await services.approve_roadmap(db, route, form, author=_author(user, "тьютор")):
            return await self._show(request, db, page, routes, route, user, Screen(4, {"approve": form}), 422)
        user.flash("success", "Дорожная карта утверждена (версия 1). Дальнейшие изменения — с причиной.")
        return Redirect(f"{routes.base}/{route.id}?step=4", status_code=303)

    @post("/{route_id:str}/rediagnosis", name="routes:region_rediagnosis")
    async def rediagnosis(
        self, page: Page, routes: RegionRouteScopeDep, *, db: DB, user: CurrentUser, route_id: FromPath[str]
    ) -> Redirect:
        del page
        route = await self._route(db, routes, route_id)
        self._tutor_route(routes, route)
        await services.start_rediagnosis(db, route, _author(user, "тьютор"))
        user.flash("success", "Назначена повторная диагностика: анкеты педагог получит в своём кабинете.")
        return Redirect(f"{routes.base}/{route.id}?step=7", status_code=303)

    @post("/{route_id:str}/reflection", name="routes:region_reflection")
    async def reflection(
        self,
        request: AnyRequest,
        page: Page,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        self._tutor_route(routes, route)
        areas = await services.deficit_areas(db)
        form = Form.from_mapping(await request.form(), tuple(f"reflection_{a.code}" for a in areas))
        if not await services.save_reflection(db, route, form, areas=areas, author=_author(user, "тьютор")):
            return await self._show(
                request, db, page, routes, route, user, Screen(7, {"reflection": form}), 422
            )
        user.flash("success", "Рефлексия сохранена.")
        return Redirect(f"{routes.base}/{route.id}?step=7", status_code=303)

    @post("/{route_id:str}/mentors", name="routes:region_propose")
    async def propose(
        self,
        request: AnyRequest,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Redirect:
        route = await self._route(db, routes, route_id)
        self._tutor_route(routes, route)
        data = await request.form()
        area = str(data.get("area", ""))[:60]
        entry = await directory_search.get_entry(db, str(data.get("entry", "")))
        if entry is None or area not in {a.code for a in await services.deficit_areas(db)}:
            user.flash("error", "Наставник не найден в базе региона: обновите поиск.")
            return Redirect(f"{routes.base}/{route.id}?step=3&area={area}", status_code=303)
        proposal = await services.propose_mentor(
            db,
            route,
            area=area,
            mentor_school_id=entry.school_id,
            mentor_profile_id=entry.mentor_profile_id,
            mentor_name=entry.full_name,
            mentor_position=entry.position,
            mentor_school_name=entry.school_name,
            competency_titles=list(entry.competency_titles),
            note=str(data.get("note", "")),
            author=_author(user, "тьютор"),
        )
        if proposal is None:
            user.flash("error", "Этот наставник уже предложен по этому дефициту.")
        else:
            user.flash("success", f"Наставник {entry.full_name} предложен: куратор школы оформит пару.")
        return Redirect(f"{routes.base}/{route.id}?step=3#proposals", status_code=303)

    @get("/{route_id:str}/iom/{fmt:str}", name="routes:region_iom")
    async def iom(
        self,
        request: AnyRequest,
        routes: RegionRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
        fmt: FromPath[str],
    ) -> Response[bytes]:
        route = await self._route(db, routes, route_id)
        await services.audit_read(
            db, route, actor_id=user.user.id, request_id=request_id_of(request), who=routes.who
        )
        return await _document(await services.route_view(db, route), fmt)

    @get("/{route_id:str}/activities/{activity_id:str}/file", name="routes:region_product")
    async def product(
        self, routes: RegionRouteScopeDep, *, db: DB, route_id: FromPath[str], activity_id: FromPath[str]
    ) -> Response[bytes]:
        route = await self._route(db, routes, route_id)
        activity = await services.get_activity(db, route, activity_id)
        if activity is None:
            raise NotFoundException
        return _file_response(activity, await services.product_file(db, activity))


def _entry_card(entry: MentorDirectoryEntry) -> dict[str, Any]:
    return {
        "entry_id": str(entry.id),
        "profile_id": "",
        "name": entry.full_name,
        "position": entry.position,
        "school": entry.school_name,
        "competencies": list(entry.competency_titles),
        "subjects": list(entry.subjects),
        "free": max(entry.capacity - entry.load, 0),
    }


class RegionRouteIndicatorsController(RegionController):
    """`/r/<region>/routes-indicators`: deficits, steps, courses — from the routes' projection."""

    path = "/r/{region_code:str}/routes-indicators"
    guards = [*RegionController.guards, requires(Permission.REGION_INDICATORS_VIEW)]  # noqa: RUF012

    @get("/", name="routes:indicators")
    async def indicators(
        self, request: AnyRequest, page: Page, workspace: RegionScope, *, db: DB
    ) -> Template:
        region = workspace.region
        municipalities = (
            (
                await db.execute(
                    select(Municipality)
                    .where(Municipality.region_id == region.id)
                    .order_by(Municipality.name)
                )
            )
            .scalars()
            .all()
        )
        raw = str(request.query_params.get("municipality", ""))
        chosen = next((m for m in municipalities if str(m.id) == raw), None)
        areas = await services.deficit_areas(db)
        titles = {a.code: a.short_title or a.title for a in areas}
        figures_ = await figures.indicators(
            db, region.id, chosen.id if chosen else None, titles, {m.id: m.name for m in municipalities}
        )
        return await page(
            "routes/indicators.html",
            figures=figures_,
            area_titles=titles,
            municipalities=municipalities,
            chosen=chosen,
        )


# ==== the school's side ==================================================================

SchoolRouteScopeDep = NamedDependency[SkipValidation[SchoolRouteScope]]


async def provide_school_routes(db: DB, workspace: SchoolScope, user: CurrentUser) -> SchoolRouteScope:
    return await school_route_scope(db, workspace, user)


class SchoolRoutesController(SchoolController):
    """`/s/<school>/routes`: the school's routes (curator), the teacher's own, a mentor's mentees'."""

    path = "/s/{school_code:str}/routes"
    dependencies = {  # noqa: RUF012
        **SchoolController.dependencies,
        "routes": Provide(provide_school_routes),
    }

    @get("/", name="routes:school_index")
    async def index(
        self, request: AnyRequest, page: Page, routes: SchoolRouteScopeDep, *, db: DB
    ) -> Template | Redirect:
        school = routes.school
        if routes.manager:
            rows, window = await services.school_routes(db, school, page_number(request.query_params))
            return await page(
                "routes/school_index.html",
                rows=rows,
                window=window.linked(routes.base + "/"),
                **_teacher_options(await services.school_teacher_choices(db, school)),
                form=Form(),
                route_status_titles=ROUTE_STATUS_TITLES,
                step_titles=STEP_TITLES,
            )
        own = await services.routes_of_participants(
            db, school, [p for p in (routes.own_participant_id,) if p is not None]
        )
        mentees = await services.routes_of_participants(db, school, sorted(routes.mentee_ids))
        if own and not mentees:
            return Redirect(f"{routes.base}/{own[0].id}", status_code=303)
        return await page(
            "routes/school_own.html",
            own=own,
            mentees=mentees,
            route_status_titles=ROUTE_STATUS_TITLES,
            step_titles=STEP_TITLES,
        )

    @post("/", name="routes:school_request", guards=[requires(Permission.SCHOOL_ROUTES_MANAGE)])
    async def request_tutor(
        self, request: AnyRequest, page: Page, routes: SchoolRouteScopeDep, *, db: DB, user: CurrentUser
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), ("teacher", "note"))
        route = await services.request_route(db, routes.school, form, user_id=user.user.id)
        if route is None:
            rows, window = await services.school_routes(db, routes.school, 1)
            return await page(
                "routes/school_index.html",
                status_code=422,
                rows=rows,
                window=window.linked(routes.base + "/"),
                **_teacher_options(await services.school_teacher_choices(db, routes.school)),
                form=form,
                route_status_titles=ROUTE_STATUS_TITLES,
                step_titles=STEP_TITLES,
            )
        user.flash(
            "success", f"Запрос отправлен в ЦНППМ: методист назначит тьютора для {route.teacher_name}."
        )
        return Redirect(f"{routes.base}/{route.id}", status_code=303)

    async def _route(self, db: DB, routes: SchoolRouteScope, route_id: str) -> IndividualRoute:
        route = await services.get_route(db, route_id, routes.school)
        if route is None or not routes.may_see(route):
            raise NotFoundException
        return route

    def _can(self, routes: SchoolRouteScope, route: IndividualRoute) -> Abilities:
        teacher = routes.is_teacher_of(route)
        steps = frozenset({1, 2, 7}) if teacher else frozenset()
        return Abilities(curator=routes.manager, teacher=teacher, steps=steps)

    async def _show(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        routes: SchoolRouteScope,
        route: IndividualRoute,
        screen: Screen | None = None,
        status_code: int = 200,
    ) -> Template:
        screen = screen or Screen(step=_step_of(request))
        can = self._can(routes, route)
        extra: dict[str, Any] = {}
        if screen.step in (3, 7):
            extra["responses"] = {
                r: await diagnosis.round_responses(db, routes.school, route, r) for r in (1, 2)
            }
        area = str(request.query_params.get("area", ""))[:60]
        if can.curator and area and status_code == 200:
            screen.area = area
            await self._mentors(db, routes, route, screen, request)
        return await _render(
            request,
            db,
            page,
            route,
            base=f"{routes.base}/{route.id}",
            list_url=routes.base + "/",
            can=can,
            screen=screen,
            extra=extra,
            status_code=status_code,
        )

    async def _mentors(
        self, db: DB, routes: SchoolRouteScope, route: IndividualRoute, screen: Screen, request: AnyRequest
    ) -> None:
        """The school's own bank first (every mentor with the competency), then the region's."""
        school = routes.school
        year = AcademicYear.current(local_today()).start
        own = await db.execute(
            select(MentorProfile, Participant)
            .join(
                Participant,
                (Participant.school_id == MentorProfile.school_id)
                & (Participant.id == MentorProfile.participant_id),
            )
            .join(
                mentor_competency_table,
                (mentor_competency_table.c.school_id == MentorProfile.school_id)
                & (mentor_competency_table.c.mentor_profile_id == MentorProfile.id),
            )
            .join(ReferenceItem, ReferenceItem.id == mentor_competency_table.c.reference_item_id)
            .where(
                MentorProfile.school_id == school.id,
                MentorProfile.academic_year == year,
                MentorProfile.status != MentorStatus.WITHDRAWN,
                ReferenceItem.kind == ReferenceKind.DEFICIT_AREA,
                ReferenceItem.code == screen.area,
                Participant.anonymised_at.is_(None),
                Participant.id != route.participant_id,
            )
            .order_by(Participant.last_name, Participant.first_name)
            .limit(OWN_MENTORS)
        )
        screen.own_mentors = [
            {
                "entry_id": "",
                "profile_id": str(profile.id),
                "name": person.full_name,
                "position": person.position,
                "school": school.name,
                "competencies": [],
                "subjects": list(profile.subjects or person.subjects),
                "free": None,
            }
            for profile, person in own
        ]
        await set_region(db, school.municipality.region_id)
        query = directory_search.MentorQuery(competency=screen.area, page=page_number(request.query_params))
        rows, window = await directory_search.search(
            db, query, school.municipality.region_id, exclude_school_id=school.id
        )
        screen.region_mentors = [entry for entry, _ in rows]
        screen.mentor_window = window.linked(
            f"{routes.base}/{route.id}", {"step": str(screen.step or 3), "area": screen.area}
        )

    @get("/{route_id:str}", name="routes:school_route")
    async def route(
        self, request: AnyRequest, page: Page, routes: SchoolRouteScopeDep, *, db: DB, route_id: FromPath[str]
    ) -> Template:
        return await self._show(request, db, page, routes, await self._route(db, routes, route_id))

    @post("/{route_id:str}/steps/{number:int}", name="routes:school_step")
    async def save_step(
        self,
        request: AnyRequest,
        page: Page,
        routes: SchoolRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
        number: FromPath[int],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        if number not in self._can(routes, route).steps:
            raise PermissionDeniedException
        form = Form.from_mapping(await request.form(), STEP_FIELDS)
        if not await services.save_step(db, route, number, form, author=_author(user, "педагог")):
            return await self._show(request, db, page, routes, route, Screen(number, {"step": form}), 422)
        user.flash("success", f"Шаг {number} «{STEP_TITLES[number]}» сохранён.")
        return Redirect(f"{routes.base}/{route.id}?step={number}", status_code=303)

    @post("/{route_id:str}/diagnosis", name="routes:school_diagnosis")
    async def start_diagnosis(
        self, routes: SchoolRouteScopeDep, *, db: DB, user: CurrentUser, route_id: FromPath[str]
    ) -> Redirect:
        route = await self._route(db, routes, route_id)
        if not (routes.is_teacher_of(route) or routes.manager):
            raise PermissionDeniedException
        step = 3 if route.diagnosis_round == 1 else 7
        if not await has_valid_consent(db, routes.school.id, route.participant_id):
            user.flash(
                "error",
                "Нет действующего согласия педагога на обработку персональных данных: "
                "куратор оформляет его в карточке педагога, затем анкеты можно отправить.",
            )
            return Redirect(f"{routes.base}/{route.id}?step={step}", status_code=303)
        areas = [a.code for a in await services.deficit_areas(db)]
        sent = await diagnosis.start_round(db, routes.school, route, areas, user_id=user.user.id)
        await services.mark_step(
            db,
            route,
            3 if route.diagnosis_round == 1 else 7,
            StepStatus.IN_PROGRESS,
            _author(user, "педагог"),
        )
        user.flash(
            "success",
            f"Анкеты самодиагностики отправлены ({sent}): они в разделе «Мои анкеты» педагога."
            if sent
            else "Анкеты этого раунда уже отправлены.",
        )
        return Redirect(
            f"{routes.base}/{route.id}?step={3 if route.diagnosis_round == 1 else 7}", status_code=303
        )

    @post(
        "/{route_id:str}/assessment",
        name="routes:school_assessment",
        guards=[requires(Permission.SCHOOL_ROUTES_MANAGE)],
    )
    async def assessment(
        self,
        request: AnyRequest,
        page: Page,
        routes: SchoolRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        areas = await services.deficit_areas(db)
        form = Form.from_mapping(await request.form(), tuple(f"score_{a.code}" for a in areas))
        ok = await services.save_assessment(
            db, route, form, who="curator", areas=areas, author=_author(user, "куратор")
        )
        step = 3 if route.diagnosis_round == 1 else 7
        if not ok:
            return await self._show(request, db, page, routes, route, Screen(step, {"assessment": form}), 422)
        user.flash("success", "Оценка куратора сохранена: профиль пересчитан.")
        return Redirect(f"{routes.base}/{route.id}?step={step}", status_code=303)

    @post(
        "/{route_id:str}/activities/{activity_id:str}/product",
        name="routes:school_product",
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def save_product(
        self,
        request: AnyRequest,
        page: Page,
        routes: SchoolRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
        activity_id: FromPath[str],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        activity = await services.get_activity(db, route, activity_id)
        if activity is None:
            raise NotFoundException
        if not routes.is_teacher_of(route):
            raise PermissionDeniedException
        form = Form.from_mapping(await request.form(), services.PRODUCT_FIELDS)
        upload = await _upload(request, form)
        if not form.ok or not await services.save_product(
            db, route, activity, form, upload, author=_author(user, "педагог")
        ):
            return await self._show(
                request, db, page, routes, route, Screen(5, {f"product_{activity.id}": form}), 422
            )
        user.flash("success", f"Продукт по мероприятию «{activity.title}» сохранён.")
        return Redirect(f"{routes.base}/{route.id}?step=5#activity-{activity.id}", status_code=303)

    @post("/{route_id:str}/reflection", name="routes:school_reflection")
    async def reflection(
        self,
        request: AnyRequest,
        page: Page,
        routes: SchoolRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Template | Redirect:
        route = await self._route(db, routes, route_id)
        if not routes.is_teacher_of(route):
            raise PermissionDeniedException
        areas = await services.deficit_areas(db)
        form = Form.from_mapping(await request.form(), tuple(f"reflection_{a.code}" for a in areas))
        if not await services.save_reflection(db, route, form, areas=areas, author=_author(user, "педагог")):
            return await self._show(request, db, page, routes, route, Screen(7, {"reflection": form}), 422)
        user.flash("success", "Рефлексия сохранена.")
        return Redirect(f"{routes.base}/{route.id}?step=7", status_code=303)

    @post(
        "/{route_id:str}/mentors",
        name="routes:school_propose",
        guards=[requires(Permission.SCHOOL_ROUTES_MANAGE)],
    )
    async def propose(
        self,
        request: AnyRequest,
        routes: SchoolRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
    ) -> Redirect:
        route = await self._route(db, routes, route_id)
        school = routes.school
        data = await request.form()
        area = str(data.get("area", ""))[:60]
        if area not in {a.code for a in await services.deficit_areas(db)}:
            user.flash("error", "Выберите дефицит, для которого ищете наставника.")
            return Redirect(f"{routes.base}/{route.id}?step=3#mentors", status_code=303)
        card: dict[str, Any] | None = None
        profile_key = services.parse_uuid(str(data.get("profile", "")))
        if profile_key is not None:
            found = (
                await db.execute(
                    select(MentorProfile, Participant)
                    .join(
                        Participant,
                        (Participant.school_id == MentorProfile.school_id)
                        & (Participant.id == MentorProfile.participant_id),
                    )
                    .where(MentorProfile.school_id == school.id, MentorProfile.id == profile_key)
                )
            ).first()
            if found is not None:
                profile, person = found
                card = {
                    "school_id": school.id,
                    "profile_id": profile.id,
                    "name": person.full_name,
                    "position": person.position,
                    "school": school.name,
                    "competencies": [],
                }
        else:
            await set_region(db, school.municipality.region_id)
            entry = await directory_search.get_entry(db, str(data.get("entry", "")))
            if entry is not None:
                card = {
                    "school_id": entry.school_id,
                    "profile_id": entry.mentor_profile_id,
                    "name": entry.full_name,
                    "position": entry.position,
                    "school": entry.school_name,
                    "competencies": list(entry.competency_titles),
                }
        if card is None:
            user.flash("error", "Наставник не найден: обновите поиск.")
            return Redirect(f"{routes.base}/{route.id}?step=3&area={area}", status_code=303)
        proposal = await services.propose_mentor(
            db,
            route,
            area=area,
            mentor_school_id=card["school_id"],
            mentor_profile_id=card["profile_id"],
            mentor_name=card["name"],
            mentor_position=card["position"],
            mentor_school_name=card["school"],
            competency_titles=card["competencies"],
            note=str(data.get("note", "")),
            author=_author(user, "куратор"),
        )
        user.flash(
            "success" if proposal else "error",
            f"Наставник {card['name']} предложен." if proposal else "Этот наставник уже предложен.",
        )
        return Redirect(f"{routes.base}/{route.id}?step=3#proposals", status_code=303)

    @post(
        "/{route_id:str}/proposals/{proposal_id:str}/request",
        name="routes:school_proposal_request",
        guards=[requires(Permission.SCHOOL_ROUTES_MANAGE)],
    )
    async def request_pair(
        self,
        routes: SchoolRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
        proposal_id: FromPath[str],
    ) -> Redirect:
        route = await self._route(db, routes, route_id)
        proposal = await services.get_proposal(db, route, proposal_id)
        if proposal is None:
            raise NotFoundException
        back = f"{routes.base}/{route.id}?step=3#proposals"
        if proposal.status is not ProposalStatus.PROPOSED:
            user.flash("error", "По этому предложению уже приняли решение.")
            return Redirect(back, status_code=303)
        school = routes.school
        if proposal.own_school:
            proposal.status = ProposalStatus.REQUESTED
            user.flash(
                "success", f"Оформите пару с наставником {proposal.mentor_name} в разделе «Подбор пар»."
            )
            return Redirect(f"/s/{school.code}/matching", status_code=303)
        await set_region(db, school.municipality.region_id)
        entry = await db.scalar(
            select(MentorDirectoryEntry).where(
                MentorDirectoryEntry.school_id == proposal.mentor_school_id,
                MentorDirectoryEntry.mentor_profile_id == proposal.mentor_profile_id,
            )
        )
        if entry is None:
            user.flash("error", "Наставника больше нет в базе региона: предложите другого.")
            return Redirect(back, status_code=303)
        area_title = next(
            (a.title for a in await services.deficit_areas(db) if a.code == proposal.area_code), ""
        )
        form = Form(
            data={
                "mentee": str(route.participant_id),
                "message": (
                    f"Индивидуальный образовательный маршрут педагога: дефицит «{area_title}». "
                    f"{proposal.note}"
                ).strip(),
            }
        )
        year = AcademicYear.current(local_today()).start
        pair = await pair_svc.request_pair(db, school, entry, form, user_id=user.user.id, year=year)
        if pair is None:
            message = next(iter(form.errors.values()), "Запрос не отправлен.")
            if form.errors.get("mentee") == "Выберите наставляемого из списка.":
                message = (
                    "Педагога нет в базе наставляемых этого года: добавьте его туда, затем отправьте запрос."
                )
            user.flash("error", message)
            return Redirect(back, status_code=303)
        proposal.status = ProposalStatus.REQUESTED
        proposal.cross_school_pair_id = pair.id
        user.flash("success", f"Запрос отправлен в {entry.school_name}: ответ появится на этой странице.")
        return Redirect(back, status_code=303)

    @post(
        "/{route_id:str}/proposals/{proposal_id:str}/dismiss",
        name="routes:school_proposal_dismiss",
        guards=[requires(Permission.SCHOOL_ROUTES_MANAGE)],
    )
    async def dismiss(
        self,
        routes: SchoolRouteScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        route_id: FromPath[str],
        proposal_id: FromPath[str],
    ) -> Redirect:
        route = await self._route(db, routes, route_id)
        proposal = await services.get_proposal(db, route, proposal_id)
        if proposal is None:
            raise NotFoundException
        await services.dismiss_proposal(db, proposal)
        user.flash("success", "Предложение отклонено.")
        return Redirect(f"{routes.base}/{route.id}?step=3#proposals", status_code=303)

    @get("/{route_id:str}/iom/{fmt:str}", name="routes:school_iom")
    async def iom(
        self, routes: SchoolRouteScopeDep, *, db: DB, route_id: FromPath[str], fmt: FromPath[str]
    ) -> Response[bytes]:
        route = await self._route(db, routes, route_id)
        return await _document(await services.route_view(db, route), fmt)

    @get("/{route_id:str}/activities/{activity_id:str}/file", name="routes:school_product_file")
    async def product(
        self, routes: SchoolRouteScopeDep, *, db: DB, route_id: FromPath[str], activity_id: FromPath[str]
    ) -> Response[bytes]:
        route = await self._route(db, routes, route_id)
        activity = await services.get_activity(db, route, activity_id)
        if activity is None:
            raise NotFoundException
        return _file_response(activity, await services.product_file(db, activity))


ROUTE_CONTROLLERS = (RegionRoutesController, RegionRouteIndicatorsController, SchoolRoutesController)
