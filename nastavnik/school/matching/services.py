"""Matching rounds: the pool from the banks, the solver's proposal, the curator's edits
(lock, exclude, swap, group, re-run) and approval into pairs and groups.

Only people with a valid consent enter a pool (`valid_consent_clause`); a withdrawn consent
takes effect at the next run, and approval checks every pair once more.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, delete, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.signing import Purpose, sign, unsign
from nastavnik.platform.db import set_school, utcnow
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.matching.models import (
    IncompatibilityMark,
    MatchingExclusion,
    MatchingPreference,
    MatchingProposal,
    MatchingRound,
    MatchingSettings,
    PreferenceSide,
    RoundStatus,
)
from nastavnik.school.matching.scoring import (
    VIOLATION_TEXT,
    WEIGHT_TITLES,
    FormRules,
    Mentee,
    Mentor,
    Pool,
    Relations,
    Weights,
    hard_rule_violations,
    score_pair,
)
from nastavnik.school.matching.solver import Mode, Solution, solve
from nastavnik.school.pairs.models import MemberRole, Mentorship, MentorshipMember, MentorshipStatus
from nastavnik.school.pairs.services import mentor_load_subquery
from nastavnik.school.participants.consent_rules import valid_consent_clause
from nastavnik.school.participants.models import (
    InterviewResult,
    MenteeProfile,
    MenteeStatus,
    MentorProfile,
    MentorStatus,
    Participant,
    local_today,
)
from nastavnik.tenants.models import School
from nastavnik.tenants.reference import ReferenceItem, ReferenceKind, reference_items

OPEN_STATUSES = (MentorshipStatus.FORMING, MentorshipStatus.ACTIVE)

# Request areas (seed 000) group directions; a mentor's areas follow from the directions they
# help with, and a teacher mentor with stated competencies covers the methodological area.
AREAS_OF_DIRECTION: dict[str, tuple[str, ...]] = {
    "potential": ("intellectual", "creative"),
    "motivation": ("intellectual",),
    "educational_path": ("intellectual", "career_guidance"),
    "career": ("career_guidance",),
    "entrepreneurship": ("career_guidance", "creative"),
    "soft_skills": ("creative",),
    "civic_values": ("creative",),
    "teacher_adaptation": ("methodological",),
    "young_teacher": ("methodological",),
}


class MatchingError(Exception):
    """An action on the proposal that cannot be done, with the reason in words."""


# --- settings ---------------------------------------------------------------------------


async def school_weights(db: AsyncSession, school: School) -> Weights:
    row = await db.scalar(select(MatchingSettings).where(MatchingSettings.school_id == school.id))
    return Weights.from_mapping(row.weights if row else None)


WEIGHT_FIELDS = (*Weights.FIELDS, "require_direction_overlap")


async def save_weights(db: AsyncSession, school: School, form: Form) -> Weights | None:
    values: dict[str, object] = {}
    for name in Weights.FIELDS:
        raw = form.value(name)
        if not raw.isdigit() or int(raw) > 100:
            form.error(name, f"«{WEIGHT_TITLES[name]}»: целое число от 0 до 100.")
            continue
        values[name] = int(raw)
    values["require_direction_overlap"] = form.value("require_direction_overlap") in ("true", "on", "1")
    if not form.ok:
        return None
    row = await db.scalar(select(MatchingSettings).where(MatchingSettings.school_id == school.id))
    weights = Weights.from_mapping(values)
    if row is None:
        db.add(MatchingSettings(school_id=school.id, weights=weights.to_mapping()))
    else:
        row.weights = weights.to_mapping()
    await db.flush()
    return weights


# --- reference data -----------------------------------------------------------------------


async def forms(db: AsyncSession) -> list[ReferenceItem]:
    return await reference_items(db, ReferenceKind.FORM)


async def labels(db: AsyncSession) -> dict[str, str]:
    found: dict[str, str] = {}
    for kind in (ReferenceKind.DIRECTION, ReferenceKind.REQUEST_AREA):
        for item in await reference_items(db, kind, active_only=False):
            found[item.code] = item.short_title or item.title
    return found


def rules_of(form: ReferenceItem) -> FormRules:
    return FormRules.from_attributes(form.code, form.title, form.attributes or {})


# --- the pool ----------------------------------------------------------------------------


@dataclass
class PoolData:
    """The solver's pool and the rows behind it, keyed by profile id."""

    pool: Pool
    mentees: dict[uuid.UUID, MenteeProfile] = field(default_factory=dict)
    mentors: dict[uuid.UUID, MentorProfile] = field(default_factory=dict)

    def mentee(self, profile_id: uuid.UUID) -> Mentee | None:
        return next((x for x in self.pool.mentees if x.id == profile_id), None)

    def mentor(self, profile_id: uuid.UUID) -> Mentor | None:
        return next((x for x in self.pool.mentors if x.id == profile_id), None)


async def _open_load(db: AsyncSession, school: School, year: int, role: MemberRole) -> dict[uuid.UUID, int]:
    """Participant id → load in forming or active pairs/groups of the year.

    For a mentee: the number of pairs/groups they are in. For a mentor: the number of
    mentees they have there, so that a group of three uses three places of the capacity.
    """
    if role is MemberRole.MENTOR:
        load = mentor_load_subquery()
        rows = await db.execute(
            select(MentorProfile.participant_id, load).where(
                MentorProfile.school_id == school.id, MentorProfile.academic_year == year
            )
        )
        return {pid: int(n) for pid, n in rows.all() if n}
    query = (
        select(MentorshipMember.participant_id, func.count())
        .join(
            Mentorship,
            (Mentorship.school_id == MentorshipMember.school_id)
            & (Mentorship.id == MentorshipMember.mentorship_id),
        )
        .where(
            MentorshipMember.school_id == school.id,
            MentorshipMember.role == role,
            Mentorship.academic_year == year,
            Mentorship.status.in_(OPEN_STATUSES),
        )
        .group_by(MentorshipMember.participant_id)
    )
    return {pid: int(n) for pid, n in (await db.execute(query)).all()}


