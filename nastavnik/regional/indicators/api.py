"""The read-only JSON API of the regional indicators, for the region's other systems.

Authorised by a Keycloak access token obtained with the client-credentials grant: its
audience must be `nastavnik-api` and its `nastavnik_region` claim (a hard-coded claim of
the calling client, set by the realm's administrator) must name the region of the URL;
otherwise 401 (no valid token) or 404 (another region), as everywhere else. The figures
are the pages' own (rollups only), with 1-4 people shown as "<5".
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import FromPath, FromQuery, QueryParameter, SkipValidation

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.oidc import OidcClient, TokenError
from nastavnik.platform.db import set_region
from nastavnik.platform.web import DB
from nastavnik.regional.indicators import services as svc
from nastavnik.regional.indicators import views
from nastavnik.tenants.models import Region
from nastavnik.tenants.services import region_by_code

API_AUDIENCE = "nastavnik-api"
REGION_CLAIM = "nastavnik_region"
Count = int | str  # "<5" for a cell of 1-4 people
ApiRegion = NamedDependency[SkipValidation[Region]]


def people(count: int) -> Count:
    return "<5" if 0 < count < svc.SMALL_CELL else count


async def token_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    header = connection.headers.get("authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("Нужен токен доступа (Authorization: Bearer …)")
    oidc: OidcClient = connection.app.state.oidc
    try:
        claims = await oidc.validate_service_token(token.strip(), API_AUDIENCE)
    except TokenError as exc:
        raise NotAuthorizedException("Токен недействителен или просрочен") from exc
    if claims.get(REGION_CLAIM) != connection.path_params.get("region_code"):
        raise NotFoundException


async def provide_api_region(db: DB, region_code: FromPath[str]) -> Region:
    region = await region_by_code(db, region_code, with_schools=False)
    if region is None:
        raise NotFoundException
    await set_region(db, region.id)
    return region


@dataclass
class Indicators:
    schools: int
    # null: no contingent to divide by; "<5": a school's share of 1-4 people, not shown.
    coverage_pupils_percent: int | str | None
    coverage_young_teachers_percent: int | str | None
    federal_target_percent: int
    region_target_percent: int | None
    mentors: Count
    mentees: Count
    pairs: int
    groups: int
    meetings: int
    quiet_pairs: int
    roadmap_done_percent: int | None
    roadmap_overdue: int
    schools_without_approved_programme: int
    schools_without_pairs: int
    # Monitoring figures come from the questionnaires; null until they report them.
    feedback_regularity_percent: int | None
    satisfaction_percent: int | None
    impact_percent: int | None
    surveyed_percent: int | None


def _share(part: int, value: int | None, *, school: bool) -> int | str | None:
    return "<5" if school and 0 < part < svc.SMALL_CELL else value


def _indicators(
    f: svc.Figures, target: int | None, monitoring: svc.Monitoring, *, school: bool = False
) -> Indicators:
    return Indicators(
        schools=f.schools,
        coverage_pupils_percent=_share(f.mentee_pupils_10_19, f.coverage_pupils, school=school),
        coverage_young_teachers_percent=_share(f.mentee_young_teachers, f.coverage_teachers, school=school),
        federal_target_percent=svc.FEDERAL_TARGET,
        region_target_percent=target,
        mentors=people(f.mentors),
        mentees=people(f.mentees),
        pairs=f.pairs,
        groups=f.groups,
        meetings=f.meetings,
        quiet_pairs=f.quiet_pairs,
        roadmap_done_percent=f.roadmap_percent,
        roadmap_overdue=f.roadmap_overdue,
        schools_without_approved_programme=f.schools_without_programme,
        schools_without_pairs=f.schools_without_pairs,
        feedback_regularity_percent=monitoring.feedback_regularity,
        satisfaction_percent=monitoring.satisfaction,
        impact_percent=monitoring.impact,
        surveyed_percent=monitoring.surveyed,
    )


@dataclass
class MunicipalityIndicators:
    code: str
    name: str
    indicators: Indicators


@dataclass
class RegionIndicators:
    region: str
    academic_year: str
    data_as_of: str | None
    indicators: Indicators
    municipalities: list[MunicipalityIndicators]


@dataclass
class SchoolIndicators:
    code: str
    name: str
    municipality: str
    kind: str
    has_data: bool
    indicators: Indicators | None


@dataclass
class SchoolPage:
    academic_year: str
    page: int
    pages: int
    total: int
    schools: list[SchoolIndicators]


def _year(value: str | None, years: list[AcademicYear]) -> AcademicYear:
    return views.chosen_year({"year": value or ""}, years)


class IndicatorsApiController(Controller):
    path = "/api/v1/regions/{region_code:str}"
    guards = [token_guard]  # noqa: RUF012 - read by Litestar
    dependencies = {"region": Provide(provide_api_region)}  # noqa: RUF012
    tags = ["Показатели"]  # noqa: RUF012
    security = [{"keycloak": []}]  # noqa: RUF012

    @get("/indicators", summary="Показатели региона и его муниципалитетов за учебный год")
    async def indicators(
        self, db: DB, region: ApiRegion, year: FromQuery[str | None] = None
    ) -> RegionIndicators:
        scope = svc.Scope(region.id)
        chosen = _year(year, await svc.years_available(db, scope))
        figures = await svc.totals(db, scope, chosen)
        target = await svc.region_target(db, region.id)
        monitoring = await svc.monitoring_figures(db, scope, chosen)
        rows = await svc.by_municipality(db, scope, chosen)
        return RegionIndicators(
            region=region.name,
            academic_year=chosen.title,
            data_as_of=figures.refreshed_at.isoformat() if figures.refreshed_at else None,
            indicators=_indicators(figures, target, monitoring),
            municipalities=[
                MunicipalityIndicators(
                    r.municipality.code, r.municipality.name, _indicators(r.figures, target, monitoring)
                )
                for r in rows
            ],
        )

    @get("/schools", summary="Показатели организаций региона (по 50 на страницу)")
    async def schools(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        region: ApiRegion,
        year: FromQuery[str | None] = None,
        municipality: FromQuery[str | None] = None,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
    ) -> SchoolPage:
        scope = svc.Scope(region.id)
        chosen = _year(year, await svc.years_available(db, scope))
        filters = views.filters_of({"municipality": municipality or ""}, list(region.municipalities))
        rows, window = await svc.schools_table(
            db, scope, chosen, filters, sort="name", descending=False, page=page
        )
        target = await svc.region_target(db, region.id)
        monitoring = await svc.monitoring_figures(db, scope, chosen)
        return SchoolPage(
            academic_year=chosen.title,
            page=window.page,
            pages=window.pages,
            total=window.total,
            schools=[
                SchoolIndicators(
                    code=r.school.code,
                    name=r.school.name,
                    municipality=r.municipality_name,
                    kind=r.school.kind.value,
                    has_data=r.row is not None,
                    indicators=_indicators(r.figures, target, monitoring, school=True)
                    if r.row is not None
                    else None,
                )
                for r in rows
            ],
        )


class ApiDocsPage(OpenAPIRenderPlugin):
    """The OpenAPI viewer at /api/docs: Swagger UI installed from npm and served by the app.

    Litestar's own viewers load their scripts from a CDN and start them inline, which the
    app's Content-Security-Policy forbids; this page loads both from /static.
    """

    def __init__(self) -> None:
        super().__init__(path="/", favicon="", style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        schema_url = html.escape(request.url.path.rstrip("/") + "/openapi.json")
        return (
            '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title>"
            '<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">'
            '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js" defer></script>'
            '<script src="/static/js/api-docs.js" defer></script></head><body>'
            "<noscript><p>Описание API в формате OpenAPI: "
            f'<a href="{schema_url}">{schema_url}</a></p></noscript>'
            f'<div id="swagger-ui" data-schema="{schema_url}"></div></body></html>'
        ).encode()


def indicators_openapi() -> OpenAPIConfig:
    """OpenAPI of the API: the viewer at /api/docs, the JSON at /api/docs/openapi.json
    (workspace pages are left out of it)."""
    return OpenAPIConfig(
        title="Наставник: показатели региона",
        version="1",
        description=(
            "Показатели целевой модели наставничества по региону, муниципалитетам и организациям "
            "(только агрегаты; ячейки из 1-4 человек — «<5»). Доступ по токену Keycloak "
            "(client credentials) клиента, которому выдан регион."
        ),
        path="/api/docs",
        render_plugins=[ApiDocsPage(), JsonRenderPlugin(path="/openapi.json")],
        components=Components(
            security_schemes={
                "keycloak": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="Токен доступа Keycloak (grant_type=client_credentials)",
                )
            }
        ),
    )
