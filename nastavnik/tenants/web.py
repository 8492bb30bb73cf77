"""Tenant resolution per request and the page layout around every workspace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Template
from litestar.utils.scope.state import ScopeState
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.permissions import (
    ROLE_TITLES,
    Permission,
    Role,
    Scope,
    permissions_for,
)
from nastavnik.platform.auth.sessions import AuthContext
from nastavnik.platform.db import set_workspace_scope
from nastavnik.platform.ui import block_cache
from nastavnik.platform.web import request_id_of
from nastavnik.tenants.models import Municipality, Region, School

if TYPE_CHECKING:  # pragma: no cover
    from litestar.plugins.jinja import JinjaTemplateEngine

from nastavnik.tenants.services import (
    municipality_by_code,
    region_by_code,
    school_by_code,
    schools_by_codes,
)


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str
    icon: str
    active: bool = False


@dataclass(frozen=True)
class WorkspaceLink:
    title: str
    subtitle: str
    url: str
    current: bool = False


@dataclass
class Workspace:
    """Where the user is working now: a school, a municipality, a region or the admin area."""

    scope: Scope
    code: str
    title: str
    subtitle: str
    url: str
    roles: frozenset[Role]
    nav_items: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise PermissionDeniedException

    @property
    def role_titles(self) -> str:
        return ", ".join(ROLE_TITLES[r] for r in sorted(self.roles))

    def nav(self, path: str) -> list[NavItem]:
        items = []
        for title, url, icon in self.nav_items:
            active = path == url or (url != self.url and path.startswith(url))
            items.append(NavItem(title, url, icon, active))
        return items


@dataclass(kw_only=True)
class SchoolWorkspace(Workspace):
    school: School


@dataclass(kw_only=True)
class MunicipalityWorkspace(Workspace):
    municipality: Municipality


@dataclass(kw_only=True)
class RegionWorkspace(Workspace):
    region: Region


async def workspace_links(db: AsyncSession, auth: AuthContext, current_url: str) -> list[WorkspaceLink]:
    links: list[WorkspaceLink] = []
    for school in await schools_by_codes(db, auth.codes(Scope.SCHOOL)):
        url = f"/s/{school.code}/"
        links.append(WorkspaceLink(school.name, school.municipality.name, url, url == current_url))
    # Names only: the layout of every page needs no municipality's schools.
    municipality_codes = auth.codes(Scope.MUNICIPALITY)
    if municipality_codes:
        names = await db.execute(
            select(Municipality.code, Municipality.name)
            .where(Municipality.code.in_(municipality_codes))
            .order_by(Municipality.code)
        )
        for code, name in names:
            url = f"/m/{code}/"
            links.append(WorkspaceLink(name, "Муниципалитет", url, url == current_url))
    region_codes = auth.codes(Scope.REGION)
    if region_codes:
        names = await db.execute(
            select(Region.code, Region.name).where(Region.code.in_(region_codes)).order_by(Region.code)
        )
        for code, name in names:
            url = f"/r/{code}/"
            links.append(WorkspaceLink(name, "Регион", url, url == current_url))
    if auth.is_platform_admin:
        links.append(WorkspaceLink("Администрирование", "Платформа", "/admin/", current_url == "/admin/"))
    return links


# Remembers the workspace last opened in this browser, so that a user of several schools
# comes back to the one they were working in. Holds only a URL of the user's own.
WORKSPACE_COOKIE = "nst_workspace"


async def home_url(db: AsyncSession, auth: AuthContext, last_used: str | None = None) -> str | None:
    links = await workspace_links(db, auth, "")
    for link in links:
        if link.url == last_used:
            return link.url
    return links[0].url if links else None


async def resolve_school(  # noqa: PLR0912 - one menu entry per permission
    db: AsyncSession, auth: AuthContext, code: str
) -> SchoolWorkspace:
    """The school from the URL, if it is one of the user's; otherwise 404, never 403."""
    roles = auth.school_roles(code)
    if not roles:
        raise NotFoundException
    school = await school_by_code(db, code)
    if school is None:
        raise NotFoundException
    await set_workspace_scope(db, actor=auth.user.id, school_id=school.id)
    base = f"/s/{code}/"
    permissions = permissions_for(roles)
    nav = [("Обзор", base, "home")]
    if Permission.SCHOOL_PROGRAMME_VIEW in permissions:
        nav += [("Программа", base + "programme", "book"), ("Дорожная карта", base + "roadmap", "map")]
        nav.append(("Документы", base + "documents", "file"))
    if Permission.SCHOOL_PARTICIPANTS_VIEW in permissions:
        nav.append(("Наставляемые", base + "mentees", "users"))
        nav.append(("Наставники", base + "mentors", "shield"))
    elif Permission.SCHOOL_PARTICIPANTS_VIEW_OWN in permissions:
        nav.append(("Моя анкета", base + "participants/me", "file"))
    if Permission.SCHOOL_MATCHING_VIEW in permissions:
        nav.append(("Подбор пар", base + "matching", "route"))
        nav.append(("Наставники региона", base + "region/mentors", "search"))
        nav.append(("Межшкольные пары", base + "region/pairs", "users"))
    elif Permission.SCHOOL_MEETINGS_LOG_OWN in permissions:
        nav.append(("Межшкольные пары", base + "my-cross-pairs", "users"))
    if permissions & {Permission.SCHOOL_PAIRS_VIEW, Permission.SCHOOL_PAIRS_VIEW_OWN}:
        pairs_title = "Пары и группы" if Permission.SCHOOL_PAIRS_VIEW in permissions else "Мои пары"
        nav.append((pairs_title, base + "pairs", "users"))
    if permissions & {Permission.SCHOOL_MEETINGS_VIEW, Permission.SCHOOL_MEETINGS_LOG_OWN}:
        nav.append(("Встречи", base + "meetings", "calendar"))
    if Permission.SCHOOL_QUESTIONNAIRES_MANAGE in permissions:
        nav.append(("Анкеты", base + "questionnaires", "file"))
        nav.append(("Мониторинг", base + "monitoring", "chart"))
    else:
        nav.append(("Мои анкеты", base + "my-questionnaires", "file"))
    nav.append(("Банк практик региона", base + "bank", "book"))
    if Permission.SCHOOL_PROGRAMME_VIEW in permissions:
        nav.append(("Методическая копилка", base + "collection", "file"))
    if Permission.SCHOOL_COMPLETION_VIEW in permissions:
        nav.append(("Итоги года", base + "completion", "check-circle"))
    if Permission.SCHOOL_ROUTES_MANAGE in permissions:
        nav.append(("ИОМ педагогов", base + "routes", "route"))
    else:
        nav.append(("Мой маршрут (ИОМ)", base + "routes", "route"))
    if Permission.SCHOOL_STAFF_VIEW in permissions:
        nav.append(("Сотрудники", base + "staff", "users"))
    return SchoolWorkspace(
        scope=Scope.SCHOOL,
        code=code,
        title=school.name,
        subtitle=school.municipality.name,
        url=base,
        roles=roles,
        nav_items=nav,
        school=school,
    )


