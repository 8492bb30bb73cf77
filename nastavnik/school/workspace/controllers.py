"""A school's workspace: overview and staff with invitations."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.response import Redirect, Template

from nastavnik.platform import audit
from nastavnik.platform.auth.permissions import INVITABLE_ROLES, ROLE_TITLES, Permission
from nastavnik.platform.mail import send_mail
from nastavnik.platform.settings import Settings
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx, request_id_of
from nastavnik.school.meetings.services import watch
from nastavnik.school.programme.services import local_today
from nastavnik.school.roadmap.services import dashboard as roadmap_dashboard
from nastavnik.school.years import ChosenYear, YearController
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolScope, requires
from nastavnik.tenants.provisioning import ProvisioningError
from nastavnik.tenants.services import INVITE_FIELDS, count_staff, invite_staff, staff_page

ROLE_OPTIONS = [(r.value, ROLE_TITLES[r]) for r in INVITABLE_ROLES]


class SchoolWorkspaceController(YearController):
    path = "/s/{school_code:str}"

    @get("/", name="school:home")
    async def home(
        self, db: DB, workspace: SchoolScope, school: CurrentSchool, page: Page, chosen: ChosenYear
    ) -> Template:
        # Every figure here is counted in PostgreSQL and every list is a few rows: the page
        # costs the same statements in a school of 40 people and of 4,000.
        pairs_watch = None
        if workspace.can(Permission.SCHOOL_MEETINGS_VIEW):
            pairs_watch = await watch(db, school, chosen.start, local_today())
        return await page(
            "school/home.html",
            school=school,
            chosen=chosen,
            staff_count=await count_staff(db, school),
            roadmap=await roadmap_dashboard(db, school, year=chosen.year)
            if workspace.can(Permission.SCHOOL_PROGRAMME_VIEW)
            else None,
            pairs_watch=pairs_watch,
        )

    @get("/staff", name="school:staff", guards=[requires(Permission.SCHOOL_STAFF_VIEW)])
    async def staff(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
    ) -> Template:
        staff, window = await staff_page(db, school, page_number(request.query_params))
        return await page(
            "school/staff.html",
            staff=staff,
            window=window.linked(f"/s/{school.code}/staff"),
            form=Form(),
            role_options=ROLE_OPTIONS,
            role_titles=ROLE_TITLES,
            can_invite=workspace.can(Permission.SCHOOL_STAFF_INVITE),
        )

    @post("/staff/invite", name="school:staff_invite", guards=[requires(Permission.SCHOOL_STAFF_INVITE)])
    async def invite(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        page: Page,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), INVITE_FIELDS)
        try:
            member = await invite_staff(db, state.provisioner, school, user.user, form)
        except ProvisioningError as exc:
            form.error("__all__", str(exc))
            member = None
        if member is None:
            template = "school/_invite_form.html" if is_htmx(request) else "school/staff.html"
            staff, window = await staff_page(db, school)
            return await page(
                template,
                status_code=422,
                staff=staff,
                window=window.linked(f"/s/{school.code}/staff"),
                form=form,
                role_options=ROLE_OPTIONS,
                role_titles=ROLE_TITLES,
                can_invite=True,
            )
        settings: Settings = state.settings
        sent = await send_mail(
            settings,
            to=member.email,
            subject=f"Приглашение в «Наставник»: {school.name}",
            body=(
                f"Здравствуйте, {member.first_name} {member.middle_name}!\n\n"
                f"{user.user.display_name} приглашает вас в программу наставничества "
                f"организации «{school.full_name}».\n\n"
                f"Войдите через единый вход: {settings.base_url}/s/{school.code}/\n"
                "Если вы входите впервые, служба входа пришлёт отдельное письмо, "
                "чтобы задать пароль.\n"
            ),
        )
        await audit.record(
            db,
            action="school.staff_invited",
            actor_id=user.user.id,
            school_id=school.id,
            object_type="staff_member",
            object_id=str(member.id),
            request_id=request_id_of(request),
        )
        if sent:
            user.flash("success", f"Приглашение отправлено: {member.full_name}, {member.email}.")
        else:
            user.flash(
                "warning",
                f"{member.full_name} добавлен(а) в школу, но письмо не ушло. Сообщите о входе лично.",
            )
        return Redirect(f"/s/{school.code}/staff", status_code=303)
