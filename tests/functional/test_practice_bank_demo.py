"""The demo region's bank of programmes and practices (`nastavnik seed-demo`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_region, set_school
from nastavnik.regional.indicators.demo import seed_demo_region_schools
from nastavnik.regional.practice_bank import search
from nastavnik.regional.practice_bank import services as svc
from nastavnik.regional.practice_bank.demo import seed_bank_demo
from nastavnik.school.bank.models import BankItem, BankItemStatus, CollectionItem
from nastavnik.school.demo import seed_demo_school
from nastavnik.tenants.demo import seed_demo
from nastavnik.tenants.models import Region, School

pytestmark = pytest.mark.anyio


async def test_the_demo_bank_has_items_in_every_state_and_adoptions(db: AsyncSession) -> None:
    assert await seed_demo(db, None)
    assert await seed_demo_school(db)
    assert await seed_demo_region_schools(db)
    assert await seed_bank_demo(db)
    region = (await db.execute(select(Region).where(Region.code == "demo"))).scalar_one()
    await set_school(db, None)
    await set_region(db, region.id)
    await svc.moderation_scope(db, region.id)
    states = dict((await db.execute(select(BankItem.status, func.count()).group_by(BankItem.status))).all())
    assert states[BankItemStatus.PUBLISHED] >= 4
    assert states[BankItemStatus.SUBMITTED] >= 1
    assert states[BankItemStatus.RETURNED] >= 1
    assert BankItemStatus.DRAFT not in states  # a school's draft stays with the school
    await svc.moderation_scope(db, None)
    items, facets, _ = await search.search(db, search.BankQuery(recommended=True), region.id)
    assert facets.total == len(items) >= 2
    home = (await db.execute(select(School).where(School.code == "sosh2-zar"))).scalar_one()
    await set_school(db, home.id)
    kept = (await db.execute(select(CollectionItem.title))).scalars().all()
    assert any("Методический десант" in t for t in kept)
    own = dict(
        (
            await db.execute(
                select(BankItem.status, func.count())
                .where(BankItem.author_school_id == home.id)
                .group_by(BankItem.status)
            )
        ).all()
    )
    assert own[BankItemStatus.DRAFT] == 1
    programme = (
        await db.execute(select(BankItem).where(BankItem.author_school_id == home.id, BankItem.roadmap != []))
    ).scalar_one()
    assert programme.status is BankItemStatus.PUBLISHED
    assert (await svc.adoption_counts(db, [programme.id]))[programme.id] == 1
    # Loading it again creates nothing.
    assert not await seed_bank_demo(db)
