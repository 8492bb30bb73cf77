"""Meetings: logged from the pair's page by its mentor or the curator, school-level meetings,
and the curator's watch (quiet pairs, no organisational meeting, counts per direction)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.school.meetings.models import Meeting, MeetingKind
from nastavnik.school.meetings.services import watch
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, World, csrf_token
from tests.functional._matching import TODAY, YEAR, SmallPool, mentee, small_pool

pytestmark = pytest.mark.anyio


@pytest.fixture
async def pool(db: AsyncSession, world: World, mentor_a: Persona) -> SmallPool:
    return await small_pool(db, world.school_a, mentor_a.user.id)


async def make_pair(
    db: AsyncSession, world: World, pool: SmallPool, *, group: bool = False, started: dt.date | None = None
) -> Mentorship:
    school = world.school_a
    await set_school(db, school.id)
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    mentees = [pool.ivanova, pool.sidorova] if group else [pool.ivanova]
    for profile in [*mentees, pool.smirnova]:
        await db.refresh(profile, ["participant", "directions"])
    mentorship = await create_mentorship(
        db, school, year=YEAR, form=form, mentors=[pool.smirnova], mentees=mentees, started_on=started
    )
    await db.commit()
    return mentorship


async def test_mentor_logs_a_meeting_in_a_few_clicks_and_the_pair_starts_working(
    browser_for: Browser, db: AsyncSession, world: World, mentor_a: Persona, pool: SmallPool
) -> None:
    mentorship = await make_pair(db, world, pool)
    browser = await browser_for(mentor_a)
    url = f"/s/{world.school_a.code}/pairs/{mentorship.id}"
    page = await browser.get(url)
    # The form suggests the next meeting of the usual sequence and today's date.
    assert '<option value="organisational" selected>' in page.text
    token = await csrf_token(browser, url)
    reply = await browser.post(
        url + "/meetings",
        data={
            "_csrf_token": token,
            "kind": "organisational",
            "held_on": TODAY.isoformat(),
            "duration_minutes": "40",
            "format": "online",
            "topic": "Знакомство",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await db.refresh(mentorship)
    assert mentorship.status is MentorshipStatus.ACTIVE
    page = await browser.get(url)
    assert "Знакомство" in page.text
    assert '<option value="trial" selected>' in page.text


async def test_meeting_in_the_future_is_refused_next_to_the_field(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    mentorship = await make_pair(db, world, pool)
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/pairs/{mentorship.id}"
    token = await csrf_token(browser, url)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    reply = await browser.post(
        url + "/meetings",
        data={
            "_csrf_token": token,
            "kind": "regular",
            "held_on": tomorrow,
            "duration_minutes": "3",
            "topic": "Тема",
        },
    )
    assert reply.status_code == 422
    assert "дата не может быть в будущем" in reply.text
    assert "от 5 до 600 минут" in reply.text
    assert 'value="Тема"' in reply.text


async def test_group_meeting_records_who_was_there(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    mentorship = await make_pair(db, world, pool, group=True)
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/pairs/{mentorship.id}"
    token = await csrf_token(browser, url)
    form = (await browser.get(url)).text
    for member in mentorship.members:  # one checkbox per member of the group, ticked by default
        assert f'value="{member.participant_id}"' in form
    assert form.count('name="present"') == len(mentorship.members)
    present = [str(pool.smirnova.participant_id), str(pool.ivanova.participant_id)]
    reply = await browser.post(
        url + "/meetings",
        data={
            "_csrf_token": token,
            "kind": "organisational",
            "held_on": TODAY.isoformat(),
            "duration_minutes": "45",
            "format": "in_person",
            "present": present,
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert "присутствовали: 2 из 3" in (await browser.get(url)).text


async def test_mentor_cannot_log_a_meeting_of_someone_elses_pair(
    browser_for: Browser,
    db: AsyncSession,
    world: World,
    mentor_a: Persona,
    curator_a: Persona,
    pool: SmallPool,
) -> None:
    school = world.school_a
    await set_school(db, school.id)
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    for profile in (pool.petrov, pool.kuznetsov):
        await db.refresh(profile, ["participant", "directions"])
    other = await create_mentorship(
        db, school, year=YEAR, form=form, mentors=[pool.kuznetsov], mentees=[pool.petrov], started_on=None
    )
    await db.commit()
    browser = await browser_for(mentor_a)
    token = await csrf_token(browser, f"/s/{school.code}/meetings/")
    reply = await browser.post(
        f"/s/{school.code}/pairs/{other.id}/meetings",
        data={"_csrf_token": token, "kind": "regular", "held_on": TODAY.isoformat()},
    )
    assert reply.status_code == 404


async def test_curator_records_school_level_meetings(
    browser_for: Browser, world: World, curator_a: Persona
) -> None:
    browser = await browser_for(curator_a)
    url = f"/s/{world.school_a.code}/meetings"
    token = await csrf_token(browser, url + "/")
    reply = await browser.post(
        url,
        data={
            "_csrf_token": token,
            "kind": "group_meeting",
            "held_on": TODAY.isoformat(),
            "duration_minutes": "90",
            "format": "in_person",
            "topic": "Знакомство наставников и наставляемых",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    page = await browser.get(url + "/")
    assert "Групповая встреча наставников и наставляемых" in page.text
    bad = await browser.post(
        url, data={"_csrf_token": token, "kind": "regular", "held_on": TODAY.isoformat()}
    )
    assert bad.status_code == 422  # a pair's meeting is not a school-level one


async def test_watch_lists_quiet_pairs_pairs_without_the_first_meeting_and_counts_per_direction(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    quiet = await make_pair(db, world, pool, started=TODAY - dt.timedelta(days=40))
    await set_school(db, world.school_a.id)
    db.add(
        Meeting(
            school_id=world.school_a.id,
            mentorship_id=quiet.id,
            academic_year=YEAR,
            kind=MeetingKind.TRIAL,
            held_on=TODAY - dt.timedelta(days=30),
        )
    )
    await db.commit()
    result = await watch(db, world.school_a, YEAR, TODAY)
    assert [q.mentorship.id for q in result.quiet] == [quiet.id]
    assert result.quiet[0].days == 30
    assert [m.id for m in result.no_organisational] == [quiet.id]
    motivation = next(r for r in result.by_direction if r.direction.code == "motivation")
    assert motivation.counts[MeetingKind.TRIAL] == 1
    home = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/")
    assert "Без встреч три недели и дольше" in home.text
    assert "Не было организационной встречи" in home.text
    assert "Встречи по направлениям" in home.text


async def test_mentor_sees_own_meetings_only(
    browser_for: Browser, db: AsyncSession, world: World, mentor_a: Persona, pool: SmallPool
) -> None:
    await make_pair(db, world, pool)
    other = await mentee(db, world.school_a, "Чужая", ("career",))
    assert other
    page = await (await browser_for(mentor_a)).get(f"/s/{world.school_a.code}/meetings/")
    assert page.status_code == 200
    assert "Встречи моих пар" in page.text
    assert "Работа пар и групп" not in page.text


async def test_meetings_table_exists_for_every_logged_meeting(db: AsyncSession, world: World) -> None:
    await set_school(db, world.school_a.id)
    assert (await db.execute(select(Meeting))).first() is None


# --- another school's user gets 404 everywhere ------------------------------------------------


async def test_user_of_school_b_gets_404_on_school_a_meetings(
    browser_for: Browser,
    db: AsyncSession,
    world: World,
    curator_a: Persona,
    curator_b: Persona,
    pool: SmallPool,
) -> None:
    url = f"/s/{world.school_a.code}/meetings/"
    assert (await (await browser_for(curator_a)).get(url)).status_code == 200
    browser = await browser_for(curator_b)
    assert (await browser.get(url)).status_code == 404
    mentorship = await make_pair(db, world, pool)
    await set_school(db, world.school_a.id)
    meeting = Meeting(
        school_id=world.school_a.id,
        mentorship_id=mentorship.id,
        academic_year=YEAR,
        kind=MeetingKind.REGULAR,
        held_on=TODAY,
    )
    db.add(meeting)
    await db.commit()
    token = await csrf_token(browser, f"/s/{world.school_b.code}/meetings/")
    for action in (
        f"/s/{world.school_a.code}/meetings",
        f"/s/{world.school_a.code}/meetings/{meeting.id}/delete",
    ):
        reply = await browser.post(action, data={"_csrf_token": token, "kind": "group_meeting"})
        assert reply.status_code == 404