async def _terminated_pairs(db: AsyncSession, school: School) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(mentee participant, mentor participant) of every terminated pair or group."""
    members = (
        await db.execute(
            select(MentorshipMember.mentorship_id, MentorshipMember.participant_id, MentorshipMember.role)
            .join(
                Mentorship,
                (Mentorship.school_id == MentorshipMember.school_id)
                & (Mentorship.id == MentorshipMember.mentorship_id),
            )
            .where(MentorshipMember.school_id == school.id, Mentorship.status == MentorshipStatus.TERMINATED)
        )
    ).all()
    by_pair: dict[uuid.UUID, dict[MemberRole, list[uuid.UUID]]] = defaultdict(lambda: defaultdict(list))
    for mentorship_id, participant_id, role in members:
        by_pair[mentorship_id][role].append(participant_id)
    return {
        (mentee, mentor)
        for roles in by_pair.values()
        for mentee in roles[MemberRole.MENTEE]
        for mentor in roles[MemberRole.MENTOR]
    }


async def build_pool(db: AsyncSession, school: School, matching_round: MatchingRound) -> PoolData:
    form = matching_round.form
    rules = rules_of(form)
    year = matching_round.academic_year
    mentee_rows = list(
        (
            await db.execute(
                select(MenteeProfile)
                .join(
                    Participant,
                    (Participant.school_id == MenteeProfile.school_id)
                    & (Participant.id == MenteeProfile.participant_id),
                )
                .where(
                    MenteeProfile.school_id == school.id,
                    MenteeProfile.academic_year == year,
                    MenteeProfile.status == MenteeStatus.ACTIVE,
                    Participant.anonymised_at.is_(None),
                    Participant.kind.in_(sorted(rules.mentee_kinds)),
                    valid_consent_clause(),
                )
                .options(
                    selectinload(MenteeProfile.participant),
                    selectinload(MenteeProfile.directions),
                    selectinload(MenteeProfile.request_areas),
                )
            )
        ).scalars()
    )
    mentor_rows = list(
        (
            await db.execute(
                select(MentorProfile)
                .join(
                    Participant,
                    (Participant.school_id == MentorProfile.school_id)
                    & (Participant.id == MentorProfile.participant_id),
                )
                .where(
                    MentorProfile.school_id == school.id,
                    MentorProfile.academic_year == year,
                    MentorProfile.status != MentorStatus.WITHDRAWN,
                    MentorProfile.interview_result != InterviewResult.NOT_RECOMMENDED,
                    Participant.anonymised_at.is_(None),
                    Participant.kind.in_(sorted(rules.mentor_kinds)),
                    valid_consent_clause(),
                )
                .options(
                    selectinload(MentorProfile.participant),
                    selectinload(MentorProfile.directions),
                    selectinload(MentorProfile.competencies),
                    selectinload(MentorProfile.trainings),
                )
            )
        ).scalars()
    )
    mentee_load = await _open_load(db, school, year, MemberRole.MENTEE)
    mentor_load = await _open_load(db, school, year, MemberRole.MENTOR)
    # Mentees already working with a mentor this year have no open request.
    mentee_rows = [p for p in mentee_rows if p.participant_id not in mentee_load]

    mentees = [
        Mentee(
            id=p.id,
            person=p.participant_id,
            name=p.participant.full_name,
            kind=p.participant.kind.value,
            grade=p.participant.grade,
            directions=frozenset(d.code for d in p.directions),
            request_areas=frozenset(a.code for a in p.request_areas),
            subjects=frozenset(s.strip().lower() for s in p.participant.subjects if s.strip()),
        )
        for p in mentee_rows
    ]
    mentors = []
    for p in mentor_rows:
        directions = frozenset(d.code for d in p.directions)
        areas = {area for code in directions for area in AREAS_OF_DIRECTION.get(code, ())}
        if p.competencies:
            areas.add("methodological")
        subjects = p.subjects or p.participant.subjects
        mentors.append(
            Mentor(
                id=p.id,
                person=p.participant_id,
                name=p.participant.full_name,
                kind=p.participant.kind.value,
                capacity=max(0, p.capacity - mentor_load.get(p.participant_id, 0)),
                grade=p.participant.grade,
                directions=directions,
                request_areas=frozenset(areas),
                subjects=frozenset(s.strip().lower() for s in subjects if s.strip()),
                trained=bool(p.trainings),
                interviewed=p.interview_result is InterviewResult.RECOMMENDED,
            )
        )

    by_person_mentee: dict[Any, list[Any]] = defaultdict(list)
    for x in mentees:
        by_person_mentee[x.person].append(x.id)
    by_person_mentor: dict[Any, list[Any]] = defaultdict(list)
    for y in mentors:
        by_person_mentor[y.person].append(y.id)

    def profile_pairs(person_pairs: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> frozenset[tuple[Any, Any]]:
        return frozenset(
            (a, b)
            for mentee_person, mentor_person in person_pairs
            for a in by_person_mentee.get(mentee_person, ())
            for b in by_person_mentor.get(mentor_person, ())
        )

    marks = (
        await db.execute(
            select(IncompatibilityMark.mentee_id, IncompatibilityMark.mentor_id).where(
                IncompatibilityMark.school_id == school.id
            )
        )
    ).all()
    # A mark is about two people, whichever of them would mentor the other.
    marked = [(a, b) for a, b in marks] + [(b, a) for a, b in marks]
    preferences = (
        await db.execute(
            select(MatchingPreference).where(
                MatchingPreference.school_id == school.id, MatchingPreference.academic_year == year
            )
        )
    ).scalars()
    mentee_prefers: list[tuple[uuid.UUID, uuid.UUID]] = []
    mentor_prefers: list[tuple[uuid.UUID, uuid.UUID]] = []
    for pref in preferences:
        if pref.side is PreferenceSide.MENTEE:
            mentee_prefers.append((pref.chooser_id, pref.chosen_id))
        else:
            mentor_prefers.append((pref.chosen_id, pref.chooser_id))
    exclusions = (
        await db.execute(
            select(MatchingExclusion.mentee_profile_id, MatchingExclusion.mentor_profile_id).where(
                MatchingExclusion.school_id == school.id, MatchingExclusion.round_id == matching_round.id
            )
        )
    ).all()
    relations = Relations(
        incompatible=profile_pairs(marked),
        terminated=profile_pairs(await _terminated_pairs(db, school)),
        excluded=frozenset((a, b) for a, b in exclusions),
        mentee_prefers=profile_pairs(mentee_prefers),
        mentor_prefers=profile_pairs(mentor_prefers),
    )
    pool = Pool(
        form=rules,
        mentees=mentees,
        mentors=mentors,
        weights=Weights.from_mapping(matching_round.weights),
        relations=relations,
        labels=await labels(db),
    )
    return PoolData(pool, {p.id: p for p in mentee_rows}, {p.id: p for p in mentor_rows})


# --- rounds -------------------------------------------------------------------------------

ROUND_FIELDS = ("academic_year", "form", "mode")


async def rounds_page(db: AsyncSession, school: School, page: int = 1) -> tuple[list[MatchingRound], Window]:
    """One page of the school's rounds, the latest year and newest round first."""
    query = (
        select(MatchingRound)
        .where(MatchingRound.school_id == school.id)
        .order_by(MatchingRound.academic_year.desc(), MatchingRound.created_at.desc(), MatchingRound.id)
    )
    rounds, window = await page_of(db, query, page)
    return list(rounds), window


