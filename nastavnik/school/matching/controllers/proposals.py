"""The proposal table's actions on a draft round: lock a pair, exclude it, swap two mentors,
join a mentor's mentees into a group, assign an unmatched mentee by hand, run the matching
again. With htmx each answers with
the table; without, with a redirect to the round."""

from __future__ import annotations

from litestar import post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect, Template

from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.auth.sessions import AuthContext
from nastavnik.platform.web import DB, CurrentUser, is_htmx
from nastavnik.school.matching import services
from nastavnik.school.matching.controllers._common import (
    AnyRequest,
    RoundDep,
    provide_round,
    round_page,
    round_url,
)
from nastavnik.school.matching.models import MatchingRound
from nastavnik.school.matching.solver import Mode
from nastavnik.tenants.dependencies import Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.models import School
from nastavnik.tenants.web import SchoolWorkspace


async def _lock(db: DB, user: AuthContext, school: School, r: MatchingRound, data: FormMultiDict) -> str:
    row = await services.toggle_lock(db, r, str(data.get("proposal", "")))
    return "Пара закреплена: при повторном подборе она останется." if row.locked else "Закрепление снято."


async def _exclude(db: DB, user: AuthContext, school: School, r: MatchingRound, data: FormMultiDict) -> str:
    await services.exclude(db, school, r, str(data.get("proposal", "")))
    return "Пара исключена. Запустите подбор заново, чтобы предложить другого наставника."


async def _swap(db: DB, user: AuthContext, school: School, r: MatchingRound, data: FormMultiDict) -> str:
    await services.swap(db, school, r, str(data.get("first", "")), str(data.get("second", "")))
    return "Наставники поменяны местами; обе пары закреплены."


async def _group(db: DB, user: AuthContext, school: School, r: MatchingRound, data: FormMultiDict) -> str:
    grouped = await services.toggle_group(db, school, r, str(data.get("mentor", "")))
    return "Наставляемые наставника объединены в группу." if grouped else "Группа снова разделена на пары."


async def _rerun(db: DB, user: AuthContext, school: School, r: MatchingRound, data: FormMultiDict) -> str:
    mode_value = str(data.get("mode", r.mode.value))
    mode = Mode(mode_value) if mode_value in {m.value for m in Mode} else r.mode
    solution, warnings = await services.run_round(db, school, r, mode)
    for warning in warnings:
        user.flash("warning", warning)
    total = len(solution.assignments) + len(solution.unmatched)
    return (
        f"Подбор выполнен заново: пары у {solution.covered} из {total} наставляемых; "
        "закреплённые пары сохранены."
    )


async def _assign(db: DB, user: AuthContext, school: School, r: MatchingRound, data: FormMultiDict) -> str:
    row = await services.assign(db, school, r, str(data.get("proposal", "")), str(data.get("mentor", "")))
    return f"Наставник назначен вручную; пара закреплена (балл {row.score})."


ACTIONS = {
    "assign": _assign,
    "lock": _lock,
    "exclude": _exclude,
    "swap": _swap,
    "group": _group,
    "rerun": _rerun,
}


class ProposalsController(SchoolController):
    path = "/s/{school_code:str}/matching/rounds/{round_id:str}"
    dependencies = {**SchoolController.dependencies, "matching_round": Provide(provide_round)}  # noqa: RUF012
    guards = [*SchoolController.guards, requires(Permission.SCHOOL_MATCHING_MANAGE)]  # noqa: RUF012

    async def _act(
        self,
        request: AnyRequest,
        db: DB,
        user: AuthContext,
        workspace: SchoolWorkspace,
        page: Page,
        matching_round: MatchingRound,
        action: str,
    ) -> Template | Redirect:
        school = workspace.school
        data = await request.form()
        try:
            message = await ACTIONS[action](db, user, school, matching_round, data)
        except services.MatchingError as exc:
            if is_htmx(request):
                return await round_page(db, page, workspace, matching_round, fragment=True, error=str(exc))
            user.flash("error", str(exc))
            return Redirect(round_url(school, matching_round), status_code=303)
        if is_htmx(request):
            return await round_page(db, page, workspace, matching_round, fragment=True)
        user.flash("success", message)
        return Redirect(round_url(school, matching_round), status_code=303)

    @post("/assign", name="matching:assign")
    async def assign(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        matching_round: RoundDep,
    ) -> Template | Redirect:
        return await self._act(request, db, user, workspace, page, matching_round, "assign")

    @post("/lock", name="matching:lock")
    async def lock(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        matching_round: RoundDep,
    ) -> Template | Redirect:
        return await self._act(request, db, user, workspace, page, matching_round, "lock")

    @post("/exclude", name="matching:exclude")
    async def exclude(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        matching_round: RoundDep,
    ) -> Template | Redirect:
        return await self._act(request, db, user, workspace, page, matching_round, "exclude")

    @post("/swap", name="matching:swap")
    async def swap(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        matching_round: RoundDep,
    ) -> Template | Redirect:
        return await self._act(request, db, user, workspace, page, matching_round, "swap")

    @post("/group", name="matching:group")
    async def group(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        matching_round: RoundDep,
    ) -> Template | Redirect:
        return await self._act(request, db, user, workspace, page, matching_round, "group")

    @post("/rerun", name="matching:rerun")
    async def rerun(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        page: Page,
        matching_round: RoundDep,
    ) -> Template | Redirect:
        return await self._act(request, db, user, workspace, page, matching_round, "rerun")
