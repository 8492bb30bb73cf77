"""Questionnaires of a school: adopting the region's templates, editing (a new version each
time), sending a survey to people with a valid consent, personal signed links, answers,
response rates counted in SQL, intake answers taken into the banks, exports."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Uuid, and_, delete, func, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.signing import Purpose, sign, unsign
from nastavnik.platform.db import set_school, utcnow
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.matching.models import MatchingPreference, PreferenceSide
from nastavnik.school.pairs.models import MemberRole, Mentorship, MentorshipMember, MentorshipStatus
from nastavnik.school.participants import services as participants
from nastavnik.school.participants.consent_rules import valid_consent_clause
from nastavnik.school.participants.models import (
    MenteeProfile,
    MentorProfile,
    Participant,
    ParticipantKind,
    RequestSource,
    local_today,
)
from nastavnik.school.questionnaires import editing, templates
from nastavnik.school.questionnaires.definitions import (
    REFERENCE_LISTS,
    Question,
    QuestionKind,
    Section,
    answer_text,
    definition_of,
    parse_answers,
    questions_of,
    sections_of,
)
from nastavnik.school.questionnaires.models import (
    FEEDBACK_KINDS,
    INTAKE_KINDS,
    Questionnaire,
    QuestionnaireKind,
    ResponseStatus,
    Survey,
    SurveyResponse,
    SurveyStage,
)
from nastavnik.tenants.models import School, StaffMember
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items

# A link lives until the deadline; the signature's own age limit is a backstop.
LINK_MAX_AGE = 400 * 24 * 3600


# --- questionnaires and versions -------------------------------------------------------


async def current_questionnaires(db: AsyncSession, school: School) -> dict[QuestionnaireKind, Questionnaire]:
    rows = await db.execute(
        select(Questionnaire).where(Questionnaire.school_id == school.id, Questionnaire.is_current.is_(True))
    )
    return {q.kind: q for q in rows.scalars()}


async def get_questionnaire(db: AsyncSession, school: School, questionnaire_id: str) -> Questionnaire | None:
    try:
        key = uuid.UUID(questionnaire_id)
    except ValueError:
        return None
    return await db.scalar(
        select(Questionnaire).where(Questionnaire.school_id == school.id, Questionnaire.id == key)
    )


async def adopt_template(
    db: AsyncSession, school: School, kind: QuestionnaireKind, user_id: uuid.UUID | None
) -> Questionnaire:
    """The school's copy of the region's template (the current one if already adopted)."""
    current = (await current_questionnaires(db, school)).get(kind)
    if current is not None:
        return current
    template = await templates.for_school(db, school, kind)
    questionnaire = Questionnaire(
        school_id=school.id,
        kind=kind,
        version=1,
        title=template.title,
        definition=template.definition,
        created_by_id=user_id,
        template_version=template.version,
    )
    db.add(questionnaire)
    await db.flush()
    return questionnaire


async def adopt_all(db: AsyncSession, school: School, user_id: uuid.UUID | None = None) -> None:
    for kind in QuestionnaireKind:
        await adopt_template(db, school, kind, user_id)


async def new_version(
    db: AsyncSession,
    school: School,
    previous: Questionnaire,
    sections: list[Section],
    user_id: uuid.UUID | None,
    title: str | None = None,
    template_version: int | None = None,
) -> Questionnaire:
    """Edits never change a version people were given: the old one stays, a new one is current."""
    latest = await db.scalar(
        select(func.max(Questionnaire.version)).where(
            Questionnaire.school_id == school.id, Questionnaire.kind == previous.kind
        )
    )
    await db.execute(
        update(Questionnaire)
        .where(Questionnaire.school_id == school.id, Questionnaire.kind == previous.kind)
        .values(is_current=False)
    )
    questionnaire = Questionnaire(
        school_id=school.id,
        kind=previous.kind,
        version=(latest or 0) + 1,
        title=title or previous.title,
        definition=definition_of(sections),
        created_by_id=user_id,
        template_version=previous.template_version if template_version is None else template_version,
    )
    db.add(questionnaire)
    await db.flush()
    return questionnaire


async def update_from_region(
    db: AsyncSession, school: School, questionnaire: Questionnaire, user_id: uuid.UUID | None
) -> Questionnaire | None:
    """A new version of the school's copy with the region's newer template (None if not newer)."""
    template = await templates.for_school(db, school, questionnaire.kind)
    if template.version <= (questionnaire.template_version or 0):
        return None
    return await new_version(
        db,
        school,
        questionnaire,
        sections_of(template.definition),
        user_id,
        title=template.title,
        template_version=template.version,
    )


QUESTION_FIELDS = editing.QUESTION_FIELDS


async def add_question(
    db: AsyncSession, school: School, questionnaire: Questionnaire, form: Form, user_id: uuid.UUID | None
) -> Questionnaire | None:
    sections = editing.add_question(
        sections_of(questionnaire.definition),
        form,
        allow_people=questionnaire.kind is QuestionnaireKind.PREFERENCES,
    )
    if sections is None:
        return None
    return await new_version(db, school, questionnaire, sections, user_id)


async def edit_question(
    db: AsyncSession,
    school: School,
    questionnaire: Questionnaire,
    op: str,
    form: Form,
    user_id: uuid.UUID | None,
) -> Questionnaire | None:
    """Change a question (`save`) or move it (`up` / `down`): a new version, as every edit."""
    sections = sections_of(questionnaire.definition)
    people = questionnaire.kind is QuestionnaireKind.PREFERENCES
    match op:
        case "save":
            changed = editing.save_question(sections, form, allow_people=people)
        case "up" | "down":
            changed = editing.move_question(sections, form.value("key"), -1 if op == "up" else 1)
            if changed is None:
                form.error("__all__", "Такого вопроса в анкете уже нет.")
        case _:
            form.error("__all__", "Такого изменения нет.")
            changed = None
    if changed is None:
        return None
    return await new_version(db, school, questionnaire, changed, user_id)


async def remove_question(
    db: AsyncSession, school: School, questionnaire: Questionnaire, key: str, user_id: uuid.UUID | None
) -> tuple[Questionnaire | None, Form]:
    form = Form()
    sections = editing.delete_question(sections_of(questionnaire.definition), key, form)
    if sections is None:
        return None, form
    return await new_version(db, school, questionnaire, [s for s in sections if s.questions], user_id), form


# Reference lists change a few times a year (the region edits them); a submission reads
# them to check its answers, so they are kept for a minute per process.
_REFERENCE_TTL_SECONDS = 60.0
_reference_cache: tuple[float, dict[str, list[tuple[str, str]]]] | None = None


async def reference_options(db: AsyncSession) -> dict[str, list[tuple[str, str]]]:
    """Options of each reference list, and of each audience's part of it («direction:pupil»)."""
    global _reference_cache  # noqa: PLW0603 - the process-wide cache above
    now = time.monotonic()
    if _reference_cache is not None and now - _reference_cache[0] < _REFERENCE_TTL_SECONDS:
        return _reference_cache[1]
    options: dict[str, list[tuple[str, str]]] = {}
    for name in REFERENCE_LISTS:
        items = await reference_items(db, ReferenceKind(name))
        options[name] = [(str(i.id), i.title) for i in items]
        for audience in ("pupil", "teacher"):
            options[f"{name}:{audience}"] = [
                (str(i.id), i.title) for i in items if i.attributes.get("audience", audience) == audience
            ]
    _reference_cache = (now, options)
    return options


