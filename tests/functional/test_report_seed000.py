"""Seed 000 replayed: the 2022-2023 execution report of МБУ ДО ЦДТ, figure for figure.

The year is a past one (the school moves onto the platform afterwards): the programme is
started for 2022-2023, its settings, contingent and surveys typed on the programme page,
the 32 pairs' first meetings back-dated inside the year on each pair's page, the year
closed, and the report PDF read back by text extraction.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import new_id, set_school
from nastavnik.school.pairs.models import Mentorship
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.participants.models import (
    MenteeCategory,
    MenteeProfile,
    MentorProfile,
    Participant,
    ParticipantKind,
)
from nastavnik.school.programme.models import RoadmapTemplate
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_by_code, reference_items
from tests.conftest import Browser, Persona, PersonaBrowser, World, csrf_token

pytestmark = pytest.mark.anyio

YEAR = AcademicYear(2022)
# Pairs per direction, in the region's order of directions (seed 000, row 21).
PAIRS = {
    "potential": 1,
    "teen_crisis": 2,
    "pupil_adaptation": 0,
    "motivation": 14,
    "educational_path": 9,
    "civic_values": 0,
    "soft_skills": 3,
    "entrepreneurship": 0,
    "career": 0,
    "teacher_adaptation": 2,
    "young_teacher": 1,
}
# Row 22 (trial meetings) of the seed leaves out the educational-path pairs.
NO_TRIAL = {"educational_path"}


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


async def someone(db: AsyncSession, school: School, n: int, kind: ParticipantKind) -> Participant:
    row = Participant(
        id=new_id(),
        school_id=school.id,
        kind=kind,
        last_name=f"Участник{n}",
        first_name="Мария",
        middle_name="Ивановна",
        import_key=f"seed000:{uuid.uuid4().hex}",
        **(
            {"grade": 8, "class_letter": "А", "birth_date": dt.date(2009, 3, 1)}
            if kind is ParticipantKind.PUPIL
            else {"birth_date": dt.date(1985, 3, 1), "position": "Педагог дополнительного образования"}
        ),
    )
    db.add(row)
    await db.flush()
    return row


async def past_pairs(db: AsyncSession, school: School) -> list[tuple[Mentorship, str]]:
    """The 32 pairs of 2022-2023: a past year's history, as the approval would have made them."""
    await set_school(db, school.id)
    forms = await reference_by_code(db, ReferenceKind.FORM)
    directions = await reference_by_code(db, ReferenceKind.DIRECTION)
    made: list[tuple[Mentorship, str]] = []
    n = 0
    for code, count in PAIRS.items():
        direction: ReferenceItem = directions[code]
        teachers = direction.attributes.get("audience") == "teacher"
        form = forms[
            "teacher_teacher" if teachers else ("student_student" if n % 3 == 0 else "teacher_student")
        ]
        for _ in range(count):
            n += 1
            mentee_kind = ParticipantKind.TEACHER if teachers else ParticipantKind.PUPIL
            mentee = MenteeProfile(
                school_id=school.id,
                participant_id=(await someone(db, school, n, mentee_kind)).id,
                academic_year=YEAR.start,
                category=MenteeCategory.NEW_TEACHER if teachers else MenteeCategory.PUPIL,
            )
            mentee.directions = [direction]
            mentee.request_areas = []
            mentor = MentorProfile(
                school_id=school.id,
                participant_id=(await someone(db, school, 100 + n, ParticipantKind.TEACHER)).id,
                academic_year=YEAR.start,
                capacity=1,
            )
            mentor.directions = [direction]
            mentor.competencies = []
            db.add_all([mentee, mentor])
            await db.flush()
            for profile in (mentee, mentor):
                await db.refresh(profile, ["participant", "directions"])
            pair = await create_mentorship(
                db,
                school,
                year=YEAR.start,
                form=form,
                mentors=[mentor],
                mentees=[mentee],
                started_on=dt.date(2023, 1, 25),
            )
            made.append((pair, code))
    await db.commit()
    return made


async def post(browser: PersonaBrowser, token: str, url: str, data: dict[str, str]) -> int:
    reply = await browser.post(url, data={"_csrf_token": token, **data}, follow_redirects=False)
    return reply.status_code


