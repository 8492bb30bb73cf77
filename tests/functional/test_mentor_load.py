"""A mentor's load counts mentees, in the bank's «free places» and in the matching pool."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.school.matching.services import MemberRole, _open_load
from nastavnik.school.pairs.models import MentorshipStatus
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.participants.search import BankFilters, search_bank
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import World
from tests.functional._matching import TODAY, YEAR, mentee, mentor

pytestmark = pytest.mark.anyio


async def test_a_group_of_three_uses_three_places_of_its_mentor(db: AsyncSession, world: World) -> None:
    school = world.school_a
    await set_school(db, school.id)
    teacher = await mentor(db, school, "Громова", capacity=3)
    spare = await mentor(db, school, "Светлов", capacity=1)
    pupils = [await mentee(db, school, name) for name in ("Акимов", "Белов", "Волков")]
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    group = await create_mentorship(
        db, school, year=YEAR, form=form, mentors=[teacher], mentees=pupils, started_on=TODAY
    )
    assert group.status in (MentorshipStatus.FORMING, MentorshipStatus.ACTIVE)

    load = await _open_load(db, school, YEAR, MemberRole.MENTOR)
    assert load == {teacher.participant_id: 3}

    page = await search_bank(db, school, "mentors", BankFilters(year=YEAR), show_unconsented=True)
    free = {row.participant.last_name: row.free for row in page.rows}
    assert free == {"Громова": 0, "Светлов": 1}
    only_free = await search_bank(
        db, school, "mentors", BankFilters(year=YEAR, free_only=True), show_unconsented=True
    )
    assert {row.participant.last_name for row in only_free.rows} == {"Светлов"}
    assert spare.capacity == 1

    group.status = MentorshipStatus.COMPLETED
    await db.flush()
    assert await _open_load(db, school, YEAR, MemberRole.MENTOR) == {}
