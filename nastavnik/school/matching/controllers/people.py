"""The year's people as matching sees them: the psychologist's marks of incompatible pairs
and the recorded preferences, with each person's signed link to state their own."""

from __future__ import annotations

from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.matching import services
from nastavnik.school.matching.controllers._common import AnyRequest
from nastavnik.school.matching.models import PreferenceSide
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.web import SchoolWorkspace

MARK = requires(Permission.SCHOOL_MATCHING_MARK)
MANAGE = requires(Permission.SCHOOL_MATCHING_MANAGE)


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
        school = workspace.school
        year = services.current_year()
        mentees, mentors = await services.year_people(db, school, year.start)
        links: list[tuple[str, str, str]] = []
        if workspace.can(Permission.SCHOOL_MATCHING_MANAGE):
            settings = request.app.state.settings
            for side, profiles in ((PreferenceSide.MENTEE, mentees), (PreferenceSide.MENTOR, mentors)):
                for p in profiles:
                    token = services.preference_token(
                        settings.session_secret, school, p.participant_id, side, year.start
                    )
                    role = "наставляемый" if side is PreferenceSide.MENTEE else "наставник"
                    links.append((p.participant.full_name, role, f"{settings.base_url}/preferences/{token}"))
        people = {p.participant_id: p.participant for p in mentees} | {
            p.participant_id: p.participant for p in mentors
        }
        return await page(
            "matching/people.html",
            status_code=status_code,
            year_title=year.title,
            marks=await services.list_marks(db, school),
            preferences=await services.list_preferences(db, school, year.start),
            people=people,
            mentee_options=[(str(p.participant_id), p.participant.full_name) for p in mentees],
            mentor_options=[(str(p.participant_id), p.participant.full_name) for p in mentors],
            side_options=[
                (PreferenceSide.MENTEE.value, "Наставляемый выбирает наставника"),
                (PreferenceSide.MENTOR.value, "Наставник выбирает наставляемого"),
            ],
            links=links,
            mark_form=mark_form or Form(),
            preference_form=preference_form or Form(),
            can_mark=workspace.can(Permission.SCHOOL_MATCHING_MARK),
            can_manage=workspace.can(Permission.SCHOOL_MATCHING_MANAGE),
        )

    @get("/people", name="matching:people", guards=[requires(Permission.SCHOOL_MATCHING_VIEW)])
    async def people(self, request: AnyRequest, db: DB, workspace: SchoolScope, page: Page) -> Template:
        return await self._page(request, db, workspace, page)

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
