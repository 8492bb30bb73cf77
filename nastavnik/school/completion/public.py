"""The school's public page «Наставничество»: publishing its snapshot and reading it back.

Publishing (by the curator, inside the school's scope) copies only what may be public into
`public_page` / `public_page_document`: the programme's documents as PDF, the year's
results in figures, the mentors who consented to publication with the fields they chose,
the published cases (checked again for unconsented pupils' names) with their consented
quotes and photos. Anonymous visitors read that snapshot and nothing else; the page is
rendered once per published version and kept per worker (`PageCache`), and answered
with an ETag so browsers and proxies revalidate for free.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school, utcnow
from nastavnik.school.completion import cases as case_services
from nastavnik.school.completion.models import MentorPublication, PublicPage, PublicPageDocument, SchoolCase
from nastavnik.school.completion.yearfigures import figures_of
from nastavnik.school.documents import services as documents
from nastavnik.school.documents.models import DOCUMENT_KIND_TITLES, DocumentKind
from nastavnik.school.participants.consent_rules import consented_ids, valid_consent_clause
from nastavnik.school.participants.models import ConsentScope, MentorProfile, MentorStatus, Participant
from nastavnik.school.programme import services as programme_services
from nastavnik.tenants.models import School

PUBLISHED_DOCUMENTS = (DocumentKind.ORDER, DocumentKind.REGULATION, DocumentKind.ROADMAP)
MAX_MENTORS = 200
MAX_CASES = 30
PUBLICATION_FIELDS = (
    "agreed",
    "show_position",
    "show_subjects",
    "show_experience",
    "show_results",
    "statement",
)


def public_path(code: str) -> str:
    return f"/public/{code}/nastavnichestvo"


# --- the mentor's choice -----------------------------------------------------------------------


async def publication_of(
    db: AsyncSession, school: School, participant_id: uuid.UUID
) -> MentorPublication | None:
    await set_school(db, school.id)
    return (
        await db.execute(
            select(MentorPublication).where(
                MentorPublication.school_id == school.id, MentorPublication.participant_id == participant_id
            )
        )
    ).scalar_one_or_none()


def publication_form(found: MentorPublication | None) -> dict[str, Any]:
    if found is None:
        return {"show_position": "true", "show_subjects": "true"}
    return {
        "agreed": "true" if found.agreed else "",
        "show_position": "true" if found.show_position else "",
        "show_subjects": "true" if found.show_subjects else "",
        "show_experience": "true" if found.show_experience else "",
        "show_results": "true" if found.show_results else "",
        "statement": found.statement,
    }


async def save_publication(
    db: AsyncSession, school: School, person: Participant, data: dict[str, str], today: dt.date
) -> tuple[MentorPublication | None, dict[str, str]]:
    errors: dict[str, str] = {}
    statement = data.get("statement", "").strip()
    if len(statement) > 500:
        errors["statement"] = "Не длиннее 500 знаков: это одна-две фразы под именем."
    agreed = data.get("agreed") in {"true", "on", "1"}
    if agreed and person.id not in await consented_ids(
        db, school.id, [person.id], on=today, scope=ConsentScope.PUBLICATION
    ):
        errors["agreed"] = (
            "Нет действующего письменного согласия на публикацию "
            "(для обучающегося — подписанного родителем): "
            "внесите его в карточку участника, затем отметьте выбор."
        )
    if errors:
        return None, errors
    found = await publication_of(db, school, person.id)
    if found is None:
        found = MentorPublication(school_id=school.id, participant_id=person.id)
        db.add(found)
    found.agreed = agreed
    for name in ("show_position", "show_subjects", "show_experience", "show_results"):
        setattr(found, name, data.get(name) in {"true", "on", "1"})
    found.statement = statement
    await db.flush()
    return found, {}


# --- building the snapshot ---------------------------------------------------------------------


async def _mentors(db: AsyncSession, school: School, year: int, today: dt.date) -> list[dict[str, Any]]:
    """Mentors of the year who agreed and whose consent to publication is valid today."""
    rows = await db.execute(
        select(Participant, MentorProfile, MentorPublication)
        .join(
            MentorProfile,
            and_(
                MentorProfile.school_id == Participant.school_id,
                MentorProfile.participant_id == Participant.id,
            ),
        )
        .join(
            MentorPublication,
            and_(
                MentorPublication.school_id == Participant.school_id,
                MentorPublication.participant_id == Participant.id,
            ),
        )
        .where(
            Participant.school_id == school.id,
            Participant.anonymised_at.is_(None),
            MentorProfile.academic_year == year,
            MentorProfile.status != MentorStatus.WITHDRAWN,
            MentorPublication.agreed.is_(True),
            valid_consent_clause(today, scope=ConsentScope.PUBLICATION),
        )
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
        .limit(MAX_MENTORS)
    )
    found = []
    for person, profile, choice in rows:
        # `pid` is never rendered: it lets a withdrawn consent take the card off at once.
        card: dict[str, Any] = {
            "pid": str(person.id),
            "name": person.full_name,
            "statement": choice.statement,
        }
        if choice.show_position and person.position:
            card["position"] = person.position
        if choice.show_subjects and (profile.subjects or person.subjects):
            card["subjects"] = list(profile.subjects or person.subjects)
        if choice.show_experience and person.experience_years is not None:
            card["experience"] = person.experience_years
        if choice.show_results and profile.confirmed_results:
            card["results"] = profile.confirmed_results
        found.append(card)
    return found


async def _cases(
    db: AsyncSession, school: School, today: dt.date
) -> tuple[list[dict[str, Any]], list[PublicPageDocument]]:
    rows = (
        await db.execute(
            select(SchoolCase)
            .where(SchoolCase.school_id == school.id, SchoolCase.published.is_(True))
            .order_by(SchoolCase.academic_year.desc(), SchoolCase.created_at.desc())
            .limit(MAX_CASES)
        )
    ).scalars()
    found: list[dict[str, Any]] = []
    files: list[PublicPageDocument] = []
    for case in rows:
        text = " ".join((case.title, case.problem, case.actions, case.result))
        # A consent withdrawn since the case was saved takes the case off the page.
        if await case_services.unconsented_names(db, school, text, today):
            continue
        item = case_services.publishable_case(case, await case_services.publishable_photos(db, case, today))
        card: dict[str, Any] = {
            "title": item.title,
            "problem": item.problem,
            "actions": item.actions,
            "result": item.result,
            "form": item.form,
            "directions": item.directions,
            "year": AcademicYear(case.academic_year).title,
            "best": case.best_practice,
            "photos": [],
        }
        if await case_services.quote_allowed(db, case, today):
            card["quote"] = case.quote
            card["quote_pid"] = str(case.quote_author_id)
        for photo in item.attachments:
            file = PublicPageDocument(
                id=uuid.uuid4(),
                school_id=school.id,
                title=photo["caption"] or item.title,
                filename=photo["filename"],
                content_type=photo["content_type"],
                content=photo["content"],
                position=1000 + len(files),
            )
            files.append(file)
            card["photos"].append(
                {"id": str(file.id), "caption": photo["caption"], "pid": photo["person_id"]}
            )
        found.append(card)
    return found, files


async def page_row(db: AsyncSession, school: School) -> PublicPage | None:
    return (
        await db.execute(select(PublicPage).where(PublicPage.school_id == school.id))
    ).scalar_one_or_none()


async def publish(db: AsyncSession, school: School, year: AcademicYear, today: dt.date) -> PublicPage:
    """Write a fresh snapshot of the page for `year` and bump its version."""
    await set_school(db, school.id)
    programme = await programme_services.programme_for_year(db, school, year)
    files: list[PublicPageDocument] = []
    if programme is not None:
        data = await documents.document_data(db, school, programme)
        for position, kind in enumerate(PUBLISHED_DOCUMENTS):
            pdf = await d.off_loop(d.render_pdf, documents.build(kind, data))
            files.append(
                PublicPageDocument(
                    id=uuid.uuid4(),
                    school_id=school.id,
                    title=DOCUMENT_KIND_TITLES[kind],
                    filename=documents.file_name(kind, data, "pdf"),
                    content=pdf,
                    position=position,
                )
            )
    cases, photos = await _cases(db, school, today)
    files += photos
    # The results shown are those of the last closed year, else of this one so far.
    closed = [p for p in await programme_services.list_programmes(db, school) if p.closed_on is not None]
    results_year = AcademicYear(max(p.academic_year for p in closed)) if closed else year
    figures = await figures_of(db, school, results_year, today)
    content = {
        "school": {"name": school.name, "full_name": school.full_name, "address": school.address},
        "year": year.title,
        "programme": {"title": programme.title, "goals": programme.goals} if programme else None,
        "results_year": results_year.title,
        "results_final": bool(closed),
        "figures": figures,
        "mentors": await _mentors(db, school, year.start, today),
        "cases": cases,
        "documents": [{"id": str(f.id), "title": f.title} for f in files if f.position < 1000],
        "published_on": today.isoformat(),
    }
    page = await page_row(db, school)
    if page is None:
        page = PublicPage(school_id=school.id, school_code=school.code, version=0)
        db.add(page)
        await db.flush()
    await db.execute(delete(PublicPageDocument).where(PublicPageDocument.page_id == page.id))
    for file in files:
        file.page_id = page.id
        db.add(file)
    page.school_code = school.code
    page.content = content
    page.published = True
    page.version += 1
    page.published_at = utcnow()
    await db.flush()
    return page


async def forget_person(db: AsyncSession, school_id: uuid.UUID, participant_id: uuid.UUID) -> bool:
    """Take a person off the published page at once (a consent withdrawn): their mentor card,
    their quotes and photos of them go; the rest of the snapshot stays until it is republished."""
    page = (
        await db.execute(select(PublicPage).where(PublicPage.school_id == school_id))
    ).scalar_one_or_none()
    if page is None:
        return False
    pid = str(participant_id)
    content = dict(page.content)
    mentors = [m for m in content.get("mentors", []) if m.get("pid") != pid]
    cases = []
    gone: list[str] = []
    for case in content.get("cases", []):
        card = dict(case)
        if card.get("quote_pid") == pid:
            card.pop("quote", None)
            card.pop("quote_pid", None)
        gone += [p["id"] for p in card.get("photos", []) if p.get("pid") == pid]
        card["photos"] = [p for p in card.get("photos", []) if p.get("pid") != pid]
        cases.append(card)
    if mentors == content.get("mentors", []) and cases == content.get("cases", []):
        return False
    content["mentors"], content["cases"] = mentors, cases
    page.content = content
    page.version += 1
    if gone:
        await db.execute(
            delete(PublicPageDocument).where(PublicPageDocument.id.in_([uuid.UUID(g) for g in gone]))
        )
    await db.flush()
    return True


async def unpublish(db: AsyncSession, school: School) -> None:
    page = await page_row(db, school)
    if page is not None:
        page.published = False
        page.version += 1
        await db.flush()


# --- reading it back, anonymously ----------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    id: uuid.UUID
    version: int

    @property
    def etag(self) -> str:
        return f'"{self.id.hex[:12]}-{self.version}"'


async def published_version(db: AsyncSession, code: str) -> Published | None:
    """The published page's version: one indexed read of the snapshot table, no school scope."""
    row = (
        await db.execute(
            select(PublicPage.id, PublicPage.version).where(
                PublicPage.school_code == code, PublicPage.published.is_(True)
            )
        )
    ).first()
    return Published(row[0], row[1]) if row else None


