"""A curator runs a matching round, locks a pair, approves and downloads the order; the
mentor signs in, finds the pair and logs a meeting. Real Keycloak, real app, Chromium."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import make_sessionmaker, new_id, set_school
from nastavnik.school.participants.models import (
    Consent,
    ConsentScope,
    ConsentSigner,
    InterviewResult,
    MenteeCategory,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.tenants.models import School, StaffMember
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.e2e.conftest import LiveServer, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/test/screenshots"))
SCHOOL = "sosh2-zar"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"matching-{name}.png"), full_page=True)


PUPILS = [
    ("Орлова", "Мария", "Денисовна", 7, ("motivation",)),
    ("Иванов", "Артём", "Сергеевич", 8, ("career", "educational_path")),
    ("Белова", "Софья", "Андреевна", 6, ("motivation", "soft_skills")),
]
TEACHERS = [
    # The demo user "mentor" is Смирнов Дмитрий Алексеевич: his staff record links the participant.
    ("Смирнов", "Дмитрий", "Алексеевич", "mentor@demo.nastavnik.local", 2, ("motivation", "soft_skills")),
    ("Лебедева", "Ирина", "Викторовна", None, 1, ("career", "educational_path")),
]


async def _seed(live_server: LiveServer) -> None:
    engine = create_async_engine(live_server.database.app)
    try:
        async with make_sessionmaker(engine)() as db:
            school = (await db.execute(select(School).where(School.code == SCHOOL))).scalar_one()
            await set_school(db, school.id)
            if (await db.execute(select(Participant).where(Participant.import_key == "e2e:Орлова"))).first():
                return
            today = local_today()
            year = AcademicYear.current(today).start
            directions = await reference_by_code(db, ReferenceKind.DIRECTION)
            for last, first, middle, grade, codes in PUPILS:
                person = Participant(
                    id=new_id(),
                    school_id=school.id,
                    kind=ParticipantKind.PUPIL,
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    grade=grade,
                    class_letter="А",
                    birth_date=dt.date(today.year - grade - 6, 2, 1),
                    import_key=f"e2e:{last}",
                )
                db.add(person)
                await db.flush()
                db.add(
                    Consent(
                        school_id=school.id,
                        participant_id=person.id,
                        signer=ConsentSigner.PARENT,
                        signer_name="Родитель",
                        signed_on=today - dt.timedelta(days=10),
                        scopes=[ConsentScope.PROGRAMME],
                    )
                )
                profile = MenteeProfile(
                    school_id=school.id,
                    participant_id=person.id,
                    academic_year=year,
                    category=MenteeCategory.PUPIL,
                )
                profile.directions = [directions[c] for c in codes]
                profile.request_areas = []
                db.add(profile)
            for last, first, middle, email, capacity, codes in TEACHERS:
                staff = None
                if email:
                    staff = (
                        await db.execute(select(StaffMember).where(StaffMember.email == email))
                    ).scalar_one()
                person = Participant(
                    id=new_id(),
                    school_id=school.id,
                    kind=ParticipantKind.TEACHER,
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    birth_date=dt.date(1982, 4, 12),
                    position="Учитель",
                    staff_member_id=staff.id if staff else None,
                    import_key=f"e2e:{last}",
                )
                db.add(person)
                await db.flush()
                db.add(
                    Consent(
                        school_id=school.id,
                        participant_id=person.id,
                        signer=ConsentSigner.SELF,
                        signer_name=f"{last} {first} {middle}",
                        signed_on=today - dt.timedelta(days=10),
                        scopes=[ConsentScope.PROGRAMME],
                    )
                )
                profile = MentorProfile(
                    school_id=school.id,
                    participant_id=person.id,
                    academic_year=year,
                    capacity=capacity,
                    interview_result=InterviewResult.RECOMMENDED,
                )
                profile.directions = [directions[c] for c in codes]
                profile.competencies = []
                db.add(profile)
                await db.flush()
                db.add(
                    MentorTraining(
                        school_id=school.id,
                        mentor_profile_id=profile.id,
                        completed_on=today,
                        course="Школа наставника",
                    )
                )
            await db.commit()
    finally:
        await engine.dispose()


def test_curator_matches_locks_approves_and_the_mentor_logs_a_meeting(
    page: Page, chromium: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    # Playwright's sync API holds an event loop in this thread: seed from another one.
    with ThreadPoolExecutor(1) as worker:
        worker.submit(lambda: asyncio.run(_seed(live_server))).result()
    login(page, live_server, "curator", f"/s/{SCHOOL}/matching")
    expect(page.get_by_role("heading", name="Подбор наставнических пар")).to_be_visible()
    page.get_by_label("Форма наставничества").select_option(label="Учитель – ученик")
    shot(page, "01-start")
    page.get_by_role("button", name="Подобрать пары").click()
    expect(page.get_by_role("heading", name=re.compile("Подбор: «Учитель – ученик»"))).to_be_visible()
    expect(page.get_by_text("Орлова Мария Денисовна").first).to_be_visible()
    shot(page, "02-proposal")

    # Lock the first pair (htmx swaps the table in place).
    first_row = page.locator("#proposal tbody tr").first
    first_row.get_by_role("button", name="Закрепить").click()
    expect(page.locator("#proposal tbody tr").first.get_by_text("Закреплена")).to_be_visible()
    first_row.locator("summary").click()
    shot(page, "03-locked")

    page.get_by_label("Номер приказа").fill("12-о")
    page.get_by_role("button", name="Утвердить пары и группы").click()
    expect(page.get_by_text("Подбор утверждён")).to_be_visible()
    shot(page, "04-approved")

    with page.expect_download() as info:
        page.get_by_role("link", name="Приказ (PDF)").click()
    pdf_path = tmp_path / "order.pdf"
    info.value.save_as(pdf_path)
    text = re.sub(
        r"\s+", " ", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    )
    assert "Об утверждении наставнических пар/групп" in text
    for last, first, middle, *_ in PUPILS:
        assert f"{last} {first} {middle}" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "matching-order.pdf").write_bytes(pdf_path.read_bytes())

    # The mentor, in a browser of their own, finds the pair and logs the first meeting.
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    context.set_default_timeout(20_000)
    mentor = context.new_page()
    try:
        login(mentor, live_server, "mentor", f"/s/{SCHOOL}/pairs")
        expect(mentor.get_by_role("heading", name="Мои пары и группы")).to_be_visible()
        shot(mentor, "05-mentor-pairs")
        mentor.get_by_role("link", name="Открыть").first.click()
        expect(mentor.get_by_role("heading", name="Встречи")).to_be_visible()
        expect(mentor.get_by_label("Встреча")).to_have_value("organisational")
        mentor.get_by_label("Тема").fill("Знакомство, правила работы пары")
        mentor.get_by_role("button", name="Отметить встречу").click()
        expect(mentor.get_by_text("Встреча отмечена")).to_be_visible()
        expect(mentor.get_by_text("Знакомство, правила работы пары")).to_be_visible()
        shot(mentor, "06-meeting-logged")
    finally:
        context.close()

    # The curator sees the meeting, the watch on the home page and the people page.
    page.goto(f"{live_server.url}/s/{SCHOOL}/meetings/")
    expect(page.get_by_text("Знакомство, правила работы пары")).to_be_visible()
    shot(page, "07-meetings")
    page.goto(f"{live_server.url}/s/{SCHOOL}/")
    expect(page.get_by_role("heading", name="Не было организационной встречи")).to_be_visible()
    shot(page, "08-home-watch")
    page.goto(f"{live_server.url}/s/{SCHOOL}/matching/people")
    expect(page.get_by_role("heading", name="Анкета после групповой встречи")).to_be_visible()
    shot(page, "09-people")
