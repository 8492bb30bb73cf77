"""Application factory: plugins, routers, templates, error pages."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import structlog
from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import nastavnik.models  # noqa: F401 - configure every mapper before the first request
from nastavnik.platform import jobs, sequential_dependencies
from nastavnik.platform.admission import AdmissionMiddleware, ServerBusyError
from nastavnik.platform.auth.controllers import AuthController
from nastavnik.platform.auth.csrf import CsrfMiddleware
from nastavnik.platform.auth.oidc import OidcClient
from nastavnik.platform.database import DatabaseUrls, resolve_database
from nastavnik.platform.db import make_sessionmaker, web_engine
from nastavnik.platform.health import HealthController
from nastavnik.platform.logging import configure_logging
from nastavnik.platform.security import BadInputError, InputGuardMiddleware, response_headers_hook
from nastavnik.platform.settings import Settings, get_settings
from nastavnik.platform.unavailable import (
    DATABASE_ERRORS,
    RETRY_AFTER_SECONDS,
    RetryReadOnDroppedConnectionMiddleware,
    unavailable_response,
)
from nastavnik.platform.web import (
    DB,
    LoginRequiredError,
    OptionalAuth,
    RequestIdMiddleware,
    RequestSessionMiddleware,
    is_htmx,
    login_url_for,
    provide_auth,
    provide_db,
    provide_user,
    request_id_of,
)
from nastavnik.regional.indicators.api import IndicatorsApiController, indicators_openapi
from nastavnik.regional.indicators.controllers import (
    MunicipalityIndicatorsController,
    RegionIndicatorsController,
)
from nastavnik.regional.mentor_search.controllers import MENTOR_SEARCH_CONTROLLERS
from nastavnik.regional.practice_bank.controllers import PRACTICE_BANK_CONTROLLERS
from nastavnik.regional.questionnaire_templates.controllers import RegionQuestionnairesController
from nastavnik.regional.routes.controllers import ROUTE_CONTROLLERS
from nastavnik.regional.routes.services import sync_tutor_on_login
from nastavnik.regional.templates_bank.controllers import AdminTemplatesController, RegionTemplatesController
from nastavnik.regional.workspace.controllers import (
    MunicipalityWorkspaceController,
    RegionWorkspaceController,
)
from nastavnik.school.completion.controllers import COMPLETION_CONTROLLERS
from nastavnik.school.completion.public_controllers import PublicSchoolPageController
from nastavnik.school.documents.controllers import SchoolDocumentsController
from nastavnik.school.matching.controllers import MATCHING_CONTROLLERS
from nastavnik.school.meetings.controllers import MeetingsController
from nastavnik.school.monitoring.controllers import MonitoringController
from nastavnik.school.pairs.controllers import PairsController
from nastavnik.school.participants.controllers import PARTICIPANT_CONTROLLERS
from nastavnik.school.programme.controllers import ProgrammeController
from nastavnik.school.questionnaires.controllers import (
    MyQuestionnairesController,
    PublicQuestionnaireController,
    QuestionnairesController,
)
from nastavnik.school.roadmap.controllers import RoadmapController, RoadmapRedirectController
from nastavnik.school.workspace.controllers import SchoolWorkspaceController
from nastavnik.tenants.controllers import AdminController
from nastavnik.tenants.provisioning import KeycloakProvisioner
from nastavnik.tenants.services import sync_staff_on_login
from nastavnik.tenants.web import WORKSPACE_COOKIE, home_url

PACKAGE_DIR = Path(__file__).resolve().parent
log = structlog.get_logger("nastavnik.app")


@get("/", name="home", include_in_schema=False)
async def home(request: Request[Any, Any, Any], db: DB, auth: OptionalAuth) -> Template | Redirect:
    if auth is not None:
        target = await home_url(db, auth, request.cookies.get(WORKSPACE_COOKIE))
        if target:
            return Redirect(target, status_code=303)
        return Template(
            template_name="no_workspace.html",
            context={"user": auth.user, "request_id": request_id_of(request)},
        )
    return Template(template_name="landing.html", context={"request_id": request_id_of(request)})


def _error_page(
    request: Request[Any, Any, Any], status: int, template: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    if request.url.path.startswith("/health/"):
        return Response({"status": "error"}, status_code=status, headers=headers)
    # Unmatched URLs never reach the route middleware, so they get their id here.
    request_id = request_id_of(request) or secrets.token_hex(8)
    return Template(
        template_name=template,
        context={"request_id": request_id},
        status_code=status,
        headers={"X-Request-ID": request_id, **(headers or {})},
    )


def login_required_handler(request: Request[Any, Any, Any], _: LoginRequiredError) -> Response[Any]:
    url = login_url_for(request)
    if is_htmx(request):
        return Response("", status_code=401, headers={"HX-Redirect": url})
    return Redirect(url, status_code=303)


def not_found_handler(request: Request[Any, Any, Any], _: NotFoundException) -> Response[Any]:
    return _error_page(request, 404, "errors/404.html")


def forbidden_handler(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Response[Any]:
    if "csrf" in str(exc.detail).lower():
        return _error_page(request, 403, "errors/400.html")
    return _error_page(request, 403, "errors/403.html")


def bad_input_handler(request: Request[Any, Any, Any], _: BadInputError) -> Response[Any]:
    return _error_page(request, 400, "errors/bad_input.html")


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:
        log.error("http_error", status=exc.status_code, detail=exc.detail)
        return _error_page(request, exc.status_code, "errors/500.html")
    return _error_page(request, exc.status_code, "errors/400.html")


def server_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled_error", error=repr(exc), exc_info=exc)
    return _error_page(request, 500, "errors/500.html")


def database_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A Russian 503 with Retry-After when the database cannot serve now; else the 500."""
    response = unavailable_response(request, exc, _error_page)
    return response if response is not None else server_error_handler(request, exc)


