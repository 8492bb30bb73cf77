"""Self-diagnosis of a route's teacher through the questionnaires engine.

Starting a round sends the teacher the school's current self-diagnosis questionnaire of each
of the eight areas (adopting the shipped template where the school has none yet): one survey
per area, one response, answered in «Мои анкеты» like any other questionnaire. When an
answer is submitted, the listener below copies the area's score (the mean of its 1-5
statements) and the teacher's comment into the route's profile, and recounts the route's
regional figures — in the same flush, so the tutor sees the result at once without reading
the school's answers. School code is not edited: the regional layer subscribes to its writes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.regional.routes.figures import REFRESH_ROUTE
from nastavnik.regional.routes.models import IndividualRoute, RouteDiagnosisSurvey
from nastavnik.school.participants.models import local_today
from nastavnik.school.questionnaires import services as questionnaires
from nastavnik.school.questionnaires.models import (
    ResponseStatus,
    Survey,
    SurveyResponse,
    SurveyStage,
    self_diagnosis_kind,
)
from nastavnik.tenants.models import School

ANSWER_DAYS = 30
ROUND_TITLES = {1: "первичная диагностика", 2: "повторная диагностика"}


async def start_round(
    db: AsyncSession,
    school: School,
    route: IndividualRoute,
    area_codes: list[str],
    *,
    user_id: uuid.UUID | None,
    today: dt.date | None = None,
) -> int:
    """Send the round's questionnaires not sent yet; returns how many were sent."""
    day = today or local_today()
    sent = set(
        (
            await db.execute(
                select(RouteDiagnosisSurvey.area_code).where(
                    RouteDiagnosisSurvey.school_id == school.id,
                    RouteDiagnosisSurvey.route_id == route.id,
                    RouteDiagnosisSurvey.round == route.diagnosis_round,
                )
            )
        ).scalars()
    )
    created = 0
    for code in area_codes:
        if code in sent:
            continue
        questionnaire = await questionnaires.adopt_template(db, school, self_diagnosis_kind(code), user_id)
        survey = Survey(
            school_id=school.id,
            questionnaire_id=questionnaire.id,
            questionnaire=questionnaire,
            academic_year=AcademicYear.current(day).start,
            title=questionnaire.title + (" (повторная диагностика)" if route.diagnosis_round == 2 else ""),
            audience=f"ИОМ: {route.teacher_name}",
            stage=SurveyStage.START if route.diagnosis_round == 1 else SurveyStage.END,
            deadline=day + dt.timedelta(days=ANSWER_DAYS),
            created_by_id=user_id,
        )
        db.add(survey)
        await db.flush()
        db.add(SurveyResponse(school_id=school.id, survey_id=survey.id, participant_id=route.participant_id))
        db.add(
            RouteDiagnosisSurvey(
                school_id=school.id,
                route_id=route.id,
                round=route.diagnosis_round,
                area_code=code,
                survey_id=survey.id,
            )
        )
        created += 1
    await db.flush()
    return created


async def round_responses(
    db: AsyncSession, school: School, route: IndividualRoute, round_number: int
) -> dict[str, SurveyResponse]:
    """The teacher's response per area in one round (school side only: answers are the school's)."""
    rows = await db.execute(
        select(RouteDiagnosisSurvey.area_code, SurveyResponse)
        .join(
            SurveyResponse,
            (SurveyResponse.school_id == RouteDiagnosisSurvey.school_id)
            & (SurveyResponse.survey_id == RouteDiagnosisSurvey.survey_id),
        )
        .where(
            RouteDiagnosisSurvey.school_id == school.id,
            RouteDiagnosisSurvey.route_id == route.id,
            RouteDiagnosisSurvey.round == round_number,
        )
    )
    return dict(rows.all())


# The area's score: the mean of the answers to its 1-5 questions, whatever version of the
# questionnaire the school edited; the comment is the answer to the long-text questions.
_COPY_SCORES = """
INSERT INTO route_area_score (school_id, id, route_id, round, area_code, self_score, self_comment,
                              achievements, reflection, created_at, updated_at)
SELECT d.school_id, gen_random_uuid(), d.route_id, d.round, d.area_code,
    (SELECT round(avg((r.answers ->> (q ->> 'key'))::numeric), 2)
       FROM jsonb_array_elements(qn.definition -> 'sections') sec,
            jsonb_array_elements(sec -> 'questions') q
      WHERE q ->> 'kind' = 'scale5' AND jsonb_typeof(r.answers -> (q ->> 'key')) = 'number'),
    COALESCE((SELECT string_agg(r.answers ->> (q ->> 'key'), E'\\n')
       FROM jsonb_array_elements(qn.definition -> 'sections') sec,
            jsonb_array_elements(sec -> 'questions') q
      WHERE q ->> 'kind' = 'long_text' AND COALESCE(r.answers ->> (q ->> 'key'), '') <> ''), ''),
    '', '', now(), now()
FROM survey_response r
JOIN route_diagnosis_survey d ON d.school_id = r.school_id AND d.survey_id = r.survey_id
JOIN survey sv ON sv.school_id = r.school_id AND sv.id = r.survey_id
JOIN questionnaire qn ON qn.school_id = sv.school_id AND qn.id = sv.questionnaire_id
WHERE r.school_id = :school_id AND r.id = ANY(CAST(:response_ids AS uuid[])) AND r.status = 'submitted'
ON CONFLICT (school_id, route_id, round, area_code) DO UPDATE SET
    self_score = EXCLUDED.self_score, self_comment = EXCLUDED.self_comment, updated_at = now()
RETURNING route_id
"""

_PENDING = "route_diagnosis_responses"


@event.listens_for(Session, "after_flush")
def _notice_answers(session: Session, _context: Any) -> None:
    for instance in (*session.new, *session.dirty):
        if isinstance(instance, SurveyResponse) and instance.status is ResponseStatus.SUBMITTED:
            pending: set[tuple[uuid.UUID, uuid.UUID]] = session.info.setdefault(_PENDING, set())
            pending.add((instance.school_id, instance.id))


@event.listens_for(Session, "after_flush_postexec")
def _copy_scores(session: Session, _context: Any) -> None:
    pending: set[tuple[uuid.UUID, uuid.UUID]] = session.info.pop(_PENDING, set())
    if not pending:
        return
    by_school: dict[uuid.UUID, list[uuid.UUID]] = {}
    for school_id, response_id in pending:
        by_school.setdefault(school_id, []).append(response_id)
    connection = session.connection()
    for school_id, response_ids in by_school.items():
        routes = connection.execute(
            text(_COPY_SCORES), {"school_id": school_id, "response_ids": response_ids}
        ).scalars()
        for route_id in set(routes):
            connection.execute(text(REFRESH_ROUTE), {"school_id": school_id, "route_id": route_id})
