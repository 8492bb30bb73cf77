"""Compatibility of a mentee and a mentor: hard rules, a score and its reasons in words.

Plain data in, plain data out: the database layer builds a `Pool` from participants and
the solver assigns it. Two implementations of the same formula live here: `score_pair`
for one pair, with the reasons a curator reads, and `build_candidates`, which scores the
whole pool at once with NumPy so that a regional round of 10,000 × 5,000 people stays
within seconds. A property test keeps the two in agreement.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Key = Hashable
IntArray = npt.NDArray[np.int64]
ScoreArray = npt.NDArray[np.int32]

# Pools larger than this many pairs keep only the best candidates of each person (see
# `build_candidates`); a school's round stays well below and is solved on the full graph.
FULL_GRAPH_LIMIT = 2_000_000
DEFAULT_CANDIDATES_PER_PERSON = 24
_CHUNK_ROWS = 512
_TIE_SPREAD = 1024


@dataclass(frozen=True)
class FormRules:
    """What a form of mentoring allows (from the FORM reference item's attributes)."""

    code: str
    title: str
    mentor_kinds: frozenset[str]
    mentee_kinds: frozenset[str]
    # «ученик – ученик»: the mentor must be older by at least this many grades.
    min_grade_gap: int | None = None

    @classmethod
    def from_attributes(cls, code: str, title: str, attributes: Mapping[str, object]) -> FormRules:
        def kinds(value: object) -> frozenset[str]:
            if isinstance(value, str):
                return frozenset({value})
            if isinstance(value, Iterable):
                return frozenset(str(v) for v in value)
            return frozenset()

        gap = attributes.get("min_grade_gap")
        return cls(
            code=code,
            title=title,
            mentor_kinds=kinds(attributes.get("mentor")),
            mentee_kinds=kinds(attributes.get("mentee")),
            min_grade_gap=int(gap) if isinstance(gap, int | str) and str(gap).isdigit() else None,
        )


@dataclass(frozen=True)
class Weights:
    """Points per criterion; a school may change them. The defaults add up to 100."""

    directions: int = 35
    subject: int = 15
    request_areas: int = 10
    trained: int = 10
    interviewed: int = 10
    mentee_preference: int = 10
    mentor_preference: int = 5
    mutual_preference: int = 5
    # Pairs below this score are not proposed at all.
    min_score: int = 0
    # A mentor who helps with none of the requested directions is not a candidate.
    require_direction_overlap: bool = True

    @property
    def max_score(self) -> int:
        return sum(
            max(0, w)
            for w in (
                self.directions,
                self.subject,
                self.request_areas,
                self.trained,
                self.interviewed,
                self.mentee_preference,
                self.mentor_preference,
                self.mutual_preference,
            )
        )

    FIELDS = (
        "directions",
        "subject",
        "request_areas",
        "trained",
        "interviewed",
        "mentee_preference",
        "mentor_preference",
        "mutual_preference",
        "min_score",
    )

    @classmethod
    def from_mapping(cls, values: Mapping[str, object] | None) -> Weights:
        known = {
            name: value
            for name, value in (values or {}).items()
            if (name in cls.FIELDS and isinstance(value, int) and not isinstance(value, bool))
            or (name == "require_direction_overlap" and isinstance(value, bool))
        }
        return cls(**known)  # type: ignore[arg-type]

    def to_mapping(self) -> dict[str, int | bool]:
        data: dict[str, int | bool] = {name: getattr(self, name) for name in self.FIELDS}
        data["require_direction_overlap"] = self.require_direction_overlap
        return data


WEIGHT_TITLES: dict[str, str] = {
    "directions": "Совпадение направлений наставничества",
    "subject": "Предмет",
    "request_areas": "Сферы запроса",
    "trained": "Наставник прошёл обучение",
    "interviewed": "Собеседование с педагогом-психологом пройдено",
    "mentee_preference": "Наставляемый выбрал наставника после групповой встречи",
    "mentor_preference": "Наставник выбрал наставляемого",
    "mutual_preference": "Взаимный выбор",
    "min_score": "Не предлагать пары с баллом ниже",
}


@dataclass(frozen=True)
class Mentee:
    id: Key
    person: Key
    name: str
    kind: str
    grade: int | None = None
    directions: frozenset[str] = frozenset()
    request_areas: frozenset[str] = frozenset()
    subjects: frozenset[str] = frozenset()
    has_consent: bool = True


@dataclass(frozen=True)
class Mentor:
    id: Key
    person: Key
    name: str
    kind: str
    capacity: int
    grade: int | None = None
    directions: frozenset[str] = frozenset()
    request_areas: frozenset[str] = frozenset()
    subjects: frozenset[str] = frozenset()
    trained: bool = False
    interviewed: bool = False
    has_consent: bool = True
    other_school: str | None = None


PairSet = frozenset[tuple[Key, Key]]


@dataclass(frozen=True)
class Relations:
    """What is known about particular pairs, keyed by (mentee id, mentor id)."""

    incompatible: PairSet = frozenset()  # the psychologist's mark
    terminated: PairSet = frozenset()  # a pair of these two was terminated before
    excluded: PairSet = frozenset()  # the curator excluded the pair in this round
    mentee_prefers: PairSet = frozenset()  # stated after the group meeting
    mentor_prefers: PairSet = frozenset()


@dataclass
class Pool:
    form: FormRules
    mentees: Sequence[Mentee]
    mentors: Sequence[Mentor]
    weights: Weights = field(default_factory=Weights)
    relations: Relations = field(default_factory=Relations)
    # Titles of direction, area and subject codes for the reasons; codes shown otherwise.
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, code: str) -> str:
        return self.labels.get(code, code)

    def labels_of(self, codes: Iterable[str]) -> str:
        return ", ".join(sorted(self.label(c) for c in codes))


