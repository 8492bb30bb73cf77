"""Two-stage monitoring of a school's programme year (Р-145; seed 002), counted in SQL.

Stage 1 (quality of the programme): the quality questionnaires of mentors, mentees and the
curator, and a SWOT summary drafted from their free-text answers, edited by the curator.
Stage 2 (impact on participants): the impact questionnaire answered at the start and at the
end; each person's two answers are paired and the change shown per parameter and form.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Numeric, and_, func, literal, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from nastavnik.school.pairs.models import (
    MemberRole,
    Mentorship,
    MentorshipMember,
    MentorshipStatus,
    mentorship_direction,
)
from nastavnik.school.participants.consent_rules import valid_consent_clause
from nastavnik.school.participants.models import Participant, ParticipantKind
from nastavnik.school.questionnaires import services as questionnaires
from nastavnik.school.questionnaires.definitions import IMPACT_PARAMETERS, QuestionKind, questions_of
from nastavnik.school.questionnaires.models import (
    FEEDBACK_KINDS,
    KIND_TITLES,
    MonitoringSummary,
    Questionnaire,
    QuestionnaireKind,
    ResponseStatus,
    Survey,
    SurveyResponse,
    SurveyStage,
)
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem

FEEDBACK_QUIET_DAYS = 35  # no feedback for 5 weeks: the pair is flagged
SATISFACTION_KEY = "satisfaction"
SWOT_SOURCES = {
    "strengths": ("strengths",),
    "weaknesses": ("weaknesses",),
    "opportunities": ("opportunities",),
    "threats": ("risks",),
}


@dataclass(frozen=True)
class ImpactChange:
    """One parameter of stage 2: averages (1-10) of the people who answered both times."""

    parameter: str
    title: str
    people: int
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class MonitoringFigures:
    """The school's monitoring figures of one academic year, with plain types only.

    - `surveyed_pupils`, `surveyed_teachers`, `surveyed_other`: distinct people who
      submitted at least one questionnaire of the year (pupils / teachers / everyone else:
      graduates, partners' staff, students) — the «52» of «52 (10 %)»; the share is this
      count over the contingent, which the caller owns.
    - `surveyed_by_role`: {"mentor": n, "mentee": n} — people of the year's pairs with a
      submitted answer, by their role in a pair.
    - `invited`, `answered`: invitations (revoked ones left out) and submitted answers of the
      year's surveys; `response_rate`: answered / invited in 0..1, None without invitations.
    - `satisfaction_average`: mean of the final satisfaction question (1-10), None if nobody
      answered; `satisfaction_distribution`: score → number of answers (1..10, zeros kept).
    - `impact`: per parameter (motivation, competences, growth, involvement, adaptation,
      wish to mentor) the averages before and after and `delta`, over people who answered
      both the start and the end measurement; before/after are None when nobody did.
    - `impact_by_form`: form title → the same list, for people in a pair of that form;
      `impact_by_direction`: direction title → the same, by the directions of their pair.
    - `pairs_without_feedback`: active pairs with no submitted monthly feedback for
      FEEDBACK_QUIET_DAYS days (or ever, once the pair is that old).
    """

    academic_year: int
    surveyed_pupils: int = 0
    surveyed_teachers: int = 0
    surveyed_other: int = 0
    surveyed_by_role: dict[str, int] = field(default_factory=dict)
    invited: int = 0
    answered: int = 0
    response_rate: float | None = None
    satisfaction_average: float | None = None
    satisfaction_distribution: dict[int, int] = field(default_factory=dict)
    impact: list[ImpactChange] = field(default_factory=list)
    impact_by_form: dict[str, list[ImpactChange]] = field(default_factory=dict)
    impact_by_direction: dict[str, list[ImpactChange]] = field(default_factory=dict)
    pairs_without_feedback: int = 0

    @property
    def surveyed(self) -> int:
        return self.surveyed_pupils + self.surveyed_teachers + self.surveyed_other

    @property
    def has_impact(self) -> bool:
        return any(c.people for c in self.impact)


def _year_responses(school: School, year: int) -> Any:
    return (
        select(SurveyResponse)
        .join(
            Survey, and_(Survey.school_id == SurveyResponse.school_id, Survey.id == SurveyResponse.survey_id)
        )
        .where(
            SurveyResponse.school_id == school.id,
            Survey.academic_year == year,
            SurveyResponse.revoked_at.is_(None),
        )
    )


async def monitoring_figures(
    db: AsyncSession, school: School, year: int, today: dt.date
) -> MonitoringFigures:
    """Every monitoring figure of the school's year (see MonitoringFigures), in a few statements.

    The regional indicators project this into their rollups; nothing here names a person.
    """
    base = _year_responses(school, year).subquery()
    submitted = base.c.status == ResponseStatus.SUBMITTED
    invited, answered = (
        await db.execute(select(func.count(), func.count().filter(submitted)).select_from(base))
    ).one()
    kinds = await db.execute(
        select(Participant.kind, func.count(func.distinct(Participant.id)))
        .select_from(base)
        .join(
            Participant,
            and_(Participant.school_id == base.c.school_id, Participant.id == base.c.participant_id),
        )
        .where(submitted)
        .group_by(Participant.kind)
    )
    by_kind: dict[ParticipantKind, int] = {kind: n for kind, n in kinds.all()}  # noqa: C416 - rows, not pairs
    roles = await db.execute(
        select(MentorshipMember.role, func.count(func.distinct(MentorshipMember.participant_id)))
        .select_from(base)
        .join(
            MentorshipMember,
            and_(
                MentorshipMember.school_id == base.c.school_id,
                MentorshipMember.participant_id == base.c.participant_id,
            ),
        )
        .join(
            Mentorship,
            and_(
                Mentorship.school_id == MentorshipMember.school_id,
                Mentorship.id == MentorshipMember.mentorship_id,
            ),
        )
        .where(submitted, Mentorship.academic_year == year)
        .group_by(MentorshipMember.role)
    )
    distribution, average = await _satisfaction(db, school, year)
    impact, by_form, by_direction = await _impact(db, school, year)
    return MonitoringFigures(
        academic_year=year,
        surveyed_pupils=by_kind.get(ParticipantKind.PUPIL, 0),
        surveyed_teachers=by_kind.get(ParticipantKind.TEACHER, 0),
        surveyed_other=sum(
            n for k, n in by_kind.items() if k not in (ParticipantKind.PUPIL, ParticipantKind.TEACHER)
        ),
        surveyed_by_role={role.value: n for role, n in roles},
        invited=invited,
        answered=answered,
        response_rate=(answered / invited) if invited else None,
        satisfaction_average=average,
        satisfaction_distribution=distribution,
        impact=impact,
        impact_by_form=by_form,
        impact_by_direction=by_direction,
        pairs_without_feedback=await count_pairs_without_feedback(db, school, year, today),
    )


async def _satisfaction(db: AsyncSession, school: School, year: int) -> tuple[dict[int, int], float | None]:
    score = SurveyResponse.answers[SATISFACTION_KEY].astext.cast(Numeric).cast(Numeric(4, 0))
    rows = await db.execute(
        select(score, func.count())
        .join(
            Survey, and_(Survey.school_id == SurveyResponse.school_id, Survey.id == SurveyResponse.survey_id)
        )
        .join(
            Questionnaire,
            and_(Questionnaire.school_id == Survey.school_id, Questionnaire.id == Survey.questionnaire_id),
        )
        .where(
            SurveyResponse.school_id == school.id,
            Survey.academic_year == year,
            Questionnaire.kind == QuestionnaireKind.SATISFACTION,
            SurveyResponse.status == ResponseStatus.SUBMITTED,
            SurveyResponse.revoked_at.is_(None),
            SurveyResponse.answers.has_key(SATISFACTION_KEY),
        )
        .group_by(score)
    )
    counts = {int(s): n for s, n in rows if s is not None}
    distribution = {s: counts.get(s, 0) for s in range(1, 11)}
    total = sum(counts.values())
    average = round(sum(s * n for s, n in counts.items()) / total, 2) if total else None
    return distribution, average


def _stage_answers(school: School, year: int, stage: SurveyStage) -> Any:
    """The latest submitted impact answer of each person at one stage of the year."""
    return (
        select(SurveyResponse.participant_id, SurveyResponse.answers)
        .join(
            Survey, and_(Survey.school_id == SurveyResponse.school_id, Survey.id == SurveyResponse.survey_id)
        )
        .where(
            SurveyResponse.school_id == school.id,
            Survey.academic_year == year,
            Survey.stage == stage,
            SurveyResponse.status == ResponseStatus.SUBMITTED,
            SurveyResponse.revoked_at.is_(None),
        )
        .ext(distinct_on(SurveyResponse.participant_id))
        .order_by(SurveyResponse.participant_id, SurveyResponse.submitted_at.desc())
        .subquery()
    )


async def _impact(
    db: AsyncSession, school: School, year: int
) -> tuple[list[ImpactChange], dict[str, list[ImpactChange]], dict[str, list[ImpactChange]]]:
    start = _stage_answers(school, year, SurveyStage.START)
    end = _stage_answers(school, year, SurveyStage.END)
    columns = []
    for p in IMPACT_PARAMETERS:
        key = f"impact_{p}"
        before = start.c.answers[key].astext.cast(Numeric)
        after = end.c.answers[key].astext.cast(Numeric)
        both = and_(before.is_not(None), after.is_not(None))
        columns += [
            func.count().filter(both),
            func.avg(before).filter(both),
            func.avg(after).filter(both),
        ]
    paired = select(*columns).select_from(start).join(end, end.c.participant_id == start.c.participant_id)
    overall = _changes((await db.execute(paired)).one())
    # Per form: the person's pair of the year (a person in two pairs counts in both forms).
    member = aliased(MentorshipMember)
    by_form_rows = await db.execute(
        paired.add_columns(ReferenceItem.title)
        .join(
            member,
            and_(member.school_id == literal(school.id), member.participant_id == start.c.participant_id),
        )
        .join(
            Mentorship, and_(Mentorship.school_id == member.school_id, Mentorship.id == member.mentorship_id)
        )
        .join(ReferenceItem, ReferenceItem.id == Mentorship.form_id)
        .where(Mentorship.academic_year == year)
        .group_by(ReferenceItem.title)
        .order_by(ReferenceItem.title)
    )
    by_form = {row[-1]: _changes(row[:-1]) for row in by_form_rows}
    direction_member = aliased(MentorshipMember)
    direction_pair = aliased(Mentorship)
    direction = aliased(ReferenceItem)
    by_direction_rows = await db.execute(
        paired.add_columns(direction.title)
        .join(
            direction_member,
            and_(
                direction_member.school_id == literal(school.id),
                direction_member.participant_id == start.c.participant_id,
            ),
        )
        .join(
            direction_pair,
            and_(
                direction_pair.school_id == direction_member.school_id,
                direction_pair.id == direction_member.mentorship_id,
            ),
        )
        .join(
            mentorship_direction,
            and_(
                mentorship_direction.c.school_id == direction_pair.school_id,
                mentorship_direction.c.mentorship_id == direction_pair.id,
            ),
        )
        .join(direction, direction.id == mentorship_direction.c.reference_item_id)
        .where(direction_pair.academic_year == year)
        .group_by(direction.title)
        .order_by(direction.title)
    )
    by_direction = {row[-1]: _changes(row[:-1]) for row in by_direction_rows}
    return overall, by_form, by_direction


def _changes(row: Any) -> list[ImpactChange]:
    changes = []
    for i, (p, title) in enumerate(IMPACT_PARAMETERS.items()):
        people, before, after = row[3 * i], row[3 * i + 1], row[3 * i + 2]
        changes.append(
            ImpactChange(
                p,
                title,
                int(people or 0),
                round(float(before), 2) if before is not None else None,
                round(float(after), 2) if after is not None else None,
            )
        )
    return changes


def _last_feedback() -> Any:
    return (
        select(SurveyResponse.mentorship_id, func.max(SurveyResponse.submitted_at).label("last_at"))
        .join(
            Survey, and_(Survey.school_id == SurveyResponse.school_id, Survey.id == SurveyResponse.survey_id)
        )
        .join(
            Questionnaire,
            and_(Questionnaire.school_id == Survey.school_id, Questionnaire.id == Survey.questionnaire_id),
        )
        .where(
            Questionnaire.kind.in_(FEEDBACK_KINDS),
            SurveyResponse.status == ResponseStatus.SUBMITTED,
            SurveyResponse.mentorship_id.is_not(None),
        )
        .group_by(SurveyResponse.mentorship_id)
        .subquery()
    )


def _quiet_pairs(school: School, year: int, today: dt.date) -> Any:
    last = _last_feedback()
    limit = dt.datetime.combine(today - dt.timedelta(days=FEEDBACK_QUIET_DAYS), dt.time(), tzinfo=dt.UTC)
    return (
        select(Mentorship, last.c.last_at)
        .outerjoin(last, last.c.mentorship_id == Mentorship.id)
        .where(
            Mentorship.school_id == school.id,
            Mentorship.academic_year == year,
            Mentorship.status == MentorshipStatus.ACTIVE,
            Mentorship.started_on.is_not(None),
            Mentorship.started_on <= today - dt.timedelta(days=FEEDBACK_QUIET_DAYS),
            (last.c.last_at.is_(None)) | (last.c.last_at < limit),
        )
    )


async def count_pairs_without_feedback(db: AsyncSession, school: School, year: int, today: dt.date) -> int:
    return int(
        await db.scalar(select(func.count()).select_from(_quiet_pairs(school, year, today).subquery())) or 0
    )


async def pairs_without_feedback(
    db: AsyncSession, school: School, year: int, today: dt.date, *, limit: int = 20
) -> list[tuple[Mentorship, dt.datetime | None]]:
    """The pairs the dashboard's watch flags: no monthly feedback for five weeks."""
    rows = await db.execute(_quiet_pairs(school, year, today).order_by(Mentorship.number).limit(limit))
    return [(m, last) for m, last in rows]


async def feedback_watch(
    db: AsyncSession, school: School, year: int, today: dt.date, *, limit: int = 10
) -> tuple[list[tuple[uuid.UUID, dt.datetime | None]], int]:
    """(pair id, last feedback) of the first quiet pairs by number, and how many there are."""
    query = _quiet_pairs(school, year, today).subquery()
    rows = (
        await db.execute(
            select(query.c.id, query.c.last_at, func.count().over()).order_by(query.c.number).limit(limit)
        )
    ).all()
    return [(pair_id, last) for pair_id, last, _ in rows], int(rows[0][-1]) if rows else 0


async def request_feedback(
    db: AsyncSession, school: School, mentorship: Mentorship, user_id: uuid.UUID | None, today: dt.date
) -> list[Survey]:
    """The curator's action on a quiet pair: the monthly feedback sent to its mentor(s) and
    mentee(s) with a week to answer (consented people only), as two small surveys."""
    surveys: list[Survey] = []
    for kind, role in (
        (QuestionnaireKind.FEEDBACK_MENTOR, MemberRole.MENTOR),
        (QuestionnaireKind.FEEDBACK_MENTEE, MemberRole.MENTEE),
    ):
        people = (
            (
                await db.execute(
                    select(MentorshipMember.participant_id)
                    .join(
                        Participant,
                        and_(
                            Participant.school_id == MentorshipMember.school_id,
                            Participant.id == MentorshipMember.participant_id,
                        ),
                    )
                    .where(
                        MentorshipMember.school_id == school.id,
                        MentorshipMember.mentorship_id == mentorship.id,
                        MentorshipMember.role == role,
                        Participant.anonymised_at.is_(None),
                        valid_consent_clause(),
                    )
                )
            )
            .scalars()
            .all()
        )
        if not people:
            continue
        questionnaire = await questionnaires.adopt_template(db, school, kind, user_id)
        survey = Survey(
            school_id=school.id,
            questionnaire_id=questionnaire.id,
            questionnaire=questionnaire,
            academic_year=mentorship.academic_year,
            title=questionnaire.title,
            audience=f"Пара № {mentorship.number}",
            deadline=today + dt.timedelta(days=7),
            created_by_id=user_id,
        )
        db.add(survey)
        await db.flush()
        db.add_all(
            SurveyResponse(
                school_id=school.id, survey_id=survey.id, participant_id=pid, mentorship_id=mentorship.id
            )
            for pid in people
        )
        await db.flush()
        surveys.append(survey)
    return surveys


@dataclass(frozen=True)
class RateByQuestionnaire:
    title: str
    invited: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


async def rates_by_questionnaire(db: AsyncSession, school: School, year: int) -> list[RateByQuestionnaire]:
    """Invitations and answers of the year per kind of questionnaire (all its surveys), in SQL."""
    rows = await db.execute(
        select(
            Questionnaire.kind,
            func.count(SurveyResponse.id),
            func.count(SurveyResponse.id).filter(SurveyResponse.status == ResponseStatus.SUBMITTED),
        )
        .select_from(SurveyResponse)
        .join(
            Survey, and_(Survey.school_id == SurveyResponse.school_id, Survey.id == SurveyResponse.survey_id)
        )
        .join(
            Questionnaire,
            and_(Questionnaire.school_id == Survey.school_id, Questionnaire.id == Survey.questionnaire_id),
        )
        .where(
            SurveyResponse.school_id == school.id,
            Survey.academic_year == year,
            SurveyResponse.revoked_at.is_(None),
        )
        .group_by(Questionnaire.kind)
    )
    found = {kind: (int(invited), int(answered)) for kind, invited, answered in rows}
    return [
        RateByQuestionnaire(KIND_TITLES[kind], *found[kind]) for kind in QuestionnaireKind if kind in found
    ]


QUALITY_KINDS = (QuestionnaireKind.QUALITY_MENTOR, QuestionnaireKind.QUALITY_MENTEE)


@dataclass(frozen=True)
class QualityByForm:
    """Stage 1 per form of mentoring: how many mentors and mentees of its pairs answered the
    quality questionnaire and their average score (every 1-5 question of it)."""

    form: str
    mentors: int = 0
    mentors_score: float | None = None
    mentees: int = 0
    mentees_score: float | None = None


async def quality_by_form(db: AsyncSession, school: School, year: int) -> list[QualityByForm]:
    """The quality questionnaires' answers about the year's pairs, per form, counted in SQL."""
    scale_keys = sorted(
        {
            q.key
            for kind, definition in (
                await db.execute(
                    select(Questionnaire.kind, Questionnaire.definition).where(
                        Questionnaire.school_id == school.id, Questionnaire.kind.in_(QUALITY_KINDS)
                    )
                )
            ).all()
            for q in questions_of(definition)
            if q.kind in (QuestionKind.SCALE5, QuestionKind.SCALE10) and kind in QUALITY_KINDS
        }
    )
    if not scale_keys:
        return []
    pairs = func.jsonb_each_text(SurveyResponse.answers).table_valued("key", "value").lateral()
    rows = await db.execute(
        select(
            ReferenceItem.title,
            Questionnaire.kind,
            func.count(func.distinct(SurveyResponse.id)),
            func.avg(pairs.c.value.cast(Numeric)),
        )
        .select_from(SurveyResponse)
        .join(pairs, pairs.c.key.in_(scale_keys))
        .join(
            Survey, and_(Survey.school_id == SurveyResponse.school_id, Survey.id == SurveyResponse.survey_id)
        )
        .join(
            Questionnaire,
            and_(Questionnaire.school_id == Survey.school_id, Questionnaire.id == Survey.questionnaire_id),
        )
        .join(
            Mentorship,
            and_(
                Mentorship.school_id == SurveyResponse.school_id,
                Mentorship.id == SurveyResponse.mentorship_id,
            ),
        )
        .join(ReferenceItem, ReferenceItem.id == Mentorship.form_id)
        .where(
            SurveyResponse.school_id == school.id,
            Survey.academic_year == year,
            Questionnaire.kind.in_(QUALITY_KINDS),
            SurveyResponse.status == ResponseStatus.SUBMITTED,
            SurveyResponse.revoked_at.is_(None),
        )
        .group_by(ReferenceItem.title, Questionnaire.kind)
        .order_by(ReferenceItem.title)
    )
    found: dict[str, dict[str, Any]] = {}
    for title, kind, answered, score in rows:
        side = "mentors" if kind is QuestionnaireKind.QUALITY_MENTOR else "mentees"
        found.setdefault(title, {})[side] = int(answered)
        found[title][f"{side}_score"] = round(float(score), 2) if score is not None else None
    return [QualityByForm(title, **values) for title, values in found.items()]


# --- stage 1: the SWOT summary ----------------------------------------------------------


async def get_summary(db: AsyncSession, school: School, year: int) -> MonitoringSummary | None:
    return await db.scalar(
        select(MonitoringSummary).where(
            MonitoringSummary.school_id == school.id, MonitoringSummary.academic_year == year
        )
    )


async def draft_swot(db: AsyncSession, school: School, year: int, *, per_part: int = 8) -> dict[str, str]:
    """A first draft of the SWOT from the quality questionnaires' free-text answers."""
    draft: dict[str, str] = {}
    for part, keys in SWOT_SOURCES.items():
        lines: list[str] = []
        for key in keys:
            text = SurveyResponse.answers[key].astext
            rows = await db.execute(
                select(func.distinct(text))
                .join(
                    Survey,
                    and_(Survey.school_id == SurveyResponse.school_id, Survey.id == SurveyResponse.survey_id),
                )
                .join(
                    Questionnaire,
                    and_(
                        Questionnaire.school_id == Survey.school_id,
                        Questionnaire.id == Survey.questionnaire_id,
                    ),
                )
                .where(
                    SurveyResponse.school_id == school.id,
                    Survey.academic_year == year,
                    Questionnaire.kind.in_(
                        (
                            QuestionnaireKind.QUALITY_MENTOR,
                            QuestionnaireKind.QUALITY_MENTEE,
                            QuestionnaireKind.QUALITY_CURATOR,
                        )
                    ),
                    SurveyResponse.status == ResponseStatus.SUBMITTED,
                    text.is_not(None),
                    text != "",
                )
                .limit(per_part)
            )
            lines += [f"— {t}" for t in rows.scalars()]
        draft[part] = "\n".join(lines)
    return draft


SWOT_FIELDS = ("strengths", "weaknesses", "opportunities", "threats")
SWOT_TITLES = {
    "strengths": "Сильные стороны",
    "weaknesses": "Слабые стороны",
    "opportunities": "Возможности",
    "threats": "Угрозы (риски)",
}
SWOT_MAX = 4000


async def save_summary(db: AsyncSession, school: School, year: int, data: dict[str, str]) -> dict[str, str]:
    errors = {
        name: f"Не длиннее {SWOT_MAX} символов; сократите текст."
        for name in SWOT_FIELDS
        if len(data.get(name, "")) > SWOT_MAX
    }
    if errors:
        return errors
    summary = await get_summary(db, school, year)
    if summary is None:
        summary = MonitoringSummary(school_id=school.id, academic_year=year)
        db.add(summary)
    for name in SWOT_FIELDS:
        setattr(summary, name, data.get(name, ""))
    await db.flush()
    return {}
