"""Meetings: every meeting of the year for the curator (own pairs' for a mentor), the
school-level meetings (group meeting before matching, final ceremony), and the watch list."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx
from nastavnik.school.meetings import services
from nastavnik.school.meetings.models import MEETING_FORMAT_TITLES, MEETING_KIND_TITLES, SCHOOL_MEETING_KINDS
from nastavnik.school.pairs.services import participant_ids_of_user
from nastavnik.school.participants.models import local_today
from nastavnik.school.years import ChosenYear, YearChoice, YearController
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School
from nastavnik.tenants.web import SchoolWorkspace

SCHOOL_KIND_OPTIONS = [(k.value, MEETING_KIND_TITLES[k]) for k in SCHOOL_MEETING_KINDS]
FORMAT_OPTIONS = [(f.value, t) for f, t in MEETING_FORMAT_TITLES.items()]


class MeetingsController(YearController):
    path = "/s/{school_code:str}/meetings"
    guards = [  # noqa: RUF012
        *SchoolController.guards,
        requires(Permission.SCHOOL_MEETINGS_VIEW, Permission.SCHOOL_MEETINGS_LOG_OWN),
    ]

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        user: CurrentUser,
        workspace: SchoolWorkspace,
        school: School,
        page: Page,
        chosen: YearChoice,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        year = chosen.year
        sees_all = workspace.can(Permission.SCHOOL_MEETINGS_VIEW)
        own = None if sees_all else await participant_ids_of_user(db, school, user.user.id)
        meetings, window, pairs = await services.meetings_page(
            db, school, year.start, participant_ids=own, page=page_number(request.query_params)
        )
        shown, school_total = await services.school_meetings(db, school, year.start)
        return await page(
            "meetings/_list.html" if is_htmx(request) else "meetings/index.html",
            status_code=status_code,
            year=year,
            chosen=chosen,
            pairs=pairs,
            sees_all=sees_all,
            pair_meetings=meetings,
            window=window.linked(f"/s/{school.code}/meetings", {"year": year.title}, target="#meetings-list"),
            school_meetings=shown,
            school_meetings_total=school_total,
            watch=await services.watch(db, school, year.start, local_today())
            if sees_all and not is_htmx(request)
            else None,
            can_manage=workspace.can(Permission.SCHOOL_MEETINGS_MANAGE),
            form=form
            or Form(
                data={
                    "kind": SCHOOL_KIND_OPTIONS[0][0],
                    "held_on": min(local_today(), year.ends).isoformat(),
                    "duration_minutes": "60",
                    "format": "in_person",
                }
            ),
            kind_options=SCHOOL_KIND_OPTIONS,
            format_options=FORMAT_OPTIONS,
        )

    @get("/", name="meetings:index")
    async def index(
        self,
        request: Request[Any, Any, Any],
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        chosen: ChosenYear,
        *,
        db: DB,
        user: CurrentUser,
    ) -> Template:
        return await self._page(request, db, user, workspace, school, page, chosen)

    @post("/", name="meetings:add", guards=[requires(Permission.SCHOOL_MEETINGS_MANAGE)])
    async def add(
        self,
        request: Request[Any, Any, Any],
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        chosen: ChosenYear,
        *,
        db: DB,
        user: CurrentUser,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), services.MEETING_FIELDS)
        meeting = await services.log_school_meeting(
            db, school, year=chosen.start, user_id=user.user.id, form=form, today=local_today()
        )
        if meeting is None:
            return await self._page(
                request, db, user, workspace, school, page, chosen, form=form, status_code=422
            )
        user.flash("success", f"Встреча записана: {meeting.kind_title}, {meeting.held_on:%d.%m.%Y}.")
        return Redirect(f"/s/{school.code}/meetings?year={chosen.title}", status_code=303)

    @post("/{meeting_id:str}/delete", name="meetings:delete")
    async def delete(
        self,
        workspace: SchoolScope,
        school: CurrentSchool,
        *,
        db: DB,
        user: CurrentUser,
        meeting_id: FromPath[str],
    ) -> Redirect:
        meeting = await services.get_meeting(db, school, meeting_id)
        # The curator removes any record; a mentor only what they recorded themself.
        if meeting is None or not (
            workspace.can(Permission.SCHOOL_MEETINGS_MANAGE) or meeting.recorded_by_id == user.user.id
        ):
            raise NotFoundException
        back = (
            f"/s/{school.code}/pairs/{meeting.mentorship_id}#meetings"
            if meeting.mentorship_id
            else f"/s/{school.code}/meetings"
        )
        await db.delete(meeting)
        user.flash("success", "Запись о встрече удалена.")
        return Redirect(back, status_code=303)