async def get_round(db: AsyncSession, school: School, round_id: str) -> MatchingRound | None:
    try:
        key = uuid.UUID(round_id)
    except ValueError:
        return None
    return await db.scalar(
        select(MatchingRound).where(MatchingRound.school_id == school.id, MatchingRound.id == key)
    )


async def start_round(
    db: AsyncSession, school: School, user_id: uuid.UUID, form: Form
) -> MatchingRound | None:
    year = AcademicYear.parse(form.require("academic_year", "Укажите учебный год."))
    if form.value("academic_year") and year is None:
        form.error("academic_year", "Учебный год пишется так: 2025-2026.")
    code = form.require("form", "Выберите форму наставничества.")
    form_item = next((f for f in await forms(db) if f.code == code), None)
    if code and form_item is None:
        form.error("form", "Такой формы наставничества нет в справочнике.")
    mode_value = form.value("mode") or Mode.BEST_FIT.value
    if mode_value not in {m.value for m in Mode}:
        form.error("mode", "Выберите режим подбора.")
    if not form.ok or year is None or form_item is None:
        return None
    matching_round = MatchingRound(
        school_id=school.id,
        academic_year=year.start,
        form_id=form_item.id,
        mode=Mode(mode_value),
        weights=(await school_weights(db, school)).to_mapping(),
        created_by_id=user_id,
    )
    db.add(matching_round)
    await db.flush()
    await db.refresh(matching_round, ["form"])
    await run_round(db, school, matching_round)
    return matching_round


async def proposals(
    db: AsyncSession, school: School, matching_round: MatchingRound
) -> list[MatchingProposal]:
    query = select(MatchingProposal).where(
        MatchingProposal.school_id == school.id, MatchingProposal.round_id == matching_round.id
    )
    return list((await db.execute(query)).scalars())


def _reasons_json(
    pool: Pool, mentee: Mentee, mentor: Mentor, *, locked: bool
) -> tuple[int, list[dict[str, Any]]]:
    score = score_pair(pool, mentee, mentor)
    reasons: list[dict[str, Any]] = []
    if locked:
        reasons.append({"text": "Пара закреплена куратором", "points": 0, "positive": None})
    if score is None:
        # A pair the curator chose by hand that the score would not propose.
        reasons.append({"text": "Совпадение по критериям подбора низкое", "points": 0, "positive": False})
        return 0, reasons
    reasons += [{"text": r.text, "points": r.points, "positive": r.positive} for r in score.reasons]
    return score.points, reasons


async def run_round(
    db: AsyncSession, school: School, matching_round: MatchingRound, mode: Mode | None = None
) -> tuple[Solution, list[str]]:
    """Solve the round again, keeping the locked pairs; returns the solution and messages
    about locks that no longer hold (a consent withdrawn, a mark set since)."""
    if matching_round.status is not RoundStatus.DRAFT:
        raise MatchingError("Раунд уже утверждён: изменить подбор нельзя.")
    if mode is not None:
        matching_round.mode = mode
    data = await build_pool(db, school, matching_round)
    existing = await proposals(db, school, matching_round)
    locks = [(p.mentee_profile_id, p.mentor_profile_id) for p in existing if p.locked and p.mentor_profile_id]
    grouped = {p.mentor_profile_id for p in existing if p.as_group and p.mentor_profile_id}
    solution = solve(data.pool, matching_round.mode, locks)
    messages = []
    for rejected in solution.rejected_locks:
        mentee = data.mentees.get(rejected.mentee_id)  # type: ignore[call-overload]
        name = mentee.participant.full_name if mentee else "наставляемый"
        messages.append(f"Закрепление снято ({name}): {rejected.text}.")
    await db.execute(
        delete(MatchingProposal).where(
            MatchingProposal.school_id == school.id, MatchingProposal.round_id == matching_round.id
        )
    )
    pool = data.pool
    for a in solution.assignments:
        mentee, mentor = data.mentee(a.mentee_id), data.mentor(a.mentor_id)  # type: ignore[arg-type]
        assert mentee is not None and mentor is not None  # noqa: S101 - ids come from this pool
        score, reasons = _reasons_json(pool, mentee, mentor, locked=a.locked)
        db.add(
            MatchingProposal(
                school_id=school.id,
                round_id=matching_round.id,
                mentee_profile_id=a.mentee_id,
                mentor_profile_id=a.mentor_id,
                score=score,
                reasons=reasons,
                locked=a.locked,
                as_group=a.mentor_id in grouped,
            )
        )
    for u in solution.unmatched:
        db.add(
            MatchingProposal(
                school_id=school.id,
                round_id=matching_round.id,
                mentee_profile_id=u.mentee_id,
                mentor_profile_id=None,
                unmatched_reason=u.reason.value,
                unmatched_text=u.text,
                next_step=u.next_step,
            )
        )
    matching_round.ran_at = utcnow()
    matching_round.stats = {
        "mentees": len(pool.mentees),
        "mentors": len(pool.mentors),
        "places": sum(m.capacity for m in pool.mentors),
        "covered": solution.covered,
        "total": solution.total_score,
        "max_score": pool.weights.max_score,
        "seconds": round(solution.seconds, 4),
        "arcs": solution.arcs,
    }
    await db.flush()
    return solution, messages


