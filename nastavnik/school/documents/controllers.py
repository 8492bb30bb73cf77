"""The programme's documents: the list, PDF and DOCX downloads, registration, the regulation text."""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform import audit
from nastavnik.platform import documents as d
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.documents.text import format_date
from nastavnik.platform.web import DB, CurrentUser, Form, request_id_of
from nastavnik.school.documents import services as svc
from nastavnik.school.documents.models import DOCUMENT_KIND_TITLES, DocumentKind
from nastavnik.school.documents.regulation_default import PLACEHOLDERS
from nastavnik.school.matching import services as matching
from nastavnik.school.programme.models import Programme
from nastavnik.school.programme.services import default_programme, parse_year, programme_for_year
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School
from nastavnik.tenants.web import SchoolWorkspace

AnyRequest = Request[Any, Any, Any]
log = structlog.get_logger("nastavnik.documents")
FORMATS = {"pdf": d.PDF_MEDIA_TYPE, "docx": d.DOCX_MEDIA_TYPE}
DOCUMENT_HINTS = {
    DocumentKind.ORDER: "Назначает куратора, утверждает Положение, дорожную карту и программу.",
    DocumentKind.REGULATION: "Из текста Положения школы (его можно изменить).",
    DocumentKind.ROADMAP: "Все этапы и мероприятия со сроками и ответственными.",
    DocumentKind.REPORT: "Цели, формы, этапы, таблица исполнения и показатели.",
}


