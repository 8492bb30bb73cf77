"""Stage 1 of monitoring for teachers' pairs: the results of the mentee's pupils (seed 002) —
the pass shares of ВПР, ОГЭ and ЕГЭ, the change of knowledge quality and olympiads — entered
per pair by the curator and summed up in SQL for the page and the report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.pairs.models import MemberRole, Mentorship, MentorshipMember, MentorshipStatus
from nastavnik.school.pairs.services import mentorships_by_id
from nastavnik.school.participants.models import Participant, ParticipantKind
from nastavnik.school.questionnaires.models import PairPupilResults
from nastavnik.tenants.models import School

# Field → (title, lowest, highest).
FIELDS: dict[str, tuple[str, int, int]] = {
    "vpr_pass_percent": ("Доля обучающихся, справившихся с ВПР, %", 0, 100),
    "oge_pass_percent": ("Доля сдавших ОГЭ, %", 0, 100),
    "ege_pass_percent": ("Доля сдавших ЕГЭ, %", 0, 100),
    "quality_change": ("Динамика качества знаний за год, п. п.", -100, 100),
    "olympiad_participants": ("Участников олимпиад и конкурсов", 0, 10_000),
    "olympiad_winners": ("Победителей и призёров", 0, 10_000),
}
FORM_FIELDS = (*FIELDS, "note")
NOTE_MAX = 2000


def _teacher_mentee() -> Any:
    """The pair has a teacher among its mentees: a pair of the teachers' mentoring."""
    return exists().where(
        MentorshipMember.school_id == Mentorship.school_id,
        MentorshipMember.mentorship_id == Mentorship.id,
        MentorshipMember.role == MemberRole.MENTEE,
        Participant.school_id == MentorshipMember.school_id,
        Participant.id == MentorshipMember.participant_id,
        Participant.kind == ParticipantKind.TEACHER,
    )


def _year_pairs(school: School, year: int) -> list[Any]:
    return [
        Mentorship.school_id == school.id,
        Mentorship.academic_year == year,
        Mentorship.status.in_((MentorshipStatus.ACTIVE, MentorshipStatus.COMPLETED)),
        _teacher_mentee(),
    ]


async def pairs_page(
    db: AsyncSession, school: School, year: int, page: int
) -> tuple[list[tuple[Mentorship, PairPupilResults | None]], Window]:
    """The year's teachers' pairs with what was entered for them, by number, one page."""
    query = (
        select(Mentorship.id, PairPupilResults)
        .outerjoin(
            PairPupilResults,
            and_(
                PairPupilResults.school_id == Mentorship.school_id,
                PairPupilResults.mentorship_id == Mentorship.id,
            ),
        )
        .where(*_year_pairs(school, year))
        .order_by(Mentorship.number, Mentorship.id)
    )
    rows, window = await page_of(db, query, page, 20)
    named = await mentorships_by_id(db, school, [pair_id for pair_id, _ in rows])
    return [(named[pair_id], results) for pair_id, results in rows], window


@dataclass(frozen=True)
class PupilResultsSummary:
    """Teachers' pairs of the year and the averages (sums for olympiads) over those entered."""

    pairs: int = 0
    entered: int = 0
    vpr_pass_percent: float | None = None
    oge_pass_percent: float | None = None
    ege_pass_percent: float | None = None
    quality_change: float | None = None
    olympiad_participants: int = 0
    olympiad_winners: int = 0

    def rows(self) -> list[list[str]]:
        def share(value: float | None) -> str:
            return "—" if value is None else f"{value:.1f} %".replace(".", ",")

        change = (
            "—" if self.quality_change is None else f"{self.quality_change:+.1f}".replace(".", ",") + " п. п."
        )
        return [
            ["Пар «педагог – педагог» / внесены результаты", f"{self.pairs} / {self.entered}"],
            ["ВПР: доля справившихся (в среднем)", share(self.vpr_pass_percent)],
            ["ОГЭ: доля сдавших (в среднем)", share(self.oge_pass_percent)],
            ["ЕГЭ: доля сдавших (в среднем)", share(self.ege_pass_percent)],
            ["Динамика качества знаний (в среднем)", change],
            [
                "Участники олимпиад и конкурсов / победители и призёры",
                f"{self.olympiad_participants} / {self.olympiad_winners}",
            ],
        ]


async def summary(db: AsyncSession, school: School, year: int) -> PupilResultsSummary:
    r = PairPupilResults
    row = (
        await db.execute(
            select(
                func.count(Mentorship.id),
                func.count(r.id),
                func.avg(r.vpr_pass_percent),
                func.avg(r.oge_pass_percent),
                func.avg(r.ege_pass_percent),
                func.avg(r.quality_change),
                func.coalesce(func.sum(r.olympiad_participants), 0),
                func.coalesce(func.sum(r.olympiad_winners), 0),
            )
            .select_from(Mentorship)
            .outerjoin(r, and_(r.school_id == Mentorship.school_id, r.mentorship_id == Mentorship.id))
            .where(*_year_pairs(school, year))
        )
    ).one()

    def avg(value: Any) -> float | None:
        return None if value is None else round(float(value), 1)

    return PupilResultsSummary(
        pairs=int(row[0]),
        entered=int(row[1]),
        vpr_pass_percent=avg(row[2]),
        oge_pass_percent=avg(row[3]),
        ege_pass_percent=avg(row[4]),
        quality_change=avg(row[5]),
        olympiad_participants=int(row[6]),
        olympiad_winners=int(row[7]),
    )


async def get_results(db: AsyncSession, school: School, mentorship_id: uuid.UUID) -> PairPupilResults | None:
    return await db.scalar(
        select(PairPupilResults).where(
            PairPupilResults.school_id == school.id, PairPupilResults.mentorship_id == mentorship_id
        )
    )


def results_form(results: PairPupilResults | None) -> Form:
    if results is None:
        return Form()
    data: dict[str, Any] = {
        name: "" if getattr(results, name) is None else str(getattr(results, name)) for name in FIELDS
    }
    data["note"] = results.note
    return Form(data=data)


async def save_results(db: AsyncSession, school: School, mentorship: Mentorship, form: Form) -> bool:
    """Check each figure (whole numbers in its range, empty for «not applicable») and keep them."""
    values: dict[str, int | None] = {}
    for name, (_, low, high) in FIELDS.items():
        raw = form.value(name).replace(" ", "").replace("+", "")
        if not raw:
            values[name] = None
            continue
        try:
            number = int(raw)
        except ValueError:
            form.error(name, "Введите целое число или оставьте поле пустым.")
            continue
        if not low <= number <= high:
            form.error(name, f"Число от {low} до {high}.")
            continue
        values[name] = number
    participants, winners = values.get("olympiad_participants"), values.get("olympiad_winners")
    if participants is not None and winners is not None and winners > participants:
        form.error("olympiad_winners", "Победителей и призёров не может быть больше, чем участников.")
    note = form.value("note")
    if len(note) > NOTE_MAX:
        form.error("note", f"Не длиннее {NOTE_MAX} символов; сократите текст.")
    if not form.ok:
        return False
    results = await get_results(db, school, mentorship.id)
    if results is None:
        results = PairPupilResults(school_id=school.id, mentorship_id=mentorship.id)
        db.add(results)
    for name, value in values.items():
        setattr(results, name, value)
    results.note = note
    await db.flush()
    return True
