"""The region's questionnaire templates: an ИРО methodist edits a draft with a message beside
each wrong field, publishes it as a version, and a school takes the new version into its own
copy while the answers already given keep the questions they were asked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_school
from nastavnik.platform.settings import Settings
from nastavnik.platform.web import Form
from nastavnik.school.questionnaires import services
from nastavnik.school.questionnaires.definitions import questions_of
from nastavnik.school.questionnaires.models import (
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireTemplate,
    SurveyResponse,
)
from nastavnik.tenants.models import School
from tests.conftest import Browser, Persona, PersonaBrowser, World, csrf_token, make_persona
from tests.functional._matching import TODAY, YEAR, consent, person

pytestmark = pytest.mark.anyio

KIND = QuestionnaireKind.MENTEE_INTAKE_PUPIL


@pytest.fixture
async def methodist(db: AsyncSession, settings: Settings, world: World) -> Persona:
    return await make_persona(
        db, settings, "methodist", [Membership(Scope.REGION, world.region.code, Role.IRO_METHODIST)]
    )


def base(world: World, kind: QuestionnaireKind = KIND) -> str:
    return f"/r/{world.region.code}/questionnaires/{kind.value}"


async def post(browser: PersonaBrowser, url: str, page: str, **data: str) -> tuple[int, str]:
    token = await csrf_token(browser, page)
    reply = await browser.post(url, data={"_csrf_token": token, **data}, follow_redirects=False)
    return reply.status_code, reply.text


async def test_a_methodist_edits_a_draft_and_schools_see_it_only_once_published(
    browser_for: Browser, db: AsyncSession, world: World, methodist: Persona, curator_a: Persona
) -> None:
    editor = await browser_for(methodist)
    index = await editor.get(f"/r/{world.region.code}/questionnaires/")
    assert index.status_code == 200
    assert "Анкета наставляемого (обучающийся)" in index.text and "Шаблон платформы" in index.text

    # A wrong question: messages beside the fields, what was typed kept.
    status, text = await post(
        editor,
        base(world) + "/questions",
        base(world),
        op="add",
        section="1",
        text="Какой кружок вы посещаете?",
        kind="single",
        options="Только один вариант",
    )
    assert status == 422
    assert "Для выбора нужны хотя бы два варианта" in text
    assert "Какой кружок вы посещаете?" in text
    status, _ = await post(
        editor,
        base(world) + "/questions",
        base(world),
        op="add",
        section="1",
        text="Какой кружок вы посещаете?",
        kind="single",
        options="Робототехника\nТеатр\nСпорт",
        required="on",
    )
    assert status == 303
    draft = await db.scalar(select(QuestionnaireTemplate).where(QuestionnaireTemplate.kind == KIND))
    assert draft is not None and draft.published_at is None and draft.version == 1

    # The school does not see a draft: adopting gives the platform's template.
    curator = await browser_for(curator_a)
    school_base = f"/s/{world.school_a.code}/questionnaires"
    status, _ = await post(curator, f"{school_base}/adopt/{KIND.value}", school_base + "/")
    assert status == 303
    await set_school(db, world.school_a.id)
    copy = (await services.current_questionnaires(db, world.school_a))[KIND]
    assert copy.template_version == 0
    assert "Какой кружок" not in str(copy.definition)

    status, _ = await post(editor, base(world) + "/publish", base(world))
    assert status == 303
    listing = await curator.get(school_base + "/")
    assert "В регионе новая версия" in listing.text
    page = await curator.get(f"{school_base}/{copy.id}")
    assert "Регион опубликовал версию 1" in page.text
    status, _ = await post(curator, f"{school_base}/{copy.id}/update-from-region", f"{school_base}/{copy.id}")
    assert status == 303
    school_id, copy_id = copy.school_id, copy.id
    db.expire_all()
    await set_school(db, school_id)
    school = await db.get(School, school_id)
    assert school is not None
    updated = (await services.current_questionnaires(db, school))[KIND]
    assert updated.version == 2 and updated.template_version == 1
    assert any(q.text == "Какой кружок вы посещаете?" for q in questions_of(updated.definition))
    old = await db.get(Questionnaire, (school_id, copy_id))
    assert old is not None and not old.is_current and "Какой кружок" not in str(old.definition)


async def test_answers_keep_their_questions_when_the_region_publishes_a_new_version(
    browser_for: Browser, db: AsyncSession, world: World, methodist: Persona
) -> None:
    school = world.school_a
    pupil = await person(db, school, "Орлова")
    await consent(db, pupil)
    await services.adopt_all(db, school)
    questionnaire = (await services.current_questionnaires(db, school))[KIND]
    form = Form(
        data={
            "questionnaire_id": str(questionnaire.id),
            "audience": "class:7:А",
            "deadline": (TODAY + dt.timedelta(days=5)).isoformat(),
            "stage": "none",
        }
    )
    survey = await services.create_survey(db, school, YEAR, form, None)
    assert survey is not None, form.errors
    response = await db.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id))
    assert response is not None
    answering = await services._answering(db, school, response)
    assert answering is not None
    saved = await services.save_answers(
        db, answering, {"request": ["Хочу научиться выступать"], "readiness": ["4"]}, final=False
    )
    assert saved.ok
    await db.commit()

    editor = await browser_for(methodist)
    status, _ = await post(editor, base(world) + "/questions", base(world), op="delete", key="request")
    assert status == 303
    status, _ = await post(editor, base(world) + "/publish", base(world))
    assert status == 303
    school_id, questionnaire_id, response_id = school.id, questionnaire.id, response.id
    db.expire_all()
    await set_school(db, school_id)
    school = await db.get(School, school_id)
    questionnaire = await db.get(Questionnaire, (school_id, questionnaire_id))
    assert school is not None and questionnaire is not None
    assert await services.update_from_region(db, school, questionnaire, None) is not None
    kept = await db.get(Questionnaire, (school_id, questionnaire_id))
    assert kept is not None and any(q.key == "request" for q in questions_of(kept.definition))
    again = await db.scalar(select(SurveyResponse).where(SurveyResponse.id == response_id))
    assert again is not None and again.answers["request"] == "Хочу научиться выступать"


async def test_the_editor_explains_what_cannot_change(
    browser_for: Browser, db: AsyncSession, world: World, methodist: Persona
) -> None:
    editor = await browser_for(methodist)
    impact = base(world, QuestionnaireKind.IMPACT)
    status, text = await post(
        editor,
        impact + "/questions",
        impact,
        op="save",
        key="impact_motivation",
        section="0",
        text="Мотивация",
        kind="scale5",
    )
    assert status == 422
    assert "тип ответа «Шкала 1-10» менять нельзя" in text
    status, text = await post(editor, impact + "/questions", impact, op="delete", key="impact_motivation")
    assert status == 422
    assert "можно изменить, но не удалить" in text
    status, text = await post(editor, impact + "/sections", impact, op="delete", section="0")
    assert status == 422
    assert "сначала удалите их или перенесите" in text
    status, _ = await post(editor, impact + "/sections", impact, op="add", title="Пустой раздел")
    assert status == 303
    status, text = await post(editor, impact + "/publish", impact)
    assert status == 422
    assert "Раздел «Пустой раздел» пуст" in text
    status, text = await post(editor, impact + "/sections", impact, op="add", title="")
    assert status == 422
    assert "Напишите название раздела" in text
    # A question choosing people belongs to the preferences questionnaire only.
    status, text = await post(
        editor, impact + "/questions", impact, op="add", section="0", text="С кем?", kind="people"
    )
    assert status == 422
    assert "только в анкете после групповой встречи" in text
    # Moving and renaming keep the draft consistent.
    status, _ = await post(editor, impact + "/questions", impact, op="down", key="impact_motivation")
    assert status == 303
    status, _ = await post(editor, impact + "/sections", impact, op="rename", section="0", title="Параметры")
    assert status == 303
    page = await editor.get(impact)
    assert "1. Параметры" in page.text
    assert page.text.index("impact_competences") < page.text.index("impact_motivation")
    status, _ = await post(editor, impact + "/discard", impact)
    assert status == 303
    assert (
        await db.scalar(
            select(QuestionnaireTemplate).where(QuestionnaireTemplate.kind == QuestionnaireKind.IMPACT)
        )
        is None
    )


async def test_the_template_pages_are_the_methodists_only(
    browser_for: Browser, world: World, curator_a: Persona, ministry_viewer: Persona
) -> None:
    for persona in (curator_a, ministry_viewer):
        reply = await (await browser_for(persona)).get(f"/r/{world.region.code}/questionnaires/")
        assert reply.status_code == 404


async def test_a_curator_edits_and_moves_questions_of_the_schools_copy(
    browser_for: Browser, db: AsyncSession, world: World, curator_a: Persona
) -> None:
    school = world.school_a
    school_id = school.id
    await set_school(db, school_id)
    await services.adopt_all(db, school)
    await db.commit()
    impact = (await services.current_questionnaires(db, school))[QuestionnaireKind.IMPACT]
    impact_id, code = impact.id, school.code
    curator = await browser_for(curator_a)
    page_url = f"/s/{code}/questionnaires/{impact_id}"
    form_page = await curator.get(page_url + "?edit=impact_motivation")
    assert "Изменить вопрос" in form_page.text
    assert "Насколько вы мотивированы к саморазвитию и учёбе (работе)?" in form_page.text
    edit = f"/s/{code}/questionnaires/{impact_id}/questions/edit"
    status, text = await post(
        curator,
        edit,
        page_url,
        op="save",
        key="impact_motivation",
        section="0",
        text="Мотивация",
        kind="number",
    )
    assert status == 422
    assert "менять нельзя" in text and "Мотивация</textarea>" in text  # the typed text stays
    token = await csrf_token(curator, page_url)
    saved = await curator.post(
        edit,
        data={
            "_csrf_token": token,
            "op": "save",
            "key": "impact_motivation",
            "section": "0",
            "text": "Насколько вам хочется учиться новому?",
            "kind": "scale10",
            "required": "on",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    version_two = saved.headers["location"].split("#")[0]
    assert version_two != page_url  # a new version; the old one is kept for its answers
    stale = await curator.post(edit, data={"_csrf_token": token, "op": "down", "key": "impact_motivation"})
    assert stale.status_code == 404  # only the current version is edited
    moved = await curator.post(
        version_two + "/questions/edit",
        data={"_csrf_token": token, "op": "down", "key": "impact_motivation"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    db.expire_all()
    await set_school(db, school_id)
    current = await db.scalar(
        select(Questionnaire).where(
            Questionnaire.kind == QuestionnaireKind.IMPACT, Questionnaire.is_current.is_(True)
        )
    )
    assert current is not None and current.version == 3
    questions = list(questions_of(current.definition))
    assert [q.key for q in questions[:2]] == ["impact_competences", "impact_motivation"]
    assert (
        questions[1].text == "Насколько вам хочется учиться новому?"
        and questions[1].parameter == "motivation"
    )