async def reference_titles(db: AsyncSession) -> dict[str, str]:
    return {code: title for options in (await reference_options(db)).values() for code, title in options}


# --- audiences and surveys -------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    value: str
    title: str


async def audiences(db: AsyncSession, school: School, year: int) -> list[Audience]:
    """Whom a survey can go to: each class, the year's banks, the pairs' mentors and mentees."""
    classes = await db.execute(
        select(Participant.grade, Participant.class_letter)
        .where(
            Participant.school_id == school.id,
            Participant.kind == ParticipantKind.PUPIL,
            Participant.grade.is_not(None),
            Participant.anonymised_at.is_(None),
        )
        .group_by(Participant.grade, Participant.class_letter)
        .order_by(Participant.grade, Participant.class_letter)
    )
    found = [
        Audience(f"class:{grade}:{letter}", f"{grade} «{letter}» класс" if letter else f"{grade} класс")
        for grade, letter in classes
    ]
    return [
        Audience("mentees", "База наставляемых года"),
        Audience("mentors", "База наставников года"),
        Audience("pair_mentors", "Наставники пар (о каждой паре)"),
        Audience("pair_mentees", "Наставляемые пар (о каждой паре)"),
        Audience("teachers", "Все педагоги школы"),
        *found,
    ]


def _audience_query(school: School, year: int, audience: str) -> Select[*tuple[Any, ...]] | None:
    """(participant id, mentorship id) of everyone the audience names, consented people only."""
    base = [Participant.school_id == school.id, Participant.anonymised_at.is_(None), valid_consent_clause()]
    none_pair = null().cast(Uuid())
    if audience.startswith("class:"):
        _, grade, letter = [*audience.split(":", 2), ""][:3]
        if not grade.isdigit():
            return None
        return select(Participant.id, none_pair).where(
            *base,
            Participant.kind == ParticipantKind.PUPIL,
            Participant.grade == int(grade),
            Participant.class_letter == letter,
        )
    if audience == "teachers":
        return select(Participant.id, none_pair).where(*base, Participant.kind == ParticipantKind.TEACHER)
    if audience in ("mentees", "mentors"):
        profile: type[MenteeProfile] | type[MentorProfile] = (
            MenteeProfile if audience == "mentees" else MentorProfile
        )
        return (
            select(Participant.id, none_pair)
            .join(
                profile,
                and_(profile.school_id == Participant.school_id, profile.participant_id == Participant.id),
            )
            .where(*base, profile.academic_year == year)
        )
    if audience in ("pair_mentors", "pair_mentees"):
        role = MemberRole.MENTOR if audience == "pair_mentors" else MemberRole.MENTEE
        return (
            select(Participant.id, Mentorship.id)
            .join(
                MentorshipMember,
                and_(
                    MentorshipMember.school_id == Participant.school_id,
                    MentorshipMember.participant_id == Participant.id,
                ),
            )
            .join(
                Mentorship,
                and_(
                    Mentorship.school_id == MentorshipMember.school_id,
                    Mentorship.id == MentorshipMember.mentorship_id,
                ),
            )
            .where(
                *base,
                MentorshipMember.role == role,
                Mentorship.academic_year == year,
                Mentorship.status.in_(
                    (MentorshipStatus.ACTIVE, MentorshipStatus.FORMING, MentorshipStatus.COMPLETED)
                ),
            )
        )
    return None