class Violation(enum.StrEnum):
    """A hard rule that a pair would break; such a pair is never proposed."""

    SELF = "self"
    MENTEE_CONSENT = "mentee_consent"
    MENTOR_CONSENT = "mentor_consent"
    CAPACITY = "capacity"
    MENTEE_FORM = "mentee_form"
    MENTOR_FORM = "mentor_form"
    GRADE_GAP = "grade_gap"
    INCOMPATIBLE = "incompatible"
    TERMINATED = "terminated"
    EXCLUDED = "excluded"


VIOLATION_TEXT: dict[Violation, str] = {
    Violation.SELF: "Наставник и наставляемый — один и тот же человек",
    Violation.MENTEE_CONSENT: "Нет согласия наставляемого на обработку персональных данных",
    Violation.MENTOR_CONSENT: "Нет согласия наставника на обработку персональных данных",
    Violation.CAPACITY: "У наставника нет свободных мест",
    Violation.MENTEE_FORM: "Форма наставничества не допускает такого наставляемого",
    Violation.MENTOR_FORM: "Форма наставничества не допускает такого наставника",
    Violation.GRADE_GAP: "Наставник недостаточно старше наставляемого",
    Violation.INCOMPATIBLE: "Педагог-психолог отметил пару как несовместимую",
    Violation.TERMINATED: "Пара этих участников уже была прекращена",
    Violation.EXCLUDED: "Куратор исключил эту пару",
}


@dataclass(frozen=True)
class Reason:
    text: str
    points: int = 0
    # True: speaks for the pair; False: a gap worth knowing; None: neutral information.
    positive: bool | None = True


@dataclass(frozen=True)
class Score:
    points: int
    reasons: tuple[Reason, ...]


def _share(weight: int, hit: int, asked: int) -> int:
    """weight × hit / asked, rounded half up, in integers so both scorers agree exactly."""
    if asked <= 0:
        return 0
    return (2 * weight * hit + asked) // (2 * asked)


def hard_rule_violations(pool: Pool, mentee: Mentee, mentor: Mentor) -> list[Violation]:
    """Every hard rule the pair breaks (capacity included: a full mentor cannot take more)."""
    found: list[Violation] = []
    key = (mentee.id, mentor.id)
    rel = pool.relations
    if mentee.person == mentor.person:
        found.append(Violation.SELF)
    if not mentee.has_consent:
        found.append(Violation.MENTEE_CONSENT)
    if not mentor.has_consent:
        found.append(Violation.MENTOR_CONSENT)
    if mentor.capacity <= 0:
        found.append(Violation.CAPACITY)
    if mentee.kind not in pool.form.mentee_kinds:
        found.append(Violation.MENTEE_FORM)
    if mentor.kind not in pool.form.mentor_kinds:
        found.append(Violation.MENTOR_FORM)
    gap = pool.form.min_grade_gap
    if gap is not None and (
        mentee.grade is None or mentor.grade is None or mentor.grade - mentee.grade < gap
    ):
        found.append(Violation.GRADE_GAP)
    if key in rel.incompatible:
        found.append(Violation.INCOMPATIBLE)
    if key in rel.terminated:
        found.append(Violation.TERMINATED)
    if key in rel.excluded:
        found.append(Violation.EXCLUDED)
    return found


