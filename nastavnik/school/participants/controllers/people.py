"""Everyone the school keeps: the list of all participants and adding a person."""

from __future__ import annotations

from litestar import get, post
from litestar.response import Redirect, Template

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx
from nastavnik.school.participants import search
from nastavnik.school.participants import services as svc
from nastavnik.school.participants.controllers._common import (
    AnyRequest,
    audit_person,
    kind_options,
    person_form_context,
    year_of,
)
from nastavnik.school.participants.models import (
    PARTICIPANT_KIND_TITLES,
    ParticipantKind,
    local_today,
)
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School

MANAGE = requires(Permission.SCHOOL_PARTICIPANTS_MANAGE)


class PeopleController(SchoolController):
    path = "/s/{school_code:str}/participants"

    @get("/", name="participants:list", guards=[requires(Permission.SCHOOL_PARTICIPANTS_VIEW)])
    async def people(
        self, request: AnyRequest, db: DB, workspace: SchoolScope, school: CurrentSchool, page: Page
    ) -> Template:
        filters = search.BankFilters.from_query(request.query_params, year_of(request))
        show_all = workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW_UNCONSENTED)
        result = await search.search_people(db, school, filters, show_unconsented=show_all)
        template = "participants/_people_results.html" if is_htmx(request) else "participants/people.html"
        return await page(
            template,
            filters=filters,
            result=result,
            classes=await search.school_classes(db, school),
            kind_options=kind_options(),
            show_all=show_all,
            can_manage=workspace.can(Permission.SCHOOL_PARTICIPANTS_MANAGE),
        )

    async def _new_page(
        self,
        request: AnyRequest,
        db: DB,
        school: School,
        page: Page,
        *,
        form: Form,
        kind: ParticipantKind | None,
        status_code: int = 200,
    ) -> Template:
        return await page(
            "participants/new.html",
            status_code=status_code,
            form=form,
            kind=kind,
            kind_titles=PARTICIPANT_KIND_TITLES,
            bank=str(request.query_params.get("bank", "")),
            year=AcademicYear(year_of(request)).title,
            **await person_form_context(db, school),
        )

    @get("/new", name="participants:new", guards=[MANAGE])
    async def new(self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page) -> Template:
        kind_value = str(request.query_params.get("kind", ""))
        kind = next((k for k in ParticipantKind if k.value == kind_value), None)
        form = Form(data={"kind": kind.value if kind else ""})
        return await self._new_page(request, db, school, page, form=form, kind=kind)

    @post("/new", name="participants:create", guards=[MANAGE])
    async def create(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
    ) -> Template | Redirect:
        data = await request.form()
        form = Form.from_mapping(data, svc.PARTICIPANT_FIELDS)
        person = await svc.create_participant(db, school, form)
        kind = next((k for k in ParticipantKind if k.value == form.value("kind")), None)
        if person is None:
            return await self._new_page(request, db, school, page, form=form, kind=kind, status_code=422)
        await audit_person(db, request, user, school, "participant.created", obj=str(person.id))
        bank = str(data.get("bank", ""))
        year = AcademicYear.parse(str(data.get("year", ""))) or AcademicYear.current(local_today())
        user.flash("success", f"{person.full_name} добавлен(а) в список участников школы.")
        if bank in ("mentee", "mentor"):
            return Redirect(
                f"{workspace.url}participants/{person.id}/{bank}?year={year.title}", status_code=303
            )
        return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)
