"""Completing the year: results of pairs, cases, contests, incentives and letters, the
public page's publication, closing the year and starting the next one.

Every screen is per academic year (`?year=2025-2026`, remembered like the other per-year
screens); objects of another school, or of another year's URL, are 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form
from nastavnik.school.completion import cases as case_services
from nastavnik.school.completion import letters, next_year, outcomes, public, recognition
from nastavnik.school.completion.models import (
    CONTEST_KIND_TITLES,
    DECISION_TITLES,
    INCENTIVE_KIND_TITLES,
    PRINTED_KINDS,
    RECIPIENT_TITLES,
    DecisionMode,
    IncentiveKind,
    SchoolCase,
    SchoolContest,
)
from nastavnik.school.completion.yearfigures import count_year, year_record
from nastavnik.school.meetings.models import MEETING_FORMAT_TITLES
from nastavnik.school.pairs import services as pairs
from nastavnik.school.pairs.models import Mentorship
from nastavnik.school.participants.consent_rules import consented_ids
from nastavnik.school.participants.models import ConsentScope, Participant, local_today
from nastavnik.school.programme import services as programme_services
from nastavnik.school.programme.models import Programme
from nastavnik.school.years import ChosenYear, YearController
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolController, requires
from nastavnik.tenants.models import School

AnyRequest = Request[Any, Any, Any]
VIEW = requires(Permission.SCHOOL_COMPLETION_VIEW)
MANAGE = requires(Permission.SCHOOL_COMPLETION_MANAGE)
VOTE = requires(Permission.SCHOOL_CONTEST_VOTE)
FORMAT_OPTIONS = [(f.value, t) for f, t in MEETING_FORMAT_TITLES.items()]


def _base(school: School) -> str:
    return f"/s/{school.code}/completion"


def _year_query(year: AcademicYear) -> str:
    return f"?year={year.title}"


def _file(content: bytes, fmt: str, name: str) -> Response[bytes]:
    return Response(
        content,
        media_type=d.PDF_MEDIA_TYPE if fmt == "pdf" else d.DOCX_MEDIA_TYPE,
        headers={"Content-Disposition": d.content_disposition(f"{name}.{fmt}")},
    )


async def _programme(db: DB, school: School, year: AcademicYear) -> Programme | None:
    return await programme_services.programme_for_year(db, school, year)


class CompletionController(YearController):
    """The year's overview, closing it, its frozen documents and starting the next year."""

    path = "/s/{school_code:str}/completion"
    guards = [*SchoolController.guards, VIEW]  # noqa: RUF012

    async def _overview(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        school: School,
        chosen: ChosenYear,
        *,
        close_form: Form | None = None,
        next_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        year = chosen.year
        today = local_today()
        programme = await _programme(db, school, year)
        lines, window = await outcomes.pairs_page(db, school, year, page_number(request.query_params))
        record = await year_record(db, school, year)
        closed = programme is not None and programme.closed_on is not None
        return await page(
            "completion/index.html",
            status_code=status_code,
            chosen=chosen,
            year=year,
            programme=programme,
            lines=lines,
            window=window.linked(_base(school), {"year": year.title}),
            figures=dict(record.figures)
            if record is not None and closed
            else await count_year(db, school, year, today),
            frozen=record is not None and closed,
            documents=await next_year.frozen_documents(db, school, year) if closed else [],
            close_form=close_form
            or (programme_services.close_form(programme, today) if programme else Form()),
            next_form=next_form or Form(),
            next_exists=await _programme(db, school, year.next()) is not None,
            can_manage=page.workspace.can(Permission.SCHOOL_COMPLETION_MANAGE),
        )

    @get("/", name="completion:index")
    async def index(
        self, request: AnyRequest, db: DB, page: Page, school: CurrentSchool, chosen: ChosenYear
    ) -> Template:
        return await self._overview(request, db, page, school, chosen)

    @post("/close", name="completion:close", guards=[MANAGE])
    async def close(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        chosen: ChosenYear,
    ) -> Template | Redirect:
        programme = await _programme(db, school, chosen.year)
        form = Form.from_mapping(await request.form(), programme_services.CLOSE_FIELDS)
        if programme is None:
            form.error("__all__", f"Программы на {chosen.year.title} учебный год нет — закрывать нечего.")
            return await self._overview(request, db, page, school, chosen, close_form=form, status_code=422)
        record = await next_year.close_year(
            db, school, programme, form, user_id=user.user.id, today=local_today()
        )
        if record is None:
            return await self._overview(request, db, page, school, chosen, close_form=form, status_code=422)
        user.flash(
            "success",
            f"{chosen.year.title} учебный год закрыт {record.closed_on:%d.%m.%Y}: "
            "итоги и документы зафиксированы.",
        )
        return Redirect(_base(school) + _year_query(chosen.year), status_code=303)

    @get("/archive/{document_id:str}", name="completion:archive")
    async def archive(self, db: DB, school: CurrentSchool, document_id: FromPath[str]) -> Response[bytes]:
        found = await next_year.frozen_document(db, school, document_id)
        if found is None:
            raise NotFoundException
        return Response(
            found.content,
            media_type=d.PDF_MEDIA_TYPE,
            headers={"Content-Disposition": d.content_disposition(found.filename)},
        )

    @get("/next-year", name="completion:next_year")
    async def next_year_page(self, db: DB, page: Page, school: CurrentSchool, chosen: ChosenYear) -> Template:
        following = chosen.year.next()
        return await page(
            "completion/next_year.html",
            chosen=chosen,
            year=chosen.year,
            following=following,
            programme=await _programme(db, school, following),
            carried=await next_year.carried_mentors(db, school, following),
        )

    @post("/next-year", name="completion:start_next", guards=[MANAGE])
    async def start_next(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        chosen: ChosenYear,
    ) -> Template | Redirect:
        form = Form()
        programme = await _programme(db, school, chosen.year)
        if programme is None:
            form.error("__all__", f"Программы на {chosen.year.title} учебный год нет.")
            return await self._overview(request, db, page, school, chosen, next_form=form, status_code=422)
        done = await next_year.start_next_year(db, school, programme, form)
        if done is None:
            return await self._overview(request, db, page, school, chosen, next_form=form, status_code=422)
        following = chosen.year.next()
        user.flash(
            "success",
            f"Программа на {following.title} учебный год начата из программы {chosen.year.title}. "
            f"Перенесено наставников на проверку: {done.mentors}, новых кандидатов из успешных наставляемых: "
            f"{done.candidates}, продолжающихся пар: {done.pairs}.",
        )
        return Redirect(f"{_base(school)}/next-year{_year_query(chosen.year)}", status_code=303)


class PairResultsController(YearController):
    """The final meeting and the result of one pair or group; a case drafted from it."""

    path = "/s/{school_code:str}/completion/pairs"
    guards = [*SchoolController.guards, VIEW]  # noqa: RUF012

    async def _pair(self, db: DB, school: School, pair_id: str) -> Mentorship:
        found = await pairs.get_mentorship(db, school, pair_id)
        if found is None:
            raise NotFoundException
        return found

    async def _page(
        self, db: DB, page: Page, mentorship: Mentorship, form: Form | None = None, status_code: int = 200
    ) -> Template:
        result = await outcomes.result_of(db, mentorship)
        done, total = await outcomes.plan_counts(db, mentorship)
        await db.refresh(mentorship, ["plan"])
        return await page(
            "completion/pair.html",
            status_code=status_code,
            pair=mentorship,
            plan=mentorship.plan,
            result=result,
            done=done,
            total=total,
            year=AcademicYear(mentorship.academic_year),
            form=form or outcomes.result_form(mentorship, local_today()),
            outcome_options=outcomes.OUTCOME_OPTIONS,
            goals_options=outcomes.GOALS_OPTIONS,
            format_options=FORMAT_OPTIONS,
            can_manage=page.workspace.can(Permission.SCHOOL_COMPLETION_MANAGE),
        )

    @get("/{pair_id:str}", name="completion:pair")
    async def show(self, db: DB, page: Page, school: CurrentSchool, pair_id: FromPath[str]) -> Template:
        return await self._page(db, page, await self._pair(db, school, pair_id))

    @post("/{pair_id:str}", name="completion:pair_result", guards=[MANAGE])
    async def record(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        pair_id: FromPath[str],
    ) -> Template | Redirect:
        mentorship = await self._pair(db, school, pair_id)
        form = Form.from_mapping(await request.form(), outcomes.RESULT_FIELDS)
        result = await outcomes.record_result(db, mentorship, form, user_id=user.user.id, today=local_today())
        if result is None:
            return await self._page(db, page, mentorship, form, status_code=422)
        user.flash(
            "success", f"{mentorship.kind_title} № {mentorship.number}: {result.outcome_title.lower()}."
        )
        return Redirect(f"{_base(school)}/pairs/{mentorship.id}", status_code=303)

    @post("/{pair_id:str}/case", name="completion:pair_case", guards=[MANAGE])
    async def draft_case(
        self, db: DB, user: CurrentUser, page: Page, school: CurrentSchool, pair_id: FromPath[str]
    ) -> Template | Redirect:
        mentorship = await self._pair(db, school, pair_id)
        if await outcomes.result_of(db, mentorship) is None:
            form = Form()
            form.error("__all__", "Кейс пишут по завершённой паре: сначала запишите её итог.")
            return await self._page(db, page, mentorship, form, status_code=422)
        case = await case_services.draft_from_pair(db, school, mentorship, user_id=user.user.id)
        user.flash(
            "success", "Черновик кейса составлен по плану, встречам и отзывам пары — проверьте и дополните."
        )
        return Redirect(f"{_base(school)}/cases/{case.id}", status_code=303)


class CasesController(YearController):
    """The school's «методическая копилка»: cases and best practices."""

    path = "/s/{school_code:str}/completion/cases"
    guards = [*SchoolController.guards, VIEW]  # noqa: RUF012

    @get("/", name="completion:cases")
    async def index(
        self, request: AnyRequest, db: DB, page: Page, school: CurrentSchool, chosen: ChosenYear
    ) -> Template:
        every_year = request.query_params.get("all") == "1"
        best_only = request.query_params.get("best") == "1"
        rows, window = await case_services.cases_page(
            db,
            school,
            year=None if every_year else chosen.year.start,
            best_only=best_only,
            page=page_number(request.query_params),
        )
        return await page(
            "completion/cases.html",
            chosen=chosen,
            year=chosen.year,
            cases=rows,
            window=window.linked(
                f"{_base(school)}/cases",
                {
                    "year": chosen.year.title,
                    "all": "1" if every_year else "",
                    "best": "1" if best_only else "",
                },
            ),
            every_year=every_year,
            best_only=best_only,
        )

    async def _case(self, db: DB, school: School, case_id: str) -> SchoolCase:
        found = await case_services.get_case(db, school, case_id)
        if found is None:
            raise NotFoundException
        return found

    async def _page(
        self,
        db: DB,
        page: Page,
        case: SchoolCase,
        *,
        form: Form | None = None,
        photo_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        today = local_today()
        people = await case_services.people_of_case(db, case)
        published = await case_services.publishable_photos(db, case, today)
        return await page(
            "completion/case.html",
            status_code=status_code,
            case=case,
            year=AcademicYear(case.academic_year),
            photos=await case_services.photos_of(db, case),
            published_photo_ids={p.id for p in published},
            quote_allowed=await case_services.quote_allowed(db, case, today),
            people_options=[("", "—")] + [(str(p.id), p.full_name) for p in people],
            form=form
            or Form(
                data={
                    "title": case.title,
                    "problem": case.problem,
                    "actions": case.actions,
                    "result": case.result,
                    "quote": case.quote,
                    "quote_author_id": str(case.quote_author_id or ""),
                    "best_practice": "true" if case.best_practice else "",
                    "published": "true" if case.published else "",
                }
            ),
            photo_form=photo_form or Form(),
            can_manage=page.workspace.can(Permission.SCHOOL_COMPLETION_MANAGE),
        )

    @get("/{case_id:str}", name="completion:case")
    async def show(self, db: DB, page: Page, school: CurrentSchool, case_id: FromPath[str]) -> Template:
        return await self._page(db, page, await self._case(db, school, case_id))

    @post("/{case_id:str}", name="completion:case_save", guards=[MANAGE])
    async def save(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        case_id: FromPath[str],
    ) -> Template | Redirect:
        case = await self._case(db, school, case_id)
        form = Form.from_mapping(await request.form(), case_services.CASE_FIELDS)
        if not await case_services.save_case(db, school, case, form, local_today()):
            return await self._page(db, page, case, form=form, status_code=422)
        user.flash(
            "success",
            "Кейс сохранён."
            + (" Он появится на странице «Наставничество» после публикации." if case.published else ""),
        )
        return Redirect(f"{_base(school)}/cases/{case.id}", status_code=303)

    @post("/{case_id:str}/photos", name="completion:photo_add", guards=[MANAGE])
    async def add_photo(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        case_id: FromPath[str],
    ) -> Template | Redirect:
        case = await self._case(db, school, case_id)
        data = await request.form()
        form = Form.from_mapping(data, case_services.PHOTO_FIELDS)
        upload = data.get("photo")
        content, filename, content_type = b"", "", ""
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(case_services.PHOTO_MAX_BYTES + 1)
            filename, content_type = upload.filename, upload.content_type
        photo = await case_services.add_photo(
            db, case, form, filename=filename, content_type=content_type, content=content, today=local_today()
        )
        if photo is None:
            return await self._page(db, page, case, photo_form=form, status_code=422)
        user.flash("success", "Фотография добавлена к кейсу.")
        return Redirect(f"{_base(school)}/cases/{case.id}#photos", status_code=303)

    @get("/{case_id:str}/photos/{photo_id:str}", name="completion:photo")
    async def photo(
        self, db: DB, school: CurrentSchool, case_id: FromPath[str], photo_id: FromPath[str]
    ) -> Response[bytes]:
        case = await self._case(db, school, case_id)
        found = await case_services.get_photo(db, case, photo_id)
        if found is None:
            raise NotFoundException
        return Response(
            found.content, media_type=found.content_type, headers={"Cache-Control": "private, no-store"}
        )

    @post("/{case_id:str}/photos/{photo_id:str}/delete", name="completion:photo_delete", guards=[MANAGE])
    async def delete_photo(
        self,
        db: DB,
        user: CurrentUser,
        school: CurrentSchool,
        case_id: FromPath[str],
        photo_id: FromPath[str],
    ) -> Redirect:
        case = await self._case(db, school, case_id)
        found = await case_services.get_photo(db, case, photo_id)
        if found is None:
            raise NotFoundException
        await db.delete(found)
        user.flash("success", "Фотография удалена.")
        return Redirect(f"{_base(school)}/cases/{case.id}#photos", status_code=303)


class ContestsController(YearController):
    """The school's contests («Наставник года», «Лучшая пара "Наставник+"»)."""

    path = "/s/{school_code:str}/completion/contests"
    guards = [*SchoolController.guards, VIEW]  # noqa: RUF012

    async def _index(
        self,
        db: DB,
        page: Page,
        school: School,
        chosen: ChosenYear,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        return await page(
            "completion/contests.html",
            status_code=status_code,
            chosen=chosen,
            year=chosen.year,
            contests=await recognition.contests_of_year(db, school, chosen.year.start),
            form=form
            or Form(
                data={
                    "kind": "mentor_of_year",
                    "decision_mode": "jury",
                    "nominations": "Лучший наставник-педагог\nЛучший наставник-обучающийся",
                }
            ),
            kind_options=list(CONTEST_KIND_TITLES.items()),
            decision_options=list(DECISION_TITLES.items()),
            can_manage=page.workspace.can(Permission.SCHOOL_COMPLETION_MANAGE),
        )

    @get("/", name="completion:contests")
    async def index(self, db: DB, page: Page, school: CurrentSchool, chosen: ChosenYear) -> Template:
        return await self._index(db, page, school, chosen)

    @post("/", name="completion:contest_add", guards=[MANAGE])
    async def create(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        chosen: ChosenYear,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), recognition.CONTEST_FIELDS)
        contest = await recognition.create_contest(db, school, chosen.year, form)
        if contest is None:
            return await self._index(db, page, school, chosen, form, status_code=422)
        user.flash("success", f"Конкурс «{contest.title}» создан. Выдвиньте номинантов.")
        return Redirect(f"{_base(school)}/contests/{contest.id}", status_code=303)

    async def _contest(self, db: DB, school: School, contest_id: str) -> SchoolContest:
        found = await recognition.get_contest(db, school, contest_id)
        if found is None:
            raise NotFoundException
        return found

    async def _show(
        self,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: School,
        contest: SchoolContest,
        *,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        nominations = await recognition.nominations_of(db, contest, user.user.id)
        return await page(
            "completion/contest.html",
            status_code=status_code,
            contest=contest,
            year=AcademicYear(contest.academic_year),
            nominations=nominations,
            nomination_options=[(str(v.nomination.id), v.nomination.title) for v in nominations],
            candidates=await recognition.candidates(db, school, contest),
            form=form or Form(),
            is_jury=contest.decision_mode is DecisionMode.JURY,
            can_manage=page.workspace.can(Permission.SCHOOL_COMPLETION_MANAGE),
            can_vote=page.workspace.can(Permission.SCHOOL_CONTEST_VOTE),
        )

    @get("/{contest_id:str}", name="completion:contest")
    async def show(
        self, db: DB, user: CurrentUser, page: Page, school: CurrentSchool, contest_id: FromPath[str]
    ) -> Template:
        return await self._show(db, user, page, school, await self._contest(db, school, contest_id))

    @post("/{contest_id:str}/nominees", name="completion:nominee_add", guards=[MANAGE])
    async def nominate(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        contest_id: FromPath[str],
    ) -> Template | Redirect:
        contest = await self._contest(db, school, contest_id)
        form = Form.from_mapping(await request.form(), recognition.NOMINEE_FIELDS)
        nominee = await recognition.add_nominee(db, school, contest, form)
        if nominee is None:
            return await self._show(db, user, page, school, contest, form=form, status_code=422)
        user.flash("success", f"Выдвинут(а): {nominee.label}.")
        return Redirect(f"{_base(school)}/contests/{contest.id}", status_code=303)

    @post("/{contest_id:str}/votes", name="completion:vote", guards=[VOTE])
    async def vote(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        contest_id: FromPath[str],
    ) -> Template | Redirect:
        contest = await self._contest(db, school, contest_id)
        form = Form.from_mapping(await request.form(), ("nominee_id",))
        if not await recognition.vote(db, school, contest, form, user.user.id):
            return await self._show(db, user, page, school, contest, form=form, status_code=422)
        user.flash("success", "Ваш голос учтён.")
        return Redirect(f"{_base(school)}/contests/{contest.id}", status_code=303)

    @post("/{contest_id:str}/decide", name="completion:decide", guards=[MANAGE])
    async def decide(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        contest_id: FromPath[str],
    ) -> Template | Redirect:
        contest = await self._contest(db, school, contest_id)
        data = await request.form()
        chosen = {
            str(k).removeprefix("winner_"): str(v) for k, v in data.items() if str(k).startswith("winner_")
        }
        form = Form(data=dict(chosen))
        if not await recognition.decide(db, school, contest, form, local_today(), chosen=chosen):
            return await self._show(db, user, page, school, contest, form=form, status_code=422)
        user.flash("success", "Итоги конкурса подведены; грамоты победителей внесены в реестр поощрений.")
        return Redirect(f"{_base(school)}/contests/{contest.id}", status_code=303)


class IncentivesController(YearController):
    """The incentives register of the year and the documents printed from it."""

    path = "/s/{school_code:str}/completion/incentives"
    guards = [*SchoolController.guards, VIEW]  # noqa: RUF012

    async def _index(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        school: School,
        chosen: ChosenYear,
        *,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        year = chosen.year
        rows, window = await recognition.incentives_page(
            db, school, year.start, page_number(request.query_params)
        )
        people, partners = await recognition.recipient_options(db, school, year.start)
        return await page(
            "completion/incentives.html",
            status_code=status_code,
            chosen=chosen,
            year=year,
            rows=rows,
            window=window.linked(f"{_base(school)}/incentives", {"year": year.title}),
            counts=await recognition.incentive_counts(db, school, year.start),
            kind_titles=INCENTIVE_KIND_TITLES,
            form=form
            or Form(
                data={
                    "kind": IncentiveKind.GRATITUDE.value,
                    "recipient": "participant",
                    "issued_on": min(local_today(), year.ends).isoformat(),
                }
            ),
            kind_options=list(INCENTIVE_KIND_TITLES.items()),
            recipient_options=list(RECIPIENT_TITLES.items()),
            people=[("", "—"), *people],
            partners=[("", "—"), *partners],
            can_manage=page.workspace.can(Permission.SCHOOL_COMPLETION_MANAGE),
        )

    @get("/", name="completion:incentives")
    async def index(
        self, request: AnyRequest, db: DB, page: Page, school: CurrentSchool, chosen: ChosenYear
    ) -> Template:
        return await self._index(request, db, page, school, chosen)

    @post("/", name="completion:incentive_add", guards=[MANAGE])
    async def add(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        chosen: ChosenYear,
    ) -> Template | Redirect:
        form = Form.from_mapping(await request.form(), recognition.INCENTIVE_FIELDS)
        incentive = await recognition.add_incentive(db, school, chosen.year, form)
        if incentive is None:
            return await self._index(request, db, page, school, chosen, form=form, status_code=422)
        user.flash("success", f"В реестр внесено: {incentive.kind_title.lower()}.")
        return Redirect(f"{_base(school)}/incentives{_year_query(chosen.year)}", status_code=303)

    @post("/{incentive_id:str}/delete", name="completion:incentive_delete", guards=[MANAGE])
    async def remove(
        self, db: DB, user: CurrentUser, school: CurrentSchool, incentive_id: FromPath[str]
    ) -> Redirect:
        found = await recognition.get_incentive(db, school, incentive_id)
        if found is None:
            raise NotFoundException
        year = AcademicYear(found.academic_year)
        await db.delete(found)
        user.flash("success", "Запись удалена из реестра.")
        return Redirect(f"{_base(school)}/incentives{_year_query(year)}", status_code=303)

    @get("/letters/{fmt:str}", name="completion:letters")
    async def letters_file(
        self, request: AnyRequest, db: DB, school: CurrentSchool, chosen: ChosenYear, fmt: FromPath[str]
    ) -> Response[bytes]:
        if fmt not in ("pdf", "docx"):
            raise NotFoundException
        asked = request.query_params.get("kind", "")
        kinds = [k for k in PRINTED_KINDS if not asked or k.value == asked]
        if not kinds:
            raise NotFoundException
        found = await letters.recipients(db, school, chosen.year.start, kinds)
        director, _ = await letters.signers(db, school)
        document = letters.letters_document(school, chosen.year, found, director)
        content = await d.off_loop(d.render_pdf if fmt == "pdf" else d.render_docx, document)
        return _file(content, fmt, f"Грамоты и благодарственные письма {chosen.year.title}")

    @get("/orders/incentives/{fmt:str}", name="completion:order_incentives")
    async def order_incentives(
        self, db: DB, school: CurrentSchool, chosen: ChosenYear, fmt: FromPath[str]
    ) -> Response[bytes]:
        if fmt not in ("pdf", "docx"):
            raise NotFoundException
        found = await letters.recipients(db, school, chosen.year.start, list(IncentiveKind))
        director, curator = await letters.signers(db, school)
        document = letters.incentives_order(school, chosen.year, found, director=director, curator=curator)
        content = await d.off_loop(d.render_pdf if fmt == "pdf" else d.render_docx, document)
        return _file(content, fmt, f"Приказ О поощрении наставников {chosen.year.title}")

    @get("/orders/final-event/{fmt:str}", name="completion:order_final_event")
    async def order_final_event(
        self, db: DB, school: CurrentSchool, chosen: ChosenYear, fmt: FromPath[str]
    ) -> Response[bytes]:
        if fmt not in ("pdf", "docx"):
            raise NotFoundException
        event = await letters.final_event(db, school, chosen.year.start)
        director, curator = await letters.signers(db, school)
        document = letters.final_event_order(school, chosen.year, event, director=director, curator=curator)
        content = await d.off_loop(d.render_pdf if fmt == "pdf" else d.render_docx, document)
        return _file(content, fmt, f"Приказ О проведении итогового мероприятия {chosen.year.title}")


class PublicPageController(YearController):
    """Publishing the public page «Наставничество», and mentors' publication choices."""

    path = "/s/{school_code:str}/completion/public-page"
    guards = [*SchoolController.guards, VIEW]  # noqa: RUF012

    @get("/", name="completion:public_page")
    async def index(
        self, request: AnyRequest, db: DB, page: Page, school: CurrentSchool, chosen: ChosenYear
    ) -> Template:
        settings = request.app.state.settings
        row = await public.page_row(db, school)
        mentors = await public.year_mentors(db, school, chosen.year.start)
        return await page(
            "completion/public_page.html",
            chosen=chosen,
            year=chosen.year,
            row=row,
            mentors=mentors,
            public_url=settings.base_url.rstrip("/") + public.public_path(school.code),
            can_manage=page.workspace.can(Permission.SCHOOL_COMPLETION_MANAGE),
        )

    @post("/", name="completion:publish", guards=[MANAGE])
    async def publish(self, db: DB, user: CurrentUser, school: CurrentSchool, chosen: ChosenYear) -> Redirect:
        row = await public.publish(db, school, chosen.year, local_today())
        user.flash("success", f"Страница «Наставничество» опубликована (версия {row.version}).")
        return Redirect(f"{_base(school)}/public-page{_year_query(chosen.year)}", status_code=303)

    @post("/unpublish", name="completion:unpublish", guards=[MANAGE])
    async def unpublish(
        self, db: DB, user: CurrentUser, school: CurrentSchool, chosen: ChosenYear
    ) -> Redirect:
        await public.unpublish(db, school)
        user.flash("success", "Страница «Наставничество» снята с публикации.")
        return Redirect(f"{_base(school)}/public-page{_year_query(chosen.year)}", status_code=303)

    async def _person(self, db: DB, school: School, participant_id: str) -> Participant:
        try:
            key = uuid.UUID(participant_id)
        except ValueError:
            raise NotFoundException from None
        person = await db.get(Participant, (school.id, key))
        if person is None or person.anonymised_at is not None:
            raise NotFoundException
        return person

    async def _choice_page(
        self,
        db: DB,
        page: Page,
        school: School,
        person: Participant,
        data: dict[str, Any],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return await page(
            "completion/publication.html",
            status_code=status_code,
            person=person,
            form=Form(data=data, errors=errors),
            has_consent=person.id
            in await consented_ids(
                db, school.id, [person.id], on=local_today(), scope=ConsentScope.PUBLICATION
            ),
            can_manage=page.workspace.can(Permission.SCHOOL_COMPLETION_MANAGE),
        )

    @get("/mentors/{participant_id:str}", name="completion:publication")
    async def choice(
        self, db: DB, page: Page, school: CurrentSchool, participant_id: FromPath[str]
    ) -> Template:
        person = await self._person(db, school, participant_id)
        found = await public.publication_of(db, school, person.id)
        return await self._choice_page(db, page, school, person, public.publication_form(found), {})

    @post("/mentors/{participant_id:str}", name="completion:publication_save", guards=[MANAGE])
    async def save_choice(
        self,
        request: AnyRequest,
        db: DB,
        user: CurrentUser,
        page: Page,
        school: CurrentSchool,
        chosen: ChosenYear,
        participant_id: FromPath[str],
    ) -> Template | Redirect:
        person = await self._person(db, school, participant_id)
        raw = await request.form()
        data = {name: str(raw.get(name, "")).strip() for name in public.PUBLICATION_FIELDS}
        found, errors = await public.save_publication(db, school, person, data, local_today())
        if found is None:
            return await self._choice_page(db, page, school, person, data, errors, status_code=422)
        user.flash(
            "success",
            f"Выбор {person.full_name} сохранён. Опубликуйте страницу заново, чтобы он появился на ней.",
        )
        return Redirect(f"{_base(school)}/public-page{_year_query(chosen.year)}", status_code=303)


COMPLETION_CONTROLLERS = [
    CompletionController,
    PairResultsController,
    CasesController,
    ContestsController,
    IncentivesController,
    PublicPageController,
]
