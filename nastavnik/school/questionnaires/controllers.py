"""Questionnaire pages: the curator's questionnaires and surveys (rates, links, QR list,
exports, intake review), staff answering in their workspace, and the personal link."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from litestar.utils.scope.state import ScopeState

from nastavnik.platform import jobs
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.documents.model import Column, Table
from nastavnik.platform.documents.text import content_disposition
from nastavnik.platform.documents.xlsx import render_xlsx
from nastavnik.platform.spreadsheet_safety import csv_bytes
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, request_id_of
from nastavnik.school.participants.models import local_today
from nastavnik.school.questionnaires import services, templates
from nastavnik.school.questionnaires.definitions import (
    QUESTION_KIND_TITLES,
    REFERENCE_LISTS,
    QuestionKind,
    answer_text,
    questions_of,
    sections_of,
)
from nastavnik.school.questionnaires.editing import question_form
from nastavnik.school.questionnaires.jobs import mail_survey_job
from nastavnik.school.questionnaires.models import (
    KIND_TITLES,
    QuestionnaireKind,
    ResponseStatus,
    SurveyStage,
)
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School

AnyRequest = Request[Any, Any, Any]
MANAGE = requires(Permission.SCHOOL_QUESTIONNAIRES_MANAGE, hidden=True)
STAGE_OPTIONS = [
    ("none", "Без замера"),
    (SurveyStage.START.value, "Входной замер (начало года)"),
    (SurveyStage.END.value, "Итоговый замер (конец года)"),
]


def _year(request: AnyRequest) -> AcademicYear:
    return AcademicYear.parse(request.query_params.get("year", "")) or AcademicYear.current(local_today())


def _raw_answers(data: Any) -> dict[str, list[str]]:
    return {key: [str(v) for v in data.getall(key, [])] for key in data if not key.startswith("_")}


def qr_svg(url: str) -> str:
    """An inline SVG QR code (segno) for a printed personal link."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=3, border=1, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


