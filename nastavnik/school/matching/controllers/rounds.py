"""Matching rounds: the list with the form that starts one, a round's page, its approval
(pairs created, the order numbered) and the order as PDF or DOCX."""

from __future__ import annotations

from litestar import Response, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform import audit
from nastavnik.platform import documents as d
from nastavnik.platform.auth.permissions import Permission, Role
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx, request_id_of
from nastavnik.school.matching import services
from nastavnik.school.matching.controllers._common import (
    MODE_OPTIONS,
    AnyRequest,
    RoundDep,
    provide_round,
    round_page,
    round_url,
)
from nastavnik.school.matching.models import ROUND_STATUS_TITLES, RoundStatus
from nastavnik.school.matching.solver import MODE_TITLES, Mode
from nastavnik.school.pairs.documents import order_document, staff_with_role
from nastavnik.school.years import ChosenYear, YearChoice, YearController
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, SchoolScope, requires
from nastavnik.tenants.web import SchoolWorkspace

VIEW = requires(Permission.SCHOOL_MATCHING_VIEW)
MANAGE = requires(Permission.SCHOOL_MATCHING_MANAGE)


class RoundsController(YearController):
    path = "/s/{school_code:str}/matching"

    async def _index(
        self,
        request: AnyRequest,
        db: DB,
        workspace: SchoolWorkspace,
        page: Page,
        form: Form,
        chosen: YearChoice,
        status_code: int = 200,
    ) -> Template:
        forms = await services.forms(db)
        rounds, window = await services.rounds_page(db, workspace.school, page_number(request.query_params))
        return await page(
            "matching/index.html",
            status_code=status_code,
            rounds=rounds,
            window=window.linked(workspace.url + "matching/", target="#matching-rounds"),
            form=form,
            form_options=[(f.code, f.title) for f in forms],
            mode_options=MODE_OPTIONS,
            year_options=chosen.options,
            status_titles=ROUND_STATUS_TITLES,
            mode_titles=MODE_TITLES,
            can_manage=workspace.can(Permission.SCHOOL_MATCHING_MANAGE),
            can_mark=workspace.can(Permission.SCHOOL_MATCHING_MARK),
        )

    @get("/", name="matching:index", guards=[VIEW])
    async def index(
        self, request: AnyRequest, db: DB, workspace: SchoolScope, page: Page, chosen: ChosenYear
    ) -> Template:
        form = Form(data={"academic_year": chosen.title, "mode": Mode.BEST_FIT.value})
        return await self._index(request, db, workspace, page, form, chosen)

    @post("/rounds", name="matching:start", guards=[MANAGE])
    async def start(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        chosen: ChosenYear,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), services.ROUND_FIELDS)
        matching_round = await services.start_round(db, school, user.user.id, form)
        if matching_round is None:
            return await self._index(request, db, workspace, page, form, chosen, status_code=422)
        await audit.record(
            db,
            action="matching.round_started",
            actor_id=user.user.id,
            school_id=school.id,
            object_type="matching_round",
            object_id=str(matching_round.id),
            request_id=request_id_of(request),
        )
        stats = matching_round.stats
        user.flash(
            "success",
            f"Подбор выполнен: пары предложены {stats['covered']} из {stats['mentees']} наставляемых.",
        )
        return Redirect(round_url(school, matching_round), status_code=303)


