"""The banks of mentees and mentors: people, yearly profiles, consents, search, export.

Every function takes the school explicitly and scopes its queries to it; row-level
security (set by `resolve_school`) is the second wall.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.db import utcnow
from nastavnik.platform.web import Form
from nastavnik.school.directory import services as directory
from nastavnik.school.participants.models import (
    TEACHER_CATEGORY_TITLES,
    Consent,
    InterviewResult,
    MenteeCategory,
    MenteeProfile,
    MenteeStatus,
    MentorProfile,
    MentorStatus,
    MentorTraining,
    Participant,
    ParticipantKind,
    PartnerKind,
    PartnerOrganization,
    RequestSource,
    local_today,
)
from nastavnik.school.participants.parsing import (
    EMAIL_RE,
    clean_name,
    clean_phone,
    impossible_date,
    name_is_valid,
    name_key,
    normalise_for_key,
    parse_bool,
    parse_class,
    parse_date,
    parse_int,
    parse_teacher_category,
    split_list,
)
from nastavnik.tenants.models import School, StaffMember
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items

ANONYMISED_NAME = "Участник удалён"
# Kinds that work for a partner organisation, which must then be named.
PARTNER_KINDS = (ParticipantKind.EMPLOYER_STAFF, ParticipantKind.UNIVERSITY_STUDENT)
ADULT_KINDS = (ParticipantKind.TEACHER, ParticipantKind.EMPLOYER_STAFF)


class NotFoundError(LookupError):
    """The object is not in this school (the controller answers 404)."""


# --- the people's form (also used for every imported row) ------------------------------

PARTICIPANT_FIELDS = (
    "kind",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "class_name",
    "subjects",
    "experience_years",
    "teacher_category",
    "position",
    "graduation_year",
    "partner_organization_id",
    "email",
    "phone",
    "notes",
    "parent_name",
    "parent_phone",
)

# Longest values a person's fields take (the card and documents stay readable).
TEXT_LIMITS = {
    "last_name": 120,
    "first_name": 120,
    "middle_name": 120,
    "position": 200,
    "subjects": 500,
    "notes": 2000,
    "parent_name": 300,
    "email": 320,
}
_PARENT_NAME_RE = re.compile(r"^[А-ЯЁа-яёA-Za-z][А-ЯЁа-яёA-Za-z\-'. ]*$")


@dataclass
class ParticipantDraft:
    kind: ParticipantKind
    last_name: str
    first_name: str
    middle_name: str
    birth_date: dt.date | None
    grade: int | None
    class_letter: str
    subjects: list[str]
    experience_years: int | None
    teacher_category: Any
    position: str
    graduation_year: int | None
    partner_organization_id: uuid.UUID | None
    email: str
    phone: str
    notes: str
    parent_name: str = ""
    parent_phone: str = ""

    @property
    def name_key(self) -> str:
        return name_key(self.last_name, self.first_name, self.middle_name, self.birth_date)

    def apply_to(self, person: Participant) -> bool:
        """Copy the values; True if anything changed."""
        changed = False
        for name in (
            "kind",
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "grade",
            "class_letter",
            "subjects",
            "experience_years",
            "teacher_category",
            "position",
            "graduation_year",
            "partner_organization_id",
            "email",
            "phone",
            "notes",
            "parent_name",
            "parent_phone",
        ):
            value = getattr(self, name)
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed = True
        return changed


def validate_participant(  # noqa: PLR0912, PLR0915 - one check per field, in order
    form: Form,
    *,
    partners: dict[str, PartnerOrganization],
    today: dt.date,
    kind: ParticipantKind | None = None,
    keep_blank: tuple[str, ...] = (),
) -> ParticipantDraft | None:
    """Check one person (from the form or an import row); errors go into `form`.

    `keep_blank` lists optional fields that an import file does not carry: they are not
    validated, and the caller keeps the stored values.
    """
    for field_name, limit in TEXT_LIMITS.items():
        length = len(form.value(field_name).strip())
        if length > limit:
            form.error(field_name, f"Не длиннее {limit} символов; сейчас {length}.")
    if kind is None:
        kind_value = form.require("kind", "Выберите, кто этот участник.")
        kind = next((k for k in ParticipantKind if k.value == kind_value), None)
        if kind_value and kind is None:
            form.error("kind", "Такого вида участника нет.")
    last_name = clean_name(form.require("last_name", "Укажите фамилию."))
    first_name = clean_name(form.require("first_name", "Укажите имя."))
    middle_name = clean_name(form.value("middle_name"))
    for field_name, value in (
        ("last_name", last_name),
        ("first_name", first_name),
        ("middle_name", middle_name),
    ):
        if value and not name_is_valid(value):
            form.error(field_name, "Только буквы, дефис и пробел, например: Петрова-Водкина.")

    birth_date: dt.date | None = None
    raw_birth = form.value("birth_date")
    if raw_birth:
        birth_date = parse_date(raw_birth)
        if birth_date is None:
            form.error(
                "birth_date",
                impossible_date(raw_birth) or "Дата рождения в виде дд.мм.гггг, например 05.03.2011.",
            )
        elif birth_date >= today:
            form.error("birth_date", "Дата рождения не может быть сегодняшней или будущей.")
        elif birth_date.year < today.year - 100:
            form.error("birth_date", "Проверьте год рождения: человеку больше 100 лет.")

    grade: int | None = None
    class_letter = ""
    raw_class = form.value("class_name")
    if kind is ParticipantKind.PUPIL and "class_name" not in keep_blank:
        if not raw_class:
            form.error("class_name", "Укажите класс обучающегося, например 7Б.")
        else:
            parsed = parse_class(raw_class)
            if parsed is None:
                form.error("class_name", "Класс — число от 1 до 11 и буква, например 7Б или 10 «А».")
            else:
                grade, class_letter = parsed
        if birth_date and not 5 <= today.year - birth_date.year <= 21:
            form.error("birth_date", "Проверьте дату рождения: для обучающегося это необычный возраст.")

    experience: int | None = None
    raw_experience = form.value("experience_years")
    if raw_experience:
        experience = parse_int(raw_experience, 0, 70)
        if experience is None:
            form.error("experience_years", "Стаж — целое число лет от 0 до 70.")

    category = None
    raw_category = form.value("teacher_category")
    if raw_category:
        category = parse_teacher_category(raw_category)
        if category is None:
            titles = ", ".join(t.lower() for t in TEACHER_CATEGORY_TITLES.values())
            form.error("teacher_category", f"Категория: {titles}.")

    graduation_year: int | None = None
    raw_graduation = form.value("graduation_year")
    if raw_graduation:
        graduation_year = parse_int(raw_graduation, 1950, today.year)
        if graduation_year is None:
            form.error("graduation_year", f"Год выпуска — четыре цифры, не позже {today.year}.")

    partner_id: uuid.UUID | None = None
    raw_partner = form.value("partner_organization_id")
    if kind in PARTNER_KINDS and "partner_organization_id" not in keep_blank:
        partner = partners.get(raw_partner) or partners.get(raw_partner.lower())
        if not raw_partner:
            form.error(
                "partner_organization_id", "Выберите организацию-партнёра (предприятие, вуз или колледж)."
            )
        elif partner is None:
            form.error("partner_organization_id", "Такой организации-партнёра нет: сначала добавьте её.")
        else:
            partner_id = partner.id

    email = form.value("email").lower()
    if email and not EMAIL_RE.match(email):
        form.error("email", "Адрес почты выглядит неверно: проверьте, что в нём есть «@» и домен.")
    phone = clean_phone(form.value("phone"))
    if phone is None:
        form.error("phone", "Телефон из 11 цифр, например +7 900 123-45-67.")

    parent_name = " ".join(form.value("parent_name").split())
    if parent_name and not _PARENT_NAME_RE.match(parent_name):
        form.error("parent_name", "ФИО родителя — только буквы, дефис, точка и пробел.")
    parent_phone = clean_phone(form.value("parent_phone"))
    if parent_phone is None:
        form.error("parent_phone", "Телефон родителя из 11 цифр, например +7 900 123-45-67.")

    if not form.ok or kind is None:
        return None
    return ParticipantDraft(
        kind=kind,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        birth_date=birth_date,
        grade=grade,
        class_letter=class_letter,
        subjects=split_list(form.value("subjects")),
        experience_years=experience,
        teacher_category=category,
        position=form.value("position")[:200],
        graduation_year=graduation_year,
        partner_organization_id=partner_id,
        email=email,
        phone=phone or "",
        notes=form.value("notes"),
        parent_name=clean_name(parent_name),
        parent_phone=parent_phone or "",
    )


def participant_form_data(person: Participant) -> dict[str, Any]:
    return {
        "kind": person.kind.value,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "class_name": f"{person.grade}{person.class_letter}" if person.grade else "",
        "subjects": ", ".join(person.subjects),
        "experience_years": "" if person.experience_years is None else str(person.experience_years),
        "teacher_category": person.teacher_category.value if person.teacher_category else "",
        "position": person.position,
        "graduation_year": str(person.graduation_year or ""),
        "partner_organization_id": str(person.partner_organization_id or ""),
        "email": person.email,
        "phone": person.phone,
        "notes": person.notes,
        "parent_name": person.parent_name,
        "parent_phone": person.parent_phone,
    }


# --- partner organisations ------------------------------------------------------------

PARTNER_FIELDS = (
    "name",
    "kind",
    "inn",
    "agreement_number",
    "agreement_date",
    "agreement_valid_until",
    "contact",
)


async def list_partners(db: AsyncSession, school: School) -> list[PartnerOrganization]:
    result = await db.execute(
        select(PartnerOrganization)
        .where(PartnerOrganization.school_id == school.id)
        .order_by(PartnerOrganization.name)
    )
    return list(result.scalars())


async def partner_index(db: AsyncSession, school: School) -> dict[str, PartnerOrganization]:
    """Partners by id and by lower-cased name (import files name them)."""
    index: dict[str, PartnerOrganization] = {}
    for partner in await list_partners(db, school):
        index[str(partner.id)] = partner
        index[partner.name.lower()] = partner
    return index


async def get_partner(db: AsyncSession, school: School, partner_id: str) -> PartnerOrganization:
    try:
        key = uuid.UUID(partner_id)
    except ValueError as exc:
        raise NotFoundError from exc
    partner = await db.get(PartnerOrganization, (school.id, key))
    if partner is None:
        raise NotFoundError
    return partner


async def save_partner(
    db: AsyncSession, school: School, form: Form, partner: PartnerOrganization | None = None
) -> PartnerOrganization | None:
    name = form.require("name", "Укажите название организации.")
    kind_value = form.require("kind", "Выберите тип организации.")
    kind = next((k for k in PartnerKind if k.value == kind_value), None)
    if kind_value and kind is None:
        form.error("kind", "Такого типа организации нет.")
    inn = form.value("inn").replace(" ", "")
    if inn and not (inn.isdigit() and len(inn) in (10, 12)):
        form.error("inn", "ИНН — 10 цифр для организации или 12 для ИП.")
    dates: dict[str, dt.date | None] = {}
    for name_ in ("agreement_date", "agreement_valid_until"):
        raw = form.value(name_)
        dates[name_] = parse_date(raw) if raw else None
        if raw and dates[name_] is None:
            form.error(name_, "Дата в виде дд.мм.гггг.")
    start, end = dates["agreement_date"], dates["agreement_valid_until"]
    if start and end and end < start:
        form.error("agreement_valid_until", "Срок действия договора кончается раньше, чем он заключён.")
    others = [p for p in await list_partners(db, school) if partner is None or p.id != partner.id]
    if name and any(p.name.lower() == name.lower() for p in others):
        form.error("name", "Организация с таким названием уже есть.")
    if not form.ok or kind is None:
        return None
    if partner is None:
        partner = PartnerOrganization(school_id=school.id, name=name, kind=kind)
        db.add(partner)
    partner.name = name[:300]
    partner.kind = kind
    partner.inn = inn or None
    partner.agreement_number = form.value("agreement_number")[:60]
    partner.agreement_date = start
    partner.agreement_valid_until = end
    partner.contact = form.value("contact")[:300]
    await db.flush()
    return partner


def partner_form_data(partner: PartnerOrganization) -> dict[str, str]:
    return {
        "name": partner.name,
        "kind": partner.kind.value,
        "inn": partner.inn or "",
        "agreement_number": partner.agreement_number,
        "agreement_date": partner.agreement_date.isoformat() if partner.agreement_date else "",
        "agreement_valid_until": (
            partner.agreement_valid_until.isoformat() if partner.agreement_valid_until else ""
        ),
        "contact": partner.contact,
    }


# --- people ---------------------------------------------------------------------------


def _person_query(school: School) -> Select[Participant]:
    return select(Participant).where(Participant.school_id == school.id)


async def get_participant(
    db: AsyncSession, school: School, participant_id: str | uuid.UUID, *, full: bool = False
) -> Participant:
    """The person of this school, or NotFoundError (also for a malformed id)."""
    try:
        key = participant_id if isinstance(participant_id, uuid.UUID) else uuid.UUID(participant_id)
    except ValueError as exc:
        raise NotFoundError from exc
    query = _person_query(school).where(Participant.id == key)
    if full:
        query = query.options(
            selectinload(Participant.partner_organization),
            selectinload(Participant.staff_member),
            selectinload(Participant.consents),
            selectinload(Participant.mentee_profiles).selectinload(MenteeProfile.directions),
            selectinload(Participant.mentee_profiles).selectinload(MenteeProfile.request_areas),
            selectinload(Participant.mentor_profiles).selectinload(MentorProfile.directions),
            selectinload(Participant.mentor_profiles).selectinload(MentorProfile.competencies),
            selectinload(Participant.mentor_profiles).selectinload(MentorProfile.trainings),
            selectinload(Participant.mentor_profiles).selectinload(MentorProfile.interviewed_by),
        ).execution_options(populate_existing=True)
    person = (await db.execute(query)).scalar_one_or_none()
    if person is None:
        raise NotFoundError
    return person


async def find_by_key(db: AsyncSession, school: School, key: str) -> Participant | None:
    result = await db.execute(
        _person_query(school).where(Participant.import_key == key, Participant.anonymised_at.is_(None))
    )
    return result.scalar_one_or_none()


async def find_same_person(db: AsyncSession, school: School, draft: ParticipantDraft) -> Participant | None:
    """The same ФИО and birth date, whatever key the record came with (an import by school-system id)."""
    name = normalise_for_key(f"{draft.last_name} {draft.first_name} {draft.middle_name}")
    birth = (
        Participant.birth_date == draft.birth_date if draft.birth_date else Participant.birth_date.is_(None)
    )
    result = await db.execute(
        _person_query(school)
        .where(
            func.btrim(Participant.search_name) == name,
            birth,
            Participant.anonymised_at.is_(None),
        )
        .limit(1)
    )
    return result.scalars().first()


async def _link_staff_member(db: AsyncSession, school: School, person: Participant) -> None:
    """A teacher with the e-mail of a staff member is that staff member (for sign-in)."""
    if person.kind is not ParticipantKind.TEACHER or not person.email or person.staff_member_id:
        return
    member_id = await db.scalar(
        select(StaffMember.id).where(
            StaffMember.school_id == school.id, func.lower(StaffMember.email) == person.email
        )
    )
    if member_id is not None:
        person.staff_member_id = member_id


async def create_participant(
    db: AsyncSession, school: School, form: Form, *, today: dt.date | None = None
) -> Participant | None:
    day = today or local_today()
    draft = validate_participant(form, partners=await partner_index(db, school), today=day)
    if draft is None:
        return None
    existing = await find_by_key(db, school, draft.name_key) or await find_same_person(db, school, draft)
    if existing is not None:
        form.error(
            "last_name",
            f"{existing.full_name} с этой датой рождения уже есть в базе школы: откройте его карточку.",
        )
        form.data["duplicate_of"] = str(existing.id)  # the page links to the card
        return None
    person = Participant(school_id=school.id, kind=draft.kind, last_name="", first_name="")
    draft.apply_to(person)
    person.import_key = draft.name_key
    db.add(person)
    await _link_staff_member(db, school, person)
    await db.flush()
    return person


async def update_participant(
    db: AsyncSession, school: School, person: Participant, form: Form, *, today: dt.date | None = None
) -> bool:
    day = today or local_today()
    draft = validate_participant(form, partners=await partner_index(db, school), today=day, kind=person.kind)
    if draft is None:
        return False
    if person.import_key is None or person.import_key.startswith("fio:"):
        key = draft.name_key
        clash = await find_by_key(db, school, key)
        if clash is not None and clash.id != person.id:
            form.error("last_name", f"{clash.full_name} с этой датой рождения уже есть в базе школы.")
            return False
        person.import_key = key
    draft.apply_to(person)
    await _link_staff_member(db, school, person)
    await db.flush()
    await directory.sync_mentors(db, school.id, [person.id])
    return True


# Features that keep history about people (pairs, meetings) may register a check; the
# delete also falls back to anonymisation when a foreign key without CASCADE refuses it.
HistoryCheck = Callable[[AsyncSession, Participant], Awaitable[bool]]
_history_checks: list[HistoryCheck] = []


def register_history_check(check: HistoryCheck) -> None:
    _history_checks.append(check)


async def remove_participant(db: AsyncSession, school: School, person: Participant) -> bool:
    """Delete the person; if history (pairs) points at them, anonymise instead.

    Returns True if the row was deleted, False if it was anonymised. History tables of other
    features reference the participant or its profiles without ON DELETE CASCADE, so the
    delete fails on them and we fall back — whatever features exist.
    """
    person_id = person.id
    for check in _history_checks:
        if await check(db, person):
            await anonymise_participant(db, school, person)
            return False
    try:
        async with db.begin_nested():
            await db.execute(
                delete(Participant).where(Participant.school_id == school.id, Participant.id == person_id)
            )
    except IntegrityError:
        await anonymise_participant(db, school, await get_participant(db, school, person_id))
        return False
    db.expunge(person)
    return True


async def anonymise_participant(db: AsyncSession, school: School, person: Participant) -> None:
    """Erase personal data but keep the row and what statistics need (kind, grade, years)."""
    person.last_name = ANONYMISED_NAME
    person.first_name = ""
    person.middle_name = ""
    person.birth_date = None
    person.class_letter = ""
    person.subjects = []
    person.experience_years = None
    person.position = ""
    person.email = ""
    person.phone = ""
    person.notes = ""
    person.import_key = None
    person.staff_member_id = None
    person.anonymised_at = utcnow()
    await db.execute(
        delete(Consent).where(Consent.school_id == school.id, Consent.participant_id == person.id)
    )
    profiles = await db.execute(
        select(MenteeProfile).where(
            MenteeProfile.school_id == school.id, MenteeProfile.participant_id == person.id
        )
    )
    for mentee in profiles.scalars():
        mentee.request_text = ""
    mentors = await db.execute(
        select(MentorProfile).where(
            MentorProfile.school_id == school.id, MentorProfile.participant_id == person.id
        )
    )
    for mentor in mentors.scalars():
        mentor.competencies_text = ""
        mentor.confirmed_results = ""
        mentor.interview_note = ""
        mentor.cross_school_search = False
    await db.flush()
    await directory.sync_mentors(db, school.id, [person.id])


async def participant_for_user(db: AsyncSession, school: School, user_id: uuid.UUID) -> Participant | None:
    """The participant record of a signed-in teacher (through their staff membership)."""
    result = await db.execute(
        select(Participant)
        .join(
            StaffMember,
            and_(
                StaffMember.school_id == Participant.school_id, StaffMember.id == Participant.staff_member_id
            ),
        )
        .where(
            Participant.school_id == school.id,
            StaffMember.user_id == user_id,
            Participant.anonymised_at.is_(None),
        )
    )
    return result.scalars().first()


# --- yearly profiles --------------------------------------------------------------------

MENTEE_FIELDS = ("category", "directions", "request_areas", "request_text", "request_sources", "status")
MENTOR_FIELDS = (
    "capacity",
    "status",
    "directions",
    "competencies",
    "subjects",
    "competencies_text",
    "confirmed_results",
    "cross_school_search",
)
INTERVIEW_FIELDS = ("interview_result", "interview_date", "interview_note")
TRAINING_FIELDS = ("completed_on", "course", "provider", "hours")


def form_from_request(data: Any, fields: tuple[str, ...], lists: tuple[str, ...] = ()) -> Form:
    """A Form from submitted data; `lists` are multi-valued fields (checkboxes)."""
    form = Form.from_mapping(data, tuple(f for f in fields if f not in lists))
    for name in lists:
        values = data.getall(name, []) if hasattr(data, "getall") else data.get(name, [])
        if isinstance(values, str):
            values = [values]
        form.data[name] = [v for v in values if v]
    return form


def form_list_value(form: Form, name: str) -> list[str]:
    value = form.data.get(name, [])
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


async def _reference_choice(
    db: AsyncSession, form: Form, name: str, kind: ReferenceKind
) -> list[ReferenceItem]:
    items = {str(i.id): i for i in await reference_items(db, kind)}
    chosen = []
    for value in form_list_value(form, name):
        item = items.get(value)
        if item is None:
            form.error(name, "Выберите значения из списка.")
        else:
            chosen.append(item)
    return chosen


def _check_lengths(form: Form, limits: dict[str, int]) -> None:
    for name, limit in limits.items():
        length = len(form.value(name).strip())
        if length > limit:
            form.error(name, f"Не длиннее {limit} символов; сейчас {length}.")


def default_mentee_category(person: Participant) -> MenteeCategory:
    if person.kind is ParticipantKind.PUPIL:
        return MenteeCategory.PUPIL
    if (
        person.kind is ParticipantKind.TEACHER
        and person.experience_years is not None
        and person.experience_years < 3
    ):
        return MenteeCategory.YOUNG_TEACHER
    return MenteeCategory.OTHER if person.kind is not ParticipantKind.TEACHER else MenteeCategory.NEW_TEACHER


async def get_mentee_profile(db: AsyncSession, person: Participant, year: int) -> MenteeProfile | None:
    result = await db.execute(
        select(MenteeProfile)
        .where(
            MenteeProfile.school_id == person.school_id,
            MenteeProfile.participant_id == person.id,
            MenteeProfile.academic_year == year,
        )
        .options(selectinload(MenteeProfile.directions), selectinload(MenteeProfile.request_areas))
    )
    return result.scalar_one_or_none()


async def get_mentor_profile(db: AsyncSession, person: Participant, year: int) -> MentorProfile | None:
    result = await db.execute(
        select(MentorProfile)
        .where(
            MentorProfile.school_id == person.school_id,
            MentorProfile.participant_id == person.id,
            MentorProfile.academic_year == year,
        )
        .options(
            selectinload(MentorProfile.directions),
            selectinload(MentorProfile.competencies),
            selectinload(MentorProfile.trainings),
            selectinload(MentorProfile.interviewed_by),
        )
    )
    return result.scalar_one_or_none()


def mentee_form_data(profile: MenteeProfile | None, person: Participant) -> dict[str, Any]:
    if profile is None:
        return {"category": default_mentee_category(person).value, "status": MenteeStatus.ACTIVE.value}
    return {
        "category": profile.category.value,
        "directions": [str(d.id) for d in profile.directions],
        "request_areas": [str(a.id) for a in profile.request_areas],
        "request_text": profile.request_text,
        "request_sources": [s.value for s in profile.request_sources],
        "status": profile.status.value,
    }


async def save_mentee_profile(
    db: AsyncSession, person: Participant, year: int, form: Form
) -> MenteeProfile | None:
    if person.is_anonymised:
        form.error("__all__", "Данные участника удалены: его нельзя включить в базу.")
    category_value = form.require("category", "Выберите категорию наставляемого.")
    category = next((c for c in MenteeCategory if c.value == category_value), None)
    if category_value and category is None:
        form.error("category", "Такой категории нет.")
    if category is MenteeCategory.PUPIL and person.kind is not ParticipantKind.PUPIL:
        form.error("category", "Категория «Обучающийся» — только для обучающихся.")
    if person.kind is ParticipantKind.PUPIL and category not in (None, MenteeCategory.PUPIL):
        form.error("category", "Для обучающегося выберите категорию «Обучающийся».")
    directions = await _reference_choice(db, form, "directions", ReferenceKind.DIRECTION)
    if not directions:
        form.error("directions", "Отметьте хотя бы одно направление запроса.")
    areas = await _reference_choice(db, form, "request_areas", ReferenceKind.REQUEST_AREA)
    sources = []
    for value in form_list_value(form, "request_sources"):
        source = next((s for s in RequestSource if s.value == value), None)
        if source is None:
            form.error("request_sources", "Выберите источники из списка.")
        else:
            sources.append(source)
    status = next((s for s in MenteeStatus if s.value == form.value("status")), MenteeStatus.ACTIVE)
    _check_lengths(form, {"request_text": 2000})
    if not form.ok or category is None:
        return None
    profile = await get_mentee_profile(db, person, year)
    if profile is None:
        profile = MenteeProfile(
            school_id=person.school_id, participant_id=person.id, academic_year=year, category=category
        )
        profile.directions = []
        profile.request_areas = []
        db.add(profile)
    profile.category = category
    profile.directions = directions
    profile.request_areas = areas
    profile.request_text = form.value("request_text")
    profile.request_sources = sources
    profile.status = status
    await db.flush()
    return profile


def mentor_form_data(profile: MentorProfile | None, person: Participant) -> dict[str, Any]:
    if profile is None:
        return {
            "capacity": "1",
            "status": MentorStatus.CANDIDATE.value,
            "subjects": ", ".join(person.subjects),
        }
    return {
        "capacity": str(profile.capacity),
        "status": profile.status.value,
        "directions": [str(d.id) for d in profile.directions],
        "competencies": [str(c.id) for c in profile.competencies],
        "subjects": ", ".join(profile.subjects),
        "competencies_text": profile.competencies_text,
        "confirmed_results": profile.confirmed_results,
        "cross_school_search": "true" if profile.cross_school_search else "",
    }


async def save_mentor_profile(
    db: AsyncSession, person: Participant, year: int, form: Form
) -> MentorProfile | None:
    if person.is_anonymised:
        form.error("__all__", "Данные участника удалены: его нельзя включить в базу.")
    capacity = parse_int(form.require("capacity", "Сколько наставляемых может вести наставник?"), 1, 30)
    if form.value("capacity") and capacity is None:
        form.error("capacity", "Число наставляемых — от 1 до 30.")
    directions = await _reference_choice(db, form, "directions", ReferenceKind.DIRECTION)
    if not directions:
        form.error("directions", "Отметьте направления, по которым наставник может помочь.")
    competencies = await _reference_choice(db, form, "competencies", ReferenceKind.DEFICIT_AREA)
    status = next((s for s in MentorStatus if s.value == form.value("status")), MentorStatus.CANDIDATE)
    _check_lengths(form, {"subjects": 500, "competencies_text": 2000, "confirmed_results": 2000})
    if not form.ok or capacity is None:
        return None
    profile = await get_mentor_profile(db, person, year)
    if profile is None:
        profile = MentorProfile(school_id=person.school_id, participant_id=person.id, academic_year=year)
        profile.directions = []
        profile.competencies = []
        profile.trainings = []
        db.add(profile)
    profile.capacity = capacity
    profile.status = status
    profile.directions = directions
    profile.competencies = competencies
    profile.subjects = split_list(form.value("subjects"))
    profile.competencies_text = form.value("competencies_text")
    profile.confirmed_results = form.value("confirmed_results")
    profile.cross_school_search = parse_bool(form.value("cross_school_search"))
    await db.flush()
    await directory.sync_mentors(db, person.school_id, [person.id])
    return profile


async def record_interview(
    db: AsyncSession, school: School, profile: MentorProfile, form: Form, interviewer_user_id: uuid.UUID
) -> bool:
    value = form.require("interview_result", "Выберите итог собеседования.")
    result = next((r for r in InterviewResult if r.value == value), None)
    if value and result is None:
        form.error("interview_result", "Такого итога нет.")
    day: dt.date | None = None
    if result is not None and result is not InterviewResult.NOT_DONE:
        raw = form.require("interview_date", "Укажите дату собеседования.")
        day = parse_date(raw) if raw else None
        if raw and day is None:
            form.error("interview_date", "Дата в виде дд.мм.гггг.")
        elif day and day > local_today():
            form.error("interview_date", "Собеседование не может быть в будущем.")
    if not form.ok or result is None:
        return False
    profile.interview_result = result
    profile.interview_date = day
    profile.interview_note = form.value("interview_note")
    profile.interviewed_by_id = await db.scalar(
        select(StaffMember.id).where(
            StaffMember.school_id == school.id, StaffMember.user_id == interviewer_user_id
        )
    )
    await db.flush()
    return True


async def add_training(db: AsyncSession, profile: MentorProfile, form: Form) -> MentorTraining | None:
    raw = form.require("completed_on", "Укажите дату окончания обучения.")
    day = parse_date(raw) if raw else None
    if raw and day is None:
        form.error("completed_on", "Дата в виде дд.мм.гггг.")
    elif day and day > local_today():
        form.error("completed_on", "Обучение ещё не закончилось: укажите его, когда оно будет пройдено.")
    course = form.require("course", "Укажите название курса или программы обучения.")
    hours: int | None = None
    if form.value("hours"):
        hours = parse_int(form.value("hours"), 1, 2000)
        if hours is None:
            form.error("hours", "Объём — целое число часов.")
    if not form.ok or day is None:
        return None
    training = MentorTraining(
        school_id=profile.school_id,
        mentor_profile_id=profile.id,
        completed_on=day,
        course=course[:300],
        provider=form.value("provider")[:300],
        hours=hours,
    )
    db.add(training)
    await db.flush()
    await directory.sync_mentors(db, profile.school_id, [profile.participant_id])
    return training


async def delete_training(db: AsyncSession, profile: MentorProfile, training_id: str) -> None:
    try:
        key = uuid.UUID(training_id)
    except ValueError as exc:
        raise NotFoundError from exc
    result = await db.execute(
        delete(MentorTraining).where(
            MentorTraining.school_id == profile.school_id,
            MentorTraining.mentor_profile_id == profile.id,
            MentorTraining.id == key,
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFoundError
    await directory.sync_mentors(db, profile.school_id, [profile.participant_id])


async def promote_to_mentor(db: AsyncSession, person: Participant, year: int) -> MentorProfile:
    """A mentee who completed a year becomes a mentor candidate of the next one."""
    profile = await get_mentor_profile(db, person, year)
    if profile is not None:
        return profile
    mentee = await get_mentee_profile(db, person, year - 1)
    profile = MentorProfile(
        school_id=person.school_id,
        participant_id=person.id,
        academic_year=year,
        capacity=1,
        subjects=list(person.subjects),
        status=MentorStatus.CANDIDATE,
    )
    profile.directions = list(mentee.directions) if mentee else []
    profile.competencies = []
    profile.trainings = []
    db.add(profile)
    await db.flush()
    return profile
