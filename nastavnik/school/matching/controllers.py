"""Matching pages: rounds, the proposal table and its actions, weights, marks, preferences."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from nastavnik.platform import audit
from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission, Role
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx, request_id_of
from nastavnik.school.matching import services
from nastavnik.school.matching.models import ROUND_STATUS_TITLES, MatchingRound, PreferenceSide, RoundStatus
from nastavnik.school.matching.scoring import WEIGHT_TITLES, Weights
from nastavnik.school.matching.solver import MODE_TITLES, Mode
from nastavnik.school.pairs.documents import order_document, staff_with_role
from nastavnik.school.participants.models import local_today
from nastavnik.tenants.models import School
from nastavnik.tenants.web import SchoolWorkspace, page, resolve_school

MODE_OPTIONS = [(m.value, MODE_TITLES[m]) for m in Mode]


async def _workspace(
    db: DB, user: CurrentUser, code: str, permission: Permission
) -> tuple[SchoolWorkspace, School]:
    workspace = await resolve_school(db, user, code)
    workspace.require(permission)
    assert workspace.school is not None  # noqa: S101 - resolve_school always sets it
    return workspace, workspace.school


async def _round(db: DB, school: School, round_id: str) -> MatchingRound:
    matching_round = await services.get_round(db, school, round_id)
    if matching_round is None:
        raise NotFoundException
    return matching_round


def _years() -> list[tuple[str, str]]:
    now = services.current_year()
    return [(y.title, y.title) for y in (now.previous(), now, now.next())]


class MatchingController(Controller):
    path = "/s/{school_code:str}/matching"
    include_in_schema = False

    @get("/", name="matching:index")
    async def index(
        self, request: Request[Any, Any, Any], *, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_VIEW)
        return await self._index(
            request,
            db,
            user,
            workspace,
            school,
            Form(
                data={
                    "academic_year": services.current_year().title,
                    "mode": Mode.BEST_FIT.value,
                }
            ),
        )

    async def _index(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        user: CurrentUser,
        workspace: SchoolWorkspace,
        school: School,
        form: Form,
        status_code: int = 200,
    ) -> Template:
        forms = await services.forms(db)
        return await page(
            request,
            db,
            user,
            workspace,
            "matching/index.html",
            status_code=status_code,
            rounds=await services.list_rounds(db, school),
            form=form,
            form_options=[(f.code, f.title) for f in forms],
            mode_options=MODE_OPTIONS,
            year_options=_years(),
            status_titles=ROUND_STATUS_TITLES,
            mode_titles=MODE_TITLES,
            can_manage=workspace.can(Permission.SCHOOL_MATCHING_MANAGE),
            can_mark=workspace.can(Permission.SCHOOL_MATCHING_MARK),
        )

    @post("/rounds", name="matching:start")
    async def start(
        self, request: Request[Any, Any, Any], *, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template | Redirect:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_MANAGE)
        form = Form.from_mapping(await request.form(), services.ROUND_FIELDS)
        matching_round = await services.start_round(db, school, user.user.id, form)
        if matching_round is None:
            return await self._index(request, db, user, workspace, school, form, status_code=422)
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
        return Redirect(f"/s/{school.code}/matching/rounds/{matching_round.id}", status_code=303)

    async def _round_page(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        user: CurrentUser,
        workspace: SchoolWorkspace,
        school: School,
        matching_round: MatchingRound,
        approve_form: Form | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        view = await services.proposal_view(db, school, matching_round)
        pairs = (
            await services.round_mentorships(db, school, matching_round)
            if matching_round.status is RoundStatus.APPROVED
            else []
        )
        template = (
            "matching/_proposal.html" if is_htmx(request) and status_code == 200 else "matching/round.html"
        )
        today = local_today()
        return await page(
            request,
            db,
            user,
            workspace,
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
            editable=matching_round.status is RoundStatus.DRAFT
            and workspace.can(Permission.SCHOOL_MATCHING_MANAGE),
        )

    @get("/rounds/{round_id:str}", name="matching:round")
    async def round(
        self,
        request: Request[Any, Any, Any],
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        round_id: FromPath[str],
    ) -> Template:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_VIEW)
        return await self._round_page(
            request, db, user, workspace, school, await _round(db, school, round_id)
        )

    async def _act(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        user: CurrentUser,
        school_code: str,
        round_id: str,
        action: str,
    ) -> Template | Redirect:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_MANAGE)
        matching_round = await _round(db, school, round_id)
        data = await request.form()
        message = ""
        try:
            if action == "lock":
                row = await services.toggle_lock(db, matching_round, str(data.get("proposal", "")))
                message = (
                    "Пара закреплена: при повторном подборе она останется."
                    if row.locked
                    else "Закрепление снято."
                )
            elif action == "exclude":
                await services.exclude(db, school, matching_round, str(data.get("proposal", "")))
                message = "Пара исключена. Запустите подбор заново, чтобы предложить другого наставника."
            elif action == "swap":
                await services.swap(
                    db, school, matching_round, str(data.get("first", "")), str(data.get("second", ""))
                )
                message = "Наставники поменяны местами; обе пары закреплены."
            elif action == "group":
                grouped = await services.toggle_group(db, school, matching_round, str(data.get("mentor", "")))
                message = (
                    "Наставляемые наставника объединены в группу."
                    if grouped
                    else "Группа снова разделена на пары."
                )
            elif action == "rerun":
                mode_value = str(data.get("mode", matching_round.mode.value))
                mode = Mode(mode_value) if mode_value in {m.value for m in Mode} else matching_round.mode
                solution, warnings = await services.run_round(db, school, matching_round, mode)
                for warning in warnings:
                    user.flash("warning", warning)
                total = len(solution.assignments) + len(solution.unmatched)
                message = (
                    f"Подбор выполнен заново: пары у {solution.covered} из {total} наставляемых; "
                    "закреплённые пары сохранены."
                )
        except services.MatchingError as exc:
            if is_htmx(request):
                return await self._round_page(
                    request, db, user, workspace, school, matching_round, error=str(exc)
                )
            user.flash("error", str(exc))
            return Redirect(f"/s/{school.code}/matching/rounds/{matching_round.id}", status_code=303)
        if is_htmx(request):
            return await self._round_page(request, db, user, workspace, school, matching_round)
        user.flash("success", message)
        return Redirect(f"/s/{school.code}/matching/rounds/{matching_round.id}", status_code=303)

    @post("/rounds/{round_id:str}/lock", name="matching:lock")
    async def lock(
        self,
        request: Request[Any, Any, Any],
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        round_id: FromPath[str],
    ) -> Template | Redirect:
        return await self._act(request, db, user, school_code, round_id, "lock")

    @post("/rounds/{round_id:str}/exclude", name="matching:exclude")
    async def exclude(
        self,
        request: Request[Any, Any, Any],
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        round_id: FromPath[str],
    ) -> Template | Redirect:
        return await self._act(request, db, user, school_code, round_id, "exclude")

    @post("/rounds/{round_id:str}/swap", name="matching:swap")
    async def swap(
        self,
        request: Request[Any, Any, Any],
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        round_id: FromPath[str],
    ) -> Template | Redirect:
        return await self._act(request, db, user, school_code, round_id, "swap")

    @post("/rounds/{round_id:str}/group", name="matching:group")
    async def group(
        self,
        request: Request[Any, Any, Any],
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        round_id: FromPath[str],
    ) -> Template | Redirect:
        return await self._act(request, db, user, school_code, round_id, "group")

    @post("/rounds/{round_id:str}/rerun", name="matching:rerun")
    async def rerun(
        self,
        request: Request[Any, Any, Any],
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        round_id: FromPath[str],
    ) -> Template | Redirect:
        return await self._act(request, db, user, school_code, round_id, "rerun")

    @post("/rounds/{round_id:str}/approve", name="matching:approve")
    async def approve(
        self,
        request: Request[Any, Any, Any],
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        round_id: FromPath[str],
    ) -> Template | Redirect:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_MANAGE)
        matching_round = await _round(db, school, round_id)
        form = Form.from_mapping(await request.form(), services.APPROVE_FIELDS)
        created = await services.approve(db, school, matching_round, user.user.id, form)
        if created is None:
            return await self._round_page(
                request, db, user, workspace, school, matching_round, approve_form=form, status_code=422
            )
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
        return Redirect(f"/s/{school.code}/matching/rounds/{matching_round.id}", status_code=303)

    @get("/rounds/{round_id:str}/order/{fmt:str}", name="matching:order")
    async def order(
        self,
        *,
        db: DB,
        user: CurrentUser,
        school_code: FromPath[str],
        round_id: FromPath[str],
        fmt: FromPath[str],
    ) -> Response[bytes]:
        _, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_VIEW)
        matching_round = await _round(db, school, round_id)
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
        content = d.render_pdf(document) if fmt == "pdf" else d.render_docx(document)
        name = f"Приказ об утверждении наставнических пар {matching_round.order_number}.{fmt}".replace(
            "/", "-"
        )
        return Response(
            content,
            media_type=d.PDF_MEDIA_TYPE if fmt == "pdf" else d.DOCX_MEDIA_TYPE,
            headers={"Content-Disposition": d.content_disposition(name)},
        )

    # --- weights --------------------------------------------------------------------------

    @get("/settings", name="matching:settings")
    async def settings(
        self, request: Request[Any, Any, Any], *, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_MANAGE)
        weights = await services.school_weights(db, school)
        data: dict[str, Any] = {k: str(v) for k, v in weights.to_mapping().items()}
        data["require_direction_overlap"] = "true" if weights.require_direction_overlap else ""
        return await page(
            request,
            db,
            user,
            workspace,
            "matching/settings.html",
            form=Form(data=data),
            titles=WEIGHT_TITLES,
            fields=Weights.FIELDS,
            defaults=Weights(),
        )

    @post("/settings", name="matching:settings_save")
    async def save_settings(
        self, request: Request[Any, Any, Any], *, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template | Redirect:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_MANAGE)
        form = Form.from_mapping(await request.form(), services.WEIGHT_FIELDS)
        if await services.save_weights(db, school, form) is None:
            return await page(
                request,
                db,
                user,
                workspace,
                "matching/settings.html",
                status_code=422,
                form=form,
                titles=WEIGHT_TITLES,
                fields=Weights.FIELDS,
                defaults=Weights(),
            )
        user.flash("success", "Веса сохранены. Они применятся к новым раундам и повторным подборам.")
        return Redirect(f"/s/{school.code}/matching/settings", status_code=303)

    # --- the psychologist's marks and the preferences --------------------------------------

    async def _people_page(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        user: CurrentUser,
        workspace: SchoolWorkspace,
        school: School,
        mark_form: Form | None = None,
        preference_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        year = services.current_year()
        mentees, mentors = await services.year_people(db, school, year.start)
        links: list[tuple[str, str, str]] = []
        if workspace.can(Permission.SCHOOL_MATCHING_MANAGE):
            settings = request.app.state.settings
            for side, profiles in ((PreferenceSide.MENTEE, mentees), (PreferenceSide.MENTOR, mentors)):
                for p in profiles:
                    token = services.preference_token(
                        settings.session_secret, school, p.participant_id, side, year.start
                    )
                    role = "наставляемый" if side is PreferenceSide.MENTEE else "наставник"
                    links.append((p.participant.full_name, role, f"{settings.base_url}/preferences/{token}"))
        people = {p.participant_id: p.participant for p in mentees} | {
            p.participant_id: p.participant for p in mentors
        }
        return await page(
            request,
            db,
            user,
            workspace,
            "matching/people.html",
            status_code=status_code,
            year_title=year.title,
            marks=await services.list_marks(db, school),
            preferences=await services.list_preferences(db, school, year.start),
            people=people,
            mentee_options=[(str(p.participant_id), p.participant.full_name) for p in mentees],
            mentor_options=[(str(p.participant_id), p.participant.full_name) for p in mentors],
            side_options=[
                (PreferenceSide.MENTEE.value, "Наставляемый выбирает наставника"),
                (PreferenceSide.MENTOR.value, "Наставник выбирает наставляемого"),
            ],
            links=links,
            mark_form=mark_form or Form(),
            preference_form=preference_form or Form(),
            can_mark=workspace.can(Permission.SCHOOL_MATCHING_MARK),
            can_manage=workspace.can(Permission.SCHOOL_MATCHING_MANAGE),
        )

    @get("/people", name="matching:people")
    async def people(
        self, request: Request[Any, Any, Any], *, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_VIEW)
        return await self._people_page(request, db, user, workspace, school)

    @post("/marks", name="matching:mark_add")
    async def add_mark(
        self, request: Request[Any, Any, Any], *, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template | Redirect:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_MARK)
        form = Form.from_mapping(await request.form(), services.MARK_FIELDS)
        if await services.add_mark(db, school, user.user.id, form) is None:
            return await self._people_page(
                request, db, user, workspace, school, mark_form=form, status_code=422
            )
        user.flash("success", "Отметка о несовместимости сохранена: эту пару подбор не предложит.")
        return Redirect(f"/s/{school.code}/matching/people", status_code=303)

    @post("/marks/{mark_id:str}/delete", name="matching:mark_delete")
    async def delete_mark(
        self, *, db: DB, user: CurrentUser, school_code: FromPath[str], mark_id: FromPath[str]
    ) -> Redirect:
        _, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_MARK)
        if not await services.remove_mark(db, school, mark_id):
            raise NotFoundException
        user.flash("success", "Отметка снята.")
        return Redirect(f"/s/{school.code}/matching/people", status_code=303)

    @post("/preferences", name="matching:preference_add")
    async def add_preference(
        self, request: Request[Any, Any, Any], *, db: DB, user: CurrentUser, school_code: FromPath[str]
    ) -> Template | Redirect:
        workspace, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_MANAGE)
        form = Form.from_mapping(await request.form(), services.PREFERENCE_FIELDS)
        if await services.add_preference(db, school, services.current_year().start, form) is None:
            return await self._people_page(
                request, db, user, workspace, school, preference_form=form, status_code=422
            )
        user.flash("success", "Предпочтение записано: подбор учтёт его.")
        return Redirect(f"/s/{school.code}/matching/people", status_code=303)

    @post("/preferences/{preference_id:str}/delete", name="matching:preference_delete")
    async def delete_preference(
        self, *, db: DB, user: CurrentUser, school_code: FromPath[str], preference_id: FromPath[str]
    ) -> Redirect:
        _, school = await _workspace(db, user, school_code, Permission.SCHOOL_MATCHING_MANAGE)
        if not await services.remove_preference(db, school, preference_id):
            raise NotFoundException
        user.flash("success", "Предпочтение удалено.")
        return Redirect(f"/s/{school.code}/matching/people", status_code=303)


class PreferenceLinkController(Controller):
    """The personal link a participant opens after the group meeting, without signing in."""

    path = "/preferences"
    include_in_schema = False

    async def _render(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        token: str,
        *,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        secret = request.app.state.settings.session_secret
        target = await services.resolve_link(db, secret, token)
        if target is None:
            raise NotFoundException
        chosen = await services.chosen_by_link(db, target)
        choices = await services.link_choices(db, target)
        return Template(
            template_name="matching/preference_link.html",
            status_code=status_code,
            context={
                "target": target,
                "choices": choices,
                "choice_options": [(str(p.id), p.full_name) for p in choices],
                "token": token,
                "form": form or Form(data={"chosen": [str(c) for c in chosen]}),
                "saved": request.query_params.get("saved") == "1",
                "max_choices": services.MAX_CHOICES,
                "csrf_token": ScopeState.from_scope(request.scope).csrf_token or "",
                "request_id": request_id_of(request),
            },
        )

    @get("/{token:str}", name="matching:preference_link")
    async def show(self, request: Request[Any, Any, Any], db: DB, token: FromPath[str]) -> Template:
        return await self._render(request, db, token)

    @post("/{token:str}", name="matching:preference_link_save")
    async def save(
        self, request: Request[Any, Any, Any], db: DB, token: FromPath[str]
    ) -> Template | Redirect:
        secret = request.app.state.settings.session_secret
        target = await services.resolve_link(db, secret, token)
        if target is None:
            raise NotFoundException
        data = await request.form()
        chosen = [str(v) for v in data.getall("chosen", [])]
        form = Form(data={"chosen": chosen})
        if not await services.save_link_choices(db, target, chosen, form):
            return await self._render(request, db, token, form=form, status_code=422)
        return Redirect(f"/preferences/{token}?saved=1", status_code=303)