async def _proposal(db: AsyncSession, matching_round: MatchingRound, proposal_id: str) -> MatchingProposal:
    if matching_round.status is not RoundStatus.DRAFT:
        raise MatchingError("Раунд уже утверждён: изменить подбор нельзя.")
    try:
        key = uuid.UUID(proposal_id)
    except ValueError:
        raise MatchingError("Строка подбора не найдена. Обновите страницу.") from None
    row = await db.scalar(
        select(MatchingProposal).where(
            MatchingProposal.school_id == matching_round.school_id,
            MatchingProposal.round_id == matching_round.id,
            MatchingProposal.id == key,
        )
    )
    if row is None:
        raise MatchingError("Строка подбора не найдена. Обновите страницу.")
    return row


async def toggle_lock(db: AsyncSession, matching_round: MatchingRound, proposal_id: str) -> MatchingProposal:
    row = await _proposal(db, matching_round, proposal_id)
    if row.mentor_profile_id is None:
        raise MatchingError("Закрепить можно только пару с наставником.")
    row.locked = not row.locked
    await db.flush()
    return row


async def exclude(db: AsyncSession, school: School, matching_round: MatchingRound, proposal_id: str) -> None:
    """The pair is never proposed again in this round; the mentee waits for a re-run."""
    row = await _proposal(db, matching_round, proposal_id)
    if row.mentor_profile_id is None:
        raise MatchingError("У этого наставляемого нет предложенного наставника.")
    db.add(
        MatchingExclusion(
            school_id=school.id,
            round_id=matching_round.id,
            mentee_profile_id=row.mentee_profile_id,
            mentor_profile_id=row.mentor_profile_id,
        )
    )
    row.mentor_profile_id = None
    row.locked = False
    row.as_group = False
    row.score = 0
    row.reasons = []
    row.unmatched_reason = "excluded"
    row.unmatched_text = "Куратор исключил предложенную пару"
    row.next_step = "Запустите подбор заново: наставник будет предложен без исключённой пары."
    await db.flush()


async def swap(
    db: AsyncSession, school: School, matching_round: MatchingRound, first_id: str, second_id: str
) -> None:
    """Exchange the mentors of two rows; both new pairs must keep every hard rule."""
    first = await _proposal(db, matching_round, first_id)
    second = await _proposal(db, matching_round, second_id)
    if first.id == second.id:
        raise MatchingError("Выберите двух разных наставляемых.")
    if first.mentor_profile_id is None and second.mentor_profile_id is None:
        raise MatchingError("Ни у одного из двух наставляемых нет наставника — менять нечего.")
    data = await build_pool(db, school, matching_round)
    pool = data.pool
    changes = [(first, second.mentor_profile_id), (second, first.mentor_profile_id)]
    problems = []
    for row, mentor_id in changes:
        mentee = data.mentee(row.mentee_profile_id)
        if mentee is None:
            problems.append("Наставляемый больше не входит в раунд (нет согласия или уже в паре)")
            continue
        if mentor_id is None:
            continue
        mentor = data.mentor(mentor_id)
        if mentor is None:
            problems.append("Наставник больше не входит в раунд")
            continue
        # The mentor's place is freed by the swap itself, so capacity is not in question.
        broken = [v for v in hard_rule_violations(pool, mentee, mentor) if v.value != "capacity"]
        if broken:
            problems.append(f"{mentee.name} — {mentor.name}: " + "; ".join(VIOLATION_TEXT[v] for v in broken))
    if problems:
        raise MatchingError("Поменять нельзя. " + " ".join(problems))
    for row, mentor_id in changes:
        row.mentor_profile_id = mentor_id
        row.as_group = False
        if mentor_id is None:
            row.locked = False
            row.score = 0
            row.reasons = []
            row.unmatched_reason = "swapped"
            row.unmatched_text = "Наставник передан другому наставляемому"
            row.next_step = "Запустите подбор заново, чтобы предложить другого наставника."
            continue
        mentee, mentor = data.mentee(row.mentee_profile_id), data.mentor(mentor_id)
        assert mentee is not None and mentor is not None  # noqa: S101 - checked above
        # The curator's own decision: keep it through re-runs.
        row.locked = True
        row.score, row.reasons = _reasons_json(pool, mentee, mentor, locked=True)
        row.unmatched_reason = row.unmatched_text = row.next_step = ""
    await db.flush()


async def draft_state(
    db: AsyncSession, school: School, matching_round: MatchingRound, view: ProposalView
) -> list[tuple[MentorProfile, int]]:
    """A draft round as its people are now: the counters recomputed (consents, banks and
    proposals change after the run), and the mentors with places left after the proposal."""
    data = await build_pool(db, school, matching_round)
    _set_stats(matching_round, data, covered=len(view.rows))
    free = []
    for mentor in data.pool.mentors:
        profile = data.mentors.get(cast("uuid.UUID", mentor.id))
        places = mentor.capacity - view.load.get(cast("uuid.UUID", mentor.id), 0)
        if profile is not None and places > 0:
            free.append((profile, places))
    await db.flush()
    return sorted(free, key=lambda x: x[0].participant.full_name)


