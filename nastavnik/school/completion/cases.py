"""Cases and best practices of the school's «методическая копилка».

A case is drafted from a completed pair or group — its plan's goals, its meetings, its
result and the participants' answers to the monitoring questionnaires — and then edited by
the curator. Nobody is named in a draft: the mentor and mentee appear by role, so a case
can go to the public page and the region's bank without anyone's personal data. Quotes and
photos are shown only while their person's consent to publication is valid.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.db import set_school
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.completion.models import PairResult, SchoolCase, SchoolCasePhoto
from nastavnik.school.meetings.models import Meeting
from nastavnik.school.pairs.models import Mentorship
from nastavnik.school.participants.consent_rules import consented_ids, valid_consent_clause
from nastavnik.school.participants.models import ConsentScope, Participant, ParticipantKind
from nastavnik.school.questionnaires.models import ResponseStatus, SurveyResponse
from nastavnik.tenants.models import School

CASE_FIELDS = (
    "title",
    "problem",
    "actions",
    "result",
    "quote",
    "quote_author_id",
    "best_practice",
    "published",
)
PHOTO_FIELDS = ("caption", "person_id", "consent_confirmed")
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTOS_PER_CASE = 12
WORD_RE = re.compile(r"[А-Яа-яЁё]{3,}")


@dataclass
class PublishableCase:
    """What the region's bank takes from a case (see `publishable_case`)."""

    title: str
    problem: str
    actions: str
    result: str
    form: str
    directions: list[str]
    attachments: list[dict[str, Any]] = field(default_factory=list)


def publishable_case(case: SchoolCase, photos: list[SchoolCasePhoto] | None = None) -> PublishableCase:
    """The case as the region's bank of practices needs it: no names, consented photos only.

    `photos` are the case's photos already filtered for valid consent (`publishable_photos`);
    each attachment carries its file name, type, caption and bytes.
    """
    return PublishableCase(
        title=case.title,
        problem=case.problem,
        actions=case.actions,
        result=case.result,
        form=case.form_title,
        directions=list(case.direction_titles),
        attachments=[
            {
                "filename": p.filename,
                "content_type": p.content_type,
                "caption": p.caption,
                "content": p.content,
                "person_id": str(p.person_id) if p.person_id else None,
            }
            for p in photos or []
        ],
    )


def _role_of(person: Participant, mentee: bool) -> str:
    if mentee and person.kind is ParticipantKind.PUPIL:
        return f"обучающийся {person.grade} класса" if person.grade else "обучающийся"
    if mentee:
        return "молодой педагог" if person.kind is ParticipantKind.TEACHER else "наставляемый"
    return {
        ParticipantKind.PUPIL: "наставник-обучающийся",
        ParticipantKind.TEACHER: "педагог-наставник",
        ParticipantKind.EMPLOYER_STAFF: "наставник от организации-партнёра",
        ParticipantKind.UNIVERSITY_STUDENT: "наставник-студент",
        ParticipantKind.GRADUATE: "наставник-выпускник",
    }.get(person.kind, "наставник")


async def _answers_of_pair(db: AsyncSession, mentorship: Mentorship, limit: int = 3) -> list[str]:
    """The longest free-text answers the pair's participants gave in monitoring surveys —
    of those who consented to publication only: a case quotes people with consent."""
    rows = await db.execute(
        select(SurveyResponse.answers)
        .join(
            Participant,
            and_(
                Participant.school_id == SurveyResponse.school_id,
                Participant.id == SurveyResponse.participant_id,
            ),
        )
        .where(
            SurveyResponse.school_id == mentorship.school_id,
            SurveyResponse.mentorship_id == mentorship.id,
            SurveyResponse.status == ResponseStatus.SUBMITTED,
            valid_consent_clause(scope=ConsentScope.PUBLICATION),
        )
        .order_by(SurveyResponse.submitted_at.desc())
        .limit(20)
    )
    texts = [
        v.strip()
        for answers in rows.scalars()
        for v in answers.values()
        if isinstance(v, str) and len(v) > 20
    ]
    return sorted(set(texts), key=len, reverse=True)[:limit]


