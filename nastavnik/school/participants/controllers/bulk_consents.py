"""The grid of received consents: a stack of signed forms recorded in one save."""

from __future__ import annotations

from litestar import get, post
from litestar.datastructures import State, UploadFile
from litestar.response import Redirect, Template

from nastavnik.platform import audit
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.settings import Settings
from nastavnik.platform.web import DB, CurrentUser, Form, request_id_of
from nastavnik.school.participants import bulk_consents as bulk
from nastavnik.school.participants import search
from nastavnik.school.participants.consents import UploadedFile
from nastavnik.school.participants.controllers._common import AnyRequest
from nastavnik.school.participants.models import (
    CONSENT_SCOPE_TITLES,
    CONSENT_SIGNER_TITLES,
    local_today,
)
from nastavnik.school.years import ChosenYear, YearChoice, YearController
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, requires
from nastavnik.tenants.models import School

BANKS = {"mentees": "Наставляемые", "mentors": "Наставники"}
SCAN_BODY_LIMIT = 64 * 1024 * 1024


class BulkConsentsController(YearController):
    path = "/s/{school_code:str}/consents/received"
    guards = [*SchoolController.guards, requires(Permission.SCHOOL_PARTICIPANTS_MANAGE)]  # noqa: RUF012

    async def _grid(
        self,
        request: AnyRequest,
        db: DB,
        school: School,
        page: Page,
        chosen: YearChoice,
        *,
        result: bulk.BulkResult | None = None,
        status_code: int = 200,
    ) -> Template:
        params = request.query_params
        bank = params.get("bank") if params.get("bank") in BANKS else "mentees"
        filters = search.BankFilters.from_query(params, chosen.start)
        if "consent" not in params:
            filters.consent = "missing"
        grid, rows = await bulk.grid_page(db, school, str(bank), filters)
        if result is not None:
            # What was typed stays, each picked row with its own message.
            typed = {r.person.id: r for r in result.rows}
            rows = [typed.get(r.person.id, r) for r in rows]
        common = (
            result.common
            if result is not None
            else Form(data={"signed_on": local_today().isoformat(), "scopes": bulk.SCOPE_DEFAULT})
        )
        return await page(
            "participants/consents_received.html",
            status_code=status_code,
            chosen=chosen,
            bank=bank,
            banks=BANKS,
            filters=filters,
            grid=grid,
            rows=rows,
            common=common,
            failed=len(result.failed) if result else 0,
            classes=await search.school_classes(db, school),
            signer_options=[(s.value, t) for s, t in CONSENT_SIGNER_TITLES.items()],
            scope_options=[(s.value, t) for s, t in CONSENT_SCOPE_TITLES.items()],
            today=local_today(),
            upload_mb=request.app.state.settings.upload_max_bytes // (1024 * 1024),
        )

    @get("/", name="participants:consents_received")
    async def grid(
        self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page, chosen: ChosenYear
    ) -> Template:
        return await self._grid(request, db, school, page, chosen)

    # The body may exceed the scan limit so that a too-big scan gets its message beside the field.
    @post("/", name="participants:consents_received_save", request_max_body_size=SCAN_BODY_LIMIT)
    async def save(
        self,
        request: AnyRequest,
        state: State,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        page: Page,
        chosen: ChosenYear,
    ) -> Template | Redirect:
        data = await request.form()
        upload = data.get("scan")
        scan = None
        if isinstance(upload, UploadFile) and upload.filename:
            scan = UploadedFile(upload.filename, upload.content_type, await upload.read())
        # «Отметить всех на странице» without JavaScript: every row the page showed.
        picked = data.getall("row", []) if data.get("pick_all") else data.getall("pick", [])
        settings: Settings = state.settings
        result = await bulk.save_grid(
            db,
            school,
            data,
            picked=[str(v) for v in picked],
            scopes=[str(v) for v in data.getall("scopes", [])],
            recorded_by=user.user.id,
            scan=scan,
            max_bytes=settings.upload_max_bytes,
        )
        if not result.saved:
            return await self._grid(request, db, school, page, chosen, result=result, status_code=422)
        recorded = [r.person for r in result.rows if r.recorded]
        await audit.record(
            db,
            action="participants.consents_recorded_in_bulk",
            actor_id=user.user.id,
            school_id=school.id,
            object_type="participant",
            request_id=request_id_of(request),
            details={
                "count": len(recorded),
                "participants": [str(p.id) for p in recorded],
                "scan": scan is not None,
            },
        )
        names = ", ".join(p.short_name for p in recorded[:5]) + (" и др." if len(recorded) > 5 else "")
        user.flash("success", f"Записано согласий: {len(recorded)} ({names}).")
        return Redirect(f"{request.url.path}?{request.url.query}", status_code=303)
