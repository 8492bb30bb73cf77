"""Closing a year (its figures and documents frozen) and starting the next from it.

Starting the next year copies the programme (roadmap shifted by a year), then carries
over, for the curator to review: every mentor of this year as a candidate of the next
(their profile, directions and competencies, with this year's result added to the
confirmed results), every successful mentee as a new mentor candidate («долгосрочная база
наставников»), and every pair marked to continue — moved as a new pair of the next year,
its unfinished plan tasks with it, linked to the old pair whose meetings stay in their year.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school
from nastavnik.platform.web import Form
from nastavnik.school.completion.models import PairResult, YearDocument, YearRecord
from nastavnik.school.completion.yearfigures import count_year
from nastavnik.school.documents import services as documents
from nastavnik.school.documents.models import DOCUMENT_KIND_TITLES, DocumentKind
from nastavnik.school.pairs.models import DevelopmentPlan, MemberRole, Mentorship, MentorshipStatus, PlanItem
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.participants.models import (
    MenteeCategory,
    MenteeProfile,
    MenteeStatus,
    MentorProfile,
    MentorStatus,
    Participant,
)
from nastavnik.school.programme import services as programme_services
from nastavnik.school.programme.models import Programme
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem

FROZEN_KINDS = (DocumentKind.ORDER, DocumentKind.REGULATION, DocumentKind.ROADMAP, DocumentKind.REPORT)


async def close_year(
    db: AsyncSession,
    school: School,
    programme: Programme,
    form: Form,
    *,
    user_id: uuid.UUID | None,
    today: dt.date,
) -> YearRecord | None:
    """Close the programme and freeze the year's figures and its documents as issued."""
    if not programme_services.close_programme(programme, form, today):
        return None
    await db.flush()
    year = programme.year
    figures = await count_year(db, school, year, today)
    await db.execute(
        delete(YearRecord).where(YearRecord.school_id == school.id, YearRecord.academic_year == year.start)
    )
    await db.execute(
        delete(YearDocument).where(
            YearDocument.school_id == school.id, YearDocument.academic_year == year.start
        )
    )
    assert programme.closed_on is not None  # noqa: S101 - close_programme set it
    record = YearRecord(
        school_id=school.id,
        academic_year=year.start,
        closed_on=programme.closed_on,
        figures=figures,
        closed_by_id=user_id,
    )
    db.add(record)
    data = await documents.document_data(db, school, programme)
    for kind in FROZEN_KINDS:
        content = await d.off_loop(d.render_pdf, documents.build(kind, data))
        db.add(
            YearDocument(
                school_id=school.id,
                academic_year=year.start,
                kind=kind.value,
                title=DOCUMENT_KIND_TITLES[kind],
                filename=documents.file_name(kind, data, "pdf"),
                content=content,
            )
        )
    await db.flush()
    return record


async def frozen_documents(
    db: AsyncSession, school: School, year: AcademicYear
) -> list[tuple[uuid.UUID, str]]:
    rows = await db.execute(
        select(YearDocument.id, YearDocument.title)
        .where(YearDocument.school_id == school.id, YearDocument.academic_year == year.start)
        .order_by(YearDocument.title)
        .limit(20)
    )
    return [(i, t) for i, t in rows]


async def frozen_document(db: AsyncSession, school: School, document_id: str) -> YearDocument | None:
    try:
        key = uuid.UUID(document_id)
    except ValueError:
        return None
    await set_school(db, school.id)
    return await db.get(YearDocument, (school.id, key))


@dataclass
class CarriedOver:
    programme: Programme
    mentors: int = 0
    candidates: int = 0
    pairs: int = 0


async def _mentor_profile_next(
    db: AsyncSession, school: School, participant_id: uuid.UUID, year: int
) -> MentorProfile | None:
    return (
        await db.execute(
            select(MentorProfile)
            .where(
                MentorProfile.school_id == school.id,
                MentorProfile.participant_id == participant_id,
                MentorProfile.academic_year == year,
            )
            .options(selectinload(MentorProfile.directions), selectinload(MentorProfile.participant))
        )
    ).scalar_one_or_none()


