"""The regional layer's own policies, as the app role at the SQL level: the mentor directory
(read by region or municipality, written by the mentor's own school) and inter-school pairs
(readable by exactly their two schools; no pupil data of school A reachable by school B
beyond the pair's agreed fields)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import new_id, set_region, set_school
from nastavnik.school.directory.models import CrossSchoolMeeting, CrossSchoolPair, MentorDirectoryEntry
from nastavnik.school.participants.models import Consent, MenteeProfile, MentorProfile, Participant
from nastavnik.tenants.models import Municipality, Region, School, SchoolKind
from tests.conftest import World
from tests.functional._directory import cross_school_pair, directory_mentor

pytestmark = pytest.mark.anyio


async def count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def third_school(db: AsyncSession, world: World) -> School:
    school = School(
        municipality_id=world.municipality_a.id,
        code=f"sc-{uuid.uuid4().hex[:6]}",
        name="Школа В",
        full_name="МБОУ «Школа В»",
        kind=SchoolKind.GENERAL,
    )
    db.add(school)
    await db.flush()
    return school


async def test_new_tables_force_row_level_security_for_the_app_role(db: AsyncSession) -> None:
    # The directory is enabled, not forced: its owner runs the search function (below).
    row = (
        await db.execute(
            text(
                "SELECT relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) <> current_user "
                "FROM pg_class WHERE relname = 'mentor_directory_entry'"
            )
        )
    ).one()
    assert row == (True, False, True)
    for table in ("cross_school_pair", "cross_school_meeting", "mentor_directory_word"):
        row = (
            await db.execute(
                text(
                    "SELECT relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) <> current_user "
                    "FROM pg_class WHERE relname = :t"
                ),
                {"t": table},
            )
        ).one()
        assert row == (True, True, True), table


async def test_the_directory_is_read_by_its_region_and_by_one_municipality(
    db: AsyncSession, world: World
) -> None:
    await directory_mentor(db, world.school_a, last_name="Альфина")
    await directory_mentor(db, world.school_b, last_name="Бетова")
    await set_school(db, None)
    await set_region(db, None)
    assert await count(db, MentorDirectoryEntry) == 0
    await set_region(db, world.region.id)
    names = set((await db.execute(select(MentorDirectoryEntry.full_name))).scalars())
    assert {n.split()[0] for n in names} == {"Альфина", "Бетова"}
    await set_region(db, world.region.id, world.municipality_b.id)
    names = set((await db.execute(select(MentorDirectoryEntry.full_name))).scalars())
    assert {n.split()[0] for n in names} == {"Бетова"}
    other = Region(code=f"ro-{uuid.uuid4().hex[:6]}", name="Другая")
    db.add(other)
    await db.flush()
    await set_region(db, other.id)
    assert await count(db, MentorDirectoryEntry) == 0


async def test_a_school_without_the_region_scope_reads_only_its_own_cards(
    db: AsyncSession, world: World
) -> None:
    await directory_mentor(db, world.school_a, last_name="Альфина")
    await directory_mentor(db, world.school_b, last_name="Бетова")
    await set_region(db, None)
    await set_school(db, world.school_b.id)
    names = [n.split()[0] for n in (await db.execute(select(MentorDirectoryEntry.full_name))).scalars()]
    assert names == ["Бетова"]


async def test_a_school_cannot_write_or_delete_another_schools_card(db: AsyncSession, world: World) -> None:
    profile = await directory_mentor(db, world.school_a, last_name="Альфина")
    await set_school(db, world.school_b.id)
    await set_region(db, world.region.id)
    deleted = await db.execute(
        text("DELETE FROM mentor_directory_entry WHERE school_id = :a"), {"a": world.school_a.id}
    )
    assert deleted.rowcount == 0  # type: ignore[attr-defined]
    updated = await db.execute(
        text("UPDATE mentor_directory_entry SET full_name = 'Чужой' WHERE school_id = :a"),
        {"a": world.school_a.id},
    )
    assert updated.rowcount == 0  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "INSERT INTO mentor_directory_entry (id, region_id, municipality_id, school_id, "
                    "mentor_profile_id, participant_id, academic_year, full_name, position, "
                    "participant_kind, "
                    "school_name, school_kind, municipality_name, subjects, competency_codes, "
                    "competency_titles, direction_titles, form_codes, trainings, competencies_text, "
                    "capacity, load, search_text) VALUES (:id, :r, :m, :a, :p, :pp, 2025, 'Подделка', '', "
                    "'teacher', '', 'general', '', '{}', '{}', '{}', '{}', '{}', '{}', '', 1, 0, '')"
                ),
                {
                    "id": new_id(),
                    "r": world.region.id,
                    "m": world.municipality_a.id,
                    "a": world.school_a.id,
                    "p": profile.id,
                    "pp": profile.participant_id,
                },
            )


async def test_a_school_cannot_stamp_its_card_with_another_region(db: AsyncSession, world: World) -> None:
    await directory_mentor(db, world.school_a, last_name="Альфина")
    other = Region(code=f"ro-{uuid.uuid4().hex[:6]}", name="Другая")
    db.add(other)
    await db.flush()
    other_municipality = Municipality(region_id=other.id, code=f"mo-{uuid.uuid4().hex[:6]}", name="Другой")
    db.add(other_municipality)
    await db.flush()
    await set_school(db, world.school_a.id)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "UPDATE mentor_directory_entry SET region_id = :r, municipality_id = :m "
                    "WHERE school_id = :a"
                ),
                {"r": other.id, "m": other_municipality.id, "a": world.school_a.id},
            )


async def test_an_inter_school_pair_is_read_by_its_two_schools_only(db: AsyncSession, world: World) -> None:
    pair, _, _ = await cross_school_pair(db, world.school_a, world.school_b)
    third = await third_school(db, world)
    for school, seen in ((world.school_a, 1), (world.school_b, 1), (third, 0)):
        await set_school(db, school.id)
        await set_region(db, world.region.id)
        assert await count(db, CrossSchoolPair) == seen, school.name
    await set_school(db, None)
    assert await count(db, CrossSchoolPair) == 0
    await set_school(db, third.id)
    changed = await db.execute(
        text("UPDATE cross_school_pair SET status = 'accepted' WHERE id = :id"), {"id": pair.id}
    )
    assert changed.rowcount == 0  # type: ignore[attr-defined]


async def test_nobody_deletes_an_inter_school_pair(db: AsyncSession, world: World) -> None:
    pair, _, _ = await cross_school_pair(db, world.school_a, world.school_b)
    for school in (world.school_a, world.school_b):
        await set_school(db, school.id)
        gone = await db.execute(text("DELETE FROM cross_school_pair WHERE id = :id"), {"id": pair.id})
        assert gone.rowcount == 0  # type: ignore[attr-defined]
    await set_school(db, world.school_a.id)
    assert await count(db, CrossSchoolPair) == 1


async def test_the_mentor_school_cannot_file_a_request_in_the_mentee_schools_name(
    db: AsyncSession, world: World
) -> None:
    pair, _, _ = await cross_school_pair(db, world.school_a, world.school_b)
    await set_school(db, world.school_b.id)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "INSERT INTO cross_school_pair (id, region_id, mentee_school_id, mentor_school_id, "
                    "mentee_participant_id, mentor_profile_id, form_id, status, mentee_name, mentee_kind, "
                    "direction_titles, mentor_name, mentor_position, mentor_subjects, "
                    "mentor_competency_titles, "
                    "mentor_contact, message, decision_note, mentor_agreed, order_number) "
                    "SELECT :id, region_id, mentee_school_id, mentor_school_id, mentee_participant_id, "
                    "mentor_profile_id, form_id, 'accepted', mentee_name, mentee_kind, direction_titles, "
                    "mentor_name, "
                    "'', '{}', '{}', '', '', '', true, '' FROM cross_school_pair WHERE id = :pair"
                ),
                {"id": new_id(), "pair": pair.id},
            )


async def test_school_b_reaches_no_pupil_data_of_school_a_beyond_the_agreed_fields(
    db: AsyncSession, world: World
) -> None:
    pair, pupil, _ = await cross_school_pair(db, world.school_a, world.school_b, pupil=True)
    await set_school(db, world.school_b.id)
    await set_region(db, world.region.id)
    # The pupil's own rows stay behind school A's policy, whatever B asks.
    assert (
        await db.scalar(select(func.count()).select_from(Participant).where(Participant.id == pupil.id)) == 0
    )
    assert (
        await db.scalar(select(func.count()).select_from(Consent).where(Consent.participant_id == pupil.id))
        == 0
    )
    assert (
        await db.scalar(
            select(func.count()).select_from(MenteeProfile).where(MenteeProfile.participant_id == pupil.id)
        )
        == 0
    )
    joined = await db.execute(
        select(Participant.birth_date).join(
            CrossSchoolPair,
            (CrossSchoolPair.mentee_school_id == Participant.school_id)
            & (CrossSchoolPair.mentee_participant_id == Participant.id),
        )
    )
    assert joined.all() == []
    # What B reads is the pair's own row: the agreed fields and no birth date, class or contact.
    row = (
        (await db.execute(text("SELECT * FROM cross_school_pair WHERE id = :id"), {"id": pair.id}))
        .mappings()
        .one()
    )
    assert row["mentee_name"] == pupil.full_name
    assert not {"birth_date", "grade", "class_letter", "email", "phone"} & set(row.keys())


async def test_meetings_of_a_pair_are_seen_and_logged_by_its_schools_only(
    db: AsyncSession, world: World
) -> None:
    pair, _, _ = await cross_school_pair(db, world.school_a, world.school_b)
    third = await third_school(db, world)
    await set_school(db, world.school_b.id)
    db.add(
        CrossSchoolMeeting(
            pair_id=pair.id,
            logged_by_school_id=world.school_b.id,
            held_on=pair.created_at.date(),
            topic="Первая",
        )
    )
    await db.flush()
    await set_school(db, world.school_a.id)
    assert await count(db, CrossSchoolMeeting) == 1
    await set_school(db, third.id)
    assert await count(db, CrossSchoolMeeting) == 0
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            db.add(
                CrossSchoolMeeting(
                    pair_id=pair.id,
                    logged_by_school_id=third.id,
                    held_on=pair.created_at.date(),
                    topic="Чужая",
                )
            )
            await db.flush()


SEARCH = (
    "SELECT id FROM mentor_directory_search("
    ":year, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, 1000, 0, 100)"
)


async def test_the_search_function_keeps_to_the_transactions_region(db: AsyncSession, world: World) -> None:
    profile = await directory_mentor(db, world.school_a, last_name="Альфина")
    year = {"year": (await db.get(MentorProfile, (world.school_a.id, profile.id))).academic_year}  # type: ignore[union-attr]
    await set_school(db, None)
    await set_region(db, None)
    assert (await db.execute(text(SEARCH), year)).all() == []
    await set_school(db, world.school_a.id)  # a school's own scope is not a region's
    assert (await db.execute(text(SEARCH), year)).all() == []
    await set_school(db, None)
    await set_region(db, world.region.id, world.municipality_b.id)
    assert (await db.execute(text(SEARCH), year)).all() == []
    await set_region(db, world.region.id)
    assert len((await db.execute(text(SEARCH), year)).all()) == 1
    other = Region(code=f"ro-{uuid.uuid4().hex[:6]}", name="Другая")
    db.add(other)
    await db.flush()
    await set_region(db, other.id)
    assert (await db.execute(text(SEARCH), year)).all() == []
