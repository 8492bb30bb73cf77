"""The request context of every workspace, injected: guards that check the user's roles in
the scope named by the URL, and dependencies that load the workspace once per request.

Guards run before dependencies. They need only the signed-in user's memberships (loaded
once per request, shared with the `auth` dependency) and the path parameter, so they cost
no query of their own; the `workspace` dependency then loads the school, municipality or
region and sets the tenant variables. Litestar resolves a dependency once per request,
however many others depend on it, so the tenant is set exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, SkipValidation
from litestar.response import Template
from litestar.types import Guard

from nastavnik.platform.auth.permissions import Permission, Role, Scope, permissions_for
from nastavnik.platform.auth.sessions import AuthContext
from nastavnik.platform.web import DB, CurrentUser, LoginRequiredError, auth_of
from nastavnik.tenants.models import Municipality, Region, School
from nastavnik.tenants.web import (
    MunicipalityWorkspace,
    RegionWorkspace,
    SchoolWorkspace,
    Workspace,
    admin_workspace,
    cached_page,
    page,
    resolve_municipality,
    resolve_region,
    resolve_school,
)

# The path parameter that names the tenant of each scope (the admin area has none).
PATH_PARAMS: dict[Scope, str] = {
    Scope.SCHOOL: "school_code",
    Scope.MUNICIPALITY: "municipality_code",
    Scope.REGION: "region_code",
}


# ---- guards ---------------------------------------------------------------------------


async def roles_here(connection: ASGIConnection[Any, Any, Any, Any], scope: Scope) -> frozenset[Role]:
    """The signed-in user's roles in the school, municipality or region of the URL."""
    auth = await auth_of(connection)
    if auth is None:
        raise LoginRequiredError
    if scope is Scope.PLATFORM:
        return frozenset({Role.PLATFORM_ADMIN}) if auth.is_platform_admin else frozenset()
    code = connection.path_params.get(PATH_PARAMS[scope])
    return auth.roles_in(scope, str(code)) if code else frozenset()


def member_of(scope: Scope) -> Guard:
    """404 unless the user has a role in the scope of the URL (another school's → 404, never 403)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not await roles_here(connection, scope):
            raise NotFoundException

    guard.__name__ = f"member_of_{scope.value}"
    return guard


def requires(*permissions: Permission, hidden: bool = False) -> Guard:
    """A guard that lets through a member holding any one of `permissions`.

    A user outside the scope gets 404; a member without the permission gets 403, or 404
    when `hidden` (pages whose existence is not shown to the scope's other roles).
    """
    scopes = {Scope(p.value.split(":", 1)[0]) for p in permissions}
    if len(scopes) != 1:
        msg = f"requires() takes permissions of one scope, got {sorted(scopes)}"
        raise ValueError(msg)
    (scope,) = scopes
    wanted = frozenset(permissions)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        roles = await roles_here(connection, scope)
        if not roles:
            raise NotFoundException
        if permissions_for(roles).isdisjoint(wanted):
            raise NotFoundException if hidden else PermissionDeniedException

    guard.__name__ = "requires_" + "_or_".join(p.name.lower() for p in permissions)
    return guard


# ---- dependencies ---------------------------------------------------------------------


@dataclass(frozen=True)
class PageRenderer:
    """`page(...)` bound to this request's user and workspace: `await page("x.html", **context)`."""

    request: Request[Any, Any, Any]
    db: DB
    auth: AuthContext
    workspace: Workspace

    async def __call__(self, template: str, *, status_code: int = 200, **context: Any) -> Template:
        return await page(
            self.request, self.db, self.auth, self.workspace, template, status_code=status_code, **context
        )

    async def cached(
        self, template: str, *, version: Hashable, produce: Callable[[], Awaitable[dict[str, Any]]]
    ) -> Template:
        """The page with its blocks kept per `version` of its data (`tenants.web.cached_page`)."""
        return await cached_page(
            self.request, self.db, self.auth, self.workspace, template, version=version, produce=produce
        )


# Handler parameter types, injected by the parameter's name; passed as they are (a
# dataclass would otherwise be re-validated field by field).
Page = NamedDependency[SkipValidation[PageRenderer]]
SchoolScope = NamedDependency[SkipValidation[SchoolWorkspace]]
CurrentSchool = NamedDependency[SkipValidation[School]]
MunicipalityScope = NamedDependency[SkipValidation[MunicipalityWorkspace]]
CurrentMunicipality = NamedDependency[SkipValidation[Municipality]]
RegionScope = NamedDependency[SkipValidation[RegionWorkspace]]
CurrentRegion = NamedDependency[SkipValidation[Region]]
AdminScope = NamedDependency[SkipValidation[Workspace]]


async def provide_page(
    request: Request[Any, Any, Any],
    db: DB,
    user: CurrentUser,
    workspace: NamedDependency[SkipValidation[Workspace]],
) -> PageRenderer:
    return PageRenderer(request, db, user, workspace)


async def provide_school_workspace(db: DB, user: CurrentUser, school_code: FromPath[str]) -> SchoolWorkspace:
    return await resolve_school(db, user, school_code)


async def provide_school(workspace: SchoolScope) -> School:
    return workspace.school


async def provide_municipality_workspace(
    db: DB, user: CurrentUser, municipality_code: FromPath[str]
) -> MunicipalityWorkspace:
    return await resolve_municipality(db, user, municipality_code)


async def provide_municipality(workspace: MunicipalityScope) -> Municipality:
    return workspace.municipality


async def provide_region_workspace(db: DB, user: CurrentUser, region_code: FromPath[str]) -> RegionWorkspace:
    return await resolve_region(db, user, region_code)


async def provide_region(workspace: RegionScope) -> Region:
    return workspace.region


async def provide_admin_workspace(user: CurrentUser) -> Workspace:
    return admin_workspace(user)


SCHOOL_DEPENDENCIES = {
    "workspace": Provide(provide_school_workspace),
    "school": Provide(provide_school),
    "page": Provide(provide_page),
}
MUNICIPALITY_DEPENDENCIES = {
    "workspace": Provide(provide_municipality_workspace),
    "municipality": Provide(provide_municipality),
    "page": Provide(provide_page),
}
REGION_DEPENDENCIES = {
    "workspace": Provide(provide_region_workspace),
    "region": Provide(provide_region),
    "page": Provide(provide_page),
}
ADMIN_DEPENDENCIES = {
    "workspace": Provide(provide_admin_workspace),
    "page": Provide(provide_page),
}


class SchoolController(Controller):
    """Base of every controller under `/s/{school_code}`: the school's members only."""

    include_in_schema = False
    dependencies = SCHOOL_DEPENDENCIES
    guards = [member_of(Scope.SCHOOL)]  # noqa: RUF012 - read by Litestar, never mutated


class MunicipalityController(Controller):
    """Base of every controller under `/m/{municipality_code}`."""

    include_in_schema = False
    dependencies = MUNICIPALITY_DEPENDENCIES
    guards = [member_of(Scope.MUNICIPALITY)]  # noqa: RUF012


class RegionController(Controller):
    """Base of every controller under `/r/{region_code}`."""

    include_in_schema = False
    dependencies = REGION_DEPENDENCIES
    guards = [member_of(Scope.REGION)]  # noqa: RUF012


class AdminAreaController(Controller):
    """Base of every controller under `/admin`: platform administrators only."""

    include_in_schema = False
    dependencies = ADMIN_DEPENDENCIES
    guards = [member_of(Scope.PLATFORM)]  # noqa: RUF012
