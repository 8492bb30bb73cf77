"""The demo school in mid-year (`nastavnik seed-demo`): what a curator and a mentor find
when they sign in to «МБОУ СОШ № 2», and that loading it again creates nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import Base, set_school
from nastavnik.platform.settings import Settings
from nastavnik.school.demo import DEMO_SCHOOL_CODE, ORDER_NUMBER, demo_school, seed_school_demo
from nastavnik.school.matching.models import MatchingRound, RoundStatus
from nastavnik.school.meetings.models import Meeting, MeetingKind
from nastavnik.school.meetings.services import current_watch
from nastavnik.school.pairs.models import Mentorship, MentorshipMember
from nastavnik.school.participants.consent_rules import consented_ids
from nastavnik.school.participants.models import (
    Consent,
    ConsentSigner,
    InterviewResult,
    MenteeCategory,
    MenteeProfile,
    MentorProfile,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.school.programme.services import contingent_for
from nastavnik.school.roadmap.models import ItemStatus
from nastavnik.school.roadmap.services import dashboard, load_roadmap
from nastavnik.tenants.demo import seed_demo
from nastavnik.tenants.models import School, StaffMember
from tests.conftest import Browser, make_persona

pytestmark = pytest.mark.anyio

YEAR = AcademicYear.current(local_today())


@pytest.fixture
async def school(db: AsyncSession) -> School:
    assert await seed_demo(db, None)
    found = await demo_school(db)
    assert found is not None
    # (How long it takes is measured by `make dev`'s own timing, never asserted here.)
    assert await seed_school_demo(db, found)
    await set_school(db, found.id)
    return found


async def _mentee_profiles(db: AsyncSession, school: School) -> list[MenteeProfile]:
    query = (
        select(MenteeProfile)
        .where(MenteeProfile.school_id == school.id, MenteeProfile.academic_year == YEAR.start)
        .options(selectinload(MenteeProfile.participant), selectinload(MenteeProfile.directions))
    )
    return list((await db.execute(query)).scalars())


async def _mentor_profiles(db: AsyncSession, school: School) -> list[MentorProfile]:
    query = (
        select(MentorProfile)
        .where(MentorProfile.school_id == school.id, MentorProfile.academic_year == YEAR.start)
        .options(
            selectinload(MentorProfile.participant).selectinload(Participant.partner_organization),
            selectinload(MentorProfile.trainings),
        )
    )
    return list((await db.execute(query)).scalars())


async def _mentorships(db: AsyncSession, school: School) -> list[Mentorship]:
    query = (
        select(Mentorship)
        .where(Mentorship.school_id == school.id, Mentorship.academic_year == YEAR.start)
        .options(selectinload(Mentorship.members).selectinload(MentorshipMember.participant))
        .options(selectinload(Mentorship.plan))
        .order_by(Mentorship.number)
    )
    return list((await db.execute(query)).scalars())


async def test_the_demo_school_has_a_programme_a_roadmap_in_progress_and_the_contingent(
    db: AsyncSession, school: School
) -> None:
    contingent = await contingent_for(db, school, YEAR)
    assert contingent is not None
    assert (contingent.pupils, contingent.pupils_10_19, contingent.teachers, contingent.young_teachers) == (
        612,
        430,
        48,
        7,
    )
    summary = await dashboard(db, school)
    assert summary is not None
    roadmap = await load_roadmap(db, school, summary.programme)
    # The dashboard's figures, counted in PostgreSQL, agree with the roadmap's rows.
    assert (summary.total, summary.done, summary.overdue_count, summary.due_soon_count) == (
        roadmap.total,
        roadmap.done,
        len(roadmap.overdue),
        len(roadmap.due_soon),
    )
    assert [s.percent for s in summary.stages] == [s.percent for s in roadmap.stages]
    assert summary.overdue == roadmap.overdue[:5]
    assert roadmap.programme.origin.startswith("Шаблон «Целевая модель наставничества обучающихся")
    assert roadmap.programme.approved_at is not None
    assert roadmap.programme.approved_by_name == "Соколова Елена Викторовна"
    first_stage = roadmap.stages[0]
    assert first_stage.total >= 5
    assert first_stage.done == first_stage.total
    assert all(item.result_text and item.completed_on for item in first_stage.items)
    assert 2 <= roadmap.count(ItemStatus.IN_PROGRESS) <= 3
    assert 0 < roadmap.done < roadmap.total
    # One row is deliberately overdue: the psychologist's entry assessment (row 2.5).
    row = next(item for item in roadmap.items if roadmap.number_of(item) == "2.5")
    overdue = [roadmap.number_of(item) for item in roadmap.overdue]
    assert overdue == (["2.5"] if row.due_on < roadmap.today else [])


async def test_the_banks_hold_thirty_mentees_and_fourteen_mentors_with_their_requests(
    db: AsyncSession, school: School
) -> None:
    mentees = await _mentee_profiles(db, school)
    assert len(mentees) == 30
    pupils = [m for m in mentees if m.participant.kind is ParticipantKind.PUPIL]
    teachers = [m for m in mentees if m.participant.kind is ParticipantKind.TEACHER]
    assert len(pupils) == 26
    assert {m.participant.grade for m in pupils} == {5, 6, 7, 8, 9}
    assert len(teachers) == 4
    assert all(m.category is MenteeCategory.YOUNG_TEACHER for m in teachers)
    assert all(m.directions and m.request_sources and m.request_text for m in mentees)

    mentors = await _mentor_profiles(db, school)
    assert len(mentors) == 14
    kinds = [m.participant.kind for m in mentors]
    assert kinds.count(ParticipantKind.TEACHER) == 9
    older_pupils = [m for m in mentors if m.participant.kind is ParticipantKind.PUPIL]
    assert {m.participant.grade for m in older_pupils} == {10, 11}
    (employer,) = [m for m in mentors if m.participant.kind is ParticipantKind.EMPLOYER_STAFF]
    assert employer.participant.partner_organization is not None
    assert sum(1 for m in mentors if m.trainings) == 13
    assert sum(1 for m in mentors if m.interview_result is InterviewResult.RECOMMENDED) == 13

    # The demo teachers who sign in are the participants of their staff records.
    for email, last_name in (
        ("mentor@demo.nastavnik.local", "Смирнов"),
        ("mentee@demo.nastavnik.local", "Васильева"),
    ):
        member = await db.scalar(
            select(StaffMember).where(StaffMember.school_id == school.id, StaffMember.email == email)
        )
        assert member is not None
        person = await db.scalar(
            select(Participant).where(
                Participant.school_id == school.id, Participant.staff_member_id == member.id
            )
        )
        assert person is not None and person.last_name == last_name


async def test_parents_sign_for_minors_and_two_pupils_have_no_consent_and_no_pair(
    db: AsyncSession, school: School
) -> None:
    people = list(
        (
            await db.execute(
                select(Participant)
                .where(Participant.school_id == school.id)
                .options(selectinload(Participant.consents))
            )
        ).scalars()
    )
    consented = await consented_ids(db, school.id, [p.id for p in people])
    missing = [p for p in people if p.id not in consented]
    assert sorted(p.last_name for p in missing) == ["Николаева", "Сорокин"]
    assert all(p.kind is ParticipantKind.PUPIL and not p.consents for p in missing)
    for person in people:
        for consent in person.consents:
            if person.is_minor(consent.signed_on):
                assert consent.signer is ConsentSigner.PARENT
                assert consent.signer_name and consent.signer_name != person.full_name

    in_pairs = set(
        (
            await db.execute(
                select(MentorshipMember.participant_id).where(MentorshipMember.school_id == school.id)
            )
        )
        .scalars()
        .all()
    )
    assert in_pairs
    assert not in_pairs & {p.id for p in missing}


async def test_rounds_are_approved_into_pairs_and_a_group_with_plans_and_meetings(
    db: AsyncSession, school: School
) -> None:
    rounds = list(
        (await db.execute(select(MatchingRound).where(MatchingRound.school_id == school.id))).scalars()
    )
    assert {r.form.code for r in rounds} >= {"teacher_student"}
    assert all(r.status is RoundStatus.APPROVED and r.order_number == ORDER_NUMBER for r in rounds)
    assert all(r.order_date is not None and r.order_date < local_today() for r in rounds)

    mentorships = await _mentorships(db, school)
    assert len(mentorships) == 25
    teacher_student = [m for m in mentorships if m.form.code == "teacher_student"]
    (group,) = [m for m in mentorships if m.is_group]
    assert group in teacher_student and len(group.mentees) == 3
    assert all(m.plan is not None for m in mentorships)
    # The plan says what this mentee asked for.
    assert all(m.plan and "Запрос:" in m.plan.goals for m in mentorships if m.status.value == "active")
    smirnov = [m for m in mentorships if m.mentors[0].participant.last_name == "Смирнов"]
    assert len(smirnov) == 3
    (vasilyeva,) = [m for m in mentorships if m.mentees[0].participant.last_name == "Васильева"]
    assert vasilyeva.form.code == "teacher_teacher"

    kinds = set(
        (await db.execute(select(Meeting.kind).where(Meeting.school_id == school.id))).scalars().all()
    )
    assert {MeetingKind.ORGANISATIONAL, MeetingKind.TRIAL, MeetingKind.REGULAR} <= kinds
    latest = await db.scalar(select(func.max(Meeting.held_on)).where(Meeting.school_id == school.id))
    assert latest is not None and latest < local_today()

    watch = await current_watch(db, school)
    assert watch.open_pairs == 25
    assert watch.meetings > 50
    (quiet,) = watch.quiet
    assert quiet.days > 21 and quiet.last_meeting is None
    assert sum(row.total for row in watch.by_direction) > watch.meetings // 2


async def test_seeding_again_creates_nothing(db: AsyncSession, school: School) -> None:
    tables = [t for t in Base.metadata.sorted_tables if t.info.get("school_owned")]

    async def counts() -> dict[str, int]:
        await set_school(db, school.id)
        return {t.name: await _count(db, t) for t in tables}

    before = await counts()
    assert before["participant"] == 44
    assert not await seed_demo(db, None)
    again = await demo_school(db)
    assert again is not None
    assert not await seed_school_demo(db, again)
    assert await counts() == before


async def _count(db: AsyncSession, table: Table) -> int:
    return int(await db.scalar(select(func.count()).select_from(table)) or 0)


async def test_the_curator_home_shows_roadmap_progress_and_the_pairs_watch(
    db: AsyncSession, settings: Settings, school: School, browser_for: Browser
) -> None:
    curator = await make_persona(
        db, settings, "curator", [Membership(Scope.SCHOOL, DEMO_SCHOOL_CODE, Role.CURATOR)]
    )
    page = await (await browser_for(curator)).get(f"/s/{DEMO_SCHOOL_CODE}/")
    assert page.status_code == 200
    text = page.text
    assert "Исполнение по этапам" in text
    done = re.search(r"Выполнено (\d+) из (\d+) мероприятий", text)
    assert done is not None and 0 < int(done.group(1)) < int(done.group(2))
    assert "Утверждена" in text
    assert "Работа пар и групп" in text
    assert "Действующих и формирующихся: 25" in text
    assert "Егорова П.С. — Макаров Т.Р." in text  # the pair that has not met since the order
    assert "Встречи по направлениям" in text


async def test_the_demo_mentor_sees_his_own_pairs_once_signed_in(
    db: AsyncSession, settings: Settings, school: School, browser_for: Browser
) -> None:
    mentor = await make_persona(
        db, settings, "mentor", [Membership(Scope.SCHOOL, DEMO_SCHOOL_CODE, Role.MENTOR)]
    )
    # Signing in links the Keycloak account to the demo staff record (by e-mail).
    await set_school(db, school.id)
    member = await db.scalar(
        select(StaffMember).where(
            StaffMember.school_id == school.id, StaffMember.email == "mentor@demo.nastavnik.local"
        )
    )
    assert member is not None
    member.user_id = mentor.user.id
    await db.commit()
    page = await (await browser_for(mentor)).get(f"/s/{DEMO_SCHOOL_CODE}/pairs")
    assert page.status_code == 200
    assert page.text.count("Смирнов Дмитрий Алексеевич") == 3
    for mentee in ("Захарова Анастасия Дмитриевна", "Никитин Матвей Андреевич", "Семёнов Лев Алексеевич"):
        assert mentee in page.text
    assert "Зайцева" not in page.text


async def test_consents_are_dated_before_the_pairs(db: AsyncSession, school: School) -> None:
    latest = await db.scalar(select(func.max(Consent.signed_on)).where(Consent.school_id == school.id))
    order = await db.scalar(
        select(func.min(MatchingRound.order_date)).where(MatchingRound.school_id == school.id)
    )
    assert latest is not None and order is not None
    assert latest < order <= local_today() - dt.timedelta(days=21)


async def test_last_year_is_entered_afterwards_and_closed_with_its_surveys_and_pairs(
    db: AsyncSession, school: School
) -> None:
    from nastavnik.school.programme.figures import programme_figures
    from nastavnik.school.programme.services import programme_for_year

    past = YEAR.previous()
    programme = await programme_for_year(db, school, past)
    assert programme is not None
    assert programme.closed_on == dt.date(past.start + 1, 5, 31)
    view = await load_roadmap(db, school, programme)
    assert view.done > 20
    assert not view.overdue or all(i.due_on < programme.closed_on for i in view.overdue)
    assert all(i.completed_on and past.contains(i.completed_on) for i in view.items if i.completed_on)
    figures = await programme_figures(db, school, past)
    assert (figures.surveyed.pupils, figures.pupils_surveyed_share) == (57, 10)
    assert sum(count for _, count in figures.pairs_by_direction) == 5
    assert len(figures.pairs_by_direction) == 11  # every direction, zeros included
    organised = sum(k[MeetingKind.ORGANISATIONAL] for _, k in figures.meetings_by_direction)
    assert organised == 5