async def published_content(db: AsyncSession, page_id: uuid.UUID) -> dict[str, Any] | None:
    return await db.scalar(
        select(PublicPage.content).where(PublicPage.id == page_id, PublicPage.published.is_(True))
    )


async def published_file(db: AsyncSession, code: str, file_id: str) -> PublicPageDocument | None:
    try:
        key = uuid.UUID(file_id)
    except ValueError:
        return None
    return (
        await db.execute(
            select(PublicPageDocument)
            .join(PublicPage, PublicPage.id == PublicPageDocument.page_id)
            .where(
                PublicPageDocument.id == key, PublicPage.school_code == code, PublicPage.published.is_(True)
            )
        )
    ).scalar_one_or_none()


class PageCache:
    """Rendered pages by (code, variant, version): a new version is a new key, so a change
    never serves a stale page; the oldest entries go first past `size`. The version is the
    ETag (the snapshot row's id and its counter), unique even if a page is made afresh."""

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str, str], str] = OrderedDict()

    def get(self, code: str, variant: str, version: str) -> str | None:
        key = (code, variant, version)
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, code: str, variant: str, version: str, html: str) -> None:
        for stale in [k for k in self._items if k[0] == code and k[1] == variant and k[2] != version]:
            del self._items[stale]
        self._items[(code, variant, version)] = html
        while len(self._items) > self.size:
            self._items.popitem(last=False)


# About 1,000 pages of 20-50 KB per worker: the region's busiest schools stay rendered.
PAGE_CACHE = PageCache(size=1000)


async def year_mentors(db: AsyncSession, school: School, year: int) -> list[tuple[Participant, bool]]:
    """The year's mentors (bounded) with whether they agreed to be on the public page."""
    rows = await db.execute(
        select(Participant, MentorPublication.agreed)
        .join(
            MentorProfile,
            and_(
                MentorProfile.school_id == Participant.school_id,
                MentorProfile.participant_id == Participant.id,
            ),
        )
        .outerjoin(
            MentorPublication,
            and_(
                MentorPublication.school_id == Participant.school_id,
                MentorPublication.participant_id == Participant.id,
            ),
        )
        .where(Participant.school_id == school.id, MentorProfile.academic_year == year)
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
        .limit(MAX_MENTORS)
    )
    return [(p, bool(agreed)) for p, agreed in rows]
