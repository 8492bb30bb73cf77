"""The monitoring page of a school year (both stages, charts beside their tables), the SWOT
form, and the report as PDF, DOCX and XLSX."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from nastavnik.platform import documents as d
from nastavnik.platform import jobs
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.documents.text import content_disposition
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.monitoring import pupil_results, report, services
from nastavnik.school.pairs import services as pairs
from nastavnik.school.participants.models import local_today
from nastavnik.school.questionnaires.jobs import mail_survey_job
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
        rates = await services.rates_by_questionnaire(db, school, year.start)
        results_rows, results_window = await pupil_results.pairs_page(
            db, school, year.start, page_number(request.query_params, "pairs_page")
        )
        return await page(
            "monitoring/index.html",
            status_code=status_code,
            year=year,
            figures=figures,
            summary_rows=report.summary_rows(figures),
            impact_svg=report.svg(report.impact_chart(figures), "Влияние программы: до и после"),
            rates=rates,
            quality=await services.quality_by_form(db, school, year.start),
            rates_svg=report.svg(report.rates_chart(rates), "Доля ответов по анкетам"),
            satisfaction_svg=report.svg(report.satisfaction_chart(figures), "Удовлетворённость участием"),
            quiet_pairs=await services.pairs_without_feedback(db, school, year.start, today),
            swot_saved=summary is not None,
            pupil_summary=await pupil_results.summary(db, school, year.start),
            pupil_rows=results_rows,
            pupil_window=results_window.linked(
                f"/s/{school.code}/monitoring", {"year": year.title}, "#pupil-results", param="pairs_page"
            ),
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
        results = await pupil_results.summary(db, school, year.start)
        rates = await services.rates_by_questionnaire(db, school, year.start)
        quality = await services.quality_by_form(db, school, year.start)
        if fmt == "xlsx":
            content = await d.off_loop(d.render_xlsx, report.xlsx_sheets(figures, results, rates, quality))
        else:
            summary = await services.get_summary(db, school, year.start)
            document = report.build_document(school, year, figures, summary, results, rates, quality)
            content = await d.off_loop(d.render_pdf if fmt == "pdf" else d.render_docx, document)
        name = f"Мониторинг наставничества {year.title}.{fmt}"
        return Response(
            content,
            media_type=MEDIA[fmt],
            headers={
                "Content-Disposition": content_disposition(name, inline=fmt == "pdf"),
                "Cache-Control": "private, no-store",
            },
        )

    # --- stage 1 for teachers' pairs: the results of the mentee's pupils ---------------------

    async def _results_page(
        self, request: AnyRequest, db: DB, school: School, page: Page, pair_id: str, form: Form | None = None
    ) -> Template:
        mentorship = await pairs.get_mentorship(db, school, pair_id)
        if mentorship is None:
            raise NotFoundException
        if form is None:
            form = pupil_results.results_form(await pupil_results.get_results(db, school, mentorship.id))
        return await page(
            "monitoring/pupil_results.html",
            status_code=422 if form.errors else 200,
            mentorship=mentorship,
            form=form,
            fields=pupil_results.FIELDS,
            year=_year(request),
        )

    @get("/pupil-results/{pair_id:str}", name="monitoring:pupil_results")
    async def results(
        self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page, pair_id: FromPath[str]
    ) -> Template:
        return await self._results_page(request, db, school, page, pair_id)

    @post("/pupil-results/{pair_id:str}", name="monitoring:pupil_results_save")
    async def save_results(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        page: Page,
        pair_id: FromPath[str],
    ) -> Template | Redirect:
        mentorship = await pairs.get_mentorship(db, school, pair_id)
        if mentorship is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), pupil_results.FORM_FIELDS)
        if not await pupil_results.save_results(db, school, mentorship, form):
            return await self._results_page(request, db, school, page, pair_id, form)
        user.flash("success", f"Результаты обучающихся сохранены: пара № {mentorship.number}.")
        return Redirect(
            f"/s/{school.code}/monitoring?year={_year(request).title}#pupil-results", status_code=303
        )

    # --- the watch's action on a pair without feedback ---------------------------------------

    @post("/feedback/{pair_id:str}", name="monitoring:request_feedback")
    async def request_feedback(
        self, request: AnyRequest, db: DB, user: CurrentUser, school: CurrentSchool, pair_id: FromPath[str]
    ) -> Redirect:
        mentorship = await pairs.get_mentorship(db, school, pair_id)
        if mentorship is None:
            raise NotFoundException
        surveys = await services.request_feedback(db, school, mentorship, user.user.id, local_today())
        for survey in surveys:
            await jobs.defer(
                db, mail_survey_job, school_id=str(school.id), survey_id=str(survey.id), reminder=False
            )
        if surveys:
            user.flash(
                "success",
                f"Пара № {mentorship.number}: ежемесячная обратная связь запрошена — ссылки ушли участникам "
                "с e-mail, у педагогов анкета в «Моих анкетах»; срок — неделя.",
            )
        else:
            user.flash(
                "error",
                f"Пару № {mentorship.number} спросить нельзя: "
                "ни у кого из участников нет действующего согласия.",
            )
        back = (await request.form()).get("back", "")
        target = {"meetings": "meetings", "monitoring": "monitoring"}.get(str(back), "")
        return Redirect(f"/s/{school.code}/{target}#pairs-watch", status_code=303)
