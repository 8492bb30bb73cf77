"""The banks of a year: mentees and mentors with search and filters, and their XLSX export."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.response import Template

from nastavnik.platform import audit
from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, is_htmx, request_id_of
from nastavnik.school.participants import search
from nastavnik.school.participants.controllers._common import BANK_TITLES, AnyRequest, kind_options
from nastavnik.school.participants.models import (
    INTERVIEW_RESULT_TITLES,
    MENTEE_CATEGORY_TITLES,
    MENTEE_STATUS_TITLES,
    MENTOR_STATUS_TITLES,
)
from nastavnik.school.years import ChosenYear, YearChoice, YearController
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolScope, requires
from nastavnik.tenants.reference import ReferenceKind, reference_items
from nastavnik.tenants.web import SchoolWorkspace

VIEW = requires(Permission.SCHOOL_PARTICIPANTS_VIEW)


class BanksController(YearController):
    path = "/s/{school_code:str}"

    async def _bank(
        self,
        request: AnyRequest,
        db: DB,
        workspace: SchoolWorkspace,
        page: Page,
        chosen: YearChoice,
        bank: str,
    ) -> Template:
        school = workspace.school
        filters = search.BankFilters.from_query(request.query_params, chosen.start)
        show_all = workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW_UNCONSENTED)
        result = await search.search_bank(db, school, bank, filters, show_unconsented=show_all)
        context: dict[str, Any] = {
            "bank": bank,
            "bank_title": BANK_TITLES[bank],
            "filters": filters,
            "result": result,
            "counts": await search.bank_counts(db, school, bank, filters.year),
            "chosen": chosen,
            "year_title": AcademicYear(filters.year).title,
            "directions": await reference_items(db, ReferenceKind.DIRECTION),
            "classes": await search.school_classes(db, school),
            "kind_options": kind_options(),
            "status_titles": MENTEE_STATUS_TITLES if bank == "mentees" else MENTOR_STATUS_TITLES,
            "category_titles": MENTEE_CATEGORY_TITLES,
            "interview_titles": INTERVIEW_RESULT_TITLES,
            "show_all": show_all,
            "can_manage": workspace.can(Permission.SCHOOL_PARTICIPANTS_MANAGE),
        }
        template = "participants/_bank_results.html" if is_htmx(request) else "participants/bank.html"
        return await page(template, **context)

    @get("/mentees", name="participants:mentees", guards=[VIEW])
    async def mentees(
        self, request: AnyRequest, db: DB, workspace: SchoolScope, page: Page, chosen: ChosenYear
    ) -> Template:
        return await self._bank(request, db, workspace, page, chosen, "mentees")

    @get("/mentors", name="participants:mentors", guards=[VIEW])
    async def mentors(
        self, request: AnyRequest, db: DB, workspace: SchoolScope, page: Page, chosen: ChosenYear
    ) -> Template:
        return await self._bank(request, db, workspace, page, chosen, "mentors")

    @get(
        ["/mentees/export.xlsx", "/mentors/export.xlsx"],
        name="participants:export",
        guards=[requires(Permission.SCHOOL_PARTICIPANTS_MANAGE)],
    )
    async def export(
        self, request: AnyRequest, db: DB, user: CurrentUser, school: CurrentSchool, chosen: ChosenYear
    ) -> Response[bytes]:
        bank = "mentees" if request.url.path.endswith("/mentees/export.xlsx") else "mentors"
        year = chosen.start
        rows = await search.export_rows(db, school, bank, year)
        table = search.mentee_export_table(rows) if bank == "mentees" else search.mentor_export_table(rows)
        title = f"{BANK_TITLES[bank]} {AcademicYear(year).title}"
        await audit.record(
            db,
            action=f"participants.{bank}_exported",
            actor_id=user.user.id,
            school_id=school.id,
            object_type="participant",
            object_id="",
            request_id=request_id_of(request),
            details={"year": year, "count": len(rows), "participants": [str(r.participant.id) for r in rows]},
        )
        return Response(
            await d.off_loop(d.render_xlsx, [(title, table)]),
            media_type=d.XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": d.content_disposition(f"{title}.xlsx")},
        )
