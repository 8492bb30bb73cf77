"""Demo questionnaires of the demo school in mid-year: the intake of a class (some answered,
a draft, some not yet), the mentors' intake, the questionnaire after the group meeting (whom
each mentee would like, passed on to matching), the impact measured at the start and —
under way — at the end, monthly feedback of the pairs (one pair silent), a few satisfaction
and quality answers for the SWOT draft, the pupils' results of most teachers' pairs; and the
region's templates: a published version the school has not taken yet and a methodist's draft.
Every answer goes through the same validation as a person's, so the demo never holds an
answer the form would refuse."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.db import utcnow
from nastavnik.platform.web import Form
from nastavnik.school.matching.models import MatchingPreference, PreferenceSide
from nastavnik.school.monitoring import pupil_results
from nastavnik.school.pairs.services import mentorships_by_id
from nastavnik.school.participants.consent_rules import valid_consent_clause
from nastavnik.school.participants.models import MentorProfile, Participant, ParticipantKind
from nastavnik.school.questionnaires import editing, services, templates
from nastavnik.school.questionnaires.definitions import (
    Question,
    QuestionKind,
    parse_answers,
    questions_of,
    sections_of,
)
from nastavnik.school.questionnaires.models import (
    QuestionnaireKind,
    QuestionnaireTemplate,
    ResponseStatus,
    Survey,
    SurveyResponse,
)
from nastavnik.tenants.models import School

SEED = 20261211

TEXTS: dict[str, tuple[str, ...]] = {
    "interests": (
        "Шахматы и настольные игры",
        "Рисую, хожу в художественную школу",
        "Футбол, робототехника",
        "Читаю фантастику, пишу рассказы",
        "Танцы и музыка",
    ),
    "difficulties": (
        "Трудно выступать перед классом",
        "Не успеваю по математике",
        "Новый класс, мало друзей",
        "Не знаю, какую профессию выбрать",
    ),
    "request": (
        "Хочу подготовиться к олимпиаде по математике",
        "Научиться выступать публично без страха",
        "Разобраться, какие профессии мне подходят",
        "Подтянуть русский язык к ВПР",
        "Сделать свой проект для конкурса",
    ),
    "competencies": (
        "Подготовка к олимпиадам по физике, руководство проектами",
        "Классное руководство, работа с родителями, адаптация в коллективе",
        "Профориентация, знакомство с профессиями предприятия",
    ),
    "done": (
        "Провели две встречи по плану, разобрали задания олимпиады",
        "Подготовили выступление на классном часе",
        "Составили список профессий и вопросов для экскурсии",
    ),
    "learned": ("Научился решать задачи на проценты", "Стало проще выступать", "Узнал о профессии инженера"),
    "strengths": (
        "Опытные и увлечённые наставники",
        "Регулярные встречи пар по плану",
        "Поддержка администрации и психолога",
    ),
    "weaknesses": ("Не хватает времени на встречи из-за нагрузки", "Мало очных встреч в группах"),
    "risks": ("Перегрузка наставников в конце четверти", "Выпускники-наставники уходят в мае"),
    "best": ("Встречи с наставником и проект",),
    "improve": ("Больше совместных мероприятий пар",),
    "why": (
        "Понравилось, как рассказывал о своей работе",
        "У нас похожие интересы",
        "С ней легко разговаривать",
    ),
}


def _value(  # noqa: PLR0911 - one return per kind of question
    q: Question, rng: random.Random, refs: dict[str, list[tuple[str, str]]], level: int
) -> list[str]:
    match q.kind:
        case QuestionKind.SINGLE:
            return [rng.choice(q.options)]
        case QuestionKind.MULTIPLE:
            return rng.sample(list(q.options), k=min(2, len(q.options)))
        case QuestionKind.REFERENCE:
            options = [code for code, _ in refs.get(q.reference, [])]
            return rng.sample(options, k=min(rng.randint(1, 2), len(options))) if options else []
        case QuestionKind.SCALE5:
            return [str(max(1, min(5, level // 2 + rng.randint(0, 1))))]
        case QuestionKind.SCALE10:
            return [str(max(1, min(10, level + rng.randint(-1, 1))))]
        case QuestionKind.NUMBER:
            return [str(rng.randint(1, 3) if q.key == "capacity" else rng.randint(2, 25))]
        case QuestionKind.PEOPLE:
            return []  # whom a person chose is what they told the curator (see _preferences)
        case _:
            texts = TEXTS.get(q.key)
            return [rng.choice(texts)] if texts else []


async def _send(
    db: AsyncSession,
    school: School,
    year: int,
    kind: QuestionnaireKind,
    audience: str,
    *,
    sent: dt.date,
    deadline: dt.date,
    stage: str = "none",
) -> Survey | None:
    questionnaire = (await services.current_questionnaires(db, school))[kind]
    form = Form(
        data={
            "questionnaire_id": str(questionnaire.id),
            "audience": audience,
            "deadline": deadline.isoformat(),
            "stage": stage,
        }
    )
    return await services.create_survey(db, school, year, form, None, today=sent)


async def _answer(
    db: AsyncSession,
    survey: Survey | None,
    rng: random.Random,
    refs: dict[str, list[tuple[str, str]]],
    *,
    share: float,
    level: tuple[int, int],
    answered_on: dt.date,
    drafts: int = 0,
    accept: float = 0.0,
) -> None:
    if survey is None:
        return
    rows = list(
        (
            await db.execute(
                select(SurveyResponse)
                .where(SurveyResponse.school_id == survey.school_id, SurveyResponse.survey_id == survey.id)
                .order_by(SurveyResponse.id)
            )
        ).scalars()
    )
    questions = list(questions_of(survey.questionnaire.definition))
    for index, response in enumerate(rows):
        roll = rng.random()
        if roll > share and index > drafts:  # the first after the drafts always answered
            continue
        score = rng.randint(*level)
        raw = {q.key: _value(q, rng, refs, score) for q in questions}
        draft = index < drafts
        if draft:
            raw = dict(list(raw.items())[:2])
        answers, errors = parse_answers(
            survey.questionnaire.definition, raw, reference_options=refs, final=not draft
        )
        if errors:
            raise ValueError(f"demo answer refused: {errors}")
        response.answers = answers
        response.status = ResponseStatus.DRAFT if draft else ResponseStatus.SUBMITTED
        if not draft:
            response.submitted_at = dt.datetime.combine(
                answered_on, dt.time(15, rng.randint(0, 59)), tzinfo=dt.UTC
            )
            if rng.random() < accept:
                response.accepted_at = utcnow()
    await db.flush()


async def _mentor_answers_from_profiles(
    db: AsyncSession, school: School, year: int, survey: Survey | None
) -> None:
    """The mentors' intake was taken into the bank weeks ago: its answers are what their
    profiles now say (competencies, directions, capacity)."""
    if survey is None:
        return
    profiles = {
        p.participant_id: p
        for p in (
            await db.execute(
                select(MentorProfile)
                .where(MentorProfile.school_id == school.id, MentorProfile.academic_year == year)
                .options(selectinload(MentorProfile.directions))
            )
        ).scalars()
    }
    rows = await db.execute(
        select(SurveyResponse).where(
            SurveyResponse.school_id == school.id,
            SurveyResponse.survey_id == survey.id,
            SurveyResponse.status == ResponseStatus.SUBMITTED,
        )
    )
    for response in rows.scalars():
        profile = profiles.get(response.participant_id)
        if profile is None:
            continue
        answers = dict(response.answers)
        if profile.competencies_text:
            answers["competencies"] = profile.competencies_text
        answers["directions"] = [str(d.id) for d in profile.directions] or answers.get("directions", [])
        answers["capacity"] = profile.capacity
        response.answers = answers
    await db.flush()


async def seed_questionnaires_demo(db: AsyncSession, school: School, year: int, today: dt.date) -> None:
    """Adopt the region's templates and answer them as a school in mid-year would have."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    await services.adopt_all(db, school)
    await seed_region_templates_demo(db, school, today)
    refs = await services.reference_options(db)
    await _preferences(db, school, year, rng, refs, today)

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    # The two classes with most consented pupils get the intake; most have answered, one
    # left a draft, the rest have a few days left.
    classes = Counter(
        (g, letter)
        for g, letter in (
            await db.execute(
                select(Participant.grade, Participant.class_letter).where(
                    Participant.school_id == school.id,
                    Participant.kind == ParticipantKind.PUPIL,
                    Participant.grade.is_not(None),
                    valid_consent_clause(),
                )
            )
        ).all()
    )
    for number, ((grade, letter), _) in enumerate(classes.most_common(2)):
        intake = await _send(
            db,
            school,
            year,
            QuestionnaireKind.MENTEE_INTAKE_PUPIL,
            f"class:{grade}:{letter}",
            sent=ago(3),
            deadline=today + dt.timedelta(days=7),
        )
        await _answer(db, intake, rng, refs, share=0.7, level=(3, 8), answered_on=ago(1), drafts=1 - number)
    mentors = await _send(
        db, school, year, QuestionnaireKind.MENTOR_INTAKE, "mentors", sent=ago(60), deadline=ago(50)
    )
    await _answer(db, mentors, rng, refs, share=0.9, level=(6, 9), answered_on=ago(55), accept=1.0)
    await _mentor_answers_from_profiles(db, school, year, mentors)
    start = await _send(
        db,
        school,
        year,
        QuestionnaireKind.IMPACT,
        "pair_mentees",
        sent=ago(32),
        deadline=ago(25),
        stage="start",
    )
    await _answer(db, start, rng, refs, share=0.95, level=(3, 6), answered_on=ago(28))
    end = await _send(
        db,
        school,
        year,
        QuestionnaireKind.IMPACT,
        "pair_mentees",
        sent=ago(2),
        deadline=today + dt.timedelta(days=12),
        stage="end",
    )
    await _answer(db, end, rng, refs, share=0.7, level=(5, 9), answered_on=ago(1))
    for kind, audience in (
        (QuestionnaireKind.FEEDBACK_MENTOR, "pair_mentors"),
        (QuestionnaireKind.FEEDBACK_MENTEE, "pair_mentees"),
    ):
        feedback = await _send(db, school, year, kind, audience, sent=ago(9), deadline=ago(2))
        await _answer(db, feedback, rng, refs, share=0.8, level=(6, 9), answered_on=ago(5))
    quality = await _send(
        db,
        school,
        year,
        QuestionnaireKind.QUALITY_MENTOR,
        "pair_mentors",
        sent=ago(4),
        deadline=today + dt.timedelta(days=10),
    )
    await _answer(db, quality, rng, refs, share=0.6, level=(6, 9), answered_on=ago(2))
    satisfaction = await _send(
        db,
        school,
        year,
        QuestionnaireKind.SATISFACTION,
        "pair_mentees",
        sent=ago(2),
        deadline=today + dt.timedelta(days=12),
    )
    await _answer(db, satisfaction, rng, refs, share=0.4, level=(6, 10), answered_on=ago(1))
    await _pupil_results(db, school, year, rng)