def _directions(pool: Pool, mentee: Mentee, mentor: Mentor) -> tuple[int, list[Reason]] | None:
    w = pool.weights
    asked = mentee.directions
    if not asked:
        return 0, [Reason("Направления не указаны в запросе", 0, None)]
    covered = asked & mentor.directions
    if not covered and w.require_direction_overlap:
        return None
    got = _share(w.directions, len(covered), len(asked))
    reasons = []
    if covered:
        reasons.append(
            Reason(f"Направления: {len(covered)} из {len(asked)} — {pool.labels_of(covered)}", got)
        )
    if asked - covered:
        reasons.append(Reason(f"Не покрыты направления: {pool.labels_of(asked - covered)}", 0, False))
    return got, reasons


def _subject_and_areas(pool: Pool, mentee: Mentee, mentor: Mentor) -> tuple[int, list[Reason]]:
    w = pool.weights
    points = 0
    reasons = []
    subjects = mentee.subjects & mentor.subjects
    if subjects:
        points += w.subject
        reasons.append(Reason(f"Предмет: {pool.labels_of(subjects)}", w.subject))
    elif mentee.subjects:
        reasons.append(Reason(f"Наставник не ведёт: {pool.labels_of(mentee.subjects)}", 0, False))
    asked = mentee.request_areas
    areas = asked & mentor.request_areas
    if asked:
        got = _share(w.request_areas, len(areas), len(asked))
        points += got
        if areas:
            reasons.append(Reason(f"Сферы запроса: {pool.labels_of(areas)}", got))
        else:
            reasons.append(Reason(f"Сферы запроса не совпадают: {pool.labels_of(asked)}", 0, False))
    return points, reasons


def _readiness(pool: Pool, mentee: Mentee, mentor: Mentor) -> tuple[int, list[Reason]]:
    w = pool.weights
    points = 0
    reasons = []
    gap = pool.form.min_grade_gap
    if gap is not None and mentee.grade is not None and mentor.grade is not None:
        older = mentor.grade - mentee.grade
        reasons.append(
            Reason(f"Наставник старше на {older} кл. (по правилам формы — не меньше {gap})", 0, None)
        )
    if mentor.trained:
        points += w.trained
        reasons.append(Reason("Наставник прошёл обучение", w.trained))
    else:
        reasons.append(Reason("Наставник ещё не прошёл обучение", 0, False))
    if mentor.interviewed:
        points += w.interviewed
        reasons.append(Reason("Собеседование с педагогом-психологом пройдено", w.interviewed))
    else:
        reasons.append(Reason("Собеседования с педагогом-психологом не было", 0, False))
    if mentor.other_school:
        reasons.append(Reason(f"Наставник из другой организации: {mentor.other_school}", 0, None))
    return points, reasons


def _preferences(pool: Pool, mentee: Mentee, mentor: Mentor) -> tuple[int, list[Reason]]:
    w = pool.weights
    key = (mentee.id, mentor.id)
    mentee_likes = key in pool.relations.mentee_prefers
    mentor_likes = key in pool.relations.mentor_prefers
    points = 0
    reasons = []
    if mentee_likes:
        points += w.mentee_preference
        reasons.append(
            Reason("Наставляемый выбрал этого наставника после групповой встречи", w.mentee_preference)
        )
    if mentor_likes:
        points += w.mentor_preference
        reasons.append(
            Reason("Наставник выбрал этого наставляемого после групповой встречи", w.mentor_preference)
        )
    if mentee_likes and mentor_likes:
        points += w.mutual_preference
        reasons.append(Reason("Взаимный выбор", w.mutual_preference))
    return points, reasons


def score_pair(pool: Pool, mentee: Mentee, mentor: Mentor) -> Score | None:
    """The pair's score with its reasons, or None when it is not a candidate at all
    (a hard rule is broken, no requested direction is covered, or the score is too low)."""
    if hard_rule_violations(pool, mentee, mentor):
        return None
    directions = _directions(pool, mentee, mentor)
    if directions is None:
        return None
    points, reasons = directions
    for part in (_subject_and_areas, _readiness, _preferences):
        got, why = part(pool, mentee, mentor)
        points += got
        reasons += why
    if points < pool.weights.min_score:
        return None
    return Score(points, tuple(reasons))


