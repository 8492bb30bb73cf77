"""Assign the whole pool at once: a min-cost flow over the candidate graph (OR-Tools).

source → mentee (capacity 1) → mentor (capacity 1 per candidate arc) → sink (the mentor's
free places). Two modes:

* best total fit: a maximum-weight assignment; every mentee may also stay unassigned, so
  the flow takes a pair only where it adds to the total. Ties go to covering more people.
* as many mentees covered as possible: the maximum flow, and among all maximum flows the
  one with the best total fit (`solve_max_flow_with_min_cost`).

Locked pairs are taken as they are (if they break no hard rule and fit the capacity) and the
rest of the pool is solved around them.
"""

from __future__ import annotations

import enum
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.graph.python import min_cost_flow

from nastavnik.school.matching.scoring import (
    VIOLATION_TEXT,
    Candidates,
    Key,
    Mentee,
    Mentor,
    Pool,
    Violation,
    build_candidates,
    hard_rule_violations,
    score_pair,
)


class Mode(enum.StrEnum):
    BEST_FIT = "best_fit"
    COVERAGE = "coverage"


MODE_TITLES: dict[Mode, str] = {
    Mode.BEST_FIT: "Наилучшее совпадение",
    Mode.COVERAGE: "Охватить как можно больше наставляемых",
}


class UnmatchedReason(enum.StrEnum):
    NO_CONSENT = "no_consent"
    NOT_ELIGIBLE = "not_eligible"
    NO_MENTOR_FOR_DIRECTION = "no_mentor_for_direction"
    NO_COMPATIBLE_MENTOR = "no_compatible_mentor"
    CAPACITY_FULL = "capacity_full"


NEXT_STEPS: dict[UnmatchedReason, str] = {
    UnmatchedReason.NO_CONSENT: (
        "Получить согласие на обработку персональных данных "
        "(за несовершеннолетнего — от родителя или законного представителя)."
    ),
    UnmatchedReason.NOT_ELIGIBLE: "Подобрать наставника в другой форме наставничества.",
    UnmatchedReason.NO_MENTOR_FOR_DIRECTION: (
        "Продолжить поиск: пополнить базу наставников или найти наставника в другой организации "
        "(межшкольный поиск); на время поиска — сопровождение педагога-психолога."
    ),
    UnmatchedReason.NO_COMPATIBLE_MENTOR: (
        "Обсудить запрос с педагогом-психологом и продолжить поиск наставника."
    ),
    UnmatchedReason.CAPACITY_FULL: (
        "Увеличить число наставляемых у подходящего наставника или объединить в группу; "
        "иначе — в следующий раунд, на время ожидания — сопровождение педагога-психолога."
    ),
}


@dataclass(frozen=True)
class Assignment:
    mentee_id: Key
    mentor_id: Key
    score: int
    locked: bool = False


@dataclass(frozen=True)
class Unmatched:
    mentee_id: Key
    reason: UnmatchedReason
    text: str

    @property
    def next_step(self) -> str:
        return NEXT_STEPS[self.reason]


@dataclass(frozen=True)
class RejectedLock:
    mentee_id: Key
    mentor_id: Key
    text: str


@dataclass
class Solution:
    mode: Mode
    assignments: list[Assignment]
    unmatched: list[Unmatched]
    rejected_locks: list[RejectedLock] = field(default_factory=list)
    arcs: int = 0
    pruned: bool = False
    seconds: float = 0.0

    @property
    def total_score(self) -> int:
        return sum(a.score for a in self.assignments)

    @property
    def covered(self) -> int:
        return len(self.assignments)


def _pair_score(pool: Pool, mentee: Mentee, mentor: Mentor) -> int:
    score = score_pair(pool, mentee, mentor)
    return score.points if score else 0


def _apply_locks(
    pool: Pool, locks: Iterable[tuple[Key, Key]]
) -> tuple[list[Assignment], list[RejectedLock], set[Key], dict[Key, int]]:
    mentees = {x.id: x for x in pool.mentees}
    mentors = {x.id: x for x in pool.mentors}
    used: Counter[Key] = Counter()
    kept: list[Assignment] = []
    rejected: list[RejectedLock] = []
    taken: set[Key] = set()
    for mentee_id, mentor_id in locks:
        mentee, mentor = mentees.get(mentee_id), mentors.get(mentor_id)
        if mentee is None or mentor is None:
            rejected.append(RejectedLock(mentee_id, mentor_id, "Участник больше не входит в раунд"))
            continue
        if mentee_id in taken:
            rejected.append(
                RejectedLock(mentee_id, mentor_id, "Наставляемый уже закреплён за другим наставником")
            )
            continue
        # A curator may lock a pair the score would not propose; hard rules still hold.
        broken: list[Violation] = [
            v for v in hard_rule_violations(pool, mentee, mentor) if v is not Violation.CAPACITY
        ]
        if mentor.capacity - used[mentor_id] <= 0:
            broken.append(Violation.CAPACITY)
        if broken:
            rejected.append(RejectedLock(mentee_id, mentor_id, "; ".join(VIOLATION_TEXT[v] for v in broken)))
            continue
        used[mentor_id] += 1
        taken.add(mentee_id)
        kept.append(Assignment(mentee_id, mentor_id, _pair_score(pool, mentee, mentor), locked=True))
    return kept, rejected, taken, dict(used)