SURVEY_FIELDS = ("questionnaire_id", "audience", "deadline", "stage")


async def create_survey(
    db: AsyncSession,
    school: School,
    year: int,
    form: Form,
    user_id: uuid.UUID | None,
    *,
    today: dt.date | None = None,
) -> Survey | None:
    """Send the questionnaire's current version to the audience; people without a valid
    consent are never asked (they are counted out, not invited)."""
    day = today or local_today()
    questionnaire = await get_questionnaire(db, school, form.require("questionnaire_id", "Выберите анкету."))
    if form.value("questionnaire_id") and (questionnaire is None or not questionnaire.is_current):
        form.error("questionnaire_id", "Выберите анкету из списка.")
    known = {a.value: a.title for a in await audiences(db, school, year)}
    audience = form.require("audience", "Выберите, кому отправить анкету.")
    if audience and audience not in known:
        form.error("audience", "Выберите адресатов из списка.")
    deadline: dt.date | None = None
    raw = form.require("deadline", "Укажите срок, до которого принимаются ответы.")
    if raw:
        try:
            deadline = dt.date.fromisoformat(raw)
        except ValueError:
            form.error("deadline", "Дата в виде дд.мм.гггг.")
    if deadline and deadline < day:
        form.error("deadline", "Срок не может быть в прошлом.")
    stage = next((s for s in SurveyStage if s.value == (form.value("stage") or "none")), None)
    if stage is None:
        form.error("stage", "Выберите замер из списка.")
    if (
        questionnaire is not None
        and questionnaire.kind is QuestionnaireKind.IMPACT
        and stage is SurveyStage.NONE
    ):
        form.error("stage", "Для анкеты влияния выберите: входной или итоговый замер.")
    if (
        questionnaire is not None
        and questionnaire.kind in FEEDBACK_KINDS
        and not audience.startswith("pair_")
    ):
        form.error("audience", "Обратную связь пары отправляют наставникам или наставляемым пар.")
    query = _audience_query(school, year, audience) if audience in known else None
    if not form.ok or questionnaire is None or deadline is None or query is None or stage is None:
        return None
    people = (await db.execute(query.distinct())).all()
    if not people:
        form.error("audience", "Некого спросить: ни у кого из адресатов нет действующего согласия.")
        return None
    survey = Survey(
        school_id=school.id,
        questionnaire_id=questionnaire.id,
        questionnaire=questionnaire,
        academic_year=year,
        title=questionnaire.title,
        audience=known[audience],
        stage=stage if questionnaire.kind is QuestionnaireKind.IMPACT else SurveyStage.NONE,
        deadline=deadline,
        created_by_id=user_id,
    )
    db.add(survey)
    await db.flush()
    db.add_all(
        SurveyResponse(school_id=school.id, survey_id=survey.id, participant_id=pid, mentorship_id=mid)
        for pid, mid in people
    )
    await db.flush()
    return survey


