"""The demo region's directory and inter-school pairs (`nastavnik seed-demo`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_region, set_school
from nastavnik.regional.mentor_search.demo import seed_cross_school_demo
from nastavnik.school.demo import seed_demo_school
from nastavnik.school.directory.models import CrossSchoolPair, CrossSchoolPairStatus, MentorDirectoryEntry
from nastavnik.tenants.demo import seed_demo
from nastavnik.tenants.models import Region, School

pytestmark = pytest.mark.anyio


async def test_the_demo_region_has_mentors_of_several_schools_and_inter_school_pairs(
    db: AsyncSession,
) -> None:
    assert await seed_demo(db, None)
    assert await seed_demo_school(db)
    assert await seed_cross_school_demo(db)
    region = (await db.execute(select(Region).where(Region.code == "demo"))).scalar_one()
    await set_region(db, region.id)
    by_school = dict(
        (
            await db.execute(
                select(School.code, func.count())
                .join(MentorDirectoryEntry, MentorDirectoryEntry.school_id == School.id)
                .group_by(School.code)
            )
        ).all()
    )
    assert set(by_school) == {"sosh2-zar", "gimn1-zar", "cdt-ozr"}
    assert all(n >= 2 for n in by_school.values())
    home = (await db.execute(select(School).where(School.code == "sosh2-zar"))).scalar_one()
    await set_school(db, home.id)
    statuses = sorted(s.value for s in (await db.execute(select(CrossSchoolPair.status))).scalars())
    assert statuses == [CrossSchoolPairStatus.ACCEPTED.value, CrossSchoolPairStatus.REQUESTED.value]
    # Loading it again creates nothing.
    assert not await seed_cross_school_demo(db)
