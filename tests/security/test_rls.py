"""Row-level security is the second wall: the app role sees only the transaction's school."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import school_owned_tables, set_school
from nastavnik.tenants.models import StaffMember
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def add_staff(db: AsyncSession, world: World) -> None:
    for school, name in ((world.school_a, "Альфа"), (world.school_b, "Бета")):
        await set_school(db, school.id)
        db.add(
            StaffMember(school_id=school.id, email=f"{name}@x.ru", last_name=name, first_name="Т", roles=[])
        )
        await db.flush()


async def test_the_app_role_is_neither_owner_nor_superuser_and_rls_is_forced(db: AsyncSession) -> None:
    role = (
        await db.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"))
    ).one()
    assert role == (False, False)
    for table in school_owned_tables():
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


async def test_without_a_school_no_row_is_visible(db: AsyncSession, world: World) -> None:
    await add_staff(db, world)
    await set_school(db, None)
    assert await db.scalar(select(func.count()).select_from(StaffMember)) == 0


async def test_a_school_sees_only_its_own_rows(db: AsyncSession, world: World) -> None:
    await add_staff(db, world)
    await set_school(db, world.school_a.id)
    names = (await db.execute(select(StaffMember.last_name))).scalars().all()
    assert names == ["Альфа"]


async def test_writing_a_row_of_another_school_is_refused(db: AsyncSession, world: World) -> None:
    await set_school(db, world.school_a.id)
    db.add(
        StaffMember(school_id=world.school_b.id, email="x@x.ru", last_name="Чужой", first_name="Т", roles=[])
    )
    with pytest.raises(DBAPIError, match="row-level security"):
        await db.flush()


async def test_moving_a_row_to_another_school_is_refused(db: AsyncSession, world: World) -> None:
    await add_staff(db, world)
    await set_school(db, world.school_a.id)
    with pytest.raises(DBAPIError, match="row-level security"):
        await db.execute(
            text("UPDATE staff_member SET school_id = :b WHERE school_id = :a"),
            {"a": world.school_a.id, "b": world.school_b.id},
        )


async def test_the_audit_log_is_append_only_for_the_app(db: AsyncSession) -> None:
    with pytest.raises(DBAPIError, match="permission denied"):
        await db.execute(text("DELETE FROM audit_event"))