async def get_survey(db: AsyncSession, school: School, survey_id: str) -> Survey | None:
    try:
        key = uuid.UUID(survey_id)
    except ValueError:
        return None
    return await db.scalar(select(Survey).where(Survey.school_id == school.id, Survey.id == key))


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    invited: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


def _counts() -> tuple[Any, Any]:
    invited = func.count(SurveyResponse.id).filter(SurveyResponse.revoked_at.is_(None))
    answered = func.count(SurveyResponse.id).filter(
        SurveyResponse.revoked_at.is_(None), SurveyResponse.status == ResponseStatus.SUBMITTED
    )
    return invited, answered


async def surveys_page(
    db: AsyncSession, school: School, year: int, page: int
) -> tuple[list[SurveyRow], Window]:
    invited, answered = _counts()
    query = (
        select(Survey, invited, answered)
        .outerjoin(
            SurveyResponse,
            and_(SurveyResponse.school_id == Survey.school_id, SurveyResponse.survey_id == Survey.id),
        )
        .where(Survey.school_id == school.id, Survey.academic_year == year)
        .group_by(Survey.school_id, Survey.id)
        .order_by(Survey.created_at.desc())
    )
    rows, window = await page_of(db, query, page)
    return [SurveyRow(s, i, a) for s, i, a in rows], window


async def surveys_of_kind(
    db: AsyncSession, school: School, year: int, kind: QuestionnaireKind, *, limit: int = 5
) -> list[SurveyRow]:
    """The year's latest surveys of one questionnaire kind with their counts (a short window)."""
    invited, answered = _counts()
    rows = await db.execute(
        select(Survey, invited, answered)
        .join(
            Questionnaire,
            and_(Questionnaire.school_id == Survey.school_id, Questionnaire.id == Survey.questionnaire_id),
        )
        .outerjoin(
            SurveyResponse,
            and_(SurveyResponse.school_id == Survey.school_id, SurveyResponse.survey_id == Survey.id),
        )
        .where(Survey.school_id == school.id, Survey.academic_year == year, Questionnaire.kind == kind)
        .group_by(Survey.school_id, Survey.id)
        .order_by(Survey.created_at.desc())
        .limit(limit)
    )
    return [SurveyRow(s, i, a) for s, i, a in rows]


@dataclass(frozen=True)
class RateRow:
    title: str
    invited: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


async def response_rates(db: AsyncSession, school: School, survey: Survey) -> dict[str, list[RateRow]]:
    """Response rates per class (pupils), per form and per pair — counted in SQL, live."""
    invited, answered = _counts()
    joined = (
        select()
        .select_from(SurveyResponse)
        .join(
            Participant,
            and_(
                Participant.school_id == SurveyResponse.school_id,
                Participant.id == SurveyResponse.participant_id,
            ),
        )
    )
    scope = (SurveyResponse.school_id == school.id, SurveyResponse.survey_id == survey.id)
    by_class = await db.execute(
        joined.add_columns(Participant.grade, Participant.class_letter, invited, answered)
        .where(*scope, Participant.grade.is_not(None))
        .group_by(Participant.grade, Participant.class_letter)
        .order_by(Participant.grade, Participant.class_letter)
    )
    by_pair = await db.execute(
        select(Mentorship.number, invited, answered)
        .select_from(SurveyResponse)
        .join(
            Mentorship,
            and_(
                Mentorship.school_id == SurveyResponse.school_id,
                Mentorship.id == SurveyResponse.mentorship_id,
            ),
        )
        .where(*scope)
        .group_by(Mentorship.number)
        .order_by(Mentorship.number)
        .limit(200)
    )
    by_form = await db.execute(
        select(ReferenceItem.title, invited, answered)
        .select_from(SurveyResponse)
        .join(
            Mentorship,
            and_(
                Mentorship.school_id == SurveyResponse.school_id,
                Mentorship.id == SurveyResponse.mentorship_id,
            ),
        )
        .join(ReferenceItem, ReferenceItem.id == Mentorship.form_id)
        .where(*scope)
        .group_by(ReferenceItem.title)
        .order_by(ReferenceItem.title)
    )
    return {
        "class": [RateRow(f"{g} «{letter}»" if letter else str(g), i, a) for g, letter, i, a in by_class],
        "form": [RateRow(t, i, a) for t, i, a in by_form],
        "pair": [RateRow(f"Пара № {n}", i, a) for n, i, a in by_pair],
    }


