"""«Моя анкета»: a mentor's or mentee teacher's way to their own card."""

from __future__ import annotations

from litestar import get
from litestar.response import Redirect, Template

from nastavnik.platform.web import DB, CurrentUser
from nastavnik.school.participants import services as svc
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope


class MyCardController(SchoolController):
    path = "/s/{school_code:str}/participants/me"

    @get("/", name="participants:me")
    async def me(
        self, db: DB, user: CurrentUser, workspace: SchoolScope, school: CurrentSchool, page: Page
    ) -> Template | Redirect:
        person = await svc.participant_for_user(db, school, user.user.id)
        if person is not None:
            return Redirect(f"{workspace.url}participants/{person.id}", status_code=303)
        return await page("participants/me_missing.html")
