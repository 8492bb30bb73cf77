"""Editing roadmap templates: a region's methodists at `/r/<region>/templates`, platform
administrators (the shipped templates) at `/admin/templates`. One set of handlers serves
both; the scope comes from the URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.auth.sessions import AuthContext
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.programme import template_bank as bank_svc
from nastavnik.school.programme.models import PROGRAMME_MODEL_TITLES, RoadmapTemplate
from nastavnik.tenants.models import Region
from nastavnik.tenants.web import Workspace, admin_workspace, page, resolve_region

AnyRequest = Request[Any, Any, Any]
MODEL_OPTIONS = [(m.value, title) for m, title in PROGRAMME_MODEL_TITLES.items()]


@dataclass
class Bank:
    workspace: Workspace
    region: Region | None
    base: str

    def can_edit(self, template: RoadmapTemplate) -> bool:
        return template.region_id == (self.region.id if self.region else None)


async def _bank(request: AnyRequest, db: DB, user: AuthContext) -> Bank:
    code = request.path_params.get("region_code")
    if code is None:
        workspace = admin_workspace(user)
        workspace.require(Permission.PLATFORM_TEMPLATES_MANAGE)
        return Bank(workspace, None, "/admin/templates")
    workspace, region = await resolve_region(db, user, str(code))
    if not workspace.can(Permission.REGION_TEMPLATES_MANAGE):
        raise NotFoundException
    return Bank(workspace, region, f"/r/{region.code}/templates")


async def _template(db: DB, bank: Bank, template_id: str, *, editable: bool = True) -> RoadmapTemplate:
    template = await bank_svc.get_template(db, template_id)
    visible = template is not None and (template.region_id is None or bank.can_edit(template))
    if template is None or not visible or (editable and not bank.can_edit(template)):
        raise NotFoundException
    return template


class TemplateBankBase(Controller):
    include_in_schema = False

    async def _list(
        self, request: AnyRequest, db: DB, user: AuthContext, bank: Bank, *, status_code: int = 200
    ) -> Template:
        templates = await bank_svc.templates_of(db, bank.region.id if bank.region else None)
        copied = {t.based_on_id for t in templates if t.region_id is not None}
        return await page(
            request,
            db,
            user,
            bank.workspace,
            "templates_bank/index.html",
            status_code=status_code,
            bank=bank,
            templates=templates,
            copied=copied,
            model_titles=PROGRAMME_MODEL_TITLES,
        )

    async def _edit(
        self,
        request: AnyRequest,
        db: DB,
        user: AuthContext,
        bank: Bank,
        template: RoadmapTemplate,
        *,
        settings_form: Form | None = None,
        stage_forms: dict[str, Form] | None = None,
        new_stage_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        return await page(
            request,
            db,
            user,
            bank.workspace,
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
        request: AnyRequest,
        db: DB,
        user: AuthContext,
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
            request,
            db,
            user,
            bank.workspace,
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
    async def index(self, request: AnyRequest, db: DB, user: CurrentUser) -> Template:
        return await self._list(request, db, user, await _bank(request, db, user))

    @post("/{template_id:str}/copy", name="templates:copy")
    async def copy(
        self, request: AnyRequest, db: DB, user: CurrentUser, template_id: FromPath[str]
    ) -> Redirect:
        bank = await _bank(request, db, user)
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
    async def edit(
        self, request: AnyRequest, db: DB, user: CurrentUser, template_id: FromPath[str]
    ) -> Template:
        bank = await _bank(request, db, user)
        return await self._edit(request, db, user, bank, await _template(db, bank, template_id))

    @post("/{template_id:str}", name="templates:save")
    async def save(
        self, request: AnyRequest, db: DB, user: CurrentUser, template_id: FromPath[str]
    ) -> Template | Redirect:
        bank = await _bank(request, db, user)
        template = await _template(db, bank, template_id)
        form = Form.from_mapping(await request.form(), bank_svc.TEMPLATE_FIELDS)
        if not bank_svc.save_template(template, form):
            return await self._edit(request, db, user, bank, template, settings_form=form, status_code=422)
        user.flash("success", "Шаблон сохранён.")
        return Redirect(f"{bank.base}/{template.id}", status_code=303)

    @post("/{template_id:str}/stages", name="templates:stage_add")
    async def stage_add(
        self, request: AnyRequest, db: DB, user: CurrentUser, template_id: FromPath[str]
    ) -> Template | Redirect:
        bank = await _bank(request, db, user)
        template = await _template(db, bank, template_id)
        form = Form.from_mapping(await request.form(), ("title",))
        stage = await bank_svc.add_stage(db, template, form)
        if stage is None:
            return await self._edit(request, db, user, bank, template, new_stage_form=form, status_code=422)
        return Redirect(f"{bank.base}/{template.id}#stage-{stage.id}", status_code=303)

    @post("/{template_id:str}/stages/{stage_id:str}", name="templates:stage_rename")
    async def stage_rename(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        template_id: FromPath[str],
        stage_id: FromPath[str],
    ) -> Template | Redirect:
        bank = await _bank(request, db, user)
        template = await _template(db, bank, template_id)
        stage = bank_svc.find_stage(template, stage_id)
        if stage is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), ("title",))
        if not bank_svc.rename_stage(stage, form):
            return await self._edit(
                request, db, user, bank, template, stage_forms={stage_id: form}, status_code=422
            )
        return Redirect(f"{bank.base}/{template.id}#stage-{stage.id}", status_code=303)

    @post("/{template_id:str}/stages/{stage_id:str}/delete", name="templates:stage_delete")
    async def stage_delete(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        template_id: FromPath[str],
        stage_id: FromPath[str],
    ) -> Redirect:
        bank = await _bank(request, db, user)
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
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        template_id: FromPath[str],
        stage_id: FromPath[str],
    ) -> Template:
        bank = await _bank(request, db, user)
        template = await _template(db, bank, template_id)
        if bank_svc.find_stage(template, stage_id) is None:
            raise NotFoundException
        return await self._item_page(
            request, db, user, bank, template, stage_id=stage_id, item_id=None, form=Form()
        )

    @post("/{template_id:str}/stages/{stage_id:str}/items", name="templates:item_add")
    async def item_add(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        template_id: FromPath[str],
        stage_id: FromPath[str],
    ) -> Template | Redirect:
        bank = await _bank(request, db, user)
        template = await _template(db, bank, template_id)
        stage = bank_svc.find_stage(template, stage_id)
        if stage is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), bank_svc.ITEM_FIELDS)
        item = await bank_svc.add_item(db, stage, form)
        if item is None:
            return await self._item_page(
                request, db, user, bank, template, stage_id=stage_id, item_id=None, form=form, status_code=422
            )
        user.flash("success", "Мероприятие добавлено в шаблон.")
        return Redirect(f"{bank.base}/{template.id}#stage-{stage.id}", status_code=303)

    @get("/{template_id:str}/items/{item_id:str}", name="templates:item")
    async def item(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        template_id: FromPath[str],
        item_id: FromPath[str],
    ) -> Template:
        bank = await _bank(request, db, user)
        template = await _template(db, bank, template_id)
        found = bank_svc.find_item(template, item_id)
        if found is None:
            raise NotFoundException
        return await self._item_page(
            request,
            db,
            user,
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
        template_id: FromPath[str],
        item_id: FromPath[str],
    ) -> Template | Redirect:
        bank = await _bank(request, db, user)
        template = await _template(db, bank, template_id)
        found = bank_svc.find_item(template, item_id)
        if found is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), bank_svc.ITEM_FIELDS)
        if not await bank_svc.update_item(db, found, form):
            return await self._item_page(
                request,
                db,
                user,
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
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        template_id: FromPath[str],
        item_id: FromPath[str],
    ) -> Redirect:
        bank = await _bank(request, db, user)
        template = await _template(db, bank, template_id)
        found = bank_svc.find_item(template, item_id)
        stage = bank_svc.find_stage(template, str(found.stage_id)) if found else None
        if found is None or stage is None:
            raise NotFoundException
        await bank_svc.remove_item(db, stage, found)
        user.flash("success", "Мероприятие удалено из шаблона.")
        return Redirect(f"{bank.base}/{template.id}#stage-{stage.id}", status_code=303)


class RegionTemplatesController(TemplateBankBase):
    path = "/r/{region_code:str}/templates"


class AdminTemplatesController(TemplateBankBase):
    path = "/admin/templates"