class QuestionnairesController(SchoolController):
    path = "/s/{school_code:str}/questionnaires"
    guards = [*SchoolController.guards, MANAGE]  # noqa: RUF012

    async def _index(
        self,
        request: AnyRequest,
        db: DB,
        school: School,
        page: Page,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        year = _year(request)
        current = await services.current_questionnaires(db, school)
        region_versions = await templates.published_versions(db, await templates.region_id_of(db, school))
        rows, window = await services.surveys_page(db, school, year.start, page_number(request.query_params))
        return await page(
            "questionnaires/index.html",
            status_code=status_code,
            year=year,
            kinds=[(k, KIND_TITLES[k], current.get(k)) for k in QuestionnaireKind],
            region_versions=region_versions,
            surveys=rows,
            window=window.linked(f"/s/{school.code}/questionnaires", {"year": year.title}),
            questionnaire_options=[(str(q.id), f"{q.title} (версия {q.version})") for q in current.values()],
            audience_options=[(a.value, a.title) for a in await services.audiences(db, school, year.start)],
            stage_options=STAGE_OPTIONS,
            form=form or self._send_form(request, current),
        )

    @staticmethod
    def _send_form(request: AnyRequest, current: dict[QuestionnaireKind, Any]) -> Form:
        """The sending form, with the questionnaire a link asked for (`?kind=preferences`) chosen."""
        data = {"deadline": (local_today() + dt.timedelta(days=14)).isoformat(), "stage": "none"}
        chosen = next((k for k in QuestionnaireKind if k.value == request.query_params.get("kind")), None)
        if chosen is not None and chosen in current:
            data["questionnaire_id"] = str(current[chosen].id)
            if chosen is QuestionnaireKind.PREFERENCES:
                data["audience"] = "mentees"
        return Form(data=data)

    @get("/", name="questionnaires:index")
    async def index(self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page) -> Template:
        return await self._index(request, db, school, page)

    @post("/adopt/{kind:str}", name="questionnaires:adopt")
    async def adopt(self, db: DB, user: CurrentUser, school: CurrentSchool, kind: FromPath[str]) -> Redirect:
        try:
            chosen = QuestionnaireKind(kind)
        except ValueError as exc:
            raise NotFoundException from exc
        questionnaire = await services.adopt_template(db, school, chosen, user.user.id)
        user.flash("success", f"Шаблон региона взят в работу: «{questionnaire.title}».")
        return Redirect(f"/s/{school.code}/questionnaires/{questionnaire.id}", status_code=303)

    @post("/surveys", name="questionnaires:send")
    async def send(
        self, request: AnyRequest, db: DB, user: CurrentUser, school: CurrentSchool, page: Page
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), services.SURVEY_FIELDS)
        year = AcademicYear.current(local_today())
        survey = await services.create_survey(db, school, year.start, form, user.user.id)
        if survey is None:
            return await self._index(request, db, school, page, form=form, status_code=422)
        user.flash("success", f"Анкета «{survey.title}» отправлена: {survey.audience}.")
        return Redirect(f"/s/{school.code}/questionnaires/surveys/{survey.id}", status_code=303)

    # --- a questionnaire and its versions -----------------------------------------------

    async def _questionnaire(
        self,
        db: DB,
        school: School,
        page: Page,
        questionnaire_id: str,
        form: Form | None = None,
        status_code: int = 200,
        *,
        editing: bool = False,
        edit_key: str = "",
    ) -> Template:
        questionnaire = await services.get_questionnaire(db, school, questionnaire_id)
        if questionnaire is None:
            raise NotFoundException
        sections = sections_of(questionnaire.definition)
        edit_form = form if editing else None
        if edit_form is None and edit_key and questionnaire.is_current:
            edit_form = question_form(sections, edit_key)
        region_versions = await templates.published_versions(db, await templates.region_id_of(db, school))
        return await page(
            "questionnaires/questionnaire.html",
            status_code=status_code,
            questionnaire=questionnaire,
            region_version=region_versions.get(questionnaire.kind, 0),
            sections=sections,
            reference_lists=REFERENCE_LISTS,
            section_options=[(str(i), s.title) for i, s in enumerate(sections)]
            + [(str(len(sections)), "Новый раздел «Дополнительные вопросы»")],
            kind_options=[
                (k.value, t)
                for k, t in QUESTION_KIND_TITLES.items()
                if k is not QuestionKind.PEOPLE or questionnaire.kind is QuestionnaireKind.PREFERENCES
            ],
            reference_options=list(REFERENCE_LISTS.items()),
            form=(None if editing else form)
            or Form(data={"kind": QuestionKind.SINGLE.value, "section": "0"}),
            edit_form=edit_form,
            edit_section_options=[(str(i), s.title) for i, s in enumerate(sections)],
        )

    @get("/{questionnaire_id:str}", name="questionnaires:show")
    async def show(
        self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page, questionnaire_id: FromPath[str]
    ) -> Template:
        return await self._questionnaire(
            db, school, page, questionnaire_id, edit_key=request.query_params.get("edit", "")
        )

    @post("/{questionnaire_id:str}/questions", name="questionnaires:add_question")
    async def add_question(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        page: Page,
        questionnaire_id: FromPath[str],
    ) -> Template | Redirect:
        questionnaire = await services.get_questionnaire(db, school, questionnaire_id)
        if questionnaire is None or not questionnaire.is_current:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), services.QUESTION_FIELDS)
        updated = await services.add_question(db, school, questionnaire, form, user.user.id)
        if updated is None:
            return await self._questionnaire(db, school, page, questionnaire_id, form=form, status_code=422)
        user.flash("success", f"Вопрос добавлен: теперь действует версия {updated.version}.")
        return Redirect(f"/s/{school.code}/questionnaires/{updated.id}", status_code=303)

    @post("/{questionnaire_id:str}/questions/edit", name="questionnaires:edit_question")
    async def edit_question(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        page: Page,
        questionnaire_id: FromPath[str],
    ) -> Template | Redirect:
        """Change a question's text, type, options or section, or move it up or down."""
        questionnaire = await services.get_questionnaire(db, school, questionnaire_id)
        if questionnaire is None or not questionnaire.is_current:
            raise NotFoundException
        data = await request.form()
        op = str(data.get("op", "save"))
        form = Form.from_mapping(data, services.QUESTION_FIELDS)
        updated = await services.edit_question(db, school, questionnaire, op, form, user.user.id)
        if updated is None:
            return await self._questionnaire(
                db, school, page, questionnaire_id, form=form, status_code=422, editing=op == "save"
            )
        if op == "save":
            user.flash("success", f"Вопрос изменён: теперь действует версия {updated.version}.")
        return Redirect(
            f"/s/{school.code}/questionnaires/{updated.id}#q-{form.value('key')}", status_code=303
        )

    @post("/{questionnaire_id:str}/questions/{key:str}/delete", name="questionnaires:remove_question")
    async def remove_question(
        self,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        questionnaire_id: FromPath[str],
        key: FromPath[str],
    ) -> Redirect:
        questionnaire = await services.get_questionnaire(db, school, questionnaire_id)
        if questionnaire is None or not questionnaire.is_current:
            raise NotFoundException
        updated, form = await services.remove_question(db, school, questionnaire, key, user.user.id)
        if updated is None:
            user.flash("error", " ".join(form.errors.values()))
            return Redirect(f"/s/{school.code}/questionnaires/{questionnaire.id}", status_code=303)
        user.flash(
            "success", f"Вопрос убран: теперь действует версия {updated.version}. Прежние ответы сохранены."
        )
        return Redirect(f"/s/{school.code}/questionnaires/{updated.id}", status_code=303)

    @post("/{questionnaire_id:str}/update-from-region", name="questionnaires:update_from_region")
    async def update_from_region(
        self, db: DB, user: CurrentUser, school: CurrentSchool, questionnaire_id: FromPath[str]
    ) -> Redirect:
        questionnaire = await services.get_questionnaire(db, school, questionnaire_id)
        if questionnaire is None or not questionnaire.is_current:
            raise NotFoundException
        updated = await services.update_from_region(db, school, questionnaire, user.user.id)
        if updated is None:
            user.flash("info", "У вас уже последняя версия шаблона региона.")
            return Redirect(f"/s/{school.code}/questionnaires/{questionnaire.id}", status_code=303)
        user.flash(
            "success",
            f"Анкета обновлена по шаблону региона (версия {updated.template_version}): теперь действует "
            f"версия {updated.version}. Ответы на прежние версии сохранены.",
        )
        return Redirect(f"/s/{school.code}/questionnaires/{updated.id}", status_code=303)

    # --- a survey: rates, links, print, exports -------------------------------------------

    @get("/surveys/{survey_id:str}", name="questionnaires:survey")
    async def survey(
        self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page, survey_id: FromPath[str]
    ) -> Template:
        survey = await services.get_survey(db, school, survey_id)
        if survey is None:
            raise NotFoundException
        secret = request.app.state.settings.session_secret
        base_url = request.app.state.settings.base_url
        rows, window = await services.responses_page(db, school, survey, page_number(request.query_params))
        return await page(
            "questionnaires/survey.html",
            survey=survey,
            totals=await services.survey_totals(db, school, survey),
            rates=await services.response_rates(db, school, survey),
            responses=[(r, p, f"{base_url}/q/{services.response_token(secret, r)}") for r, p in rows],
            window=window.linked(f"/s/{school.code}/questionnaires/surveys/{survey.id}"),
            free_text=await services.free_text_answers(db, school, survey, limit=50),
            today=local_today(),
            submitted=ResponseStatus.SUBMITTED,
        )

    @get("/surveys/{survey_id:str}/print", name="questionnaires:print")
    async def print_list(
        self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page, survey_id: FromPath[str]
    ) -> Template:
        survey = await services.get_survey(db, school, survey_id)
        if survey is None:
            raise NotFoundException
        secret = request.app.state.settings.session_secret
        base_url = request.app.state.settings.base_url
        rows, window = await services.responses_page(
            db, school, survey, page_number(request.query_params), size=40
        )
        people = []
        for response, person in rows:
            if response.revoked_at is None:
                url = f"{base_url}/q/{services.response_token(secret, response)}"
                people.append((person, url, qr_svg(url)))
        return await page(
            "questionnaires/print.html",
            survey=survey,
            people=people,
            window=window.linked(f"/s/{school.code}/questionnaires/surveys/{survey.id}/print"),
        )

    @get("/surveys/{survey_id:str}/export/{fmt:str}", name="questionnaires:export")
    async def export(
        self, request: AnyRequest, db: DB, school: CurrentSchool, survey_id: FromPath[str], fmt: FromPath[str]
    ) -> Response[bytes]:
        survey = await services.get_survey(db, school, survey_id)
        if survey is None or fmt not in {"xlsx", "csv"}:
            raise NotFoundException
        with_people = request.query_params.get("people") == "1"
        header, rows = await services.export_rows(db, school, survey, with_people=with_people)
        suffix = "" if with_people else " (обезличено)"
        name = f"{survey.title}{suffix}.{fmt}"
        if fmt == "csv":
            content, media = csv_bytes([header, *rows]), "text/csv; charset=utf-8"
        else:
            table = Table(
                columns=[Column(h, 2.0 if i >= 2 else 1.5) for i, h in enumerate(header)], rows=rows
            )
            content = render_xlsx([("Ответы", table)])
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": content_disposition(name), "Cache-Control": "private, no-store"},
        )

    @post("/surveys/{survey_id:str}/mail", name="questionnaires:mail")
    async def mail(
        self, db: DB, user: CurrentUser, school: CurrentSchool, survey_id: FromPath[str]
    ) -> Redirect:
        survey = await services.get_survey(db, school, survey_id)
        if survey is None:
            raise NotFoundException
        await jobs.defer(
            db, mail_survey_job, school_id=str(school.id), survey_id=str(survey.id), reminder=False
        )
        user.flash("success", "Письма с личными ссылками отправляются тем, у кого указан e-mail.")
        return Redirect(f"/s/{school.code}/questionnaires/surveys/{survey.id}", status_code=303)

    @post("/responses/{response_id:str}/revoke", name="questionnaires:revoke")
    async def revoke(
        self, db: DB, user: CurrentUser, school: CurrentSchool, response_id: FromPath[str]
    ) -> Redirect:
        response = await services.revoke(db, school, response_id)
        if response is None:
            raise NotFoundException
        user.flash("success", "Ссылка отозвана: по ней больше нельзя ответить.")
        return Redirect(f"/s/{school.code}/questionnaires/surveys/{response.survey_id}", status_code=303)

    # --- intake answers into the banks ------------------------------------------------

    @get("/intake", name="questionnaires:intake")
    async def intake(self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page) -> Template:
        year = AcademicYear.current(local_today())
        rows, window = await services.intake_queue(db, school, year.start, page_number(request.query_params))
        titles = await services.reference_titles(db)
        items = []
        for response, person, questionnaire in rows:
            answers = [
                (q.text, answer_text(q, response.answers.get(q.key), titles))
                for q in questions_of(questionnaire.definition)
                if response.answers.get(q.key) not in (None, "", [])
            ]
            items.append((response, person, questionnaire, answers))
        return await page(
            "questionnaires/intake.html",
            items=items,
            window=window.linked(f"/s/{school.code}/questionnaires/intake"),
            year=year,
        )

    @post("/intake/{response_id:str}/accept", name="questionnaires:accept")
    async def accept(
        self, db: DB, user: CurrentUser, school: CurrentSchool, response_id: FromPath[str]
    ) -> Redirect:
        response = await services.get_response(db, school, response_id)
        if response is None or response.status is not ResponseStatus.SUBMITTED or response.accepted_at:
            raise NotFoundException
        year = AcademicYear.current(local_today())
        result = await services.accept_intake(db, school, year.start, response)
        if result is None:
            raise NotFoundException
        person, form = result
        if form.ok:
            user.flash("success", f"Анкета принята: {person.full_name} — в базе {year.title}.")
        else:
            problems = "; ".join(form.errors.values())
            user.flash(
                "error",
                f"Анкету {person.full_name} не удалось принять: {problems} Дополните карточку вручную.",
            )
        return Redirect(f"/s/{school.code}/questionnaires/intake", status_code=303)


