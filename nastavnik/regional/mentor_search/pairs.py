"""Inter-school pairs: school A asks a mentor of school B for one of its mentees, B answers.

Each step runs in the scope of the school acting (`app.school_id`): A reads its own mentee
and writes the request with the mentee's agreed fields (name, form, directions) and the
mentor's directory card; B reads the request through the pair's policy, and on acceptance
adds the mentor's contact from its own tables. Neither reads the other's tables. Every
time one school's user opens the pair, the read of the other school's person is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform import audit
from nastavnik.platform.db import utcnow
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.directory import services as directory
from nastavnik.school.directory.models import (
    CrossSchoolMeeting,
    CrossSchoolPair,
    CrossSchoolPairStatus,
    MentorDirectoryEntry,
)
from nastavnik.school.participants.consent_rules import has_valid_consent
from nastavnik.school.participants.models import (
    ConsentScope,
    MenteeProfile,
    MenteeStatus,
    MentorProfile,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.school.participants.parsing import parse_date
from nastavnik.school.participants.search import mentor_load_expression
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind

MESSAGE_LIMIT = 2000
# Mentees offered in the request form: a window, the newest profiles first.
MENTEE_CHOICES = 300


@dataclass(frozen=True)
class MenteeChoice:
    participant_id: uuid.UUID
    title: str


async def mentee_choices(db: AsyncSession, school: School, year: int) -> list[MenteeChoice]:
    """Teachers and pupils of the school's mentee bank who are still looking (bounded)."""
    rows = await db.execute(
        select(
            Participant.id,
            Participant.last_name,
            Participant.first_name,
            Participant.middle_name,
            Participant.kind,
            Participant.grade,
            Participant.class_letter,
        )
        .join(
            MenteeProfile,
            (MenteeProfile.school_id == Participant.school_id)
            & (MenteeProfile.participant_id == Participant.id),
        )
        .where(
            Participant.school_id == school.id,
            Participant.anonymised_at.is_(None),
            Participant.kind.in_((ParticipantKind.TEACHER, ParticipantKind.PUPIL)),
            MenteeProfile.academic_year == year,
            MenteeProfile.status == MenteeStatus.ACTIVE,
        )
        .order_by(Participant.last_name, Participant.first_name)
        .limit(MENTEE_CHOICES)
    )
    choices = []
    for pid, last, first, middle, kind, grade, letter in rows:
        name = " ".join(p for p in (last, first, middle) if p)
        detail = f"{grade}{letter} класс" if kind is ParticipantKind.PUPIL and grade else "педагог"
        choices.append(MenteeChoice(pid, f"{name} ({detail})"))
    return choices


async def _form_for(db: AsyncSession, mentor_kind: str, mentee_kind: ParticipantKind) -> ReferenceItem | None:
    result = await db.execute(
        select(ReferenceItem).where(
            ReferenceItem.kind == ReferenceKind.FORM,
            ReferenceItem.active.is_(True),
            ReferenceItem.attributes["mentor"].astext == mentor_kind,
            ReferenceItem.attributes["mentee"].astext == mentee_kind.value,
        )
    )
    return result.scalars().first()