def _flow(candidates: Candidates, capacities: np.ndarray, n: int, m: int, mode: Mode) -> list[int]:
    """Solve the flow; the index of the chosen arc per mentee, or -1."""
    chosen = [-1] * n
    if candidates.arcs == 0:
        return chosen
    source, sink = n + m, n + m + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    scores = candidates.score
    # Best fit maximises Σ score, then the number of pairs: score × (n + 1) + 1 per pair keeps
    # the total score first (n pairs add at most n < n + 1).
    costs = -(scores * (n + 1) + 1) if mode is Mode.BEST_FIT else -scores
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        candidates.mentee, candidates.mentor + n, np.ones_like(scores), costs
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n, source), np.arange(n), np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(m) + n, np.full(m, sink), capacities.astype(np.int64), np.zeros(m, dtype=np.int64)
    )
    if mode is Mode.BEST_FIT:
        # Nobody has to be assigned: a free way from the source to the sink.
        flow.add_arc_with_capacity_and_unit_cost(source, sink, n, 0)
        flow.set_node_supply(source, n)
        flow.set_node_supply(sink, -n)
        status = flow.solve()
    else:
        total = int(min(n, int(capacities.sum())))
        flow.set_node_supply(source, total)
        flow.set_node_supply(sink, -total)
        status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    flows = flow.flows(pair_arcs)
    for arc in np.nonzero(flows > 0)[0]:
        chosen[int(candidates.mentee[arc])] = int(arc)
    return chosen


def solve(
    pool: Pool,
    mode: Mode = Mode.BEST_FIT,
    locks: Iterable[tuple[Key, Key]] = (),
    *,
    per_person: int | None = None,
) -> Solution:
    """Assign the pool; `per_person` thins the candidate graph (see `build_candidates`),
    which happens by itself for pools above `FULL_GRAPH_LIMIT` pairs."""
    started = time.perf_counter()
    locked, rejected, taken, used = _apply_locks(pool, locks)
    free_mentees = [x for x in pool.mentees if x.id not in taken]
    free_mentors = [replace(x, capacity=max(0, x.capacity - used.get(x.id, 0))) for x in pool.mentors]
    sub = replace(pool, mentees=free_mentees, mentors=free_mentors)
    candidates = build_candidates(sub, per_person=per_person)
    n, m = len(free_mentees), len(free_mentors)
    capacities = np.array([x.capacity for x in free_mentors], dtype=np.int64)
    chosen = _flow(candidates, capacities, n, m, mode)

    assignments = list(locked)
    left = capacities.copy()
    for i, arc in enumerate(chosen):
        if arc >= 0:
            j = int(candidates.mentor[arc])
            left[j] -= 1
            assignments.append(Assignment(free_mentees[i].id, free_mentors[j].id, int(candidates.score[arc])))
    if candidates.pruned:
        assignments += _fill_spare_places(sub, chosen, left, mode)
    assigned = {a.mentee_id for a in assignments}
    unmatched = [_explain(sub, i, candidates) for i, x in enumerate(free_mentees) if x.id not in assigned]
    return Solution(
        mode,
        assignments,
        unmatched,
        rejected,
        arcs=candidates.arcs,
        pruned=candidates.pruned,
        seconds=time.perf_counter() - started,
    )


def _fill_spare_places(sub: Pool, chosen: list[int], left: np.ndarray, mode: Mode) -> list[Assignment]:
    """A thinned graph may leave a mentee out while a compatible mentor it did not keep
    still has room; solve those leftovers once more against the mentors with free places."""
    rest = [x for i, x in enumerate(sub.mentees) if chosen[i] < 0]
    spare = [replace(x, capacity=int(left[j])) for j, x in enumerate(sub.mentors) if left[j] > 0]
    if not rest or not spare:
        return []
    pool = replace(sub, mentees=rest, mentors=spare)
    candidates = build_candidates(pool)
    picked = _flow(
        candidates, np.array([x.capacity for x in spare], dtype=np.int64), len(rest), len(spare), mode
    )
    return [
        Assignment(rest[i].id, spare[int(candidates.mentor[arc])].id, int(candidates.score[arc]))
        for i, arc in enumerate(picked)
        if arc >= 0
    ]


def _explain(pool: Pool, i: int, candidates: Candidates) -> Unmatched:
    mentee = pool.mentees[i]
    if not mentee.has_consent:
        return Unmatched(
            mentee.id, UnmatchedReason.NO_CONSENT, "Нет согласия на обработку персональных данных"
        )
    if mentee.kind not in pool.form.mentee_kinds:
        return Unmatched(
            mentee.id,
            UnmatchedReason.NOT_ELIGIBLE,
            f"Форма «{pool.form.title}» не подходит этому участнику",
        )
    if candidates.candidate_count[i] > 0:
        return Unmatched(
            mentee.id,
            UnmatchedReason.CAPACITY_FULL,
            f"Места у подходящих наставников заняты (подходящих: {int(candidates.candidate_count[i])})",
        )
    missing = mentee.directions - candidates.covered_directions
    if missing:
        return Unmatched(
            mentee.id,
            UnmatchedReason.NO_MENTOR_FOR_DIRECTION,
            f"Нет наставника по направлению: {pool.labels_of(missing)}",
        )
    return Unmatched(
        mentee.id,
        UnmatchedReason.NO_COMPATIBLE_MENTOR,
        "Нет наставника, совместимого по правилам формы и отметкам педагога-психолога",
    )


def check_pair(pool: Pool, mentee_id: Key, mentor_id: Key) -> list[str]:
    """The hard rules a pair the curator puts together by hand would break, in words."""
    mentee = next((x for x in pool.mentees if x.id == mentee_id), None)
    mentor = next((x for x in pool.mentors if x.id == mentor_id), None)
    if mentee is None or mentor is None:
        return ["Участник не входит в раунд"]
    return [VIOLATION_TEXT[v] for v in hard_rule_violations(pool, mentee, mentor)]
