"""A synthetic matching pool: mentees with requests and mentors with capacities.

Proportions follow the seed reports: most requests are about motivation and results,
the educational path and the teenage crisis (seed 000 counts per direction); a mentor
helps with two to five directions, takes one to three mentees, and about two thirds of
mentors are trained and interviewed. A fixed seed gives the same pool every time.
"""

from __future__ import annotations

import random

from nastavnik.school.matching.scoring import FormRules, Mentee, Mentor, Pool, Relations, Weights
from nastavnik.tenants.reference import DEFAULTS, ReferenceKind

DIRECTIONS = [
    code for code, _, _, attrs in DEFAULTS[ReferenceKind.DIRECTION] if attrs.get("audience") == "pupil"
]
# Popularity of pupils' directions, after seed 000 (motivation 14, path 9, soft skills 3 …).
DIRECTION_WEIGHTS = [3, 4, 2, 14, 9, 1, 3, 1, 2]
AREAS = [code for code, *_ in DEFAULTS[ReferenceKind.REQUEST_AREA]][:3]
SUBJECTS = [
    "math",
    "russian",
    "literature",
    "physics",
    "chemistry",
    "biology",
    "history",
    "social",
    "english",
    "informatics",
    "geography",
    "arts",
]
FORM_ATTRIBUTES = {code: attrs for code, _, _, attrs in DEFAULTS[ReferenceKind.FORM]}
FORM_TITLES = {code: title for code, title, _, _ in DEFAULTS[ReferenceKind.FORM]}


def _some(
    rng: random.Random, items: list[str], low: int, high: int, weights: list[int] | None = None
) -> frozenset[str]:
    count = rng.randint(low, high)
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(rng.choices(items, weights=weights)[0])
    return frozenset(chosen)


def make_pool(mentees: int, mentors: int, *, form: str = "teacher_student", seed: int = 5) -> Pool:
    rng = random.Random(seed)
    rules = FormRules.from_attributes(form, FORM_TITLES[form], FORM_ATTRIBUTES[form])
    mentor_kind = next(iter(rules.mentor_kinds))
    pupil_mentors = mentor_kind == "pupil"
    mentee_list = [
        Mentee(
            id=f"e{i}",
            person=f"p{i}",
            name=f"Наставляемый {i}",
            kind="pupil",
            grade=rng.randint(5, 9),
            directions=_some(rng, DIRECTIONS, 1, 3, DIRECTION_WEIGHTS),
            request_areas=_some(rng, AREAS, 1, 2),
            subjects=_some(rng, SUBJECTS, 0, 1),
            # The database only lets consenting mentees in; a few here exercise the rule.
            has_consent=rng.random() > 0.02,
        )
        for i in range(mentees)
    ]
    mentor_list = [
        Mentor(
            id=f"r{j}",
            # Pupil mentors are pupils of the same school: some of them are mentees too.
            person=f"p{rng.randrange(mentees)}" if pupil_mentors and rng.random() < 0.1 else f"q{j}",
            name=f"Наставник {j}",
            kind=mentor_kind,
            capacity=rng.choice([1, 2, 2, 3]),
            grade=rng.randint(8, 11) if pupil_mentors else None,
            directions=_some(rng, DIRECTIONS, 2, 5, DIRECTION_WEIGHTS),
            request_areas=_some(rng, AREAS, 1, 3),
            subjects=_some(rng, SUBJECTS, 1, 2),
            trained=rng.random() < 0.7,
            interviewed=rng.random() < 0.65,
        )
        for j in range(mentors)
    ]

    def some_pairs(share: float, per: int) -> frozenset[tuple[str, str]]:
        pairs: set[tuple[str, str]] = set()
        for mentee in mentee_list:
            if rng.random() < share:
                for _ in range(rng.randint(1, per)):
                    pairs.add((str(mentee.id), str(rng.choice(mentor_list).id)))
        return frozenset(pairs)

    relations = Relations(
        incompatible=some_pairs(0.01, 1),
        terminated=some_pairs(0.005, 1),
        mentee_prefers=some_pairs(0.2, 2),
        mentor_prefers=some_pairs(0.1, 2),
    )
    return Pool(rules, mentee_list, mentor_list, Weights(), relations)