async def request_pair(  # noqa: PLR0911 - one refusal per rule, each with its message
    db: AsyncSession,
    school: School,
    entry: MentorDirectoryEntry,
    form: Form,
    *,
    user_id: uuid.UUID | None,
    year: int,
) -> CrossSchoolPair | None:
    """School A (`school`) asks for the mentor of `entry`; the form's errors say what is missing."""
    if entry.school_id == school.id:
        form.error("__all__", "Это наставник вашей школы: закрепите его в разделе «Подбор пар».")
        return None
    raw = form.require("mentee", "Выберите наставляемого, для которого ищете наставника.")
    message = form.value("message")[:MESSAGE_LIMIT]
    if not message:
        form.error("message", "Напишите несколько слов о запросе: что нужно наставляемому.")
    if not form.ok:
        return None
    try:
        mentee_id = uuid.UUID(raw)
    except ValueError:
        form.error("mentee", "Выберите наставляемого из списка.")
        return None
    result = await db.execute(
        select(MenteeProfile)
        .where(
            MenteeProfile.school_id == school.id,
            MenteeProfile.participant_id == mentee_id,
            MenteeProfile.academic_year == year,
        )
        .options(selectinload(MenteeProfile.participant), selectinload(MenteeProfile.directions))
    )
    profile = result.scalar_one_or_none()
    if profile is None or profile.participant.is_anonymised:
        form.error("mentee", "Выберите наставляемого из списка.")
        return None
    person = profile.participant
    if not await has_valid_consent(db, school.id, person.id):
        form.error("mentee", "Нет действующего согласия на обработку персональных данных наставляемого.")
        return None
    if person.kind is ParticipantKind.PUPIL and not await has_valid_consent(
        db, school.id, person.id, scope=ConsentScope.INTER_SCHOOL
    ):
        form.error(
            "mentee",
            "Согласие родителя не разрешает передавать сведения об обучающемся в другую школу: "
            "оформите согласие с пунктом о межшкольной паре.",
        )
        return None
    if entry.capacity <= entry.load:
        form.error("__all__", "У наставника нет свободных мест: выберите другого.")
        return None
    pair_form = await _form_for(db, entry.participant_kind, person.kind)
    if pair_form is None:
        form.error("mentee", "Для такого наставляемого этот наставник не подходит по форме наставничества.")
        return None
    duplicate = await db.scalar(
        select(func.count())
        .select_from(CrossSchoolPair)
        .where(
            CrossSchoolPair.mentee_school_id == school.id,
            CrossSchoolPair.mentee_participant_id == person.id,
            CrossSchoolPair.mentor_profile_id == entry.mentor_profile_id,
            CrossSchoolPair.status.in_((CrossSchoolPairStatus.REQUESTED, CrossSchoolPairStatus.ACCEPTED)),
        )
    )
    if duplicate:
        form.error("mentee", "Этому наставнику уже отправлен запрос для этого наставляемого.")
        return None
    pair = CrossSchoolPair(
        region_id=entry.region_id,
        mentee_school_id=school.id,
        mentor_school_id=entry.school_id,
        mentee_participant_id=person.id,
        mentor_profile_id=entry.mentor_profile_id,
        form_id=pair_form.id,
        status=CrossSchoolPairStatus.REQUESTED,
        mentee_name=person.full_name,
        mentee_kind=person.kind.value,
        direction_titles=[d.title for d in profile.directions],
        mentor_name=entry.full_name,
        mentor_position=entry.position,
        mentor_subjects=list(entry.subjects),
        mentor_competency_titles=list(entry.competency_titles),
        message=message,
        requested_by_id=user_id,
    )
    db.add(pair)
    await db.flush()
    return pair


def _party(pair: CrossSchoolPair, school: School) -> bool:
    return school.id in (pair.mentee_school_id, pair.mentor_school_id)


async def get_pair(db: AsyncSession, school: School, pair_id: str) -> CrossSchoolPair | None:
    """The pair if this school is one of its two (the policy hides others' rows anyway)."""
    try:
        key = uuid.UUID(pair_id)
    except ValueError:
        return None
    pair = await db.get(CrossSchoolPair, key)
    return pair if pair is not None and _party(pair, school) else None


async def audit_read(
    db: AsyncSession, school: School, pair: CrossSchoolPair, *, actor_id: uuid.UUID, request_id: str
) -> None:
    """A read of the other school's person: the mentor's card for A, the mentee's fields for B."""
    other = pair.mentor_school_id if school.id == pair.mentee_school_id else pair.mentee_school_id
    await audit.record(
        db,
        action="cross_school_pair.read",
        actor_id=actor_id,
        school_id=school.id,
        object_type="cross_school_pair",
        object_id=str(pair.id),
        request_id=request_id,
        details={
            "other_school_id": str(other),
            "person": "mentor" if other == pair.mentor_school_id else "mentee",
        },
    )


async def pairs_page(db: AsyncSession, school: School, page: int) -> tuple[Sequence[CrossSchoolPair], Window]:
    query = (
        select(CrossSchoolPair)
        .where(
            or_(CrossSchoolPair.mentee_school_id == school.id, CrossSchoolPair.mentor_school_id == school.id)
        )
        .order_by(CrossSchoolPair.created_at.desc(), CrossSchoolPair.id)
    )
    return await page_of(db, query, page)


def _answer(form: Form) -> tuple[str, str] | None:
    decision = form.require("decision", "Выберите: принять запрос или отклонить.")
    note = form.value("note")[:MESSAGE_LIMIT]
    if decision not in {"accept", "decline", ""}:
        form.error("decision", "Выберите: принять запрос или отклонить.")
    if decision == "decline" and not note:
        form.error("note", "Напишите причину отказа: её увидит школа, отправившая запрос.")
    return (decision, note) if form.ok else None


async def _agree(db: AsyncSession, school: School, pair: CrossSchoolPair, form: Form) -> bool:
    """Both of school B have accepted: the pair is agreed, with the mentor's contact for A."""
    mentor = await db.execute(
        select(MentorProfile)
        .where(MentorProfile.school_id == school.id, MentorProfile.id == pair.mentor_profile_id)
        .options(selectinload(MentorProfile.participant))
    )
    profile = mentor.scalar_one_or_none()
    if profile is None:
        form.error("__all__", "Наставника уже нет в базе школы.")
        return False
    load = await db.scalar(
        select(mentor_load_expression()).where(
            MentorProfile.school_id == school.id, MentorProfile.id == profile.id
        )
    )
    if load is not None and load >= profile.capacity:
        form.error("__all__", "У наставника не осталось свободных мест: увеличьте нагрузку или откажите.")
        return False
    pair.status = CrossSchoolPairStatus.ACCEPTED
    pair.mentor_contact = profile.participant.email
    pair.order_number = f"МП-{local_today():%Y}-{str(pair.id)[-4:].upper()}"
    await db.flush()
    await directory.sync_mentors(db, school.id, [profile.participant_id])
    return True


