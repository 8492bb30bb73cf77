"""The region's mentor directory and inter-school pairs, in the school's and the region's UI.

Scope of a school curator's search: the school pages of this feature run with the
school's `app.school_id` (its own tables) and, through `provide_school_directory_scope`, with
`app.region_id` of the school's own region and an empty municipality. The directory's
policy then shows that region's cards and nothing else; the school's tables stay
behind their own policy, and other schools' tables stay closed. Tutors and methodists
search at `/r/<region>/mentors` with the scope set by the region workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template
from sqlalchemy import select

from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission, Role, Scope
from nastavnik.platform.db import set_region
from nastavnik.platform.ui.pagination import page_number
from nastavnik.platform.web import DB, CurrentUser, Form, is_htmx, request_id_of
from nastavnik.regional.mentor_search import notices, services
from nastavnik.regional.mentor_search import pairs as pair_svc
from nastavnik.regional.mentor_search.documents import pair_order
from nastavnik.school.directory.models import (
    CROSS_SCHOOL_PAIR_STATUS_TITLES,
    CrossSchoolPair,
    CrossSchoolPairStatus,
    MentorDirectoryEntry,
)
from nastavnik.school.pairs.documents import staff_with_role
from nastavnik.school.pairs.services import participant_ids_of_user
from nastavnik.school.participants.models import PARTICIPANT_KIND_TITLES, local_today
from nastavnik.tenants.dependencies import (
    CurrentRegion,
    CurrentSchool,
    Page,
    RegionController,
    SchoolController,
    SchoolScope,
    requires,
)
from nastavnik.tenants.models import Municipality, Region, School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items

AnyRequest = Request[Any, Any, Any]
REQUEST_FIELDS = ("mentee", "message")
DECISION_FIELDS = ("decision", "note")
MEETING_FIELDS = ("held_on", "topic", "notes")


@dataclass(frozen=True)
class DirectoryScope:
    """The region whose directory this page reads, and the school asking (None: the region itself)."""

    region: Region
    school: School | None
    base: str


DirectoryScopeDep = NamedDependency[SkipValidation[DirectoryScope]]


async def provide_school_directory_scope(db: DB, school: CurrentSchool) -> DirectoryScope:
    region = school.municipality.region
    await set_region(db, region.id)
    return DirectoryScope(region, school, f"/s/{school.code}/region/mentors")


async def provide_region_directory_scope(region: CurrentRegion) -> DirectoryScope:
    return DirectoryScope(region, None, f"/r/{region.code}/mentors")


async def _search_page(request: AnyRequest, db: DB, page: Page, scope: DirectoryScope) -> Template:
    query = services.MentorQuery.from_params(request.query_params)
    rows, window = await services.search(
        db, query, scope.region.id, exclude_school_id=scope.school.id if scope.school else None
    )
    municipalities = (
        (
            await db.execute(
                select(Municipality)
                .where(Municipality.region_id == scope.region.id)
                .order_by(Municipality.name)
            )
        )
        .scalars()
        .all()
    )
    return await page(
        "mentor_search/_results.html" if is_htmx(request) else "mentor_search/index.html",
        scope=scope,
        query=query,
        rows=rows,
        window=window.linked(scope.base, query.params(), target="#mentor-results"),
        competencies=await reference_items(db, ReferenceKind.DEFICIT_AREA),
        forms=await reference_items(db, ReferenceKind.FORM),
        municipalities=municipalities,
        kind_titles={k.value: t for k, t in PARTICIPANT_KIND_TITLES.items()},
    )


async def _entry(db: DB, entry_id: str) -> MentorDirectoryEntry:
    entry = await services.get_entry(db, entry_id)
    if entry is None:
        raise NotFoundException
    return entry


class SchoolMentorSearchController(SchoolController):
    """`/s/<school>/region/…`: the region's mentors and this school's inter-school pairs."""

    path = "/s/{school_code:str}/region"
    dependencies = {  # noqa: RUF012
        **SchoolController.dependencies,
        "directory": Provide(provide_school_directory_scope),
    }
    guards = [*SchoolController.guards, requires(Permission.SCHOOL_MATCHING_VIEW, hidden=True)]  # noqa: RUF012

    @get("/mentors", name="region_mentors:search")
    async def search(
        self, request: AnyRequest, page: Page, directory: DirectoryScopeDep, *, db: DB
    ) -> Template:
        return await _search_page(request, db, page, directory)

    async def _card(
        self,
        db: DB,
        page: Page,
        workspace: SchoolScope,
        school: School,
        entry: MentorDirectoryEntry,
        *,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        can_request = workspace.can(Permission.SCHOOL_MATCHING_MANAGE) and entry.school_id != school.id
        year = AcademicYear.current(local_today()).start
        return await page(
            "mentor_search/card.html",
            status_code=status_code,
            entry=entry,
            base=f"/s/{school.code}/region/mentors",
            can_request=can_request,
            mentee_options=[
                (str(c.participant_id), c.title) for c in await pair_svc.mentee_choices(db, school, year)
            ]
            if can_request
            else [],
            form=form or Form(),
            kind_titles={k.value: t for k, t in PARTICIPANT_KIND_TITLES.items()},
            form_titles={f.code: f.title for f in await reference_items(db, ReferenceKind.FORM)},
        )

    @get("/mentors/{entry_id:str}", name="region_mentors:card")
    async def card(
        self,
        page: Page,
        workspace: SchoolScope,
        school: CurrentSchool,
        directory: DirectoryScopeDep,
        *,
        db: DB,
        entry_id: FromPath[str],
    ) -> Template:
        del directory  # the region's scope must be set before the card is read
        return await self._card(db, page, workspace, school, await _entry(db, entry_id))

    @post(
        "/mentors/{entry_id:str}/request",
        name="region_mentors:request",
        guards=[requires(Permission.SCHOOL_MATCHING_MANAGE)],
    )
    async def request_mentor(
        self,
        request: AnyRequest,
        state: State,
        page: Page,
        workspace: SchoolScope,
        school: CurrentSchool,
        directory: DirectoryScopeDep,
        *,
        db: DB,
        user: CurrentUser,
        entry_id: FromPath[str],
    ) -> Template | Redirect:
        del directory
        entry = await _entry(db, entry_id)
        form = Form.from_mapping(await request.form(), REQUEST_FIELDS)
        year = AcademicYear.current(local_today()).start
        pair = await pair_svc.request_pair(db, school, entry, form, user_id=user.user.id, year=year)
        if pair is None:
            return await self._card(db, page, workspace, school, entry, form=form, status_code=422)
        mentor_school = await db.get(School, entry.school_id)
        if mentor_school is not None:
            await notices.requested(state.settings, state.provisioner, pair, school, mentor_school)
        user.flash(
            "success", f"Запрос отправлен в {entry.school_name}. Ответ появится в разделе «Межшкольные пары»."
        )
        return Redirect(f"/s/{school.code}/region/pairs/{pair.id}", status_code=303)

    # --- inter-school pairs ---------------------------------------------------------------

    @get("/pairs", name="region_pairs:index")
    async def pairs(self, request: AnyRequest, page: Page, school: CurrentSchool, *, db: DB) -> Template:
        rows, window = await pair_svc.pairs_page(db, school, page_number(request.query_params))
        names = await _school_names(
            db, {p.mentor_school_id for p in rows} | {p.mentee_school_id for p in rows}
        )
        return await page(
            "mentor_search/pairs.html",
            rows=rows,
            window=window.linked(f"/s/{school.code}/region/pairs"),
            school_names=names,
            status_titles=CROSS_SCHOOL_PAIR_STATUS_TITLES,
            pairs_base=f"/s/{school.code}/region/pairs",
            mentor_view=False,
        )

    async def _pair_page(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        workspace: SchoolScope,
        school: School,
        pair: CrossSchoolPair,
        *,
        actor: CurrentUser,
        decision_form: Form | None = None,
        meeting_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        await pair_svc.audit_read(db, school, pair, actor_id=actor.user.id, request_id=request_id_of(request))
        names = await _school_names(db, {pair.mentee_school_id, pair.mentor_school_id})
        form_item = await db.get(ReferenceItem, pair.form_id)
        return await page(
            "mentor_search/pair.html",
            status_code=status_code,
            pair=pair,
            ours_is_mentee=pair.mentee_school_id == school.id,
            school_names=names,
            form_title=form_item.title if form_item else "",
            status_titles=CROSS_SCHOOL_PAIR_STATUS_TITLES,
            can_decide=workspace.can(Permission.SCHOOL_MATCHING_MANAGE)
            and pair.mentor_school_id == school.id
            and pair.status is CrossSchoolPairStatus.REQUESTED
            and not pair.curator_agreed,
            pair_url=f"/s/{school.code}/region/pairs/{pair.id}",
            answer_url=f"/s/{school.code}/region/pairs/{pair.id}/decision",
            mentor_view=False,
            can_log=workspace.can(Permission.SCHOOL_MATCHING_MANAGE)
            and pair.status is CrossSchoolPairStatus.ACCEPTED,
            decision_form=decision_form or Form(),
            meeting_form=meeting_form or Form(),
            meetings=await pair_svc.meetings_of(db, pair),
            kind_titles={k.value: t for k, t in PARTICIPANT_KIND_TITLES.items()},
        )

    async def _pair(self, db: DB, school: School, pair_id: str) -> CrossSchoolPair:
        pair = await pair_svc.get_pair(db, school, pair_id)
        if pair is None:
            raise NotFoundException
        return pair

    @get("/pairs/{cross_pair_id:str}", name="region_pairs:show")
    async def pair(
        self,
        request: AnyRequest,
        page: Page,
        workspace: SchoolScope,
        school: CurrentSchool,
        *,
        db: DB,
        user: CurrentUser,
        cross_pair_id: FromPath[str],
    ) -> Template:
        pair = await self._pair(db, school, cross_pair_id)
        return await self._pair_page(request, db, page, workspace, school, pair, actor=user)

    @post(
        "/pairs/{cross_pair_id:str}/decision",
        name="region_pairs:decide",
        guards=[requires(Permission.SCHOOL_MATCHING_MANAGE)],
    )
    async def decide(
        self,
        request: AnyRequest,
        state: State,
        page: Page,
        workspace: SchoolScope,
        school: CurrentSchool,
        *,
        db: DB,
        user: CurrentUser,
        cross_pair_id: FromPath[str],
    ) -> Template | Redirect:
        pair = await self._pair(db, school, cross_pair_id)
        form = Form.from_mapping(await request.form(), DECISION_FIELDS)
        if not await pair_svc.decide(db, school, pair, form, user_id=user.user.id):
            return await self._pair_page(
                request, db, page, workspace, school, pair, actor=user, decision_form=form, status_code=422
            )
        await notices.answered(
            db,
            state.settings,
            state.provisioner,
            pair,
            school,
            await db.get(School, pair.mentee_school_id),
            by_mentor=False,
        )
        user.flash("success", _answer_message(pair))
        return Redirect(f"/s/{school.code}/region/pairs/{pair.id}", status_code=303)

    @post(
        "/pairs/{cross_pair_id:str}/meetings",
        name="region_pairs:meeting",
        guards=[requires(Permission.SCHOOL_MATCHING_MANAGE)],
    )
    async def log_meeting(
        self,
        request: AnyRequest,
        page: Page,
        workspace: SchoolScope,
        school: CurrentSchool,
        *,
        db: DB,
        user: CurrentUser,
        cross_pair_id: FromPath[str],
    ) -> Template | Redirect:
        pair = await self._pair(db, school, cross_pair_id)
        form = Form.from_mapping(await request.form(), MEETING_FIELDS)
        if await pair_svc.log_meeting(db, school, pair, form, user_id=user.user.id) is None:
            return await self._pair_page(
                request, db, page, workspace, school, pair, actor=user, meeting_form=form, status_code=422
            )
        user.flash("success", "Встреча записана: её видят обе школы.")
        return Redirect(f"/s/{school.code}/region/pairs/{pair.id}#meetings", status_code=303)

    @get("/pairs/{cross_pair_id:str}/order/{fmt:str}", name="region_pairs:order")
    async def order(
        self, school: CurrentSchool, *, db: DB, cross_pair_id: FromPath[str], fmt: FromPath[str]
    ) -> Response[bytes]:
        pair = await self._pair(db, school, cross_pair_id)
        if fmt not in ("pdf", "docx") or pair.status is not CrossSchoolPairStatus.ACCEPTED:
            raise NotFoundException
        other_id = pair.mentor_school_id if school.id == pair.mentee_school_id else pair.mentee_school_id
        other = await db.get(School, other_id)
        form_item = await db.get(ReferenceItem, pair.form_id)
        if other is None:
            raise NotFoundException
        document = pair_order(
            pair,
            school=school,
            other=other,
            form_title=form_item.title if form_item else "",
            director=await staff_with_role(db, school, Role.DIRECTOR),
            curator=await staff_with_role(db, school, Role.CURATOR),
        )
        content = d.render_pdf(document) if fmt == "pdf" else d.render_docx(document)
        return Response(
            content,
            media_type=d.PDF_MEDIA_TYPE if fmt == "pdf" else d.DOCX_MEDIA_TYPE,
            headers={"Content-Disposition": d.content_disposition(f"Приказ о межшкольной паре.{fmt}")},
        )


def _answer_message(pair: CrossSchoolPair) -> str:
    if pair.status is CrossSchoolPairStatus.ACCEPTED:
        return "Пара согласована: приказы обеих школ готовы."
    if pair.status is CrossSchoolPairStatus.DECLINED:
        return "Запрос отклонён: школа наставляемого получит письмо."
    if not pair.mentor_agreed:
        return "Ответ записан. Пара будет согласована, когда наставник подтвердит запрос в своём кабинете."
    return "Ответ записан. Пара будет согласована, когда куратор школы примет запрос."


class MentorCrossSchoolController(SchoolController):
    """`/s/<school>/my-cross-pairs`: a mentor's own inter-school requests and pairs, where the
    mentor accepts or declines a request and logs the pair's meetings."""

    path = "/s/{school_code:str}/my-cross-pairs"
    # The school's curators may open these pages too (to see what the mentor sees); only the
    # mentor answers.
    guards = [  # noqa: RUF012
        *SchoolController.guards,
        requires(Permission.SCHOOL_PAIRS_VIEW_OWN, Permission.SCHOOL_MATCHING_VIEW, hidden=True),
    ]

    async def _profiles(self, db: DB, school: School, user: CurrentUser) -> set[Any]:
        return await pair_svc.mentor_profile_ids(
            db, school, await participant_ids_of_user(db, school, user.user.id)
        )

    async def _pair(
        self, db: DB, school: School, user: CurrentUser, pair_id: str, *, as_mentor: bool = False
    ) -> CrossSchoolPair:
        """The school's pair as its mentor's; a curator may look at it, only the mentor acts."""
        pair = await pair_svc.get_pair(db, school, pair_id)
        if pair is None or pair.mentor_school_id != school.id:
            raise NotFoundException
        mentor = pair_svc.is_pairs_mentor(pair, school, await self._profiles(db, school, user))
        if not mentor and not user.roles_in(Scope.SCHOOL, school.code) & {Role.CURATOR, Role.DIRECTOR}:
            raise NotFoundException
        if as_mentor and not mentor:
            raise PermissionDeniedException
        return pair

    @get("/", name="my_cross_pairs:index")
    async def index(
        self, request: AnyRequest, page: Page, school: CurrentSchool, *, db: DB, user: CurrentUser
    ) -> Template:
        rows, window = await pair_svc.mentor_pairs_page(
            db, school, await self._profiles(db, school, user), page_number(request.query_params)
        )
        return await page(
            "mentor_search/pairs.html",
            rows=rows,
            window=window.linked(f"/s/{school.code}/my-cross-pairs"),
            school_names=await _school_names(db, {p.mentee_school_id for p in rows} | {school.id}),
            status_titles=CROSS_SCHOOL_PAIR_STATUS_TITLES,
            pairs_base=f"/s/{school.code}/my-cross-pairs",
            mentor_view=True,
        )

    async def _page(
        self,
        request: AnyRequest,
        db: DB,
        page: Page,
        school: School,
        pair: CrossSchoolPair,
        *,
        actor: CurrentUser,
        decision_form: Form | None = None,
        meeting_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        await pair_svc.audit_read(db, school, pair, actor_id=actor.user.id, request_id=request_id_of(request))
        form_item = await db.get(ReferenceItem, pair.form_id)
        base = f"/s/{school.code}/my-cross-pairs/{pair.id}"
        mentor = pair_svc.is_pairs_mentor(pair, school, await self._profiles(db, school, actor))
        return await page(
            "mentor_search/pair.html",
            status_code=status_code,
            pair=pair,
            ours_is_mentee=False,
            school_names=await _school_names(db, {pair.mentee_school_id, pair.mentor_school_id}),
            form_title=form_item.title if form_item else "",
            status_titles=CROSS_SCHOOL_PAIR_STATUS_TITLES,
            can_decide=mentor and pair.status is CrossSchoolPairStatus.REQUESTED and not pair.mentor_agreed,
            can_log=mentor and pair.status is CrossSchoolPairStatus.ACCEPTED,
            decision_form=decision_form or Form(),
            meeting_form=meeting_form or Form(),
            meetings=await pair_svc.meetings_of(db, pair),
            kind_titles={k.value: t for k, t in PARTICIPANT_KIND_TITLES.items()},
            pair_url=base,
            answer_url=f"{base}/answer",
            mentor_view=True,
        )

    @get("/{mentor_pair_id:str}", name="my_cross_pairs:show")
    async def show(
        self,
        request: AnyRequest,
        page: Page,
        school: CurrentSchool,
        *,
        db: DB,
        user: CurrentUser,
        mentor_pair_id: FromPath[str],
    ) -> Template:
        pair = await self._pair(db, school, user, mentor_pair_id)
        return await self._page(request, db, page, school, pair, actor=user)

    @post("/{mentor_pair_id:str}/answer", name="my_cross_pairs:answer")
    async def answer(
        self,
        request: AnyRequest,
        state: State,
        page: Page,
        school: CurrentSchool,
        *,
        db: DB,
        user: CurrentUser,
        mentor_pair_id: FromPath[str],
    ) -> Template | Redirect:
        pair = await self._pair(db, school, user, mentor_pair_id, as_mentor=True)
        form = Form.from_mapping(await request.form(), DECISION_FIELDS)
        if not await pair_svc.mentor_answer(db, school, pair, form):
            return await self._page(
                request, db, page, school, pair, actor=user, decision_form=form, status_code=422
            )
        await notices.answered(
            db,
            state.settings,
            state.provisioner,
            pair,
            school,
            await db.get(School, pair.mentee_school_id),
            by_mentor=True,
        )
        user.flash("success", _answer_message(pair))
        return Redirect(f"/s/{school.code}/my-cross-pairs/{pair.id}", status_code=303)

    @post("/{mentor_pair_id:str}/meetings", name="my_cross_pairs:meeting")
    async def log_meeting(
        self,
        request: AnyRequest,
        page: Page,
        school: CurrentSchool,
        *,
        db: DB,
        user: CurrentUser,
        mentor_pair_id: FromPath[str],
    ) -> Template | Redirect:
        pair = await self._pair(db, school, user, mentor_pair_id, as_mentor=True)
        form = Form.from_mapping(await request.form(), MEETING_FIELDS)
        if await pair_svc.log_meeting(db, school, pair, form, user_id=user.user.id) is None:
            return await self._page(
                request, db, page, school, pair, actor=user, meeting_form=form, status_code=422
            )
        user.flash("success", "Встреча записана: её видят обе школы.")
        return Redirect(f"/s/{school.code}/my-cross-pairs/{pair.id}#meetings", status_code=303)


async def _school_names(db: DB, ids: set[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    rows = await db.execute(select(School.id, School.name).where(School.id.in_(ids)))
    return {row.id: row.name for row in rows}


class RegionMentorSearchController(RegionController):
    """`/r/<region>/mentors`: ЦНППМ tutors and ИРО methodists search the region's mentors."""

    path = "/r/{region_code:str}/mentors"
    dependencies = {  # noqa: RUF012
        **RegionController.dependencies,
        "directory": Provide(provide_region_directory_scope),
    }
    guards = [  # noqa: RUF012
        *RegionController.guards,
        requires(Permission.REGION_ROUTES_GUIDE, Permission.REGION_PRACTICES_MODERATE, hidden=True),
    ]

    @get("/", name="region_mentors:region_search")
    async def search(
        self, request: AnyRequest, page: Page, directory: DirectoryScopeDep, *, db: DB
    ) -> Template:
        return await _search_page(request, db, page, directory)

    @get("/{entry_id:str}", name="region_mentors:region_card")
    async def card(
        self, page: Page, directory: DirectoryScopeDep, *, db: DB, entry_id: FromPath[str]
    ) -> Template:
        return await page(
            "mentor_search/card.html",
            entry=await _entry(db, entry_id),
            base=directory.base,
            can_request=False,
            mentee_options=[],
            form=Form(),
            kind_titles={k.value: t for k, t in PARTICIPANT_KIND_TITLES.items()},
            form_titles={f.code: f.title for f in await reference_items(db, ReferenceKind.FORM)},
        )


MENTOR_SEARCH_CONTROLLERS = (
    SchoolMentorSearchController,
    RegionMentorSearchController,
    MentorCrossSchoolController,
)
