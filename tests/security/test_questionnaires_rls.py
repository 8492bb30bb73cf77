"""Row-level security of questionnaires and answers, at the SQL level as the app role."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.platform.web import Form
from nastavnik.school.monitoring.pupil_results import save_results
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.questionnaires.models import (
    PairPupilResults,
    Questionnaire,
    QuestionnaireKind,
    SurveyResponse,
)
from nastavnik.school.questionnaires.services import adopt_template
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Persona, World
from tests.functional._matching import TODAY, YEAR, consent, person, small_pool

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


async def test_pupils_results_of_a_pair_stay_inside_their_school(
    db: AsyncSession, world: World, mentor_a: Persona
) -> None:
    a, b = world.school_a, world.school_b
    pool = await small_pool(db, a, mentor_a.user.id)
    await set_school(db, a.id)
    form_item = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    for profile in (pool.ivanova, pool.smirnova):
        await db.refresh(profile, ["participant", "directions"])
    pair = await create_mentorship(
        db, a, year=YEAR, form=form_item, mentors=[pool.smirnova], mentees=[pool.ivanova], started_on=TODAY
    )
    form = Form(data={"vpr_pass_percent": "81", "olympiad_participants": "2", "olympiad_winners": "1"})
    assert await save_results(db, a, pair, form), form.errors
    assert await db.scalar(select(func.count()).select_from(PairPupilResults)) == 1

    await set_school(db, b.id)
    assert await db.scalar(select(func.count()).select_from(PairPupilResults)) == 0
    assert (await db.execute(text("UPDATE pair_pupil_results SET note = 'x'"))).rowcount == 0  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="row-level security"):
        await db.execute(
            text(
                "INSERT INTO pair_pupil_results (school_id, id, mentorship_id, note) "
                "VALUES (:a, gen_random_uuid(), :m, '')"
            ),
            {"a": a.id, "m": pair.id},
        )
