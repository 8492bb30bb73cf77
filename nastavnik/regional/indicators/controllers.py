"""Indicator pages of the municipality and the region: drill-down to one school's figures.

The dashboards themselves are the workspaces' home pages (regional/workspace); these are
the drill-down pages, the comparison table, the ranking and the region's own target.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from sqlalchemy import select

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.auth.sessions import AuthContext
from nastavnik.platform.documents.text import content_disposition
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx
from nastavnik.regional.indicators import hook as _hook  # noqa: F401 - keeps the rollups current
from nastavnik.regional.indicators import reports, views
from nastavnik.regional.indicators import services as svc
from nastavnik.regional.indicators.models import ReportStatus
from nastavnik.school.participants.models import local_today
from nastavnik.tenants.dependencies import (
    CurrentMunicipality,
    CurrentRegion,
    MunicipalityController,
    Page,
    RegionController,
    requires,
)
from nastavnik.tenants.models import SCHOOL_KIND_TITLES, Municipality, Region, School
from nastavnik.tenants.services import municipalities_of, municipality_in_region

AnyRequest = Request[Any, Any, Any]
REPORT_FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


async def _school_in(db: DB, code: str, region_id: Any, municipality_id: Any = None) -> School:
    query = (
        select(School)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(School.code == code, Municipality.region_id == region_id)
    )
    if municipality_id is not None:
        query = query.where(School.municipality_id == municipality_id)
    school = (await db.execute(query)).scalar_one_or_none()
    if school is None:
        raise NotFoundException
    return school


async def school_page(
    db: DB,
    page: Page,
    user: AuthContext,
    school: School,
    scope: svc.Scope,
    params: Any,
    back: list[tuple[str, str]],
) -> Template:
    years = await svc.years_available(db, svc.Scope(scope.region_id, school.municipality_id))
    year = views.chosen_year(params, years)
    row = await svc.school_row(db, school, year)
    figures = svc.school_figures(row)
    trend = [
        (AcademicYear(r.academic_year), svc.school_figures(r)) for r in await svc.school_trend(db, school)
    ]
    return await page(
        "regional/indicators/school.html",
        school=school,
        kind_title=SCHOOL_KIND_TITLES[school.kind],
        year=year,
        years=sorted({*years, year}),
        row=row,
        figures=figures,
        trend=trend,
        definitions=svc.DEFINITIONS,
        federal_target=svc.FEDERAL_TARGET,
        target=await svc.region_target(db, scope.region_id),
        monitoring=await svc.monitoring_figures(db, scope, year),
        refreshed=views.refreshed_label(row.refreshed_at if row else None),
        # The school's own pages are for its staff only; others see the figures here.
        own_school_url=f"/s/{school.code}/" if user.school_roles(school.code) else None,
        back=back,
    )


class MunicipalityIndicatorsController(MunicipalityController):
    path = "/m/{municipality_code:str}/schools"
    guards = [*MunicipalityController.guards, requires(Permission.MUNICIPALITY_INDICATORS_VIEW)]  # noqa: RUF012

    @get("/{school_code:str}", name="municipality:indicators:school")
    async def school(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        municipality: CurrentMunicipality,
        school_code: FromPath[str],
    ) -> Template:
        school = await _school_in(db, school_code, municipality.region_id, municipality.id)
        scope = svc.Scope(municipality.region_id, municipality.id)
        back = [(municipality.name, f"/m/{municipality.code}/")]
        return await school_page(db, page, user, school, scope, request.query_params, back)


class RegionIndicatorsController(RegionController):
    path = "/r/{region_code:str}/indicators"
    guards = [*RegionController.guards, requires(Permission.REGION_INDICATORS_VIEW)]  # noqa: RUF012

    @get("/municipalities/{municipality_code:str}", name="region:indicators:municipality")
    async def municipality(
        self, request: AnyRequest, db: DB, page: Page, region: CurrentRegion, municipality_code: FromPath[str]
    ) -> Template:
        code = municipality_code
        municipality = await municipality_in_region(db, region.id, code=code)
        if municipality is None:
            raise NotFoundException
        scope = svc.Scope(region.id, municipality.id)

        async def produce() -> dict[str, Any]:
            context = await views.dashboard(db, scope, request.query_params)
            base = f"/r/{region.code}/indicators/municipalities/{code}"
            context |= await views.schools_context(db, scope, context["year"], request.query_params, [], base)
            return {
                "municipality": municipality,
                "school_base": f"/r/{region.code}/indicators/schools/",
                "back": [(region.name, f"/r/{region.code}/")],
                "refreshed": views.refreshed_label(context["refreshed_at"]),
                "school_total": await svc.school_count(db, scope),
                **context,
            }

        version = await views.page_version(db, scope)
        return await page.cached("regional/indicators/municipality.html", version=version, produce=produce)

    @get("/schools", name="region:indicators:schools")
    async def schools(self, request: AnyRequest, db: DB, page: Page, region: CurrentRegion) -> Template:
        scope = svc.Scope(region.id)

        async def produce() -> dict[str, Any]:
            years = await svc.years_available(db, scope)
            year = views.chosen_year(request.query_params, years)
            base = f"/r/{region.code}/indicators/schools"
            context = await views.schools_context(
                db, scope, year, request.query_params, await municipalities_of(db, region.id), base
            )
            return {
                "region": region,
                "year": year,
                "years": sorted({*years, year}),
                "school_base": base + "/",
                "definitions": svc.DEFINITIONS,
                **context,
            }

        version = await views.page_version(db, scope)
        return await page.cached("regional/indicators/schools.html", version=version, produce=produce)

    @get("/ranking", name="region:indicators:ranking")
    async def ranking(self, request: AnyRequest, db: DB, page: Page, region: CurrentRegion) -> Template:
        scope = svc.Scope(region.id)

        async def produce() -> dict[str, Any]:
            years = await svc.years_available(db, scope)
            year = views.chosen_year(request.query_params, years)
            rows, window = await svc.ranking(db, scope, year, page=page_number(request.query_params))
            base = f"/r/{region.code}/indicators/ranking"
            return {
                "region": region,
                "year": year,
                "years": sorted({*years, year}),
                "schools": rows,
                "window": window.linked(base, {"year": year.title}),
                "school_base": f"/r/{region.code}/indicators/schools/",
                "federal_target": svc.FEDERAL_TARGET,
                "target": await svc.region_target(db, region.id),
                "definitions": svc.DEFINITIONS,
            }

        version = await views.page_version(db, scope)
        return await page.cached("regional/indicators/ranking.html", version=version, produce=produce)

    @get("/schools/{school_code:str}", name="region:indicators:school")
    async def school(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        region: CurrentRegion,
        school_code: FromPath[str],
    ) -> Template:
        school = await _school_in(db, school_code, region.id)
        municipality = await municipality_in_region(db, region.id, municipality_id=school.municipality_id)
        if municipality is None:  # pragma: no cover - _school_in found it in this region
            raise NotFoundException
        back = [
            (region.name, f"/r/{region.code}/"),
            (municipality.name, f"/r/{region.code}/indicators/municipalities/{municipality.code}"),
        ]
        return await school_page(db, page, user, school, svc.Scope(region.id), request.query_params, back)

    # ---- reports for the ministry ---------------------------------------------------------

    async def _reports_page(
        self, db: DB, page: Page, region: Region, form: Form | None = None, status_code: int = 200
    ) -> Template:
        years = await svc.years_available(db, svc.Scope(region.id))
        current = views.chosen_year({}, years)
        form = form or Form(data={"year": current.title, "report_date": local_today().isoformat()})
        return await page(
            "regional/indicators/reports.html",
            status_code=status_code,
            region=region,
            form=form,
            year_options=[(y.title, y.title) for y in sorted({*years, current}, reverse=True)],
            reports=await reports.recent_reports(db, region),
        )

    @get("/reports", name="region:indicators:reports")
    async def reports_index(self, db: DB, page: Page, region: CurrentRegion) -> Template:
        return await self._reports_page(db, page, region)

    @post("/reports", name="region:indicators:report_request")
    async def report_request(
        self, request: AnyRequest, db: DB, user: CurrentUser, page: Page, region: CurrentRegion
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), ("year", "report_date"))
        year = AcademicYear.parse(form.require("year", "Выберите учебный год."))
        if form.value("year") and year is None:
            form.error("year", "Учебный год пишется так: 2025-2026.")
        raw_date = form.require("report_date", "Укажите дату, на которую составлен отчёт.")
        try:
            report_date = dt.date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            report_date = None
            form.error("report_date", "Дата указана неверно; выберите её в календаре, например 01.12.2026.")
        if report_date and report_date > local_today():
            form.error("report_date", "Отчёт составляется на сегодня или на прошедшую дату.")
        if not form.ok or year is None or report_date is None:
            return await self._reports_page(db, page, region, form, status_code=422)
        report = await reports.request_report(db, region, year, report_date, user.user.id)
        return Redirect(f"/r/{region.code}/indicators/reports/{report.id}", status_code=303)

    @get("/reports/{regional_report_id:str}", name="region:indicators:report")
    async def report(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        region: CurrentRegion,
        regional_report_id: FromPath[str],
    ) -> Template:
        found = await reports.report_of(db, region, regional_report_id)
        if found is None:
            raise NotFoundException
        template = (
            "regional/indicators/_report_status.html"
            if is_htmx(request)
            else "regional/indicators/report.html"
        )
        return await page(
            template,
            region=region,
            report=found,
            year=AcademicYear(found.academic_year),
            as_of=views.refreshed_label(found.data_as_of),
        )

    @get("/reports/{regional_report_id:str}/{fmt:str}", name="region:indicators:report_file")
    async def report_file(
        self, db: DB, region: CurrentRegion, regional_report_id: FromPath[str], fmt: FromPath[str]
    ) -> Response[bytes]:
        found = await reports.report_of(db, region, regional_report_id)
        if found is None or fmt not in REPORT_FORMATS or found.status is not ReportStatus.DONE:
            raise NotFoundException
        await db.refresh(found, [fmt])
        content = getattr(found, fmt)
        if content is None:
            raise NotFoundException
        title = AcademicYear(found.academic_year).title
        name = f"Отчёт о наставничестве {title} на {found.report_date:%d.%m.%Y}.{fmt}"
        return Response(
            content,
            media_type=REPORT_FORMATS[fmt],
            headers={
                "Content-Disposition": content_disposition(name, inline=fmt == "pdf"),
                "Cache-Control": "private, no-store",
            },
        )

    @post(
        "/target",
        name="region:indicators:target",
        guards=[requires(Permission.REGION_INDICATORS_TARGET, hidden=True)],
    )
    async def set_target(
        self, request: AnyRequest, db: DB, user: CurrentUser, page: Page, region: CurrentRegion
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), ("target",))
        raw = form.require("target", "Укажите цель региона в процентах.")
        value = int(raw) if raw.isdigit() else None
        if raw and (value is None or not 1 <= value <= 100):
            form.error("target", "Цель — целое число процентов от 1 до 100, например 75.")
        if not form.ok or value is None:
            return await page(
                "regional/region_home.html",
                status_code=422,
                region=region,
                target_form=form,
                **await views.region_home(db, region.id, request.query_params),
            )
        await svc.set_region_target(db, region.id, value, user.user.id)
        user.flash("success", f"Цель региона по охвату: {value} %.")
        return Redirect(f"/r/{region.code}/", status_code=303)