async def survey_totals(db: AsyncSession, school: School, survey: Survey) -> RateRow:
    invited, answered = _counts()
    row = (
        await db.execute(
            select(invited, answered).where(
                SurveyResponse.school_id == school.id, SurveyResponse.survey_id == survey.id
            )
        )
    ).one()
    return RateRow("Всего", row[0], row[1])


async def responses_page(
    db: AsyncSession, school: School, survey: Survey, page: int, *, size: int = 50
) -> tuple[list[tuple[SurveyResponse, Participant]], Window]:
    query = (
        select(SurveyResponse, Participant)
        .join(
            Participant,
            and_(
                Participant.school_id == SurveyResponse.school_id,
                Participant.id == SurveyResponse.participant_id,
            ),
        )
        .where(SurveyResponse.school_id == school.id, SurveyResponse.survey_id == survey.id)
        .order_by(Participant.grade, Participant.class_letter, Participant.last_name, Participant.first_name)
    )
    rows, window = await page_of(db, query, page, size)
    return [(r, p) for r, p in rows], window


async def get_response(db: AsyncSession, school: School, response_id: str) -> SurveyResponse | None:
    try:
        key = uuid.UUID(response_id)
    except ValueError:
        return None
    return await db.scalar(
        select(SurveyResponse).where(SurveyResponse.school_id == school.id, SurveyResponse.id == key)
    )


async def revoke(db: AsyncSession, school: School, response_id: str) -> SurveyResponse | None:
    response = await get_response(db, school, response_id)
    if response is not None and response.revoked_at is None:
        response.revoked_at = utcnow()
        await db.flush()
    return response


# --- personal links ---------------------------------------------------------------------


def response_token(secret: str, response: SurveyResponse) -> str:
    return sign(
        secret, {"s": str(response.school_id), "r": str(response.id)}, purpose=Purpose.QUESTIONNAIRE_LINK
    )


@dataclass
class Answering:
    """A response being answered, with what the page needs."""

    school: School
    response: SurveyResponse
    survey: Survey
    person: Participant
    mentorship: Mentorship | None

    def open_on(self, day: dt.date) -> bool:
        return self.survey.open_on(day) and self.response.revoked_at is None


async def _answering(db: AsyncSession, school: School, response: SurveyResponse) -> Answering | None:
    survey = await db.scalar(
        select(Survey).where(Survey.school_id == school.id, Survey.id == response.survey_id)
    )
    person = await db.scalar(
        select(Participant).where(
            Participant.school_id == school.id,
            Participant.id == response.participant_id,
            Participant.anonymised_at.is_(None),
            valid_consent_clause(),
        )
    )
    if survey is None or person is None:
        return None
    mentorship = (
        await db.scalar(
            select(Mentorship).where(
                Mentorship.school_id == school.id, Mentorship.id == response.mentorship_id
            )
        )
        if response.mentorship_id
        else None
    )
    return Answering(school, response, survey, person, mentorship)


async def resolve_link(db: AsyncSession, secret: str, token: str) -> Answering | None:
    """The response a personal link names; None if forged, revoked, or the consent is gone.

    A link past its deadline still resolves (to show «приём ответов завершён»)."""
    payload = unsign(secret, token, purpose=Purpose.QUESTIONNAIRE_LINK, max_age=LINK_MAX_AGE)
    if payload is None:
        return None
    try:
        school_id, response_id = uuid.UUID(str(payload["s"])), uuid.UUID(str(payload["r"]))
    except (KeyError, ValueError):
        return None
    school = await db.get(School, school_id)
    if school is None:
        return None
    await set_school(db, school.id)
    response = await db.scalar(
        select(SurveyResponse).where(
            SurveyResponse.school_id == school.id,
            SurveyResponse.id == response_id,
            SurveyResponse.revoked_at.is_(None),
        )
    )
    return await _answering(db, school, response) if response else None


