"""The region's questionnaire templates at `/r/<region>/questionnaires`: ИРО methodists edit a
draft (sections and questions, each change checked with a message beside the field) and
publish it as the next version; schools take the published version into their own copies,
so answers already given keep the questions they were asked."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.questionnaires import editing, templates
from nastavnik.school.questionnaires.definitions import (
    QUESTION_KIND_TITLES,
    REFERENCE_LISTS,
    TEMPLATES,
    QuestionKind,
    Section,
    sections_of,
)
from nastavnik.school.questionnaires.models import KIND_TITLES, QuestionnaireKind
from nastavnik.tenants.dependencies import CurrentRegion, Page, RegionController, requires
from nastavnik.tenants.models import Region

AnyRequest = Request[Any, Any, Any]
TITLE_MAX = 300


def kind_options(kind: QuestionnaireKind) -> list[tuple[str, str]]:
    """Types of answer a question may take; choosing people is for the preferences only."""
    return [
        (k.value, t)
        for k, t in QUESTION_KIND_TITLES.items()
        if k is not QuestionKind.PEOPLE or kind is QuestionnaireKind.PREFERENCES
    ]


def _kind(value: str) -> QuestionnaireKind:
    try:
        return QuestionnaireKind(value)
    except ValueError as exc:
        raise NotFoundException from exc


class RegionQuestionnairesController(RegionController):
    path = "/r/{region_code:str}/questionnaires"
    guards = [*RegionController.guards, requires(Permission.REGION_TEMPLATES_MANAGE, hidden=True)]  # noqa: RUF012

    @get("/", name="region_questionnaires:index")
    async def index(self, db: DB, page: Page, region: CurrentRegion) -> Template:
        rows = await templates.overview(db, region.id)
        return await page(
            "regional/questionnaires/index.html",
            rows=rows,
            base=f"/r/{region.code}/questionnaires",
        )

    async def _editor(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        region: Region,
        kind: QuestionnaireKind,
        *,
        question_form: Form | None = None,
        section_form: Form | None = None,
        title_form: Form | None = None,
        problems: list[str] | None = None,
        status_code: int = 200,
    ) -> Template:
        row = await templates.row(db, region.id, kind)
        current = row.draft or row.published
        sections = sections_of(current.definition if current else TEMPLATES[kind])
        editing_key = request.query_params.get("edit", "")
        if question_form is None and editing_key:
            question_form = editing.question_form(sections, editing_key)
        return await page(
            "regional/questionnaires/edit.html",
            status_code=status_code,
            row=row,
            kind=kind,
            kind_title=KIND_TITLES[kind],
            sections=sections,
            base=f"/r/{region.code}/questionnaires/{kind.value}",
            question_form=question_form or Form(data={"kind": "single", "section": "0"}),
            section_form=section_form or Form(),
            title_form=title_form or Form(data={"title": row.title}),
            problems=problems or [],
            section_options=[(str(i), s.title) for i, s in enumerate(sections)],
            new_section_options=[(str(i), s.title) for i, s in enumerate(sections)]
            + [(str(len(sections)), "Новый раздел «Дополнительные вопросы»")],
            kind_options=kind_options(kind),
            reference_options=[("", "—"), *REFERENCE_LISTS.items()],
            reference_lists=REFERENCE_LISTS,
        )

    @get("/{questionnaire_kind:str}", name="region_questionnaires:edit")
    async def edit(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        region: CurrentRegion,
        questionnaire_kind: FromPath[str],
    ) -> Template:
        return await self._editor(request, db, page, region, _kind(questionnaire_kind))

    async def _save(
        self, db: DB, user: CurrentUser, region: Region, kind: QuestionnaireKind, sections: list[Section]
    ) -> None:
        draft = await templates.start_draft(db, region.id, kind, user.user.id)
        await templates.save_draft(db, draft, sections)

    async def _sections(self, db: DB, region: Region, kind: QuestionnaireKind) -> list[Section]:
        row = await templates.row(db, region.id, kind)
        current = row.draft or row.published
        return sections_of(current.definition if current else TEMPLATES[kind])

    @post("/{questionnaire_kind:str}/questions", name="region_questionnaires:question")
    async def question(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        region: CurrentRegion,
        questionnaire_kind: FromPath[str],
    ) -> Template | Redirect:
        """Add, change, move or delete a question of the draft (`op` says which)."""
        chosen = _kind(questionnaire_kind)
        data = await request.form()
        op = str(data.get("op", "add"))
        form = Form.from_mapping(data, editing.QUESTION_FIELDS)
        sections = await self._sections(db, region, chosen)
        key = form.value("key")
        people = chosen is QuestionnaireKind.PREFERENCES
        match op:
            case "add":
                changed = editing.add_question(sections, form, allow_people=people)
            case "save":
                changed = editing.save_question(sections, form, allow_people=people)
            case "delete":
                changed = editing.delete_question(sections, key, form)
            case "up" | "down":
                changed = editing.move_question(sections, key, -1 if op == "up" else 1)
            case _:
                raise NotFoundException
        if changed is None:
            if op in {"delete", "up", "down"}:
                return await self._editor(
                    request, db, page, region, chosen, problems=list(form.errors.values()), status_code=422
                )
            return await self._editor(request, db, page, region, chosen, question_form=form, status_code=422)
        await self._save(db, user, region, chosen, changed)
        messages = {
            "add": "Вопрос добавлен в черновик.",
            "save": "Вопрос изменён в черновике.",
            "delete": "Вопрос удалён из черновика.",
        }
        if op in messages:
            user.flash("success", messages[op] + " Школы увидят изменения после публикации.")
        anchor = f"#q-{key}" if op in {"save", "up", "down"} and key else ""
        return Redirect(f"/r/{region.code}/questionnaires/{chosen.value}{anchor}", status_code=303)

    @post("/{questionnaire_kind:str}/sections", name="region_questionnaires:section")
    async def section(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        region: CurrentRegion,
        questionnaire_kind: FromPath[str],
    ) -> Template | Redirect:
        """Add, rename or delete a section of the draft (`op` says which)."""
        chosen = _kind(questionnaire_kind)
        data = await request.form()
        op = str(data.get("op", "add"))
        form = Form.from_mapping(data, editing.SECTION_FIELDS)
        sections = await self._sections(db, region, chosen)
        match op:
            case "add":
                changed = editing.add_section(sections, form)
            case "rename":
                changed = editing.rename_section(sections, form)
            case "delete":
                changed = editing.delete_section(sections, form)
            case _:
                raise NotFoundException
        if changed is None:
            if op == "rename":
                return await self._editor(
                    request, db, page, region, chosen, section_form=form, status_code=422
                )
            if op == "delete":
                return await self._editor(
                    request, db, page, region, chosen, problems=list(form.errors.values()), status_code=422
                )
            return await self._editor(request, db, page, region, chosen, section_form=form, status_code=422)
        await self._save(db, user, region, chosen, changed)
        return Redirect(f"/r/{region.code}/questionnaires/{chosen.value}", status_code=303)

    @post("/{questionnaire_kind:str}/title", name="region_questionnaires:title")
    async def title(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        region: CurrentRegion,
        questionnaire_kind: FromPath[str],
    ) -> Template | Redirect:
        chosen = _kind(questionnaire_kind)
        form = Form.from_mapping(await request.form(), ("title",))
        title = form.require("title", "Напишите название анкеты.")
        if len(title) > TITLE_MAX:
            form.error("title", f"Название — не длиннее {TITLE_MAX} символов.")
        if not form.ok:
            return await self._editor(request, db, page, region, chosen, title_form=form, status_code=422)
        draft = await templates.start_draft(db, region.id, chosen, user.user.id)
        await templates.save_draft(db, draft, sections_of(draft.definition), title=title)
        user.flash("success", "Название сохранено в черновике.")
        return Redirect(f"/r/{region.code}/questionnaires/{chosen.value}", status_code=303)

    @post("/{questionnaire_kind:str}/publish", name="region_questionnaires:publish")
    async def publish(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        region: CurrentRegion,
        questionnaire_kind: FromPath[str],
    ) -> Template | Redirect:
        chosen = _kind(questionnaire_kind)
        row = await templates.row(db, region.id, chosen)
        if row.draft is None:
            user.flash("error", "Публиковать нечего: изменений после последней версии нет.")
            return Redirect(f"/r/{region.code}/questionnaires/{chosen.value}", status_code=303)
        problems = templates.publish(row.draft)
        if problems:
            return await self._editor(request, db, page, region, chosen, problems=problems, status_code=422)
        user.flash(
            "success",
            f"Опубликована версия {row.draft.version}. Школы получат её, когда возьмут анкету в работу "
            "или обновят свою копию; уже полученные ответы остаются при своих вопросах.",
        )
        return Redirect(f"/r/{region.code}/questionnaires", status_code=303)

    @post("/{questionnaire_kind:str}/discard", name="region_questionnaires:discard")
    async def discard(
        self, db: DB, user: CurrentUser, region: CurrentRegion, questionnaire_kind: FromPath[str]
    ) -> Redirect:
        chosen = _kind(questionnaire_kind)
        row = await templates.row(db, region.id, chosen)
        if row.draft is not None:
            await templates.discard(db, row.draft)
            user.flash("success", "Черновик удалён: действует последняя опубликованная версия.")
        return Redirect(f"/r/{region.code}/questionnaires/{chosen.value}", status_code=303)
