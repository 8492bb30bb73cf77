"""The bank of programmes and practices, as the app role at the SQL level: published items
are the region's, a draft is its school's alone, moderation is the methodists' (their own
scope variable), a school never publishes by itself, and the school's collection is
school-owned."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_region, set_school
from nastavnik.regional.practice_bank import services as svc
from nastavnik.school.bank.models import (
    BankAdoption,
    BankAttachment,
    BankItem,
    BankItemEvent,
    BankItemKind,
    BankItemStatus,
    BankWord,
    CollectionItem,
)
from nastavnik.tenants.models import Municipality, Region, School, SchoolKind
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def school_item(db: AsyncSession, world: World, school: School, title: str) -> BankItem:
    """A draft written in the school's own scope."""
    await set_school(db, school.id)
    await set_region(db, world.region.id)
    await svc.moderation_scope(db, None)
    item = BankItem(
        region_id=world.region.id,
        author_school_id=school.id,
        municipality_id=school.municipality_id,
        author_name=school.name,
        kind=BankItemKind.PRACTICE,
        status=BankItemStatus.DRAFT,
        title=title,
        summary="Кратко",
        roadmap=[],
        plan_items=[],
        search_text="наставничество",
    )
    db.add(item)
    await db.flush()
    return item


async def as_methodist(db: AsyncSession, world: World) -> None:
    await set_school(db, None)
    await set_region(db, world.region.id)
    await svc.moderation_scope(db, world.region.id)


async def test_bank_tables_are_behind_row_level_security_for_the_app_role(db: AsyncSession) -> None:
    def row(table: str) -> str:
        return (
            "SELECT relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) <> current_user "
            f"FROM pg_class WHERE relname = '{table}'"
        )

    # Enabled, not forced, on bank_item: its owner runs the search function.
    assert (await db.execute(text(row("bank_item")))).one() == (True, False, True)
    for table in ("bank_item_event", "bank_attachment", "bank_adoption", "bank_word", "collection_item"):
        assert (await db.execute(text(row(table)))).one() == (True, True, True), table


async def test_a_draft_is_seen_by_its_school_only(db: AsyncSession, world: World) -> None:
    item = await school_item(db, world, world.school_a, "Черновик школы А")
    db.expunge_all()
    await set_school(db, world.school_b.id)
    assert await db.get(BankItem, item.id) is None
    await as_methodist(db, world)
    assert await count(db, BankItem) == 0  # not sent yet: not even the methodist sees it
    await set_school(db, world.school_a.id)
    await svc.moderation_scope(db, None)
    assert await db.get(BankItem, item.id) is not None


async def test_a_school_cannot_publish_or_recommend_by_itself(db: AsyncSession, world: World) -> None:
    item = await school_item(db, world, world.school_a, "Попытка публикации")
    for statement in (
        "UPDATE bank_item SET status = 'published' WHERE id = :id",
        "UPDATE bank_item SET recommended = true WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="row-level security"):
            async with db.begin_nested():
                await db.execute(text(statement), {"id": item.id})
    # Nor write an item under another school's name or into another region.
    other = Region(code=f"x-{uuid.uuid4().hex[:6]}", name="Другая")
    db.add(other)
    await db.flush()
    for values in (
        {
            "author": world.school_b.id,
            "municipality": world.school_b.municipality_id,
            "region": world.region.id,
        },
        {"author": world.school_a.id, "municipality": world.school_a.municipality_id, "region": other.id},
    ):
        with pytest.raises(DBAPIError, match="row-level security"):
            async with db.begin_nested():
                await db.execute(
                    text(
                        "INSERT INTO bank_item (id, region_id, author_school_id, municipality_id, "
                        "author_name, kind, status, title, summary, description, results, keywords, "
                        "form_codes, direction_codes, school_kind, roadmap, plan_items, recommended, "
                        "contact_email, search_text) VALUES (:id, :region, :author, :municipality, "
                        "'x', 'practice', 'draft', 'x', '', '', '', '{}', '{}', '{}', '', '[]', '[]', "
                        "false, '', '')"
                    ),
                    {"id": uuid.uuid4(), **values},
                )


async def test_sent_items_reach_the_methodist_and_published_ones_the_whole_region(
    db: AsyncSession, world: World
) -> None:
    item = await school_item(db, world, world.school_a, "Практика школы А")
    await db.execute(text("UPDATE bank_item SET status = 'submitted' WHERE id = :id"), {"id": item.id})
    db.expunge_all()
    # Another school of the region and the region's other staff do not see it on moderation.
    await set_school(db, world.school_b.id)
    await svc.moderation_scope(db, None)
    assert await count(db, BankItem) == 0
    await set_school(db, None)
    assert await count(db, BankItem) == 0
    await as_methodist(db, world)
    assert await count(db, BankItem) == 1
    await db.execute(text("UPDATE bank_item SET status = 'published' WHERE id = :id"), {"id": item.id})
    await svc.moderation_scope(db, None)
    assert await count(db, BankItem) == 1  # the region's readers
    await set_school(db, world.school_b.id)
    assert await count(db, BankItem) == 1  # another school of the region
    other = Region(code=f"y-{uuid.uuid4().hex[:6]}", name="Другая")
    db.add(other)
    await db.flush()
    await set_school(db, None)
    await set_region(db, other.id)
    assert await count(db, BankItem) == 0  # another region
    # The moderation scope of another region opens nothing here.
    await svc.moderation_scope(db, other.id)
    assert await count(db, BankItem) == 0


async def test_history_and_files_follow_their_item(db: AsyncSession, world: World) -> None:
    item = await school_item(db, world, world.school_a, "С файлом")
    db.add(BankItemEvent(item_id=item.id, action="created", actor_name="Куратор"))
    db.add(
        BankAttachment(
            item_id=item.id,
            filename="отчёт.pdf",
            content_type="application/pdf",
            size_bytes=1,
            sha256="0" * 64,
            storage_key="bank/x",
        )
    )
    await db.flush()
    db.expunge_all()
    await set_school(db, world.school_b.id)
    assert await count(db, BankItemEvent) == 0
    assert await count(db, BankAttachment) == 0
    # B cannot attach a file or write history to A's item.
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "INSERT INTO bank_item_event (id, item_id, action, actor_name, comment) "
                    "VALUES (:id, :item, 'approved', 'B', '')"
                ),
                {"id": uuid.uuid4(), "item": item.id},
            )