async def test_the_seed_000_report_comes_out_with_every_figure_the_school_typed(
    browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession
) -> None:
    school = world.school_a
    browser = await browser_for(curator_a)
    base = f"/s/{school.code}"
    token = await csrf_token(browser, f"{base}/programme")
    template = (
        await db.execute(
            select(RoadmapTemplate).where(
                RoadmapTemplate.region_id.is_(None), RoadmapTemplate.title.contains("Р-145")
            )
        )
    ).scalar_one()
    # A past year's programme, started through the programme page.
    assert (
        await post(
            browser, token, f"{base}/programme", {"year": YEAR.title, "source": f"template:{template.id}"}
        )
        == 303
    )
    programme_url = f"{base}/programme/{YEAR.title}"
    settings = await browser.get(programme_url)
    assert settings.status_code == 200
    reply = await browser.post(
        f"{programme_url}/settings",
        data={
            "_csrf_token": token,
            "title": "Программа наставничества МБУ ДО ЦДТ",
            "curator_id": "",
            "forms": ["student_student", "teacher_teacher", "teacher_student"],
            "goals": "Максимально полное раскрытие потенциала личности наставляемого.",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    # Surveys larger than the contingent are refused beside the field, what was typed kept.
    contingent = {"pupils": "520", "pupils_10_19": "480", "teachers": "45", "young_teachers": "6"}
    bad = await browser.post(
        f"{programme_url}/contingent",
        data={"_csrf_token": token, **contingent, "pupils_surveyed": "600", "teachers_surveyed": "5"},
    )
    assert bad.status_code == 422
    assert "Прошедших анкетирование обучающихся не может быть больше, чем обучающихся всего." in bad.text
    assert 'value="600"' in bad.text
    assert (
        await post(
            browser,
            token,
            f"{programme_url}/contingent",
            {**contingent, "pupils_surveyed": "52", "teachers_surveyed": "5"},
        )
        == 303
    )
    # The pairs, then their first meetings back-dated on each pair's page.
    pairs = await past_pairs(db, school)
    assert len(pairs) == 32
    meeting = {"duration_minutes": "45", "format": "in_person"}
    for pair, code in pairs:
        url = f"{base}/pairs/{pair.id}/meetings"
        # A date outside 2022-2023 is refused for a pair of that year.
        if pair.number == 1:
            wrong = await browser.post(
                url, data={"_csrf_token": token, **meeting, "kind": "organisational", "held_on": "2023-09-05"}
            )
            assert wrong.status_code == 422
            assert "Дата — в пределах 2022-2023 учебного года: с 01.09.2022 по 31.08.2023." in wrong.text
        data = {**meeting, "kind": "organisational", "held_on": "2023-02-06"}
        assert await post(browser, token, url, data) == 303
        if code not in NO_TRIAL:
            assert (
                await post(browser, token, url, {**meeting, "kind": "trial", "held_on": "2023-02-20"}) == 303
            )
    # The year is closed once its report is filed.
    assert await post(browser, token, f"{programme_url}/close", {"closed_on": "2023-09-05"}) == 422
    assert await post(browser, token, f"{programme_url}/close", {"closed_on": "2023-05-31"}) == 303

    reply = await browser.get(f"{base}/documents/{YEAR.title}/report.pdf")
    assert reply.status_code == 200
    text = pdf_text(reply.content)
    assert "за 2022-2023 учебный год" in text
    for form in ("«Ученик – ученик»", "«Учитель – учитель»", "«Учитель – ученик»"):
        assert form in text
    assert "Обучающихся, прошедших анкетирование (доля от обучающихся) 52 (10 %)" in text
    assert "Педагогов, прошедших анкетирование (доля от педагогов) 5 (11 %)" in text
    assert "Всего пар и групп 32" in text
    # Every direction, zeros included, counted as pairs; then the first meetings per direction.
    await set_school(db, school.id)
    titles = {i.code: " ".join(i.title.split()) for i in await reference_items(db, ReferenceKind.DIRECTION)}
    pairs_part = text[text.index("по направлениям наставничества") :]
    for code, count in PAIRS.items():
        assert f"{titles[code]} {count}" in pairs_part, (code, count)
    meetings_part = text[text.index("6. Встречи наставников и наставляемых по направлениям") :]
    for code, count in PAIRS.items():
        trial = 0 if code in NO_TRIAL else count
        assert f"{titles[code]} {count} {trial} 0" in meetings_part, (code, count)
    # Stage 7 of an unfinished programme, as the school wrote it; a closed year is not «overdue».
    assert "Программа не завершена." in text
    assert "Запланировано." not in text
    assert "Просрочено на" not in text
    assert "Программа закрыта 31.05.2023" in text
