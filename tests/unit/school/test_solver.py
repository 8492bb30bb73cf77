"""Properties of the matching solver, checked on random pools (Hypothesis)."""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from nastavnik.school.matching.scoring import (
    FormRules,
    Mentee,
    Mentor,
    Pool,
    Relations,
    Weights,
    build_candidates,
    hard_rule_violations,
    score_pair,
)
from nastavnik.school.matching.solver import Mode, UnmatchedReason, solve

CODES = ("a", "b", "c", "d")
FORMS = (
    FormRules("student_student", "Ученик – ученик", frozenset({"pupil"}), frozenset({"pupil"}), 2),
    FormRules("teacher_student", "Учитель – ученик", frozenset({"teacher"}), frozenset({"pupil"})),
)

codes = st.frozensets(st.sampled_from(CODES), max_size=3)


@st.composite
def pools(draw: st.DrawFn, max_mentees: int = 5, max_mentors: int = 3) -> Pool:
    form = draw(st.sampled_from(FORMS))
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(0, max_mentors))
    # Some mentors are also mentees (the same person), to exercise "nobody with themself".
    mentees = [
        Mentee(
            id=f"e{i}",
            person=f"p{i}",
            name=f"Наставляемый {i}",
            kind=draw(st.sampled_from(("pupil", "pupil", "teacher"))),
            grade=draw(st.one_of(st.none(), st.integers(1, 11))),
            directions=draw(codes),
            request_areas=draw(codes),
            subjects=draw(codes),
            has_consent=draw(st.booleans()) or bool(i % 3),
        )
        for i in range(n)
    ]
    mentors = [
        Mentor(
            id=f"r{j}",
            person=draw(st.sampled_from([f"p{j}", f"q{j}"])),
            name=f"Наставник {j}",
            kind=draw(st.sampled_from(("pupil", "teacher"))),
            capacity=draw(st.integers(0, 3)),
            grade=draw(st.one_of(st.none(), st.integers(1, 11))),
            directions=draw(codes),
            request_areas=draw(codes),
            subjects=draw(codes),
            trained=draw(st.booleans()),
            interviewed=draw(st.booleans()),
            has_consent=draw(st.booleans()) or bool(j % 2),
        )
        for j in range(m)
    ]
    all_pairs = [(x.id, y.id) for x in mentees for y in mentors]
    pair_sets = st.frozensets(st.sampled_from(all_pairs), max_size=4) if all_pairs else st.just(frozenset())
    relations = Relations(
        incompatible=draw(pair_sets),
        terminated=draw(pair_sets),
        excluded=draw(pair_sets),
        mentee_prefers=draw(pair_sets),
        mentor_prefers=draw(pair_sets),
    )
    weights = Weights(
        directions=draw(st.integers(0, 40)),
        subject=draw(st.integers(0, 20)),
        request_areas=draw(st.integers(0, 20)),
        trained=draw(st.integers(0, 10)),
        interviewed=draw(st.integers(0, 10)),
        mentee_preference=draw(st.integers(0, 10)),
        mentor_preference=draw(st.integers(0, 10)),
        mutual_preference=draw(st.integers(0, 10)),
        min_score=draw(st.integers(0, 30)),
        require_direction_overlap=draw(st.booleans()),
    )
    return Pool(form, mentees, mentors, weights, relations)


def _check_feasible(pool: Pool, pairs: list[tuple[str, str]]) -> None:
    mentees = {x.id: x for x in pool.mentees}
    mentors = {x.id: x for x in pool.mentors}
    load = Counter(mentor for _, mentor in pairs)
    for mentor_id, used in load.items():
        assert used <= mentors[mentor_id].capacity, "a mentor is over capacity"
    assert len({mentee for mentee, _ in pairs}) == len(pairs), "a mentee has two mentors"
    for mentee_id, mentor_id in pairs:
        broken = hard_rule_violations(pool, mentees[mentee_id], mentors[mentor_id])
        assert not broken, f"hard rule broken: {broken}"


def _brute_force(pool: Pool) -> tuple[int, tuple[int, int]]:
    """(best total score, best (coverage, total)) over every feasible assignment."""
    options: list[list[tuple[str | None, int]]] = []
    for mentee in pool.mentees:
        row: list[tuple[str | None, int]] = [(None, 0)]
        for mentor in pool.mentors:
            score = score_pair(pool, mentee, mentor)
            if score is not None:
                row.append((str(mentor.id), score.points))
        options.append(row)
    capacity = {x.id: x.capacity for x in pool.mentors}
    best_total, best_cover = 0, (0, 0)
    for choice in itertools.product(*options):
        load = Counter(mentor for mentor, _ in choice if mentor is not None)
        if any(used > capacity[mentor] for mentor, used in load.items()):
            continue
        total = sum(points for _, points in choice)
        covered = sum(1 for mentor, _ in choice if mentor is not None)
        best_total = max(best_total, total)
        best_cover = max(best_cover, (covered, total))
    return best_total, best_cover


@settings(max_examples=300, deadline=None)
@given(pools())
def test_solution_never_exceeds_capacity_nor_breaks_a_hard_rule(pool: Pool) -> None:
    for mode in Mode:
        solution = solve(pool, mode)
        _check_feasible(pool, [(str(a.mentee_id), str(a.mentor_id)) for a in solution.assignments])


@settings(max_examples=200, deadline=None)
@given(pools(max_mentees=8, max_mentors=5), st.integers(1, 3))
def test_thinned_candidate_graph_still_gives_a_valid_assignment(pool: Pool, per_person: int) -> None:
    for mode in Mode:
        solution = solve(pool, mode, per_person=per_person)
        _check_feasible(pool, [(str(a.mentee_id), str(a.mentor_id)) for a in solution.assignments])
        assert {a.mentee_id for a in solution.assignments} | {u.mentee_id for u in solution.unmatched} == {
            x.id for x in pool.mentees
        }


