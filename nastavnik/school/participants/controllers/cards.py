"""A person's card and what is done from it: editing, removal, the invitation to sign in,
and the psychologist's interview result. Every view of a card by staff is audited."""

from __future__ import annotations

from litestar import get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.mail import send_mail
from nastavnik.platform.settings import Settings
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.participants import services as svc
from nastavnik.school.participants.controllers._common import (
    INVITE_ROLE_OPTIONS,
    AnyRequest,
    PersonDep,
    audit_person,
    card_again,
    card_context,
    person_form_context,
    provide_editable_person,
    provide_person,
    provide_visible_person,
    year_of,
)
from nastavnik.school.participants.models import INTERVIEW_RESULT_TITLES, ParticipantKind
from nastavnik.school.years import ChosenYear, YearController
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolScope, requires
from nastavnik.tenants.provisioning import ProvisioningError
from nastavnik.tenants.services import INVITE_FIELDS, invite_staff

MANAGE = requires(Permission.SCHOOL_PARTICIPANTS_MANAGE)


class CardsController(YearController):
    path = "/s/{school_code:str}/participants/{participant_id:str}"
    dependencies = {  # noqa: RUF012
        **YearController.dependencies,
        "person": Provide(provide_person),
        "editable_person": Provide(provide_editable_person),
        "visible_person": Provide(provide_visible_person),
    }

    @get("/", name="participants:card")
    async def card(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        visible_person: PersonDep,
        chosen: ChosenYear,
    ) -> Template:
        person = visible_person
        own_view = not workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW)
        if not own_view:
            await audit_person(db, request, user, school, "participant.viewed", obj=str(person.id))
        return await page(
            "participants/card.html", **card_context(workspace, person, own_view=own_view, year=chosen.start)
        )

    @get("/edit", name="participants:edit", guards=[MANAGE])
    async def edit(self, db: DB, school: CurrentSchool, page: Page, editable_person: PersonDep) -> Template:
        person = editable_person
        return await page(
            "participants/edit.html",
            person=person,
            form=Form(data=svc.participant_form_data(person)),
            kind=person.kind,
            **await person_form_context(db, school),
        )

    @post("/edit", name="participants:update", guards=[MANAGE])
    async def update(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        editable_person: PersonDep,
    ) -> Template | Redirect:
        person = editable_person
        form = Form.from_mapping(await request.form(), svc.PARTICIPANT_FIELDS)
        if not await svc.update_participant(db, school, person, form):
            return await page(
                "participants/edit.html",
                status_code=422,
                person=person,
                form=form,
                kind=person.kind,
                **await person_form_context(db, school),
            )
        await audit_person(db, request, user, school, "participant.updated", obj=str(person.id))
        user.flash("success", "Сведения сохранены.")
        return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)

    @post("/delete", name="participants:delete", guards=[MANAGE])
    async def remove(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        person: PersonDep,
    ) -> Redirect:
        person_id = str(person.id)
        deleted = await svc.remove_participant(db, school, person)
        await audit_person(
            db,
            request,
            user,
            school,
            "participant.deleted" if deleted else "participant.anonymised",
            obj=person_id,
        )
        if deleted:
            user.flash("success", "Участник удалён из базы школы вместе с его анкетами и согласиями.")
            return Redirect(f"{workspace.url}participants", status_code=303)
        user.flash(
            "info", "Участник был в наставнической паре: его данные обезличены, история пар сохранена."
        )
        return Redirect(f"{workspace.url}participants/{person_id}", status_code=303)

    @post(
        "/invite",
        name="participants:invite",
        guards=[MANAGE, requires(Permission.SCHOOL_STAFF_INVITE)],
    )
    async def invite(
        self,
        request: AnyRequest,
        state: State,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        person: PersonDep,
    ) -> Template | Redirect:
        if person.kind is not ParticipantKind.TEACHER or person.is_anonymised:
            raise NotFoundException
        data = await request.form()
        form = Form.from_mapping(
            {
                "email": str(data.get("email", "")) or person.email,
                "last_name": person.last_name,
                "first_name": person.first_name,
                "middle_name": person.middle_name,
                "position": person.position,
                "role": str(data.get("role", "")),
            },
            INVITE_FIELDS,
        )
        if form.value("role") not in {value for value, _ in INVITE_ROLE_OPTIONS}:
            form.error("role", "Выберите роль: наставник или наставляемый педагог.")
        member = None
        if form.ok:
            try:
                member = await invite_staff(db, state.provisioner, school, user.user, form)
            except ProvisioningError as exc:
                form.error("__all__", str(exc))
        if member is None:
            return await card_again(db, page, workspace, school, person, invite_form=form)
        person.staff_member_id = member.id
        if not person.email:
            person.email = member.email
        await db.flush()
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
                "Если вы входите впервые, служба входа пришлёт отдельное письмо, чтобы задать пароль.\n"
            ),
        )
        await audit_person(
            db, request, user, school, "participant.invited", obj=str(person.id), staff_member=str(member.id)
        )
        if sent:
            user.flash("success", f"Приглашение отправлено на {member.email}.")
        else:
            user.flash("warning", "Учётная запись создана, но письмо не ушло. Сообщите о входе лично.")
        return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)

    @post("/mentor/interview", name="participants:interview")
    async def interview(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        visible_person: PersonDep,
    ) -> Template | Redirect:
        person = visible_person
        # Checked after the card's visibility, not as a guard: a card the user may not see is
        # 404 to them, whatever their permissions (a mentor on someone else's card).
        workspace.require(Permission.SCHOOL_PARTICIPANTS_INTERVIEW)
        year = year_of(request)
        profile = await svc.get_mentor_profile(db, person, year)
        if profile is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), svc.INTERVIEW_FIELDS)
        if not await svc.record_interview(db, school, profile, form, user.user.id):
            return await card_again(db, page, workspace, school, person, interview_forms={year: form})
        await audit_person(
            db, request, user, school, "participant.interview_recorded", obj=str(person.id), year=year
        )
        user.flash(
            "success", f"Итог собеседования записан: {INTERVIEW_RESULT_TITLES[profile.interview_result]}."
        )
        return Redirect(f"{workspace.url}participants/{person.id}#mentor-{year}", status_code=303)