class SchoolDocumentsController(SchoolController):
    path = "/s/{school_code:str}/documents"

    @get("/", name="documents:current", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def current(
        self, db: DB, user: CurrentUser, workspace: SchoolScope, school: CurrentSchool
    ) -> Redirect:
        programme = await default_programme(db, school)
        if programme is None:
            user.flash("info", "Документы появятся, когда куратор начнёт программу учебного года.")
            return Redirect(f"{workspace.url}programme", status_code=303)
        return Redirect(f"{workspace.url}documents/{programme.year.title}", status_code=303)

    # ---- the school's regulation text --------------------------------------------

    async def _regulation_page(
        self,
        db: DB,
        page: Page,
        school: School,
        form: Form,
        *,
        status_code: int = 200,
    ) -> Template:
        own = await svc.regulation_of(db, school)
        return await page(
            "documents/regulation.html",
            status_code=status_code,
            form=form,
            is_default=own is None,
            placeholders=PLACEHOLDERS,
            programme=await default_programme(db, school),
        )

    @get("/regulation", name="documents:regulation", guards=[requires(Permission.SCHOOL_DOCUMENTS_MANAGE)])
    async def regulation(self, db: DB, school: CurrentSchool, page: Page) -> Template:
        text = await svc.regulation_text(db, school)
        return await self._regulation_page(db, page, school, Form(data={"text": text}))

    @post(
        "/regulation", name="documents:regulation_save", guards=[requires(Permission.SCHOOL_DOCUMENTS_MANAGE)]
    )
    async def regulation_save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
    ) -> Template | Redirect:
        data = await request.form()
        # The text is kept exactly as typed (no strip of inner lines).
        form = Form(data={"text": str(data.get("text", "")).strip()})
        if not await svc.save_regulation(db, school, user.user, form):
            return await self._regulation_page(db, page, school, form, status_code=422)
        user.flash("success", "Текст Положения о наставничестве сохранён.")
        return Redirect(f"{workspace.url}documents/regulation", status_code=303)

    @post(
        "/regulation/reset",
        name="documents:regulation_reset",
        guards=[requires(Permission.SCHOOL_DOCUMENTS_MANAGE)],
    )
    async def regulation_reset(
        self, db: DB, user: CurrentUser, workspace: SchoolScope, school: CurrentSchool
    ) -> Redirect:
        await svc.reset_regulation(db, school)
        user.flash("success", "Восстановлен текст Положения по умолчанию.")
        return Redirect(f"{workspace.url}documents/regulation", status_code=303)

    # ---- documents of a year --------------------------------------------------------

    async def _programme(self, db: DB, school: School, year_text: str) -> Programme:
        year = parse_year(year_text)
        programme = await programme_for_year(db, school, year) if year else None
        if programme is None:
            raise NotFoundException
        return programme

    async def _index(
        self,
        db: DB,
        page: Page,
        workspace: SchoolWorkspace,
        programme: Programme,
        *,
        forms: dict[DocumentKind, Form] | None = None,
        status_code: int = 200,
    ) -> Template:
        registered = await svc.registrations(db, workspace.school, programme)
        forms = forms or {}
        for kind in DocumentKind:
            if kind not in forms:
                found = registered.get(kind)
                forms[kind] = Form(
                    data={
                        "number": found.number if found else "",
                        "registered_on": format_date(found.registered_on) if found else "",
                    }
                )
        return await page(
            "documents/index.html",
            status_code=status_code,
            programme=programme,
            kinds=list(DocumentKind),
            titles=DOCUMENT_KIND_TITLES,
            hints=DOCUMENT_HINTS,
            registered=registered,
            registration_forms=forms,
            format_date=format_date,
            can_manage=workspace.can(Permission.SCHOOL_DOCUMENTS_MANAGE),
            base=f"{workspace.url}documents/{programme.year.title}",
            orders=await matching.approved_rounds(db, workspace.school, programme.year.start),
        )

    @get("/{year:str}", name="documents:index", guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)])
    async def index(
        self, db: DB, workspace: SchoolScope, school: CurrentSchool, page: Page, year: FromPath[str]
    ) -> Template:
        programme = await self._programme(db, school, year)
        return await self._index(db, page, workspace, programme)

    @get(
        "/{year:str}/{filename:str}",
        name="documents:file",
        guards=[requires(Permission.SCHOOL_PROGRAMME_VIEW)],
    )
    async def file(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        year: FromPath[str],
        filename: FromPath[str],
    ) -> Response[bytes] | Redirect:
        """`roadmap.pdf`, `report.docx`, `order.pdf`, `regulation.docx`…"""
        programme = await self._programme(db, school, year)
        name, _, extension = filename.partition(".")
        kind = svc.parse_kind(name)
        if kind is None or extension not in FORMATS:
            raise NotFoundException
        data = await svc.document_data(db, school, programme)
        document = svc.build(kind, data)
        try:
            content = await d.off_loop(d.render_pdf if extension == "pdf" else d.render_docx, document)
        except d.FontsMissingError as exc:
            # A deployment without the vendor fonts: say so instead of a bare error page.
            log.exception("document_fonts_missing", error=str(exc))
            user.flash(
                "error", "Документ не сформирован: на сервере не установлены шрифты. Сообщите администратору."
            )
            return Redirect(f"{workspace.url}documents/{programme.year.title}", status_code=303)
        await audit.record(
            db,
            action="school.document_generated",
            actor_id=user.user.id,
            school_id=school.id,
            object_type=f"document:{kind.value}",
            object_id=str(programme.id),
            request_id=request_id_of(request),
            details={"format": extension},
        )
        return Response(
            content,
            media_type=FORMATS[extension],
            headers={
                "Content-Disposition": d.content_disposition(
                    svc.file_name(kind, data, extension), inline=extension == "pdf"
                ),
                "Cache-Control": "private, no-store",
            },
        )

    @post(
        "/{year:str}/{kind:str}/register",
        name="documents:register",
        guards=[requires(Permission.SCHOOL_DOCUMENTS_MANAGE)],
    )
    async def register(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        year: FromPath[str],
        kind: FromPath[str],
    ) -> Template | Redirect:
        programme = await self._programme(db, school, year)
        document_kind = svc.parse_kind(kind)
        if document_kind is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), svc.REGISTRATION_FIELDS)
        registration = await svc.register(db, school, programme, document_kind, actor=user.user, form=form)
        if registration is None:
            return await self._index(
                db, page, workspace, programme, forms={document_kind: form}, status_code=422
            )
        await audit.record(
            db,
            action="school.document_registered",
            actor_id=user.user.id,
            school_id=school.id,
            object_type=f"document:{document_kind.value}",
            object_id=str(registration.id),
            request_id=request_id_of(request),
            details={"number": registration.number, "date": registration.registered_on.isoformat()},
        )
        user.flash(
            "success",
            f"{DOCUMENT_KIND_TITLES[document_kind]}: зарегистрирован(о) под № {registration.number} "
            f"от {format_date(registration.registered_on)}.",
        )
        return Redirect(
            f"{workspace.url}documents/{programme.year.title}#doc-{document_kind.value}", status_code=303
        )
