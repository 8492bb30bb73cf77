"""Recording and withdrawing consents to personal-data processing (152-ФЗ)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import utcnow
from nastavnik.platform.web import Form
from nastavnik.school.directory import services as directory
from nastavnik.school.participants.consent_rules import consent_is_valid
from nastavnik.school.participants.models import (
    Consent,
    ConsentBatchScan,
    ConsentScan,
    ConsentScope,
    ConsentSigner,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.school.participants.parsing import (
    parse_date,
)
from nastavnik.school.participants.services import NotFoundError, form_list_value
from nastavnik.tenants.models import School

# --- consents -------------------------------------------------------------------------

CONSENT_FIELDS = ("signer", "signer_name", "signed_on", "valid_until", "scopes")
SCAN_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


def sniff_scan_type(data: bytes) -> str | None:
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


async def record_consent(  # noqa: PLR0912, PLR0915 - one check per field, in order
    db: AsyncSession,
    school: School,
    person: Participant,
    form: Form,
    *,
    scan: UploadedFile | None,
    recorded_by: uuid.UUID | None,
    max_bytes: int,
) -> Consent | None:
    today = local_today()
    if person.is_anonymised:
        form.error("__all__", "Данные участника удалены.")
    signer_value = form.require("signer", "Укажите, кто подписал согласие.")
    signer = next((s for s in ConsentSigner if s.value == signer_value), None)
    if signer_value and signer is None:
        form.error("signer", "Выберите, кто подписал согласие.")
    raw_signed = form.require("signed_on", "Укажите дату подписания.")
    signed_on = parse_date(raw_signed) if raw_signed else None
    if raw_signed and signed_on is None:
        form.error("signed_on", "Дата в виде дд.мм.гггг.")
    elif signed_on and signed_on > today:
        form.error("signed_on", "Дата подписания не может быть в будущем.")
    if signer is ConsentSigner.SELF and person.is_minor(signed_on or today):
        if person.birth_date is None and person.kind is ParticipantKind.PUPIL:
            form.error(
                "signer",
                "Дата рождения обучающегося не указана, поэтому согласие подписывает родитель или "
                "законный представитель. Если обучающемуся есть 18 лет, укажите дату рождения в карточке.",
            )
        else:
            form.error(
                "signer",
                "Участнику нет 18 лет: согласие подписывает родитель или законный представитель.",
            )
    signer_name = form.value("signer_name")
    if signer is ConsentSigner.SELF and not signer_name:
        signer_name = person.full_name
    elif signer is not None and not signer_name:
        form.error("signer_name", "Укажите ФИО родителя или законного представителя полностью.")
    raw_until = form.value("valid_until")
    valid_until = parse_date(raw_until) if raw_until else None
    if raw_until and valid_until is None:
        form.error("valid_until", "Дата в виде дд.мм.гггг.")
    elif valid_until and signed_on and valid_until < signed_on:
        form.error("valid_until", "Согласие не может кончиться раньше, чем подписано.")
    scopes = []
    for value in form_list_value(form, "scopes"):
        scope = next((s for s in ConsentScope if s.value == value), None)
        if scope is not None:
            scopes.append(scope)
    if ConsentScope.PROGRAMME not in scopes:
        form.error(
            "scopes", "Согласие должно разрешать обработку данных для участия в программе наставничества."
        )
    content_type = ""
    if scan is not None and scan.data:
        if len(scan.data) > max_bytes:
            form.error("scan", f"Файл больше {max_bytes // (1024 * 1024)} МБ: уменьшите разрешение скана.")
        content_type = sniff_scan_type(scan.data) or ""
        if not content_type:
            form.error("scan", "Скан — файл PDF, JPG или PNG.")
    if not form.ok or signer is None or signed_on is None:
        return None
    consent = Consent(
        school_id=school.id,
        participant_id=person.id,
        signer=signer,
        signer_name=signer_name[:300],
        signed_on=signed_on,
        valid_until=valid_until,
        scopes=scopes,
        recorded_by_id=recorded_by,
    )
    if scan is not None and scan.data and content_type:
        consent.scan_filename = scan.filename[:255] or "скан" + SCAN_TYPES[content_type]
        consent.scan_content_type = content_type
        consent.scan_size = len(scan.data)
    db.add(consent)
    await db.flush()
    if consent.scan_size:
        db.add(ConsentScan(school_id=school.id, consent_id=consent.id, content=scan.data if scan else b""))
        await db.flush()
    await directory.sync_mentors(db, school.id, [person.id])
    return consent


async def get_consent(db: AsyncSession, school: School, person: Participant, consent_id: str) -> Consent:
    try:
        key = uuid.UUID(consent_id)
    except ValueError as exc:
        raise NotFoundError from exc
    consent = await db.get(Consent, (school.id, key))
    if consent is None or consent.participant_id != person.id:
        raise NotFoundError
    return consent


async def withdraw_consent(db: AsyncSession, consent: Consent, note: str) -> bool:
    """Withdrawal takes effect at once: validity is checked against `withdrawn_at`."""
    if consent.withdrawn_at is not None:
        return False
    consent.withdrawn_at = utcnow()
    consent.withdrawal_note = note[:2000]
    await db.flush()
    # The directory card goes at once: the region must not see it a moment longer.
    await directory.sync_mentors(db, consent.school_id, [consent.participant_id])
    # So does the person on the school's public page «Наставничество».
    from nastavnik.school.completion.public import forget_person

    await forget_person(db, consent.school_id, consent.participant_id)
    return True


async def consent_scan(db: AsyncSession, school: School, consent: Consent) -> bytes | None:
    """The consent's own scan, or the scanned stack it was recorded with."""
    if consent.batch_scan_id is not None:
        return await db.scalar(
            select(ConsentBatchScan.content).where(
                ConsentBatchScan.school_id == school.id, ConsentBatchScan.id == consent.batch_scan_id
            )
        )
    return await db.scalar(
        select(ConsentScan.content).where(
            ConsentScan.school_id == school.id, ConsentScan.consent_id == consent.id
        )
    )


def current_consent(person: Participant, on: dt.date | None = None) -> Consent | None:
    """The consent that makes the person's data usable now (needs `consents` loaded)."""
    day = on or local_today()
    valid = [c for c in person.consents if consent_is_valid(c, person, day)]
    return max(valid, key=lambda c: c.signed_on) if valid else None


def consent_state(consent: Consent, person: Participant, on: dt.date) -> tuple[str, str]:
    """What the card says about a consent, and the badge tone."""
    if consent.withdrawn_at is not None:
        return f"Отозвано {consent.withdrawn_at.astimezone():%d.%m.%Y}", "neutral"
    if consent.valid_until is not None and consent.valid_until < on:
        return f"Истёк срок {consent.valid_until:%d.%m.%Y}", "warning"
    if consent_is_valid(consent, person, on):
        return "Действует", "success"
    return "Недействительно: подписал несовершеннолетний", "danger"
