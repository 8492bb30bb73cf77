"""The final meeting of a pair or group and its result against the plan's goals."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.completion.models import GOALS_MET_TITLES, GoalsMet, PairOutcome, PairResult
from nastavnik.school.meetings import services as meetings
from nastavnik.school.meetings.models import Meeting, MeetingKind
from nastavnik.school.pairs.models import DevelopmentPlan, Mentorship, MentorshipStatus, PlanItem
from nastavnik.tenants.models import School

RESULT_FIELDS = (
    "outcome",
    "goals_met",
    "results",
    "reason",
    "held_on",
    "topic",
    "notes",
    "duration_minutes",
    "format",
    "mentee_successful",
    "continues",
)
OUTCOME_OPTIONS = [
    (PairOutcome.COMPLETED.value, "Завершить: программа выполнена"),
    (PairOutcome.TERMINATED.value, "Прекратить досрочно"),
]
GOALS_OPTIONS = [(g.value, t) for g, t in GOALS_MET_TITLES.items()]


@dataclass(frozen=True)
class PairLine:
    mentorship: Mentorship
    result: PairResult | None


async def pairs_page(
    db: AsyncSession, school: School, year: AcademicYear, page: int
) -> tuple[list[PairLine], Window]:
    """The year's pairs with their results, one page (results joined in the same statement)."""
    await set_school(db, school.id)
    query = (
        select(Mentorship, PairResult)
        .outerjoin(
            PairResult,
            and_(PairResult.school_id == Mentorship.school_id, PairResult.mentorship_id == Mentorship.id),
        )
        .where(Mentorship.school_id == school.id, Mentorship.academic_year == year.start)
        .options(selectinload(Mentorship.members))
        .order_by(Mentorship.number, Mentorship.id)
    )
    rows, window = await page_of(db, query, page)
    return [PairLine(m, r) for m, r in rows], window


async def result_of(db: AsyncSession, mentorship: Mentorship) -> PairResult | None:
    query = select(PairResult).where(
        PairResult.school_id == mentorship.school_id, PairResult.mentorship_id == mentorship.id
    )
    return (await db.execute(query)).scalar_one_or_none()


async def plan_counts(db: AsyncSession, mentorship: Mentorship) -> tuple[int, int]:
    """(done, all) tasks of the pair's plan, counted in SQL."""
    row = (
        await db.execute(
            select(func.count().filter(PlanItem.done), func.count())
            .select_from(PlanItem)
            .join(
                DevelopmentPlan,
                and_(DevelopmentPlan.school_id == PlanItem.school_id, DevelopmentPlan.id == PlanItem.plan_id),
            )
            .where(PlanItem.school_id == mentorship.school_id, DevelopmentPlan.mentorship_id == mentorship.id)
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def result_form(mentorship: Mentorship, today: dt.date) -> Form:
    day = min(today, AcademicYear(mentorship.academic_year).ends)
    return Form(
        data={
            "outcome": PairOutcome.COMPLETED.value,
            "goals_met": GoalsMet.MET.value,
            "held_on": day.isoformat(),
            "duration_minutes": "45",
            "format": "in_person",
            "topic": "Подведение итогов работы по плану",
        }
    )


def _checked(form: Form, name: str) -> bool:
    return form.value(name) in {"true", "on", "1"}


async def record_result(  # noqa: PLR0911, PLR0912 - one check per field, each with its message
    db: AsyncSession, mentorship: Mentorship, form: Form, *, user_id: uuid.UUID, today: dt.date
) -> PairResult | None:
    """Log the final meeting (for a completed pair) and close the pair with its result.

    A terminated pair needs the reason and no final meeting; a completed one needs the
    final meeting and the results written against the plan's goals.
    """
    if mentorship.status in (MentorshipStatus.COMPLETED, MentorshipStatus.TERMINATED):
        form.error("__all__", "Итог этой пары уже записан.")
        return None
    try:
        outcome = PairOutcome(form.value("outcome"))
    except ValueError:
        form.error("outcome", "Выберите итог: завершена или прекращена.")
        return None
    try:
        goals = GoalsMet(form.value("goals_met"))
    except ValueError:
        form.error("goals_met", "Отметьте, достигнуты ли цели плана.")
        return None
    results = form.value("results")
    reason = form.value("reason")
    if outcome is PairOutcome.COMPLETED and not results:
        form.error("results", "Опишите результаты по целям плана: они войдут в кейс и отчёт.")
    if outcome is PairOutcome.TERMINATED and not reason:
        form.error("reason", "Укажите причину прекращения: она войдёт в отчёт.")
    if len(results) > 10_000 or len(reason) > 2_000:
        form.error("results", "Текст слишком длинный — сократите до 10 000 знаков.")
    if not form.ok:
        return None
    meeting: Meeting | None = None
    ended_on = today
    if outcome is PairOutcome.COMPLETED:
        meeting_form = Form(
            data={k: form.value(k) for k in meetings.MEETING_FIELDS} | {"kind": MeetingKind.FINAL.value}
        )
        meeting = await meetings.log_pair_meeting(
            db, mentorship, user_id=user_id, form=meeting_form, present=[], today=today
        )
        if meeting is None:
            for name, message in meeting_form.errors.items():
                form.error(name, message)
            return None
        ended_on = meeting.held_on
    else:
        raw = form.value("held_on")
        try:
            ended_on = dt.date.fromisoformat(raw) if raw else today
        except ValueError:
            form.error("held_on", "Дата пишется так: 25.05.2026.")
            return None
        if ended_on > today or not AcademicYear(mentorship.academic_year).contains(ended_on):
            form.error("held_on", "Дата прекращения — в учебном году пары и не позже сегодняшнего дня.")
            return None
    done, total = await plan_counts(db, mentorship)
    result = PairResult(
        school_id=mentorship.school_id,
        mentorship_id=mentorship.id,
        academic_year=mentorship.academic_year,
        final_meeting_id=meeting.id if meeting else None,
        outcome=outcome,
        goals_met=goals,
        results=results,
        reason=reason,
        plan_items_done=done,
        plan_items_total=total,
        mentee_successful=outcome is PairOutcome.COMPLETED and _checked(form, "mentee_successful"),
        continues=outcome is PairOutcome.COMPLETED and _checked(form, "continues"),
        ended_on=ended_on,
        recorded_by_id=user_id,
    )
    db.add(result)
    mentorship.status = (
        MentorshipStatus.COMPLETED if outcome is PairOutcome.COMPLETED else MentorshipStatus.TERMINATED
    )
    mentorship.status_reason = reason
    mentorship.ended_on = ended_on
    await db.flush()
    return result
