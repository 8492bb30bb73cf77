"""Consents in bulk: the paper forms come back as a stack, the curator ticks them off a grid.

The grid is one page of a bank (filtered by class, «без согласия» by default). Each ticked
row becomes a consent through `record_consent`, so the rules for minors apply row by row
with their own messages; the save is all or nothing (a savepoint), and the page reports
every ticked row: recorded, or what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.web import Form
from nastavnik.school.participants.consents import SCAN_TYPES, UploadedFile, record_consent, sniff_scan_type
from nastavnik.school.participants.models import (
    Consent,
    ConsentBatchScan,
    ConsentScope,
    ConsentSigner,
    Participant,
    local_today,
)
from nastavnik.school.participants.search import BankFilters, BankPage, search_bank
from nastavnik.tenants.models import School

# A stack is a class or two; more rows than this in one save is a page that was tampered with.
MAX_ROWS = 200
# The grid shows this many people a page: a class or two, ticked off in one save.
GRID_PAGE_SIZE = 100
COMMON_FIELDS = ("signed_on",)


@dataclass
class GridRow:
    """A row of the grid: the person, whether they already have a valid consent, what was typed."""

    person: Participant
    consented: bool
    form: Form
    picked: bool = False
    recorded: bool = False

    @property
    def message(self) -> str:
        return " ".join(dict.fromkeys(self.form.errors.values()))


@dataclass
class BulkResult:
    rows: list[GridRow] = field(default_factory=list)
    saved: int = 0
    common: Form = field(default_factory=Form)

    @property
    def failed(self) -> list[GridRow]:
        return [r for r in self.rows if r.picked and r.form.errors]


def default_row_form(person: Participant, today: dt.date) -> Form:
    """A minor's form is signed by a parent (named by the school's list when the import had the
    column); an adult signs their own, their name filled in."""
    if person.is_minor(today):
        return Form(data={"signer": ConsentSigner.PARENT.value, "signer_name": person.parent_name})
    return Form(data={"signer": ConsentSigner.SELF.value, "signer_name": person.full_name})


async def grid_page(
    db: AsyncSession, school: School, bank: str, filters: BankFilters
) -> tuple[BankPage, list[GridRow]]:
    page = await search_bank(db, school, bank, filters, show_unconsented=True, page_size=GRID_PAGE_SIZE)
    today = local_today()
    rows = [GridRow(r.participant, r.consented, default_row_form(r.participant, today)) for r in page.rows]
    return page, rows


def _row_form(data: Mapping[str, Any], key: str, common: Form, scopes: list[str]) -> Form:
    def value(name: str) -> str:
        raw = data.get(f"{name}_{key}", "")
        return raw.strip() if isinstance(raw, str) else ""

    return Form(
        data={
            "signer": value("signer"),
            "signer_name": value("signer_name"),
            "signed_on": value("signed_on") or common.value("signed_on"),
            "valid_until": "",
            "scopes": scopes,
        }
    )


def _scan_type(common: Form, scan: UploadedFile | None, max_bytes: int) -> str:
    """The scan's type, or "" with a message beside the field when it cannot be kept."""
    if scan is None or not scan.data:
        return ""
    scan_type = sniff_scan_type(scan.data) or ""
    if len(scan.data) > max_bytes:
        common.error("scan", f"Файл больше {max_bytes // (1024 * 1024)} МБ: уменьшите разрешение скана.")
    elif not scan_type:
        common.error("scan", "Скан — файл PDF, JPG или PNG.")
    return scan_type


async def _attach_scan(
    db: AsyncSession,
    school: School,
    scan: UploadedFile,
    scan_type: str,
    consents: list[Consent],
    recorded_by: uuid.UUID,
) -> None:
    batch = ConsentBatchScan(
        school_id=school.id,
        filename=scan.filename[:255] or "скан" + SCAN_TYPES[scan_type],
        content_type=scan_type,
        size=len(scan.data),
        content=scan.data,
        recorded_by_id=recorded_by,
    )
    db.add(batch)
    await db.flush()
    for consent in consents:
        consent.batch_scan_id = batch.id
        consent.scan_filename = batch.filename
        consent.scan_content_type = batch.content_type
        consent.scan_size = batch.size
    await db.flush()


async def save_grid(
    db: AsyncSession,
    school: School,
    data: Mapping[str, Any],
    *,
    picked: list[str],
    scopes: list[str],
    recorded_by: uuid.UUID,
    scan: UploadedFile | None = None,
    max_bytes: int = 0,
) -> BulkResult:
    """Record a consent for every picked row, or none of them when any row is wrong; the
    scanned stack, if any, is kept once and named by every consent of the save."""
    common = Form.from_mapping(data, COMMON_FIELDS)
    common.data["scopes"] = scopes
    result = BulkResult(common=common)
    scan_type = _scan_type(common, scan, max_bytes)
    keys: list[uuid.UUID] = []
    for value in dict.fromkeys(picked):
        try:
            keys.append(uuid.UUID(value))
        except ValueError:
            continue
    if not keys:
        common.error("__all__", "Отметьте строки, по которым согласия получены.")
        return result
    if len(keys) > MAX_ROWS:
        common.error("__all__", f"За один раз — не больше {MAX_ROWS} строк: сохраните класс за классом.")
        return result
    people = {
        p.id: p
        for p in (
            await db.execute(
                select(Participant).where(
                    Participant.school_id == school.id,
                    Participant.id.in_(keys),
                    Participant.anonymised_at.is_(None),
                )
            )
        ).scalars()
    }
    savepoint = await db.begin_nested()
    consents = []
    for key in keys:
        person = people.get(key)
        if person is None:
            continue  # another school's id or a removed person: nothing to record, nothing to show
        form = _row_form(data, str(key), common, scopes)
        row = GridRow(person, consented=False, form=form, picked=True)
        signer_name = form.value("signer_name")
        if len(signer_name) > 300:
            form.error("signer_name", f"ФИО — не длиннее 300 символов; сейчас {len(signer_name)}.")
        elif consent := await record_consent(
            db, school, person, form, scan=None, recorded_by=recorded_by, max_bytes=0
        ):
            row.recorded = True
            consents.append(consent)
        result.rows.append(row)
    if any(r.form.errors for r in result.rows) or not common.ok:
        await savepoint.rollback()
        for row in result.rows:
            row.recorded = False
        common.error(
            "__all__",
            f"Ничего не сохранено: ошибки в строках — {len(result.failed)} из {len(result.rows)}. "
            "Исправьте их и сохраните снова."
            if result.failed
            else "Ничего не сохранено: выберите другой файл скана или сохраните без него.",
        )
        return result
    if scan is not None and scan_type and consents:
        await _attach_scan(db, school, scan, scan_type, consents, recorded_by)
    await savepoint.commit()
    result.saved = sum(1 for r in result.rows if r.recorded)
    return result


SCOPE_DEFAULT = [ConsentScope.PROGRAMME.value]