async def seed_region_templates_demo(db: AsyncSession, school: School, today: dt.date) -> None:
    """The region's methodists published a version of the satisfaction questionnaire with a
    question of their own (after the school took the platform's), and are drafting the next
    version of the mentee's monthly feedback. Once per region."""
    region_id = await templates.region_id_of(db, school)
    if await db.scalar(select(QuestionnaireTemplate.id).where(QuestionnaireTemplate.region_id == region_id)):
        return
    edits = (
        (
            QuestionnaireKind.SATISFACTION,
            None,
            {
                "section": "0",
                "text": "Порекомендовали бы вы участие в программе друзьям?",
                "kind": QuestionKind.SCALE10.value,
                "hint": "1 — ни в коем случае, 10 — обязательно",
            },
        ),
        (
            QuestionnaireKind.FEEDBACK_MENTEE,
            "Планы на следующий месяц",
            {
                "section": "1",
                "text": "Что вы хотите сделать с наставником в следующем месяце?",
                "kind": "long_text",
            },
        ),
    )
    for kind, new_section, question in edits:
        draft = await templates.start_draft(db, region_id, kind, None)
        sections = sections_of(draft.definition)
        if new_section:
            sections = editing.add_section(sections, Form(data={"title": new_section})) or sections
        form = Form(data=question)
        changed = editing.add_question(sections, form)
        if changed is None:
            raise ValueError(f"demo template refused: {form.errors}")
        await templates.save_draft(db, draft, changed)
        if kind is QuestionnaireKind.SATISFACTION:
            if templates.publish(draft):
                raise ValueError("demo template not publishable")
            draft.published_at = dt.datetime.combine(today - dt.timedelta(days=6), dt.time(10), tzinfo=dt.UTC)
    await db.flush()