async def own_responses(
    db: AsyncSession, school: School, user_id: uuid.UUID
) -> list[tuple[SurveyResponse, Survey, int | None]]:
    """The surveys of a signed-in staff member (through their participant record), with the
    number of the pair an answer is about."""
    rows = await db.execute(
        select(SurveyResponse, Survey, Mentorship.number)
        .join(
            Survey, and_(Survey.school_id == SurveyResponse.school_id, Survey.id == SurveyResponse.survey_id)
        )
        .join(
            Participant,
            and_(
                Participant.school_id == SurveyResponse.school_id,
                Participant.id == SurveyResponse.participant_id,
            ),
        )
        .join(
            StaffMember,
            and_(
                StaffMember.school_id == Participant.school_id, StaffMember.id == Participant.staff_member_id
            ),
        )
        .outerjoin(
            Mentorship,
            and_(
                Mentorship.school_id == SurveyResponse.school_id,
                Mentorship.id == SurveyResponse.mentorship_id,
            ),
        )
        .where(
            SurveyResponse.school_id == school.id,
            StaffMember.user_id == user_id,
            SurveyResponse.revoked_at.is_(None),
        )
        .order_by(Survey.deadline.desc(), Mentorship.number)
        .limit(100)
    )
    return [(r, s, n) for r, s, n in rows]


async def own_answering(
    db: AsyncSession, school: School, user_id: uuid.UUID, response_id: str, *, on_behalf: bool = False
) -> Answering | None:
    """The user's own response; with `on_behalf` (the curator typing in a paper answer) any
    response of the school — a revoked one is shown closed, like one past its deadline."""
    if on_behalf:
        response = await get_response(db, school, response_id)
        return await _answering(db, school, response) if response else None
    mine = {r.id: r for r, _, _ in await own_responses(db, school, user_id)}
    try:
        found = mine.get(uuid.UUID(response_id))
    except ValueError:
        return None
    return await _answering(db, school, found) if found else None


PEOPLE_CHOICES_MAX = 300


async def preference_side(
    db: AsyncSession, school: School, person_id: uuid.UUID, year: int
) -> PreferenceSide | None:
    """Who the person is in the year's banks: a mentee picks mentors, a mentor picks mentees."""
    for profile, side in ((MenteeProfile, PreferenceSide.MENTEE), (MentorProfile, PreferenceSide.MENTOR)):
        found = await db.scalar(
            select(profile.id).where(
                profile.school_id == school.id,
                profile.participant_id == person_id,
                profile.academic_year == year,
            )
        )
        if found is not None:
            return side
    return None


async def people_choices(db: AsyncSession, answering: Answering) -> list[tuple[str, str]]:
    """The other side of the year's banks for a preferences answer, consented people only
    (their names are shown to another participant), by name, bounded."""
    year = answering.survey.academic_year
    side = await preference_side(db, answering.school, answering.person.id, year)
    if side is None:
        return []
    profile: type[MenteeProfile] | type[MentorProfile] = (
        MentorProfile if side is PreferenceSide.MENTEE else MenteeProfile
    )
    rows = await db.execute(
        select(Participant)
        .join(
            profile,
            and_(profile.school_id == Participant.school_id, profile.participant_id == Participant.id),
        )
        .where(
            Participant.school_id == answering.school.id,
            profile.academic_year == year,
            Participant.id != answering.person.id,
            Participant.anonymised_at.is_(None),
            valid_consent_clause(),
        )
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
        .limit(PEOPLE_CHOICES_MAX)
    )
    return [(str(p.id), p.full_name) for p in rows.scalars().unique()]


async def answering_options(db: AsyncSession, answering: Answering) -> dict[str, list[tuple[str, str]]]:
    """The reference lists, and for a question choosing people, whom this person may choose."""
    options = await reference_options(db)
    definition = answering.survey.questionnaire.definition
    if any(q.kind is QuestionKind.PEOPLE for q in questions_of(definition)):
        options = {**options, "people": await people_choices(db, answering)}
    return options