async def start_next_year(
    db: AsyncSession, school: School, programme: Programme, form: Form
) -> CarriedOver | None:
    """The next year's programme from this one, with mentors, candidates and continuing pairs."""
    year = programme.year
    following = year.next()
    if programme.closed_on is None:
        form.error(
            "__all__", f"Сначала закройте {year.title} учебный год: его итоги фиксируются при закрытии."
        )
        return None
    start_form = Form(data={"year": following.title, "source": "previous"})
    created = await programme_services.start_programme(db, school, start_form)
    if created is None:
        for name, message in start_form.errors.items():
            form.error("__all__" if name in {"year", "source"} else name, message)
        return None
    done = CarriedOver(created)
    # Mentors of this year → candidates of the next, for the curator to review.
    mentors = (
        await db.execute(
            select(MentorProfile)
            .where(
                MentorProfile.school_id == school.id,
                MentorProfile.academic_year == year.start,
                MentorProfile.status != MentorStatus.WITHDRAWN,
            )
            .options(selectinload(MentorProfile.directions), selectinload(MentorProfile.competencies))
            .order_by(MentorProfile.id)
        )
    ).scalars()
    for old in mentors:
        if await _mentor_profile_next(db, school, old.participant_id, following.start) is not None:
            continue
        note = f"Наставник в {year.title} учебном году."
        profile = MentorProfile(
            school_id=school.id,
            participant_id=old.participant_id,
            academic_year=following.start,
            capacity=old.capacity,
            subjects=list(old.subjects),
            competencies_text=old.competencies_text,
            confirmed_results=(old.confirmed_results + "\n" + note).strip(),
            cross_school_search=old.cross_school_search,
            status=MentorStatus.CANDIDATE,
        )
        profile.directions = list(old.directions)
        profile.competencies = list(old.competencies)
        db.add(profile)
        done.mentors += 1
    await db.flush()
    done.candidates = await offer_successful_mentees(db, school, year, following)
    done.pairs = await _move_continuing_pairs(db, school, year, following)
    return done


async def offer_successful_mentees(
    db: AsyncSession, school: School, year: AcademicYear, following: AcademicYear
) -> int:
    """Successful mentees of `year` as mentor candidates of `following` («долгосрочная база
    наставников»); those who already have a mentor profile there are left as they are."""
    offered = 0
    successful = (
        await db.execute(
            select(Participant)
            .join(
                Mentorship,
                and_(Mentorship.school_id == Participant.school_id, Mentorship.academic_year == year.start),
            )
            .join(
                PairResult,
                and_(
                    PairResult.school_id == Mentorship.school_id,
                    PairResult.mentorship_id == Mentorship.id,
                    PairResult.mentee_successful.is_(True),
                ),
            )
            .where(
                Participant.school_id == school.id,
                Participant.anonymised_at.is_(None),
                Mentorship.members.any(participant_id=Participant.id, role=MemberRole.MENTEE),
            )
            .distinct()
            .order_by(Participant.id)
        )
    ).scalars()
    for person in successful:
        if await _mentor_profile_next(db, school, person.id, following.start) is not None:
            continue
        db.add(
            MentorProfile(
                school_id=school.id,
                participant_id=person.id,
                academic_year=following.start,
                capacity=1,
                subjects=list(person.subjects),
                confirmed_results=(
                    f"Успешно прошёл(прошла) программу наставничества {year.title} как наставляемый."
                ),
                status=MentorStatus.CANDIDATE,
            )
        )
        offered += 1
    await db.flush()
    return offered


async def _move_continuing_pairs(
    db: AsyncSession, school: School, year: AcademicYear, following: AcademicYear
) -> int:
    rows = await db.execute(
        select(PairResult, Mentorship)
        .join(
            Mentorship,
            and_(Mentorship.school_id == PairResult.school_id, Mentorship.id == PairResult.mentorship_id),
        )
        .where(
            PairResult.school_id == school.id,
            PairResult.academic_year == year.start,
            PairResult.continues.is_(True),
            PairResult.continued_as_id.is_(None),
        )
        .options(selectinload(Mentorship.members), selectinload(Mentorship.directions))
        .order_by(Mentorship.number)
    )
    moved = 0
    for result, old in rows:
        mentors: list[MentorProfile] = []
        mentees: list[MenteeProfile] = []
        for member in old.members:
            if member.role is MemberRole.MENTOR:
                profile = await _mentor_profile_next(db, school, member.participant_id, following.start)
                if profile is not None:
                    profile.status = MentorStatus.SELECTED
                    mentors.append(profile)
            else:
                mentees.append(
                    await _mentee_profile_next(db, school, member.participant_id, year, following, old)
                )
        if not mentors or not mentees:
            continue
        form_item = await db.get(ReferenceItem, old.form_id)
        assert form_item is not None  # noqa: S101 - a pair's form exists
        new = await create_mentorship(
            db,
            school,
            year=following.start,
            form=form_item,
            mentors=mentors,
            mentees=mentees,
            started_on=following.starts,
        )
        new.status = MentorshipStatus.ACTIVE
        new.status_reason = f"Продолжение пары № {old.number} {year.title} учебного года."
        await _carry_plan(db, school, old, new, following)
        result.continued_as_id = new.id
        moved += 1
    await db.flush()
    return moved