def server_busy_handler(request: Request[Any, Any, Any], _: ServerBusyError) -> Response[Any]:
    """The worker had no free place for this request within REQUEST_QUEUE_TIMEOUT."""
    log.warning("server_busy", path=request.url.path)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_htmx(request):
        headers["HX-Reswap"] = "none"
    return _error_page(request, 503, "errors/503.html", headers)


def create_app(
    settings: Settings | None = None,
    database: DatabaseUrls | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> Litestar:
    """Build the app; tests pass a `sessionmaker` bound to a connection they roll back."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    sequential_dependencies.install()
    urls = database or resolve_database(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = None
        if sessionmaker is not None:
            app.state.sessionmaker = sessionmaker
        else:
            # This worker's bounded pool (DB_POOL_*); the job worker has its own connections.
            engine = web_engine(urls.app, settings)
            app.state.sessionmaker = make_sessionmaker(engine)
        # One HTTP client for the readiness probe, its connection kept alive between calls.
        app.state.http = httpx.AsyncClient(timeout=httpx.Timeout(3.0))
        # Background jobs run in this process in development (JOBS_IN_PROCESS), in
        # `nastavnik worker` processes in production; tests run them explicitly.
        worker = AsyncExitStack()
        if engine is not None and settings.jobs_in_process:
            await worker.enter_async_context(
                jobs.in_process_worker(urls.app, session_idle_seconds=settings.session_idle_seconds)
            )
        try:
            yield
        finally:
            await worker.aclose()
            await app.state.http.aclose()
            await app.state.oidc.aclose()
            await app.state.provisioner.aclose()
            if engine is not None:
                await engine.dispose()

    async def on_login(db: DB, user: Any, memberships: Any) -> None:
        await sync_staff_on_login(db, user, memberships)
        await sync_tutor_on_login(db, user, memberships)

    return Litestar(
        route_handlers=[
            home,
            HealthController,
            AuthController,
            AdminController,
            SchoolWorkspaceController,
            ProgrammeController,
            RoadmapController,
            RoadmapRedirectController,
            SchoolDocumentsController,
            RegionTemplatesController,
            RegionQuestionnairesController,
            AdminTemplatesController,
            *PARTICIPANT_CONTROLLERS,
            *MATCHING_CONTROLLERS,
            PairsController,
            MeetingsController,
            QuestionnairesController,
            MyQuestionnairesController,
            PublicQuestionnaireController,
            MonitoringController,
            MunicipalityWorkspaceController,
            RegionWorkspaceController,
            MunicipalityIndicatorsController,
            RegionIndicatorsController,
            IndicatorsApiController,
            *MENTOR_SEARCH_CONTROLLERS,
            *PRACTICE_BANK_CONTROLLERS,
            *COMPLETION_CONTROLLERS,
            PublicSchoolPageController,
            *ROUTE_CONTROLLERS,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"], name="static"),
        ],
        openapi_config=indicators_openapi(),
        dependencies={
            "db": Provide(provide_db),
            "auth": Provide(provide_auth),
            "user": Provide(provide_user),
        },
        middleware=[
            RequestIdMiddleware(),
            AdmissionMiddleware(settings.admitted_requests, settings.request_queue_timeout),
            RetryReadOnDroppedConnectionMiddleware(),
            RequestSessionMiddleware(),
            InputGuardMiddleware(),
            CsrfMiddleware(secret=settings.session_secret, cookie_secure=settings.session_cookie_secure),
        ],
        template_config=TemplateConfig(directory=PACKAGE_DIR / "templates", engine=JinjaTemplateEngine),
        exception_handlers={
            LoginRequiredError: login_required_handler,
            NotFoundException: not_found_handler,
            BadInputError: bad_input_handler,
            PermissionDeniedException: forbidden_handler,
            HTTPException: http_error_handler,
            **dict.fromkeys(DATABASE_ERRORS, database_error_handler),
            ServerBusyError: server_busy_handler,
            Exception: server_error_handler,
        },
        # A send hook, not after_request: error pages and unmatched URLs get them too.
        before_send=[response_headers_hook(settings)],
        state=State(
            {
                "settings": settings,
                "database": urls,
                "oidc": OidcClient(settings),
                "provisioner": KeycloakProvisioner(settings),
                "on_login": on_login,
            }
        ),
        lifespan=[lifespan],
        # Logging is configured once, as JSON, by configure_logging(); Litestar's own
        # default configuration would replace it.
        logging_config=None,
        debug=False,
    )
