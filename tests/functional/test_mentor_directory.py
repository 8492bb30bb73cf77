"""The region's mentor directory and inter-school pairs: what the school side writes, how
curators and tutors search it, and the loop of a request from school A to school B."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.audit import AuditEvent
from nastavnik.platform.db import set_region, set_school
from nastavnik.platform.web import Form
from nastavnik.regional.mentor_search import services as search
from nastavnik.school.directory import services as directory
from nastavnik.school.directory.models import (
    CrossSchoolPair,
    CrossSchoolPairStatus,
    MentorDirectoryEntry,
    MentorDirectoryVersion,
)
from nastavnik.school.participants.consents import withdraw_consent
from nastavnik.school.participants.models import ConsentScope, MentorProfile, ParticipantKind
from nastavnik.school.participants.search import mentor_load_expression
from nastavnik.school.participants.services import get_participant, save_mentor_profile
from nastavnik.tenants.models import School, SchoolKind
from nastavnik.tenants.reference import ReferenceKind, reference_items
from tests.conftest import Browser, Persona, World, csrf_token, make_persona
from tests.functional._directory import cross_school_pair, directory_mentor, entry_of, mentor_persona
from tests.functional._participants import CURRENT_YEAR, give_consent, make_mentee, make_mentor, make_person

pytestmark = pytest.mark.anyio


async def cards(db: AsyncSession, world: World) -> list[MentorDirectoryEntry]:
    await set_school(db, None)
    await set_region(db, world.region.id)
    return list((await db.execute(select(MentorDirectoryEntry))).scalars())


# --- what the school side writes ------------------------------------------------------


async def test_a_consenting_mentor_appears_with_the_shared_fields_only(
    db: AsyncSession, world: World
) -> None:
    school = world.school_a
    person = await make_person(
        db,
        school,
        kind=ParticipantKind.TEACHER,
        last_name="Белова",
        email="belova@school.ru",
        phone="+79001234567",
    )
    await give_consent(db, school, person, scopes=[ConsentScope.PROGRAMME, ConsentScope.REGIONAL_BANK])
    areas = [str(r.id) for r in await reference_items(db, ReferenceKind.DEFICIT_AREA) if r.code == "ict"]
    directions = [str(r.id) for r in (await reference_items(db, ReferenceKind.DIRECTION))[:1]]
    form = Form(
        data={
            "capacity": "3",
            "directions": directions,
            "competencies": areas,
            "subjects": "физика, астрономия",
            "competencies_text": "Цифровые лаборатории",
            "cross_school_search": "true",
        }
    )
    assert await save_mentor_profile(db, person, CURRENT_YEAR, form) is not None, form.errors
    (card,) = await cards(db, world)
    assert card.full_name == "Белова Пётр Сергеевич"
    assert card.subjects == ["физика", "астрономия"]
    assert card.competency_codes == ["ict"]
    assert card.capacity == 3
    assert card.load == 0
    assert "teacher_teacher" in card.form_codes
    assert card.region_id == world.region.id
    assert card.municipality_id == world.municipality_a.id
    columns = set(MentorDirectoryEntry.__table__.columns.keys())
    assert not {"email", "phone", "birth_date", "notes"} & columns
    assert "belova@school.ru" not in card.search_text
    assert "+79001234567" not in card.search_text


async def test_no_card_without_the_regional_bank_consent_or_the_mentors_agreement(
    db: AsyncSession, world: World
) -> None:
    school = world.school_a
    no_scope = await make_mentor(db, school, last_name="Безсогласия")
    await give_consent(db, school, await get_participant(db, school, no_scope.participant_id))
    no_scope.cross_school_search = True
    not_agreed = await make_mentor(db, school, last_name="Несогласная")
    person = await get_participant(db, school, not_agreed.participant_id)
    await give_consent(db, school, person, scopes=[ConsentScope.PROGRAMME, ConsentScope.REGIONAL_BANK])
    pupil = await make_mentor(db, school, await make_person(db, school, last_name="Ученик", grade=10))
    await give_consent(
        db,
        school,
        await get_participant(db, school, pupil.participant_id),
        scopes=[ConsentScope.PROGRAMME, ConsentScope.REGIONAL_BANK],
    )
    pupil.cross_school_search = True
    await directory.sync_mentors(db, school.id)
    assert await cards(db, world) == []


async def test_a_withdrawn_consent_removes_the_card_at_once(db: AsyncSession, world: World) -> None:
    profile = await directory_mentor(db, world.school_a, last_name="Отзывова")
    assert len(await cards(db, world)) == 1
    await set_school(db, world.school_a.id)
    person = await get_participant(db, world.school_a, profile.participant_id, full=True)
    (consent,) = person.consents
    assert await withdraw_consent(db, consent, "Передумала")
    assert await cards(db, world) == []


async def test_a_mentors_capacity_counts_pairs_in_all_schools(db: AsyncSession, world: World) -> None:
    pair, _, profile = await cross_school_pair(db, world.school_a, world.school_b)
    await set_school(db, world.school_b.id)
    load = select(mentor_load_expression()).where(
        MentorProfile.school_id == world.school_b.id, MentorProfile.id == profile.id
    )
    assert await db.scalar(load) == 0
    pair.status = CrossSchoolPairStatus.ACCEPTED
    await db.flush()
    assert await db.scalar(load) == 1
    await directory.sync_mentors(db, world.school_b.id, [profile.participant_id])
    (card,) = await cards(db, world)
    assert (card.capacity, card.load) == (2, 1)


# --- search ---------------------------------------------------------------------------


async def test_search_stems_russian_words_and_forgives_typos(db: AsyncSession, world: World) -> None:
    await directory_mentor(
        db, world.school_b, last_name="Физикова", position="Учитель физики", competencies=("subject",)
    )
    await directory_mentor(
        db, world.school_b, last_name="Историкова", position="Учитель истории", competencies=("upbringing",)
    )
    await set_school(db, None)
    await set_region(db, world.region.id)

    async def names(**params: str) -> list[str]:
        rows, _ = await search.search(db, search.MentorQuery.from_params(params), world.region.id)
        return [entry.full_name.split()[0] for entry, _ in rows]

    assert await names(q="физика") == ["Физикова"]  # «физики» and «физика» share the stem
    assert await names(q="физека") == ["Физикова"]  # one letter wrong
    assert await names(q="истории учитель") == ["Историкова"]
    assert await names(competency="upbringing") == ["Историкова"]
    assert await names(q="балет") == []
    assert sorted(await names(municipality=str(world.municipality_b.id))) == ["Историкова", "Физикова"]
    assert await names(municipality=str(world.municipality_a.id)) == []
    assert await names(form="student_student") == []


async def test_a_kept_search_gives_way_to_the_first_card_written_in_the_region(
    db: AsyncSession, world: World
) -> None:
    await directory_mentor(db, world.school_b, last_name="Химикова", position="Учитель химии")
    await set_school(db, None)
    await set_region(db, world.region.id)
    query = search.MentorQuery.from_params({"q": "химия"})
    first, _ = await search.search(db, query, world.region.id)
    again, _ = await search.search(db, query, world.region.id)
    assert [e.full_name for e, _ in first] == [e.full_name for e, _ in again]
    assert again[0][0] is first[0][0]  # the kept page, not a second search
    version = select(MentorDirectoryVersion.version).where(
        MentorDirectoryVersion.region_id == world.region.id
    )
    before = await db.scalar(version)
    # A second chemistry teacher in another school: the trigger moves the region's version.
    await directory_mentor(db, world.school_a, last_name="Кислородова", position="Учитель химии")
    await set_school(db, None)
    await set_region(db, world.region.id)
    assert (await db.scalar(version) or 0) > (before or 0)
    later, _ = await search.search(db, query, world.region.id)
    assert sorted(e.full_name.split()[0] for e, _ in later) == ["Кислородова", "Химикова"]


async def test_free_places_filter_and_a_curator_never_sees_their_own_school(
    db: AsyncSession, world: World
) -> None:
    full = await directory_mentor(db, world.school_b, last_name="Занятова", capacity=1)
    await directory_mentor(db, world.school_b, last_name="Свободнова", capacity=1)
    await directory_mentor(db, world.school_a, last_name="Своя")
    await set_school(db, world.school_b.id)
    await db.execute(
        MentorDirectoryEntry.__table__.update()
        .where(MentorDirectoryEntry.mentor_profile_id == full.id)
        .values(load=1)
    )
    await set_region(db, world.region.id)
    rows, window = await search.search(
        db, search.MentorQuery(free_only=True), world.region.id, exclude_school_id=world.school_a.id
    )
    assert [e.full_name.split()[0] for e, _ in rows] == ["Свободнова"]
    assert window.total == 1


async def test_the_result_list_is_paged_in_sql(
    db: AsyncSession, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("nastavnik.platform.ui.pagination.PAGE_SIZE", 2)
    for i in range(5):
        await directory_mentor(db, world.school_b, last_name=f"Наставник{i}")
    await set_school(db, None)
    await set_region(db, world.region.id)
    rows, window = await search.search(db, search.MentorQuery(page=3), world.region.id)
    assert (len(rows), window.total, window.pages) == (1, 5, 3)


# --- pages and the inter-school loop ---------------------------------------------------


@pytest.fixture
async def school_c(db: AsyncSession, world: World) -> School:
    school = School(
        municipality_id=world.municipality_a.id, code=f"sc-{world.school_a.code[3:]}", name="Школа В",
        full_name="МБОУ «Школа В»", kind=SchoolKind.GENERAL,
    )  # fmt: skip
    db.add(school)
    await db.commit()
    return school


async def test_the_whole_inter_school_loop(
    browser_for: Browser,
    db: AsyncSession,
    world: World,
    curator_a: Persona,
    curator_b: Persona,
    school_c: School,
    settings: object,
) -> None:
    a, b = world.school_a, world.school_b
    mentor = await directory_mentor(db, b, last_name="Белова", first_name="Наталья", email="belova@b.ru",
                                    position="Учитель физики")  # fmt: skip
    await directory_mentor(db, a, last_name="Своя")
    await set_school(db, a.id)
    mentee = await make_person(
        db, a, kind=ParticipantKind.TEACHER, last_name="Гусева", first_name="Екатерина"
    )
    await give_consent(db, a, mentee)
    await make_mentee(db, a, mentee)
    await set_school(db, None)
    await db.commit()
    entry = await entry_of(db, b, mentor)
    await db.commit()

    browser_a = await browser_for(curator_a)
    found = await browser_a.get(f"/s/{a.code}/region/mentors?q=физика")
    assert found.status_code == 200
    assert "Белова Наталья" in found.text
    assert "Своя" not in found.text
    assert "belova@b.ru" not in found.text
    card_url = f"/s/{a.code}/region/mentors/{entry.id}"
    token = await csrf_token(browser_a, card_url)
    refused = await browser_a.post(
        f"{card_url}/request", data={"_csrf_token": token, "mentee": str(mentee.id)}
    )
    assert refused.status_code == 422
    assert "Напишите несколько слов о запросе" in refused.text
    assert f'value="{mentee.id}" selected' in refused.text
    sent = await browser_a.post(
        f"{card_url}/request",
        data={"_csrf_token": token, "mentee": str(mentee.id), "message": "Нужна помощь с лабораторными"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[:2000]
    pair_url_a = sent.headers["location"]
    pair_id = pair_url_a.rsplit("/", 1)[1]

    browser_b = await browser_for(curator_b)
    pair_url_b = f"/s/{b.code}/region/pairs/{pair_id}"
    incoming = await browser_b.get(f"/s/{b.code}/region/pairs")
    assert "Гусева Екатерина" in incoming.text
    token_b = await csrf_token(browser_b, pair_url_b)
    # B's curator accepts first: the pair waits for the mentor, who answers in their workspace.
    half = await browser_b.post(
        f"{pair_url_b}/decision",
        data={"_csrf_token": token_b, "decision": "accept", "note": "С октября"},
        follow_redirects=False,
    )
    assert half.status_code == 303
    waiting = await browser_a.get(pair_url_a)
    assert "Запрос отправлен" in waiting.text
    assert "belova@b.ru" not in waiting.text
    mentor_b = await browser_for(await mentor_persona(db, settings, b, mentor))
    own_url = f"/s/{b.code}/my-cross-pairs/{pair_id}"
    assert "Гусева Екатерина" in (await mentor_b.get(f"/s/{b.code}/my-cross-pairs")).text
    token_m = await csrf_token(mentor_b, own_url)
    refused = await mentor_b.post(f"{own_url}/answer", data={"_csrf_token": token_m, "decision": "decline"})
    assert refused.status_code == 422
    assert "Напишите причину отказа" in refused.text
    accepted = await mentor_b.post(
        f"{own_url}/answer", data={"_csrf_token": token_m, "decision": "accept"}, follow_redirects=False
    )
    assert accepted.status_code == 303

    seen_by_a = await browser_a.get(pair_url_a)
    assert "Пара согласована" in seen_by_a.text
    assert "belova@b.ru" in seen_by_a.text  # the contact, once agreed
    seen_by_b = await browser_b.get(pair_url_b)
    assert "Гусева Екатерина" in seen_by_b.text
    assert "belova@b.ru" not in seen_by_b.text or "Контакт наставника" not in seen_by_b.text

    token_a = await csrf_token(browser_a, pair_url_a)
    bad = await browser_a.post(
        f"{pair_url_a}/meetings", data={"_csrf_token": token_a, "held_on": "31.02.2026", "topic": ""}
    )
    assert bad.status_code == 422
    assert "Укажите тему встречи" in bad.text
    logged = await browser_a.post(
        f"{pair_url_a}/meetings",
        data={"_csrf_token": token_a, "held_on": "2026-10-01", "topic": "Организационная встреча"},
        follow_redirects=False,
    )
    assert logged.status_code == 303
    assert "Организационная встреча" in (await browser_b.get(pair_url_b)).text

    for browser, url in ((browser_a, pair_url_a), (browser_b, pair_url_b)):
        pdf = await browser.get(f"{url}/order/pdf")
        assert pdf.status_code == 200
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "межшкольной" in re.sub(r"\s+", " ", text)
        docx = await browser.get(f"{url}/order/docx")
        body = "\n".join(p.text for p in DocxDocument(io.BytesIO(docx.content)).paragraphs)
        assert "Гусева Екатерина" in body

    # A third school's curator knows nothing of the pair.
    curator_c = await make_persona(db, settings, "curator_c", [*_curator_of(school_c)])  # type: ignore[arg-type]
    browser_c = await browser_for(curator_c)
    assert (await browser_c.get(f"/s/{school_c.code}/region/pairs/{pair_id}")).status_code == 404
    assert (await browser_c.get(f"/s/{school_c.code}/region/pairs/{pair_id}/order/pdf")).status_code == 404
    assert "Гусева" not in (await browser_c.get(f"/s/{school_c.code}/region/pairs")).text

    await set_school(db, None)
    reads = await db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "cross_school_pair.read", AuditEvent.object_id == pair_id)
    )
    assert reads and reads >= 4
    await set_school(db, b.id)
    stored = await db.get(CrossSchoolPair, __import__("uuid").UUID(pair_id))
    assert stored is not None and stored.status is CrossSchoolPairStatus.ACCEPTED


def _curator_of(school: School) -> list[object]:
    from nastavnik.platform.auth.permissions import Membership, Role, Scope

    return [Membership(Scope.SCHOOL, school.code, Role.CURATOR)]


async def test_a_pupil_needs_the_parents_consent_to_the_transfer(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona
) -> None:
    a, b = world.school_a, world.school_b
    mentor = await directory_mentor(db, b, last_name="Белова")
    await set_school(db, a.id)
    pupil = await make_person(db, a, last_name="Ученикова")
    await give_consent(db, a, pupil)
    await make_mentee(db, a, pupil)
    await db.commit()
    entry = await entry_of(db, b, mentor)
    await db.commit()
    browser = await browser_for(curator_a)
    url = f"/s/{a.code}/region/mentors/{entry.id}"
    reply = await browser.post(
        f"{url}/request",
        data={"_csrf_token": await csrf_token(browser, url), "mentee": str(pupil.id), "message": "Помогите"},
    )
    assert reply.status_code == 422
    assert "Согласие родителя не разрешает передавать сведения" in reply.text


async def test_tutors_search_the_region_and_the_ministry_does_not(
    browser_for: Browser, db: AsyncSession, world: World, cnppm_tutor: Persona, ministry_viewer: Persona
) -> None:
    profile = await directory_mentor(db, world.school_b, last_name="Тьюторова")
    await db.commit()
    entry = await entry_of(db, world.school_b, profile)
    await db.commit()
    tutor = await browser_for(cnppm_tutor)
    page = await tutor.get(f"/r/{world.region.code}/mentors/?competency=ict")
    assert page.status_code == 200
    assert "Тьюторова" in page.text
    assert (await tutor.get(f"/r/{world.region.code}/mentors/{entry.id}")).status_code == 200
    ministry = await browser_for(ministry_viewer)
    assert (await ministry.get(f"/r/{world.region.code}/mentors/")).status_code == 404
