"""Matching rounds over HTTP: the pool, the proposal and its edits, approval and the order."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.platform.settings import Settings
from nastavnik.school.matching.models import (
    MatchingPreference,
    MatchingProposal,
    MatchingRound,
    PreferenceSide,
)
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.participants.models import Participant
from nastavnik.school.questionnaires import services as questionnaires
from nastavnik.school.questionnaires.models import QuestionnaireKind, Survey, SurveyResponse
from tests.conftest import Browser, Persona, PersonaBrowser, World, csrf_token
from tests.functional import _matching
from tests.functional._matching import TODAY, YEAR, SmallPool, consent, small_pool
from tests.functional.roadmap_support import start_roadmap

pytestmark = pytest.mark.anyio

YEAR_TITLE = f"{YEAR}-{YEAR + 1}"


@pytest.fixture
async def pool(db: AsyncSession, world: World, mentor_a: Persona) -> SmallPool:
    return await small_pool(db, world.school_a, mentor_a.user.id)


async def start_round(browser: PersonaBrowser, world: World, mode: str = "best_fit") -> str:
    base = f"/s/{world.school_a.code}/matching"
    token = await csrf_token(browser, base + "/")
    reply = await browser.post(
        base + "/rounds",
        data={"_csrf_token": token, "academic_year": YEAR_TITLE, "form": "teacher_student", "mode": mode},
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    return str(reply.headers["location"])


async def rows(db: AsyncSession, world: World, round_url: str) -> list[MatchingProposal]:
    await set_school(db, world.school_a.id)
    round_id = round_url.rstrip("/").split("/")[-1]
    result = await db.execute(select(MatchingProposal).where(MatchingProposal.round_id == round_id))
    return list(result.scalars())


async def post(browser: PersonaBrowser, url: str, page: str, **data: str) -> int:
    token = await csrf_token(browser, page)
    reply = await browser.post(url, data={"_csrf_token": token, **data}, follow_redirects=False)
    return reply.status_code


async def test_curator_runs_a_round_and_sees_pairs_with_reasons_in_words(
    browser_for: Browser, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world)
    page = await browser.get(url)
    assert page.status_code == 200
    text = page.text
    assert "Иванова Анна Петровна" in text
    assert "Смирнова Анна Петровна" in text
    assert "Наставник прошёл обучение" in text
    assert "Направления: 1 из 1" in text


async def test_mentee_without_consent_is_never_in_the_pool(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world, mode="coverage")
    page = await browser.get(url)
    assert "Безсогласия" not in page.text
    mentee_ids = {r.mentee_profile_id for r in await rows(db, world, url)}
    assert pool.no_consent.id not in mentee_ids
    assert {pool.ivanova.id, pool.petrov.id, pool.sidorova.id} == mentee_ids


async def test_capacity_is_respected_and_the_left_out_mentee_gets_a_reason_and_next_step(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world, mode="coverage")
    proposal = await rows(db, world, url)
    # Three places for three mentees: everyone is covered and nobody over capacity.
    assert sum(1 for r in proposal if r.mentor_profile_id == pool.smirnova.id) <= 2
    assert sum(1 for r in proposal if r.mentor_profile_id == pool.kuznetsov.id) <= 1
    assert all(r.mentor_profile_id for r in proposal)
    # Exclude one pair: the mentee now waits with a reason and a next step.
    row = next(r for r in proposal if r.mentee_profile_id == pool.ivanova.id)
    assert await post(browser, url + "/exclude", url, proposal=str(row.id)) == 303
    page = await browser.get(url)
    assert "Куратор исключил предложенную пару" in page.text
    assert "Запустите подбор заново" in page.text


async def test_excluded_pair_is_never_proposed_again_on_rerun(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world)
    row = next(r for r in await rows(db, world, url) if r.mentee_profile_id == pool.ivanova.id)
    excluded_mentor = row.mentor_profile_id
    await post(browser, url + "/exclude", url, proposal=str(row.id))
    assert await post(browser, url + "/rerun", url, mode="coverage") == 303
    again = next(r for r in await rows(db, world, url) if r.mentee_profile_id == pool.ivanova.id)
    assert again.mentor_profile_id != excluded_mentor
    if again.mentor_profile_id is None:
        assert again.unmatched_text


async def test_locked_pair_is_kept_when_the_round_is_run_again(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world)
    row = next(r for r in await rows(db, world, url) if r.mentee_profile_id == pool.petrov.id)
    # Lock Petrov with Kuznetsov whatever was proposed: swap first if needed.
    assert await post(browser, url + "/lock", url, proposal=str(row.id)) == 303
    locked_mentor = row.mentor_profile_id
    assert await post(browser, url + "/rerun", url, mode="coverage") == 303
    again = next(r for r in await rows(db, world, url) if r.mentee_profile_id == pool.petrov.id)
    assert again.locked
    assert again.mentor_profile_id == locked_mentor
    page = await browser.get(url)
    assert "Закреплена" in page.text


async def test_htmx_lock_returns_the_proposal_fragment(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world)
    row = (await rows(db, world, url))[0]
    token = await csrf_token(browser, url)
    reply = await browser.post(
        url + "/lock", data={"_csrf_token": token, "proposal": str(row.id)}, headers={"HX-Request": "true"}
    )
    assert reply.status_code == 200
    assert reply.text.lstrip().startswith('<div id="proposal">')
    assert "<html" not in reply.text


async def test_swap_exchanges_mentors_and_locks_both_pairs(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world, mode="coverage")
    before = {r.mentee_profile_id: r for r in await rows(db, world, url)}
    first, second = before[pool.petrov.id], before[pool.sidorova.id]
    first_mentor, second_mentor = first.mentor_profile_id, second.mentor_profile_id
    assert first_mentor != second_mentor
    assert await post(browser, url + "/swap", url, first=str(first.id), second=str(second.id)) == 303
    await db.refresh(first)
    await db.refresh(second)
    assert (first.mentor_profile_id, second.mentor_profile_id) == (second_mentor, first_mentor)
    assert first.locked and second.locked


async def test_swap_that_breaks_a_hard_rule_is_refused(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world, mode="coverage")
    by_mentee = {r.mentee_profile_id: r for r in await rows(db, world, url)}
    # A psychologist marks Ivanova and Kuznetsov incompatible after the run.
    people = f"/s/{world.school_a.code}/matching/people"
    assert (
        await post(
            browser,
            f"/s/{world.school_a.code}/matching/marks",
            people,
            mentee=str(pool.ivanova.participant_id),
            mentor=str(pool.kuznetsov.participant_id),
        )
        == 303
    )
    kuznetsov_row = next((r for r in by_mentee.values() if r.mentor_profile_id == pool.kuznetsov.id), None)
    assert kuznetsov_row is not None
    ivanova_row = by_mentee[pool.ivanova.id]
    assert (
        await post(browser, url + "/swap", url, first=str(ivanova_row.id), second=str(kuznetsov_row.id))
        == 303
    )
    page = await browser.get(url)
    assert "Поменять нельзя" in page.text
    assert "несовместим" in page.text


async def test_psychologists_mark_keeps_the_pair_out_of_the_next_round(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    people = f"/s/{world.school_a.code}/matching/people"
    for mentor in (pool.smirnova, pool.kuznetsov):
        assert (
            await post(
                browser,
                f"/s/{world.school_a.code}/matching/marks",
                people,
                mentee=str(pool.sidorova.participant_id),
                mentor=str(mentor.participant_id),
            )
            == 303
        )
    url = await start_round(browser, world)
    row = next(r for r in await rows(db, world, url) if r.mentee_profile_id == pool.sidorova.id)
    assert row.mentor_profile_id is None
    assert "педагога-психолога" in row.unmatched_text


async def test_a_group_is_approved_as_one_group_and_the_order_lists_every_pair(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world, mode="coverage")
    proposal = await rows(db, world, url)
    assert sum(1 for r in proposal if r.mentor_profile_id == pool.smirnova.id) == 2
    assert await post(browser, url + "/group", url, mentor=str(pool.smirnova.id)) == 303
    token = await csrf_token(browser, url)
    reply = await browser.post(
        url + "/approve",
        data={
            "_csrf_token": token,
            "order_number": "45-о",
            "order_date": "2025-10-01",
            "started_on": "2025-10-01",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    await set_school(db, world.school_a.id)
    matching_round = (
        await db.execute(select(MatchingRound).where(MatchingRound.school_id == world.school_a.id))
    ).scalar_one()
    assert matching_round.status == "approved"
    mentorships = list(
        (await db.execute(select(Mentorship).where(Mentorship.round_id == matching_round.id))).scalars()
    )
    assert sorted(m.is_group for m in mentorships) == [False, True]
    assert all(m.status is MentorshipStatus.FORMING for m in mentorships)

    pdf = await browser.get(url + "/order/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Об утверждении наставнических пар/групп" in flat
    for name in ("Иванова Анна Петровна", "Петров Олег Ильич", "Сидорова Анна Петровна"):
        assert name in flat
    assert "45-о" in flat
    docx = await browser.get(url + "/order/docx")
    assert docx.status_code == 200
    document = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert "Петров Олег Ильич" in document

    # Approved: the proposal no longer changes.
    assert await post(browser, url + "/rerun", url) == 303
    assert "Раунд уже утверждён" in (await browser.get(url)).text


async def test_approval_needs_an_order_number_and_keeps_what_was_typed(
    browser_for: Browser, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world)
    token = await csrf_token(browser, url)
    reply = await browser.post(
        url + "/approve", data={"_csrf_token": token, "order_number": "", "order_date": "2025-10-01"}
    )
    assert reply.status_code == 422
    assert "Укажите номер приказа." in reply.text
    assert 'value="2025-10-01"' in reply.text


async def test_approval_refuses_a_future_order_and_pairs_starting_before_it(
    browser_for: Browser, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world)
    token = await csrf_token(browser, url)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    future = await browser.post(
        url + "/approve", data={"_csrf_token": token, "order_number": "45-о", "order_date": tomorrow}
    )
    assert future.status_code == 422
    assert "Дата приказа не может быть в будущем" in future.text
    order_day = TODAY - dt.timedelta(days=3)
    early = await browser.post(
        url + "/approve",
        data={
            "_csrf_token": token,
            "order_number": "45-о",
            "order_date": order_day.isoformat(),
            "started_on": (order_day - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert early.status_code == 422
    assert f"Пары не начинают работу раньше приказа ({order_day:%d.%m.%Y})." in early.text
    assert 'value="45-о"' in early.text


async def test_a_draft_round_is_deleted_and_an_approved_one_stays(
    browser_for: Browser, world: World, curator_a: Persona, pool: SmallPool, db: AsyncSession
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world)
    page = await browser.get(url)
    assert f'action="{url}/delete"' in page.text
    token = await csrf_token(browser, url)
    reply = await browser.post(url + "/delete", data={"_csrf_token": token}, follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/s/{world.school_a.code}/matching"
    assert (await browser.get(url)).status_code == 404
    await set_school(db, world.school_a.id)
    assert (await db.execute(select(MatchingProposal))).first() is None
    # An approved round made pairs and an order: it is not deleted.
    url = await start_round(browser, world)
    token = await csrf_token(browser, url)
    approved = await browser.post(
        url + "/approve",
        data={"_csrf_token": token, "order_number": "12-о", "order_date": TODAY.isoformat()},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    kept = await browser.post(url + "/delete", data={"_csrf_token": token}, follow_redirects=False)
    assert kept.status_code == 303
    assert kept.headers["location"] == url
    page = await browser.get(url)
    assert page.status_code == 200
    assert "Утверждённый подбор не удаляется: по нему созданы пары и приказ." in page.text


async def test_round_start_validates_the_form(browser_for: Browser, world: World, curator_a: Persona) -> None:
    browser = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}/matching"
    token = await csrf_token(browser, base + "/")
    reply = await browser.post(
        base + "/rounds", data={"_csrf_token": token, "academic_year": "2025", "form": "", "mode": "best_fit"}
    )
    assert reply.status_code == 422
    assert "Выберите форму наставничества." in reply.text


async def test_school_weights_are_saved_and_checked(
    browser_for: Browser, world: World, curator_a: Persona
) -> None:
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/matching/settings"
    token = await csrf_token(browser, url)
    values = {
        "directions": "50",
        "subject": "10",
        "request_areas": "10",
        "trained": "10",
        "interviewed": "5",
        "mentee_preference": "10",
        "mentor_preference": "3",
        "mutual_preference": "2",
        "min_score": "0",
        "require_direction_overlap": "true",
    }
    reply = await browser.post(url, data={"_csrf_token": token, **values}, follow_redirects=False)
    assert reply.status_code == 303
    assert 'value="50"' in (await browser.get(url)).text
    bad = await browser.post(url, data={"_csrf_token": token, **values, "subject": "-3"})
    assert bad.status_code == 422
    assert "целое число от 0 до 100" in bad.text


async def test_mentor_cannot_open_matching(browser_for: Browser, world: World, mentor_a: Persona) -> None:
    reply = await (await browser_for(mentor_a)).get(f"/s/{world.school_a.code}/matching/")
    assert reply.status_code == 403


async def _preferences_link(
    browser: PersonaBrowser, db: AsyncSession, world: World, settings: Settings, audience: str, who: uuid.UUID
) -> str:
    """The curator sends the questionnaire after the group meeting; `who`'s personal link."""
    school = world.school_a
    await set_school(db, school.id)
    await questionnaires.adopt_all(db, school)
    await db.commit()
    questionnaire = (await questionnaires.current_questionnaires(db, school))[QuestionnaireKind.PREFERENCES]
    token = await csrf_token(browser, f"/s/{school.code}/questionnaires/?kind=preferences")
    reply = await browser.post(
        f"/s/{school.code}/questionnaires/surveys",
        data={
            "_csrf_token": token,
            "questionnaire_id": str(questionnaire.id),
            "audience": audience,
            "deadline": (TODAY + dt.timedelta(days=5)).isoformat(),
            "stage": "none",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    await set_school(db, school.id)
    response = await db.scalar(
        select(SurveyResponse)
        .join(
            Survey, (Survey.school_id == SurveyResponse.school_id) & (Survey.id == SurveyResponse.survey_id)
        )
        .where(
            SurveyResponse.school_id == school.id,
            SurveyResponse.participant_id == who,
            Survey.questionnaire_id == questionnaire.id,
        )
    )
    assert response is not None, "the person is asked"
    return f"/q/{questionnaires.response_token(settings.session_secret, response)}"


async def test_participant_states_preferences_in_the_questionnaire_after_the_group_meeting(
    browser_for: Browser,
    client: AsyncTestClient[Litestar],
    db: AsyncSession,
    settings: Settings,
    world: World,
    curator_a: Persona,
    pool: SmallPool,
) -> None:
    curator = await browser_for(curator_a)
    people = await curator.get(f"/s/{world.school_a.code}/matching/people")
    assert "Анкета после групповой встречи" in people.text
    assert "/preferences/" not in people.text  # the questionnaire replaced the bare preference links
    ivanova_link = await _preferences_link(
        curator, db, world, settings, "mentees", pool.ivanova.participant_id
    )
    page = await client.get(ivanova_link)
    assert page.status_code == 200
    assert "Смирнова Анна Петровна" in page.text and "Кузнецов Игорь Олегович" in page.text
    assert "Петров Олег" not in page.text  # a mentee chooses among the mentors
    token = re.search(r'name="_csrf_token"\s+value="([^"]+)"', page.text)
    assert token
    nobody = await client.post(ivanova_link, data={"_csrf_token": token.group(1), "impression": "4"})
    assert nobody.status_code == 422
    assert "Ответьте на этот вопрос" in nobody.text
    assert re.search(r'name="impression"\s+value="4"\s+checked', nobody.text)  # what was typed stays
    saved = await client.post(
        ivanova_link,
        data={
            "_csrf_token": token.group(1),
            "chosen": [str(pool.smirnova.participant_id)],
            "impression": "5",
            "why": "Понравилось, как она объясняет",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    await set_school(db, world.school_a.id)
    chosen = (
        await db.execute(
            select(
                MatchingPreference.chosen_id, MatchingPreference.side, MatchingPreference.entered_by_link
            ).where(
                MatchingPreference.school_id == world.school_a.id,
                MatchingPreference.chooser_id == pool.ivanova.participant_id,
            )
        )
    ).all()
    assert chosen == [(pool.smirnova.participant_id, PreferenceSide.MENTEE, True)]
    people = await curator.get(f"/s/{world.school_a.code}/matching/people")
    assert "Иванова Анна Петровна → Смирнова Анна Петровна" in people.text
    assert "1 из 3" in people.text  # the survey's answers, beside the preferences
    url = await start_round(curator, world)
    row = next(r for r in await rows(db, world, url) if r.mentee_profile_id == pool.ivanova.id)
    assert any("выбрал этого наставника" in r["text"] for r in row.reasons)


async def test_a_mentor_chooses_among_consented_mentees_only(
    browser_for: Browser,
    client: AsyncTestClient[Litestar],
    db: AsyncSession,
    settings: Settings,
    world: World,
    curator_a: Persona,
    pool: SmallPool,
) -> None:
    curator = await browser_for(curator_a)
    link = await _preferences_link(curator, db, world, settings, "mentors", pool.smirnova.participant_id)
    page = await client.get(link)
    assert page.status_code == 200
    assert "Иванова Анна Петровна" in page.text and "Петров Олег Ильич" in page.text
    assert "Безсогласия" not in page.text  # only consented people are shown to others
    token = re.search(r'name="_csrf_token"\s+value="([^"]+)"', page.text)
    assert token
    four = [str(p.participant_id) for p in (pool.ivanova, pool.petrov, pool.sidorova, pool.no_consent)]
    too_many = await client.post(
        link, data={"_csrf_token": token.group(1), "chosen": four, "impression": "3"}
    )
    assert too_many.status_code == 422
    assert "Отметьте людей из списка" in too_many.text or "не больше 3" in too_many.text
    assert (await client.get("/q/forged.token")).status_code == 404


# --- another school's user gets 404 everywhere ------------------------------------------------


@pytest.fixture
async def approved_round(browser_for: Browser, world: World, curator_a: Persona, pool: SmallPool) -> str:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world)
    token = await csrf_token(browser, url)
    await browser.post(
        url + "/approve", data={"_csrf_token": token, "order_number": "1", "order_date": "2025-10-01"}
    )
    return url


MATCHING_GETS = [
    "/",
    "/settings",
    "/people",
    "/rounds/{round}",
    "/rounds/{round}/order/pdf",
    "/rounds/{round}/order/docx",
]
MATCHING_POSTS = [
    "/rounds",
    "/settings",
    "/marks",
    "/preferences",
    "/rounds/{round}/lock",
    "/rounds/{round}/exclude",
    "/rounds/{round}/swap",
    "/rounds/{round}/group",
    "/rounds/{round}/rerun",
    "/rounds/{round}/approve",
    "/marks/{round}/delete",
    "/preferences/{round}/delete",
]


@pytest.mark.parametrize("route", MATCHING_GETS)
async def test_user_of_school_b_gets_404_on_school_a_matching_pages(
    browser_for: Browser,
    world: World,
    curator_a: Persona,
    curator_b: Persona,
    approved_round: str,
    route: str,
) -> None:
    round_id = approved_round.rstrip("/").split("/")[-1]
    url = f"/s/{world.school_a.code}/matching" + route.format(round=round_id)
    assert (await (await browser_for(curator_a)).get(url)).status_code == 200
    assert (await (await browser_for(curator_b)).get(url)).status_code == 404


@pytest.mark.parametrize("route", MATCHING_POSTS)
async def test_user_of_school_b_gets_404_on_school_a_matching_actions(
    browser_for: Browser, world: World, curator_b: Persona, approved_round: str, route: str
) -> None:
    round_id = approved_round.rstrip("/").split("/")[-1]
    browser = await browser_for(curator_b)
    token = await csrf_token(browser, f"/s/{world.school_b.code}/matching/")
    url = f"/s/{world.school_a.code}/matching" + route.format(round=round_id)
    reply = await browser.post(url, data={"_csrf_token": token, "proposal": "x", "mentor": "x"})
    assert reply.status_code == 404


async def test_people_page_pages_its_lists_and_opens_forms_on_demand(
    monkeypatch: pytest.MonkeyPatch, browser_for: Browser, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    from nastavnik.platform.ui import pagination

    monkeypatch.setattr(pagination, "PAGE_SIZE", 1)
    browser = await browser_for(curator_a)
    people = f"/s/{world.school_a.code}/matching/people"
    for mentor in (pool.smirnova, pool.kuznetsov):
        mark = {"mentee": str(pool.sidorova.participant_id), "mentor": str(mentor.participant_id)}
        assert await post(browser, f"/s/{world.school_a.code}/matching/marks", people, **mark) == 303
    first = (await browser.get(people)).text
    # One mark per page, the pager links to the second; the other lists keep their own pages.
    assert first.count("Снять отметку") == 1
    assert "marks_page=2" in first
    second = (await browser.get(people + "?marks_page=2&preferences_page=2")).text
    assert second.count("Снять отметку") == 1
    assert "preferences_page=2" in second  # kept in the marks pager's links
    # The forms' options (every person of the year) are not on the page until a form opens.
    assert "<option" not in first
    fragment = await browser.get(people + "/forms/mark", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.count("<option") >= 2 and "<html" not in fragment.text
    opened = (await browser.get(people + "?form=mark")).text
    assert 'id="mark-form" open' in opened and "<option" in opened
    plain = await browser.get(people + "/forms/mark", follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].endswith("?form=mark#mark-form")
    assert (await browser.get(people + "/forms/nothing")).status_code == 404
    # A refused form comes back open, with its message and what was chosen.
    token = await csrf_token(browser, people)
    refused = await browser.post(
        f"/s/{world.school_a.code}/matching/marks",
        data={"_csrf_token": token, "mentee": str(pool.sidorova.participant_id), "mentor": ""},
    )
    assert refused.status_code == 422
    assert 'id="mark-form" open' in refused.text and "Выберите наставника" in refused.text


async def test_an_unmatched_mentee_is_assigned_by_hand_to_a_mentor_with_a_free_place(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    fourth = await _matching.mentee(db, world.school_a, "Четвертакова", ("career",))
    await db.commit()
    browser = await browser_for(curator_a)
    url = await start_round(browser, world, mode="coverage")
    row = next(r for r in await rows(db, world, url) if r.mentor_profile_id is None)
    page = await browser.get(url)
    assert "Свободных мест у наставников нет" in page.text
    refused = await browser.post(
        url + "/assign",
        data={
            "_csrf_token": await csrf_token(browser, url),
            "proposal": str(row.id),
            "mentor": str(pool.kuznetsov.id),
        },
    )
    assert "нет свободных мест: занято 1 из 1" in refused.text
    # A teacher joins the mentors after the run: the unmatched row offers her free places.
    newcomer = await _matching.mentor(db, world.school_a, "Новикова", ("career",), capacity=2)
    await db.commit()
    page = await browser.get(url)
    assert f'<option value="{newcomer.id}">Новикова А.П. — свободно 2</option>' in page.text
    assert await post(browser, url + "/assign", url, proposal=str(row.id), mentor=str(newcomer.id)) == 303
    assigned = (
        await db.execute(
            select(MatchingProposal.mentor_profile_id, MatchingProposal.locked).where(
                MatchingProposal.id == row.id
            )
        )
    ).one()
    assert tuple(assigned) == (newcomer.id, True)
    page = await browser.get(url)
    assert "Остались без наставника" not in page.text
    covered = await db.scalar(
        select(func.count()).where(
            MatchingProposal.round_id == row.round_id, MatchingProposal.mentor_profile_id.is_not(None)
        )
    )
    assert covered == 4 == len({fourth.id, pool.ivanova.id, pool.petrov.id, pool.sidorova.id})


async def test_a_draft_rounds_counters_follow_its_people(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    browser = await browser_for(curator_a)
    url = await start_round(browser, world)
    round_id = url.rstrip("/").split("/")[-1]
    await set_school(db, world.school_a.id)
    matching_round = await db.get(MatchingRound, (world.school_a.id, round_id))
    assert matching_round is not None
    assert matching_round.stats["mentees"] == 3
    # A fourth mentee gets her consent after the run: the round counts her at once.
    person = await db.get(Participant, (world.school_a.id, pool.no_consent.participant_id))
    assert person is not None
    await consent(db, person)
    await db.commit()
    page = await browser.get(url)
    assert re.search(r"Наставляемых в подборе</[^>]+>\s*<[^>]+>4<", page.text)
    await db.refresh(matching_round)
    assert matching_round.stats["mentees"] == 4


async def test_an_approved_order_is_corrected_and_listed_on_the_documents_page(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    roadmap = await start_roadmap(browser_for, curator_a, world, db)
    browser = roadmap.browser
    url = await start_round(browser, world)
    token = await csrf_token(browser, url)
    approved = await browser.post(
        url + "/approve",
        data={
            "_csrf_token": token,
            "order_number": "12-о",
            "order_date": (TODAY - dt.timedelta(days=5)).isoformat(),
            "started_on": (TODAY - dt.timedelta(days=3)).isoformat(),
        },
        follow_redirects=False,
    )
    assert approved.status_code == 303

    async def correct(number: str, day: dt.date, reason: str = "Опечатка в номере") -> httpx.Response:
        return await browser.post(
            url + "/order/correct",
            data={
                "_csrf_token": token,
                "order_number": number,
                "order_date": day.isoformat(),
                "reason": reason,
            },
            follow_redirects=False,
        )

    late = await correct("12-о", TODAY - dt.timedelta(days=1))
    assert late.status_code == 422
    started = TODAY - dt.timedelta(days=3)
    assert f"Пары по приказу начали работу {started:%d.%m.%Y}: приказ не может быть позже." in late.text
    future = await correct("12-о", TODAY + dt.timedelta(days=1))
    assert "Дата приказа не может быть в будущем" in future.text
    same = await correct("12-о", TODAY - dt.timedelta(days=5))
    assert "исправлять нечего" in same.text
    no_reason = await correct("21-о", TODAY - dt.timedelta(days=4), reason="")
    assert "Напишите, почему исправляете" in no_reason.text
    assert 'value="21-о"' in no_reason.text

    assert (await correct("21-о", TODAY - dt.timedelta(days=4))).status_code == 303
    page = await browser.get(url)
    assert f"Было: № 12-о от {TODAY - dt.timedelta(days=5):%d.%m.%Y}" in page.text
    assert "Опечатка в номере" in page.text
    order = await browser.get(url + "/order/pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(order.content)).pages)
    assert "21-о" in text
    assert "12-о" not in text

    documents = await browser.get(f"/s/{world.school_a.code}/documents/{YEAR_TITLE}")
    assert "Приказы об утверждении наставнических пар" in documents.text
    assert f"№ 21-о от {TODAY - dt.timedelta(days=4):%d.%m.%Y}" in documents.text
    assert f"{url}/order/pdf" in documents.text
