"""The banks of mentees and mentors: adding people, their yearly profiles, search and
filters, export, who sees what, the audit of card views, deletion and anonymisation."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import case, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.audit import AuditEvent
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_school
from nastavnik.platform.settings import Settings
from nastavnik.school.participants import search as participant_search
from nastavnik.school.participants import services as participant_services
from nastavnik.school.participants.models import (
    InterviewResult,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    Participant,
    ParticipantKind,
    PartnerKind,
    PartnerOrganization,
)
from nastavnik.tenants.models import StaffMember
from nastavnik.tenants.reference import ReferenceKind, reference_items
from tests.conftest import Browser, Persona, World, csrf_token, make_persona
from tests.functional._participants import (
    CURRENT_YEAR,
    give_consent,
    make_mentee,
    make_mentor,
    make_person,
    year_title,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def psychologist_a(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db, settings, "psychologist_a", [Membership(Scope.SCHOOL, world.school_a.code, Role.PSYCHOLOGIST)]
    )


async def audit_actions(db: AsyncSession, object_id: str) -> list[str]:
    result = await db.execute(select(AuditEvent.action).where(AuditEvent.object_id == object_id))
    return list(result.scalars())


# --- adding people and their requests ---------------------------------------------------


async def test_curator_adds_a_pupil_to_the_mentee_bank_with_requests(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}"
    token = await csrf_token(browser, f"{base}/participants/new?kind=pupil&bank=mentee")
    reply = await browser.post(
        f"{base}/participants/new",
        data={
            "_csrf_token": token,
            "kind": "pupil",
            "bank": "mentee",
            "year": year_title(),
            "last_name": "СМИРНОВА",
            "first_name": "анна",
            "middle_name": "Игоревна",
            "birth_date": "2012-04-05",
            "class_name": "6 «А»",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert reply.headers["location"].endswith(f"/mentee?year={year_title()}")
    await set_school(db, world.school_a.id)
    person = (await db.execute(select(Participant).where(Participant.last_name == "Смирнова"))).scalar_one()
    assert (person.first_name, person.grade, person.class_letter) == ("Анна", 6, "А")

    directions = await reference_items(db, ReferenceKind.DIRECTION)
    areas = await reference_items(db, ReferenceKind.REQUEST_AREA)
    profile_url = reply.headers["location"]
    page = await browser.get(profile_url)
    assert "Направления запроса" in page.text
    token = await csrf_token(browser, profile_url)
    reply = await browser.post(
        profile_url,
        data={
            "_csrf_token": token,
            "category": "pupil",
            "status": "active",
            "directions": [str(directions[0].id), str(directions[2].id)],
            "request_areas": [str(areas[0].id)],
            "request_text": "Трудно влиться в новый класс",
            "request_sources": ["class_teacher", "psychologist"],
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    profile = (
        await db.execute(select(MenteeProfile).where(MenteeProfile.participant_id == person.id))
    ).scalar_one()
    await db.refresh(profile, ["directions", "request_areas"])
    assert profile.academic_year == CURRENT_YEAR
    assert {d.id for d in profile.directions} == {directions[0].id, directions[2].id}
    assert [s.value for s in profile.request_sources] == ["class_teacher", "psychologist"]

    bank = await browser.get(f"{base}/mentees?year={year_title()}")
    assert "Смирнова Анна Игоревна" in bank.text
    assert "Нет согласия" in bank.text


async def test_a_pupil_without_a_class_is_refused_and_what_was_typed_stays(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}"
    token = await csrf_token(browser, f"{base}/participants/new?kind=pupil")
    reply = await browser.post(
        f"{base}/participants/new",
        data={
            "_csrf_token": token,
            "kind": "pupil",
            "last_name": "Петров",
            "first_name": "Илья",
            "birth_date": "31.02.2012",
            "class_name": "",
        },
    )
    assert reply.status_code == 422
    assert "Укажите класс обучающегося" in reply.text
    assert "Такой даты нет: в феврале 2012 года 29 дней" in reply.text
    assert 'value="Петров"' in reply.text


async def test_the_same_person_cannot_be_recorded_twice_in_a_school(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    await make_person(
        db,
        world.school_a,
        last_name="Орлов",
        first_name="Глеб",
        middle_name="",
        birth_date=dt.date(2011, 1, 2),
        import_key="fio:орлов глеб|2011-01-02",
    )
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}"
    token = await csrf_token(browser, f"{base}/participants/new?kind=pupil")
    reply = await browser.post(
        f"{base}/participants/new",
        data={
            "_csrf_token": token,
            "kind": "pupil",
            "last_name": "орлов",
            "first_name": "глеб",
            "birth_date": "02.01.2011",
            "class_name": "8В",
        },
    )
    assert reply.status_code == 422
    assert "уже есть в базе школы" in reply.text


async def test_manual_add_finds_a_person_imported_by_school_system_id_and_links_the_card(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    existing = await make_person(
        db,
        world.school_a,
        last_name="Ёлкина",
        first_name="Дарья",
        middle_name="Олеговна",
        birth_date=dt.date(2012, 4, 5),
        import_key="ext:4711",  # imported from the school system: the name key does not match
    )
    await db.commit()
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}"
    token = await csrf_token(browser, f"{base}/participants/new?kind=pupil&bank=mentee&year={year_title()}")
    data = {
        "_csrf_token": token,
        "kind": "pupil",
        "last_name": "Елкина",
        "first_name": "Дарья",
        "middle_name": "Олеговна",
        "birth_date": "05.04.2012",
        "class_name": "8А",
        "bank": "mentee",
        "year": year_title(),
    }
    reply = await browser.post(f"{base}/participants/new", data=data)
    assert reply.status_code == 422
    assert "уже есть в базе школы" in reply.text
    assert f'href="{base}/participants/{existing.id}"' in reply.text
    # Another birth date is another person.
    other = await browser.post(
        f"{base}/participants/new", data={**data, "birth_date": "06.04.2012"}, follow_redirects=False
    )
    assert other.status_code == 303


async def test_curator_fills_a_mentor_profile_with_training(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    teacher = await make_person(db, world.school_a, kind=ParticipantKind.TEACHER, last_name="Кузнецова")
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/participants/{teacher.id}/mentor?year={year_title()}"
    token = await csrf_token(browser, url)
    directions = await reference_items(db, ReferenceKind.DIRECTION)
    competencies = await reference_items(db, ReferenceKind.DEFICIT_AREA)
    reply = await browser.post(
        url,
        data={
            "_csrf_token": token,
            "capacity": "3",
            "status": "selected",
            "directions": [str(directions[-1].id)],
            "competencies": [str(competencies[4].id)],
            "subjects": "математика, информатика",
            "confirmed_results": "Победители олимпиады",
            "cross_school_search": "true",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await set_school(db, world.school_a.id)
    profile = (
        await db.execute(select(MentorProfile).where(MentorProfile.participant_id == teacher.id))
    ).scalar_one()
    assert (profile.capacity, profile.cross_school_search, profile.subjects) == (
        3,
        True,
        ["математика", "информатика"],
    )
    token = await csrf_token(browser, url)
    reply = await browser.post(
        f"/s/{world.school_a.code}/participants/{teacher.id}/mentor/trainings?year={year_title()}",
        data={
            "_csrf_token": token,
            "course": "Школа наставников",
            "provider": "ИРО",
            "completed_on": "2025-05-20",
            "hours": "36",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    trainings = (await db.execute(select(MentorTraining))).scalars().all()
    assert [(t.course, t.hours) for t in trainings] == [("Школа наставников", 36)]
    card = await browser.get(f"/s/{world.school_a.code}/participants/{teacher.id}")
    assert "Школа наставников, 20.05.2025, 36 ч" in card.text


async def test_a_mentor_profile_needs_a_sensible_capacity(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    teacher = await make_person(db, world.school_a, kind=ParticipantKind.TEACHER)
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/participants/{teacher.id}/mentor?year={year_title()}"
    token = await csrf_token(browser, url)
    reply = await browser.post(url, data={"_csrf_token": token, "capacity": "0"})
    assert reply.status_code == 422
    assert "Число наставляемых — от 1 до 30." in reply.text
    assert "Отметьте направления" in reply.text


async def test_psychologist_records_the_interview_and_the_curator_cannot(
    browser_for: Browser, curator_a: Persona, psychologist_a: Persona, world: World, db: AsyncSession
) -> None:
    profile = await make_mentor(db, world.school_a)
    person_id = profile.participant_id
    await give_consent(db, world.school_a, await db.get(Participant, (world.school_a.id, person_id)))
    url = f"/s/{world.school_a.code}/participants/{person_id}/mentor/interview?year={year_title()}"
    psychologist = await browser_for(psychologist_a)
    token = await csrf_token(psychologist, f"/s/{world.school_a.code}/participants/{person_id}")
    reply = await psychologist.post(
        url,
        data={
            "_csrf_token": token,
            "interview_result": "recommended",
            "interview_date": dt.date.today().isoformat(),
            "interview_note": "Готов к работе с подростками",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await db.refresh(profile)
    assert profile.interview_result is InterviewResult.RECOMMENDED
    await set_school(db, world.school_a.id)
    psychologist_staff = (
        await db.execute(select(StaffMember.id).where(StaffMember.user_id == psychologist_a.user.id))
    ).scalar_one()
    assert profile.interviewed_by_id == psychologist_staff

    curator = await browser_for(curator_a)
    token = await csrf_token(curator, f"/s/{world.school_a.code}/participants/{person_id}")
    reply = await curator.post(url, data={"_csrf_token": token, "interview_result": "not_recommended"})
    assert reply.status_code == 403


async def test_interview_result_needs_a_date(
    browser_for: Browser, psychologist_a: Persona, world: World, db: AsyncSession
) -> None:
    profile = await make_mentor(db, world.school_a)
    await give_consent(
        db, world.school_a, await db.get(Participant, (world.school_a.id, profile.participant_id))
    )
    psychologist = await browser_for(psychologist_a)
    card = f"/s/{world.school_a.code}/participants/{profile.participant_id}"
    token = await csrf_token(psychologist, card)
    reply = await psychologist.post(
        f"{card}/mentor/interview?year={year_title()}",
        data={"_csrf_token": token, "interview_result": "recommended", "interview_date": ""},
    )
    assert reply.status_code == 422
    assert "Укажите дату собеседования." in reply.text


async def test_interview_on_a_card_the_mentor_cannot_see_is_404_on_their_own_403(
    browser_for: Browser, mentor_a: Persona, world: World, db: AsyncSession
) -> None:
    # The card's visibility is checked before the interview permission: someone else's card
    # is as unknown to a mentor as another school's.
    await set_school(db, world.school_a.id)
    member = (
        await db.execute(select(StaffMember).where(StaffMember.user_id == mentor_a.user.id))
    ).scalar_one()
    own = await make_mentor(
        db,
        world.school_a,
        await make_person(db, world.school_a, kind=ParticipantKind.TEACHER, staff_member_id=member.id),
    )
    other = await make_mentor(db, world.school_a)
    browser = await browser_for(mentor_a)
    token = await csrf_token(browser, f"/s/{world.school_a.code}/participants/{own.participant_id}")
    data = {"_csrf_token": token, "interview_result": "recommended"}
    base = f"/s/{world.school_a.code}/participants"
    other_reply = await browser.post(
        f"{base}/{other.participant_id}/mentor/interview?year={year_title()}", data=data
    )
    assert other_reply.status_code == 404
    own_reply = await browser.post(
        f"{base}/{own.participant_id}/mentor/interview?year={year_title()}", data=data
    )
    assert own_reply.status_code == 403


async def test_a_mentee_who_completed_the_year_becomes_a_mentor_candidate_next_year(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    mentee = await make_mentee(db, world.school_a, year=CURRENT_YEAR - 1, grade=10, class_letter="А")
    browser = await browser_for(curator_a)
    card = f"/s/{world.school_a.code}/participants/{mentee.participant_id}"
    token = await csrf_token(browser, card)
    reply = await browser.post(
        f"{card}/promote?year={year_title(CURRENT_YEAR)}", data={"_csrf_token": token}, follow_redirects=False
    )
    assert reply.status_code == 303
    await set_school(db, world.school_a.id)
    mentor = (
        await db.execute(select(MentorProfile).where(MentorProfile.participant_id == mentee.participant_id))
    ).scalar_one()
    await db.refresh(mentor, ["directions"])
    assert mentor.academic_year == CURRENT_YEAR
    assert [d.id for d in mentor.directions] == [d.id for d in mentee.directions]


# --- partner organisations ----------------------------------------------------------------


async def test_employer_staff_are_recorded_with_their_partner_and_agreement(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}"
    token = await csrf_token(browser, f"{base}/partners")
    reply = await browser.post(
        f"{base}/partners",
        data={
            "_csrf_token": token,
            "name": "ООО «Технопарк»",
            "kind": "employer",
            "inn": "7701234567",
            "agreement_number": "12/25",
            "agreement_date": "2025-09-01",
            "agreement_valid_until": "2026-08-31",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await set_school(db, world.school_a.id)
    partner = (await db.execute(select(PartnerOrganization))).scalar_one()
    assert partner.kind is PartnerKind.EMPLOYER

    token = await csrf_token(browser, f"{base}/participants/new?kind=employer_staff")
    missing = await browser.post(
        f"{base}/participants/new",
        data={"_csrf_token": token, "kind": "employer_staff", "last_name": "Зайцев", "first_name": "Роман"},
    )
    assert missing.status_code == 422
    assert "Выберите организацию-партнёра" in missing.text
    reply = await browser.post(
        f"{base}/participants/new",
        data={
            "_csrf_token": token,
            "kind": "employer_staff",
            "last_name": "Зайцев",
            "first_name": "Роман",
            "position": "Инженер-программист",
            "partner_organization_id": str(partner.id),
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    card = await browser.get(reply.headers["location"])
    assert "ООО «Технопарк»" in card.text
    assert "Договор № 12/25 от 01.09.2025" in card.text


async def test_partner_agreement_cannot_end_before_it_starts(
    browser_for: Browser, curator_a: Persona, world: World
) -> None:
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}"
    token = await csrf_token(browser, f"{base}/partners")
    reply = await browser.post(
        f"{base}/partners",
        data={
            "_csrf_token": token,
            "name": "Колледж",
            "kind": "college",
            "agreement_date": "2025-09-01",
            "agreement_valid_until": "2025-01-01",
        },
    )
    assert reply.status_code == 422
    assert "кончается раньше" in reply.text


# --- search and filters -------------------------------------------------------------------


async def _bank_of_pupils(db: AsyncSession, world: World) -> dict[str, Participant]:
    people = {}
    for last, first, grade, letter in (
        ("Семёнов", "Артём", 7, "А"),
        ("Иванова", "Мария", 7, "Б"),
        ("Петров", "Кирилл", 9, "А"),
        ("Сидоренко", "Ольга", 9, "Б"),
    ):
        person = await make_person(
            db, world.school_a, last_name=last, first_name=first, grade=grade, class_letter=letter
        )
        await make_mentee(db, world.school_a, person)
        people[last] = person
    await give_consent(db, world.school_a, people["Иванова"])
    await give_consent(db, world.school_a, people["Петров"])
    return people


def names_in(html: str) -> set[str]:
    return set(re.findall(r'participants/[0-9a-f-]{36}">([^<]+)</a>', html))


async def test_search_finds_names_with_typos_and_yo(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    await _bank_of_pupils(db, world)
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}/mentees?year={year_title()}"
    assert names_in((await browser.get(base + "&q=Иваннова")).text) == {"Иванова Мария Сергеевич"}
    assert names_in((await browser.get(base + "&q=семенов")).text) == {"Семёнов Артём Сергеевич"}
    assert names_in((await browser.get(base + "&q=Сидор")).text) == {"Сидоренко Ольга Сергеевич"}
    assert names_in((await browser.get(base + "&q=Пертов Кирил")).text) == {"Петров Кирилл Сергеевич"}


async def test_bank_filters_by_class_direction_and_consent(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    await _bank_of_pupils(db, world)
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}/mentees?year={year_title()}"
    assert names_in((await browser.get(base + "&grade=9")).text) == {
        "Петров Кирилл Сергеевич",
        "Сидоренко Ольга Сергеевич",
    }
    assert names_in((await browser.get(base + "&grade=7&class_letter=Б")).text) == {"Иванова Мария Сергеевич"}
    assert names_in((await browser.get(base + "&consent=missing")).text) == {
        "Семёнов Артём Сергеевич",
        "Сидоренко Ольга Сергеевич",
    }
    directions = await reference_items(db, ReferenceKind.DIRECTION)
    assert len(names_in((await browser.get(base + f"&direction={directions[0].id}")).text)) == 4
    assert names_in((await browser.get(base + f"&direction={directions[5].id}")).text) == set()
    fragment = await browser.get(base + "&grade=9", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert "Петров Кирилл" in fragment.text


async def test_mentor_bank_filters_by_free_capacity(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy = await make_mentor(db, world.school_a, last_name="Занятая", capacity=1)
    await make_mentor(db, world.school_a, last_name="Свободная", capacity=2)
    # Until the pairs feature registers its count, stand in for it: the busy mentor has one mentee.
    monkeypatch.setattr(
        participant_search,
        "_mentor_load",
        lambda: case((MentorProfile.id == busy.id, literal(1)), else_=literal(0)),
    )
    browser = await browser_for(curator_a)
    page = await browser.get(f"/s/{world.school_a.code}/mentors?year={year_title()}&free=1")
    assert names_in(page.text) == {"Свободная Пётр Сергеевич"}
    everyone = await browser.get(f"/s/{world.school_a.code}/mentors?year={year_title()}")
    assert "1 из 1" in everyone.text


async def test_people_list_pages_through_a_large_school(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    for n in range(55):
        await make_person(db, world.school_a, last_name=f"Ученик{n:02d}".replace("0", "о"), grade=5)
    browser = await browser_for(curator_a)
    first = await browser.get(f"/s/{world.school_a.code}/participants")
    assert "Страница 1 из 2, всего 55" in first.text
    second = await browser.get(f"/s/{world.school_a.code}/participants?page=2")
    assert len(names_in(second.text)) == 5


# --- export -----------------------------------------------------------------------------


async def test_export_contains_only_people_with_a_valid_consent_and_is_audited(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    people = await _bank_of_pupils(db, world)
    browser = await browser_for(curator_a)
    reply = await browser.get(f"/s/{world.school_a.code}/mentees/export.xlsx?year={year_title()}")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"Иванова Мария Сергеевич", "Петров Кирилл Сергеевич"}
    events = (
        await db.execute(select(AuditEvent).where(AuditEvent.action == "participants.mentees_exported"))
    ).scalars()
    event = next(iter(events))
    assert event.actor_id == curator_a.user.id
    assert set(event.details["participants"]) == {str(people["Иванова"].id), str(people["Петров"].id)}


async def test_mentor_bank_export_lists_trainings_and_interview(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    profile = await make_mentor(db, world.school_a, last_name="Лебедева")
    profile.interview_result = InterviewResult.RECOMMENDED
    db.add(
        MentorTraining(
            school_id=world.school_a.id,
            mentor_profile_id=profile.id,
            completed_on=dt.date(2025, 3, 1),
            course="Школа наставников",
        )
    )
    await give_consent(
        db, world.school_a, await db.get(Participant, (world.school_a.id, profile.participant_id))
    )
    await db.flush()
    browser = await browser_for(curator_a)
    reply = await browser.get(f"/s/{world.school_a.code}/mentors/export.xlsx?year={year_title()}")
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    row: Any = rows[0]
    assert row[0] == "Лебедева Пётр Сергеевич"
    assert "Школа наставников (01.03.2025)" in row[9]
    assert row[8] == "Рекомендован(а)"


# --- who sees what ----------------------------------------------------------------------


async def test_viewing_a_card_is_written_to_the_audit_log(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    person = await make_person(db, world.school_a)
    browser = await browser_for(curator_a)
    reply = await browser.get(f"/s/{world.school_a.code}/participants/{person.id}")
    assert reply.status_code == 200
    assert "Нет действующего согласия" in reply.text
    event = (await db.execute(select(AuditEvent).where(AuditEvent.object_id == str(person.id)))).scalar_one()
    assert (event.action, event.actor_id, event.school_id) == (
        "participant.viewed",
        curator_a.user.id,
        world.school_a.id,
    )


async def test_psychologist_sees_only_people_with_consent(
    browser_for: Browser, psychologist_a: Persona, world: World, db: AsyncSession
) -> None:
    people = await _bank_of_pupils(db, world)
    browser = await browser_for(psychologist_a)
    page = await browser.get(f"/s/{world.school_a.code}/mentees?year={year_title()}&consent=missing")
    assert names_in(page.text) == {"Иванова Мария Сергеевич", "Петров Кирилл Сергеевич"}
    assert (
        await browser.get(f"/s/{world.school_a.code}/participants/{people['Семёнов'].id}")
    ).status_code == 404
    assert (
        await browser.get(f"/s/{world.school_a.code}/participants/{people['Петров'].id}")
    ).status_code == 200
    assert (await browser.get(f"/s/{world.school_a.code}/mentees/export.xlsx")).status_code == 403


async def test_mentor_sees_only_their_own_card(
    browser_for: Browser, mentor_a: Persona, world: World, db: AsyncSession
) -> None:
    await set_school(db, world.school_a.id)
    member = (
        await db.execute(select(StaffMember).where(StaffMember.user_id == mentor_a.user.id))
    ).scalar_one()
    own = await make_person(
        db, world.school_a, kind=ParticipantKind.TEACHER, last_name="Наставникова", staff_member_id=member.id
    )
    other = await make_person(db, world.school_a, kind=ParticipantKind.TEACHER, last_name="Другая")
    await give_consent(db, world.school_a, other)
    browser = await browser_for(mentor_a)
    me = await browser.get(f"/s/{world.school_a.code}/participants/me", follow_redirects=False)
    assert me.headers["location"].endswith(f"/participants/{own.id}")
    card = await browser.get(f"/s/{world.school_a.code}/participants/{own.id}")
    assert card.status_code == 200
    assert "Наставникова" in card.text
    assert "Записать согласие" not in card.text
    assert (await browser.get(f"/s/{world.school_a.code}/participants/{other.id}")).status_code == 404
    assert (await browser.get(f"/s/{world.school_a.code}/mentors")).status_code == 403
    assert (await browser.get(f"/s/{world.school_a.code}/participants")).status_code == 403


async def test_a_mentor_without_a_card_is_told_so(
    browser_for: Browser, mentor_a: Persona, world: World
) -> None:
    reply = await (await browser_for(mentor_a)).get(f"/s/{world.school_a.code}/participants/me")
    assert reply.status_code == 200
    assert "Анкета ещё не заполнена" in reply.text


# --- deletion and anonymisation ----------------------------------------------------------


async def test_deleting_a_person_without_history_removes_them_with_profiles_and_consents(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    mentee = await make_mentee(db, world.school_a)
    person = await db.get(Participant, (world.school_a.id, mentee.participant_id))
    assert person is not None
    await give_consent(db, world.school_a, person)
    browser = await browser_for(curator_a)
    card = f"/s/{world.school_a.code}/participants/{person.id}"
    token = await csrf_token(browser, card)
    reply = await browser.post(f"{card}/delete", data={"_csrf_token": token}, follow_redirects=False)
    assert reply.status_code == 303
    db.expunge_all()
    await set_school(db, world.school_a.id)
    assert await db.get(Participant, (world.school_a.id, person.id)) is None
    assert (await db.execute(select(MenteeProfile))).first() is None
    assert "participant.deleted" in await audit_actions(db, str(person.id))


async def test_deleting_a_person_with_pair_history_anonymises_them(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentee = await make_mentee(
        db, world.school_a, last_name="Тайнова", email="t@example.org", notes="Живёт с бабушкой"
    )
    mentee.request_text = "Конфликты с одноклассниками"
    person = await db.get(Participant, (world.school_a.id, mentee.participant_id))
    assert person is not None
    await give_consent(db, world.school_a, person)

    async def took_part_in_a_pair(_db: AsyncSession, candidate: Participant) -> bool:
        return candidate.id == person.id

    monkeypatch.setattr(participant_services, "_history_checks", [took_part_in_a_pair])
    browser = await browser_for(curator_a)
    card = f"/s/{world.school_a.code}/participants/{person.id}"
    token = await csrf_token(browser, card)
    reply = await browser.post(f"{card}/delete", data={"_csrf_token": token}, follow_redirects=False)
    assert reply.status_code == 303
    db.expunge_all()
    await set_school(db, world.school_a.id)
    kept = await db.get(Participant, (world.school_a.id, person.id))
    assert kept is not None
    assert kept.anonymised_at is not None
    assert (kept.last_name, kept.first_name, kept.email, kept.notes, kept.birth_date) == (
        "Участник удалён",
        "",
        "",
        "",
        None,
    )
    profile = (await db.execute(select(MenteeProfile))).scalar_one()
    assert profile.participant_id == person.id
    assert profile.request_text == ""
    page = await browser.get(f"/s/{world.school_a.code}/mentees?year={year_title()}")
    assert "Тайнова" not in page.text
    assert "participant.anonymised" in await audit_actions(db, str(person.id))


async def test_a_foreign_key_without_cascade_makes_deletion_anonymise(
    db: AsyncSession, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whatever history table refuses the delete (a pair's FK), the person is anonymised, not lost.
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.sql import Delete

    person = await make_person(db, world.school_a, last_name="Историева")
    execute = db.execute

    async def refusing_delete(statement: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(statement, Delete) and statement.table.name == "participant":
            raise IntegrityError("DELETE FROM participant", {}, Exception("violates foreign key constraint"))
        return await execute(statement, *args, **kwargs)

    monkeypatch.setattr(db, "execute", refusing_delete)
    deleted = await participant_services.remove_participant(db, world.school_a, person)
    monkeypatch.undo()
    assert deleted is False
    kept = await db.get(Participant, (world.school_a.id, person.id))
    assert kept is not None
    assert kept.anonymised_at is not None
    assert kept.last_name == "Участник удалён"


# --- invitation to sign in -----------------------------------------------------------------


async def test_curator_invites_a_teacher_mentor_to_sign_in(
    browser_for: Browser,
    curator_a: Persona,
    *,
    world: World,
    db: AsyncSession,
    kc_admin: Any,
    smtp_sink: Any,
) -> None:
    import uuid

    email = f"mentor-{uuid.uuid4().hex[:8]}@school.example"
    teacher = await make_person(
        db, world.school_a, kind=ParticipantKind.TEACHER, last_name="Приглашаева", email=email
    )
    browser = await browser_for(curator_a)
    card = f"/s/{world.school_a.code}/participants/{teacher.id}"
    page = await browser.get(card)
    assert "Пригласить войти" in page.text
    token = await csrf_token(browser, card)
    reply = await browser.post(
        f"{card}/invite",
        data={"_csrf_token": token, "email": email, "role": "mentor"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    users = await kc_admin.a_get_users({"email": email, "exact": True})
    assert len(users) == 1
    groups = await kc_admin.a_get_user_groups(users[0]["id"])
    assert f"/schools/{world.school_a.code}/mentor" in {g["path"] for g in groups}
    await set_school(db, world.school_a.id)
    await db.refresh(teacher)
    member = await db.get(StaffMember, (world.school_a.id, teacher.staff_member_id))
    assert member is not None
    assert member.email == email
    page = await browser.get(card)
    assert "Приглашение отправлено" in page.text
    assert "participant.invited" in await audit_actions(db, str(teacher.id))


async def test_pupils_cannot_be_invited_and_roles_are_limited(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    pupil = await make_person(db, world.school_a)
    teacher = await make_person(db, world.school_a, kind=ParticipantKind.TEACHER, email="x@school.example")
    browser = await browser_for(curator_a)
    token = await csrf_token(browser, f"/s/{world.school_a.code}/participants/{teacher.id}")
    reply = await browser.post(
        f"/s/{world.school_a.code}/participants/{pupil.id}/invite",
        data={"_csrf_token": token, "role": "mentor"},
    )
    assert reply.status_code == 404
    reply = await browser.post(
        f"/s/{world.school_a.code}/participants/{teacher.id}/invite",
        data={"_csrf_token": token, "role": "curator"},
    )
    assert reply.status_code == 422
    assert "Выберите роль: наставник или наставляемый педагог." in reply.text


async def test_deleting_a_person_who_was_in_a_pair_keeps_the_pair_and_anonymises_them(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    """The real history table (issue 5's pair members) refuses the delete: anonymise instead."""
    from nastavnik.school.pairs.models import MemberRole, Mentorship, MentorshipMember

    mentee = await make_mentee(db, world.school_a, last_name="Парная")
    forms = await reference_items(db, ReferenceKind.FORM)
    pair = Mentorship(school_id=world.school_a.id, academic_year=CURRENT_YEAR, form_id=forms[0].id)
    db.add(pair)
    await db.flush()
    db.add(
        MentorshipMember(
            school_id=world.school_a.id,
            mentorship_id=pair.id,
            participant_id=mentee.participant_id,
            role=MemberRole.MENTEE,
            profile_id=mentee.id,
        )
    )
    await db.flush()
    browser = await browser_for(curator_a)
    card = f"/s/{world.school_a.code}/participants/{mentee.participant_id}"
    token = await csrf_token(browser, card)
    reply = await browser.post(f"{card}/delete", data={"_csrf_token": token}, follow_redirects=False)
    assert reply.status_code == 303
    page = await browser.get(card)
    assert "Данные участника обезличены" in page.text
    assert "Парная" not in page.text
    db.expunge_all()
    await set_school(db, world.school_a.id)
    member = (await db.execute(select(MentorshipMember))).scalar_one()
    assert member.participant_id == mentee.participant_id