async def resolve_municipality(db: AsyncSession, auth: AuthContext, code: str) -> MunicipalityWorkspace:
    roles = auth.roles_in(Scope.MUNICIPALITY, code)
    municipality = await municipality_by_code(db, code) if roles else None
    if municipality is None:
        raise NotFoundException
    await set_workspace_scope(
        db, actor=auth.user.id, region_id=municipality.region_id, municipality_id=municipality.id
    )
    base = f"/m/{code}/"
    return MunicipalityWorkspace(
        scope=Scope.MUNICIPALITY,
        code=code,
        title=municipality.name,
        subtitle=municipality.region.name,
        url=base,
        roles=roles,
        nav_items=[("Обзор", base, "chart")],
        municipality=municipality,
    )


async def resolve_region(db: AsyncSession, auth: AuthContext, code: str) -> RegionWorkspace:
    roles = auth.roles_in(Scope.REGION, code)
    region = await region_by_code(db, code, with_municipalities=False) if roles else None
    if region is None:
        raise NotFoundException
    await set_workspace_scope(db, actor=auth.user.id, region_id=region.id)
    base = f"/r/{code}/"
    workspace = RegionWorkspace(
        scope=Scope.REGION,
        code=code,
        title=region.name,
        subtitle="Региональный уровень",
        url=base,
        roles=roles,
        nav_items=[("Обзор", base, "chart")],
        region=region,
    )
    if Permission.REGION_INDICATORS_VIEW in workspace.permissions:
        workspace.nav_items.append(("Сравнение организаций", base + "indicators/schools", "users"))
        workspace.nav_items.append(("Рейтинг по охвату", base + "indicators/ranking", "route"))
        workspace.nav_items.append(("Отчёты для министерства", base + "indicators/reports", "file"))
        workspace.nav_items.append(("Показатели ИОМ", base + "routes-indicators", "chart"))
    if Permission.REGION_TEMPLATES_MANAGE in workspace.permissions:
        workspace.nav_items.append(("Шаблоны дорожных карт", base + "templates", "map"))
        workspace.nav_items.append(("Шаблоны анкет", base + "questionnaires", "file"))
    workspace.nav_items.append(("Банк программ и практик", base + "bank", "book"))
    if Permission.REGION_PRACTICES_MODERATE in workspace.permissions:
        workspace.nav_items.append(("Модерация банка", base + "moderation", "check"))
    if workspace.permissions & {Permission.REGION_ROUTES_GUIDE, Permission.REGION_PRACTICES_MODERATE}:
        workspace.nav_items.append(("Наставники региона", base + "mentors", "search"))
    if Permission.REGION_ROUTES_GUIDE in workspace.permissions:
        workspace.nav_items.insert(1, ("Мои педагоги (ИОМ)", base + "routes", "route"))
    elif Permission.REGION_ROUTES_ASSIGN in workspace.permissions:
        workspace.nav_items.append(("ИОМ: тьюторы", base + "routes", "route"))
    return workspace