async def draft_from_pair(
    db: AsyncSession, school: School, mentorship: Mentorship, *, user_id: uuid.UUID | None
) -> SchoolCase:
    """A draft case from the pair's plan, meetings, result and monitoring answers."""
    await set_school(db, school.id)
    await db.refresh(mentorship, ["plan", "directions"])
    result = (
        await db.execute(
            select(PairResult).where(
                PairResult.school_id == school.id, PairResult.mentorship_id == mentorship.id
            )
        )
    ).scalar_one_or_none()
    meetings = (
        await db.execute(
            select(Meeting.topic, func.count())
            .where(Meeting.school_id == school.id, Meeting.mentorship_id == mentorship.id)
            .group_by(Meeting.topic)
            .order_by(func.min(Meeting.held_on))
            .limit(12)
        )
    ).all()
    held = (
        await db.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.school_id == school.id, Meeting.mentorship_id == mentorship.id)
        )
        or 0
    )
    mentor = next((m.participant for m in mentorship.mentors), None)
    mentee = next((m.participant for m in mentorship.mentees), None)
    who = (
        f"{_role_of(mentor, mentee=False) if mentor else 'наставник'} и "
        f"{_role_of(mentee, mentee=True) if mentee else 'наставляемый'}"
    )
    plan = mentorship.plan
    problem = (plan.goals if plan and plan.goals else "") or "Запрос наставляемого: " + (
        "; ".join(d.title for d in mentorship.directions) or "по плану индивидуального развития"
    )
    topics = [t for t, _ in meetings if t]
    actions = (
        f"Форма «{mentorship.form.title}»: {who}. Проведено встреч: {held}."
        + (" Темы встреч: " + "; ".join(topics) + "." if topics else "")
        + (f" План: {plan.expected_results}" if plan and plan.expected_results else "")
    )
    answers = await _answers_of_pair(db, mentorship)
    outcome = result.results if result and result.results else ""
    if result and result.plan_items_total:
        outcome += f" Выполнено задач плана: {result.plan_items_done} из {result.plan_items_total}."
    if answers:
        outcome += " Из отзывов участников: «" + "»; «".join(answers) + "»."
    direction_titles = [d.title for d in mentorship.directions]
    case = SchoolCase(
        school_id=school.id,
        academic_year=mentorship.academic_year,
        mentorship_id=mentorship.id,
        title=f"{mentorship.kind_title} «{mentorship.form.title}»: "
        + (direction_titles[0] if direction_titles else "работа по плану развития"),
        problem=problem.strip(),
        actions=actions.strip(),
        result=outcome.strip() or "Опишите результат по целям плана.",
        form_title=mentorship.form.title,
        direction_titles=direction_titles,
        created_by_id=user_id,
    )
    db.add(case)
    await db.flush()
    return case


async def cases_page(
    db: AsyncSession, school: School, *, year: int | None, best_only: bool, page: int
) -> tuple[list[SchoolCase], Window]:
    await set_school(db, school.id)
    query = select(SchoolCase).where(SchoolCase.school_id == school.id)
    if year is not None:
        query = query.where(SchoolCase.academic_year == year)
    if best_only:
        query = query.where(SchoolCase.best_practice.is_(True))
    rows, window = await page_of(
        db, query.order_by(SchoolCase.academic_year.desc(), SchoolCase.created_at.desc(), SchoolCase.id), page
    )
    return list(rows), window


async def get_case(db: AsyncSession, school: School, case_id: str) -> SchoolCase | None:
    try:
        key = uuid.UUID(case_id)
    except ValueError:
        return None
    await set_school(db, school.id)
    return await db.get(SchoolCase, (school.id, key))


async def photos_of(db: AsyncSession, case: SchoolCase) -> list[SchoolCasePhoto]:
    query = (
        select(SchoolCasePhoto)
        .where(SchoolCasePhoto.school_id == case.school_id, SchoolCasePhoto.case_id == case.id)
        .order_by(SchoolCasePhoto.created_at)
        .limit(PHOTOS_PER_CASE)
    )
    return list((await db.execute(query)).scalars())


async def publishable_photos(db: AsyncSession, case: SchoolCase, on: dt.date) -> list[SchoolCasePhoto]:
    """Photos whose person (if named) has a valid consent to publication on `on`."""
    photos = [p for p in await photos_of(db, case) if p.consent_confirmed]
    people = [p.person_id for p in photos if p.person_id]
    allowed = await consented_ids(db, case.school_id, people, on=on, scope=ConsentScope.PUBLICATION)
    return [p for p in photos if p.person_id is None or p.person_id in allowed]


async def quote_allowed(db: AsyncSession, case: SchoolCase, on: dt.date) -> bool:
    if not case.quote or case.quote_author_id is None:
        return False
    allowed = await consented_ids(
        db, case.school_id, [case.quote_author_id], on=on, scope=ConsentScope.PUBLICATION
    )
    return case.quote_author_id in allowed


async def people_of_case(db: AsyncSession, case: SchoolCase) -> list[Participant]:
    """The pair's members: who a quote or a photo may be attributed to."""
    if case.mentorship_id is None:
        return []
    mentorship = await db.get(
        Mentorship, (case.school_id, case.mentorship_id), options=[selectinload(Mentorship.members)]
    )
    return [m.participant for m in mentorship.members] if mentorship else []


async def unconsented_names(db: AsyncSession, school: School, text: str, on: dt.date) -> list[str]:
    """Surnames of the school's pupils without a consent to publication that the text names.

    A case is free text; before it goes public, every word of it is compared (in SQL, one
    query) with the surnames of pupils, so that a name typed by hand cannot slip through.
    """
    words = sorted({w.lower().replace("ё", "е") for w in WORD_RE.findall(text)})[:2000]
    if not words:
        return []
    query = (
        select(Participant.last_name)
        .where(
            Participant.school_id == school.id,
            Participant.kind == ParticipantKind.PUPIL,
            func.translate(func.lower(Participant.last_name), "ё", "е").in_(words),
            ~valid_consent_clause(on, scope=ConsentScope.PUBLICATION),
        )
        .distinct()
        .limit(10)
    )
    return sorted(set((await db.execute(query)).scalars()))


