"""Row-level security of questionnaires and answers, at the SQL level as the app role."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.school.questionnaires.models import Questionnaire, QuestionnaireKind, SurveyResponse
from nastavnik.school.questionnaires.services import adopt_template
from tests.conftest import World
from tests.functional._matching import consent, person

pytestmark = pytest.mark.anyio


async def test_answers_of_one_school_are_invisible_and_unwritable_from_another(
    db: AsyncSession, world: World
) -> None:
    a, b = world.school_a, world.school_b
    pupil = await person(db, a, "Иванова")
    await consent(db, pupil)
    await set_school(db, a.id)
    questionnaire = await adopt_template(db, a, QuestionnaireKind.IMPACT, None)
    await db.execute(
        text(
            "INSERT INTO survey (school_id, id, questionnaire_id, academic_year, title, audience, "
            "stage, deadline) VALUES (:s, gen_random_uuid(), :q, 2026, 'Т', '', 'start', current_date)"
        ),
        {"s": a.id, "q": questionnaire.id},
    )
    await db.execute(
        text(
            "INSERT INTO survey_response (school_id, id, survey_id, participant_id, status, answers) "
            "SELECT :s, gen_random_uuid(), id, :p, 'submitted', '{\"impact_motivation\": 5}' FROM survey"
        ),
        {"s": a.id, "p": pupil.id},
    )
    assert await db.scalar(select(func.count()).select_from(SurveyResponse)) == 1

    await set_school(db, b.id)
    assert await db.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    assert await db.scalar(select(func.count()).select_from(Questionnaire)) == 0
    assert (await db.execute(text("UPDATE survey_response SET answers = '{}'"))).rowcount == 0  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="row-level security"):
        await db.execute(
            text(
                "INSERT INTO questionnaire (school_id, id, kind, version, title, definition, is_current) "
                "VALUES (:a, gen_random_uuid(), 'impact', 9, 'Чужая', '{}', true)"
            ),
            {"a": a.id},
        )
