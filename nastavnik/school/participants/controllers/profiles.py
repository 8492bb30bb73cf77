"""A person's yearly profiles: the mentee's request, the mentor's profile with trainings,
and promoting a former mentee to a mentor candidate."""

from __future__ import annotations

from litestar import get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.participants import services as svc
from nastavnik.school.participants.controllers._common import (
    AnyRequest,
    PersonDep,
    audit_person,
    provide_editable_person,
    year_of,
)
from nastavnik.school.participants.models import (
    MENTEE_CATEGORY_TITLES,
    MENTEE_STATUS_TITLES,
    MENTOR_STATUS_TITLES,
    PUPIL_REQUEST_SOURCES,
    REQUEST_SOURCE_TITLES,
    TEACHER_REQUEST_SOURCES,
    MenteeCategory,
    Participant,
    ParticipantKind,
)
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.reference import ReferenceKind, reference_items
from nastavnik.tenants.web import SchoolWorkspace


async def _profile_page(
    db: DB,
    page: Page,
    *,
    person: Participant,
    role: str,
    year: int,
    form: Form,
    status_code: int = 200,
) -> Template:
    directions = await reference_items(db, ReferenceKind.DIRECTION)
    audience = "pupil" if person.kind is ParticipantKind.PUPIL else "teacher"
    if role == "mentee":
        directions = [x for x in directions if x.attributes.get("audience") in (None, audience)]
        sources = PUPIL_REQUEST_SOURCES if person.kind is ParticipantKind.PUPIL else TEACHER_REQUEST_SOURCES
        categories = [
            (c.value, t)
            for c, t in MENTEE_CATEGORY_TITLES.items()
            if (c is MenteeCategory.PUPIL) == (person.kind is ParticipantKind.PUPIL)
        ]
        extra = {
            "category_options": categories,
            "area_options": [
                (str(a.id), a.title) for a in await reference_items(db, ReferenceKind.REQUEST_AREA)
            ],
            "source_options": [(s.value, REQUEST_SOURCE_TITLES[s]) for s in sources],
            "status_options": list(MENTEE_STATUS_TITLES.items()),
        }
    else:
        profile = await svc.get_mentor_profile(db, person, year)
        extra = {
            "competency_options": [
                (str(a.id), a.title) for a in await reference_items(db, ReferenceKind.DEFICIT_AREA)
            ],
            "status_options": list(MENTOR_STATUS_TITLES.items()),
            "profile": profile,
            "training_form": Form(),
        }
    return await page(
        f"participants/{role}_profile.html",
        status_code=status_code,
        person=person,
        form=form,
        year=year,
        year_title=AcademicYear(year).title,
        direction_options=[(str(x.id), x.title) for x in directions],
        **extra,
    )


def _trainings_url(workspace: SchoolWorkspace, person: Participant, year: int) -> str:
    return f"{workspace.url}participants/{person.id}/mentor?year={AcademicYear(year).title}#trainings"