async def decide(
    db: AsyncSession, school: School, pair: CrossSchoolPair, form: Form, *, user_id: uuid.UUID | None
) -> bool:
    """School B's curator accepts or declines; the pair is agreed once the mentor has accepted too."""
    if (
        school.id != pair.mentor_school_id
        or pair.status is not CrossSchoolPairStatus.REQUESTED
        or pair.curator_agreed
    ):
        form.error("__all__", "На этот запрос уже ответили.")
        return False
    answer = _answer(form)
    if answer is None:
        return False
    decision, note = answer
    if decision == "accept":
        if pair.mentor_agreed and not await _agree(db, school, pair, form):
            return False
        pair.curator_agreed = True
    else:
        pair.status = CrossSchoolPairStatus.DECLINED
    pair.decision_note = "\n".join(n for n in (pair.decision_note, note) if n)
    pair.decided_by_id = user_id
    pair.decided_at = utcnow()
    await db.flush()
    return True


def is_pairs_mentor(pair: CrossSchoolPair, school: School, mentor_profile_ids: set[uuid.UUID]) -> bool:
    return pair.mentor_school_id == school.id and pair.mentor_profile_id in mentor_profile_ids


async def mentor_profile_ids(
    db: AsyncSession, school: School, participant_ids: set[uuid.UUID]
) -> set[uuid.UUID]:
    if not participant_ids:
        return set()
    rows = await db.execute(
        select(MentorProfile.id).where(
            MentorProfile.school_id == school.id, MentorProfile.participant_id.in_(participant_ids)
        )
    )
    return set(rows.scalars())


async def mentor_answer(db: AsyncSession, school: School, pair: CrossSchoolPair, form: Form) -> bool:
    """The mentor answers in their own workspace; the pair is agreed once B's curator has too."""
    if pair.status is not CrossSchoolPairStatus.REQUESTED or pair.mentor_agreed:
        form.error("__all__", "На этот запрос уже ответили.")
        return False
    answer = _answer(form)
    if answer is None:
        return False
    decision, note = answer
    if decision == "accept":
        if pair.curator_agreed and not await _agree(db, school, pair, form):
            return False
        pair.mentor_agreed = True
    else:
        pair.status = CrossSchoolPairStatus.DECLINED
    pair.decision_note = "\n".join(n for n in (pair.decision_note, note and f"Наставник: {note}") if n)
    pair.mentor_answered_at = utcnow()
    await db.flush()
    return True


async def mentor_pairs_page(
    db: AsyncSession, school: School, profile_ids: set[uuid.UUID], page: int
) -> tuple[Sequence[CrossSchoolPair], Window]:
    query = (
        select(CrossSchoolPair)
        .where(
            CrossSchoolPair.mentor_school_id == school.id, CrossSchoolPair.mentor_profile_id.in_(profile_ids)
        )
        .order_by(CrossSchoolPair.created_at.desc(), CrossSchoolPair.id)
    )
    return await page_of(db, query, page)


async def log_meeting(
    db: AsyncSession, school: School, pair: CrossSchoolPair, form: Form, *, user_id: uuid.UUID | None
) -> CrossSchoolMeeting | None:
    if pair.status is not CrossSchoolPairStatus.ACCEPTED:
        form.error("__all__", "Встречи записывают, когда пара согласована.")
        return None
    raw = form.require("held_on", "Укажите дату встречи.")
    held_on = parse_date(raw) if raw else None
    if raw and held_on is None:
        form.error("held_on", "Дата в виде дд.мм.гггг.")
    elif held_on is not None and held_on > local_today() + dt.timedelta(days=1):
        form.error("held_on", "Встреча ещё не прошла: запишите её после.")
    topic = form.require("topic", "Укажите тему встречи.")[:300]
    if not form.ok or held_on is None:
        return None
    meeting = CrossSchoolMeeting(
        pair_id=pair.id,
        logged_by_school_id=school.id,
        logged_by_id=user_id,
        held_on=held_on,
        topic=topic,
        notes=form.value("notes")[:MESSAGE_LIMIT],
    )
    db.add(meeting)
    await db.flush()
    return meeting


async def meetings_of(db: AsyncSession, pair: CrossSchoolPair) -> Sequence[CrossSchoolMeeting]:
    result = await db.execute(
        select(CrossSchoolMeeting)
        .where(CrossSchoolMeeting.pair_id == pair.id)
        .order_by(CrossSchoolMeeting.held_on.desc())
        .limit(100)
    )
    return result.scalars().all()
