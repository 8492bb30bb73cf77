"""Shared set-up of the roadmap tests: a started programme of school A and its rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.db import set_school
from nastavnik.school.programme.models import Programme, ProgrammeStage, RoadmapTemplate
from nastavnik.school.programme.services import local_today
from nastavnik.school.roadmap.models import RoadmapItem
from nastavnik.tenants.models import StaffMember
from tests.conftest import Browser, Persona, PersonaBrowser, World, csrf_token

YEAR = AcademicYear.current(local_today())
HTMX = {"HX-Request": "true"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Roadmap:
    """A started programme of school A and a signed-in curator's browser."""

    def __init__(self, browser: PersonaBrowser, world: World, programme: Programme, token: str) -> None:
        self.browser = browser
        self.world = world
        self.programme = programme
        self.token = token
        self.base = f"/s/{world.school_a.code}/roadmap/{YEAR.title}"

    async def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return await self.browser.post(
            self.base + path,
            data={"_csrf_token": self.token, **(data or {})},
            follow_redirects=False,
            **kwargs,
        )


async def start_roadmap(browser_for: Browser, curator_a: Persona, world: World, db: AsyncSession) -> Roadmap:
    template = (
        await db.execute(
            select(RoadmapTemplate).where(
                RoadmapTemplate.region_id.is_(None), RoadmapTemplate.title.contains("Р-145")
            )
        )
    ).scalar_one()
    browser = await browser_for(curator_a)
    token = await csrf_token(browser, f"/s/{world.school_a.code}/programme")
    reply = await browser.post(
        f"/s/{world.school_a.code}/programme",
        data={"_csrf_token": token, "year": YEAR.title, "source": f"template:{template.id}"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await set_school(db, world.school_a.id)
    programme = (
        await db.execute(select(Programme).where(Programme.school_id == world.school_a.id))
    ).scalar_one()
    return Roadmap(browser, world, programme, token)


async def first_item(db: AsyncSession, roadmap: Roadmap, position: int = 1, stage: int = 1) -> RoadmapItem:
    await set_school(db, roadmap.world.school_a.id)
    stage_row = (
        await db.execute(
            select(ProgrammeStage).where(
                ProgrammeStage.programme_id == roadmap.programme.id, ProgrammeStage.position == stage
            )
        )
    ).scalar_one()
    return (
        await db.execute(
            select(RoadmapItem)
            .where(RoadmapItem.stage_id == stage_row.id, RoadmapItem.position == position)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


async def curator_staff(db: AsyncSession, world: World) -> StaffMember:
    await set_school(db, world.school_a.id)
    staff = (
        await db.execute(select(StaffMember).where(StaffMember.school_id == world.school_a.id))
    ).scalars()
    return next(s for s in staff if Role.CURATOR in s.roles)


def row_data(staff: StaffMember, **changes: Any) -> dict[str, Any]:
    data = {
        "event": "Заседание методического совета о наставничестве",
        "deadline": "октябрь",
        "responsible": [str(staff.id)],
        "responsible_note": "",
        "expected_result": "Протокол",
        "status": "planned",
        "result_text": "",
    }
    data.update(changes)
    return data
