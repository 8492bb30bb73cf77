"""A platform admin onboards a region: municipalities, schools (form and import)."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.tenants.models import Region, School, SchoolKind
from tests.conftest import Browser, Persona, World, csrf_token

pytestmark = pytest.mark.anyio


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


async def test_only_a_platform_admin_sees_the_admin_area(
    browser_for: Browser, platform_admin: Persona, curator_a: Persona, ministry_viewer: Persona
) -> None:
    assert (await (await browser_for(platform_admin)).get("/admin/")).status_code == 200
    for persona in (curator_a, ministry_viewer):
        assert (await (await browser_for(persona)).get("/admin/")).status_code == 404


async def test_admin_creates_a_region_with_its_keycloak_groups(
    browser_for: Browser, platform_admin: Persona, db: AsyncSession, kc_admin: Any
) -> None:
    browser = await browser_for(platform_admin)
    code = unique("reg")
    token = await csrf_token(browser, "/admin/")
    reply = await browser.post(
        "/admin/regions",
        data={"_csrf_token": token, "name": "Новая область", "code": code},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/admin/regions/{code}"
    assert await db.scalar(select(func.count()).where(Region.code == code)) == 1
    admin = kc_admin
    group = await admin.a_get_group_by_path(f"/regions/{code}/cnppm_tutor")
    assert group["path"] == f"/regions/{code}/cnppm_tutor"
    page = await browser.get(f"/admin/regions/{code}")
    assert "Регион «Новая область» создан." in page.text


async def test_bad_region_input_is_explained_next_to_the_field_and_kept(
    browser_for: Browser, platform_admin: Persona, world: World
) -> None:
    browser = await browser_for(platform_admin)
    token = await csrf_token(browser, "/admin/")
    reply = await browser.post(
        "/admin/regions", data={"_csrf_token": token, "name": "Область с ошибкой", "code": "Плохой Код"}
    )
    assert reply.status_code == 422
    assert "Код может содержать только" in reply.text
    assert 'value="Область с ошибкой"' in reply.text
    duplicate = await browser.post(
        "/admin/regions", data={"_csrf_token": token, "name": "Дубль", "code": world.region.code}
    )
    assert duplicate.status_code == 422
    assert "Регион с таким кодом уже есть." in duplicate.text


async def test_admin_adds_a_municipality_and_a_school(
    browser_for: Browser, platform_admin: Persona, world: World, db: AsyncSession, kc_admin: Any
) -> None:
    browser = await browser_for(platform_admin)
    path = f"/admin/regions/{world.region.code}"
    token = await csrf_token(browser, path)
    mun_code = unique("mun")
    reply = await browser.post(
        f"{path}/municipalities",
        data={"_csrf_token": token, "name": "Новый район", "code": mun_code},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    school_code = unique("sch")
    reply = await browser.post(
        f"{path}/schools",
        data={
            "_csrf_token": token,
            "municipality": mun_code,
            "name": "МБОУ СОШ № 7",
            "full_name": "Муниципальное бюджетное общеобразовательное учреждение «СОШ № 7»",
            "code": school_code,
            "kind": "general",
            "inn": "7601000001",
            "address": "ул. Лесная, 1",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    school = (await db.execute(select(School).where(School.code == school_code))).scalar_one()
    assert school.kind is SchoolKind.GENERAL
    admin = kc_admin
    for role in ("director", "curator", "psychologist", "mentor", "mentee_teacher"):
        group = await admin.a_get_group_by_path(f"/schools/{school_code}/{role}")
        assert group["name"] == role
    page = await browser.get(path)
    assert "МБОУ СОШ № 7" in page.text


async def test_a_school_with_errors_is_not_created_and_the_form_keeps_input(
    browser_for: Browser, platform_admin: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(platform_admin)
    path = f"/admin/regions/{world.region.code}"
    token = await csrf_token(browser, path)
    reply = await browser.post(
        f"{path}/schools",
        data={
            "_csrf_token": token,
            "municipality": world.municipality_a.code,
            "name": "Школа с ошибкой",
            "code": world.school_a.code,
            "kind": "general",
            "inn": "12345",
        },
    )
    assert reply.status_code == 422
    assert "Организация с таким кодом уже есть." in reply.text
    assert "ИНН состоит из 10 цифр" in reply.text
    assert 'value="Школа с ошибкой"' in reply.text
    assert await db.scalar(select(func.count()).where(School.name == "Школа с ошибкой")) == 0


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\n".join(";".join(r) for r in rows).encode(encoding)


HEADER = ["Муниципалитет", "Код", "Краткое наименование", "Полное наименование", "Тип", "ИНН", "Адрес"]


async def test_import_applies_all_rows_of_a_good_cp1251_csv(
    browser_for: Browser, platform_admin: Persona, world: World, db: AsyncSession, keycloak: Any
) -> None:
    browser = await browser_for(platform_admin)
    path = f"/admin/regions/{world.region.code}"
    token = await csrf_token(browser, path)
    codes = [unique("imp") for _ in range(3)]
    content = csv_bytes(
        [
            HEADER,
            [world.municipality_a.code, codes[0], "МБОУ СОШ № 11", "", "школа", "", "ул. Мира, 1"],
            ["Муниципалитет Б", codes[1], "МБДОУ Детский сад № 3", "", "ДОУ", "7601000003", ""],
            [world.municipality_a.code, codes[2], "МБУ ДО ЦДТ «Радуга»", "", "ЦДТ", "", ""],
        ],
        encoding="cp1251",
    )
    reply = await browser.post(
        f"{path}/schools/import",
        data={"_csrf_token": token},
        files={"file": ("schools.csv", content, "text/csv")},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    created = (await db.execute(select(School).where(School.code.in_(codes)))).scalars().all()
    assert {s.kind for s in created} == {SchoolKind.GENERAL, SchoolKind.PRESCHOOL, SchoolKind.ADDITIONAL}
    assert "Загружено организаций: 3." in (await browser.get(path)).text


async def test_import_with_a_bad_row_applies_nothing_and_reports_every_row(
    browser_for: Browser, platform_admin: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(platform_admin)
    path = f"/admin/regions/{world.region.code}"
    token = await csrf_token(browser, path)
    good = unique("ok")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([world.municipality_a.code, good, "Хорошая школа", "", "школа", "", ""])
    sheet.append(["нет-такого", "BAD CODE", "", "", "гимназия", "12", ""])
    sheet.append([world.municipality_b.code, good, "Повтор кода", "", "школа", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    reply = await browser.post(
        f"{path}/schools/import",
        data={"_csrf_token": token},
        files={
            "file": (
                "schools.xlsx",
                buffer.getvalue(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )
    assert reply.status_code == 422
    text = reply.text
    assert "Ничего не загружено" in text
    assert "Такого муниципалитета нет в регионе." in text
    assert "Укажите краткое наименование." in text
    assert "Тип: школа, ДОД (ЦДТ), ДОУ или СПО." in text
    assert "Организация с таким кодом уже есть." in text  # the repeated code on line 4
    assert await db.scalar(select(func.count()).where(School.code == good)) == 0
    report_url = text.split('href="/admin/import-reports/')[1].split('"')[0]
    report = await browser.get(f"/admin/import-reports/{report_url}")
    assert report.status_code == 200
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Строка;Столбец;Значение;Ошибка"
    assert any(line.startswith("3;Муниципалитет;нет-такого;") for line in lines)
    assert any(line.startswith("4;Код;") for line in lines)


async def test_import_without_required_columns_says_which_are_missing(
    browser_for: Browser, platform_admin: Persona, world: World
) -> None:
    browser = await browser_for(platform_admin)
    path = f"/admin/regions/{world.region.code}"
    token = await csrf_token(browser, path)
    reply = await browser.post(
        f"{path}/schools/import",
        data={"_csrf_token": token},
        files={"file": ("s.csv", csv_bytes([["Наименование"], ["Школа"]]), "text/csv")},
    )
    assert reply.status_code == 422
    assert "В файле нет обязательных столбцов: «Муниципалитет», «Код», «Тип»." in reply.text


async def test_import_of_a_file_of_another_type_is_refused(
    browser_for: Browser, platform_admin: Persona, world: World
) -> None:
    browser = await browser_for(platform_admin)
    path = f"/admin/regions/{world.region.code}"
    token = await csrf_token(browser, path)
    reply = await browser.post(
        f"{path}/schools/import",
        data={"_csrf_token": token},
        files={"file": ("s.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert reply.status_code == 422
    assert "Поддерживаются файлы CSV и XLSX." in reply.text
    broken = await browser.post(
        f"{path}/schools/import",
        data={"_csrf_token": token},
        files={"file": ("s.xlsx", b"not a zip", "application/octet-stream")},
    )
    assert "Файл не похож на таблицу Excel" in broken.text


async def test_someone_elses_import_report_is_not_found(
    browser_for: Browser, platform_admin: Persona, world: World, db: AsyncSession
) -> None:
    from nastavnik.platform.imports import ImportReport

    report = ImportReport(
        created_by_id=uuid.uuid4(), kind="schools", scope_code="x", filename="f.csv", errors=[]
    )
    db.add(report)
    await db.flush()
    reply = await (await browser_for(platform_admin)).get(f"/admin/import-reports/{report.id}")
    assert reply.status_code == 404
