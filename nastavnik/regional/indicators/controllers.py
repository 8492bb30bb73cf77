"""Indicator pages of the municipality and the region: drill-down to one school's figures.

The dashboards themselves are the workspaces' home pages (regional/workspace); these are
the drill-down pages, the comparison table, the ranking and the region's own target.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.auth.sessions import AuthContext
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.regional.indicators import hook as _hook  # noqa: F401 - keeps the rollups current
from nastavnik.regional.indicators import services as svc
from nastavnik.regional.indicators import views
from nastavnik.tenants.dependencies import (
    CurrentMunicipality,
    CurrentRegion,
    MunicipalityController,
    Page,
    RegionController,
    requires,
)
from nastavnik.tenants.models import SCHOOL_KIND_TITLES, Municipality, School

AnyRequest = Request[Any, Any, Any]


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
        municipality = next((m for m in region.municipalities if m.code == code), None)
        if municipality is None:
            raise NotFoundException
        scope = svc.Scope(region.id, municipality.id)
        context = await views.dashboard(db, scope, request.query_params)
        base = f"/r/{region.code}/indicators/municipalities/{code}"
        context |= await views.schools_context(db, scope, context["year"], request.query_params, [], base)
        return await page(
            "regional/indicators/municipality.html",
            municipality=municipality,
            school_base=f"/r/{region.code}/indicators/schools/",
            back=[(region.name, f"/r/{region.code}/")],
            refreshed=views.refreshed_label(context["refreshed_at"]),
            school_total=await svc.school_count(db, scope),
            **context,
        )

    @get("/schools", name="region:indicators:schools")
    async def schools(self, request: AnyRequest, db: DB, page: Page, region: CurrentRegion) -> Template:
        scope = svc.Scope(region.id)
        years = await svc.years_available(db, scope)
        year = views.chosen_year(request.query_params, years)
        base = f"/r/{region.code}/indicators/schools"
        context = await views.schools_context(
            db, scope, year, request.query_params, list(region.municipalities), base
        )
        return await page(
            "regional/indicators/schools.html",
            region=region,
            year=year,
            years=sorted({*years, year}),
            school_base=base + "/",
            definitions=svc.DEFINITIONS,
            **context,
        )

    @get("/ranking", name="region:indicators:ranking")
    async def ranking(self, request: AnyRequest, db: DB, page: Page, region: CurrentRegion) -> Template:
        scope = svc.Scope(region.id)
        years = await svc.years_available(db, scope)
        year = views.chosen_year(request.query_params, years)
        rows, window = await svc.ranking(db, scope, year, page=page_number(request.query_params))
        base = f"/r/{region.code}/indicators/ranking"
        return await page(
            "regional/indicators/ranking.html",
            region=region,
            year=year,
            years=sorted({*years, year}),
            schools=rows,
            window=window.linked(base, {"year": year.title}),
            school_base=f"/r/{region.code}/indicators/schools/",
            federal_target=svc.FEDERAL_TARGET,
            target=await svc.region_target(db, region.id),
            definitions=svc.DEFINITIONS,
        )

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
        municipality = next(m for m in region.municipalities if m.id == school.municipality_id)
        back = [
            (region.name, f"/r/{region.code}/"),
            (municipality.name, f"/r/{region.code}/indicators/municipalities/{municipality.code}"),
        ]
        return await school_page(db, page, user, school, svc.Scope(region.id), request.query_params, back)

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
