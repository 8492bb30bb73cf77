"""Pairs and groups: the list (all for the curator, own for a mentor), a pair's page with
its plan edited in place, status changes, the agreement, and meetings logged from it."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template

from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission, Role
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx
from nastavnik.school.directory import services as directory
from nastavnik.school.meetings import services as meetings
from nastavnik.school.meetings.models import MEETING_FORMAT_TITLES, MEETING_KIND_TITLES, PAIR_MEETING_KINDS
from nastavnik.school.pairs import services
from nastavnik.school.pairs.documents import agreement_document, staff_with_role
from nastavnik.school.pairs.models import (
    STATUS_NEXT,
    STATUS_TITLES,
    MemberRole,
    Mentorship,
    MentorshipStatus,
)
from nastavnik.school.participants.models import local_today
from nastavnik.school.years import ChosenYear, YearController
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School
from nastavnik.tenants.web import SchoolWorkspace

KIND_OPTIONS = [(k.value, MEETING_KIND_TITLES[k]) for k in PAIR_MEETING_KINDS]
FORMAT_OPTIONS = [(f.value, t) for f, t in MEETING_FORMAT_TITLES.items()]


class Access:
    """What the signed-in person may do with pairs: everything, or their own only."""

    def __init__(self, workspace: SchoolWorkspace, own: set[uuid.UUID]) -> None:
        self.workspace = workspace
        self.own = own
        self.sees_all = workspace.can(Permission.SCHOOL_PAIRS_VIEW)
        self.manages = workspace.can(Permission.SCHOOL_PAIRS_MANAGE)

    def can_see(self, mentorship: Mentorship) -> bool:
        return self.sees_all or services.is_member(mentorship, self.own)

    def can_edit_plan(self, mentorship: Mentorship) -> bool:
        return self.manages or services.is_mentor(mentorship, self.own)

    def can_log(self, mentorship: Mentorship) -> bool:
        if self.workspace.can(Permission.SCHOOL_MEETINGS_MANAGE):
            return True
        return self.workspace.can(Permission.SCHOOL_MEETINGS_LOG_OWN) and services.is_mentor(
            mentorship, self.own
        )


async def provide_access(db: DB, user: CurrentUser, workspace: SchoolScope, school: CurrentSchool) -> Access:
    return Access(workspace, await services.participant_ids_of_user(db, school, user.user.id))


AccessDep = NamedDependency[SkipValidation[Access]]


async def _mentorship(db: DB, access: Access, school: School, mentorship_id: str) -> Mentorship:
    mentorship = await services.get_mentorship(db, school, mentorship_id)
    # Someone else's pair is as unknown to a mentor as another school's.
    if mentorship is None or not access.can_see(mentorship):
        raise NotFoundException
    return mentorship


MEMBER_ROLE_LABELS = {MemberRole.MENTOR: "наставник", MemberRole.MENTEE: "наставляемый"}


class PairsController(YearController):
    path = "/s/{school_code:str}/pairs"
    dependencies = {**YearController.dependencies, "access": Provide(provide_access)}  # noqa: RUF012
    guards = [  # noqa: RUF012
        *SchoolController.guards,
        requires(Permission.SCHOOL_PAIRS_VIEW, Permission.SCHOOL_PAIRS_VIEW_OWN),
    ]

    @get("/", name="pairs:index")
    async def index(
        self,
        request: Request[Any, Any, Any],
        school: CurrentSchool,
        page: Page,
        access: AccessDep,
        chosen: ChosenYear,
        *,
        db: DB,
    ) -> Template:
        status_value = request.query_params.get("status", "")
        status = (
            MentorshipStatus(status_value) if status_value in {s.value for s in MentorshipStatus} else None
        )
        year = chosen.year
        rows, window = await services.mentorships_page(
            db,
            school,
            year=year.start,
            status=status,
            participant_ids=None if access.sees_all else access.own,
            page=page_number(request.query_params),
        )
        # htmx (the pager) asks for the list alone; the filters stay in every link.
        return await page(
            "pairs/_list.html" if is_htmx(request) else "pairs/index.html",
            rows=rows,
            window=window.linked(
                f"/s/{school.code}/pairs",
                {"year": year.title, "status": status.value if status else ""},
                target="#pairs-list",
            ),
            status=status_value,
            year=year,
            chosen=chosen,
            status_titles=STATUS_TITLES,
            sees_all=access.sees_all,
        )

    async def _pair_page(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        page: Page,
        access: Access,
        school: School,
        mentorship: Mentorship,
        meeting_form: Form | None = None,
        status_form: Form | None = None,
        item_form: Form | None = None,
        status_code: int = 200,
        template: str = "pairs/pair.html",
    ) -> Template:
        held = await meetings.pair_meetings(db, mentorship)
        # A past year's pair is entered afterwards: dates default to the year's last day.
        today = min(local_today(), AcademicYear(mentorship.academic_year).ends)
        return await page(
            template,
            status_code=status_code,
            pair=mentorship,
            plan=mentorship.plan,
            meetings=held,
            meeting_form=meeting_form
            or Form(
                data={
                    "kind": meetings.next_kind(held).value,
                    "held_on": today.isoformat(),
                    "duration_minutes": "45",
                    "format": "in_person",
                    "present": [str(m.participant_id) for m in mentorship.members],
                }
            ),
            status_form=status_form or Form(data={"on": today.isoformat()}),
            item_form=item_form or Form(),
            kind_options=KIND_OPTIONS,
            format_options=FORMAT_OPTIONS,
            member_options=[
                (str(m.participant_id), f"{m.participant.full_name} ({MEMBER_ROLE_LABELS[m.role]})")
                for m in mentorship.members
            ],
            status_options=[(s.value, STATUS_TITLES[s]) for s in STATUS_NEXT[mentorship.status]],
            year_title=AcademicYear(mentorship.academic_year).title,
            can_manage=access.manages,
            can_edit_plan=access.can_edit_plan(mentorship),
            can_log=access.can_log(mentorship),
            editing=request.query_params.get("edit", ""),
        )

    @get("/{pair_id:str}", name="pairs:show")
    async def show(
        self,
        request: Request[Any, Any, Any],
        school: CurrentSchool,
        page: Page,
        access: AccessDep,
        *,
        db: DB,
        pair_id: FromPath[str],
    ) -> Template:
        mentorship = await _mentorship(db, access, school, pair_id)
        # htmx asks for the plan alone, with one section in edit mode (?edit=goals).
        template = "pairs/_plan.html" if is_htmx(request) else "pairs/pair.html"
        return await self._pair_page(request, db, page, access, school, mentorship, template=template)

    @post("/{pair_id:str}/status", name="pairs:status", guards=[requires(Permission.SCHOOL_PAIRS_MANAGE)])
    async def status(
        self,
        request: Request[Any, Any, Any],
        school: CurrentSchool,
        page: Page,
        access: AccessDep,
        *,
        db: DB,
        user: CurrentUser,
        pair_id: FromPath[str],
    ) -> Template | Redirect:
        mentorship = await _mentorship(db, access, school, pair_id)
        form = Form.from_mapping(await request.form(), services.STATUS_FIELDS)
        if not await services.change_status(mentorship, form, local_today()):
            return await self._pair_page(
                request, db, page, access, school, mentorship, status_form=form, status_code=422
            )
        # The mentor's free places in the region's directory follow the pair's status.
        await directory.sync_mentors(
            db, school.id, [m.participant_id for m in mentorship.mentors], year=mentorship.academic_year
        )
        user.flash("success", f"Статус: «{mentorship.status_title}».")
        return Redirect(f"/s/{school.code}/pairs/{mentorship.id}", status_code=303)

    # --- the plan, edited in place ------------------------------------------------------

    async def _plan_reply(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        user: CurrentUser,
        page: Page,
        access: Access,
        school: School,
        mentorship: Mentorship,
        item_form: Form | None = None,
        ok: bool = True,
    ) -> Template | Redirect:
        if is_htmx(request):
            return await self._pair_page(
                request,
                db,
                page,
                access,
                school,
                mentorship,
                item_form=item_form,
                template="pairs/_plan.html",
                status_code=200 if ok else 422,
            )
        if not ok:
            return await self._pair_page(
                request, db, page, access, school, mentorship, item_form=item_form, status_code=422
            )
        user.flash("success", "План сохранён.")
        return Redirect(f"/s/{school.code}/pairs/{mentorship.id}#plan", status_code=303)

    async def _plan_target(self, db: DB, access: Access, school: School, pair_id: str) -> Mentorship:
        mentorship = await _mentorship(db, access, school, pair_id)
        if not access.can_edit_plan(mentorship) or mentorship.plan is None:
            raise NotFoundException
        return mentorship

    @post("/{pair_id:str}/plan/{section:str}", name="pairs:plan_text")
    async def plan_text(
        self,
        request: Request[Any, Any, Any],
        school: CurrentSchool,
        page: Page,
        access: AccessDep,
        *,
        db: DB,
        user: CurrentUser,
        pair_id: FromPath[str],
        section: FromPath[str],
    ) -> Template | Redirect:
        mentorship = await self._plan_target(db, access, school, pair_id)
        assert mentorship.plan is not None  # noqa: S101
        form = Form.from_mapping(await request.form(), services.PLAN_TEXT_FIELDS)
        ok = services.save_plan_text(mentorship.plan, section, form)
        await db.flush()
        return await self._plan_reply(request, db, user, page, access, school, mentorship, ok=ok)

    @post("/{pair_id:str}/plan-items", name="pairs:item_add")
    async def add_item(
        self,
        request: Request[Any, Any, Any],
        school: CurrentSchool,
        page: Page,
        access: AccessDep,
        *,
        db: DB,
        user: CurrentUser,
        pair_id: FromPath[str],
    ) -> Template | Redirect:
        mentorship = await self._plan_target(db, access, school, pair_id)
        assert mentorship.plan is not None  # noqa: S101
        form = Form.from_mapping(await request.form(), services.ITEM_FIELDS)
        item = await services.add_item(db, mentorship.plan, form)
        return await self._plan_reply(
            request,
            db,
            user,
            page,
            access,
            school,
            mentorship,
            item_form=None if item else form,
            ok=item is not None,
        )

    @post("/{pair_id:str}/plan-items/{item_id:str}", name="pairs:item_update")
    async def update_item(
        self,
        request: Request[Any, Any, Any],
        school: CurrentSchool,
        page: Page,
        access: AccessDep,
        *,
        db: DB,
        user: CurrentUser,
        pair_id: FromPath[str],
        item_id: FromPath[str],
    ) -> Template | Redirect:
        mentorship = await self._plan_target(db, access, school, pair_id)
        assert mentorship.plan is not None  # noqa: S101
        item = services.find_item(mentorship.plan, item_id)
        if item is None:
            raise NotFoundException
        data = await request.form()
        if data.get("delete"):
            await services.remove_item(db, mentorship.plan, item)
            return await self._plan_reply(request, db, user, page, access, school, mentorship)
        form = Form.from_mapping(data, services.ITEM_FIELDS)
        ok = services.update_item(item, form)
        await db.flush()
        return await self._plan_reply(request, db, user, page, access, school, mentorship, ok=ok)

    # --- documents and meetings ----------------------------------------------------------

    @get("/{pair_id:str}/agreement/{fmt:str}", name="pairs:agreement")
    async def agreement(
        self, school: CurrentSchool, access: AccessDep, *, db: DB, pair_id: FromPath[str], fmt: FromPath[str]
    ) -> Response[bytes]:
        mentorship = await _mentorship(db, access, school, pair_id)
        if fmt not in ("pdf", "docx"):
            raise NotFoundException
        document = agreement_document(
            school,
            mentorship,
            form_title=mentorship.form.title,
            curator=await staff_with_role(db, school, Role.CURATOR),
        )
        content = await d.off_loop(d.render_pdf if fmt == "pdf" else d.render_docx, document)
        return Response(
            content,
            media_type=d.PDF_MEDIA_TYPE if fmt == "pdf" else d.DOCX_MEDIA_TYPE,
            headers={
                "Content-Disposition": d.content_disposition(f"Соглашение пары № {mentorship.number}.{fmt}")
            },
        )

    @post("/{pair_id:str}/meetings", name="pairs:meeting_add")
    async def log_meeting(
        self,
        request: Request[Any, Any, Any],
        school: CurrentSchool,
        page: Page,
        access: AccessDep,
        *,
        db: DB,
        user: CurrentUser,
        pair_id: FromPath[str],
    ) -> Template | Redirect:
        mentorship = await _mentorship(db, access, school, pair_id)
        if not access.can_log(mentorship):
            raise NotFoundException
        data = await request.form()
        form = Form.from_mapping(data, meetings.MEETING_FIELDS)
        present = [str(v) for v in data.getall("present", [])]
        form.data["present"] = present
        meeting = await meetings.log_pair_meeting(
            db, mentorship, user_id=user.user.id, form=form, present=present, today=local_today()
        )
        if meeting is None:
            return await self._pair_page(
                request, db, page, access, school, mentorship, meeting_form=form, status_code=422
            )
        user.flash("success", f"Встреча отмечена: {meeting.kind_title.lower()}, {meeting.held_on:%d.%m.%Y}.")
        return Redirect(f"/s/{school.code}/pairs/{mentorship.id}#meetings", status_code=303)
