"""The platform admin's area: regions, municipalities and schools (onboarding)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from nastavnik.platform import audit
from nastavnik.platform.imports import ImportReport, errors_csv, errors_to_json
from nastavnik.platform.tabular import TabularError, read_table
from nastavnik.platform.web import DB, CurrentUser, Form, request_id_of
from nastavnik.tenants.dependencies import AdminAreaController, Page
from nastavnik.tenants.models import SCHOOL_KIND_TITLES, SchoolKind
from nastavnik.tenants.provisioning import KeycloakProvisioner, ProvisioningError
from nastavnik.tenants.services import (
    CODE_HINT,
    IMPORT_COLUMN_TITLES,
    SCHOOL_FIELDS,
    create_municipality,
    create_region,
    create_school,
    import_schools,
    list_regions,
    region_by_code,
)

KIND_OPTIONS = [(k.value, SCHOOL_KIND_TITLES[k]) for k in SchoolKind]
MAX_IMPORT_BYTES = 5 * 1024 * 1024


class AdminController(AdminAreaController):
    path = "/admin"

    @get("/", name="admin:regions")
    async def regions(self, db: DB, page: Page) -> Template:
        return await page(
            "admin/regions.html",
            regions=await list_regions(db),
            form=Form(),
            code_hint=CODE_HINT,
        )

    @post("/regions", name="admin:region_create")
    async def region_create(
        self, request: Request[Any, Any, Any], state: State, db: DB, user: CurrentUser, page: Page
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), ("code", "name"))
        provisioner: KeycloakProvisioner = state.provisioner
        try:
            region = await create_region(db, provisioner, form)
        except ProvisioningError as exc:
            form.error("__all__", str(exc))
            region = None
        if region is None:
            return await page(
                "admin/regions.html",
                status_code=422,
                regions=await list_regions(db),
                form=form,
                code_hint=CODE_HINT,
            )
        await audit.record(
            db,
            action="tenants.region_created",
            actor_id=user.user.id,
            object_type="region",
            object_id=region.code,
            request_id=request_id_of(request),
        )
        user.flash("success", f"Регион «{region.name}» создан.")
        return Redirect(f"/admin/regions/{region.code}", status_code=303)

    async def _region_page(
        self,
        db: DB,
        page: Page,
        code: str,
        *,
        status_code: int = 200,
        **context: Any,
    ) -> Template:
        region = await region_by_code(db, code)
        if region is None:
            raise NotFoundException
        defaults: dict[str, Any] = {
            "municipality_form": Form(),
            "school_form": Form(data={"kind": SchoolKind.GENERAL.value}),
            "kind_options": KIND_OPTIONS,
            "code_hint": CODE_HINT,
            "import_columns": list(IMPORT_COLUMN_TITLES.values()),
            "municipality_options": [(m.code, m.name) for m in region.municipalities],
        }
        return await page(
            "admin/region.html",
            status_code=status_code,
            region=region,
            **{**defaults, **context},
        )

    @get("/regions/{code:str}", name="admin:region")
    async def region(self, db: DB, page: Page, code: FromPath[str]) -> Template:
        return await self._region_page(db, page, code)

    @post("/regions/{code:str}/municipalities", name="admin:municipality_create")
    async def municipality_create(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db: DB,
        user: CurrentUser,
        page: Page,
        code: FromPath[str],
    ) -> Template | Redirect:
        region = await region_by_code(db, code)
        if region is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), ("code", "name"))
        try:
            municipality = await create_municipality(db, state.provisioner, region, form)
        except ProvisioningError as exc:
            form.error("__all__", str(exc))
            municipality = None
        if municipality is None:
            return await self._region_page(db, page, code, status_code=422, municipality_form=form)
        await audit.record(
            db,
            action="tenants.municipality_created",
            actor_id=user.user.id,
            object_type="municipality",
            object_id=municipality.code,
            request_id=request_id_of(request),
        )
        user.flash("success", f"Муниципалитет «{municipality.name}» добавлен.")
        return Redirect(f"/admin/regions/{code}", status_code=303)

    @post("/regions/{code:str}/schools", name="admin:school_create")
    async def school_create(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db: DB,
        user: CurrentUser,
        page: Page,
        code: FromPath[str],
    ) -> Template | Redirect:
        region = await region_by_code(db, code)
        if region is None:
            raise NotFoundException
        form = Form.from_mapping(await request.form(), SCHOOL_FIELDS)
        try:
            school = await create_school(db, state.provisioner, region, form)
        except ProvisioningError as exc:
            form.error("__all__", str(exc))
            school = None
        if school is None:
            return await self._region_page(db, page, code, status_code=422, school_form=form)
        await audit.record(
            db,
            action="tenants.school_created",
            actor_id=user.user.id,
            object_type="school",
            object_id=school.code,
            request_id=request_id_of(request),
        )
        user.flash("success", f"Организация «{school.name}» подключена, группы единого входа созданы.")
        return Redirect(f"/admin/regions/{code}#schools", status_code=303)

    @post("/regions/{code:str}/schools/import", name="admin:school_import")
    async def school_import(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db: DB,
        user: CurrentUser,
        page: Page,
        code: FromPath[str],
    ) -> Template | Redirect:
        region = await region_by_code(db, code)
        if region is None:
            raise NotFoundException
        form_data = await request.form()
        upload = form_data.get("file")
        import_form = Form()
        result = None
        if not isinstance(upload, UploadFile) or not upload.filename:
            import_form.error("file", "Выберите файл CSV или XLSX со списком организаций.")
        else:
            content = await upload.read()
            if len(content) > MAX_IMPORT_BYTES:
                import_form.error("file", "Файл больше 5 МБ. Разделите список на части.")
            else:
                try:
                    table = read_table(upload.filename, content)
                    result = await import_schools(db, state.provisioner, region, table)
                except (TabularError, ProvisioningError) as exc:
                    import_form.error("file", str(exc))
        if result is None or not isinstance(upload, UploadFile):
            return await self._region_page(db, page, code, status_code=422, import_form=import_form)
        if result.errors:
            report = ImportReport(
                created_by_id=user.user.id,
                kind="schools",
                scope_code=region.code,
                filename=upload.filename,
                errors=errors_to_json(result.errors),
            )
            db.add(report)
            await db.flush()
            import_form.error("file", "Файл не загружен: исправьте ошибки в строках и загрузите его снова.")
            return await self._region_page(
                db,
                page,
                code,
                status_code=422,
                import_form=import_form,
                import_errors=result.errors,
                import_report=report,
                import_rows=result.rows,
            )
        await audit.record(
            db,
            action="tenants.schools_imported",
            actor_id=user.user.id,
            object_type="region",
            object_id=region.code,
            request_id=request_id_of(request),
            details={"count": len(result.created), "file": upload.filename},
        )
        user.flash("success", f"Загружено организаций: {len(result.created)}. Группы единого входа созданы.")
        return Redirect(f"/admin/regions/{code}#schools", status_code=303)

    @get("/import-reports/{report_id:uuid}", name="admin:import_report")
    async def import_report(
        self, db: DB, user: CurrentUser, report_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        report = await db.get(ImportReport, report_id)
        if report is None or report.created_by_id != user.user.id:
            raise NotFoundException
        return Response(
            errors_csv(report.row_errors()),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="import-errors.csv"'},
        )
