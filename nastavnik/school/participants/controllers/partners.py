"""Partner organisations of the school (employers, colleges, clubs) that mentors come from."""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.participants import services as svc
from nastavnik.school.participants.controllers._common import AnyRequest
from nastavnik.school.participants.models import PARTNER_KIND_TITLES, PartnerOrganization, local_today
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School

KIND_OPTIONS = [(k.value, t) for k, t in PARTNER_KIND_TITLES.items()]


async def provide_partner(db: DB, school: CurrentSchool, partner_id: FromPath[str]) -> PartnerOrganization:
    try:
        return await svc.get_partner(db, school, partner_id)
    except svc.NotFoundError as exc:
        raise NotFoundException from exc


PartnerDep = NamedDependency[SkipValidation[PartnerOrganization]]


class PartnersController(SchoolController):
    path = "/s/{school_code:str}/partners"
    dependencies = {**SchoolController.dependencies, "partner": Provide(provide_partner)}  # noqa: RUF012
    guards = [*SchoolController.guards, requires(Permission.SCHOOL_PARTICIPANTS_MANAGE)]  # noqa: RUF012

    async def _list_page(
        self, db: DB, school: School, page: Page, form: Form, status_code: int = 200
    ) -> Template:
        return await page(
            "participants/partners.html",
            status_code=status_code,
            partners=await svc.list_partners(db, school),
            form=form,
            kind_options=KIND_OPTIONS,
            kind_titles=PARTNER_KIND_TITLES,
            today=local_today(),
        )

    @get("/", name="participants:partners")
    async def partners(self, db: DB, school: CurrentSchool, page: Page) -> Template:
        return await self._list_page(db, school, page, Form())

    @post("/", name="participants:partner_add")
    async def partner_add(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), svc.PARTNER_FIELDS)
        partner = await svc.save_partner(db, school, form)
        if partner is None:
            return await self._list_page(db, school, page, form, status_code=422)
        user.flash("success", f"Организация-партнёр «{partner.name}» добавлена.")
        return Redirect(f"{workspace.url}partners", status_code=303)

    @get("/{partner_id:str}", name="participants:partner")
    async def partner(self, page: Page, partner: PartnerDep) -> Template:
        return await page(
            "participants/partner_edit.html",
            partner=partner,
            form=Form(data=svc.partner_form_data(partner)),
            kind_options=KIND_OPTIONS,
        )

    @post("/{partner_id:str}", name="participants:partner_save")
    async def partner_save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        partner: PartnerDep,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), svc.PARTNER_FIELDS)
        if await svc.save_partner(db, school, form, partner) is None:
            return await page(
                "participants/partner_edit.html",
                status_code=422,
                partner=partner,
                form=form,
                kind_options=KIND_OPTIONS,
            )
        user.flash("success", "Сведения об организации-партнёре сохранены.")
        return Redirect(f"{workspace.url}partners", status_code=303)
