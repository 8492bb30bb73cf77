"""Regional workspaces: a municipality's officers and the region's staff, on their indicators."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from nastavnik.platform.web import DB
from nastavnik.regional.indicators import services as svc
from nastavnik.regional.indicators import views
from nastavnik.tenants.dependencies import (
    CurrentMunicipality,
    CurrentRegion,
    MunicipalityController,
    Page,
    RegionController,
)


class MunicipalityWorkspaceController(MunicipalityController):
    path = "/m/{municipality_code:str}"

    @get("/", name="municipality:home")
    async def home(
        self, request: Request[Any, Any, Any], db: DB, municipality: CurrentMunicipality, page: Page
    ) -> Template:
        async def produce() -> dict[str, Any]:
            context = await views.municipality_home(
                db, municipality.region_id, municipality.id, municipality.code, request.query_params
            )
            return {
                "municipality": municipality,
                "school_base": f"/m/{municipality.code}/schools/",
                **context,
            }

        scope = svc.Scope(municipality.region_id, municipality.id)
        version = await views.page_version(db, scope)
        return await page.cached("regional/municipality_home.html", version=version, produce=produce)


class RegionWorkspaceController(RegionController):
    path = "/r/{region_code:str}"

    @get("/", name="region:home")
    async def home(
        self, request: Request[Any, Any, Any], db: DB, region: CurrentRegion, page: Page
    ) -> Template:
        async def produce() -> dict[str, Any]:
            return {"region": region, **await views.region_home(db, region.id, request.query_params)}

        version = await views.page_version(db, svc.Scope(region.id))
        return await page.cached("regional/region_home.html", version=version, produce=produce)
