"""Demo: last year completed — final meetings and results, a case with a photo, a contest
with two nominations decided by the curator, letters and an order's worth of incentives,
the year's figures and documents frozen — and this year's public page published.

Idempotent per school: nothing is added to a school that already has pairs' results.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
import zlib

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school
from nastavnik.platform.web import Form
from nastavnik.school.completion import cases, next_year, public, recognition
from nastavnik.school.completion.models import (
    ContestKind,
    DecisionMode,
    GoalsMet,
    Incentive,
    IncentiveKind,
    MentorPublication,
    PairOutcome,
    PairResult,
    RecipientKind,
    SchoolCasePhoto,
)
from nastavnik.school.meetings.models import Meeting, MeetingFormat, MeetingKind
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.participants.models import (
    Consent,
    MentorProfile,
    Participant,
    ParticipantKind,
    PartnerOrganization,
    local_today,
)
from nastavnik.school.programme import services as programme_services
from nastavnik.tenants.models import Municipality, School

DEMO_SCHOOLS = ("sosh2-zar",)
RESULTS = (
    (
        "Наставляемый подготовил проект и выступил с ним на школьной конференции; оценки по "
        "математике выросли с «3» до «4»."
    ),
    (
        "Цели плана достигнуты: наставляемый ведёт дневник целей, пропусков стало меньше, "
        "участвует в кружке робототехники."
    ),
    "Наставляемый определился с профилем 10 класса, прошёл профпробы у партнёра.",
    "Наставляемый освоился в новом классе, участвует в школьном совете, помогает младшим.",
)
TERMINATED_REASON = "Наставляемый перешёл в другую школу в апреле."
_NOBODY = uuid.UUID(int=0)
STATEMENTS = (
    "Наставничество — это когда рядом тот, кто верит в тебя.",
    "Главное — помочь увидеть свою цель и первый шаг к ней.",
    "Учусь у своих наставляемых не меньше, чем они у меня.",
)


def demo_photo() -> bytes:
    """A small PNG (a green square) standing in for the ceremony's photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    size = 48
    raw = b"".join(b"\x00" + b"\x2e\x8b\x57" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def seed_completion_demo(db: AsyncSession, *, today: dt.date | None = None) -> bool:
    """The demo schools' completion data; whether anything was created."""
    created = False
    rows = await db.execute(
        select(School)
        .where(School.code.in_(DEMO_SCHOOLS))
        .options(selectinload(School.municipality).selectinload(Municipality.region))
    )
    for school in rows.scalars():
        created = await seed_school_completion(db, school, today=today) or created
    return created


async def seed_school_completion(db: AsyncSession, school: School, *, today: dt.date | None = None) -> bool:
    """Complete the school's previous year and publish its page; nothing if already done."""
    today = today or local_today()
    await set_school(db, school.id)
    if await db.scalar(select(func.count()).select_from(PairResult).where(PairResult.school_id == school.id)):
        await set_school(db, None)
        return False
    past = AcademicYear.current(today).previous()
    programme = await programme_services.programme_for_year(db, school, past)
    pairs = list(
        (
            await db.execute(
                select(Mentorship)
                .where(Mentorship.school_id == school.id, Mentorship.academic_year == past.start)
                .options(selectinload(Mentorship.members))
                .order_by(Mentorship.number)
            )
        ).scalars()
    )
    if programme is None or len(pairs) < 2:
        await set_school(db, None)
        return False
    await _results(db, school, past, pairs)
    await _case(db, school, pairs[0], today)
    await _contest(db, school, past, pairs, today)
    await _incentives(db, school, past, pairs)
    if programme.closed_on is not None:
        form = Form(data={"closed_on": programme.closed_on.isoformat()})
        await next_year.close_year(db, school, programme, form, user_id=None, today=today)
    # This year was started before last year's results: its candidates are offered now.
    await next_year.offer_successful_mentees(db, school, past, AcademicYear.current(today))
    await _publications(db, school, AcademicYear.current(today))
    await public.publish(db, school, AcademicYear.current(today), today)
    await set_school(db, None)
    return True


async def _results(db: AsyncSession, school: School, past: AcademicYear, pairs: list[Mentorship]) -> None:
    final_day = dt.date(past.start + 1, 5, 20)
    db.add(
        Meeting(
            school_id=school.id,
            academic_year=past.start,
            kind=MeetingKind.FINAL_CEREMONY,
            held_on=dt.date(past.start + 1, 5, 22),
            format=MeetingFormat.IN_PERSON,
            topic="Наставничество: итоги года",
            notes="актовый зал, 15:00",
        )
    )
    for index, pair in enumerate(pairs):
        terminated = index == len(pairs) - 1
        meeting = None
        if not terminated:
            meeting = Meeting(
                school_id=school.id,
                mentorship_id=pair.id,
                academic_year=past.start,
                kind=MeetingKind.FINAL,
                held_on=final_day,
                format=MeetingFormat.IN_PERSON,
                topic="Подведение итогов работы по плану",
                notes="Рефлексия: что получилось, что дальше.",
            )
            db.add(meeting)
            await db.flush()
        done, total = 0, 0
        db.add(
            PairResult(
                school_id=school.id,
                mentorship_id=pair.id,
                academic_year=past.start,
                final_meeting_id=meeting.id if meeting else None,
                outcome=PairOutcome.TERMINATED if terminated else PairOutcome.COMPLETED,
                goals_met=GoalsMet.PARTLY if terminated or index == 2 else GoalsMet.MET,
                results="" if terminated else RESULTS[index % len(RESULTS)],
                reason=TERMINATED_REASON if terminated else "",
                plan_items_done=done,
                plan_items_total=total,
                mentee_successful=index in (0, 1),
                continues=False,
                ended_on=dt.date(past.start + 1, 4, 15) if terminated else dt.date(past.start + 1, 5, 25),
            )
        )
        if terminated:
            pair.status = MentorshipStatus.TERMINATED
            pair.status_reason = TERMINATED_REASON
            pair.ended_on = dt.date(past.start + 1, 4, 15)
    await db.flush()


async def _case(db: AsyncSession, school: School, pair: Mentorship, today: dt.date) -> None:
    case = await cases.draft_from_pair(db, school, pair, user_id=None)
    case.best_practice = True
    case.published = True
    mentor = pair.mentors[0].participant if pair.mentors else None
    if mentor is not None:
        case.quote = "Мы договорились о маленьких шагах, и каждый месяц было видно, что получается."
        case.quote_author_id = mentor.id
    db.add(
        SchoolCasePhoto(
            school_id=school.id,
            case_id=case.id,
            caption="Итоговая встреча пары",
            filename="itogovaya-vstrecha.png",
            content_type="image/png",
            content=demo_photo(),
            consent_confirmed=True,
        )
    )
    await db.flush()


async def _contest(
    db: AsyncSession, school: School, past: AcademicYear, pairs: list[Mentorship], today: dt.date
) -> None:
    form = Form(
        data={
            "kind": ContestKind.MENTOR_OF_YEAR.value,
            "title": "Наставник года",
            "decision_mode": DecisionMode.CURATOR.value,
            "held_on": dt.date(past.start + 1, 5, 22).isoformat(),
            "nominations": "Лучший наставник-педагог\nЛучший наставник-обучающийся",
        }
    )
    contest = await recognition.create_contest(db, school, past, form)
    if contest is None:
        return
    views = await recognition.nominations_of(db, contest, _NOBODY)
    teachers = [p for p in pairs if p.mentors and p.mentors[0].participant.kind is ParticipantKind.TEACHER]
    pupils = [p for p in pairs if p.mentors and p.mentors[0].participant.kind is ParticipantKind.PUPIL]
    chosen: dict[str, str] = {}
    for view, group in zip(views, (teachers, pupils), strict=False):
        for pair in group[:3]:
            nominee_form = Form(
                data={
                    "nomination_id": str(view.nomination.id),
                    "candidate": f"person:{pair.mentors[0].participant_id}",
                }
            )
            nominee = await recognition.add_nominee(db, school, contest, nominee_form)
            if nominee is not None and str(view.nomination.id) not in chosen:
                chosen[str(view.nomination.id)] = str(nominee.id)
    decision = Form()
    await recognition.decide(db, school, contest, decision, dt.date(past.start + 1, 5, 22), chosen=chosen)


async def _incentives(db: AsyncSession, school: School, past: AcademicYear, pairs: list[Mentorship]) -> None:
    day = dt.date(past.start + 1, 5, 22)
    teachers = [
        p.mentors[0].participant
        for p in pairs
        if p.mentors and p.mentors[0].participant.kind is ParticipantKind.TEACHER
    ]
    pupils = [
        p.mentors[0].participant
        for p in pairs
        if p.mentors and p.mentors[0].participant.kind is ParticipantKind.PUPIL
    ]
    if teachers:
        db.add(
            _incentive(school, past, IncentiveKind.GRATITUDE, RecipientKind.PARTICIPANT, teachers[-1], day)
        )
        db.add(
            _incentive(
                school, past, IncentiveKind.ATTESTATION_RECORD, RecipientKind.PARTICIPANT, teachers[0], day
            )
        )
        db.add(
            _incentive(
                school, past, IncentiveKind.REGIONAL_NOMINATION, RecipientKind.PARTICIPANT, teachers[0], day,
                wording="на региональный конкурс «Наставник года»",
            )
        )  # fmt: skip
    for pupil in pupils[:1]:
        parent = await db.scalar(
            select(Consent.signer_name)
            .where(
                Consent.school_id == school.id, Consent.participant_id == pupil.id, Consent.signer_name != ""
            )
            .limit(1)
        )
        incentive = _incentive(school, past, IncentiveKind.GRATITUDE, RecipientKind.PARENT, pupil, day)
        incentive.parent_name = parent or f"{pupil.last_name} Ольга Ивановна"
        db.add(incentive)
    partner = await db.scalar(
        select(PartnerOrganization).where(PartnerOrganization.school_id == school.id).limit(1)
    )
    if partner is not None:
        db.add(
            Incentive(
                school_id=school.id,
                academic_year=past.start,
                kind=IncentiveKind.GRATITUDE,
                recipient=RecipientKind.PARTNER,
                partner_id=partner.id,
                wording="",
                issued_on=day,
            )
        )
    await db.flush()


def _incentive(
    school: School,
    year: AcademicYear,
    kind: IncentiveKind,
    recipient: RecipientKind,
    person: Participant,
    day: dt.date,
    *,
    wording: str = "",
) -> Incentive:
    return Incentive(
        school_id=school.id,
        academic_year=year.start,
        kind=kind,
        recipient=recipient,
        participant_id=person.id,
        wording=wording,
        issued_on=day,
    )


async def _publications(db: AsyncSession, school: School, year: AcademicYear) -> None:
    """Three teachers of this year agreed to «Наши наставники»; the others did not."""
    teachers = (
        await db.execute(
            select(Participant)
            .join(
                MentorProfile,
                (MentorProfile.school_id == Participant.school_id)
                & (MentorProfile.participant_id == Participant.id),
            )
            .where(
                Participant.school_id == school.id,
                MentorProfile.academic_year == year.start,
                Participant.kind == ParticipantKind.TEACHER,
            )
            .order_by(Participant.last_name, Participant.id)
            .limit(3)
        )
    ).scalars()
    for person, statement in zip(teachers, STATEMENTS, strict=False):
        db.add(
            MentorPublication(
                school_id=school.id,
                participant_id=person.id,
                agreed=True,
                show_position=True,
                show_subjects=True,
                show_experience=True,
                statement=statement,
            )
        )
    await db.flush()
