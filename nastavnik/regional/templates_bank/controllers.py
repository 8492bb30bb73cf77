"""Editing roadmap templates: a region's methodists at `/r/<region>/templates`, platform
administrators (the shipped templates) at `/admin/templates`. One set of handlers serves
both; the scope comes from the URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.programme import template_bank as bank_svc
from nastavnik.school.programme.models import PROGRAMME_MODEL_TITLES, RoadmapTemplate
from nastavnik.tenants.dependencies import (
    ADMIN_DEPENDENCIES,
    REGION_DEPENDENCIES,
    AdminAreaController,
    AdminScope,
    CurrentRegion,
    Page,
    RegionController,
    RegionScope,
    requires,
)
from nastavnik.tenants.models import Region
from nastavnik.tenants.web import Workspace

AnyRequest = Request[Any, Any, Any]
MODEL_OPTIONS = [(m.value, title) for m, title in PROGRAMME_MODEL_TITLES.items()]


@dataclass
class Bank:
    workspace: Workspace
    region: Region | None
    base: str

    def can_edit(self, template: RoadmapTemplate) -> bool:
        return template.region_id == (self.region.id if self.region else None)


BankDep = NamedDependency[SkipValidation[Bank]]


async def provide_region_bank(workspace: RegionScope, region: CurrentRegion) -> Bank:
    return Bank(workspace, region, f"/r/{region.code}/templates")


async def provide_admin_bank(workspace: AdminScope) -> Bank:
    return Bank(workspace, None, "/admin/templates")


async def _template(db: DB, bank: Bank, template_id: str, *, editable: bool = True) -> RoadmapTemplate:
    template = await bank_svc.get_template(db, template_id)
    visible = (
        template is not None
        and template.school_id is None
        and (template.region_id is None or bank.can_edit(template))
    )
    if template is None or not visible or (editable and not bank.can_edit(template)):
        raise NotFoundException
    return template


class TemplateBankBase(Controller):
    """The handlers of both banks; the subclasses give the scope, its guard and its `bank`."""

    include_in_schema = False

    async def _list(self, db: DB, page: Page, bank: Bank, *, status_code: int = 200) -> Template:
        templates = await bank_svc.templates_of(db, bank.region.id if bank.region else None)
        copied = {t.based_on_id for t in templates if t.region_id is not None}
        return await page(
            "templates_bank/index.html",
            status_code=status_code,
            bank=bank,
            templates=templates,
            copied=copied,
            model_titles=PROGRAMME_MODEL_TITLES,
        )

    async def _edit(
        self,
        page: Page,
        bank: Bank,
        template: RoadmapTemplate,
        *,
        settings_form: Form | None = None,
        stage_forms: dict[str, Form] | None = None,
        new_stage_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        return await page(
            "templates_bank/edit.html",
            status_code=status_code,
            bank=bank,
            roadmap_template=template,
            settings_form=settings_form or bank_svc.template_form(template),
            stage_forms=stage_forms or {},
            new_stage_form=new_stage_form or Form(),
            model_options=MODEL_OPTIONS,
            model_titles=PROGRAMME_MODEL_TITLES,
            role_titles=dict(bank_svc.ROLE_OPTIONS),
        )

    async def _item_page(
        self,
        page: Page,
        bank: Bank,
        template: RoadmapTemplate,
        *,
        stage_id: str,
        item_id: str | None,
        form: Form,
        status_code: int = 200,
    ) -> Template:
        stage = bank_svc.find_stage(template, stage_id)
        return await page(
            "templates_bank/item.html",
            status_code=status_code,
            bank=bank,
            roadmap_template=template,
            stage=stage,
            item_id=item_id,
            form=form,
            role_options=bank_svc.ROLE_OPTIONS,
        )

    # ---- the list and copies ---------------------------------------------------------

    @get("/", name="templates:index")
    async def index(self, db: DB, page: Page, bank: BankDep) -> Template:
        return await self._list(db, page, bank)

    @post("/{template_id:str}/copy", name="templates:copy")
    async def copy(self, db: DB, user: CurrentUser, bank: BankDep, template_id: FromPath[str]) -> Redirect:
        if bank.region is None:
            raise NotFoundException
        original = await _template(db, bank, template_id, editable=False)
        copy = await bank_svc.copy_for_region(db, original, bank.region.id)
        user.flash(
            "success",
            f"Создана копия шаблона «{original.title}» для региона: "
            "школы региона увидят её вместо исходного.",
        )
        return Redirect(f"{bank.base}/{copy.id}", status_code=303)

    # ---- one template ---------------------------------------------------------------

    @get("/{template_id:str}", name="templates:edit")
    async def edit(self, db: DB, page: Page, bank: BankDep, template_id: FromPath[str]) -> Template:
        return await self._edit(page, bank, await _template(db, bank, template_id))

    @post("/{template_id:str}", name="templates:save")
    async def save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        bank: BankDep,
        template_id: FromPath[str],
    ) -> Template | Redirect:
        template = await _template(db, bank, template_id)
        form = Form.from_mapping(await request.form(), bank_svc.TEMPLATE_FIELDS)
        if not bank_svc.save_template(template, form):
            return await self._edit(page, bank, template, settings_form=form, status_code=422)
        user.flash("success", "Шаблон сохранён.")
        return Redirect(f"{bank.base}/{template.id}", status_code=303)

    @post("/{template_id:str}/stages", name="templates:stage_add")
    async def stage_add(
        self, request: AnyRequest, db: DB, page: Page, bank: BankDep, template_id: FromPath[str]
    ) -> Template | Redirect:
        template = await _template(db, bank, template_id)
        form = Form.from_mapping(await request.form(), ("title",))
        stage = await bank_svc.add_stage(db, template, form)
        if stage is None:
            return await self._edit(page, bank, template, new_stage_form=form, status_code=422)
        return Redirect(f"{bank.base}/{template.id}#stage-{stage.id}", status_code=303)

    @post("/{template_id:str}/stages/{stage_id:str}", name="templates:stage_rename")
    async def stage_rename(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        bank: BankDep,
        template_id: FromPath[str],
        stage_id: FromPath[str],
    ) -> Template | Redirect:
        template = await _template(db, bank, template_id)
        stage = bank_svc.find_stage(template, stage_id)
        if stage is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), ("title",))
        if not bank_svc.rename_stage(stage, form):
            return await self._edit(page, bank, template, stage_forms={stage_id: form}, status_code=422)
        return Redirect(f"{bank.base}/{template.id}#stage-{stage.id}", status_code=303)

    @post("/{template_id:str}/stages/{stage_id:str}/delete", name="templates:stage_delete")
    async def stage_delete(
        self, db: DB, user: CurrentUser, bank: BankDep, template_id: FromPath[str], stage_id: FromPath[str]
    ) -> Redirect:
        template = await _template(db, bank, template_id)
        stage = bank_svc.find_stage(template, stage_id)
        if stage is None:
            raise NotFoundException
        await bank_svc.remove_stage(db, template, stage)
        user.flash("success", f"Этап «{stage.title}» удалён вместе с его мероприятиями.")
        return Redirect(f"{bank.base}/{template.id}", status_code=303)

    # ---- rows ------------------------------------------------------------------------

    @get("/{template_id:str}/stages/{stage_id:str}/new", name="templates:item_new")
    async def item_new(
        self, db: DB, page: Page, bank: BankDep, template_id: FromPath[str], stage_id: FromPath[str]
    ) -> Template:
        template = await _template(db, bank, template_id)
        if bank_svc.find_stage(template, stage_id) is None:
            raise NotFoundException
        return await self._item_page(page, bank, template, stage_id=stage_id, item_id=None, form=Form())

    @post("/{template_id:str}/stages/{stage_id:str}/items", name="templates:item_add")
    async def item_add(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        bank: BankDep,
        template_id: FromPath[str],
        stage_id: FromPath[str],
    ) -> Template | Redirect:
        template = await _template(db, bank, template_id)
        stage = bank_svc.find_stage(template, stage_id)
        if stage is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), bank_svc.ITEM_FIELDS)
        item = await bank_svc.add_item(db, stage, form)
        if item is None:
            return await self._item_page(
                page, bank, template, stage_id=stage_id, item_id=None, form=form, status_code=422
            )
        user.flash("success", "Мероприятие добавлено в шаблон.")
        return Redirect(f"{bank.base}/{template.id}#stage-{stage.id}", status_code=303)

    @get("/{template_id:str}/items/{item_id:str}", name="templates:item")
    async def item(
        self, db: DB, page: Page, bank: BankDep, template_id: FromPath[str], item_id: FromPath[str]
    ) -> Template:
        template = await _template(db, bank, template_id)
        found = bank_svc.find_item(template, item_id)
        if found is None:
            raise NotFoundException
        return await self._item_page(
            page,
            bank,
            template,
            stage_id=str(found.stage_id),
            item_id=item_id,
            form=bank_svc.item_form(found),
        )

    @post("/{template_id:str}/items/{item_id:str}", name="templates:item_save")
    async def item_save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        bank: BankDep,
        template_id: FromPath[str],
        item_id: FromPath[str],
    ) -> Template | Redirect:
        template = await _template(db, bank, template_id)
        found = bank_svc.find_item(template, item_id)
        if found is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), bank_svc.ITEM_FIELDS)
        if not await bank_svc.update_item(db, found, form):
            return await self._item_page(
                page,
                bank,
                template,
                stage_id=str(found.stage_id),
                item_id=item_id,
                form=form,
                status_code=422,
            )
        user.flash("success", "Мероприятие шаблона сохранено.")
        return Redirect(f"{bank.base}/{template.id}#template-item-{found.id}", status_code=303)

    @post("/{template_id:str}/items/{item_id:str}/delete", name="templates:item_delete")
    async def item_delete(
        self, db: DB, user: CurrentUser, bank: BankDep, template_id: FromPath[str], item_id: FromPath[str]
    ) -> Redirect:
        template = await _template(db, bank, template_id)
        found = bank_svc.find_item(template, item_id)
        stage = bank_svc.find_stage(template, str(found.stage_id)) if found else None
        if found is None or stage is None:
            raise NotFoundException
        await bank_svc.remove_item(db, stage, found)
        user.flash("success", "Мероприятие удалено из шаблона.")
        return Redirect(f"{bank.base}/{template.id}#stage-{stage.id}", status_code=303)


class RegionTemplatesController(TemplateBankBase, RegionController):
    path = "/r/{region_code:str}/templates"
    dependencies = {**REGION_DEPENDENCIES, "bank": Provide(provide_region_bank)}  # noqa: RUF012
    # The region's other staff do not see that the bank exists.
    guards = [*RegionController.guards, requires(Permission.REGION_TEMPLATES_MANAGE, hidden=True)]  # noqa: RUF012


class AdminTemplatesController(TemplateBankBase, AdminAreaController):
    path = "/admin/templates"
    dependencies = {**ADMIN_DEPENDENCIES, "bank": Provide(provide_admin_bank)}  # noqa: RUF012
    guards = [*AdminAreaController.guards, requires(Permission.PLATFORM_TEMPLATES_MANAGE)]  # noqa: RUF012