# --- answering ------------------------------------------------------------------------------


def _answer_context(answering: services.Answering, form: Form, *, saved: str, action: str) -> dict[str, Any]:
    return {
        "answering": answering,
        "questionnaire": answering.survey.questionnaire,
        "sections": sections_of(answering.survey.questionnaire.definition),
        "form": form,
        "saved": saved,
        "action": action,
        "open": answering.open_on(local_today()),
        "kinds": QuestionKind,
    }


class MyQuestionnairesController(SchoolController):
    """A signed-in teacher's own questionnaires, answered in the workspace."""

    path = "/s/{school_code:str}/my-questionnaires"

    @get("/", name="questionnaires:mine")
    async def mine(self, db: DB, user: CurrentUser, school: CurrentSchool, page: Page) -> Template:
        rows = await services.own_responses(db, school, user.user.id)
        return await page("questionnaires/mine.html", rows=rows, today=local_today())

    async def _form(
        self,
        request: AnyRequest,
        db: DB,
        answering: services.Answering,
        page: Page,
        form: Form | None,
        status: int,
    ) -> Template:
        action = f"/s/{answering.school.code}/my-questionnaires/{answering.response.id}"
        context = _answer_context(
            answering,
            form or Form(data=dict(answering.response.answers)),
            saved=request.query_params.get("saved", ""),
            action=action,
        )
        context["reference_options"] = await services.answering_options(db, answering)
        return await page("questionnaires/answer_workspace.html", status_code=status, **context)

    @get("/{response_id:str}", name="questionnaires:answer_mine")
    async def show(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        workspace: SchoolScope,
        page: Page,
        response_id: FromPath[str],
    ) -> Template:
        answering = await services.own_answering(
            db,
            school,
            user.user.id,
            response_id,
            on_behalf=workspace.can(Permission.SCHOOL_QUESTIONNAIRES_MANAGE),
        )
        if answering is None:
            raise NotFoundException
        return await self._form(request, db, answering, page, None, 200)

    @post("/{response_id:str}", name="questionnaires:save_mine")
    async def save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        workspace: SchoolScope,
        page: Page,
        response_id: FromPath[str],
    ) -> Template | Redirect:
        answering = await services.own_answering(
            db,
            school,
            user.user.id,
            response_id,
            on_behalf=workspace.can(Permission.SCHOOL_QUESTIONNAIRES_MANAGE),
        )
        if answering is None:
            raise NotFoundException
        data = await request.form()
        final = data.get("action") != "draft"
        form = await services.save_answers(db, answering, _raw_answers(data), final=final)
        if not form.ok:
            return await self._form(request, db, answering, page, form, 422)
        return Redirect(
            f"/s/{school.code}/my-questionnaires/{response_id}?saved={'final' if final else 'draft'}",
            status_code=303,
        )


