"""Two-stage monitoring: the impact questionnaire answered at the start and at the end is
paired per person and the change shown per parameter and form; satisfaction, surveyed
counts, pairs without feedback; the report PDF shows the same figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_region, set_school
from nastavnik.platform.web import Form
from nastavnik.regional.indicators import rollup
from nastavnik.regional.indicators import services as indicators
from nastavnik.school.monitoring import services as monitoring
from nastavnik.school.pairs.models import Mentorship, MentorshipStatus
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.participants.models import MenteeCategory, MenteeProfile, ParticipantKind
from nastavnik.school.programme.surveys import surveyed_counts
from nastavnik.school.questionnaires import services
from nastavnik.school.questionnaires.models import QuestionnaireKind, Survey, SurveyResponse
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, World, csrf_token
from tests.functional._matching import TODAY, YEAR, SmallPool, consent, person, small_pool

pytestmark = pytest.mark.anyio


@pytest.fixture
async def pool(db: AsyncSession, world: World, mentor_a: Persona) -> SmallPool:
    return await small_pool(db, world.school_a, mentor_a.user.id)


async def make_pair(db: AsyncSession, school: School, pool: SmallPool, started: dt.date) -> Mentorship:
    await set_school(db, school.id)
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    for profile in (pool.ivanova, pool.smirnova):
        await db.refresh(profile, ["participant", "directions"])
    pair = await create_mentorship(
        db, school, year=YEAR, form=form, mentors=[pool.smirnova], mentees=[pool.ivanova], started_on=started
    )
    pair.status = MentorshipStatus.ACTIVE
    await db.flush()
    return pair


async def send(
    db: AsyncSession, school: School, kind: QuestionnaireKind, audience: str, stage: str = "none"
) -> Survey:
    questionnaire = (await services.current_questionnaires(db, school))[kind]
    form = Form(
        data={
            "questionnaire_id": str(questionnaire.id),
            "audience": audience,
            "deadline": (TODAY + dt.timedelta(days=7)).isoformat(),
            "stage": stage,
        }
    )
    survey = await services.create_survey(db, school, YEAR, form, None)
    assert survey is not None, form.errors
    return survey


async def answer_all(db: AsyncSession, school: School, survey: Survey, raw: dict[str, list[str]]) -> int:
    rows = (
        await db.execute(
            select(SurveyResponse).where(
                SurveyResponse.school_id == school.id, SurveyResponse.survey_id == survey.id
            )
        )
    ).scalars()
    count = 0
    for response in list(rows):
        answering = await services._answering(db, school, response)
        assert answering is not None
        form = await services.save_answers(db, answering, raw, final=True)
        assert form.ok, form.errors
        count += 1
    return count


def impact(score: int) -> dict[str, list[str]]:
    return {
        f"impact_{p}": [str(score)]
        for p in ("motivation", "competences", "growth", "involvement", "adaptation", "wish_mentor")
    }


async def test_the_change_per_parameter_comes_from_each_persons_two_answers(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    school = world.school_a
    await make_pair(db, school, pool, TODAY - dt.timedelta(days=60))
    await services.adopt_all(db, school)
    empty = await monitoring.monitoring_figures(db, school, YEAR, TODAY)
    assert empty.response_rate is None and empty.satisfaction_average is None
    assert all(c.before is None and c.delta is None for c in empty.impact)
    assert empty.pairs_without_feedback == 1  # active for 60 days, never gave feedback

    start = await send(db, school, QuestionnaireKind.IMPACT, "pair_mentees", "start")
    assert await answer_all(db, school, start, impact(4)) == 1
    end = await send(db, school, QuestionnaireKind.IMPACT, "pair_mentees", "end")
    assert await answer_all(db, school, end, impact(7)) == 1
    satisfaction = await send(db, school, QuestionnaireKind.SATISFACTION, "pair_mentors")
    await answer_all(db, school, satisfaction, {"satisfaction": ["9"], "expectations": ["Полностью"]})
    feedback = await send(db, school, QuestionnaireKind.FEEDBACK_MENTOR, "pair_mentors")
    await answer_all(
        db, school, feedback, {"meetings": ["2 раза"], "progress": ["4"], "mentee_engagement": ["5"]}
    )
    # A mentor's unanswered invitation still counts as invited.
    await send(db, school, QuestionnaireKind.QUALITY_MENTOR, "pair_mentors")
    await db.commit()

    figures = await monitoring.monitoring_figures(db, school, YEAR, TODAY)
    assert figures.invited == 5 and figures.answered == 4
    assert figures.response_rate == pytest.approx(0.8)
    assert figures.surveyed_pupils == 1 and figures.surveyed_teachers == 1
    assert figures.surveyed_by_role == {"mentor": 1, "mentee": 1}
    assert figures.satisfaction_average == 9 and figures.satisfaction_distribution[9] == 1
    motivation = next(c for c in figures.impact if c.parameter == "motivation")
    assert (motivation.people, motivation.before, motivation.after, motivation.delta) == (1, 4, 7, 3)
    (changes,) = figures.impact_by_form.values()
    assert next(c for c in changes if c.parameter == "motivation").delta == 3
    assert figures.impact_by_direction, "the pair's directions group the change too"
    for per_direction in figures.impact_by_direction.values():
        assert next(c for c in per_direction if c.parameter == "motivation").delta == 3
    assert figures.pairs_without_feedback == 0
    # The execution report's «опрошено» counts these answers, not a number typed by hand.
    counted = await surveyed_counts(db, school, AcademicYear(YEAR))
    assert (counted.pupils, counted.teachers) == (1, 1)
    # The region sees them as shares, through the rollup (counts only, no person).
    await rollup.refresh_school(db, school.id, today=TODAY)
    await set_region(db, world.region.id)
    regional = await indicators.monitoring_figures(db, indicators.Scope(world.region.id), AcademicYear(YEAR))
    assert regional.satisfaction == 90  # 9 of 10 points
    assert regional.impact == 75  # motivation and the rest: 4 → 7 on average
    assert regional.feedback_regularity == 100  # the one active pair gave feedback
    other = await indicators.monitoring_figures(db, indicators.Scope(world.region.id), AcademicYear(YEAR - 1))
    assert other == indicators.Monitoring()  # no survey that year: «нет данных», not zero
    await set_school(db, school.id)

    curator = await browser_for(curator_a)
    page = await curator.get(f"/s/{school.code}/monitoring")
    assert page.status_code == 200
    assert "<svg" in page.text and "+3,00" in page.text
    pdf = await curator.get(f"/s/{school.code}/monitoring/report/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Мотивация и личностный рост" in text and "+3,00" in text
    assert (await curator.get(f"/s/{school.code}/monitoring/report/docx")).status_code == 200
    assert (await curator.get(f"/s/{school.code}/monitoring/report/xlsx")).status_code == 200


async def test_the_swot_draft_comes_from_quality_answers_and_the_curator_edits_it(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    school = world.school_a
    await make_pair(db, school, pool, TODAY - dt.timedelta(days=10))
    await services.adopt_all(db, school)
    survey = await send(db, school, QuestionnaireKind.QUALITY_MENTOR, "pair_mentors")
    await answer_all(
        db,
        school,
        survey,
        {
            "organisation": ["4"],
            "support": ["5"],
            "plan_result": ["4"],
            "strengths": ["Сплочённый коллектив наставников"],
        },
    )
    await db.commit()
    curator = await browser_for(curator_a)
    url = f"/s/{school.code}/monitoring"
    page = await curator.get(url)
    assert "— Сплочённый коллектив наставников" in page.text
    # Stage 1 per form: one mentor of a «учитель – ученик» pair, (4 + 5 + 4) / 3.
    await set_school(db, school.id)
    quality = await monitoring.quality_by_form(db, school, YEAR)
    assert [(q.mentors, q.mentors_score, q.mentees) for q in quality] == [(1, 4.33, 0)]
    assert "4,33" in page.text
    token = await csrf_token(curator, url)
    too_long = await curator.post(
        url + "/swot", data={"_csrf_token": token, "strengths": "х" * 5000, "threats": "Нагрузка"}
    )
    assert too_long.status_code == 422 and "сократите текст" in too_long.text and "Нагрузка" in too_long.text
    saved = await curator.post(
        url + "/swot", data={"_csrf_token": token, "strengths": "Опытные наставники"}, follow_redirects=False
    )
    assert saved.status_code == 303
    await db.commit()
    summary = await monitoring.get_summary(db, school, YEAR)
    assert summary is not None and summary.strengths == "Опытные наставники"


async def test_monitoring_is_hidden_from_mentors_and_other_schools(
    browser_for: Browser, world: World, mentor_a: Persona, curator_b: Persona
) -> None:
    mentor = await browser_for(mentor_a)
    assert (await mentor.get(f"/s/{world.school_a.code}/monitoring")).status_code == 404
    assert (await mentor.get(f"/s/{world.school_a.code}/questionnaires/")).status_code == 404
    other = await browser_for(curator_b)
    assert (await other.get(f"/s/{world.school_a.code}/monitoring")).status_code == 404


async def test_a_mentor_answers_the_monthly_feedback_in_the_workspace(
    browser_for: Browser, db: AsyncSession, world: World, mentor_a: Persona, pool: SmallPool
) -> None:
    school = world.school_a
    await make_pair(db, school, pool, TODAY - dt.timedelta(days=10))
    await services.adopt_all(db, school)
    await send(db, school, QuestionnaireKind.FEEDBACK_MENTOR, "pair_mentors")
    await db.commit()
    mentor = await browser_for(mentor_a)
    mine = await mentor.get(f"/s/{school.code}/my-questionnaires/")
    assert "Ежемесячная обратная связь наставника" in mine.text
    response = await db.scalar(select(SurveyResponse).where(SurveyResponse.school_id == school.id))
    assert response is not None
    url = f"/s/{school.code}/my-questionnaires/{response.id}"
    token = await csrf_token(mentor, url)
    bad = await mentor.post(url, data={"_csrf_token": token, "action": "submit", "progress": "4"})
    assert bad.status_code == 422 and "обязательный" in bad.text
    good = await mentor.post(
        url,
        data={
            "_csrf_token": token,
            "action": "submit",
            "meetings": "2 раза",
            "progress": "4",
            "mentee_engagement": "5",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303


async def teachers_pair(db: AsyncSession, school: School, pool: SmallPool) -> Mentorship:
    """Смирнова mentors a young teacher: a pair of the teachers' mentoring, active a month."""
    await set_school(db, school.id)
    young = await person(db, school, "Молодых", kind=ParticipantKind.TEACHER, first_name="Ольга")
    await consent(db, young)
    profile = MenteeProfile(
        school_id=school.id,
        participant_id=young.id,
        academic_year=YEAR,
        category=MenteeCategory.YOUNG_TEACHER,
    )
    profile.directions, profile.request_areas = [], []
    db.add(profile)
    await db.flush()
    await db.refresh(profile, ["participant", "directions"])
    await db.refresh(pool.smirnova, ["participant", "directions"])
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_teacher"]
    pair = await create_mentorship(
        db,
        school,
        year=YEAR,
        form=form,
        mentors=[pool.smirnova],
        mentees=[profile],
        started_on=TODAY - dt.timedelta(days=40),
    )
    pair.status = MentorshipStatus.ACTIVE
    await db.commit()
    return pair


