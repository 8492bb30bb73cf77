"""Pages of the banks: mentees and mentors of a year, people's cards, profiles, consents,
partner organisations, consent forms and exports.

Who sees what: curator and director keep the banks and see everyone; the psychologist sees
people with a valid consent and records interview results; a mentor or mentee teacher sees
only their own card. Every view or export of a card by staff is written to the audit log.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform import audit
from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission, Role
from nastavnik.platform.mail import send_mail
from nastavnik.platform.settings import Settings
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx, request_id_of
from nastavnik.school.participants import consents as consent_service
from nastavnik.school.participants import search
from nastavnik.school.participants import services as svc
from nastavnik.school.participants.consent_forms import consent_document, consent_filename
from nastavnik.school.participants.models import (
    CONSENT_SCOPE_TITLES,
    CONSENT_SIGNER_TITLES,
    INTERVIEW_RESULT_TITLES,
    MENTEE_CATEGORY_TITLES,
    MENTEE_STATUS_TITLES,
    MENTOR_STATUS_TITLES,
    PARTICIPANT_KIND_TITLES,
    PARTNER_KIND_TITLES,
    PUPIL_REQUEST_SOURCES,
    REQUEST_SOURCE_TITLES,
    TEACHER_CATEGORY_TITLES,
    TEACHER_REQUEST_SOURCES,
    ConsentScope,
    ConsentSigner,
    MenteeCategory,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.tenants.models import School
from nastavnik.tenants.provisioning import ProvisioningError
from nastavnik.tenants.reference import ReferenceKind, reference_items
from nastavnik.tenants.services import INVITE_FIELDS, invite_staff
from nastavnik.tenants.web import SchoolWorkspace, page, resolve_school

AnyRequest = Request[Any, Any, Any]

BANK_TITLES = {"mentees": "База наставляемых", "mentors": "База наставников"}
INVITE_ROLE_OPTIONS = [(Role.MENTOR.value, "Наставник"), (Role.MENTEE_TEACHER.value, "Наставляемый педагог")]


async def _school(
    db: DB, user: CurrentUser, school_code: str, permission: Permission | None = None
) -> tuple[SchoolWorkspace, School]:
    workspace = await resolve_school(db, user, school_code)
    if permission is not None:
        workspace.require(permission)
    if workspace.school is None:  # resolve_school always sets it; keeps the type checker honest
        raise NotFoundException
    return workspace, workspace.school


def _year(request: AnyRequest) -> int:
    parsed = AcademicYear.parse(str(request.query_params.get("year", "")))
    return parsed.start if parsed else AcademicYear.current(local_today()).start


def _kind_options() -> list[tuple[str, str]]:
    return [(k.value, t) for k, t in PARTICIPANT_KIND_TITLES.items()]


async def _person_or_404(db: DB, school: School, participant_id: str, *, full: bool = False) -> Participant:
    try:
        return await svc.get_participant(db, school, participant_id, full=full)
    except svc.NotFoundError as exc:
        raise NotFoundException from exc


async def _visible_person(
    db: DB, user: CurrentUser, workspace: SchoolWorkspace, school: School, participant_id: str
) -> Participant:
    """The card as this user may see it: managers all, psychologist consented, mentors own."""
    person = await _person_or_404(db, school, participant_id, full=True)
    if workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW_UNCONSENTED):
        return person
    if workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW):
        if consent_service.current_consent(person) is None or person.is_anonymised:
            raise NotFoundException
        return person
    if workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW_OWN):
        own = await svc.participant_for_user(db, school, user.user.id)
        if own is not None and own.id == person.id:
            return person
    raise NotFoundException


async def _audit(
    db: DB,
    request: AnyRequest,
    user: CurrentUser,
    school: School,
    action: str,
    *,
    obj: str,
    **details: Any,
) -> None:
    await audit.record(
        db,
        action=action,
        actor_id=user.user.id,
        school_id=school.id,
        object_type="participant",
        object_id=obj,
        request_id=request_id_of(request),
        details=details,
    )


class ParticipantsController(Controller):
    path = "/s/{school_code:str}"
    include_in_schema = False

    # --- banks --------------------------------------------------------------------------

    async def _bank(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: str, bank: str
    ) -> Template:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_VIEW)
        filters = search.BankFilters.from_query(request.query_params, _year(request))
        show_all = workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW_UNCONSENTED)
        result = await search.search_bank(db, school, bank, filters, show_unconsented=show_all)
        context: dict[str, Any] = {
            "bank": bank,
            "bank_title": BANK_TITLES[bank],
            "filters": filters,
            "result": result,
            "counts": await search.bank_counts(db, school, bank, filters.year),
            "years": await search.bank_years(db, school),
            "year_title": AcademicYear(filters.year).title,
            "directions": await reference_items(db, ReferenceKind.DIRECTION),
            "classes": await search.school_classes(db, school),
            "kind_options": _kind_options(),
            "status_titles": MENTEE_STATUS_TITLES if bank == "mentees" else MENTOR_STATUS_TITLES,
            "category_titles": MENTEE_CATEGORY_TITLES,
            "interview_titles": INTERVIEW_RESULT_TITLES,
            "show_all": show_all,
            "can_manage": workspace.can(Permission.SCHOOL_PARTICIPANTS_MANAGE),
        }
        template = "participants/_bank_results.html" if is_htmx(request) else "participants/bank.html"
        return await page(request, db, user, workspace, template, **context)

    @get("/mentees", name="participants:mentees")
    async def mentees(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template:
        return await self._bank(request, db, user, school_code, "mentees")

    @get("/mentors", name="participants:mentors")
    async def mentors(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template:
        return await self._bank(request, db, user, school_code, "mentors")

    @get(["/mentees/export.xlsx", "/mentors/export.xlsx"], name="participants:export")
    async def export(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Response[bytes]:
        _, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        bank = "mentees" if request.url.path.endswith("/mentees/export.xlsx") else "mentors"
        year = _year(request)
        rows = await search.export_rows(db, school, bank, year)
        table = search.mentee_export_table(rows) if bank == "mentees" else search.mentor_export_table(rows)
        title = f"{BANK_TITLES[bank]} {AcademicYear(year).title}"
        await audit.record(
            db,
            action=f"participants.{bank}_exported",
            actor_id=user.user.id,
            school_id=school.id,
            object_type="participant",
            object_id="",
            request_id=request_id_of(request),
            details={"year": year, "count": len(rows), "participants": [str(r.participant.id) for r in rows]},
        )
        return Response(
            d.render_xlsx([(title, table)]),
            media_type=d.XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": d.content_disposition(f"{title}.xlsx")},
        )

    # --- everyone -----------------------------------------------------------------------

    @get("/participants", name="participants:list")
    async def people(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_VIEW)
        filters = search.BankFilters.from_query(request.query_params, _year(request))
        show_all = workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW_UNCONSENTED)
        result = await search.search_people(db, school, filters, show_unconsented=show_all)
        template = "participants/_people_results.html" if is_htmx(request) else "participants/people.html"
        return await page(
            request,
            db,
            user,
            workspace,
            template,
            filters=filters,
            result=result,
            classes=await search.school_classes(db, school),
            kind_options=_kind_options(),
            show_all=show_all,
            can_manage=workspace.can(Permission.SCHOOL_PARTICIPANTS_MANAGE),
        )

    @get("/participants/me", name="participants:me")
    async def me(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template | Redirect:
        workspace, school = await _school(db, user, school_code)
        person = await svc.participant_for_user(db, school, user.user.id)
        if person is not None:
            return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)
        return await page(request, db, user, workspace, "participants/me_missing.html")

    async def _new_page(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolWorkspace,
        school: School,
        *,
        form: Form,
        kind: ParticipantKind | None,
        status_code: int = 200,
    ) -> Template:
        return await page(
            request,
            db,
            user,
            workspace,
            "participants/new.html",
            status_code=status_code,
            form=form,
            kind=kind,
            kind_titles=PARTICIPANT_KIND_TITLES,
            bank=str(request.query_params.get("bank", "")),
            year=AcademicYear(_year(request)).title,
            **await self._person_form_context(db, school),
        )

    async def _person_form_context(self, db: DB, school: School) -> dict[str, Any]:
        partners = await svc.list_partners(db, school)
        return {
            "partner_options": [(str(p.id), p.name) for p in partners],
            "category_options": [(c.value, t) for c, t in TEACHER_CATEGORY_TITLES.items()],
        }

    @get("/participants/new", name="participants:new")
    async def new(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        kind_value = str(request.query_params.get("kind", ""))
        kind = next((k for k in ParticipantKind if k.value == kind_value), None)
        form = Form(data={"kind": kind.value if kind else ""})
        return await self._new_page(request, db, user, workspace, school, form=form, kind=kind)

    @post("/participants/new", name="participants:create")
    async def create(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template | Redirect:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        data = await request.form()
        form = Form.from_mapping(data, svc.PARTICIPANT_FIELDS)
        person = await svc.create_participant(db, school, form)
        kind = next((k for k in ParticipantKind if k.value == form.value("kind")), None)
        if person is None:
            return await self._new_page(
                request, db, user, workspace, school, form=form, kind=kind, status_code=422
            )
        await _audit(db, request, user, school, "participant.created", obj=str(person.id))
        bank = str(data.get("bank", ""))
        year = AcademicYear.parse(str(data.get("year", ""))) or AcademicYear.current(local_today())
        user.flash("success", f"{person.full_name} добавлен(а) в список участников школы.")
        if bank in ("mentee", "mentor"):
            return Redirect(
                f"{workspace.url}participants/{person.id}/{bank}?year={year.title}", status_code=303
            )
        return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)

    # --- a person's card ------------------------------------------------------------------

    @get("/participants/{participant_id:str}", name="participants:card")
    async def card(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template:
        workspace, school = await _school(db, user, school_code)
        person = await _visible_person(db, user, workspace, school, participant_id)
        own_view = not workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW)
        if not own_view:
            await _audit(db, request, user, school, "participant.viewed", obj=str(person.id))
        return await page(
            request,
            db,
            user,
            workspace,
            "participants/card.html",
            **await self._card_context(
                request,
                db,
                workspace,
                school,
                person,
                own_view=own_view,
            ),
        )

    async def _card_context(
        self,
        request: AnyRequest,
        db: DB,
        workspace: SchoolWorkspace,
        school: School,
        person: Participant,
        *,
        own_view: bool = False,
        consent_form: Form | None = None,
        invite_form: Form | None = None,
        interview_forms: dict[int, Form] | None = None,
    ) -> dict[str, Any]:
        year = AcademicYear.current(local_today()).start
        today = local_today()
        return {
            "person": person,
            "current_consent": consent_service.current_consent(person, today),
            "consent_states": {
                c.id: consent_service.consent_state(c, person, today) for c in person.consents
            },
            "today": today,
            "year": year,
            "years_title": AcademicYear,
            "kind_titles": PARTICIPANT_KIND_TITLES,
            "category_titles": MENTEE_CATEGORY_TITLES,
            "teacher_category_titles": TEACHER_CATEGORY_TITLES,
            "mentee_status_titles": MENTEE_STATUS_TITLES,
            "mentor_status_titles": MENTOR_STATUS_TITLES,
            "source_titles": REQUEST_SOURCE_TITLES,
            "interview_titles": INTERVIEW_RESULT_TITLES,
            "signer_titles": CONSENT_SIGNER_TITLES,
            "scope_titles": CONSENT_SCOPE_TITLES,
            "consent_form": consent_form
            or Form(
                data={
                    "signer": ConsentSigner.PARENT.value
                    if person.is_minor(today)
                    else ConsentSigner.SELF.value,
                    "signed_on": today.isoformat(),
                    "scopes": [ConsentScope.PROGRAMME.value],
                }
            ),
            "signer_options": [(s.value, t) for s, t in CONSENT_SIGNER_TITLES.items()],
            "scope_options": [(s.value, t) for s, t in CONSENT_SCOPE_TITLES.items()],
            "invite_form": invite_form or Form(data={"role": Role.MENTOR.value}),
            "invite_role_options": INVITE_ROLE_OPTIONS,
            "interview_forms": interview_forms or {},
            "interview_options": [(r.value, t) for r, t in INTERVIEW_RESULT_TITLES.items()],
            "has_mentee_year": {p.academic_year for p in person.mentee_profiles},
            "has_mentor_year": {p.academic_year for p in person.mentor_profiles},
            "can_manage": workspace.can(Permission.SCHOOL_PARTICIPANTS_MANAGE),
            "can_interview": workspace.can(Permission.SCHOOL_PARTICIPANTS_INTERVIEW),
            "can_invite": workspace.can(Permission.SCHOOL_STAFF_INVITE)
            and workspace.can(Permission.SCHOOL_PARTICIPANTS_MANAGE),
            "own_view": own_view,
        }

    async def _card_again(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolWorkspace,
        school: School,
        *,
        person_id: uuid.UUID,
        **forms: Any,
    ) -> Template:
        person = await _person_or_404(db, school, str(person_id), full=True)
        context = await self._card_context(request, db, workspace, school, person, **forms)
        return await page(request, db, user, workspace, "participants/card.html", status_code=422, **context)

    @get("/participants/{participant_id:str}/edit", name="participants:edit")
    async def edit(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        person = await _person_or_404(db, school, participant_id)
        if person.is_anonymised:
            raise NotFoundException
        form = Form(data=svc.participant_form_data(person))
        return await page(
            request,
            db,
            user,
            workspace,
            "participants/edit.html",
            person=person,
            form=form,
            kind=person.kind,
            **await self._person_form_context(db, school),
        )

    @post("/participants/{participant_id:str}/edit", name="participants:update")
    async def update(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template | Redirect:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        person = await _person_or_404(db, school, participant_id)
        if person.is_anonymised:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), svc.PARTICIPANT_FIELDS)
        if not await svc.update_participant(db, school, person, form):
            return await page(
                request,
                db,
                user,
                workspace,
                "participants/edit.html",
                status_code=422,
                person=person,
                form=form,
                kind=person.kind,
                **await self._person_form_context(db, school),
            )
        await _audit(db, request, user, school, "participant.updated", obj=str(person.id))
        user.flash("success", "Сведения сохранены.")
        return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)

    @post("/participants/{participant_id:str}/delete", name="participants:delete")
    async def remove(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Redirect:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        person = await _person_or_404(db, school, participant_id)
        person_id = str(person.id)
        deleted = await svc.remove_participant(db, school, person)
        await _audit(
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

    # --- yearly profiles ------------------------------------------------------------------

    async def _profile_page(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolWorkspace,
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
            sources = (
                PUPIL_REQUEST_SOURCES if person.kind is ParticipantKind.PUPIL else TEACHER_REQUEST_SOURCES
            )
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
            request,
            db,
            user,
            workspace,
            f"participants/{role}_profile.html",
            status_code=status_code,
            person=person,
            form=form,
            year=year,
            year_title=AcademicYear(year).title,
            direction_options=[(str(x.id), x.title) for x in directions],
            **extra,
        )

    async def _profile_person(
        self, db: DB, user: CurrentUser, school_code: str, participant_id: str
    ) -> tuple[SchoolWorkspace, School, Participant]:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        person = await _person_or_404(db, school, participant_id)
        if person.is_anonymised:
            raise NotFoundException
        return workspace, school, person

    @get("/participants/{participant_id:str}/mentee", name="participants:mentee_profile")
    async def mentee_profile(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template:
        workspace, _, person = await self._profile_person(db, user, school_code, participant_id)
        year = _year(request)
        profile = await svc.get_mentee_profile(db, person, year)
        form = Form(data=svc.mentee_form_data(profile, person))
        return await self._profile_page(
            request, db, user, workspace, person=person, role="mentee", year=year, form=form
        )

    @post("/participants/{participant_id:str}/mentee", name="participants:mentee_profile_save")
    async def mentee_profile_save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template | Redirect:
        return await self._save_profile(
            request,
            db,
            user,
            school_code,
            participant_id,
            role="mentee",
            fields=svc.MENTEE_FIELDS,
            lists=("directions", "request_areas", "request_sources"),
            done="Запрос наставляемого на {year} учебный год сохранён.",
        )

    @get("/participants/{participant_id:str}/mentor", name="participants:mentor_profile")
    async def mentor_profile(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template:
        workspace, _, person = await self._profile_person(db, user, school_code, participant_id)
        year = _year(request)
        profile = await svc.get_mentor_profile(db, person, year)
        form = Form(data=svc.mentor_form_data(profile, person))
        return await self._profile_page(
            request, db, user, workspace, person=person, role="mentor", year=year, form=form
        )

    @post("/participants/{participant_id:str}/mentor", name="participants:mentor_profile_save")
    async def mentor_profile_save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template | Redirect:
        return await self._save_profile(
            request,
            db,
            user,
            school_code,
            participant_id,
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
        school_code: str,
        participant_id: str,
        *,
        role: str,
        fields: tuple[str, ...],
        lists: tuple[str, ...],
        done: str,
    ) -> Template | Redirect:
        """Save a person's mentee or mentor profile of a year: one path for both banks."""
        workspace, school, person = await self._profile_person(db, user, school_code, participant_id)
        year = _year(request)
        form = svc.form_from_request(await request.form(), fields, lists)
        saver = svc.save_mentee_profile if role == "mentee" else svc.save_mentor_profile
        if await saver(db, person, year, form) is None:
            return await self._profile_page(
                request, db, user, workspace, person=person, role=role, year=year, form=form, status_code=422
            )
        await _audit(
            db, request, user, school, f"participant.{role}_profile_saved", obj=str(person.id), year=year
        )
        user.flash("success", done.format(year=AcademicYear(year).title))
        return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)

    @post("/participants/{participant_id:str}/mentor/trainings", name="participants:training_add")
    async def training_add(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template | Redirect:
        workspace, _, person = await self._profile_person(db, user, school_code, participant_id)
        year = _year(request)
        profile = await svc.get_mentor_profile(db, person, year)
        if profile is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), svc.TRAINING_FIELDS)
        if await svc.add_training(db, profile, form) is None:
            page_form = Form(data=svc.mentor_form_data(profile, person))
            template = await self._profile_page(
                request,
                db,
                user,
                workspace,
                person=person,
                role="mentor",
                year=year,
                form=page_form,
                status_code=422,
            )
            template.context["training_form"] = form
            return template
        user.flash("success", "Обучение наставника записано.")
        return Redirect(
            f"{workspace.url}participants/{person.id}/mentor?year={AcademicYear(year).title}#trainings",
            status_code=303,
        )

    @post(
        "/participants/{participant_id:str}/mentor/trainings/{training_id:str}/delete",
        name="participants:training_delete",
    )
    async def training_delete(
        self,
        request: AnyRequest,
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
        training_id: FromPath[str],
    ) -> Redirect:
        workspace, _, person = await self._profile_person(db, user, school_code, participant_id)
        year = _year(request)
        profile = await svc.get_mentor_profile(db, person, year)
        if profile is None:
            raise NotFoundException
        try:
            await svc.delete_training(db, profile, training_id)
        except svc.NotFoundError as exc:
            raise NotFoundException from exc
        user.flash("success", "Запись об обучении удалена.")
        return Redirect(
            f"{workspace.url}participants/{person.id}/mentor?year={AcademicYear(year).title}#trainings",
            status_code=303,
        )

    @post("/participants/{participant_id:str}/mentor/interview", name="participants:interview")
    async def interview(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template | Redirect:
        workspace, school = await _school(db, user, school_code)
        person = await _visible_person(db, user, workspace, school, participant_id)
        workspace.require(Permission.SCHOOL_PARTICIPANTS_INTERVIEW)
        year = _year(request)
        profile = await svc.get_mentor_profile(db, person, year)
        if profile is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), svc.INTERVIEW_FIELDS)
        if not await svc.record_interview(db, school, profile, form, user.user.id):
            return await self._card_again(
                request, db, user, workspace, school, person_id=person.id, interview_forms={year: form}
            )
        await _audit(
            db, request, user, school, "participant.interview_recorded", obj=str(person.id), year=year
        )
        user.flash(
            "success", f"Итог собеседования записан: {INTERVIEW_RESULT_TITLES[profile.interview_result]}."
        )
        return Redirect(f"{workspace.url}participants/{person.id}#mentor-{year}", status_code=303)

    @post("/participants/{participant_id:str}/promote", name="participants:promote")
    async def promote(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Redirect:
        workspace, school, person = await self._profile_person(db, user, school_code, participant_id)
        year = _year(request)
        await svc.promote_to_mentor(db, person, year)
        await _audit(
            db, request, user, school, "participant.promoted_to_mentor", obj=str(person.id), year=year
        )
        user.flash(
            "success",
            f"{person.full_name} — кандидат в наставники на {AcademicYear(year).title} учебный год.",
        )
        return Redirect(
            f"{workspace.url}participants/{person.id}/mentor?year={AcademicYear(year).title}", status_code=303
        )

    # --- consents -------------------------------------------------------------------------

    @post("/participants/{participant_id:str}/consents", name="participants:consent_add")
    async def consent_add(
        self,
        request: AnyRequest,
        *,
        state: State,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template | Redirect:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        person = await _person_or_404(db, school, participant_id)
        data = await request.form()
        form = svc.form_from_request(data, consent_service.CONSENT_FIELDS, ("scopes",))
        upload = data.get("scan")
        scan = None
        if isinstance(upload, UploadFile) and upload.filename:
            scan = consent_service.UploadedFile(upload.filename, upload.content_type, await upload.read())
        settings: Settings = state.settings
        consent = await consent_service.record_consent(
            db, school, person, form, scan=scan, recorded_by=user.user.id, max_bytes=settings.upload_max_bytes
        )
        if consent is None:
            return await self._card_again(
                request, db, user, workspace, school, person_id=person.id, consent_form=form
            )
        await _audit(
            db,
            request,
            user,
            school,
            "participant.consent_recorded",
            obj=str(person.id),
            consent=str(consent.id),
        )
        user.flash("success", f"Согласие от {consent.signed_on:%d.%m.%Y} записано.")
        return Redirect(f"{workspace.url}participants/{person.id}#consents", status_code=303)

    @post(
        "/participants/{participant_id:str}/consents/{consent_id:str}/withdraw",
        name="participants:consent_withdraw",
    )
    async def consent_withdraw(
        self,
        request: AnyRequest,
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
        consent_id: FromPath[str],
    ) -> Redirect:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        person = await _person_or_404(db, school, participant_id)
        try:
            consent = await consent_service.get_consent(db, school, person, consent_id)
        except svc.NotFoundError as exc:
            raise NotFoundException from exc
        note = str((await request.form()).get("note", ""))
        if await consent_service.withdraw_consent(db, consent, note):
            await _audit(
                db,
                request,
                user,
                school,
                "participant.consent_withdrawn",
                obj=str(person.id),
                consent=str(consent.id),
            )
            user.flash("warning", "Согласие отозвано: участника больше нельзя включать в пары и выгружать.")
        return Redirect(f"{workspace.url}participants/{person.id}#consents", status_code=303)

    @get(
        "/participants/{participant_id:str}/consents/{consent_id:str}/scan", name="participants:consent_scan"
    )
    async def consent_scan(
        self,
        request: AnyRequest,
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
        consent_id: FromPath[str],
    ) -> Response[bytes]:
        _, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        person = await _person_or_404(db, school, participant_id)
        try:
            consent = await consent_service.get_consent(db, school, person, consent_id)
        except svc.NotFoundError as exc:
            raise NotFoundException from exc
        content = await consent_service.consent_scan(db, school, consent)
        if content is None:
            raise NotFoundException
        await _audit(
            db,
            request,
            user,
            school,
            "participant.consent_scan_viewed",
            obj=str(person.id),
            consent=str(consent.id),
        )
        return Response(
            content,
            media_type=consent.scan_content_type,
            headers={"Content-Disposition": d.content_disposition(consent.scan_filename, inline=True)},
        )

    # --- invitation to sign in -------------------------------------------------------------

    @post("/participants/{participant_id:str}/invite", name="participants:invite")
    async def invite(
        self,
        request: AnyRequest,
        *,
        state: State,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        participant_id: FromPath[str],
    ) -> Template | Redirect:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        workspace.require(Permission.SCHOOL_STAFF_INVITE)
        person = await _person_or_404(db, school, participant_id)
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
            return await self._card_again(
                request, db, user, workspace, school, person_id=person.id, invite_form=form
            )
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
        await _audit(
            db, request, user, school, "participant.invited", obj=str(person.id), staff_member=str(member.id)
        )
        if sent:
            user.flash("success", f"Приглашение отправлено на {member.email}.")
        else:
            user.flash("warning", "Учётная запись создана, но письмо не ушло. Сообщите о входе лично.")
        return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)

    # --- consent overview and forms to sign ---------------------------------------------

    @get("/consents", name="participants:consents")
    async def consents(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        filters = search.BankFilters.from_query(request.query_params, _year(request))
        if not filters.consent:
            filters.consent = "missing"
        result = await search.search_people(db, school, filters, show_unconsented=True)
        return await page(
            request,
            db,
            user,
            workspace,
            "participants/consents.html",
            filters=filters,
            result=result,
            classes=await search.school_classes(db, school),
            kind_options=_kind_options(),
        )

    @post("/consents/forms", name="participants:consent_forms")
    async def consent_forms(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Response[bytes] | Redirect:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        data = await request.form()
        people: list[Participant] = []
        for raw in data.getall("ids", []):
            try:
                people.append(await svc.get_participant(db, school, str(raw)))
            except svc.NotFoundError:
                continue
        people = [p for p in people if not p.is_anonymised]
        if not people:
            user.flash("warning", "Отметьте в списке людей, для которых нужно подготовить согласия.")
            return Redirect(f"{workspace.url}consents", status_code=303)
        people.sort(key=lambda p: (p.grade or 0, p.class_letter, p.last_name, p.first_name))
        document = consent_document(school, people)
        as_docx = str(data.get("format", "pdf")) == "docx"
        await audit.record(
            db,
            action="participants.consent_forms_generated",
            actor_id=user.user.id,
            school_id=school.id,
            object_type="participant",
            request_id=request_id_of(request),
            details={"count": len(people), "participants": [str(p.id) for p in people]},
        )
        return Response(
            d.render_docx(document) if as_docx else d.render_pdf(document),
            media_type=d.DOCX_MEDIA_TYPE if as_docx else d.PDF_MEDIA_TYPE,
            status_code=200,
            headers={
                "Content-Disposition": d.content_disposition(consent_filename("docx" if as_docx else "pdf"))
            },
        )

    # --- partner organisations ------------------------------------------------------------

    async def _partners_page(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolWorkspace,
        school: School,
        *,
        form: Form,
        status_code: int = 200,
    ) -> Template:
        return await page(
            request,
            db,
            user,
            workspace,
            "participants/partners.html",
            status_code=status_code,
            partners=await svc.list_partners(db, school),
            form=form,
            kind_options=[(k.value, t) for k, t in PARTNER_KIND_TITLES.items()],
            kind_titles=PARTNER_KIND_TITLES,
            today=local_today(),
        )

    @get("/partners", name="participants:partners")
    async def partners(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        return await self._partners_page(request, db, user, workspace, school, form=Form())

    @post("/partners", name="participants:partner_add")
    async def partner_add(
        self, request: AnyRequest, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template | Redirect:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        form = Form.from_mapping(await request.form(), svc.PARTNER_FIELDS)
        partner = await svc.save_partner(db, school, form)
        if partner is None:
            return await self._partners_page(request, db, user, workspace, school, form=form, status_code=422)
        user.flash("success", f"Организация-партнёр «{partner.name}» добавлена.")
        return Redirect(f"{workspace.url}partners", status_code=303)

    @get("/partners/{partner_id:str}", name="participants:partner")
    async def partner(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        partner_id: FromPath[str],
    ) -> Template:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        try:
            item = await svc.get_partner(db, school, partner_id)
        except svc.NotFoundError as exc:
            raise NotFoundException from exc
        return await page(
            request,
            db,
            user,
            workspace,
            "participants/partner_edit.html",
            partner=item,
            form=Form(data=svc.partner_form_data(item)),
            kind_options=[(k.value, t) for k, t in PARTNER_KIND_TITLES.items()],
        )

    @post("/partners/{partner_id:str}", name="participants:partner_save")
    async def partner_save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        partner_id: FromPath[str],
    ) -> Template | Redirect:
        workspace, school = await _school(db, user, school_code, Permission.SCHOOL_PARTICIPANTS_MANAGE)
        try:
            item = await svc.get_partner(db, school, partner_id)
        except svc.NotFoundError as exc:
            raise NotFoundException from exc
        form = Form.from_mapping(await request.form(), svc.PARTNER_FIELDS)
        if await svc.save_partner(db, school, form, item) is None:
            return await page(
                request,
                db,
                user,
                workspace,
                "participants/partner_edit.html",
                status_code=422,
                partner=item,
                form=form,
                kind_options=[(k.value, t) for k, t in PARTNER_KIND_TITLES.items()],
            )
        user.flash("success", "Сведения об организации-партнёре сохранены.")
        return Redirect(f"{workspace.url}partners", status_code=303)
