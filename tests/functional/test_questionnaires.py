"""Questionnaires: a survey goes to consented people only, pupils answer by their personal
link (drafts kept, messages per question), the curator takes intake answers into the bank,
rates are counted per class, exports can be anonymised, links can be revoked."""

from __future__ import annotations

import datetime as dt
import mailbox
import re
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import set_school
from nastavnik.platform.settings import Settings
from nastavnik.platform.web import Form
from nastavnik.school.participants.models import MenteeProfile, ParticipantKind, RequestSource
from nastavnik.school.questionnaires import services
from nastavnik.school.questionnaires.jobs import defer_reminders, mail_survey
from nastavnik.school.questionnaires.models import QuestionnaireKind, ResponseStatus, Survey, SurveyResponse
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, World, csrf_token
from tests.functional._matching import TODAY, YEAR, consent, person

pytestmark = pytest.mark.anyio

LINK_RE = re.compile(r'href="https?://[^"]*(/q/[^"]+)"')


async def send_intake(db: AsyncSession, browser: object, world: World) -> Survey:
    school = world.school_a
    await set_school(db, school.id)
    await services.adopt_all(db, school)
    await db.commit()
    questionnaires = await services.current_questionnaires(db, school)
    base = f"/s/{school.code}/questionnaires"
    token = await csrf_token(browser, base + "/")  # type: ignore[arg-type]
    reply = await browser.post(  # type: ignore[attr-defined]
        base + "/surveys",
        data={
            "_csrf_token": token,
            "questionnaire_id": str(questionnaires[QuestionnaireKind.MENTEE_INTAKE_PUPIL].id),
            "audience": "class:7:А",
            "deadline": (TODAY + dt.timedelta(days=10)).isoformat(),
            "stage": "none",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    survey = await db.scalar(select(Survey).where(Survey.school_id == school.id))
    assert survey is not None
    return survey


async def test_a_class_answers_by_links_and_the_curator_takes_requests_into_the_bank(
    browser_for: Browser,
    client: AsyncTestClient[Litestar],
    db: AsyncSession,
    world: World,
    curator_a: Persona,
) -> None:
    school = world.school_a
    ivanov = await person(db, school, "Иванов", first_name="Пётр")
    await consent(db, ivanov)
    petrova = await person(db, school, "Петрова")
    await consent(db, petrova)
    await person(db, school, "Безсогласия")  # no consent: never asked
    await db.commit()
    curator = await browser_for(curator_a)
    survey = await send_intake(db, curator, world)

    page = await curator.get(f"/s/{school.code}/questionnaires/surveys/{survey.id}")
    assert page.status_code == 200
    assert "Иванов Пётр" in page.text and "Петрова" in page.text and "Безсогласия" not in page.text
    assert "0 из 2" in page.text
    links = LINK_RE.findall(page.text)
    assert len(links) == 2

    link = links[0]
    form_page = await client.get(link)
    assert form_page.status_code == 200
    assert "Чему вы хотели бы научиться" in form_page.text
    token = await csrf_token(client, link)
    # A final answer without the required questions: messages per question, what was typed kept.
    reply = await client.post(
        link, data={"_csrf_token": token, "action": "submit", "interests": "Шахматы", "readiness": "7"}
    )
    assert reply.status_code == 422
    assert "Ответьте на этот вопрос: он обязательный." in reply.text
    assert "Поставьте оценку от 1 до 5." in reply.text
    assert "Шахматы" in reply.text
    # A draft keeps what is valid.
    reply = await client.post(
        link, data={"_csrf_token": token, "action": "draft", "interests": "Шахматы"}, follow_redirects=False
    )
    assert reply.status_code == 303
    await db.commit()
    direction = (await reference_by_code(db, ReferenceKind.DIRECTION))["potential"]
    reply = await client.post(
        link,
        data={
            "_csrf_token": token,
            "action": "submit",
            "interests": "Шахматы",
            "request": "Хочу подготовиться к олимпиаде по математике",
            "directions": str(direction.id),
            "readiness": "5",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303

    page = await curator.get(f"/s/{school.code}/questionnaires/surveys/{survey.id}")
    assert "1 из 2" in page.text
    assert "7 «А»: 1 из 2" in page.text

    intake = await curator.get(f"/s/{school.code}/questionnaires/intake")
    assert "Хочу подготовиться к олимпиаде" in intake.text
    await set_school(db, school.id)
    answered = await db.scalar(
        select(SurveyResponse).where(
            SurveyResponse.school_id == school.id, SurveyResponse.status == ResponseStatus.SUBMITTED
        )
    )
    assert answered is not None
    token = await csrf_token(curator, f"/s/{school.code}/questionnaires/intake")
    reply = await curator.post(
        f"/s/{school.code}/questionnaires/intake/{answered.id}/accept",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await db.commit()
    profile = await db.scalar(
        select(MenteeProfile).where(
            MenteeProfile.school_id == school.id,
            MenteeProfile.participant_id == answered.participant_id,
            MenteeProfile.academic_year == YEAR,
        )
    )
    assert profile is not None
    assert profile.request_text == "Хочу подготовиться к олимпиаде по математике"
    assert RequestSource.QUESTIONNAIRE in profile.request_sources
    assert "Новых анкет нет" in (await curator.get(f"/s/{school.code}/questionnaires/intake")).text

    # The curator types in a paper answer for someone without a link at hand.
    other = await db.scalar(
        select(SurveyResponse).where(
            SurveyResponse.school_id == school.id, SurveyResponse.status != ResponseStatus.SUBMITTED
        )
    )
    assert other is not None
    paper = await curator.get(f"/s/{school.code}/my-questionnaires/{other.id}")
    assert paper.status_code == 200, paper.text[:300]
    assert "Отвечает:" in paper.text

    # Exports: with people, or anonymised (no names at all).
    named = await curator.get(f"/s/{school.code}/questionnaires/surveys/{survey.id}/export/csv?people=1")
    anonymous = await curator.get(f"/s/{school.code}/questionnaires/surveys/{survey.id}/export/csv")
    assert "Хочу подготовиться" in named.text and "Петрова" in named.text
    assert (
        "Хочу подготовиться" in anonymous.text
        and "Петрова" not in anonymous.text
        and "Иванов" not in anonymous.text
    )

    # A revoked link opens nothing any more.
    token = await csrf_token(curator, f"/s/{school.code}/questionnaires/surveys/{survey.id}")
    reply = await curator.post(
        f"/s/{school.code}/questionnaires/responses/{answered.id}/revoke",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert (await client.get(link)).status_code == 404


async def test_a_forged_link_and_another_schools_survey_are_not_found(
    browser_for: Browser,
    client: AsyncTestClient[Litestar],
    db: AsyncSession,
    world: World,
    curator_a: Persona,
    curator_b: Persona,
) -> None:
    pupil = await person(db, world.school_a, "Сидоров")
    await consent(db, pupil)
    await db.commit()
    survey = await send_intake(db, await browser_for(curator_a), world)
    other = await browser_for(curator_b)
    assert (
        await other.get(f"/s/{world.school_a.code}/questionnaires/surveys/{survey.id}")
    ).status_code == 404
    assert (
        await other.get(f"/s/{world.school_b.code}/questionnaires/surveys/{survey.id}")
    ).status_code == 404
    assert (await client.get("/q/forged.token")).status_code == 404


async def test_editing_a_questionnaire_makes_a_new_version_and_answers_keep_theirs(
    db: AsyncSession, world: World
) -> None:
    school = world.school_a
    await set_school(db, school.id)
    first = await services.adopt_template(db, school, QuestionnaireKind.SATISFACTION, None)
    bad = Form(data={"text": "Что понравилось?", "kind": "single", "options": "Одно"})
    assert await services.add_question(db, school, first, bad, None) is None
    assert "хотя бы два варианта" in bad.errors["options"]
    good = Form(data={"text": "Что понравилось?", "kind": "long_text", "section": "0"})
    second = await services.add_question(db, school, first, good, None)
    assert second is not None and second.version == 2
    await db.refresh(first)
    assert not first.is_current
    keys = [q.key for q in services.questions_of(second.definition)]
    assert len(keys) == len(set(keys)) == len(list(services.questions_of(first.definition))) + 1


async def test_letters_carry_personal_links_and_reminders_go_to_those_who_have_not_answered(
    db: AsyncSession, world: World, settings: Settings, smtp_sink: Path
) -> None:
    school = world.school_a
    mother = await person(
        db, school, "Почтова", kind=ParticipantKind.TEACHER, email="pochtova@school.example"
    )
    await consent(db, mother)
    silent = await person(db, school, "Безпочтова", kind=ParticipantKind.TEACHER)
    await consent(db, silent)
    await set_school(db, school.id)
    await services.adopt_all(db, school)
    questionnaire = (await services.current_questionnaires(db, school))[QuestionnaireKind.SATISFACTION]
    form = Form(
        data={
            "questionnaire_id": str(questionnaire.id),
            "audience": "teachers",
            "deadline": (TODAY + dt.timedelta(days=1)).isoformat(),
        }
    )
    survey = await services.create_survey(db, school, YEAR, form, None)
    assert survey is not None, form.errors
    assert await mail_survey(db, settings, school, survey, reminder=False) == 1
    assert await mail_survey(db, settings, school, survey, reminder=False) == 0  # once per person
    letters = [
        m for m in mailbox.Maildir(str(smtp_sink), create=False) if m["To"] == "pochtova@school.example"
    ]
    assert len(letters) == 1
    body = letters[0].get_payload(decode=True).decode()
    token = re.search(r"/q/(\S+)", body)
    assert token is not None
    answering = await services.resolve_link(db, settings.session_secret, token.group(1))
    assert answering is not None and answering.person.id == mother.id

    # Two days before the deadline the reminder job is queued, and it mails only the unanswered.
    assert await defer_reminders(db, TODAY) >= 1
    assert await mail_survey(db, settings, school, survey, reminder=True) == 1
    assert await mail_survey(db, settings, school, survey, reminder=True) == 0
