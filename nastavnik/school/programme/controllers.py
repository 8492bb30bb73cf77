"""The programme of each academic year: starting it, its settings and the contingent."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.programme import services as svc
from nastavnik.school.programme.figures import FEDERAL_TARGET, programme_figures
from nastavnik.school.programme.models import PROGRAMME_MODEL_TITLES, Programme
from nastavnik.school.roadmap.services import summarise_roadmap
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceKind, reference_items
from nastavnik.tenants.web import SchoolWorkspace

AnyRequest = Request[Any, Any, Any]


class ProgrammeController(SchoolController):
    path = "/s/{school_code:str}/programme"

    async def _index(
        self,
        db: DB,
        page: Page,
        workspace: SchoolWorkspace,
        *,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        school = workspace.school
        programmes = await svc.list_programmes(db, school)
        progress = {}
        for programme in programmes:
            loaded = await svc.programme_for_year(db, school, programme.year)
            if loaded is not None:
                progress[programme.id] = await summarise_roadmap(db, school, loaded)
        current = AcademicYear.current(svc.local_today())
        taken = {p.academic_year for p in programmes}
        default_year = next((y for y in svc.year_choices() if y.start == current.start), current)
        if default_year.start in taken:
            default_year = current.next()
        form = form or Form(data={"year": default_year.title})
        chosen = AcademicYear.parse(form.value("year")) or default_year
        choices = await svc.start_choices(db, school, chosen)
        if programmes and not any(c.value == "previous" for c in choices):
            choices.append(
                svc.StartChoice(
                    "previous",
                    "Программа прошлого учебного года",
                    "Копия программы предыдущего года со сроками, сдвинутыми на год.",
                )
            )
        if "source" not in form.data and choices:
            form.data["source"] = choices[0].value
        return await page(
            "programme/index.html",
            status_code=status_code,
            programmes=programmes,
            progress=progress,
            form=form,
            year_options=[(y.title, y.title) for y in svc.year_choices() if y.start not in taken],
            source_choices=choices,
            model_titles=PROGRAMME_MODEL_TITLES,
            can_manage=workspace.can(Permission.SCHOOL_PROGRAMME_MANAGE),
        )

    @get("/", name="programme:index", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def index(self, db: DB, workspace: SchoolScope, page: Page) -> Template:
        return await self._index(db, page, workspace)

    @post("/", name="programme:start", guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)])
    async def start(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), svc.START_FIELDS)
        programme = await svc.start_programme(db, school, form)
        if programme is None:
            return await self._index(db, page, workspace, form=form, status_code=422)
        user.flash(
            "success",
            f"Программа на {programme.year.title} учебный год создана ({programme.origin}). "
            "Проверьте сроки и ответственных в дорожной карте.",
        )
        return Redirect(f"{workspace.url}roadmap/{programme.year.title}", status_code=303)

    # ---- one year -----------------------------------------------------------------

    async def _programme(self, db: DB, school: School, year_text: str) -> Programme:
        year = svc.parse_year(year_text)
        programme = await svc.programme_for_year(db, school, year) if year else None
        if programme is None:
            raise NotFoundException
        return programme

    async def _show(
        self,
        db: DB,
        page: Page,
        workspace: SchoolWorkspace,
        programme: Programme,
        *,
        settings_form: Form | None = None,
        contingent_form: Form | None = None,
        close_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        school = workspace.school
        staff = await svc.active_staff(db, school)
        if settings_form is None:
            settings_form = Form(
                data={
                    "title": programme.title,
                    "goals": programme.goals,
                    "curator_id": str(programme.curator_id or ""),
                    "forms": list(programme.forms),
                }
            )
        contingent = await svc.contingent_for(db, school, programme.year)
        forms_items = await reference_items(db, ReferenceKind.FORM)
        return await page(
            "programme/show.html",
            status_code=status_code,
            programme=programme,
            view=await summarise_roadmap(db, school, programme),
            figures=await programme_figures(db, school, programme.year),
            federal_target=FEDERAL_TARGET,
            settings_form=settings_form,
            contingent_form=contingent_form or svc.contingent_form(contingent),
            contingent_titles=svc.CONTINGENT_TITLES,
            close_form=close_form or svc.close_form(programme, svc.local_today()),
            staff_options=[(str(s.id), s.full_name) for s in staff],
            form_options=[(i.code, i.title) for i in forms_items],
            form_titles={i.code: i.title for i in forms_items},
            model_titles=PROGRAMME_MODEL_TITLES,
            can_manage=workspace.can(Permission.SCHOOL_PROGRAMME_MANAGE),
        )

    @get("/{year:str}", name="programme:show", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def show(
        self, db: DB, workspace: SchoolScope, school: CurrentSchool, page: Page, year: FromPath[str]
    ) -> Template:
        programme = await self._programme(db, school, year)
        return await self._show(db, page, workspace, programme)

    @post(
        "/{year:str}/settings",
        name="programme:settings",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def settings(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        year: FromPath[str],
    ) -> Template | Redirect:
        programme = await self._programme(db, school, year)
        data = await request.form()
        form = Form.from_mapping(data, svc.SETTINGS_FIELDS)
        chosen = [str(v) for v in data.getall("forms", [])]
        form.data["forms"] = chosen
        if not await svc.update_settings(db, school, programme, form, chosen):
            return await self._show(db, page, workspace, programme, settings_form=form, status_code=422)
        user.flash("success", "Сведения о программе сохранены.")
        return Redirect(f"{workspace.url}programme/{programme.year.title}", status_code=303)

    @post(
        "/{year:str}/contingent",
        name="programme:contingent",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def contingent(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        year: FromPath[str],
    ) -> Template | Redirect:
        programme = await self._programme(db, school, year)
        form = Form.from_mapping(await request.form(), svc.CONTINGENT_FIELDS)
        if await svc.save_contingent(db, school, programme.year, form) is None:
            return await self._show(db, page, workspace, programme, contingent_form=form, status_code=422)
        user.flash("success", f"Контингент на {programme.year.title} учебный год сохранён.")
        return Redirect(f"{workspace.url}programme/{programme.year.title}#contingent", status_code=303)

    @post(
        "/{year:str}/close",
        name="programme:close",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def close(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        year: FromPath[str],
    ) -> Template | Redirect:
        programme = await self._programme(db, school, year)
        form = Form.from_mapping(await request.form(), svc.CLOSE_FIELDS)
        if not svc.close_programme(programme, form, svc.local_today()):
            return await self._show(db, page, workspace, programme, close_form=form, status_code=422)
        user.flash("success", f"Программа {programme.year.title} закрыта {programme.closed_on:%d.%m.%Y}.")
        return Redirect(f"{workspace.url}programme/{programme.year.title}#closing", status_code=303)

    @post(
        "/{year:str}/reopen",
        name="programme:reopen",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def reopen(
        self, db: DB, user: CurrentUser, workspace: SchoolScope, school: CurrentSchool, year: FromPath[str]
    ) -> Redirect:
        programme = await self._programme(db, school, year)
        programme.closed_on = None
        user.flash("success", f"Программа {programme.year.title} снова открыта.")
        return Redirect(f"{workspace.url}programme/{programme.year.title}#closing", status_code=303)
