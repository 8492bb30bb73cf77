"""The year's people as matching sees them: the psychologist's marks of incompatible pairs
and the recorded preferences — typed by the curator or answered by the people themselves in
the questionnaire after the group meeting, delivered through their signed personal links."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx
from nastavnik.school.matching import services
from nastavnik.school.matching.controllers._common import AnyRequest
from nastavnik.school.matching.models import PreferenceSide
from nastavnik.school.questionnaires import services as questionnaires
from nastavnik.school.questionnaires.models import QuestionnaireKind
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.web import SchoolWorkspace

MARK = requires(Permission.SCHOOL_MATCHING_MARK)
MANAGE = requires(Permission.SCHOOL_MATCHING_MANAGE)
# The page's two forms and who may open each.
FORMS = {"mark": Permission.SCHOOL_MATCHING_MARK, "preference": Permission.SCHOOL_MATCHING_MANAGE}


class MatchingPeopleController(SchoolController):
    path = "/s/{school_code:str}/matching"

    async def _page(
        self,
        request: AnyRequest,
        db: DB,
        workspace: SchoolWorkspace,
        page: Page,
        mark_form: Form | None = None,
        preference_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        """Two bounded lists (marks, preferences), each with its own pager, and the year's
        latest preferences questionnaires with their response counts.

        The two forms choose among all the year's people, so their options are loaded only
        when a form is opened (`?form=mark|preference`, or the form's fragment by htmx), or
        shown again with its errors: the page itself stays the same size at any school.
        """
        school = workspace.school
        year = services.current_year()
        params = request.query_params
        marks, marks_window = await services.marks_page(db, school, page_number(params, "marks_page"))
        preferences, preferences_window = await services.preferences_page(
            db, school, year.start, page_number(params, "preferences_page")
        )
        surveys = (
            await questionnaires.surveys_of_kind(db, school, year.start, QuestionnaireKind.PREFERENCES)
            if workspace.can(Permission.SCHOOL_QUESTIONNAIRES_MANAGE)
            else []
        )
        opened = params.get("form", "")
        if mark_form is not None:
            opened = "mark"
        elif preference_form is not None:
            opened = "preference"
        base = f"/s/{school.code}/matching/people"
        kept = {k: params.get(k, "") for k in ("marks_page", "preferences_page")}
        return await page(
            "matching/people.html",
            status_code=status_code,
            year_title=year.title,
            marks=marks,
            marks_window=marks_window.linked(base, kept, "#people-marks", param="marks_page"),
            preferences=preferences,
            preferences_window=preferences_window.linked(
                base, kept, "#people-preferences", param="preferences_page"
            ),
            preference_surveys=surveys,
            can_send=workspace.can(Permission.SCHOOL_QUESTIONNAIRES_MANAGE),
            opened=opened,
            **(await self._form_context(db, workspace, opened, mark_form, preference_form)),
            can_mark=workspace.can(Permission.SCHOOL_MATCHING_MARK),
            can_manage=workspace.can(Permission.SCHOOL_MATCHING_MANAGE),
        )

    async def _form_context(
        self,
        db: DB,
        workspace: SchoolWorkspace,
        opened: str,
        mark_form: Form | None = None,
        preference_form: Form | None = None,
    ) -> dict[str, Any]:
        """The forms' fields; the year's people as options only for the form that is open."""
        context: dict[str, Any] = {
            "mark_form": mark_form or Form(),
            "preference_form": preference_form or Form(),
            "side_options": [
                (PreferenceSide.MENTEE.value, "Наставляемый выбирает наставника"),
                (PreferenceSide.MENTOR.value, "Наставник выбирает наставляемого"),
            ],
            "mentee_options": [],
            "mentor_options": [],
        }
        if opened in FORMS:
            mentees, mentors = await services.year_people(db, workspace.school, services.current_year().start)
            context["mentee_options"] = [(str(p.participant_id), p.participant.full_name) for p in mentees]
            context["mentor_options"] = [(str(p.participant_id), p.participant.full_name) for p in mentors]
        return context

    @get("/people", name="matching:people", guards=[requires(Permission.SCHOOL_MATCHING_VIEW)])
    async def people(self, request: AnyRequest, db: DB, workspace: SchoolScope, page: Page) -> Template:
        return await self._page(request, db, workspace, page)

    @get(
        "/people/forms/{form_name:str}",
        name="matching:people_form",
        guards=[requires(Permission.SCHOOL_MATCHING_VIEW)],
    )
    async def people_form(
        self, request: AnyRequest, db: DB, workspace: SchoolScope, page: Page, form_name: FromPath[str]
    ) -> Template | Redirect:
        """One form with its options, as the fragment htmx puts into the opened block."""
        if form_name not in FORMS or not workspace.can(FORMS[form_name]):
            raise NotFoundException
        if not is_htmx(request):
            return Redirect(
                f"/s/{workspace.school.code}/matching/people?form={form_name}#{form_name}-form",
                status_code=303,
            )
        context = await self._form_context(db, workspace, form_name)
        return await page("matching/_people_form.html", form_name=form_name, **context)

    @post("/marks", name="matching:mark_add", guards=[MARK])
    async def add_mark(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), services.MARK_FIELDS)
        if await services.add_mark(db, school, user.user.id, form) is None:
            return await self._page(request, db, workspace, page, mark_form=form, status_code=422)
        user.flash("success", "Отметка о несовместимости сохранена: эту пару подбор не предложит.")
        return Redirect(f"/s/{school.code}/matching/people", status_code=303)

    @post("/marks/{mark_id:str}/delete", name="matching:mark_delete", guards=[MARK])
    async def delete_mark(
        self, db: DB, user: CurrentUser, school: CurrentSchool, mark_id: FromPath[str]
    ) -> Redirect:
        if not await services.remove_mark(db, school, mark_id):
            raise NotFoundException
        user.flash("success", "Отметка снята.")
        return Redirect(f"/s/{school.code}/matching/people", status_code=303)

    @post("/preferences", name="matching:preference_add", guards=[MANAGE])
    async def add_preference(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), services.PREFERENCE_FIELDS)
        if await services.add_preference(db, school, services.current_year().start, form) is None:
            return await self._page(request, db, workspace, page, preference_form=form, status_code=422)
        user.flash("success", "Предпочтение записано: подбор учтёт его.")
        return Redirect(f"/s/{school.code}/matching/people", status_code=303)

    @post("/preferences/{preference_id:str}/delete", name="matching:preference_delete", guards=[MANAGE])
    async def delete_preference(
        self, db: DB, user: CurrentUser, school: CurrentSchool, preference_id: FromPath[str]
    ) -> Redirect:
        if not await services.remove_preference(db, school, preference_id):
            raise NotFoundException
        user.flash("success", "Предпочтение удалено.")
        return Redirect(f"/s/{school.code}/matching/people", status_code=303)