class RoundController(SchoolController):
    """One round: its page, its approval and the order; the proposal table's actions are in
    `proposals.py`."""

    path = "/s/{school_code:str}/matching/rounds/{round_id:str}"
    dependencies = {**SchoolController.dependencies, "matching_round": Provide(provide_round)}  # noqa: RUF012

    @get("/", name="matching:round", guards=[VIEW])
    async def show(
        self, request: AnyRequest, db: DB, workspace: SchoolScope, page: Page, matching_round: RoundDep
    ) -> Template:
        return await round_page(db, page, workspace, matching_round, fragment=is_htmx(request))

    @post("/approve", name="matching:approve", guards=[MANAGE])
    async def approve(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        matching_round: RoundDep,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), services.APPROVE_FIELDS)
        created = await services.approve(db, school, matching_round, user.user.id, form)
        if created is None:
            return await round_page(db, page, workspace, matching_round, approve_form=form, status_code=422)
        await audit.record(
            db,
            action="matching.round_approved",
            actor_id=user.user.id,
            school_id=school.id,
            object_type="matching_round",
            object_id=str(matching_round.id),
            request_id=request_id_of(request),
        )
        groups = sum(1 for m in created if m.is_group)
        user.flash(
            "success",
            f"Подбор утверждён: пар — {len(created) - groups}, групп — {groups}. "
            "Скачайте приказ для подписи.",
        )
        return Redirect(round_url(school, matching_round), status_code=303)

    @post("/order/correct", name="matching:order_correct", guards=[MANAGE])
    async def correct_order(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        workspace: SchoolScope,
        school: CurrentSchool,
        page: Page,
        matching_round: RoundDep,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), services.CORRECTION_FIELDS)
        before = (matching_round.order_number, matching_round.order_date)
        if not await services.correct_order(db, school, matching_round, user.user.id, form):
            return await round_page(
                db, page, workspace, matching_round, correction_form=form, status_code=422
            )
        await audit.record(
            db,
            action="matching.order_corrected",
            actor_id=user.user.id,
            school_id=school.id,
            object_type="matching_round",
            object_id=str(matching_round.id),
            request_id=request_id_of(request),
            details={
                "before": {"number": before[0], "date": before[1].isoformat() if before[1] else ""},
                "after": {"number": matching_round.order_number, "date": str(matching_round.order_date)},
                "reason": form.value("reason"),
            },
        )
        user.flash(
            "success",
            f"Приказ исправлен: № {matching_round.order_number} от {matching_round.order_date:%d.%m.%Y}. "
            "Скачайте его заново — документы сформированы с новыми номером и датой.",
        )
        return Redirect(round_url(school, matching_round), status_code=303)

    @post("/delete", name="matching:delete", guards=[MANAGE])
    async def delete(
        self, user: CurrentUser, db: DB, workspace: SchoolScope, matching_round: RoundDep
    ) -> Redirect:
        """A draft round is thrown away with its proposal; an approved one made pairs and an order."""
        if matching_round.status is not RoundStatus.DRAFT:
            user.flash("warning", "Утверждённый подбор не удаляется: по нему созданы пары и приказ.")
            return Redirect(round_url(workspace.school, matching_round), status_code=303)
        await db.delete(matching_round)
        user.flash("success", "Черновик подбора удалён.")
        return Redirect(f"{workspace.url}matching", status_code=303)

    @get("/order/{fmt:str}", name="matching:order", guards=[VIEW])
    async def order(
        self, db: DB, school: CurrentSchool, matching_round: RoundDep, fmt: FromPath[str]
    ) -> Response[bytes]:
        if fmt not in ("pdf", "docx") or matching_round.status is not RoundStatus.APPROVED:
            raise NotFoundException
        document = order_document(
            school,
            await services.round_mentorships(db, school, matching_round),
            year=matching_round.academic_year,
            form_title=matching_round.form.title,
            number=matching_round.order_number,
            date=matching_round.order_date,
            director=await staff_with_role(db, school, Role.DIRECTOR),
            curator=await staff_with_role(db, school, Role.CURATOR),
        )
        content = await d.off_loop(d.render_pdf if fmt == "pdf" else d.render_docx, document)
        name = f"Приказ об утверждении наставнических пар {matching_round.order_number}.{fmt}".replace(
            "/", "-"
        )
        return Response(
            content,
            media_type=d.PDF_MEDIA_TYPE if fmt == "pdf" else d.DOCX_MEDIA_TYPE,
            headers={"Content-Disposition": d.content_disposition(name)},
        )
