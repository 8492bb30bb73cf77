"""The rollups' own policies, as the app role at the SQL level: a region reads its rows, a
municipality only its schools' rows, a school writes only its own, and nobody else anything."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_region, set_school
from nastavnik.regional.indicators.models import RegionalBreakdown, RegionalSchoolYear, RegionalTarget
from nastavnik.tenants.models import Municipality, Region, School, SchoolKind
from tests.conftest import World

pytestmark = pytest.mark.anyio

YEAR = 2026


async def _other_region_school(db: AsyncSession) -> School:
    suffix = uuid.uuid4().hex[:6]
    region = Region(code=f"or-{suffix}", name="Другая область")
    db.add(region)
    await db.flush()
    municipality = Municipality(region_id=region.id, code=f"om-{suffix}", name="Другой округ")
    db.add(municipality)
    await db.flush()
    school = School(
        municipality_id=municipality.id,
        code=f"os-{suffix}",
        name="Чужая школа",
        full_name="Чужая",
        kind=SchoolKind.GENERAL,
    )
    db.add(school)
    await db.flush()
    return school


async def _write_rollup(db: AsyncSession, school: School, region_id: uuid.UUID, pairs: int) -> None:
    await set_school(db, school.id)
    db.add(
        RegionalSchoolYear(
            school_id=school.id,
            academic_year=YEAR,
            region_id=region_id,
            municipality_id=school.municipality_id,
            pairs=pairs,
        )
    )
    db.add(
        RegionalBreakdown(
            school_id=school.id,
            academic_year=YEAR,
            dimension="form",
            key="x",
            region_id=region_id,
            municipality_id=school.municipality_id,
            total=pairs,
        )
    )
    await db.flush()
    await set_school(db, None)


@pytest.fixture
async def rollups(db: AsyncSession, world: World) -> School:
    await _write_rollup(db, world.school_a, world.region.id, 11)
    await _write_rollup(db, world.school_b, world.region.id, 22)
    other = await _other_region_school(db)
    other_region = (
        await db.execute(select(Municipality.region_id).where(Municipality.id == other.municipality_id))
    ).scalar_one()
    await _write_rollup(db, other, other_region, 33)
    return other


async def _pairs(db: AsyncSession) -> list[int]:
    return sorted((await db.execute(select(RegionalSchoolYear.pairs))).scalars())


async def _breakdown(db: AsyncSession) -> list[int]:
    return sorted((await db.execute(select(RegionalBreakdown.total))).scalars())


async def test_rls_is_forced_on_the_rollups_for_a_role_that_does_not_own_them(db: AsyncSession) -> None:
    for table in ("regional_school_year", "regional_breakdown", "regional_target"):
        row = (
            await db.execute(
                text(
                    "SELECT c.relrowsecurity, c.relforcerowsecurity, "
                    "pg_get_userbyid(c.relowner) <> current_user FROM pg_class c WHERE c.relname = :t"
                ),
                {"t": table},
            )
        ).one()
        assert row == (True, True, True), table


async def test_without_a_scope_no_rollup_row_is_visible(db: AsyncSession, rollups: School) -> None:
    await set_school(db, None)
    await set_region(db, None)
    assert await _pairs(db) == []
    assert await _breakdown(db) == []


async def test_a_region_reads_the_rows_of_all_its_municipalities_only(
    db: AsyncSession, world: World, rollups: School
) -> None:
    await set_region(db, world.region.id)
    assert await _pairs(db) == [11, 22]
    assert await _breakdown(db) == [11, 22]


async def test_a_municipality_reads_only_its_own_schools_rows(
    db: AsyncSession, world: World, rollups: School
) -> None:
    await set_region(db, world.region.id, world.municipality_a.id)
    assert await _pairs(db) == [11]
    assert await _breakdown(db) == [11]


async def test_a_municipality_of_another_region_reads_nothing_even_with_this_region_set(
    db: AsyncSession, world: World, rollups: School
) -> None:
    # A municipality id of another region paired with this region matches no row.
    await set_region(db, world.region.id, rollups.municipality_id)
    assert await _pairs(db) == []


async def test_a_school_reads_and_writes_only_its_own_rollup_rows(
    db: AsyncSession, world: World, rollups: School
) -> None:
    await set_region(db, None)
    await set_school(db, world.school_a.id)
    assert await _pairs(db) == [11]
    result = await db.execute(text("UPDATE regional_school_year SET pairs = 0"))
    assert result.rowcount == 1  # type: ignore[attr-defined]
    await set_school(db, world.school_b.id)
    assert await _pairs(db) == [22]


async def test_writing_a_rollup_row_of_another_school_is_refused(db: AsyncSession, world: World) -> None:
    await set_school(db, world.school_a.id)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            db.add(
                RegionalSchoolYear(
                    school_id=world.school_b.id,
                    academic_year=YEAR,
                    region_id=world.region.id,
                    municipality_id=world.municipality_b.id,
                )
            )
            await db.flush()


async def test_a_regional_scope_cannot_write_rollups(db: AsyncSession, world: World, rollups: School) -> None:
    await set_school(db, None)
    await set_region(db, world.region.id)
    result = await db.execute(text("DELETE FROM regional_school_year"))
    assert result.rowcount == 0  # type: ignore[attr-defined]
    assert await _pairs(db) == [11, 22]


async def test_the_regions_target_is_read_and_written_by_its_own_region_only(
    db: AsyncSession, world: World, rollups: School
) -> None:
    await set_region(db, world.region.id)
    db.add(RegionalTarget(region_id=world.region.id, coverage_percent=75))
    await db.flush()
    assert await db.scalar(select(func.count()).select_from(RegionalTarget)) == 1
    other_region = (
        await db.execute(select(Municipality.region_id).where(Municipality.id == rollups.municipality_id))
    ).scalar_one()
    await set_region(db, other_region)
    assert await db.scalar(select(func.count()).select_from(RegionalTarget)) == 0
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            db.add(RegionalTarget(region_id=world.region.id, coverage_percent=10))
            await db.flush()
