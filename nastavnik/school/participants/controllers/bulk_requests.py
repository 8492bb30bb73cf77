"""The grid of requests: directions, areas and capacity for many people of a bank at once."""

from __future__ import annotations

from litestar import get, post
from litestar.response import Redirect, Template

from nastavnik.platform import audit
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, Form, request_id_of
from nastavnik.school.participants import bulk_requests as bulk
from nastavnik.school.participants import search
from nastavnik.school.participants.controllers._common import AnyRequest
from nastavnik.school.years import ChosenYear, YearChoice, YearController
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, requires
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceKind, reference_items

BANKS = {"mentees": "Наставляемые", "mentors": "Наставники"}


class BulkRequestsController(YearController):
    path = "/s/{school_code:str}/requests"
    guards = [*SchoolController.guards, requires(Permission.SCHOOL_PARTICIPANTS_MANAGE)]  # noqa: RUF012

    async def _grid(
        self,
        request: AnyRequest,
        db: DB,
        school: School,
        page: Page,
        chosen: YearChoice,
        *,
        result: bulk.BulkRequests | None = None,
        status_code: int = 200,
    ) -> Template:
        params = request.query_params
        bank = str(params.get("bank")) if params.get("bank") in BANKS else "mentees"
        filters = search.BankFilters.from_query(params, chosen.start)
        grid = await bulk.grid_page(db, school, bank, filters)
        form = result.form if result is not None else Form(data={"mode": "replace"})
        return await page(
            "participants/requests_bulk.html",
            status_code=status_code,
            chosen=chosen,
            bank=bank,
            banks=BANKS,
            filters=filters,
            grid=grid,
            form=form,
            picked=set(result.picked) if result is not None else set(),
            classes=await search.school_classes(db, school),
            direction_options=[
                (str(i.id), i.title) for i in await reference_items(db, ReferenceKind.DIRECTION)
            ],
            area_options=[
                (str(i.id), i.title) for i in await reference_items(db, ReferenceKind.REQUEST_AREA)
            ],
            mode_options=list(bulk.MODES.items()),
        )

    @get("/", name="participants:requests_bulk")
    async def grid(
        self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page, chosen: ChosenYear
    ) -> Template:
        return await self._grid(request, db, school, page, chosen)

    @post("/", name="participants:requests_bulk_save")
    async def save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        page: Page,
        chosen: ChosenYear,
    ) -> Template | Redirect:
        data = await request.form()
        bank = (
            str(request.query_params.get("bank")) if request.query_params.get("bank") in BANKS else "mentees"
        )
        filters = search.BankFilters.from_query(request.query_params, chosen.start)
        # «Всем на странице» without JavaScript: every row the page showed.
        picked = data.getall("row", []) if data.get("pick_all") else data.getall("pick", [])
        result = await bulk.save(db, school, bank, filters.year, data, [str(v) for v in picked])
        if not result.saved:
            if result.form.ok:
                result.form.error("__all__", "Отмеченных строк нет в базе этого года: обновите страницу.")
            return await self._grid(request, db, school, page, chosen, result=result, status_code=422)
        await audit.record(
            db,
            action="participants.requests_set_in_bulk",
            actor_id=user.user.id,
            school_id=school.id,
            object_type=f"{bank[:-1]}_profile",
            request_id=request_id_of(request),
            details={"count": result.saved, "year": filters.year},
        )
        user.flash("success", f"Запрос записан: {result.saved} — {BANKS[bank].lower()}.")
        return Redirect(f"{request.url.path}?{request.url.query}", status_code=303)