class ProfilesController(SchoolController):
    path = "/s/{school_code:str}/participants/{participant_id:str}"
    # Every profile page edits the person: an anonymised person has none to show (404).
    dependencies = {**SchoolController.dependencies, "person": Provide(provide_editable_person)}  # noqa: RUF012
    guards = [*SchoolController.guards, requires(Permission.SCHOOL_PARTICIPANTS_MANAGE)]  # noqa: RUF012

    @get("/mentee", name="participants:mentee_profile")
    async def mentee_profile(self, request: AnyRequest, db: DB, page: Page, person: PersonDep) -> Template:
        year = year_of(request)
        profile = await svc.get_mentee_profile(db, person, year)
        form = Form(data=svc.mentee_form_data(profile, person))
        return await _profile_page(db, page, person=person, role="mentee", year=year, form=form)

    @post("/mentee", name="participants:mentee_profile_save")
    async def mentee_profile_save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        person: PersonDep,
    ) -> Template | Redirect:
        return await self._save_profile(
            request,
            db,
            user,
            workspace,
            page,
            person,
            role="mentee",
            fields=svc.MENTEE_FIELDS,
            lists=("directions", "request_areas", "request_sources"),
            done="Запрос наставляемого на {year} учебный год сохранён.",
        )

    @get("/mentor", name="participants:mentor_profile")
    async def mentor_profile(self, request: AnyRequest, db: DB, page: Page, person: PersonDep) -> Template:
        year = year_of(request)
        profile = await svc.get_mentor_profile(db, person, year)
        form = Form(data=svc.mentor_form_data(profile, person))
        return await _profile_page(db, page, person=person, role="mentor", year=year, form=form)

    @post("/mentor", name="participants:mentor_profile_save")
    async def mentor_profile_save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        person: PersonDep,
    ) -> Template | Redirect:
        return await self._save_profile(
            request,
            db,
            user,
            workspace,
            page,
            person,
            role="mentor",
            fields=svc.MENTOR_FIELDS,
            lists=("directions", "competencies"),
            done="Анкета наставника на {year} учебный год сохранена.",
        )

    async def _save_profile(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolWorkspace,
        page: Page,
        person: Participant,
        *,
        role: str,
        fields: tuple[str, ...],
        lists: tuple[str, ...],
        done: str,
    ) -> Template | Redirect:
        """Save a person's mentee or mentor profile of a year: one path for both banks."""
        year = year_of(request)
        form = svc.form_from_request(await request.form(), fields, lists)
        saver = svc.save_mentee_profile if role == "mentee" else svc.save_mentor_profile
        if await saver(db, person, year, form) is None:
            return await _profile_page(
                db, page, person=person, role=role, year=year, form=form, status_code=422
            )
        await audit_person(
            db,
            request,
            user,
            workspace.school,
            f"participant.{role}_profile_saved",
            obj=str(person.id),
            year=year,
        )
        user.flash("success", done.format(year=AcademicYear(year).title))
        return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)

    @post("/mentor/trainings", name="participants:training_add")
    async def training_add(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        person: PersonDep,
    ) -> Template | Redirect:
        year = year_of(request)
        profile = await svc.get_mentor_profile(db, person, year)
        if profile is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), svc.TRAINING_FIELDS)
        if await svc.add_training(db, profile, form) is None:
            page_form = Form(data=svc.mentor_form_data(profile, person))
            template = await _profile_page(
                db, page, person=person, role="mentor", year=year, form=page_form, status_code=422
            )
            template.context["training_form"] = form
            return template
        user.flash("success", "Обучение наставника записано.")
        return Redirect(_trainings_url(workspace, person, year), status_code=303)

    @post("/mentor/trainings/{training_id:str}/delete", name="participants:training_delete")
    async def training_delete(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        person: PersonDep,
        training_id: FromPath[str],
    ) -> Redirect:
        year = year_of(request)
        profile = await svc.get_mentor_profile(db, person, year)
        if profile is None:
            raise NotFoundException
        try:
            await svc.delete_training(db, profile, training_id)
        except svc.NotFoundError as exc:
            raise NotFoundException from exc
        user.flash("success", "Запись об обучении удалена.")
        return Redirect(_trainings_url(workspace, person, year), status_code=303)

    @post("/promote", name="participants:promote")
    async def promote(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        person: PersonDep,
    ) -> Redirect:
        year = year_of(request)
        await svc.promote_to_mentor(db, person, year)
        await audit_person(
            db, request, user, school, "participant.promoted_to_mentor", obj=str(person.id), year=year
        )
        user.flash(
            "success",
            f"{person.full_name} — кандидат в наставники на {AcademicYear(year).title} учебный год.",
        )
        return Redirect(
            f"{workspace.url}participants/{person.id}/mentor?year={AcademicYear(year).title}", status_code=303
        )
