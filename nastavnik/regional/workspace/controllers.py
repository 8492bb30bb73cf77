"""Regional workspaces: a municipality's officers and the region's staff."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from nastavnik.platform.auth.permissions import Role
from nastavnik.tenants.dependencies import (
    CurrentMunicipality,
    CurrentRegion,
    MunicipalityController,
    Page,
    RegionController,
    RegionScope,
)


class MunicipalityWorkspaceController(MunicipalityController):
    path = "/m/{municipality_code:str}"

    @get("/", name="municipality:home")
    async def home(self, municipality: CurrentMunicipality, page: Page) -> Template:
        return await page(
            "regional/municipality_home.html",
            municipality=municipality,
            schools=municipality.schools,
        )


class RegionWorkspaceController(RegionController):
    path = "/r/{region_code:str}"

    @get("/", name="region:home")
    async def home(self, workspace: RegionScope, region: CurrentRegion, page: Page) -> Template:
        return await page(
            "regional/region_home.html",
            region=region,
            is_methodist=Role.IRO_METHODIST in workspace.roles,
            is_tutor=Role.CNPPM_TUTOR in workspace.roles,
            is_ministry=Role.MINISTRY_VIEWER in workspace.roles,
            school_count=sum(len(m.schools) for m in region.municipalities),
        )
