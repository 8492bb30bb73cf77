"""Letters with personal links, and reminders before the deadline, as procrastinate jobs.

A job carries ids only; the letter's link is signed in the worker with the same secret and
base address as the web process (both come from the environment, `get_settings`).
"""

from __future__ import annotations

import datetime as dt
import uuid

import structlog
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform import jobs
from nastavnik.platform.db import set_school, utcnow
from nastavnik.platform.mail import send_mail
from nastavnik.platform.settings import Settings, get_settings
from nastavnik.school.participants.models import Participant, local_today
from nastavnik.school.questionnaires import services
from nastavnik.school.questionnaires.models import ResponseStatus, Survey, SurveyResponse
from nastavnik.tenants.models import School

log = structlog.get_logger(__name__)

REMIND_DAYS_BEFORE = 2
MAIL_JOB = "questionnaires.mail"


def _letter(
    survey: Survey, person: Participant, school: School, url: str, *, reminder: bool
) -> tuple[str, str]:
    subject = ("Напоминание: " if reminder else "") + f"анкета «{survey.title}»"
    body = (
        f"Здравствуйте, {person.first_name}{' ' + person.middle_name if person.middle_name else ''}!\n\n"
        f"{school.name} просит ответить на анкету «{survey.title}» до {survey.deadline:%d.%m.%Y}.\n"
        f"Ваша личная ссылка (не пересылайте её другим):\n{url}\n\n"
        "Ответ можно сохранить черновиком и изменить по той же ссылке до окончания срока.\n"
    )
    return subject, body


async def mail_survey(
    db: AsyncSession, settings: Settings, school: School, survey: Survey, *, reminder: bool
) -> int:
    """Send the letters of one survey (to those with an e-mail who have not answered, for a
    reminder; to everyone not mailed yet, otherwise); returns how many were sent."""
    await set_school(db, school.id)
    query = (
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
            SurveyResponse.status != ResponseStatus.SUBMITTED,
            Participant.email != "",
        )
    )
    query = query.where(
        SurveyResponse.reminded_at.is_(None) if reminder else SurveyResponse.mailed_at.is_(None)
    )
    sent = 0
    for response, person in (await db.execute(query)).all():
        url = f"{settings.base_url}/q/{services.response_token(settings.session_secret, response)}"
        subject, body = _letter(survey, person, school, url, reminder=reminder)
        if await send_mail(settings, to=person.email, subject=subject, body=body):
            if reminder:
                response.reminded_at = utcnow()
            else:
                response.mailed_at = utcnow()
            sent += 1
    await db.flush()
    return sent


@jobs.app.task(
    name=MAIL_JOB, pass_context=True, retry=jobs.RetryStrategy(max_attempts=3, exponential_wait=10)
)
async def mail_survey_job(
    context: jobs.JobContext, *, school_id: str, survey_id: str, reminder: bool
) -> None:
    maker = jobs.sessionmaker_of(context)
    async with maker() as db, db.begin():
        school_uuid = uuid.UUID(school_id)
        await set_school(db, school_uuid)
        school = await db.get(School, school_uuid)
        survey = await db.scalar(
            select(Survey).where(Survey.school_id == school_uuid, Survey.id == uuid.UUID(survey_id))
        )
        if school is None or survey is None:
            return
        sent = await mail_survey(db, get_settings(), school, survey, reminder=reminder)
        log.info("survey_mailed", survey_id=survey_id, sent=sent, reminder=reminder)


async def defer_reminders(db: AsyncSession, today: dt.date | None = None) -> int:
    """Queue a reminder job for every open survey whose deadline is within two days."""
    day = today or local_today()
    queued = 0
    for school_id in list((await db.execute(select(School.id))).scalars()):
        await set_school(db, school_id)
        surveys = await db.execute(
            select(Survey.id).where(
                Survey.school_id == school_id,
                Survey.deadline >= day,
                Survey.deadline <= day + dt.timedelta(days=REMIND_DAYS_BEFORE),
            )
        )
        for survey_id in surveys.scalars():
            await jobs.defer(
                db, mail_survey_job, school_id=str(school_id), survey_id=str(survey_id), reminder=True
            )
            queued += 1
    await set_school(db, None)
    return queued


# Every morning at 8:00 the surveys closing within two days get their reminders queued.
@jobs.app.periodic(cron="0 8 * * *", periodic_id="questionnaires-reminders")
@jobs.app.task(name="questionnaires.reminders", pass_context=True)
async def reminders_job(context: jobs.JobContext, timestamp: int) -> None:
    del timestamp
    async with jobs.sessionmaker_of(context)() as db, db.begin():
        await defer_reminders(db)
