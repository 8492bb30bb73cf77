"""The school's weights of the compatibility score, used by new rounds and re-runs."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.matching import services
from nastavnik.school.matching.controllers._common import AnyRequest
from nastavnik.school.matching.scoring import WEIGHT_TITLES, Weights
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, requires


class WeightsController(SchoolController):
    path = "/s/{school_code:str}/matching/settings"
    guards = [*SchoolController.guards, requires(Permission.SCHOOL_MATCHING_MANAGE)]  # noqa: RUF012

    async def _page(self, page: Page, form: Form, status_code: int = 200) -> Template:
        return await page(
            "matching/settings.html",
            status_code=status_code,
            form=form,
            titles=WEIGHT_TITLES,
            fields=Weights.FIELDS,
            defaults=Weights(),
        )

    @get("/", name="matching:settings")
    async def settings(self, db: DB, school: CurrentSchool, page: Page) -> Template:
        weights = await services.school_weights(db, school)
        data: dict[str, Any] = {k: str(v) for k, v in weights.to_mapping().items()}
        data["require_direction_overlap"] = "true" if weights.require_direction_overlap else ""
        return await self._page(page, Form(data=data))

    @post("/", name="matching:settings_save")
    async def save_settings(
        self, request: AnyRequest, db: DB, user: CurrentUser, school: CurrentSchool, page: Page
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), services.WEIGHT_FIELDS)
        if await services.save_weights(db, school, form) is None:
            return await self._page(page, form, status_code=422)
        user.flash("success", "Веса сохранены. Они применятся к новым раундам и повторным подборам.")
        return Redirect(f"/s/{school.code}/matching/settings", status_code=303)
