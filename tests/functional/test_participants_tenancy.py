"""Every participants' route answers 404 to a user of another school: on school A's URLs,
and on their own school's URLs with school A's object ids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.school.participants.models import (
    ConsentScan,
    ImportBank,
    ImportTarget,
    MentorTraining,
    ParticipantImport,
    ParticipantKind,
    PartnerKind,
    PartnerOrganization,
)
from tests.conftest import Browser, Persona, World, csrf_token
from tests.functional._participants import CURRENT_YEAR, give_consent, make_mentor, make_person, year_title

pytestmark = pytest.mark.anyio


@dataclass
class Objects:
    person: str
    consent: str
    training: str
    partner: str
    imp: str


@pytest.fixture
async def objects(db: AsyncSession, world: World) -> Objects:
    school = world.school_a
    teacher = await make_person(db, school, kind=ParticipantKind.TEACHER, email="t@school.example")
    profile = await make_mentor(db, school, teacher)
    training = MentorTraining(
        school_id=school.id, mentor_profile_id=profile.id, completed_on=dt.date(2025, 1, 1), course="Курс"
    )
    db.add(training)
    consent = await give_consent(
        db, school, teacher, scan_filename="s.pdf", scan_content_type="application/pdf", scan_size=4
    )
    db.add(ConsentScan(school_id=school.id, consent_id=consent.id, content=b"%PDF"))
    partner = PartnerOrganization(school_id=school.id, name="Завод", kind=PartnerKind.EMPLOYER)
    imp = ParticipantImport(
        school_id=school.id,
        filename="a.csv",
        content="Фамилия;Имя;Класс\nИванов;Иван;7А\n".encode(),
        target=ImportTarget.PUPILS,
        bank=ImportBank.NONE,
        academic_year=CURRENT_YEAR,
        headers=["Фамилия", "Имя", "Класс"],
        mapping={"0": "last_name", "1": "first_name", "2": "class_name"},
        corrections={},
        total_rows=1,
        errors=[],
        summary={},
    )
    db.add_all([partner, imp])
    await db.flush()
    await set_school(db, None)
    return Objects(str(teacher.id), str(consent.id), str(training.id), str(partner.id), str(imp.id))


Y = f"?year={year_title()}"
GET_ROUTES = [
    "/mentees",
    "/mentors",
    "/mentees/export.xlsx",
    "/mentors/export.xlsx",
    "/participants",
    "/participants/me",
    "/participants/new",
    "/participants/{person}",
    "/participants/{person}/edit",
    "/participants/{person}/mentee" + Y,
    "/participants/{person}/mentor" + Y,
    "/participants/{person}/consents/{consent}/scan",
    "/consents",
    "/partners",
    "/partners/{partner}",
    "/participants/import",
    "/participants/imports/{imp}",
    "/participants/imports/{imp}/errors.csv",
]
POST_ROUTES = [
    "/participants/new",
    "/participants/{person}/edit",
    "/participants/{person}/delete",
    "/participants/{person}/mentee" + Y,
    "/participants/{person}/mentor" + Y,
    "/participants/{person}/mentor/trainings" + Y,
    "/participants/{person}/mentor/trainings/{training}/delete" + Y,
    "/participants/{person}/mentor/interview" + Y,
    "/participants/{person}/promote" + Y,
    "/participants/{person}/consents",
    "/participants/{person}/consents/{consent}/withdraw",
    "/participants/{person}/invite",
    "/consents/forms",
    "/partners",
    "/partners/{partner}",
    "/participants/import",
    "/participants/imports/{imp}/mapping",
    "/participants/imports/{imp}/remap",
    "/participants/imports/{imp}/corrections",
    "/participants/imports/{imp}/apply",
    "/participants/imports/{imp}/delete",
]
# Routes that name an object of school A (the other school's own URL must 404 on them).
OBJECT_GETS = [r for r in GET_ROUTES if "{" in r]
OBJECT_POSTS = [r for r in POST_ROUTES if "{" in r]


def fill(route: str, objects: Objects) -> str:
    return route.format(
        person=objects.person,
        consent=objects.consent,
        training=objects.training,
        partner=objects.partner,
        imp=objects.imp,
    )


@pytest.mark.parametrize("route", GET_ROUTES)
async def test_user_of_school_b_gets_404_on_school_a_participant_pages(
    browser_for: Browser,
    *,
    world: World,
    curator_a: Persona,
    curator_b: Persona,
    objects: Objects,
    route: str,
) -> None:
    path = f"/s/{world.school_a.code}" + fill(route, objects)
    own = await (await browser_for(curator_a)).get(path, follow_redirects=False)
    assert own.status_code in (200, 303), path
    other = await (await browser_for(curator_b)).get(path)
    assert other.status_code == 404


@pytest.mark.parametrize("route", POST_ROUTES)
async def test_user_of_school_b_gets_404_on_school_a_participant_actions(
    browser_for: Browser, world: World, curator_b: Persona, objects: Objects, route: str
) -> None:
    browser = await browser_for(curator_b)
    token = await csrf_token(browser, f"/s/{world.school_b.code}/staff")
    reply = await browser.post(
        f"/s/{world.school_a.code}" + fill(route, objects),
        data={
            "_csrf_token": token,
            "last_name": "Х",
            "first_name": "Х",
            "kind": "pupil",
            "ids": objects.person,
        },
    )
    assert reply.status_code == 404


@pytest.mark.parametrize("route", OBJECT_GETS)
async def test_school_a_objects_are_404_under_school_b_urls(
    browser_for: Browser, world: World, curator_b: Persona, objects: Objects, route: str
) -> None:
    reply = await (await browser_for(curator_b)).get(f"/s/{world.school_b.code}" + fill(route, objects))
    assert reply.status_code == 404


@pytest.mark.parametrize("route", OBJECT_POSTS)
async def test_school_a_objects_cannot_be_changed_under_school_b_urls(
    browser_for: Browser, world: World, curator_b: Persona, objects: Objects, route: str
) -> None:
    browser = await browser_for(curator_b)
    token = await csrf_token(browser, f"/s/{world.school_b.code}/staff")
    reply = await browser.post(
        f"/s/{world.school_b.code}" + fill(route, objects),
        data={"_csrf_token": token, "last_name": "Х", "first_name": "Х", "capacity": "1"},
    )
    assert reply.status_code == 404


async def test_consent_forms_of_school_b_ignore_school_a_people(
    browser_for: Browser, world: World, curator_b: Persona, objects: Objects
) -> None:
    browser = await browser_for(curator_b)
    token = await csrf_token(browser, f"/s/{world.school_b.code}/consents")
    reply = await browser.post(
        f"/s/{world.school_b.code}/consents/forms",
        data={"_csrf_token": token, "ids": objects.person, "format": "pdf"},
        follow_redirects=False,
    )
    assert reply.status_code == 303  # nobody selected: school A's person does not exist here