def _set_stats(matching_round: MatchingRound, data: PoolData, *, covered: int) -> None:
    stats = dict(matching_round.stats or {})
    stats.update(
        mentees=len(data.pool.mentees),
        mentors=len(data.pool.mentors),
        places=sum(m.capacity for m in data.pool.mentors),
        covered=covered,
    )
    if stats != matching_round.stats:
        matching_round.stats = stats


async def assign(
    db: AsyncSession, school: School, matching_round: MatchingRound, proposal_id: str, mentor_id: str
) -> MatchingProposal:
    """Give an unmatched mentee a mentor with a free place, by the curator's hand (locked)."""
    row = await _proposal(db, matching_round, proposal_id)
    if row.mentor_profile_id is not None:
        raise MatchingError("У этого наставляемого уже есть наставник в подборе.")
    try:
        mentor_key = uuid.UUID(mentor_id)
    except ValueError:
        raise MatchingError("Выберите наставника из списка.") from None
    data = await build_pool(db, school, matching_round)
    mentee, mentor = data.mentee(row.mentee_profile_id), data.mentor(mentor_key)
    if mentee is None:
        raise MatchingError("Наставляемый больше не входит в раунд (нет согласия или уже в паре).")
    if mentor is None:
        raise MatchingError("Этот наставник не входит в раунд: нет согласия, выбыл или другая форма.")
    taken = sum(1 for p in await proposals(db, school, matching_round) if p.mentor_profile_id == mentor.id)
    broken = [v for v in hard_rule_violations(data.pool, mentee, mentor) if v.value != "capacity"]
    if taken >= mentor.capacity:
        raise MatchingError(
            f"У наставника {mentor.name} нет свободных мест: занято {taken} из {mentor.capacity}."
        )
    if broken:
        raise MatchingError(f"{mentee.name} — {mentor.name}: " + "; ".join(VIOLATION_TEXT[v] for v in broken))
    row.mentor_profile_id = mentor_key
    row.locked = True
    row.as_group = False
    row.score, row.reasons = _reasons_json(data.pool, mentee, mentor, locked=True)
    row.unmatched_reason = row.unmatched_text = row.next_step = ""
    _set_stats(matching_round, data, covered=int((matching_round.stats or {}).get("covered", 0)) + 1)
    await db.flush()
    return row


async def toggle_group(
    db: AsyncSession, school: School, matching_round: MatchingRound, mentor_profile_id: str
) -> bool:
    """Turn a mentor's proposed pairs into one group (or back into pairs)."""
    if matching_round.status is not RoundStatus.DRAFT:
        raise MatchingError("Раунд уже утверждён: изменить подбор нельзя.")
    try:
        key = uuid.UUID(mentor_profile_id)
    except ValueError:
        raise MatchingError("Наставник не найден.") from None
    rows = [p for p in await proposals(db, school, matching_round) if p.mentor_profile_id == key]
    if len(rows) < 2:
        raise MatchingError("В группу объединяются два и более наставляемых одного наставника.")
    grouped = not all(r.as_group for r in rows)
    for r in rows:
        r.as_group = grouped
    await db.flush()
    return grouped


# --- the proposal as a table ----------------------------------------------------------------


@dataclass
class ProposalRow:
    proposal: MatchingProposal
    mentee: MenteeProfile
    mentor: MentorProfile | None


@dataclass
class ProposalView:
    rows: list[ProposalRow]
    unmatched: list[ProposalRow]
    mentors_in_groups: set[uuid.UUID]
    # Mentor profile id → number of mentees proposed to them.
    load: dict[uuid.UUID, int]


async def proposal_view(db: AsyncSession, school: School, matching_round: MatchingRound) -> ProposalView:
    rows = await proposals(db, school, matching_round)
    mentee_ids = [r.mentee_profile_id for r in rows]
    mentor_ids = [r.mentor_profile_id for r in rows if r.mentor_profile_id]
    mentees = {
        p.id: p
        for p in (
            await db.execute(
                select(MenteeProfile)
                .where(MenteeProfile.school_id == school.id, MenteeProfile.id.in_(mentee_ids))
                .options(selectinload(MenteeProfile.participant), selectinload(MenteeProfile.directions))
            )
        ).scalars()
    }
    mentors = {
        p.id: p
        for p in (
            await db.execute(
                select(MentorProfile)
                .where(MentorProfile.school_id == school.id, MentorProfile.id.in_(mentor_ids))
                .options(selectinload(MentorProfile.participant), selectinload(MentorProfile.directions))
            )
        ).scalars()
    }
    view = ProposalView([], [], set(), defaultdict(int))
    for r in rows:
        row = ProposalRow(
            r, mentees[r.mentee_profile_id], mentors.get(r.mentor_profile_id) if r.mentor_profile_id else None
        )
        if row.mentor is None:
            view.unmatched.append(row)
        else:
            view.rows.append(row)
            view.load[row.mentor.id] += 1
            if r.as_group:
                view.mentors_in_groups.add(row.mentor.id)
    view.rows.sort(
        key=lambda x: (x.mentor.participant.full_name if x.mentor else "", x.mentee.participant.full_name)
    )
    view.unmatched.sort(key=lambda x: x.mentee.participant.full_name)
    return view


# --- approval ---------------------------------------------------------------------------------

APPROVE_FIELDS = ("order_number", "order_date", "started_on")


def _parse_date(form: Form, name: str, *, required: bool) -> dt.date | None:
    raw = form.value(name)
    if not raw:
        if required:
            form.error(name, "Укажите дату.")
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        form.error(name, "Дата пишется так: 01.10.2025.")
        return None


def _check_order_dates(
    form: Form, year: AcademicYear, order_date: dt.date | None, started_on: dt.date | None
) -> None:
    """An order is signed by today and before its year ends (late August for the coming year is
    usual); pairs start on the order's day or later, inside the year."""
    if order_date is not None:
        if order_date > local_today():
            form.error("order_date", "Дата приказа не может быть в будущем: утверждают подписанный приказ.")
        elif order_date > year.ends:
            form.error("order_date", year.outside_message("Дата приказа"))
    if order_date is not None and started_on is not None and started_on < order_date:
        form.error("started_on", f"Пары не начинают работу раньше приказа ({order_date:%d.%m.%Y}).")
    elif started_on is not None and started_on > year.ends:
        form.error("started_on", year.outside_message("Начало работы пар"))