# --- the whole pool at once --------------------------------------------------------------


@dataclass
class Candidates:
    """The sparse candidate graph: arc k joins mentee `mentee[k]` and mentor `mentor[k]`."""

    mentee: IntArray
    mentor: IntArray
    score: IntArray
    # How many candidates each mentee had before the graph was thinned out.
    candidate_count: IntArray
    # Directions for which at least one mentor in the pool could take a mentee.
    covered_directions: frozenset[str]
    pruned: bool = False

    @property
    def arcs(self) -> int:
        return int(self.mentee.shape[0])


def _indicator(sets: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> npt.NDArray[np.float32]:
    matrix = np.zeros((len(sets), max(1, len(vocabulary))), dtype=np.float32)
    for row, codes in enumerate(sets):
        for code in codes:
            matrix[row, vocabulary[code]] = 1.0
    return matrix


def _vocabulary(*groups: Iterable[frozenset[str]]) -> dict[str, int]:
    codes: set[str] = set()
    for group in groups:
        for item in group:
            codes |= item
    return {code: i for i, code in enumerate(sorted(codes))}


def _index_pairs(
    pairs: Iterable[tuple[Key, Key]], mentee_index: Mapping[Key, int], mentor_index: Mapping[Key, int]
) -> dict[int, list[int]]:
    by_row: dict[int, list[int]] = defaultdict(list)
    for mentee_id, mentor_id in pairs:
        i = mentee_index.get(mentee_id)
        j = mentor_index.get(mentor_id)
        if i is not None and j is not None:
            by_row[i].append(j)
    return by_row


@dataclass
class _Prepared:
    """The pool as matrices: what `score_blocks` needs, computed once."""

    a_dir: npt.NDArray[np.float32]
    b_dir: npt.NDArray[np.float32]
    a_area: npt.NDArray[np.float32]
    b_area: npt.NDArray[np.float32]
    a_subj: npt.NDArray[np.float32]
    b_subj: npt.NDArray[np.float32]
    asked_dir: IntArray
    asked_area: IntArray
    mentee_ok: npt.NDArray[np.bool_]
    mentor_ok: npt.NDArray[np.bool_]
    mentor_points: IntArray
    mentee_grade: IntArray
    mentor_grade: IntArray
    forbidden: dict[int, list[int]]
    mentee_likes: dict[int, list[int]]
    mentor_likes: dict[int, list[int]]
    mutual: dict[int, list[int]]
    covered: frozenset[str]


def _prepare(pool: Pool) -> _Prepared:
    mentees, mentors, w, form = pool.mentees, pool.mentors, pool.weights, pool.form
    dir_vocab = _vocabulary((x.directions for x in mentees), (x.directions for x in mentors))
    area_vocab = _vocabulary((x.request_areas for x in mentees), (x.request_areas for x in mentors))
    subj_vocab = _vocabulary((x.subjects for x in mentees), (x.subjects for x in mentors))
    a_dir = _indicator([x.directions for x in mentees], dir_vocab)
    b_dir = _indicator([x.directions for x in mentors], dir_vocab).T.copy()
    a_area = _indicator([x.request_areas for x in mentees], area_vocab)
    mentor_ok = np.array(
        [x.has_consent and x.capacity > 0 and x.kind in form.mentor_kinds for x in mentors], dtype=bool
    )
    mentee_index = {x.id: i for i, x in enumerate(mentees)}
    mentor_index = {x.id: j for j, x in enumerate(mentors)}
    rel = pool.relations
    forbidden = _index_pairs(rel.incompatible | rel.terminated | rel.excluded, mentee_index, mentor_index)
    persons: dict[Key, list[int]] = defaultdict(list)
    for j, mentor in enumerate(mentors):
        persons[mentor.person].append(j)
    for i, mentee in enumerate(mentees):
        if mentee.person in persons:
            forbidden.setdefault(i, []).extend(persons[mentee.person])
    return _Prepared(
        a_dir=a_dir,
        b_dir=b_dir,
        a_area=a_area,
        b_area=_indicator([x.request_areas for x in mentors], area_vocab).T.copy(),
        a_subj=_indicator([x.subjects for x in mentees], subj_vocab),
        b_subj=_indicator([x.subjects for x in mentors], subj_vocab).T.copy(),
        asked_dir=a_dir.sum(axis=1).astype(np.int64),
        asked_area=a_area.sum(axis=1).astype(np.int64),
        mentee_ok=np.array([x.has_consent and x.kind in form.mentee_kinds for x in mentees], dtype=bool),
        mentor_ok=mentor_ok,
        # Points that depend on the mentor only.
        mentor_points=np.array(
            [(w.trained if x.trained else 0) + (w.interviewed if x.interviewed else 0) for x in mentors],
            dtype=np.int64,
        ),
        # A missing grade never satisfies a grade gap.
        mentee_grade=np.array([x.grade if x.grade is not None else 10_000 for x in mentees], dtype=np.int64),
        mentor_grade=np.array([x.grade if x.grade is not None else -10_000 for x in mentors], dtype=np.int64),
        forbidden=forbidden,
        mentee_likes=_index_pairs(rel.mentee_prefers, mentee_index, mentor_index),
        mentor_likes=_index_pairs(rel.mentor_prefers, mentee_index, mentor_index),
        mutual=_index_pairs(rel.mentee_prefers & rel.mentor_prefers, mentee_index, mentor_index),
        covered=frozenset(code for code, col in dir_vocab.items() if bool((b_dir[col] > 0)[mentor_ok].any())),
    )


def _share_table(weight: int, size: int) -> npt.NDArray[np.int32]:
    """`_share(weight, hit, asked)` for every asked × hit, flattened: one gather per block
    instead of an integer division per pair."""
    table = np.zeros((size + 1, size + 1), dtype=np.int32)
    for asked in range(1, size + 1):
        for hit in range(asked + 1):
            table[asked, hit] = _share(weight, hit, asked)
    return table.ravel()


def score_blocks(pool: Pool, prepared: _Prepared | None = None) -> Iterator[tuple[int, ScoreArray]]:
    """(first row, scores) for consecutive blocks of mentees against all mentors; -1 marks a
    pair that is not a candidate. The same formula as `score_pair`, a matrix at a time."""
    p = prepared or _prepare(pool)
    w, gap = pool.weights, pool.form.min_grade_gap
    n = len(pool.mentees)
    dir_size, area_size = p.a_dir.shape[1], p.a_area.shape[1]
    dir_table = _share_table(w.directions, dir_size)
    area_table = _share_table(w.request_areas, area_size)
    asked_dir = p.asked_dir.astype(np.int32)
    asked_area = p.asked_area.astype(np.int32)
    mentor_points = p.mentor_points.astype(np.int32)
    for start in range(0, n, _CHUNK_ROWS):
        stop = min(n, start + _CHUNK_ROWS)
        hit_dir = (p.a_dir[start:stop] @ p.b_dir).astype(np.int32)
        asked = asked_dir[start:stop, None]
        score = dir_table[asked * (dir_size + 1) + hit_dir]
        valid = p.mentee_ok[start:stop, None] & p.mentor_ok[None, :]
        if w.require_direction_overlap:
            valid &= (asked == 0) | (hit_dir > 0)
        if w.subject:
            score += ((p.a_subj[start:stop] @ p.b_subj) > 0).astype(np.int32) * np.int32(w.subject)
        hit_area = (p.a_area[start:stop] @ p.b_area).astype(np.int32)
        score += area_table[asked_area[start:stop, None] * (area_size + 1) + hit_area]
        score += mentor_points[None, :]
        if gap is not None:
            valid &= (p.mentor_grade[None, :] - p.mentee_grade[start:stop, None]) >= gap
        for i in range(start, stop):
            r = i - start
            if i in p.forbidden:
                valid[r, p.forbidden[i]] = False
            if i in p.mentee_likes:
                score[r, p.mentee_likes[i]] += w.mentee_preference
            if i in p.mentor_likes:
                score[r, p.mentor_likes[i]] += w.mentor_preference
            if i in p.mutual:
                score[r, p.mutual[i]] += w.mutual_preference
        valid &= score >= w.min_score
        score[~valid] = -1
        yield start, score


class _Thinning:
    """Keeps each mentee's `k` best mentors and each mentor's `k` best mentees, block by block."""

    def __init__(self, k: int, m: int) -> None:
        self.k, self.m = k, m
        # Per mentor (a row each, so the selections run along contiguous memory).
        self.top_rank = np.full((m, k), -1, dtype=np.int32)
        self.top_row = np.zeros((m, k), dtype=np.int64)
        # Scores take few distinct values; among equals, a pseudo-random order per pair (not
        # the list order) keeps everybody from naming the same few mentors.
        rows = np.arange(_CHUNK_ROWS, dtype=np.int64)[:, None] * 2654435761
        jitter = ((rows + np.arange(m, dtype=np.int64)[None, :] * 40503) >> 8) % _TIE_SPREAD
        self.jitter = jitter.astype(np.int32)
        self.rows: list[IntArray] = []
        self.cols: list[IntArray] = []
        self.scores: list[ScoreArray] = []

    def add(self, start: int, score: ScoreArray) -> None:
        k, m = self.k, self.m
        size = score.shape[0]
        rank = score * np.int32(_TIE_SPREAD) + self.jitter[:size]
        # Each mentee's best k mentors.
        if m > k:
            best = np.argpartition(-rank, k - 1, axis=1)[:, :k]
        else:
            best = np.broadcast_to(np.arange(m), (size, m))
        best_scores = np.take_along_axis(score, best, axis=1)
        keep = best_scores >= 0
        self.rows.append(np.nonzero(keep)[0] + start)
        self.cols.append(best[keep])
        self.scores.append(best_scores[keep])
        # Each mentor's best k mentees so far: merge this block into the running list.
        merged_rank = np.concatenate([self.top_rank, np.ascontiguousarray(rank.T)], axis=1)
        merged_row = np.concatenate(
            [self.top_row, np.broadcast_to(np.arange(start, start + size)[None, :], (m, size))], axis=1
        )
        pick = np.argpartition(-merged_rank, k - 1, axis=1)[:, :k]
        self.top_rank = np.take_along_axis(merged_rank, pick, axis=1)
        self.top_row = np.take_along_axis(merged_row, pick, axis=1)

    def arcs(self) -> tuple[IntArray, IntArray, IntArray]:
        keep = self.top_rank >= 0
        rows = np.concatenate([*self.rows, self.top_row[keep]]).astype(np.int64)
        mentor_of = np.broadcast_to(np.arange(self.m)[:, None], (self.m, self.k))
        cols = np.concatenate([*self.cols, mentor_of[keep]]).astype(np.int64)
        scores = np.concatenate([*self.scores, self.top_rank[keep] // _TIE_SPREAD]).astype(np.int64)
        _, first = np.unique(rows * self.m + cols, return_index=True)
        return rows[first], cols[first], scores[first]


def build_candidates(pool: Pool, *, per_person: int | None = None) -> Candidates:
    """Score every mentee against every mentor and keep the candidates.

    Scores are computed a block of mentees at a time with matrix products, so memory stays
    bounded. When the pool has more than `FULL_GRAPH_LIMIT` pairs (or `per_person` is set),
    each mentee keeps its `per_person` best mentors and each mentor its `per_person` best
    mentees; the union of both lists is the graph, which keeps popular mentors from crowding
    everybody else out while the flow stays small.
    """
    n, m = len(pool.mentees), len(pool.mentors)
    if per_person is None and n * m > FULL_GRAPH_LIMIT:
        per_person = DEFAULT_CANDIDATES_PER_PERSON
    empty = np.zeros(0, dtype=np.int64)
    if n == 0 or m == 0:
        return Candidates(empty, empty, empty, np.zeros(n, dtype=np.int64), frozenset())
    prepared = _prepare(pool)
    counts = np.zeros(n, dtype=np.int64)
    thinning = _Thinning(per_person, m) if per_person else None
    rows_out: list[IntArray] = []
    cols_out: list[IntArray] = []
    scores_out: list[IntArray] = []
    for start, score in score_blocks(pool, prepared):
        valid = score >= 0
        counts[start : start + score.shape[0]] = valid.sum(axis=1)
        if thinning is not None:
            thinning.add(start, score)
            continue
        rows, cols = np.nonzero(valid)
        rows_out.append(rows + start)
        cols_out.append(cols)
        scores_out.append(score[rows, cols].astype(np.int64))
    if thinning is not None:
        rows_all, cols_all, scores_all = thinning.arcs()
    else:
        rows_all = np.concatenate(rows_out).astype(np.int64)
        cols_all = np.concatenate(cols_out).astype(np.int64)
        scores_all = np.concatenate(scores_out).astype(np.int64)
    return Candidates(rows_all, cols_all, scores_all, counts, prepared.covered, pruned=thinning is not None)