def _checked(form: Form, name: str) -> bool:
    return form.value(name) in {"true", "on", "1"}


async def save_case(db: AsyncSession, school: School, case: SchoolCase, form: Form, today: dt.date) -> bool:
    title = form.require("title", "Назовите кейс: так он будет подписан в копилке.")
    if len(title) > 300:
        form.error("title", "Название длиннее 300 знаков — сократите его.")
    for name in ("problem", "actions", "result", "quote"):
        if len(form.value(name)) > 20_000:
            form.error(name, "Текст длиннее 20 000 знаков — сократите его.")
    if not form.value("problem"):
        form.error("problem", "Опишите проблему (запрос), с которой работала пара.")
    if not form.value("result"):
        form.error("result", "Опишите результат.")
    author: uuid.UUID | None = None
    if form.value("quote_author_id"):
        people = {str(p.id): p.id for p in await people_of_case(db, case)}
        author = people.get(form.value("quote_author_id"))
        if author is None:
            form.error("quote_author_id", "Выберите автора цитаты из участников пары.")
    published = _checked(form, "published")
    if published:
        text = " ".join(form.value(n) for n in ("title", "problem", "actions", "result"))
        named = await unconsented_names(db, school, text, today)
        if named:
            form.error(
                "published",
                "В тексте названы обучающиеся без согласия родителей на публикацию ("
                + ", ".join(named)
                + "): уберите фамилии или получите согласие, затем публикуйте.",
            )
    if not form.ok:
        return False
    case.title = title
    for name in ("problem", "actions", "result", "quote"):
        setattr(case, name, form.value(name))
    case.quote_author_id = author
    case.best_practice = _checked(form, "best_practice")
    case.published = published
    await db.flush()
    return True


async def add_photo(
    db: AsyncSession,
    case: SchoolCase,
    form: Form,
    *,
    filename: str,
    content_type: str,
    content: bytes,
    today: dt.date,
) -> SchoolCasePhoto | None:
    if not content:
        form.error("photo", "Выберите файл фотографии (JPEG, PNG или WebP).")
    elif content_type not in PHOTO_TYPES:
        form.error("photo", "Фотография принимается в формате JPEG, PNG или WebP.")
    elif len(content) > PHOTO_MAX_BYTES:
        form.error("photo", "Файл больше 5 МБ — уменьшите фотографию.")
    if not _checked(form, "consent_confirmed"):
        form.error("consent_confirmed", "Фото хранится только с согласием на публикацию всех, кто на нём.")
    person: uuid.UUID | None = None
    if form.value("person_id"):
        people = {str(p.id): p.id for p in await people_of_case(db, case)}
        person = people.get(form.value("person_id"))
        if person is None:
            form.error("person_id", "Выберите участника пары.")
        elif person not in await consented_ids(
            db, case.school_id, [person], on=today, scope=ConsentScope.PUBLICATION
        ):
            form.error(
                "person_id",
                "У этого участника нет согласия на публикацию (для обучающегося — подписанного родителем).",
            )
    count = await db.scalar(
        select(func.count())
        .select_from(SchoolCasePhoto)
        .where(SchoolCasePhoto.school_id == case.school_id, SchoolCasePhoto.case_id == case.id)
    )
    if (count or 0) >= PHOTOS_PER_CASE:
        form.error("photo", f"К кейсу приложено уже {PHOTOS_PER_CASE} фотографий — удалите лишние.")
    if len(form.value("caption")) > 300:
        form.error("caption", "Подпись длиннее 300 знаков.")
    if not form.ok:
        return None
    photo = SchoolCasePhoto(
        school_id=case.school_id,
        case_id=case.id,
        person_id=person,
        caption=form.value("caption"),
        filename=(filename or "photo")[:200],
        content_type=content_type,
        content=content,
        consent_confirmed=True,
    )
    db.add(photo)
    await db.flush()
    return photo


async def get_photo(db: AsyncSession, case: SchoolCase, photo_id: str) -> SchoolCasePhoto | None:
    try:
        key = uuid.UUID(photo_id)
    except ValueError:
        return None
    photo = await db.get(SchoolCasePhoto, (case.school_id, key))
    return photo if photo is not None and photo.case_id == case.id else None


async def case_counts(db: AsyncSession, school: School, year: int) -> tuple[int, int]:
    """(cases, best practices) of the year, counted in SQL."""
    row = (
        await db.execute(
            select(func.count(), func.count().filter(SchoolCase.best_practice)).where(
                and_(SchoolCase.school_id == school.id, SchoolCase.academic_year == year)
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)