async def _pass_preferences_to_matching(
    db: AsyncSession, answering: Answering, answers: Mapping[str, Any]
) -> None:
    """A submitted preferences answer becomes the person's preferences of the year in matching
    (replacing what they chose before), so the matching scores it like a personal link's."""
    questions = [
        q for q in questions_of(answering.survey.questionnaire.definition) if q.kind is QuestionKind.PEOPLE
    ]
    if not questions:
        return
    year = answering.survey.academic_year
    side = await preference_side(db, answering.school, answering.person.id, year)
    if side is None:
        return
    chosen = list(dict.fromkeys(uuid.UUID(str(v)) for q in questions for v in answers.get(q.key, [])))
    await db.execute(
        delete(MatchingPreference).where(
            MatchingPreference.school_id == answering.school.id,
            MatchingPreference.academic_year == year,
            MatchingPreference.side == side,
            MatchingPreference.chooser_id == answering.person.id,
        )
    )
    db.add_all(
        MatchingPreference(
            school_id=answering.school.id,
            academic_year=year,
            side=side,
            chooser_id=answering.person.id,
            chosen_id=person_id,
            entered_by_link=True,
        )
        for person_id in chosen
    )
    await db.flush()


async def save_answers(
    db: AsyncSession,
    answering: Answering,
    raw: Mapping[str, list[str]],
    *,
    final: bool,
    today: dt.date | None = None,
) -> Form:
    """Check and keep the answers: a draft keeps what is valid; a final answer needs all
    required questions. After the deadline nothing changes."""
    day = today or local_today()
    questionnaire = answering.survey.questionnaire
    options = await answering_options(db, answering)
    answers, errors = parse_answers(questionnaire.definition, raw, reference_options=options, final=final)
    form = Form(data=answers, errors=errors)
    if not answering.open_on(day):
        form.error("__all__", "Приём ответов завершён: срок прошёл. Ответ изменить нельзя.")
        return form
    response = answering.response
    if errors:
        if not final:
            response.answers = {k: v for k, v in answers.items() if k not in errors}
        return form
    response.answers = answers
    if final:
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = utcnow()
        await _pass_preferences_to_matching(db, answering, answers)
    elif response.status is not ResponseStatus.SUBMITTED:
        response.status = ResponseStatus.DRAFT
    await db.flush()
    return form


# --- intake answers into the banks ------------------------------------------------------


async def intake_queue(
    db: AsyncSession, school: School, year: int, page: int
) -> tuple[list[tuple[SurveyResponse, Participant, Questionnaire]], Window]:
    """Submitted intake answers of the year the curator has not taken into the banks yet."""
    query = (
        select(SurveyResponse, Participant, Questionnaire)
        .join(
            Survey, and_(Survey.school_id == SurveyResponse.school_id, Survey.id == SurveyResponse.survey_id)
        )
        .join(
            Questionnaire,
            and_(Questionnaire.school_id == Survey.school_id, Questionnaire.id == Survey.questionnaire_id),
        )
        .join(
            Participant,
            and_(
                Participant.school_id == SurveyResponse.school_id,
                Participant.id == SurveyResponse.participant_id,
            ),
        )
        .where(
            SurveyResponse.school_id == school.id,
            Survey.academic_year == year,
            Questionnaire.kind.in_(INTAKE_KINDS),
            SurveyResponse.status == ResponseStatus.SUBMITTED,
            SurveyResponse.accepted_at.is_(None),
            SurveyResponse.revoked_at.is_(None),
        )
        .order_by(SurveyResponse.submitted_at)
    )
    rows, window = await page_of(db, query, page)
    return [(r, p, q) for r, p, q in rows], window


def profile_data_from_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The profile form an intake answer fills, keyed as the bank's forms are."""
    data: dict[str, Any] = {}
    for q in questions_of(questionnaire.definition):
        value = answers.get(q.key)
        if value in (None, "", []):
            continue
        match q.maps_to:
            case "request_text" | "competencies_text":
                data[q.maps_to] = str(value)
            case "directions" | "mentor_directions":
                data["directions"] = [str(v) for v in value]
            case "request_areas":
                data["request_areas"] = [str(v) for v in value]
            case "capacity":
                data["capacity"] = str(value)
    return data


