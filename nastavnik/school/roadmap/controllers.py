"""The roadmap page and its in-place editing (htmx), attachments, approval and history.

Every action works without JavaScript (full pages and redirects); with htmx the same
handlers answer with fragments: the edited row's stage card, or the form again with the
messages next to the fields (422, re-targeted to the form).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template

from nastavnik.platform import documents as d
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.auth.sessions import AuthContext
from nastavnik.platform.settings import Settings
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx
from nastavnik.school.programme.models import Programme, ProgrammeStage
from nastavnik.school.programme.services import (
    active_staff,
    default_programme,
    parse_year,
    programme_for_year,
)
from nastavnik.school.roadmap import services as svc
from nastavnik.school.roadmap.models import (
    CHANGE_ACTION_TITLES,
    ITEM_STATUS_TITLES,
    ITEM_STATUS_TONES,
    ItemStatus,
    RoadmapItem,
)
from nastavnik.school.roadmap.storage import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_TITLE,
    AttachmentStore,
    UploadRejectedError,
    check_upload,
    megabytes,
)
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School
from nastavnik.tenants.web import SchoolWorkspace

AnyRequest = Request[Any, Any, Any]
# Bigger than the attachment limit, so that a too-large file is answered with a message
# next to the field rather than a bare «413».
UPLOAD_BODY_LIMIT = 64 * 1024 * 1024

STATUS_OPTIONS = [(s.value, ITEM_STATUS_TITLES[s]) for s in ItemStatus]


def store_of(state: State) -> AttachmentStore:
    settings: Settings = state.settings
    return AttachmentStore(settings.storage_dir)


async def provide_programme(db: DB, school: CurrentSchool, year: FromPath[str]) -> Programme:
    """The programme of the year in the URL; 404 for a year the school has not started."""
    parsed = parse_year(year)
    programme = await programme_for_year(db, school, parsed) if parsed else None
    if programme is None:
        raise NotFoundException
    return programme


ProgrammeDep = NamedDependency[SkipValidation[Programme]]


def _roadmap_url(workspace: SchoolWorkspace, programme: Programme) -> str:
    return f"{workspace.url}roadmap/{programme.year.title}"


class RoadmapController(SchoolController):
    path = "/s/{school_code:str}/roadmap/{year:str}"
    dependencies = {**SchoolController.dependencies, "programme": Provide(provide_programme)}  # noqa: RUF012

    async def _render(
        self,
        request: AnyRequest,
        db: DB,
        user: AuthContext,
        page: Page,
        workspace: SchoolWorkspace,
        programme: Programme,
        template: str,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Template:
        view = await svc.load_roadmap(db, workspace.school, programme)
        staff = await active_staff(db, workspace.school)
        response = await page(
            template,
            status_code=status_code,
            programme=programme,
            view=view,
            base=_roadmap_url(workspace, programme),
            can_manage=workspace.can(Permission.SCHOOL_PROGRAMME_MANAGE),
            can_approve=workspace.can(Permission.SCHOOL_ROADMAP_APPROVE),
            staff_options=[
                (str(s.id), f"{s.short_name}{', ' + s.position if s.position else ''}") for s in staff
            ],
            status_options=STATUS_OPTIONS,
            status_titles=ITEM_STATUS_TITLES,
            status_tones=ITEM_STATUS_TONES,
            accept=ACCEPT_ATTRIBUTE,
            allowed_title=ALLOWED_TITLE,
            max_megabytes=megabytes(request.app.state.settings.upload_max_bytes),
            is_overdue=svc.is_overdue,
            is_due_soon=svc.is_due_soon,
            **context,
        )
        if headers:
            response.headers.update(headers)
        return response

    async def _stage_fragment(
        self,
        request: AnyRequest,
        db: DB,
        user: AuthContext,
        page: Page,
        workspace: SchoolWorkspace,
        programme: Programme,
        stage_id: uuid.UUID,
    ) -> Template:
        return await self._render(
            request, db, user, page, workspace, programme, "roadmap/_stage_response.html", stage_id=stage_id
        )

    # ---- the page -----------------------------------------------------------------

    @get("/", name="roadmap:show", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def show(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        programme: ProgrammeDep,
    ) -> Template:
        return await self._render(request, db, user, page, workspace, programme, "roadmap/show.html")

    @get("/history", name="roadmap:history", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def history(
        self,
        request: AnyRequest,
        db: DB,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
    ) -> Template:
        changes, window = await svc.history(db, school, programme, page_number(request.query_params))
        # The history page shows no roadmap rows: it does not load them (4,700 at 100×).
        return await page(
            "roadmap/history.html",
            programme=programme,
            base=_roadmap_url(workspace, programme),
            changes=changes,
            window=window.linked(_roadmap_url(workspace, programme) + "/history"),
            action_titles=CHANGE_ACTION_TITLES,
        )

    @post("/approve", name="roadmap:approve", guards=[requires(Permission.SCHOOL_ROADMAP_APPROVE)])
    async def approve(
        self,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        programme: ProgrammeDep,
    ) -> Redirect:
        again = programme.approved_at is not None
        await svc.approve(db, school, programme, user.user)
        user.flash(
            "success",
            "Изменения дорожной карты утверждены."
            if again
            else "Дорожная карта утверждена. Дальнейшие изменения будут записываться в историю.",
        )
        return Redirect(_roadmap_url(workspace, programme), status_code=303)

    # ---- one row ------------------------------------------------------------------

    async def _item(self, db: DB, school: School, programme: Programme, item_id: str) -> RoadmapItem:
        item = await svc.get_item(db, school, programme, item_id)
        if item is None:
            raise NotFoundException
        return item

    @get("/items/{item_id:str}", name="roadmap:item", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def item(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
        item_id: FromPath[str],
    ) -> Template | Redirect:
        item = await self._item(db, school, programme, item_id)
        if not is_htmx(request):
            return Redirect(f"{_roadmap_url(workspace, programme)}#item-{item.id}", status_code=303)
        return await self._render(
            request, db, user, page, workspace, programme, "roadmap/_row_response.html", item=item
        )

    @get(
        "/items/{item_id:str}/edit",
        name="roadmap:item_edit",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def edit(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
        item_id: FromPath[str],
    ) -> Template:
        item = await self._item(db, school, programme, item_id)
        template = "roadmap/_row_edit.html" if is_htmx(request) else "roadmap/item_page.html"
        return await self._render(
            request,
            db,
            user,
            page,
            workspace,
            programme,
            template,
            item=item,
            stage=None,
            form=svc.item_form(item),
            upload_form=Form(),
        )

    @post(
        "/items/{item_id:str}",
        name="roadmap:item_update",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def update(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
        item_id: FromPath[str],
    ) -> Template | Redirect:
        item = await self._item(db, school, programme, item_id)
        data = await request.form()
        form = Form.from_mapping(data, svc.ITEM_FIELDS)
        saved = await svc.update_item(
            db,
            school,
            programme,
            item,
            actor=user.user,
            form=form,
            responsible_ids=data.getall("responsible", []),
        )
        if not saved:
            return await self._invalid(request, db, user, page, workspace, programme, form, item=item)
        if is_htmx(request):
            return await self._stage_fragment(request, db, user, page, workspace, programme, item.stage_id)
        user.flash("success", "Мероприятие сохранено.")
        return Redirect(f"{_roadmap_url(workspace, programme)}#item-{item.id}", status_code=303)

    async def _invalid(
        self,
        request: AnyRequest,
        db: DB,
        user: AuthContext,
        page: Page,
        workspace: SchoolWorkspace,
        programme: Programme,
        form: Form,
        *,
        item: RoadmapItem | None = None,
        stage: ProgrammeStage | None = None,
    ) -> Template:
        """The form again with the messages, keeping what was typed; nothing was saved."""
        if is_htmx(request):
            target = f"#item-{item.id}" if item else f"#new-item-{stage.id if stage else ''}"
            return await self._render(
                request,
                db,
                user,
                page,
                workspace,
                programme,
                "roadmap/_row_edit.html",
                status_code=422,
                headers={"HX-Retarget": target, "HX-Reswap": "outerHTML"},
                item=item,
                stage=stage,
                form=form,
                upload_form=Form(),
            )
        return await self._render(
            request,
            db,
            user,
            page,
            workspace,
            programme,
            "roadmap/item_page.html",
            status_code=422,
            item=item,
            stage=stage,
            form=form,
            upload_form=Form(),
        )

    @post(
        "/items/{item_id:str}/status",
        name="roadmap:item_status",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def status(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
        item_id: FromPath[str],
    ) -> Template | Redirect:
        item = await self._item(db, school, programme, item_id)
        data = await request.form()
        if not await svc.set_status(db, programme, item, user.user, str(data.get("status", ""))):
            user.flash("error", "Такого статуса нет — выберите статус из списка.")
        if is_htmx(request):
            return await self._stage_fragment(request, db, user, page, workspace, programme, item.stage_id)
        return Redirect(f"{_roadmap_url(workspace, programme)}#item-{item.id}", status_code=303)

    @post(
        "/items/{item_id:str}/move",
        name="roadmap:item_move",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def move(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
        item_id: FromPath[str],
    ) -> Template | Redirect:
        item = await self._item(db, school, programme, item_id)
        data = await request.form()
        await svc.move_item(
            db, school, programme, item, actor=user.user, direction=str(data.get("direction", ""))
        )
        if is_htmx(request):
            return await self._stage_fragment(request, db, user, page, workspace, programme, item.stage_id)
        return Redirect(f"{_roadmap_url(workspace, programme)}#item-{item.id}", status_code=303)

    @post(
        "/items/{item_id:str}/delete",
        name="roadmap:item_delete",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def delete(
        self,
        request: AnyRequest,
        state: State,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
        item_id: FromPath[str],
    ) -> Template | Redirect:
        item = await self._item(db, school, programme, item_id)
        stage_id = item.stage_id
        await svc.remove_item(db, store_of(state), school, programme, item, actor=user.user)
        if is_htmx(request):
            return await self._stage_fragment(request, db, user, page, workspace, programme, stage_id)
        user.flash("success", "Мероприятие удалено.")
        return Redirect(f"{_roadmap_url(workspace, programme)}#stage-{stage_id}", status_code=303)

    # ---- new rows ------------------------------------------------------------------

    def _stage(self, programme: Programme, stage_id: str) -> ProgrammeStage:
        stage = svc.get_stage(programme, stage_id)
        if stage is None:
            raise NotFoundException
        return stage

    @get("/stages/{stage_id:str}", name="roadmap:stage", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def stage(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        programme: ProgrammeDep,
        stage_id: FromPath[str],
    ) -> Template | Redirect:
        stage = self._stage(programme, stage_id)
        if not is_htmx(request):
            return Redirect(f"{_roadmap_url(workspace, programme)}#stage-{stage.id}", status_code=303)
        return await self._stage_fragment(request, db, user, page, workspace, programme, stage.id)

    @get(
        "/stages/{stage_id:str}/new",
        name="roadmap:item_new",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def new(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        programme: ProgrammeDep,
        stage_id: FromPath[str],
    ) -> Template:
        stage = self._stage(programme, stage_id)
        template = "roadmap/_row_edit.html" if is_htmx(request) else "roadmap/item_page.html"
        return await self._render(
            request,
            db,
            user,
            page,
            workspace,
            programme,
            template,
            item=None,
            stage=stage,
            form=svc.item_form(None),
            upload_form=Form(),
        )

    @post(
        "/stages/{stage_id:str}/items",
        name="roadmap:item_create",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def create(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
        stage_id: FromPath[str],
    ) -> Template | Redirect:
        stage = self._stage(programme, stage_id)
        data = await request.form()
        form = Form.from_mapping(data, svc.ITEM_FIELDS)
        item = await svc.add_item(
            db,
            school,
            programme,
            stage,
            actor=user.user,
            form=form,
            responsible_ids=data.getall("responsible", []),
        )
        if item is None:
            return await self._invalid(request, db, user, page, workspace, programme, form, stage=stage)
        if is_htmx(request):
            return await self._stage_fragment(request, db, user, page, workspace, programme, stage.id)
        user.flash("success", "Мероприятие добавлено.")
        return Redirect(f"{_roadmap_url(workspace, programme)}#item-{item.id}", status_code=303)

    # ---- attachments ----------------------------------------------------------------

    @post(
        "/items/{item_id:str}/attachments",
        name="roadmap:attachment_add",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def attach(
        self,
        request: AnyRequest,
        state: State,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
        item_id: FromPath[str],
    ) -> Template | Redirect:
        item = await self._item(db, school, programme, item_id)
        settings: Settings = state.settings
        data = await request.form()
        upload = data.get("file")
        upload_form = Form()
        if not isinstance(upload, UploadFile) or not upload.filename:
            upload_form.error("file", "Выберите файл.")
        else:
            content = await upload.read(settings.upload_max_bytes + 1)
            try:
                checked = check_upload(upload.filename, content, settings.upload_max_bytes)
            except UploadRejectedError as exc:
                upload_form.error("file", str(exc))
        if not upload_form.ok:
            template = "roadmap/_attachments.html" if is_htmx(request) else "roadmap/item_page.html"
            return await self._render(
                request,
                db,
                user,
                page,
                workspace,
                programme,
                template,
                status_code=422,
                item=item,
                stage=None,
                form=svc.item_form(item),
                upload_form=upload_form,
            )
        await svc.add_attachment(db, store_of(state), programme, item, actor=user.user, checked=checked)
        if is_htmx(request):
            return await self._render(
                request,
                db,
                user,
                page,
                workspace,
                programme,
                "roadmap/_attachments.html",
                item=item,
                stage=None,
                form=svc.item_form(item),
                upload_form=Form(),
            )
        user.flash("success", f"Файл «{checked.filename}» прикреплён.")
        return Redirect(f"{_roadmap_url(workspace, programme)}/items/{item.id}/edit", status_code=303)

    @get(
        "/items/{item_id:str}/attachments/{attachment_id:str}",
        name="roadmap:attachment",
        guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)],
    )
    async def attachment(
        self,
        state: State,
        db: DB,
        school: CurrentSchool,
        programme: ProgrammeDep,
        item_id: FromPath[str],
        attachment_id: FromPath[str],
    ) -> Response[bytes]:
        item = await self._item(db, school, programme, item_id)
        found = svc.find_attachment(item, attachment_id)
        store = store_of(state)
        if found is None or not store.exists(found.storage_key):
            raise NotFoundException
        inline = found.content_type in {"application/pdf", "image/jpeg", "image/png"}
        return Response(
            store.read(found.storage_key),
            media_type=found.content_type,
            headers={
                "Content-Disposition": d.content_disposition(found.filename, inline=inline),
                "Cache-Control": "private, no-store",
            },
        )

    @post(
        "/items/{item_id:str}/attachments/{attachment_id:str}/delete",
        name="roadmap:attachment_delete",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def detach(
        self,
        request: AnyRequest,
        state: State,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        programme: ProgrammeDep,
        item_id: FromPath[str],
        attachment_id: FromPath[str],
    ) -> Template | Redirect:
        item = await self._item(db, school, programme, item_id)
        found = svc.find_attachment(item, attachment_id)
        if found is None:
            raise NotFoundException
        await svc.remove_attachment(db, store_of(state), programme, item, found, actor=user.user)
        if is_htmx(request):
            return await self._render(
                request,
                db,
                user,
                page,
                workspace,
                programme,
                "roadmap/_attachments.html",
                item=item,
                stage=None,
                form=svc.item_form(item),
                upload_form=Form(),
            )
        user.flash("success", f"Файл «{found.filename}» удалён.")
        return Redirect(f"{_roadmap_url(workspace, programme)}/items/{item.id}/edit", status_code=303)


class RoadmapRedirectController(SchoolController):
    """`/s/<school>/roadmap` opens this year's roadmap (or the latest), for the navigation."""

    path = "/s/{school_code:str}/roadmap"

    @get("/", name="roadmap:current", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def current(
        self, db: DB, user: CurrentUser, workspace: SchoolScope, school: CurrentSchool
    ) -> Redirect:
        programme = await default_programme(db, school)
        if programme is None:
            user.flash("info", "Дорожная карта появится, когда куратор начнёт программу учебного года.")
            return Redirect(f"{workspace.url}programme", status_code=303)
        return Redirect(_roadmap_url(workspace, programme), status_code=303)