class PublicQuestionnaireController(Controller):
    """The personal link: no sign-in, no workspace; the signed token names the answer."""

    path = "/q"
    include_in_schema = False

    async def _render(
        self,
        request: AnyRequest,
        db: DB,
        answering: services.Answering,
        token: str,
        form: Form | None,
        status: int,
    ) -> Template:
        context = _answer_context(
            answering,
            form or Form(data=dict(answering.response.answers)),
            saved=request.query_params.get("saved", ""),
            action=f"/q/{token}",
        )
        context["reference_options"] = await services.answering_options(db, answering)
        context["csrf_token"] = ScopeState.from_scope(request.scope).csrf_token or ""
        context["request_id"] = request_id_of(request)
        return Template(template_name="questionnaires/answer_link.html", status_code=status, context=context)

    @get("/{token:str}", name="questionnaires:link")
    async def show(self, request: AnyRequest, db: DB, token: FromPath[str]) -> Template:
        answering = await services.resolve_link(db, request.app.state.settings.session_secret, token)
        if answering is None:
            raise NotFoundException
        return await self._render(request, db, answering, token, None, 200)

    @post("/{token:str}", name="questionnaires:link_save")
    async def save(self, request: AnyRequest, db: DB, token: FromPath[str]) -> Template | Redirect:
        answering = await services.resolve_link(db, request.app.state.settings.session_secret, token)
        if answering is None:
            raise NotFoundException
        data = await request.form()
        final = data.get("action") != "draft"
        form = await services.save_answers(db, answering, _raw_answers(data), final=final)
        if not form.ok:
            return await self._render(request, db, answering, token, form, 422)
        return Redirect(f"/q/{token}?saved={'final' if final else 'draft'}", status_code=303)