async def accept_intake(
    db: AsyncSession, school: School, year: int, response: SurveyResponse
) -> tuple[Participant, Form] | None:
    """Take an intake answer into the person's request (mentee bank) or mentor profile of the year."""
    survey = await db.scalar(
        select(Survey).where(Survey.school_id == school.id, Survey.id == response.survey_id)
    )
    try:
        person = await participants.get_participant(db, school, response.participant_id)
    except participants.NotFoundError:
        return None
    if survey is None or survey.questionnaire.kind not in INTAKE_KINDS:
        return None
    data = profile_data_from_answers(survey.questionnaire, response.answers)
    if survey.questionnaire.kind is QuestionnaireKind.MENTOR_INTAKE:
        existing = await participants.get_mentor_profile(db, person, year)
        form = Form(data={**participants.mentor_form_data(existing, person), **data})
        saved = await participants.save_mentor_profile(db, person, year, form) is not None
    else:
        existing_mentee = await participants.get_mentee_profile(db, person, year)
        base = participants.mentee_form_data(existing_mentee, person)
        sources = set(base.get("request_sources", [])) | {RequestSource.QUESTIONNAIRE.value}
        form = Form(data={**base, **data, "request_sources": sorted(sources)})
        saved = await participants.save_mentee_profile(db, person, year, form) is not None
    if saved:
        response.accepted_at = utcnow()
        await db.flush()
    return person, form


# --- exports and free text --------------------------------------------------------------


async def export_rows(
    db: AsyncSession, school: School, survey: Survey, *, with_people: bool
) -> tuple[list[str], list[list[Any]]]:
    """A header and one row per answer; anonymised rows carry a number instead of a name."""
    questions = list(questions_of(survey.questionnaire.definition))
    titles = await reference_titles(db)
    header = (
        (["ФИО", "Класс"] if with_people else ["№"]) + ["Статус", "Дата ответа"] + [q.text for q in questions]
    )
    rows = await db.execute(
        select(SurveyResponse, Participant)
        .join(
            Participant,
            and_(
                Participant.school_id == SurveyResponse.school_id,
                Participant.id == SurveyResponse.participant_id,
            ),
        )
        .where(
            SurveyResponse.school_id == school.id,
            SurveyResponse.survey_id == survey.id,
            SurveyResponse.revoked_at.is_(None),
        )
        .order_by(Participant.last_name, Participant.first_name)
    )
    found = rows.all()
    people_questions = [q for q in questions if q.kind is QuestionKind.PEOPLE]
    if people_questions and with_people:
        titles = {**titles, **await _names(db, school, found, people_questions)}
    out: list[list[Any]] = []
    for number, (response, person) in enumerate(found, start=1):
        lead: list[Any] = [person.full_name, person.class_title] if with_people else [number]
        when = response.submitted_at.astimezone().strftime("%d.%m.%Y") if response.submitted_at else ""
        out.append(
            [*lead, response.status_title, when]
            + [
                _export_answer(q, response.answers.get(q.key), titles, with_people=with_people)
                for q in questions
            ]
        )
    return header, out


def _export_answer(q: Question, value: Any, titles: Mapping[str, str], *, with_people: bool) -> str:
    # Whom an anonymous respondent chose would name them through the people they know.
    if q.kind is QuestionKind.PEOPLE and not with_people:
        return f"выбрано: {len(value)}" if value else ""
    return answer_text(q, value, titles)


async def _names(
    db: AsyncSession, school: School, rows: Sequence[Any], questions: Sequence[Question]
) -> dict[str, str]:
    ids = {
        uuid.UUID(str(v)) for response, _ in rows for q in questions for v in response.answers.get(q.key, [])
    }
    if not ids:
        return {}
    people = await db.scalars(
        select(Participant).where(Participant.school_id == school.id, Participant.id.in_(ids))
    )
    return {str(p.id): p.full_name for p in people}


async def free_text_answers(
    db: AsyncSession, school: School, survey: Survey, *, limit: int = 200
) -> list[tuple[str, list[str]]]:
    """Every long-text question with its answers (newest first, bounded), for the curator."""
    questions = [q for q in questions_of(survey.questionnaire.definition) if q.kind is QuestionKind.LONG_TEXT]
    found: list[tuple[str, list[str]]] = []
    for q in questions:
        text = SurveyResponse.answers[q.key].astext
        rows = await db.execute(
            select(text)
            .where(
                SurveyResponse.school_id == school.id,
                SurveyResponse.survey_id == survey.id,
                SurveyResponse.status == ResponseStatus.SUBMITTED,
                text.is_not(None),
                text != "",
            )
            .order_by(SurveyResponse.submitted_at.desc())
            .limit(limit)
        )
        found.append((q.text, [str(t) for t in rows.scalars()]))
    return found