async def approve(
    db: AsyncSession, school: School, matching_round: MatchingRound, user_id: uuid.UUID, form: Form
) -> list[Mentorship] | None:
    """Create the pairs and groups of the proposal; None with errors in `form`."""
    from nastavnik.school.pairs.services import create_mentorship

    if matching_round.status is not RoundStatus.DRAFT:
        form.error("__all__", "Раунд уже утверждён.")
        return None
    number = form.require("order_number", "Укажите номер приказа.")
    order_date = _parse_date(form, "order_date", required=True)
    started_on = _parse_date(form, "started_on", required=False) or order_date
    if len(number) > 40:
        form.error("order_number", "Номер приказа — не длиннее 40 символов.")
    _check_order_dates(form, AcademicYear(matching_round.academic_year), order_date, started_on)
    view = await proposal_view(db, school, matching_round)
    if not view.rows:
        form.error("__all__", "В подборе нет ни одной пары: утверждать нечего.")
    if not form.ok or order_date is None:
        return None
    # Check every pair against the banks as they are now (a consent may have been withdrawn).
    data = await build_pool(db, school, matching_round)
    problems = []
    for row in view.rows:
        mentee, mentor = (
            data.mentee(row.mentee.id),
            data.mentor(row.mentor.id if row.mentor else uuid.uuid4()),
        )
        if mentee is None or mentor is None:
            problems.append(f"{row.mentee.participant.full_name}: участник больше не может входить в подбор")
            continue
        broken = [v for v in hard_rule_violations(data.pool, mentee, mentor) if v.value != "capacity"]
        if broken:
            problems.append(f"{mentee.name} — {mentor.name}: " + "; ".join(VIOLATION_TEXT[v] for v in broken))
    if problems:
        form.error("__all__", "Подбор устарел, запустите его заново. " + " ".join(problems))
        return None

    by_mentor: dict[uuid.UUID, list[ProposalRow]] = defaultdict(list)
    for row in view.rows:
        assert row.mentor is not None  # noqa: S101 - rows with a mentor only
        by_mentor[row.mentor.id].append(row)
    created: list[Mentorship] = []
    for rows in by_mentor.values():
        mentor_profile = rows[0].mentor
        assert mentor_profile is not None  # noqa: S101
        grouped = [r for r in rows if r.proposal.as_group]
        batches = [grouped] if len(grouped) > 1 else []
        batches += [[r] for r in rows if not (r.proposal.as_group and len(grouped) > 1)]
        for batch in batches:
            created.append(  # noqa: PERF401 - each creation awaits
                await create_mentorship(
                    db,
                    school,
                    year=matching_round.academic_year,
                    form=matching_round.form,
                    mentors=[mentor_profile],
                    mentees=[r.mentee for r in batch],
                    started_on=started_on,
                    round_id=matching_round.id,
                )
            )
    matching_round.status = RoundStatus.APPROVED
    matching_round.approved_at = utcnow()
    matching_round.approved_by_id = user_id
    matching_round.order_number = number
    matching_round.order_date = order_date
    await db.flush()
    return created


async def approved_rounds(
    db: AsyncSession, school: School, year: int, limit: int = 50
) -> list[MatchingRound]:
    """The year's pairs orders (approved rounds), the latest first; a school has a few."""
    result = await db.execute(
        select(MatchingRound)
        .where(
            MatchingRound.school_id == school.id,
            MatchingRound.academic_year == year,
            MatchingRound.status == RoundStatus.APPROVED,
        )
        .order_by(MatchingRound.order_date.desc(), MatchingRound.approved_at.desc())
        .limit(limit)
    )
    return list(result.scalars())


CORRECTION_FIELDS = ("order_number", "order_date", "reason")


async def correct_order(
    db: AsyncSession, school: School, matching_round: MatchingRound, user_id: uuid.UUID, form: Form
) -> bool:
    """Change an approved round's order number or date (a typo, a re-signed order); the old
    values are kept in `order_corrections`. The date obeys the approval's rules, and the
    pairs of the order do not start before it."""
    from nastavnik.school.pairs.models import Mentorship

    if matching_round.status is not RoundStatus.APPROVED:
        form.error("__all__", "Исправить можно только приказ утверждённого подбора.")
        return False
    number = form.require("order_number", "Укажите номер приказа.")
    if len(number) > 40:
        form.error("order_number", "Номер приказа — не длиннее 40 символов.")
    order_date = _parse_date(form, "order_date", required=True)
    reason = form.require("reason", "Напишите, почему исправляете: например, «опечатка в номере».")
    if len(reason) > 300:
        form.error("reason", f"Не длиннее 300 символов; сейчас {len(reason)}.")
    _check_order_dates(form, AcademicYear(matching_round.academic_year), order_date, None)
    first_start = await db.scalar(
        select(func.min(Mentorship.started_on)).where(
            Mentorship.school_id == school.id, Mentorship.round_id == matching_round.id
        )
    )
    if order_date is not None and first_start is not None and order_date > first_start:
        form.error(
            "order_date", f"Пары по приказу начали работу {first_start:%d.%m.%Y}: приказ не может быть позже."
        )
    if form.ok and number == matching_round.order_number and order_date == matching_round.order_date:
        form.error("__all__", "Номер и дата те же, что в приказе: исправлять нечего.")
    if not form.ok or order_date is None:
        return False
    matching_round.order_corrections = [
        *(matching_round.order_corrections or []),
        {
            "on": utcnow().isoformat(),
            "by": str(user_id),
            "number": matching_round.order_number,
            "date": matching_round.order_date.isoformat() if matching_round.order_date else "",
            "reason": reason,
        },
    ]
    matching_round.order_number = number
    matching_round.order_date = order_date
    await db.flush()
    return True