async def _preferences(
    db: AsyncSession,
    school: School,
    year: int,
    rng: random.Random,
    refs: dict[str, list[tuple[str, str]]],
    today: dt.date,
) -> None:
    """After the group meeting (five weeks ago) each mentee answered the questionnaire through
    their link, naming the mentor the curator had noted; a few never answered."""
    sent, answered_on = today - dt.timedelta(days=42), today - dt.timedelta(days=40)
    survey = await _send(
        db,
        school,
        year,
        QuestionnaireKind.PREFERENCES,
        "mentees",
        sent=sent,
        deadline=today - dt.timedelta(days=36),
    )
    if survey is None:
        return
    noted = dict(
        (
            await db.execute(
                select(MatchingPreference.chooser_id, MatchingPreference.chosen_id).where(
                    MatchingPreference.school_id == school.id,
                    MatchingPreference.academic_year == year,
                    MatchingPreference.side == PreferenceSide.MENTEE,
                )
            )
        ).all()
    )
    rows = (
        (
            await db.execute(
                select(SurveyResponse)
                .where(SurveyResponse.school_id == school.id, SurveyResponse.survey_id == survey.id)
                .order_by(SurveyResponse.id)
            )
        )
        .scalars()
        .all()
    )
    for response in rows:
        chosen = noted.get(response.participant_id)
        if chosen is None or rng.random() < 0.1:
            continue
        answering = await services._answering(db, school, response)
        if answering is None:
            continue
        raw = {
            "chosen": [str(chosen)],
            "impression": [str(rng.randint(4, 5))],
            "why": [rng.choice(TEXTS["why"])],
        }
        form = await services.save_answers(db, answering, raw, final=True, today=answered_on)
        if not form.ok:
            raise ValueError(f"demo preferences refused: {form.errors}")
        response.submitted_at = dt.datetime.combine(
            answered_on, dt.time(16, rng.randint(0, 59)), tzinfo=dt.UTC
        )
    await db.flush()


async def _pupil_results(db: AsyncSession, school: School, year: int, rng: random.Random) -> None:
    """The curator entered the pupils' results of most teachers' pairs (the last one is left)."""
    rows, _ = await pupil_results.pairs_page(db, school, year, 1)
    named = await mentorships_by_id(db, school, [m.id for m, _ in rows])
    for mentorship, _ in rows[:-1] if len(rows) > 1 else rows:
        form = Form(
            data={
                "vpr_pass_percent": str(rng.randint(72, 95)),
                "oge_pass_percent": str(rng.randint(80, 100)) if rng.random() < 0.5 else "",
                "ege_pass_percent": "",
                "quality_change": str(rng.randint(-2, 9)),
                "olympiad_participants": str(rng.randint(1, 6)),
                "olympiad_winners": "1",
                "note": "Классы 5-7, данные школьного этапа олимпиад",
            }
        )
        if not await pupil_results.save_results(db, school, named[mentorship.id], form):
            raise ValueError(f"demo pupils' results refused: {form.errors}")
