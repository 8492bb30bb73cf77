"""Consents: recording, withdrawing and viewing a person's signed consent, the school's
overview of who has none, and the forms to print for signing."""

from __future__ import annotations

from litestar import Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template

from nastavnik.platform import audit
from nastavnik.platform import documents as d
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.settings import Settings
from nastavnik.platform.web import DB, CurrentUser, request_id_of
from nastavnik.school.participants import consents as consent_service
from nastavnik.school.participants import search
from nastavnik.school.participants import services as svc
from nastavnik.school.participants.consent_forms import consent_document, consent_filename
from nastavnik.school.participants.controllers._common import (
    AnyRequest,
    PersonDep,
    audit_person,
    card_again,
    kind_options,
    provide_person,
    year_of,
)
from nastavnik.school.participants.models import Consent, Participant
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires

CONSENT_PATH = "/participants/{participant_id:str}/consents/{consent_id:str}"


async def provide_consent(
    db: DB, school: CurrentSchool, person: PersonDep, consent_id: FromPath[str]
) -> Consent:
    try:
        return await consent_service.get_consent(db, school, person, consent_id)
    except svc.NotFoundError as exc:
        raise NotFoundException from exc


ConsentDep = NamedDependency[SkipValidation[Consent]]


class ConsentsController(SchoolController):
    path = "/s/{school_code:str}"
    dependencies = {  # noqa: RUF012
        **SchoolController.dependencies,
        "person": Provide(provide_person),
        "consent": Provide(provide_consent),
    }
    guards = [*SchoolController.guards, requires(Permission.SCHOOL_PARTICIPANTS_MANAGE)]  # noqa: RUF012

    @post("/participants/{participant_id:str}/consents", name="participants:consent_add")
    async def consent_add(
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
            return await card_again(db, page, workspace, school, person, consent_form=form)
        await audit_person(
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

    @post(CONSENT_PATH + "/withdraw", name="participants:consent_withdraw")
    async def consent_withdraw(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        person: PersonDep,
        consent: ConsentDep,
    ) -> Redirect:
        note = str((await request.form()).get("note", ""))
        if await consent_service.withdraw_consent(db, consent, note):
            await audit_person(
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

    @get(CONSENT_PATH + "/scan", name="participants:consent_scan")
    async def consent_scan(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        person: PersonDep,
        consent: ConsentDep,
    ) -> Response[bytes]:
        content = await consent_service.consent_scan(db, school, consent)
        if content is None:
            raise NotFoundException
        await audit_person(
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

    # --- the overview and the forms to sign -------------------------------------------------

    @get("/consents", name="participants:consents")
    async def consents(self, request: AnyRequest, db: DB, school: CurrentSchool, page: Page) -> Template:
        filters = search.BankFilters.from_query(request.query_params, year_of(request))
        if not filters.consent:
            filters.consent = "missing"
        result = await search.search_people(db, school, filters, show_unconsented=True)
        return await page(
            "participants/consents.html",
            filters=filters,
            result=result,
            classes=await search.school_classes(db, school),
            kind_options=kind_options(),
        )

    @post("/consents/forms", name="participants:consent_forms")
    async def consent_forms(
        self, request: AnyRequest, db: DB, user: CurrentUser, workspace: SchoolScope, school: CurrentSchool
    ) -> Response[bytes] | Redirect:
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
            await d.off_loop(d.render_docx if as_docx else d.render_pdf, document),
            media_type=d.DOCX_MEDIA_TYPE if as_docx else d.PDF_MEDIA_TYPE,
            status_code=200,
            headers={
                "Content-Disposition": d.content_disposition(consent_filename("docx" if as_docx else "pdf"))
            },
        )