async def test_the_curator_enters_the_pupils_results_of_a_teachers_pair_and_the_report_shows_them(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona, pool: SmallPool
) -> None:
    school = world.school_a
    pair = await teachers_pair(db, school, pool)
    pair_id, number, code = pair.id, pair.number, school.code
    curator = await browser_for(curator_a)
    page = await curator.get(f"/s/{code}/monitoring/")
    assert "Результаты обучающихся наставляемых педагогов" in page.text
    assert "не внесены" in page.text
    url = f"/s/{code}/monitoring/pupil-results/{pair_id}"
    token = await csrf_token(curator, url)
    values = {
        "vpr_pass_percent": "82",
        "oge_pass_percent": "",
        "ege_pass_percent": "120",
        "quality_change": "+6",
        "olympiad_participants": "3",
        "olympiad_winners": "5",
        "note": "Ведёт 5 «А» и 6 «Б»",
    }
    bad = await curator.post(url, data={"_csrf_token": token, **values})
    assert bad.status_code == 422
    assert "Число от 0 до 100." in bad.text
    assert "не может быть больше, чем участников" in bad.text
    assert 'value="82"' in bad.text and "Ведёт 5 «А» и 6 «Б»" in bad.text
    good = await curator.post(
        url,
        data={"_csrf_token": token, **values, "ege_pass_percent": "", "olympiad_winners": "1"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    page = await curator.get(f"/s/{code}/monitoring/")
    assert "82,0 %" in page.text and "+6,0 п. п." in page.text and "3 / 1" in page.text
    pdf = await curator.get(f"/s/{code}/monitoring/report/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Результаты обучающихся наставляемых педагогов" in text
    assert "82,0 %" in text
    assert f"Пара № {number}" in (await curator.get(url)).text


async def test_a_pair_without_feedback_for_five_weeks_is_flagged_and_the_curator_asks_it(
    browser_for: Browser,
    db: AsyncSession,
    world: World,
    curator_a: Persona,
    mentor_a: Persona,
    pool: SmallPool,
) -> None:
    school = world.school_a
    pair = await teachers_pair(db, school, pool)
    pair_id, number, code = pair.id, pair.number, school.code
    curator = await browser_for(curator_a)
    home = await curator.get(f"/s/{code}/")
    assert "Нет обратной связи пять недель" in home.text
    assert f"№ {number}:" in home.text.split("Нет обратной связи пять недель", 1)[1]
    token = await csrf_token(curator, f"/s/{code}/")
    reply = await curator.post(
        f"/s/{code}/monitoring/feedback/{pair_id}", data={"_csrf_token": token}, follow_redirects=False
    )
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/s/{code}/#pairs-watch"
    mentor = await browser_for(mentor_a)
    mine = await mentor.get(f"/s/{code}/my-questionnaires/")
    assert "Ежемесячная обратная связь наставника" in mine.text
    await set_school(db, school.id)
    asked = (
        (
            await db.execute(
                select(SurveyResponse.participant_id).where(
                    SurveyResponse.school_id == school.id, SurveyResponse.mentorship_id == pair_id
                )
            )
        )
        .scalars()
        .all()
    )
    assert len(asked) == 2  # the mentor's and the mentee's questionnaires
    # Once the mentor answers, the pair leaves the watch.
    response = await db.scalar(
        select(SurveyResponse).where(
            SurveyResponse.school_id == school.id,
            SurveyResponse.mentorship_id == pair_id,
            SurveyResponse.participant_id == pool.smirnova.participant_id,
        )
    )
    assert response is not None
    url = f"/s/{code}/my-questionnaires/{response.id}"
    token = await csrf_token(mentor, url)
    done = await mentor.post(
        url,
        data={
            "_csrf_token": token,
            "action": "submit",
            "meetings": "2 раза",
            "progress": "4",
            "mentee_engagement": "5",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    home = await curator.get(f"/s/{code}/")
    assert "Все действующие пары дают ежемесячную обратную связь." in home.text
