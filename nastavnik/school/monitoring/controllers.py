"""The monitoring page of a school year (both stages, charts beside their tables), the SWOT
form, and the report as PDF, DOCX and XLSX."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.documents.pdf import render_pdf
from nastavnik.platform.documents.text import content_disposition
from nastavnik.platform.documents.word import render_docx
from nastavnik.platform.documents.xlsx import render_xlsx
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.monitoring import report, services
from nastavnik.school.participants.models import local_today
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, requires
from nastavnik.tenants.models import School

AnyRequest = Request[Any, Any, Any]
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _year(request: AnyRequest) -> AcademicYear:
    return AcademicYear.parse(request.query_params.get("year", "")) or AcademicYear.current(local_today())


class MonitoringController(SchoolController):
    path = "/s/{school_code:str}/monitoring"
    guards = [  # noqa: RUF012
        *SchoolController.guards,
        requires(Permission.SCHOOL_QUESTIONNAIRES_MANAGE, hidden=True),
    ]

    async def _page(
        self,
        request: AnyRequest,
        db: DB,
        school: School,
        page: Page,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        year = _year(request)
        today = local_today()
        figures = await services.monitoring_figures(db, school, year.start, today)
        summary = await services.get_summary(db, school, year.start)
        if form is None:
            data = (
                {name: getattr(summary, name) for name in services.SWOT_FIELDS}
                if summary
                else await services.draft_swot(db, school, year.start)
            )
            form = Form(data=data)
        return await page(
            "monitoring/index.html",
            status_code=status_code,
            year=year,
            figures=figures,
            summary_rows=report.summary_rows(figures),
            impact_svg=report.svg(report.impact_chart(figures), "Влияние программы: до и после"),
            satisfaction_svg=report.svg(report.satisfaction_chart(figures), "Удовлетворённость участием"),
            quiet_pairs=await services.pairs_without_feedback(db, school, year.start, today),
            swot_saved=summary is not None,
            swot_titles=services.SWOT_TITLES,
            form=form,
        )

    @get("/", name="monitoring:index")
    async def index(self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page) -> Template:
        return await self._page(request, db, school, page)

    @post("/swot", name="monitoring:swot")
    async def save_swot(
        self, request: AnyRequest, db: DB, user: CurrentUser, school: CurrentSchool, page: Page
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), services.SWOT_FIELDS)
        year = _year(request)
        errors = await services.save_summary(
            db, school, year.start, {k: form.value(k) for k in services.SWOT_FIELDS}
        )
        if errors:
            form.errors.update(errors)
            return await self._page(request, db, school, page, form=form, status_code=422)
        user.flash("success", "SWOT-анализ сохранён.")
        return Redirect(f"/s/{school.code}/monitoring?year={year.title}", status_code=303)

    @get("/report/{fmt:str}", name="monitoring:report")
    async def report_file(
        self, request: AnyRequest, db: DB, school: CurrentSchool, fmt: FromPath[str]
    ) -> Response[bytes]:
        if fmt not in MEDIA:
            raise NotFoundException
        year = _year(request)
        figures = await services.monitoring_figures(db, school, year.start, local_today())
        if fmt == "xlsx":
            content = render_xlsx(report.xlsx_sheets(figures))
        else:
            summary = await services.get_summary(db, school, year.start)
            document = report.build_document(school, year, figures, summary)
            content = render_pdf(document) if fmt == "pdf" else render_docx(document)
        name = f"Мониторинг наставничества {year.title}.{fmt}"
        return Response(
            content,
            media_type=MEDIA[fmt],
            headers={
                "Content-Disposition": content_disposition(name, inline=fmt == "pdf"),
                "Cache-Control": "private, no-store",
            },
        )
