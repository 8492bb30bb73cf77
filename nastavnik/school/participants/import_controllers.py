"""Pages of an import: upload, column mapping with a preview, row errors with in-place
corrections, apply, and the progress of large files (htmx polling)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform import audit
from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.imports import errors_csv
from nastavnik.platform.settings import Settings
from nastavnik.platform.tabular import TabularError
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx, request_id_of
from nastavnik.school.participants import importing
from nastavnik.school.participants.models import (
    ImportBank,
    ImportStatus,
    ImportTarget,
    ParticipantImport,
)
from nastavnik.school.years import YEAR_COOKIE, YearChoice, school_year_choice
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School
from nastavnik.tenants.web import SchoolWorkspace

UPLOAD_BODY_LIMIT = 64 * 1024 * 1024

AnyRequest = Request[Any, Any, Any]
UPLOAD_FIELDS = ("target", "bank", "year")


async def _import_or_404(
    db: DB, school: School, import_id: str, *, with_content: bool = True
) -> ParticipantImport:
    imp = await importing.get_import(db, school, import_id, with_content=with_content)
    if imp is None:
        raise NotFoundException
    return imp


async def _year_choice(db: DB, school: School, request: AnyRequest, asked: str | None = None) -> YearChoice:
    """The picker's years; the file goes to the chosen year unless the form names another."""
    query = request.query_params.get("year")
    return await school_year_choice(
        db,
        school,
        asked=asked or (query if isinstance(query, str) else None),
        remembered=request.cookies.get(YEAR_COOKIE),
    )