async def round_mentorships(
    db: AsyncSession, school: School, matching_round: MatchingRound
) -> list[Mentorship]:
    from nastavnik.school.pairs.services import list_mentorships

    return await list_mentorships(db, school, round_id=matching_round.id)


# --- marks and preferences ------------------------------------------------------------------


async def year_people(
    db: AsyncSession, school: School, year: int
) -> tuple[list[MenteeProfile], list[MentorProfile]]:
    mentees = (
        await db.execute(
            select(MenteeProfile)
            .where(MenteeProfile.school_id == school.id, MenteeProfile.academic_year == year)
            .options(selectinload(MenteeProfile.participant))
        )
    ).scalars()
    mentors = (
        await db.execute(
            select(MentorProfile)
            .where(MentorProfile.school_id == school.id, MentorProfile.academic_year == year)
            .options(selectinload(MentorProfile.participant))
        )
    ).scalars()
    return (
        sorted(mentees, key=lambda p: p.participant.full_name),
        sorted(mentors, key=lambda p: p.participant.full_name),
    )


async def _participant(db: AsyncSession, school: School, raw: str) -> Participant | None:
    try:
        key = uuid.UUID(raw)
    except ValueError:
        return None
    return await db.scalar(
        select(Participant).where(Participant.school_id == school.id, Participant.id == key)
    )


MARK_FIELDS = ("mentee", "mentor", "note")


def _same_person(person: Any, school_id: Any, participant_id: Any) -> ColumnElement[bool]:
    """The join of a participant row on a composite (school_id, participant) reference."""
    return and_(person.school_id == school_id, person.id == participant_id)


async def marks_page(
    db: AsyncSession, school: School, page: int = 1
) -> tuple[list[tuple[IncompatibilityMark, Participant, Participant]], Window]:
    """One page of the psychologist's marks with both people, newest first, in one statement."""
    mentee, mentor = aliased(Participant), aliased(Participant)
    query = (
        select(IncompatibilityMark, mentee, mentor)
        .join(
            mentee,
            (mentee.school_id == IncompatibilityMark.school_id)
            & (mentee.id == IncompatibilityMark.mentee_id),
        )
        .join(
            mentor,
            (mentor.school_id == IncompatibilityMark.school_id)
            & (mentor.id == IncompatibilityMark.mentor_id),
        )
        .where(IncompatibilityMark.school_id == school.id)
        .order_by(IncompatibilityMark.created_at.desc(), IncompatibilityMark.id)
    )
    rows, window = await page_of(db, query, page)
    return [(mark, a, b) for mark, a, b in rows], window


async def add_mark(
    db: AsyncSession, school: School, user_id: uuid.UUID, form: Form
) -> IncompatibilityMark | None:
    mentee = await _participant(db, school, form.require("mentee", "Выберите наставляемого."))
    mentor = await _participant(db, school, form.require("mentor", "Выберите наставника."))
    if form.value("mentee") and mentee is None:
        form.error("mentee", "Участник не найден.")
    if form.value("mentor") and mentor is None:
        form.error("mentor", "Участник не найден.")
    if mentee and mentor and mentee.id == mentor.id:
        form.error("mentor", "Выберите двух разных людей.")
    if not form.ok or mentee is None or mentor is None:
        return None
    existing = await db.scalar(
        select(IncompatibilityMark).where(
            IncompatibilityMark.school_id == school.id,
            IncompatibilityMark.mentee_id == mentee.id,
            IncompatibilityMark.mentor_id == mentor.id,
        )
    )
    if existing:
        form.error("mentor", "Такая отметка уже есть.")
        return None
    mark = IncompatibilityMark(
        school_id=school.id,
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        note=form.value("note"),
        marked_by_id=user_id,
    )
    db.add(mark)
    await db.flush()
    return mark


