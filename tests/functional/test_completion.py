"""Completing the year on the demo school: results, cases, contests, letters, the public
page, closing the year and starting the next one."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_school
from nastavnik.platform.settings import Settings
from nastavnik.school.completion.demo import seed_school_completion
from nastavnik.school.completion.models import (
    Incentive,
    MentorPublication,
    PairResult,
    SchoolCase,
    SchoolContest,
    YearDocument,
    YearRecord,
)
from nastavnik.school.completion.public import PAGE_CACHE
from nastavnik.school.demo import demo_school, seed_school_demo
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.participants.models import MentorProfile, MentorStatus, Participant, local_today
from nastavnik.tenants.demo import seed_demo
from nastavnik.tenants.models import School
from tests.conftest import Browser, Persona, csrf_token, make_persona

pytestmark = pytest.mark.anyio

TODAY = local_today()
YEAR = AcademicYear.current(TODAY)
PAST = YEAR.previous()


@pytest.fixture
async def school(db: AsyncSession) -> School:
    assert await seed_demo(db, None)
    found = await demo_school(db)
    assert found is not None
    assert await seed_school_demo(db, found)
    assert await seed_school_completion(db, found, today=TODAY)
    await db.commit()
    return found


@pytest.fixture
async def curator(db: AsyncSession, settings: Settings, school: School) -> Persona:
    return await make_persona(
        db, settings, "curator_c", [Membership(Scope.SCHOOL, school.code, Role.CURATOR)]
    )


def pdf_text(content: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages)


async def test_the_demo_school_has_last_year_completed_and_a_public_page(
    db: AsyncSession, school: School, browser_for: Browser, curator: Persona
) -> None:
    await set_school(db, school.id)
    assert await db.scalar(select(func.count()).select_from(PairResult)) >= 2
    assert await db.scalar(select(func.count()).select_from(SchoolCase).where(SchoolCase.best_practice)) == 1
    contest = (await db.execute(select(SchoolContest))).scalar_one()
    assert contest.decided_on is not None
    assert await db.scalar(select(func.count()).select_from(YearDocument)) == 4
    record = (await db.execute(select(YearRecord))).scalar_one()
    assert record.academic_year == PAST.start and record.figures["pairs_completed"] >= 1
    assert not await seed_school_completion(db, school, today=TODAY), "seeding twice adds nothing"
    await db.commit()
    browser = await browser_for(curator)
    overview = await browser.get(f"/s/{school.code}/completion?year={PAST.title}")
    assert overview.status_code == 200
    assert "Год закрыт" in overview.text and "Прекращена" in overview.text
    for path in ("cases", "contests", "incentives", "public-page", "next-year"):
        reply = await browser.get(f"/s/{school.code}/completion/{path}?year={PAST.title}")
        assert reply.status_code == 200, path
    contest_page = await browser.get(f"/s/{school.code}/completion/contests/{contest.id}")
    assert "Лучший наставник-педагог" in contest_page.text and "Победитель" in contest_page.text


async def test_bulk_letters_decline_names_and_the_orders_list_the_awarded(
    db: AsyncSession, school: School, browser_for: Browser, curator: Persona
) -> None:
    browser = await browser_for(curator)
    letters = await browser.get(f"/s/{school.code}/completion/incentives/letters/pdf?year={PAST.title}")
    assert letters.status_code == 200 and letters.headers["content-type"] == "application/pdf"
    text = re.sub(r"\s+", " ", pdf_text(letters.content))
    assert "ГРАМОТА" in text and "БЛАГОДАРСТВЕННОЕ ПИСЬМО" in text
    assert "награждается" in text
    assert "за воспитание" in text, "a letter to the parents of a pupil-mentor"
    assert "Обществу с ограниченной ответственностью" in text or "благодарность" in text
    await set_school(db, school.id)
    parent = (await db.execute(select(Incentive.parent_name).where(Incentive.parent_name != ""))).scalar_one()
    await db.commit()
    from nastavnik.platform.documents.text import name_in
    from nastavnik.platform.russian import Case

    assert name_in(parent, Case.DATIVE) in text, "the parent is thanked in the dative"
    docx = await browser.get(f"/s/{school.code}/completion/incentives/letters/docx?year={PAST.title}")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    order = await browser.get(
        f"/s/{school.code}/completion/incentives/orders/incentives/pdf?year={PAST.title}"
    )
    order_text = re.sub(r"\s+", " ", pdf_text(order.content))
    assert "О поощрении наставников" in order_text and "Наградить грамотами" in order_text
    final = await browser.get(
        f"/s/{school.code}/completion/incentives/orders/final-event/docx?year={PAST.title}"
    )
    assert final.status_code == 200 and final.content[:2] == b"PK"


async def test_public_page_is_open_anonymously_cached_and_names_only_consented_mentors(
    db: AsyncSession, school: School, client: object
) -> None:
    from litestar.testing import AsyncTestClient

    assert isinstance(client, AsyncTestClient)
    page = await client.get(f"/public/{school.code}/nastavnichestvo")
    assert page.status_code == 200
    assert "public" in page.headers["cache-control"] and page.headers["etag"]
    again = await client.get(
        f"/public/{school.code}/nastavnichestvo", headers={"If-None-Match": page.headers["etag"]}
    )
    assert again.status_code == 304
    await set_school(db, school.id)
    agreed = set(
        await db.execute(
            select(Participant.last_name, Participant.first_name, Participant.middle_name).join(
                MentorPublication,
                (MentorPublication.school_id == Participant.school_id)
                & (MentorPublication.participant_id == Participant.id),
            )
        )
    )
    mentors = (
        await db.execute(
            select(Participant)
            .join(
                MentorProfile,
                (MentorProfile.school_id == Participant.school_id)
                & (MentorProfile.participant_id == Participant.id),
            )
            .where(MentorProfile.academic_year == YEAR.start)
        )
    ).scalars()
    mentors = list(mentors)
    pupils = list((await db.execute(select(Participant).where(Participant.kind == "pupil"))).scalars())
    await db.commit()
    assert len(agreed) == 3
    shown = [m.full_name for m in mentors if m.full_name in page.text]
    assert sorted(shown) == sorted(" ".join(p for p in a if p) for a in agreed)
    assert not [p.full_name for p in pupils if p.full_name in page.text], "no pupil is named"
    embed = await client.get(f"/public/{school.code}/nastavnichestvo/embed")
    assert embed.status_code == 200 and "frame-ancestors *" in embed.headers["content-security-policy"]
    documents = re.findall(r'/public/[^"]+/files/([0-9a-f-]{36})', page.text)
    assert len(documents) >= 3
    pdf = await client.get(f"/public/{school.code}/nastavnichestvo/files/{documents[0]}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (await client.get("/public/no-such-school/nastavnichestvo")).status_code == 404
    assert (await client.get(f"/s/{school.code}/completion", follow_redirects=False)).status_code == 303


async def test_republishing_invalidates_the_cached_page(
    db: AsyncSession, school: School, client: object, browser_for: Browser, curator: Persona
) -> None:
    from litestar.testing import AsyncTestClient

    assert isinstance(client, AsyncTestClient)
    before = await client.get(f"/public/{school.code}/nastavnichestvo")
    browser = await browser_for(curator)
    await set_school(db, school.id)
    person = (
        await db.execute(
            select(Participant)
            .join(
                MentorPublication,
                (MentorPublication.school_id == Participant.school_id)
                & (MentorPublication.participant_id == Participant.id),
            )
            .limit(1)
        )
    ).scalar_one()
    await db.commit()
    assert person.full_name in before.text
    path = f"/s/{school.code}/completion/public-page/mentors/{person.id}"
    token = await csrf_token(browser, path)
    reply = await browser.post(path, data={"_csrf_token": token, "agreed": ""}, follow_redirects=False)
    assert reply.status_code == 303
    token = await csrf_token(browser, f"/s/{school.code}/completion/public-page")
    reply = await browser.post(
        f"/s/{school.code}/completion/public-page?year={YEAR.title}",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    after = await client.get(f"/public/{school.code}/nastavnichestvo")
    assert after.headers["etag"] != before.headers["etag"]
    assert person.full_name not in after.text
    assert PAGE_CACHE.get(school.code, "page", before.headers["etag"]) is None, (
        "the old version left the cache"
    )


async def test_a_pair_is_closed_with_its_final_meeting_and_a_case_drafted_from_it(
    db: AsyncSession, school: School, browser_for: Browser, curator: Persona
) -> None:
    await set_school(db, school.id)
    pair = (
        await db.execute(
            select(Mentorship)
            .where(Mentorship.academic_year == YEAR.start, Mentorship.status == MentorshipStatus.ACTIVE)
            .order_by(Mentorship.number)
            .limit(1)
        )
    ).scalar_one()
    await db.commit()
    browser = await browser_for(curator)
    path = f"/s/{school.code}/completion/pairs/{pair.id}"
    token = await csrf_token(browser, path)
    bad = await browser.post(
        path, data={"_csrf_token": token, "outcome": "completed", "goals_met": "met", "results": ""}
    )
    assert bad.status_code == 422 and "Опишите результаты по целям плана" in bad.text
    reply = await browser.post(
        path,
        data={
            "_csrf_token": token,
            "outcome": "completed",
            "goals_met": "met",
            "results": "Цели достигнуты.",
            "held_on": TODAY.isoformat(),
            "duration_minutes": "45",
            "format": "in_person",
            "topic": "Итоги",
            "mentee_successful": "true",
            "continues": "true",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text[:800]
    await set_school(db, school.id)
    await db.refresh(pair)
    assert pair.status is MentorshipStatus.COMPLETED
    await db.commit()
    again = await browser.post(path, data={"_csrf_token": token, "outcome": "completed", "goals_met": "met"})
    assert again.status_code == 422 and "уже записан" in again.text
    drafted = await browser.post(f"{path}/case", data={"_csrf_token": token}, follow_redirects=False)
    assert drafted.status_code == 303
    case_page = await browser.get(drafted.headers["location"])
    assert case_page.status_code == 200 and "Цели достигнуты." in case_page.text


async def test_closing_the_year_freezes_it_and_the_next_year_carries_mentors_over(
    db: AsyncSession, school: School, browser_for: Browser, curator: Persona
) -> None:
    browser = await browser_for(curator)
    base = f"/s/{school.code}/completion"
    await set_school(db, school.id)
    going_on = (
        await db.execute(
            select(Mentorship)
            .where(Mentorship.academic_year == YEAR.start, Mentorship.status == MentorshipStatus.ACTIVE)
            .order_by(Mentorship.number)
            .limit(1)
        )
    ).scalar_one()
    await db.commit()
    token = await csrf_token(browser, f"{base}?year={YEAR.title}")
    result = {
        "outcome": "completed",
        "goals_met": "partly",
        "results": "Половина целей.",
        "continues": "true",
    }
    result |= {
        "held_on": TODAY.isoformat(),
        "duration_minutes": "45",
        "format": "in_person",
        "topic": "Итоги",
    }
    reply = await browser.post(f"{base}/pairs/{going_on.id}", data={"_csrf_token": token, **result})
    assert reply.status_code in {200, 303}
    early = await browser.post(f"{base}/next-year?year={YEAR.title}", data={"_csrf_token": token})
    assert early.status_code == 422 and "Сначала закройте" in early.text
    future = await browser.post(
        f"{base}/close?year={YEAR.title}", data={"_csrf_token": token, "closed_on": "2099-01-01"}
    )
    assert future.status_code == 422 and "2099-01-01" in future.text
    closed = await browser.post(
        f"{base}/close?year={YEAR.title}",
        data={"_csrf_token": token, "closed_on": TODAY.isoformat()},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    started = await browser.post(
        f"{base}/next-year?year={YEAR.title}", data={"_csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303
    await set_school(db, school.id)
    mentors = await db.scalar(
        select(func.count()).select_from(MentorProfile).where(MentorProfile.academic_year == YEAR.start)
    )
    carried = await db.scalar(
        select(func.count())
        .select_from(MentorProfile)
        .where(
            MentorProfile.academic_year == YEAR.next().start, MentorProfile.status == MentorStatus.CANDIDATE
        )
    )
    moved = (await db.execute(select(PairResult).where(PairResult.mentorship_id == going_on.id))).scalar_one()
    assert moved.continued_as_id is not None, "the continuing pair moved to the next year"
    continued = await db.get(Mentorship, (school.id, moved.continued_as_id))
    assert continued is not None and continued.academic_year == YEAR.next().start
    assert continued.status is MentorshipStatus.ACTIVE
    await db.commit()
    assert carried and mentors and carried >= mentors - 1
    page = await browser.get(started.headers["location"])
    assert page.status_code == 200 and "Кандидаты в наставники на проверку" in page.text


async def test_a_withdrawn_consent_takes_the_mentor_off_the_public_page_at_once(
    db: AsyncSession, school: School, client: object
) -> None:
    from litestar.testing import AsyncTestClient

    from nastavnik.school.participants.consents import withdraw_consent
    from nastavnik.school.participants.models import Consent

    assert isinstance(client, AsyncTestClient)
    await set_school(db, school.id)
    person = (
        await db.execute(
            select(Participant)
            .join(
                MentorPublication,
                (MentorPublication.school_id == Participant.school_id)
                & (MentorPublication.participant_id == Participant.id),
            )
            .order_by(Participant.last_name)
            .limit(1)
        )
    ).scalar_one()
    await db.commit()
    before = await client.get(f"/public/{school.code}/nastavnichestvo")
    assert person.full_name in before.text
    await set_school(db, school.id)
    for consent in (await db.execute(select(Consent).where(Consent.participant_id == person.id))).scalars():
        await withdraw_consent(db, consent, "Отозвано")
    await db.commit()
    after = await client.get(f"/public/{school.code}/nastavnichestvo")
    assert after.status_code == 200 and person.full_name not in after.text