class ParticipantImportController(SchoolController):
    path = "/s/{school_code:str}/participants"
    guards = [*SchoolController.guards, requires(Permission.SCHOOL_PARTICIPANTS_MANAGE)]  # noqa: RUF012

    async def _upload_page(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        workspace: SchoolWorkspace,
        school: School,
        *,
        form: Form,
        status_code: int = 200,
    ) -> Template:
        return await page(
            "participants/import_upload.html",
            status_code=status_code,
            form=form,
            imports=await importing.recent_imports(db, school),
            target_options=list(importing.IMPORT_TARGET_TITLES.items()),
            bank_options=list(importing.IMPORT_BANK_TITLES.items()),
            year_options=(await _year_choice(db, school, request, form.value("year"))).options,
            upload_mb=request.app.state.settings.upload_max_bytes // (1024 * 1024),
            template_columns=importing.TEMPLATE_COLUMNS,
            max_rows=importing.MAX_ROWS,
            status_titles=importing.IMPORT_STATUS_TITLES,
            target_titles=importing.IMPORT_TARGET_TITLES,
        )

    @get("/import", name="participants:import")
    async def upload_form(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
    ) -> Template:
        target = str(request.query_params.get("target", ImportTarget.PUPILS.value))
        bank = str(request.query_params.get("bank", ImportBank.MENTEES.value))
        chosen = await _year_choice(db, school, request)
        form = Form(data={"target": target, "bank": bank, "year": chosen.title})
        return await self._upload_page(request, db, user, page, workspace, school, form=form)

    @get("/import/template.xlsx", name="participants:import_template")
    async def template(self, db: DB, workspace: SchoolScope) -> Response[bytes]:
        del workspace  # resolved for the guard and the scope: the school's own reference lists
        return Response(
            await d.off_loop(d.render_xlsx, await importing.template_sheets(db)),
            media_type=d.XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": d.content_disposition("Шаблон загрузки участников.xlsx")},
        )

    # The body may be larger than the file limit, so that a too-big file gets «Файл больше N МБ»
    # beside the field, not a bare 413 («Страница устарела» once the CSRF field is lost).
    @post("/import", name="participants:import_upload", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(
        self,
        request: AnyRequest,
        state: State,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
    ) -> Template | Redirect:
        data = await request.form()
        form = Form.from_mapping(data, UPLOAD_FIELDS)
        target = next((t for t in ImportTarget if t.value == form.value("target")), None)
        if target is None:
            form.error("target", "Выберите, кого вы загружаете: обучающихся или сотрудников.")
        bank = next((b for b in ImportBank if b.value == form.value("bank")), None)
        if bank is None:
            form.error("bank", "Выберите, куда внести людей из файла.")
        year = AcademicYear.parse(form.value("year"))
        if year is None:
            form.error("year", "Учебный год в виде 2025-2026.")
        upload = data.get("file")
        settings: Settings = state.settings
        content = b""
        if not isinstance(upload, UploadFile) or not upload.filename:
            form.error("file", "Выберите файл CSV или XLSX, выгруженный из школьной системы.")
        else:
            content = await upload.read()
            if len(content) > settings.upload_max_bytes:
                form.error(
                    "file", f"Файл больше {settings.upload_max_bytes // (1024 * 1024)} МБ: разделите его."
                )
        if (
            not form.ok
            or target is None
            or bank is None
            or year is None
            or not isinstance(upload, UploadFile)
        ):
            return await self._upload_page(
                request, db, user, page, workspace, school, form=form, status_code=422
            )
        try:
            imp = await importing.create_import(
                db,
                school,
                filename=upload.filename,
                data=content,
                target=target,
                bank=bank,
                year=year.start,
                created_by=user.user.id,
            )
        except TabularError as exc:
            form.error("file", str(exc))
            return await self._upload_page(
                request, db, user, page, workspace, school, form=form, status_code=422
            )
        return Redirect(f"{workspace.url}participants/imports/{imp.id}", status_code=303)

    async def _import_page(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        workspace: SchoolWorkspace,
        imp: ParticipantImport,
        *,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        context: dict[str, Any] = {
            "imp": imp,
            "form": form
            or Form(data={"bank": imp.bank.value, "year": AcademicYear(imp.academic_year).title}),
            "status_titles": importing.IMPORT_STATUS_TITLES,
            "target_titles": importing.IMPORT_TARGET_TITLES,
            "bank_titles": importing.IMPORT_BANK_TITLES,
            "field_titles": importing.FIELD_TITLES,
            "edit_titles": importing.EDIT_TITLES,
            "year_title": AcademicYear(imp.academic_year).title,
            "percent": round(100 * imp.processed_rows / imp.total_rows) if imp.total_rows else 0,
        }
        if imp.status is ImportStatus.UPLOADED:
            parsed = importing.parsed_file(imp)
            context.update(
                field_options=[("", "— не загружать —")]
                + [(f, importing.FIELD_TITLES[f]) for f in importing.fields_of(imp)],
                preview=importing.preview(imp, parsed),
                samples=importing.column_samples(parsed),
                columns=list(enumerate(imp.headers)),
                bank_options=list(importing.IMPORT_BANK_TITLES.items()),
                year_options=(
                    await _year_choice(db, workspace.school, request, AcademicYear(imp.academic_year).title)
                ).options,
            )
        elif imp.status is ImportStatus.VALIDATED and imp.errors:
            context.update(
                errors=importing.row_errors(imp)[:200],
                editable=await importing.editable_rows(imp),
            )
        template = "participants/import.html"
        if is_htmx(request) and imp.status in (ImportStatus.VALIDATING, ImportStatus.APPLYING):
            template = "participants/_import_progress.html"
        return await page(template, status_code=status_code, **context)

    @get("/imports/{import_id:str}", name="participants:import_show")
    async def show(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        import_id: FromPath[str],
    ) -> Template | Response[str]:
        imp = await _import_or_404(db, school, import_id)
        if is_htmx(request) and imp.status not in (ImportStatus.VALIDATING, ImportStatus.APPLYING):
            # The background job has finished: reload the whole page to show the result.
            return Response("", headers={"HX-Redirect": f"{workspace.url}participants/imports/{imp.id}"})
        return await self._import_page(request, db, user, page, workspace, imp)

    @post("/imports/{import_id:str}/mapping", name="participants:import_mapping")
    async def mapping(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        import_id: FromPath[str],
    ) -> Template | Redirect:
        imp = await _import_or_404(db, school, import_id)
        if imp.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.FAILED):
            return Redirect(f"{workspace.url}participants/imports/{imp.id}", status_code=303)
        data = await request.form()
        form = Form.from_mapping(data, ("bank", "year"))
        values = {str(k): str(v) for k, v in data.items() if str(k).startswith("col_")}
        if not importing.set_mapping(
            imp, values, bank=form.value("bank"), year=form.value("year"), form=form
        ):
            imp.status = ImportStatus.UPLOADED
            return await self._import_page(
                request, db, user, page, workspace, imp, form=form, status_code=422
            )
        queued = await importing.start(db, school, imp, "validate")
        if not queued and not imp.errors:
            user.flash("success", "Все строки файла проверены: ошибок нет. Можно загружать.")
        return Redirect(f"{workspace.url}participants/imports/{imp.id}", status_code=303)

    @post("/imports/{import_id:str}/remap", name="participants:import_remap")
    async def remap(
        self, db: DB, workspace: SchoolScope, school: CurrentSchool, import_id: FromPath[str]
    ) -> Redirect:
        imp = await _import_or_404(db, school, import_id, with_content=False)
        if imp.status in (ImportStatus.VALIDATED, ImportStatus.FAILED):
            imp.status = ImportStatus.UPLOADED
        return Redirect(f"{workspace.url}participants/imports/{imp.id}", status_code=303)

    @post("/imports/{import_id:str}/corrections", name="participants:import_corrections")
    async def corrections(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        import_id: FromPath[str],
    ) -> Redirect:
        imp = await _import_or_404(db, school, import_id)
        if imp.status is not ImportStatus.VALIDATED:
            return Redirect(f"{workspace.url}participants/imports/{imp.id}", status_code=303)
        data = await request.form()
        changed = importing.save_corrections(imp, {str(k): str(v) for k, v in data.items()})
        queued = await importing.start(db, school, imp, "validate")
        if not queued:
            if imp.errors:
                user.flash(
                    "warning", f"Исправлено значений: {changed}. В файле остались ошибки: {len(imp.errors)}."
                )
            else:
                user.flash(
                    "success", f"Исправлено значений: {changed}. Все ошибки исправлены. Можно загружать."
                )
        return Redirect(f"{workspace.url}participants/imports/{imp.id}", status_code=303)

    @post("/imports/{import_id:str}/apply", name="participants:import_apply")
    async def apply(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        import_id: FromPath[str],
    ) -> Redirect:
        imp = await _import_or_404(db, school, import_id)
        if imp.status is not ImportStatus.VALIDATED or imp.errors:
            user.flash("error", "Файл не загружен: сначала исправьте ошибки в строках.")
            return Redirect(f"{workspace.url}participants/imports/{imp.id}", status_code=303)
        queued = await importing.start(db, school, imp, "apply")
        await audit.record(
            db,
            action="participants.imported",
            actor_id=user.user.id,
            school_id=school.id,
            object_type="participant_import",
            object_id=str(imp.id),
            request_id=request_id_of(request),
            details={"rows": imp.total_rows, "queued": queued, "summary": imp.summary if not queued else {}},
        )
        if not queued:
            if imp.applied_at is not None:
                summary = imp.summary
                user.flash(
                    "success",
                    f"Загружено: новых — {summary.get('create', 0)}, обновлено — {summary.get('update', 0)}, "
                    f"без изменений — {summary.get('same', 0)}.",
                )
            else:
                user.flash(
                    "error", "Файл не загружен: за это время в базе что-то изменилось, проверьте ошибки."
                )
        return Redirect(f"{workspace.url}participants/imports/{imp.id}", status_code=303)

    @post("/imports/{import_id:str}/delete", name="participants:import_delete")
    async def delete(
        self,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        import_id: FromPath[str],
    ) -> Redirect:
        imp = await _import_or_404(db, school, import_id, with_content=False)
        if imp.status in (ImportStatus.VALIDATING, ImportStatus.APPLYING):
            user.flash("warning", "Файл ещё обрабатывается: дождитесь окончания.")
            return Redirect(f"{workspace.url}participants/imports/{imp.id}", status_code=303)
        await db.delete(imp)
        user.flash("success", "Загрузка отменена, файл удалён.")
        return Redirect(f"{workspace.url}participants/import", status_code=303)

    @get("/imports/{import_id:str}/errors.csv", name="participants:import_errors")
    async def errors(self, db: DB, school: CurrentSchool, import_id: FromPath[str]) -> Response[bytes]:
        imp = await _import_or_404(db, school, import_id, with_content=False)
        return Response(
            errors_csv(importing.row_errors(imp)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="import-errors.csv"'},
        )