def admin_workspace(auth: AuthContext) -> Workspace:
    if not auth.is_platform_admin:
        raise NotFoundException
    return Workspace(
        Scope.PLATFORM,
        "platform",
        "Администрирование",
        "Платформа «Наставник»",
        "/admin/",
        frozenset({Role.PLATFORM_ADMIN}),
        [("Регионы", "/admin/", "map"), ("Шаблоны дорожных карт", "/admin/templates", "book")],
    )


async def page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    auth: AuthContext,
    workspace: Workspace,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """Render a workspace page (or its htmx fragment) with the shared layout context."""
    layout = await _layout(request, db, auth, workspace)
    response = Template(template_name=template, context={**layout, **context}, status_code=status_code)
    return _remember_workspace(request, workspace, response)


async def _layout(
    request: Request[Any, Any, Any], db: AsyncSession, auth: AuthContext, workspace: Workspace
) -> dict[str, Any]:
    return {
        "user": auth.user,
        "workspace": workspace,
        "workspaces": await workspace_links(db, auth, workspace.url),
        "nav": workspace.nav(request.url.path),
        "flashes": auth.pop_flashes(),
        "csrf_token": ScopeState.from_scope(request.scope).csrf_token or "",
        "request_id": request_id_of(request),
    }


async def cached_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    auth: AuthContext,
    workspace: Workspace,
    template: str,
    *,
    version: Hashable,
    produce: Callable[[], Awaitable[dict[str, Any]]],
) -> Template:
    """A page whose own blocks are rendered once per `version` of its data (see block_cache).

    The blocks may depend only on the URL (path and query), the workspace and its roles,
    `version` and `produce()`'s context — never on the user's own data. The layout around
    them (the user, menus, flashes) is rendered per request as with `page`.
    """
    key = (
        template,
        request.url.path,
        request.url.query,
        workspace.url,
        tuple(sorted(workspace.roles)),
        version,
    )
    layout = await _layout(request, db, auth, workspace)
    blocks = block_cache.CACHE.get(key)
    if blocks is None:
        context = {**layout, **await produce(), "request": request}
        engine = cast("JinjaTemplateEngine", request.app.template_engine)
        env = engine.engine
        blocks = block_cache.render_blocks(env, template, context)
        block_cache.CACHE.put(key, blocks)
    response = Template(
        template_name="_cached_blocks.html",
        context={**layout, "cached_blocks": block_cache.with_token(blocks, layout["csrf_token"])},
    )
    return _remember_workspace(request, workspace, response)


def _remember_workspace(
    request: Request[Any, Any, Any], workspace: Workspace, response: Template
) -> Template:
    if request.cookies.get(WORKSPACE_COOKIE) != workspace.url:
        response.cookies.append(
            Cookie(
                key=WORKSPACE_COOKIE,
                value=workspace.url,
                max_age=365 * 24 * 3600,
                httponly=True,
                secure=request.app.state.settings.session_cookie_secure,
                samesite="lax",
                path="/",
            )
        )
    return response