async def test_adoptions_are_counted_by_the_region_and_collections_stay_in_their_school(
    db: AsyncSession, world: World
) -> None:
    item = await school_item(db, world, world.school_a, "Для копилки")
    await db.execute(text("UPDATE bank_item SET status = 'submitted' WHERE id = :id"), {"id": item.id})
    await as_methodist(db, world)
    await db.execute(text("UPDATE bank_item SET status = 'published' WHERE id = :id"), {"id": item.id})
    await svc.add_words(db, (await db.get(BankItem, item.id, populate_existing=True)) or item)
    await svc.moderation_scope(db, None)
    await set_school(db, world.school_b.id)
    db.add(BankAdoption(region_id=world.region.id, item_id=item.id, school_id=world.school_b.id))
    db.add(
        CollectionItem(
            school_id=world.school_b.id,
            bank_item_id=item.id,
            kind=BankItemKind.PRACTICE,
            title="Для копилки",
            plan_items=[],
        )
    )
    await db.flush()
    # B cannot record an adoption in A's name.
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "INSERT INTO bank_adoption (id, region_id, item_id, school_id) VALUES (:id, :r, :i, :s)"
                ),
                {"id": uuid.uuid4(), "r": world.region.id, "i": item.id, "s": world.school_a.id},
            )
    db.expunge_all()
    await set_school(db, world.school_a.id)
    assert await count(db, BankAdoption) == 1  # the author counts it
    assert await count(db, CollectionItem) == 0  # but B's collection is B's
    assert await count(db, BankWord) > 0  # the vocabulary of published items is the region's
    third = School(
        municipality_id=(
            await db.scalar(select(Municipality.id).where(Municipality.region_id == world.region.id))
        ),
        code=f"t-{uuid.uuid4().hex[:6]}",
        name="Школа В",
        full_name="Школа В",
        kind=SchoolKind.GENERAL,
    )
    db.add(third)
    await db.flush()
    await set_school(db, third.id)
    assert await count(db, CollectionItem) == 0


async def test_the_search_function_keeps_to_the_published_items_of_the_transactions_region(
    db: AsyncSession, world: World
) -> None:
    await school_item(db, world, world.school_a, "Черновик наставничества")
    await set_school(db, world.school_b.id)
    # The function runs as the owner, yet returns no draft, whatever it is asked.
    rows = (
        await db.execute(
            text(
                "SELECT count(*) FROM bank_item_search(plainto_tsquery('russian', 'наставничество'), "
                "NULL, NULL, NULL, NULL, NULL, NULL, NULL, false)"
            )
        )
    ).scalar()
    assert rows == 0
    await set_region(db, None)
    assert (
        await db.execute(
            text(
                "SELECT count(*) FROM bank_item_search(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false)"
            )
        )
    ).scalar() == 0
