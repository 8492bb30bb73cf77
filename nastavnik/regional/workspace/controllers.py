"""Regional workspaces: a municipality's officers and the region's staff."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.web import DB, CurrentUser
from nastavnik.tenants.web import page, resolve_municipality, resolve_region


class MunicipalityWorkspaceController(Controller):
    path = "/m/{code:str}"
    include_in_schema = False

    @get("/", name="municipality:home")
    async def home(
        self, request: Request[Any, Any, Any], db: DB, user: CurrentUser, code: FromPath[str]
    ) -> Template:
        workspace, municipality = await resolve_municipality(db, user, code)
        return await page(
            request,
            db,
            user,
            workspace,
            "regional/municipality_home.html",
            municipality=municipality,
            schools=municipality.schools,
        )


class RegionWorkspaceController(Controller):
    path = "/r/{code:str}"
    include_in_schema = False

    @get("/", name="region:home")
    async def home(
        self, request: Request[Any, Any, Any], db: DB, user: CurrentUser, code: FromPath[str]
    ) -> Template:
        workspace, region = await resolve_region(db, user, code)
        return await page(
            request,
            db,
            user,
            workspace,
            "regional/region_home.html",
            region=region,
            is_methodist=Role.IRO_METHODIST in workspace.roles,
            is_tutor=Role.CNPPM_TUTOR in workspace.roles,
            is_ministry=Role.MINISTRY_VIEWER in workspace.roles,
            school_count=sum(len(m.schools) for m in region.municipalities),
        )