@settings(max_examples=300, deadline=None)
@given(pools())
def test_solution_is_optimal_against_brute_force(pool: Pool) -> None:
    best_total, best_cover = _brute_force(pool)
    best_fit = solve(pool, Mode.BEST_FIT)
    assert best_fit.total_score == best_total
    coverage = solve(pool, Mode.COVERAGE)
    assert (coverage.covered, coverage.total_score) == best_cover


@settings(max_examples=200, deadline=None)
@given(pools())
def test_coverage_mode_covers_at_least_as_many_as_best_fit(pool: Pool) -> None:
    assert solve(pool, Mode.COVERAGE).covered >= solve(pool, Mode.BEST_FIT).covered


@settings(max_examples=200, deadline=None)
@given(pools(max_mentees=8, max_mentors=6))
def test_whole_pool_scoring_agrees_with_the_pair_by_pair_score(pool: Pool) -> None:
    expected = {}
    for i, mentee in enumerate(pool.mentees):
        for j, mentor in enumerate(pool.mentors):
            score = score_pair(pool, mentee, mentor)
            if score is not None:
                expected[(i, j)] = score.points
    graph = build_candidates(pool)
    got = {(int(i), int(j)): int(s) for i, j, s in zip(graph.mentee, graph.mentor, graph.score, strict=True)}
    assert got == expected
    thinned = build_candidates(pool, per_person=2)
    for i, j, s in zip(thinned.mentee, thinned.mentor, thinned.score, strict=True):
        assert expected[(int(i), int(j))] == int(s)


@settings(max_examples=200, deadline=None)
@given(pools(), st.data())
def test_valid_locks_are_kept_and_the_rest_is_solved_around_them(pool: Pool, data: st.DataObject) -> None:
    pairs = [(x.id, y.id) for x in pool.mentees for y in pool.mentors]
    locks = data.draw(st.lists(st.sampled_from(pairs), max_size=3)) if pairs else []
    for mode in Mode:
        solution = solve(pool, mode, locks)
        chosen = [(str(a.mentee_id), str(a.mentor_id)) for a in solution.assignments]
        _check_feasible(pool, chosen)
        rejected = {(r.mentee_id, r.mentor_id) for r in solution.rejected_locks}
        for lock in locks:
            assert lock in chosen or lock in rejected
        assert all(
            a.locked == ((a.mentee_id, a.mentor_id) in locks) or not a.locked for a in solution.assignments
        )


@settings(max_examples=200, deadline=None)
@given(pools())
def test_every_mentee_is_either_assigned_or_explained(pool: Pool) -> None:
    solution = solve(pool, Mode.COVERAGE)
    assigned = {a.mentee_id for a in solution.assignments}
    explained = {u.mentee_id for u in solution.unmatched}
    assert assigned | explained == {x.id for x in pool.mentees}
    assert not assigned & explained
    for mentee in pool.mentees:
        if not mentee.has_consent:
            assert mentee.id in explained
            assert (
                next(u for u in solution.unmatched if u.mentee_id == mentee.id).reason
                is UnmatchedReason.NO_CONSENT
            )


def test_mentee_without_a_mentor_for_the_direction_is_told_which_direction() -> None:
    form = FORMS[1]
    pool = Pool(
        form,
        [Mentee("e1", "p1", "Иванов", "pupil", 7, frozenset({"a", "b"}))],
        [Mentor("r1", "q1", "Петрова", "teacher", 2, directions=frozenset({"c"}))],
        labels={"a": "Профессия и карьера", "b": "Гибкие навыки"},
    )
    [unmatched] = solve(pool).unmatched
    assert unmatched.reason is UnmatchedReason.NO_MENTOR_FOR_DIRECTION
    assert "Гибкие навыки, Профессия и карьера" in unmatched.text
    assert "межшкольный поиск" in unmatched.next_step


def test_pupil_mentor_must_be_older_by_the_forms_grade_gap() -> None:
    form = FORMS[0]
    mentee = Mentee("e1", "p1", "Иванов", "pupil", 7, frozenset({"a"}))
    close = Mentor("r1", "q1", "Сидоров", "pupil", 1, grade=8, directions=frozenset({"a"}))
    older = Mentor("r2", "q2", "Кузнецов", "pupil", 1, grade=10, directions=frozenset({"a"}))
    pool = Pool(form, [mentee], [close, older])
    assert score_pair(pool, mentee, close) is None
    [pair] = solve(pool).assignments
    assert pair.mentor_id == "r2"
    assert any("старше на 3 кл." in r.text for r in score_pair(pool, mentee, older).reasons)  # type: ignore[union-attr]


def test_best_fit_may_leave_a_mentee_out_where_coverage_mode_does_not() -> None:
    form = FORMS[1]
    mentees = [
        Mentee("e1", "p1", "А", "pupil", directions=frozenset({"a", "b"})),
        Mentee("e2", "p2", "Б", "pupil", directions=frozenset({"a"})),
    ]
    mentors = [
        Mentor(
            "r1", "q1", "В", "teacher", 1, directions=frozenset({"a", "b"}), trained=True, interviewed=True
        ),
        Mentor("r2", "q2", "Г", "teacher", 1, directions=frozenset({"b"})),
    ]
    pool = Pool(form, mentees, mentors, Weights(min_score=0))
    best = solve(pool, Mode.BEST_FIT)
    cover = solve(pool, Mode.COVERAGE)
    assert cover.covered == 2
    assert best.total_score >= cover.total_score
