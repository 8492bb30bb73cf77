"""The region's bank of programmes and practices in the school's and the region's UI.

School pages (`/s/<school>/bank`, `/publications`, `/collection`) run with the school's
`app.school_id` and, through `provide_school_bank`, with `app.region_id` of the school's
region: the bank's policy then shows the region's published items and the school's own
in any state. Region pages (`/r/<region>/bank`, `/moderation`) run in the region's scope;
for methodists `provide_region_bank` also sets `app.bank_moderation`, which opens the
items sent to moderation and the moderation steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template
from sqlalchemy import select

from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.db import set_region, set_school
from nastavnik.platform.settings import Settings
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx
from nastavnik.regional.practice_bank import notices, search
from nastavnik.regional.practice_bank import services as svc
from nastavnik.school.bank.models import (
    BANK_EVENT_TITLES,
    BANK_ITEM_KIND_TITLES,
    BANK_ITEM_STATUS_TITLES,
    BankItem,
    BankItemKind,
    BankItemStatus,
)
from nastavnik.school.participants.models import local_today
from nastavnik.school.roadmap.storage import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_TITLE,
    AttachmentStore,
    CheckedFile,
    UploadRejectedError,
    check_upload,
)
from nastavnik.tenants.dependencies import (
    CurrentRegion,
    CurrentSchool,
    Page,
    RegionController,
    RegionScope,
    SchoolController,
    SchoolScope,
    requires,
)
from nastavnik.tenants.models import SCHOOL_KIND_TITLES, Municipality, Region, School

AnyRequest = Request[Any, Any, Any]
UPLOAD_BODY_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class BankScope:
    """Whose bank page this is: a school of the region, or the region itself."""

    region: Region
    school: School | None
    base: str  # the bank's search page
    moderator: bool = False

    @property
    def root(self) -> str:
        return self.base.removesuffix("/bank")


BankScopeDep = NamedDependency[SkipValidation[BankScope]]


async def provide_school_bank(db: DB, school: CurrentSchool) -> BankScope:
    region = school.municipality.region
    await set_region(db, region.id)
    await svc.moderation_scope(db, None)
    return BankScope(region, school, f"/s/{school.code}/bank")


async def provide_region_bank(db: DB, workspace: RegionScope, region: CurrentRegion) -> BankScope:
    moderator = workspace.can(Permission.REGION_PRACTICES_MODERATE)
    # The region's pages act for no school; the moderation scope is for methodists only.
    await set_school(db, None)
    await svc.moderation_scope(db, region.id if moderator else None)
    return BankScope(region, None, f"/r/{region.code}/bank", moderator=moderator)


def store_of(state: State) -> AttachmentStore:
    settings: Settings = state.settings
    return AttachmentStore(settings.storage_dir)


def _titles() -> dict[str, Any]:
    return {
        "kind_titles": {k.value: t for k, t in BANK_ITEM_KIND_TITLES.items()},
        "status_titles": {k.value: t for k, t in BANK_ITEM_STATUS_TITLES.items()},
        "event_titles": {k.value: t for k, t in BANK_EVENT_TITLES.items()},
        "school_kind_titles": {k.value: t for k, t in SCHOOL_KIND_TITLES.items()},
        "levels": {code: title for code, (title, _, _) in svc.LEVELS.items()},
    }


async def _item(db: DB, item_id: str) -> BankItem:
    item = await svc.get_item(db, item_id)
    if item is None:
        raise NotFoundException
    return item


async def _municipalities(db: DB, region: Region) -> list[Municipality]:
    result = await db.execute(
        select(Municipality).where(Municipality.region_id == region.id).order_by(Municipality.name).limit(200)
    )
    return list(result.scalars())


async def _search_page(request: AnyRequest, db: DB, page: Page, scope: BankScope) -> Template:
    query = search.BankQuery.from_params(request.query_params)
    items, facets, window = await search.search(db, query, scope.region.id)
    options = await svc.choices(db)
    return await page(
        "bank/_results.html" if is_htmx(request) else "bank/index.html",
        scope=scope,
        query=query,
        items=items,
        facets=facets,
        window=window.linked(scope.base, query.params(), target="#bank-results"),
        adoptions=await svc.adoption_counts(db, [i.id for i in items]),
        options=options,
        municipalities=await _municipalities(db, scope.region),
        **_titles(),
    )


async def _item_page(
    db: DB,
    page: Page,
    scope: BankScope,
    item: BankItem,
    *,
    can_adopt: bool,
    moderation_form: Form | None = None,
    status_code: int = 200,
) -> Template:
    own = scope.school is not None and item.author_school_id == scope.school.id
    adopted = await svc.adoption_of(db, scope.school, item) if scope.school is not None else None
    history_visible = own or scope.moderator
    return await page(
        "bank/item.html",
        status_code=status_code,
        scope=scope,
        item=item,
        own=own,
        adopted=adopted,
        can_adopt=can_adopt and not own and adopted is None and item.status is BankItemStatus.PUBLISHED,
        actions=svc.moderation_actions(item) if scope.moderator else [],
        moderation_form=moderation_form or Form(),
        events=await svc.events_of(db, item) if history_visible else [],
        attachments=await svc.attachments_of(db, item),
        adoptions=(await svc.adoption_counts(db, [item.id])).get(item.id, 0),
        options=await svc.choices(db),
        **_titles(),
    )


def _file_response(store: AttachmentStore, key: str, filename: str, content_type: str) -> Response[bytes]:
    if not store.exists(key):
        raise NotFoundException
    inline = content_type in {"application/pdf", "image/jpeg", "image/png"}
    return Response(
        store.read(key),
        media_type=content_type,
        headers={
            "Content-Disposition": d.content_disposition(filename, inline=inline),
            "Cache-Control": "private, no-store",
        },
    )


async def _read_upload(request: AnyRequest, settings: Settings) -> tuple[CheckedFile | None, Form]:
    data = await request.form()
    form = Form.from_mapping(data, ("consent",))
    upload = data.get("file")
    checked: CheckedFile | None = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        form.error("file", "Выберите файл.")
    else:
        content = await upload.read(settings.upload_max_bytes + 1)
        try:
            checked = check_upload(upload.filename, content, settings.upload_max_bytes)
        except UploadRejectedError as exc:
            form.error("file", str(exc))
    return checked, form


class EditorMixin:
    """The item form, shared by a school's publications and the region's own items."""

    async def _editor(
        self,
        db: DB,
        page: Page,
        scope: BankScope,
        item: BankItem | None,
        form: Form,
        *,
        action: str,
        upload_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        school = scope.school
        return await page(
            "bank/edit.html",
            status_code=status_code,
            scope=scope,
            item=item,
            form=form,
            action=action,
            upload_form=upload_form or Form(),
            options=await svc.choices(db),
            kind_options=svc.KIND_OPTIONS,
            school_kind_options=svc.SCHOOL_KIND_OPTIONS,
            programme_options=[(str(y), t) for y, t in await svc.programme_years(db, school)]
            if school
            else [],
            attachments=await svc.attachments_of(db, item) if item else [],
            return_comment=await svc.last_return_comment(db, item) if item else "",
            accept=ACCEPT_ATTRIBUTE,
            allowed_title=ALLOWED_TITLE,
            **_titles(),
        )


# --- the school's side -----------------------------------------------------------------


class SchoolBankController(EditorMixin, SchoolController):
    """`/s/<school>/…`: the region's bank, the school's publications and its collection."""

    path = "/s/{school_code:str}"
    dependencies = {  # noqa: RUF012
        **SchoolController.dependencies,
        "bank": Provide(provide_school_bank),
    }

    @get("/bank", name="bank:search")
    async def search(self, request: AnyRequest, page: Page, bank: BankScopeDep, *, db: DB) -> Template:
        return await _search_page(request, db, page, bank)

    @get("/bank/{bank_item_id:str}", name="bank:item")
    async def item(
        self, page: Page, workspace: SchoolScope, bank: BankScopeDep, *, db: DB, bank_item_id: FromPath[str]
    ) -> Template:
        item = await _item(db, bank_item_id)
        return await _item_page(
            db, page, bank, item, can_adopt=workspace.can(Permission.SCHOOL_PROGRAMME_MANAGE)
        )

    @get("/bank/{bank_item_id:str}/files/{bank_file_id:str}", name="bank:file")
    async def file(
        self,
        state: State,
        bank: BankScopeDep,
        *,
        db: DB,
        bank_item_id: FromPath[str],
        bank_file_id: FromPath[str],
    ) -> Response[bytes]:
        del bank  # the region's scope must be set before the item is read
        item = await _item(db, bank_item_id)
        found = await svc.find_attachment(db, item, bank_file_id)
        if found is None:
            raise NotFoundException
        return _file_response(store_of(state), found.storage_key, found.filename, found.content_type)

    @post(
        "/bank/{bank_item_id:str}/adopt",
        name="bank:adopt",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def adopt(
        self,
        user: CurrentUser,
        school: CurrentSchool,
        bank: BankScopeDep,
        *,
        db: DB,
        bank_item_id: FromPath[str],
    ) -> Redirect:
        item = await _item(db, bank_item_id)
        if item.status is not BankItemStatus.PUBLISHED or item.author_school_id == school.id:
            user.flash("info", "Взять в школу можно опубликованный материал другой школы или ИРО.")
            return Redirect(f"{bank.base}/{item.id}", status_code=303)
        entry = await svc.adopt(db, school, item, await svc.choices(db), actor=user.user)
        if entry is None:
            user.flash("info", "Этот материал уже есть в методической копилке школы.")
            return Redirect(f"{bank.base}/{item.id}", status_code=303)
        if entry.roadmap_template_id is not None:
            user.flash(
                "success",
                f"«{item.title}» — в методической копилке; его дорожная карта стала шаблоном школы: "
                "выберите её, начиная программу учебного года.",
            )
        else:
            user.flash("success", f"«{item.title}» сохранён в методической копилке школы.")
        return Redirect(f"/s/{school.code}/collection/{entry.id}", status_code=303)

    # --- publications ----------------------------------------------------------------------

    @get("/publications", name="bank:publications", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def publications(
        self,
        request: AnyRequest,
        page: Page,
        workspace: SchoolScope,
        school: CurrentSchool,
        bank: BankScopeDep,
        *,
        db: DB,
    ) -> Template:
        items, window = await svc.school_items_page(db, school, page_number(request.query_params))
        return await page(
            "bank/publications.html",
            scope=bank,
            items=items,
            window=window.linked(f"/s/{school.code}/publications"),
            adoptions=await svc.adoption_counts(db, [i.id for i in items]),
            can_publish=workspace.can(Permission.SCHOOL_PROGRAMME_MANAGE),
            **_titles(),
        )

    @get("/publications/new", name="bank:new", guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)])
    async def new(self, request: AnyRequest, page: Page, bank: BankScopeDep, *, db: DB) -> Template:
        kind = request.query_params.get("kind", "")
        form = Form(data={"kind": kind if kind in {k.value for k in BankItemKind} else "practice"})
        return await self._editor(db, page, bank, None, form, action=f"{bank.root}/publications/new")

    @post("/publications/new", name="bank:create", guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)])
    async def create(
        self,
        request: AnyRequest,
        state: State,
        page: Page,
        school: CurrentSchool,
        bank: BankScopeDep,
        *,
        db: DB,
        user: CurrentUser,
    ) -> Template | Redirect:
        data = await request.form()
        form = svc.read_form(data)
        item = await svc.create_school_item(db, school, form, await svc.choices(db), actor=user.user)
        if item is None:
            return await self._editor(
                db, page, bank, None, form, action=f"{bank.root}/publications/new", status_code=422
            )
        if data.get("submit"):
            await svc.submit(db, item, actor=user.user)
            await notices.item_submitted(state.settings, state.provisioner, bank.region, item)
            user.flash("success", "Материал отправлен методистам ИРО на модерацию: ответ придёт на почту.")
        else:
            user.flash("success", "Черновик сохранён: прикрепите файлы и отправьте его на модерацию.")
        return Redirect(f"{bank.root}/publications/{item.id}/edit", status_code=303)

    async def _own(self, db: DB, school: School, bank_item_id: str) -> BankItem:
        item = await _item(db, bank_item_id)
        if item.author_school_id != school.id:
            raise NotFoundException
        return item

    @get(
        "/publications/{bank_item_id:str}/edit",
        name="bank:edit",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def edit(
        self, page: Page, school: CurrentSchool, bank: BankScopeDep, *, db: DB, bank_item_id: FromPath[str]
    ) -> Template:
        item = await self._own(db, school, bank_item_id)
        return await self._editor(
            db, page, bank, item, svc.item_form(item), action=f"{bank.root}/publications/{item.id}/edit"
        )

    @post(
        "/publications/{bank_item_id:str}/edit",
        name="bank:save",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def save(
        self,
        request: AnyRequest,
        state: State,
        page: Page,
        school: CurrentSchool,
        bank: BankScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        bank_item_id: FromPath[str],
    ) -> Template | Redirect:
        item = await self._own(db, school, bank_item_id)
        action = f"{bank.root}/publications/{item.id}/edit"
        data = await request.form()
        form = svc.read_form(data)
        form.data["kind"] = item.kind.value
        if not item.editable_by_school:
            form.error("__all__", "Материал на модерации или опубликован: менять его сейчас нельзя.")
            return await self._editor(db, page, bank, item, form, action=action, status_code=422)
        if not await svc.update_item(db, item, form, await svc.choices(db), actor=user.user):
            return await self._editor(db, page, bank, item, form, action=action, status_code=422)
        if data.get("submit"):
            await svc.submit(db, item, actor=user.user)
            await notices.item_submitted(state.settings, state.provisioner, bank.region, item)
            user.flash("success", "Материал отправлен методистам ИРО на модерацию: ответ придёт на почту.")
            return Redirect(f"{bank.root}/publications", status_code=303)
        user.flash("success", "Изменения сохранены.")
        return Redirect(action, status_code=303)

    @post(
        "/publications/{bank_item_id:str}/files",
        name="bank:file_add",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def file_add(
        self,
        request: AnyRequest,
        state: State,
        page: Page,
        school: CurrentSchool,
        bank: BankScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        bank_item_id: FromPath[str],
    ) -> Template | Redirect:
        item = await self._own(db, school, bank_item_id)
        action = f"{bank.root}/publications/{item.id}/edit"
        checked, upload_form = await _read_upload(request, state.settings)
        if not item.editable_by_school:
            upload_form.error("file", "Материал на модерации или опубликован: файлы сейчас не меняются.")
        if (
            checked is None
            or not upload_form.ok
            or (
                await svc.add_attachment(db, store_of(state), item, checked, upload_form, actor=user.user)
                is None
            )
        ):
            return await self._editor(
                db,
                page,
                bank,
                item,
                svc.item_form(item),
                action=action,
                upload_form=upload_form,
                status_code=422,
            )
        user.flash("success", f"Файл «{checked.filename}» прикреплён.")
        return Redirect(f"{action}#files", status_code=303)

    @post(
        "/publications/{bank_item_id:str}/files/{bank_file_id:str}/delete",
        name="bank:file_delete",
        guards=[requires(Permission.SCHOOL_PROGRAMME_MANAGE)],
    )
    async def file_delete(
        self,
        state: State,
        school: CurrentSchool,
        bank: BankScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        bank_item_id: FromPath[str],
        bank_file_id: FromPath[str],
    ) -> Redirect:
        item = await self._own(db, school, bank_item_id)
        found = await svc.find_attachment(db, item, bank_file_id)
        if found is None:
            raise NotFoundException
        if item.editable_by_school:
            await db.delete(found)
            await db.flush()
            store_of(state).delete(found.storage_key)
            user.flash("success", f"Файл «{found.filename}» удалён.")
        return Redirect(f"{bank.root}/publications/{item.id}/edit#files", status_code=303)

    # --- the collection ---------------------------------------------------------------------

    @get("/collection", name="bank:collection", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def collection(
        self, request: AnyRequest, page: Page, school: CurrentSchool, bank: BankScopeDep, *, db: DB
    ) -> Template:
        entries, window = await svc.collection_page(db, school, page_number(request.query_params))
        return await page(
            "bank/collection.html",
            scope=bank,
            entries=entries,
            window=window.linked(f"/s/{school.code}/collection"),
            **_titles(),
        )

    @get(
        "/collection/{collection_item_id:str}",
        name="bank:collection_item",
        guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)],
    )
    async def collection_item(
        self,
        page: Page,
        workspace: SchoolScope,
        school: CurrentSchool,
        bank: BankScopeDep,
        *,
        db: DB,
        collection_item_id: FromPath[str],
    ) -> Template:
        entry = await svc.get_collection_item(db, school, collection_item_id)
        if entry is None:
            raise NotFoundException
        source = await svc.get_item(db, str(entry.bank_item_id)) if entry.bank_item_id else None
        can_apply = workspace.can(Permission.SCHOOL_PAIRS_MANAGE) and bool(entry.plan_items)
        year = AcademicYear.current(local_today()).start
        return await page(
            "bank/collection_item.html",
            scope=bank,
            entry=entry,
            source=source if source is not None and source.status is BankItemStatus.PUBLISHED else None,
            pair_options=await svc.plan_pairs(db, school, year) if can_apply else [],
            can_apply=can_apply,
            **_titles(),
        )

    @post(
        "/collection/{collection_item_id:str}/plan",
        name="bank:collection_plan",
        guards=[requires(Permission.SCHOOL_PAIRS_MANAGE)],
    )
    async def collection_plan(
        self,
        request: AnyRequest,
        school: CurrentSchool,
        bank: BankScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        collection_item_id: FromPath[str],
    ) -> Redirect:
        del bank
        entry = await svc.get_collection_item(db, school, collection_item_id)
        if entry is None:
            raise NotFoundException
        pair_id = Form.from_mapping(await request.form(), ("pair",)).value("pair")
        added = await svc.apply_plan(db, school, entry, pair_id) if entry.plan_items else 0
        if added is None:
            user.flash("error", "Выберите пару из списка: её план дополнят задачи шаблона.")
            return Redirect(f"/s/{school.code}/collection/{entry.id}", status_code=303)
        if not added:
            user.flash("info", "В этом материале нет задач плана.")
            return Redirect(f"/s/{school.code}/collection/{entry.id}", status_code=303)
        user.flash("success", f"В план пары добавлено задач: {added}. Уточните сроки и мероприятия.")
        return Redirect(f"/s/{school.code}/pairs/{pair_id}#plan", status_code=303)


# --- the region's side ----------------------------------------------------------------


class RegionBankController(EditorMixin, RegionController):
    """`/r/<region>/bank` for everyone of the region; moderation for ИРО methodists."""

    path = "/r/{region_code:str}"
    dependencies = {  # noqa: RUF012
        **RegionController.dependencies,
        "bank": Provide(provide_region_bank),
    }

    @get("/bank", name="bank:region_search")
    async def search(self, request: AnyRequest, page: Page, bank: BankScopeDep, *, db: DB) -> Template:
        return await _search_page(request, db, page, bank)

    @get("/bank/{bank_item_id:str}", name="bank:region_item")
    async def item(self, page: Page, bank: BankScopeDep, *, db: DB, bank_item_id: FromPath[str]) -> Template:
        return await _item_page(db, page, bank, await _item(db, bank_item_id), can_adopt=False)

    @get("/bank/{bank_item_id:str}/files/{bank_file_id:str}", name="bank:region_file")
    async def file(
        self,
        state: State,
        bank: BankScopeDep,
        *,
        db: DB,
        bank_item_id: FromPath[str],
        bank_file_id: FromPath[str],
    ) -> Response[bytes]:
        del bank
        item = await _item(db, bank_item_id)
        found = await svc.find_attachment(db, item, bank_file_id)
        if found is None:
            raise NotFoundException
        return _file_response(store_of(state), found.storage_key, found.filename, found.content_type)

    @post(
        "/bank/{bank_item_id:str}/moderate",
        name="bank:moderate",
        guards=[requires(Permission.REGION_PRACTICES_MODERATE, hidden=True)],
    )
    async def moderate(
        self,
        request: AnyRequest,
        state: State,
        page: Page,
        bank: BankScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        bank_item_id: FromPath[str],
    ) -> Template | Redirect:
        item = await _item(db, bank_item_id)
        form = Form.from_mapping(await request.form(), ("action", "comment"))
        event = await svc.moderate(db, item, form, actor=user.user)
        if event is None:
            return await _item_page(
                db, page, bank, item, can_adopt=False, moderation_form=form, status_code=422
            )
        author = await db.get(School, item.author_school_id) if item.author_school_id else None
        await notices.item_moderated(
            state.settings, item, event, form.value("comment"), author.code if author else None
        )
        user.flash("success", f"«{item.title}»: {BANK_EVENT_TITLES[event].lower()}.")
        return Redirect(f"{bank.base}/{item.id}", status_code=303)

    @get(
        "/moderation",
        name="bank:moderation",
        guards=[requires(Permission.REGION_PRACTICES_MODERATE, hidden=True)],
    )
    async def moderation(self, request: AnyRequest, page: Page, bank: BankScopeDep, *, db: DB) -> Template:
        raw = request.query_params.get("status", BankItemStatus.SUBMITTED.value)
        try:
            status = BankItemStatus(raw)
        except ValueError:
            status = BankItemStatus.SUBMITTED
        if status is BankItemStatus.DRAFT:
            status = BankItemStatus.SUBMITTED
        items, window = await svc.moderation_page(db, bank.region, status, page_number(request.query_params))
        return await page(
            "bank/moderation.html",
            scope=bank,
            status=status.value,
            items=items,
            counts={s.value: n for s, n in (await svc.moderation_counts(db, bank.region)).items()},
            window=window.linked(f"{bank.root}/moderation", {"status": status.value}),
            adoptions=await svc.adoption_counts(db, [i.id for i in items]),
            tabs=[s for s in BankItemStatus if s is not BankItemStatus.DRAFT],
            **_titles(),
        )

    @get(
        "/moderation/new",
        name="bank:region_new",
        guards=[requires(Permission.REGION_PRACTICES_MODERATE, hidden=True)],
    )
    async def new(self, page: Page, bank: BankScopeDep, *, db: DB) -> Template:
        form = Form(data={"kind": "practice"})
        return await self._editor(db, page, bank, None, form, action=f"{bank.root}/moderation/new")

    @post(
        "/moderation/new",
        name="bank:region_create",
        guards=[requires(Permission.REGION_PRACTICES_MODERATE, hidden=True)],
    )
    async def create(
        self, request: AnyRequest, page: Page, bank: BankScopeDep, *, db: DB, user: CurrentUser
    ) -> Template | Redirect:
        form = svc.read_form(await request.form())
        item = await svc.create_region_item(db, bank.region, form, await svc.choices(db), actor=user.user)
        if item is None:
            return await self._editor(
                db, page, bank, None, form, action=f"{bank.root}/moderation/new", status_code=422
            )
        user.flash("success", "Материал ИРО опубликован в банке региона.")
        return Redirect(f"{bank.base}/{item.id}", status_code=303)


PRACTICE_BANK_CONTROLLERS: tuple[type[Controller], ...] = (SchoolBankController, RegionBankController)