async def _mentee_profile_next(
    db: AsyncSession,
    school: School,
    participant_id: uuid.UUID,
    year: AcademicYear,
    following: AcademicYear,
    old: Mentorship,
) -> MenteeProfile:
    found = (
        (
            await db.execute(
                select(MenteeProfile)
                .where(
                    MenteeProfile.school_id == school.id,
                    MenteeProfile.participant_id == participant_id,
                    MenteeProfile.academic_year.in_([year.start, following.start]),
                )
                .options(selectinload(MenteeProfile.directions), selectinload(MenteeProfile.request_areas))
                .order_by(MenteeProfile.academic_year.desc())
            )
        )
        .scalars()
        .all()
    )
    current = next((p for p in found if p.academic_year == following.start), None)
    if current is not None:
        return current
    previous = found[0] if found else None
    profile = MenteeProfile(
        school_id=school.id,
        participant_id=participant_id,
        academic_year=following.start,
        category=previous.category if previous else MenteeCategory.PUPIL,
        request_text=(previous.request_text if previous else "")
        or f"Продолжение работы пары № {old.number} {year.title} учебного года.",
        request_sources=list(previous.request_sources) if previous else [],
        status=MenteeStatus.ACTIVE,
    )
    profile.directions = list(previous.directions) if previous else list(old.directions)
    profile.request_areas = list(previous.request_areas) if previous else []
    db.add(profile)
    await db.flush()
    await db.refresh(profile, ["participant", "directions"])
    return profile


async def _carry_plan(
    db: AsyncSession, school: School, old: Mentorship, new: Mentorship, following: AcademicYear
) -> None:
    """The old plan's goals and its unfinished tasks go on in the new pair's plan."""
    old_plan = (
        await db.execute(
            select(DevelopmentPlan)
            .where(DevelopmentPlan.school_id == school.id, DevelopmentPlan.mentorship_id == old.id)
            .options(selectinload(DevelopmentPlan.items))
        )
    ).scalar_one_or_none()
    new_plan = (
        await db.execute(
            select(DevelopmentPlan)
            .where(DevelopmentPlan.school_id == school.id, DevelopmentPlan.mentorship_id == new.id)
            .options(selectinload(DevelopmentPlan.items))
        )
    ).scalar_one_or_none()
    if old_plan is None or new_plan is None:
        return
    if old_plan.goals:
        new_plan.goals = old_plan.goals
    unfinished = [i for i in old_plan.items if not i.done]
    position = len(new_plan.items)
    for offset, item in enumerate(unfinished):
        db.add(
            PlanItem(
                school_id=school.id,
                plan_id=new_plan.id,
                task=item.task,
                activity=(item.activity + " (перенесено с прошлого года)").strip(),
                due_on=None,
                position=position + offset,
            )
        )
    await db.flush()


async def carried_mentors(
    db: AsyncSession, school: School, year: AcademicYear, limit: int = 200
) -> list[tuple[Participant, MentorProfile]]:
    """The year's mentor candidates carried over (for review), newest year's profiles."""
    rows = await db.execute(
        select(Participant, MentorProfile)
        .join(
            MentorProfile,
            and_(
                MentorProfile.school_id == Participant.school_id,
                MentorProfile.participant_id == Participant.id,
            ),
        )
        .where(
            Participant.school_id == school.id,
            MentorProfile.academic_year == year.start,
            MentorProfile.status == MentorStatus.CANDIDATE,
        )
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
        .limit(limit)
    )
    return [(p, m) for p, m in rows]
