"""The demo school's questionnaires in mid-year: an intake waiting for review, a draft,
the impact measured at the start and (under way) at the end, and its monitoring page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_school
from nastavnik.platform.settings import Settings
from nastavnik.school.demo import DEMO_SCHOOL_CODE, demo_school, seed_school_demo
from nastavnik.school.matching.models import MatchingPreference, PreferenceSide
from nastavnik.school.monitoring import pupil_results
from nastavnik.school.monitoring.services import monitoring_figures
from nastavnik.school.participants.models import local_today
from nastavnik.school.questionnaires.models import (
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireTemplate,
    ResponseStatus,
    SurveyResponse,
)
from nastavnik.school.questionnaires.services import intake_queue
from nastavnik.tenants.demo import seed_demo
from nastavnik.tenants.models import School
from tests.conftest import Browser, make_persona

pytestmark = pytest.mark.anyio

TODAY = local_today()
YEAR = AcademicYear.current(TODAY)


@pytest.fixture
async def school(db: AsyncSession) -> School:
    assert await seed_demo(db, None)
    found = await demo_school(db)
    assert found is not None
    assert await seed_school_demo(db, found)
    await set_school(db, found.id)
    await db.commit()
    return found


async def test_the_demo_school_has_answers_in_every_state_and_a_measured_effect(
    db: AsyncSession, school: School
) -> None:
    await set_school(db, school.id)
    # Every shipped template: the 11 of the programme and the 8 self-diagnoses of ИОМ.
    assert await db.scalar(select(func.count()).select_from(Questionnaire)) == len(QuestionnaireKind)
    statuses = dict(
        (await db.execute(select(SurveyResponse.status, func.count()).group_by(SurveyResponse.status))).all()
    )
    assert statuses[ResponseStatus.SUBMITTED] > 20
    assert statuses[ResponseStatus.DRAFT] >= 1
    assert statuses[ResponseStatus.INVITED] >= 1
    queue, window = await intake_queue(db, school, YEAR.start, 1)
    assert queue and window.total >= len(queue)
    figures = await monitoring_figures(db, school, YEAR.start, TODAY)
    assert figures.surveyed_pupils > 5 and figures.surveyed_teachers > 3
    assert figures.response_rate is not None and 0.5 < figures.response_rate < 1
    assert figures.has_impact
    assert all(c.delta is not None and c.delta > 0 for c in figures.impact if c.people)
    assert figures.satisfaction_average is not None
    # Whom each mentee would like came through the questionnaire after the group meeting.
    by_link = await db.scalar(
        select(func.count())
        .select_from(MatchingPreference)
        .where(MatchingPreference.side == PreferenceSide.MENTEE, MatchingPreference.entered_by_link.is_(True))
    )
    assert by_link and by_link > 5
    results = await pupil_results.summary(db, school, YEAR.start)
    assert results.pairs > results.entered > 0 and results.vpr_pass_percent is not None
    region_templates = {t.kind: t for t in (await db.execute(select(QuestionnaireTemplate))).scalars()}
    assert region_templates[QuestionnaireKind.SATISFACTION].published_at is not None
    assert region_templates[QuestionnaireKind.FEEDBACK_MENTEE].published_at is None


async def test_the_curator_opens_the_demo_monitoring_and_questionnaires(
    browser_for: Browser, db: AsyncSession, settings: Settings, school: School
) -> None:
    curator = await make_persona(
        db, settings, "democurator", [Membership(Scope.SCHOOL, DEMO_SCHOOL_CODE, Role.CURATOR)]
    )
    browser = await browser_for(curator)
    page = await browser.get(f"/s/{school.code}/monitoring")
    assert page.status_code == 200 and "<svg" in page.text
    assert "Результаты обучающихся наставляемых педагогов" in page.text and "не внесены" in page.text
    page = await browser.get(f"/s/{school.code}/questionnaires/")
    assert page.status_code == 200 and "Мониторинг влияния программы на участников" in page.text
    assert "В регионе новая версия" in page.text  # the satisfaction questionnaire, version 1
    page = await browser.get(f"/s/{school.code}/matching/people")
    assert "Анкета после групповой встречи" in page.text and "Ссылки и ответы" in page.text
