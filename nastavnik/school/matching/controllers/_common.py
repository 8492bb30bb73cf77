"""What the matching controllers share: the round of the URL and its page (the proposal
table), re-rendered by the round's own actions."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, SkipValidation
from litestar.response import Template

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.web import DB, Form
from nastavnik.school.matching import services
from nastavnik.school.matching.models import ROUND_STATUS_TITLES, MatchingRound, RoundStatus
from nastavnik.school.matching.solver import MODE_TITLES, Mode
from nastavnik.school.participants.models import local_today
from nastavnik.tenants.dependencies import CurrentSchool, Page
from nastavnik.tenants.models import School
from nastavnik.tenants.web import SchoolWorkspace

AnyRequest = Request[Any, Any, Any]
MODE_OPTIONS = [(m.value, MODE_TITLES[m]) for m in Mode]


async def provide_round(db: DB, school: CurrentSchool, round_id: FromPath[str]) -> MatchingRound:
    """The school's round of the URL; 404 for an unknown one or another school's."""
    matching_round = await services.get_round(db, school, round_id)
    if matching_round is None:
        raise NotFoundException
    return matching_round


RoundDep = NamedDependency[SkipValidation[MatchingRound]]


def round_url(school: School, matching_round: MatchingRound) -> str:
    return f"/s/{school.code}/matching/rounds/{matching_round.id}"


async def round_page(
    db: DB,
    page: Page,
    workspace: SchoolWorkspace,
    matching_round: MatchingRound,
    *,
    fragment: bool = False,
    approve_form: Form | None = None,
    correction_form: Form | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    """The round with its proposal table; only the table (htmx) when `fragment`."""
    school = workspace.school
    view = await services.proposal_view(db, school, matching_round)
    pairs = (
        await services.round_mentorships(db, school, matching_round)
        if matching_round.status is RoundStatus.APPROVED
        else []
    )
    editable = matching_round.status is RoundStatus.DRAFT and workspace.can(Permission.SCHOOL_MATCHING_MANAGE)
    free = await services.draft_state(db, school, matching_round, view) if editable else []
    template = "matching/_proposal.html" if fragment and status_code == 200 else "matching/round.html"
    today = local_today()
    return await page(
        template,
        status_code=status_code,
        round=matching_round,
        view=view,
        pairs=pairs,
        error=error,
        year_title=AcademicYear(matching_round.academic_year).title,
        status_titles=ROUND_STATUS_TITLES,
        mode_titles=MODE_TITLES,
        mode_options=MODE_OPTIONS,
        approve_form=approve_form
        or Form(data={"order_date": today.isoformat(), "started_on": today.isoformat()}),
        editable=editable,
        free_mentors=free,
        correction_form=correction_form
        or Form(
            data={
                "order_number": matching_round.order_number,
                "order_date": matching_round.order_date.isoformat() if matching_round.order_date else "",
            }
        ),
        can_manage=workspace.can(Permission.SCHOOL_MATCHING_MANAGE),
    )