async def remove_mark(db: AsyncSession, school: School, mark_id: str) -> bool:
    try:
        key = uuid.UUID(mark_id)
    except ValueError:
        return False
    result = await db.execute(
        delete(IncompatibilityMark).where(
            IncompatibilityMark.school_id == school.id, IncompatibilityMark.id == key
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def preferences_page(
    db: AsyncSession, school: School, year: int, page: int = 1
) -> tuple[list[tuple[MatchingPreference, Participant, Participant]], Window]:
    """One page of the year's preferences with who chose whom, newest first, in one statement."""
    chooser, chosen = aliased(Participant), aliased(Participant)
    query = (
        select(MatchingPreference, chooser, chosen)
        .join(
            chooser,
            (chooser.school_id == MatchingPreference.school_id)
            & (chooser.id == MatchingPreference.chooser_id),
        )
        .join(
            chosen,
            (chosen.school_id == MatchingPreference.school_id) & (chosen.id == MatchingPreference.chosen_id),
        )
        .where(MatchingPreference.school_id == school.id, MatchingPreference.academic_year == year)
        .order_by(MatchingPreference.created_at.desc(), MatchingPreference.id)
    )
    rows, window = await page_of(db, query, page)
    return [(pref, a, b) for pref, a, b in rows], window


async def year_people_page(
    db: AsyncSession, school: School, year: int, page: int = 1
) -> tuple[list[tuple[uuid.UUID, str, PreferenceSide]], Window]:
    """One page of the year's mentees and mentors (id, full name, side), by name: whom to send a link."""
    name = func.concat_ws(" ", Participant.last_name, Participant.first_name, Participant.middle_name)
    mentees = (
        select(
            Participant.id.label("id"), name.label("name"), literal(PreferenceSide.MENTEE.value).label("side")
        )
        .join(
            MenteeProfile,
            (MenteeProfile.school_id == Participant.school_id)
            & (MenteeProfile.participant_id == Participant.id),
        )
        .where(MenteeProfile.school_id == school.id, MenteeProfile.academic_year == year)
    )
    mentors = (
        select(
            Participant.id.label("id"), name.label("name"), literal(PreferenceSide.MENTOR.value).label("side")
        )
        .join(
            MentorProfile,
            (MentorProfile.school_id == Participant.school_id)
            & (MentorProfile.participant_id == Participant.id),
        )
        .where(MentorProfile.school_id == school.id, MentorProfile.academic_year == year)
    )
    people = union_all(mentees, mentors).subquery()
    query = select(people.c.id, people.c.name, people.c.side).order_by(
        people.c.name, people.c.side, people.c.id
    )
    rows, window = await page_of(db, query, page)
    return [(pid, str(full_name), PreferenceSide(side)) for pid, full_name, side in rows], window


PREFERENCE_FIELDS = ("side", "chooser", "chosen")


async def add_preference(
    db: AsyncSession, school: School, year: int, form: Form, *, by_link: bool = False
) -> MatchingPreference | None:
    side_value = form.require("side", "Выберите, кто выбирает.")
    if side_value and side_value not in {s.value for s in PreferenceSide}:
        form.error("side", "Выберите, кто выбирает.")
    chooser = await _participant(db, school, form.require("chooser", "Выберите участника."))
    chosen = await _participant(db, school, form.require("chosen", "Выберите, кого он(а) выбрал(а)."))
    if chooser and chosen and chooser.id == chosen.id:
        form.error("chosen", "Участник не может выбрать самого себя.")
    if not form.ok or chooser is None or chosen is None:
        if form.ok:
            form.error("chooser", "Участник не найден.")
        return None
    side = PreferenceSide(side_value)
    existing = await db.scalar(
        select(MatchingPreference).where(
            MatchingPreference.school_id == school.id,
            MatchingPreference.academic_year == year,
            MatchingPreference.side == side,
            MatchingPreference.chooser_id == chooser.id,
            MatchingPreference.chosen_id == chosen.id,
        )
    )
    if existing:
        return existing
    pref = MatchingPreference(
        school_id=school.id,
        academic_year=year,
        side=side,
        chooser_id=chooser.id,
        chosen_id=chosen.id,
        entered_by_link=by_link,
    )
    db.add(pref)
    await db.flush()
    return pref


async def remove_preference(db: AsyncSession, school: School, preference_id: str) -> bool:
    try:
        key = uuid.UUID(preference_id)
    except ValueError:
        return False
    result = await db.execute(
        delete(MatchingPreference).where(
            MatchingPreference.school_id == school.id, MatchingPreference.id == key
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def current_year() -> AcademicYear:
    return AcademicYear.current(local_today())


# --- personal links: a participant states preferences without signing in --------------------

LINK_MAX_AGE = 30 * 24 * 3600
MAX_CHOICES = 3


@dataclass
class LinkTarget:
    school: School
    chooser: Participant
    side: PreferenceSide
    year: int


def preference_token(
    secret: str, school: School, participant_id: uuid.UUID, side: PreferenceSide, year: int
) -> str:
    payload = {"s": str(school.id), "p": str(participant_id), "d": side.value, "y": year}
    return sign(secret, payload, purpose=Purpose.PREFERENCE_LINK)


async def resolve_link(db: AsyncSession, secret: str, token: str) -> LinkTarget | None:
    """Who the personal link belongs to; None if it is forged, expired or the person is gone."""
    payload = unsign(secret, token, purpose=Purpose.PREFERENCE_LINK, max_age=LINK_MAX_AGE)
    if payload is None:
        return None
    try:
        school_id, person_id = uuid.UUID(str(payload["s"])), uuid.UUID(str(payload["p"]))
        side, year = PreferenceSide(str(payload["d"])), int(payload["y"])
    except (KeyError, ValueError):
        return None
    school = await db.get(School, school_id)
    if school is None:
        return None
    await set_school(db, school.id)
    chooser = await db.scalar(
        select(Participant).where(
            Participant.school_id == school.id,
            Participant.id == person_id,
            Participant.anonymised_at.is_(None),
            valid_consent_clause(),
        )
    )
    return LinkTarget(school, chooser, side, year) if chooser else None


async def link_choices(db: AsyncSession, target: LinkTarget) -> list[Participant]:
    """The other side of the year's banks, consented people only (names are shown to others)."""
    profile: type[MenteeProfile] | type[MentorProfile] = (
        MentorProfile if target.side is PreferenceSide.MENTEE else MenteeProfile
    )
    query = (
        select(Participant)
        .join(
            profile, (profile.school_id == Participant.school_id) & (profile.participant_id == Participant.id)
        )
        .where(
            Participant.school_id == target.school.id,
            profile.academic_year == target.year,
            Participant.id != target.chooser.id,
            Participant.anonymised_at.is_(None),
            valid_consent_clause(),
        )
        .order_by(Participant.last_name, Participant.first_name)
    )
    return list((await db.execute(query)).scalars().unique())


async def chosen_by_link(db: AsyncSession, target: LinkTarget) -> set[uuid.UUID]:
    query = select(MatchingPreference.chosen_id).where(
        MatchingPreference.school_id == target.school.id,
        MatchingPreference.academic_year == target.year,
        MatchingPreference.side == target.side,
        MatchingPreference.chooser_id == target.chooser.id,
    )
    return set((await db.execute(query)).scalars())


async def save_link_choices(db: AsyncSession, target: LinkTarget, chosen: list[str], form: Form) -> bool:
    allowed = {str(p.id): p for p in await link_choices(db, target)}
    picked = list(dict.fromkeys(c for c in chosen if c in allowed))
    if not picked:
        form.error("chosen", "Отметьте хотя бы одного человека.")
    if len(picked) > MAX_CHOICES:
        form.error("chosen", f"Можно выбрать не больше {MAX_CHOICES}.")
    if not form.ok:
        return False
    await db.execute(
        delete(MatchingPreference).where(
            MatchingPreference.school_id == target.school.id,
            MatchingPreference.academic_year == target.year,
            MatchingPreference.side == target.side,
            MatchingPreference.chooser_id == target.chooser.id,
        )
    )
    for key in picked:
        db.add(
            MatchingPreference(
                school_id=target.school.id,
                academic_year=target.year,
                side=target.side,
                chooser_id=target.chooser.id,
                chosen_id=allowed[key].id,
                entered_by_link=True,
            )
        )
    await db.flush()
    return True
