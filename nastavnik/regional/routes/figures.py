"""The regional projection of each route (`route_figure`), and the indicators read from it.

`REFRESH_ROUTE` recounts one route's row in one statement — its status and step, the areas
diagnosed as deficits in the first round, those closed by the re-diagnosis, the courses
prescribed — and runs in the same transaction as every write to the route, under whoever
writes it (the school, the assigned tutor): both may read the whole route. A methodist
assigning a tutor may read only the route's header, so `REFRESH_STATUS` touches the status.
The indicator pages read only this table, under the region's (or municipality's) scope.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.regional.routes.models import STEP_TITLES

# An area is a deficit when the mean of the assessments given (self, tutor, curator) is
# below this (1-5 scale, 5 — владею уверенно); below STRONG_DEFICIT it is a marked one.
DEFICIT_BELOW = 3.5
STRONG_DEFICIT_BELOW = 2.5
# Small cells (1-4 teachers) are shown as «< 5», as the other regional pages do.
SMALL_CELL = 5

_COMBINED = (
    "(SELECT avg(v) FROM unnest(ARRAY[s.self_score::numeric, s.tutor_score::numeric, "
    "s.curator_score::numeric]) AS v)"
)

REFRESH_ROUTE = f"""
INSERT INTO route_figure (school_id, route_id, region_id, municipality_id, status, step, subject,
                          deficit_codes, closed_codes, course_ids, refreshed_at)
SELECT r.school_id, r.id, r.region_id, r.municipality_id, r.status::text, r.current_step, lower(r.subject),
    COALESCE((SELECT array_agg(s.area_code ORDER BY s.area_code) FROM route_area_score s
              WHERE s.school_id = r.school_id AND s.route_id = r.id AND s.round = 1
                AND {_COMBINED} < {DEFICIT_BELOW}), '{{}}'),
    COALESCE((SELECT array_agg(s.area_code ORDER BY s.area_code) FROM route_area_score s
              JOIN route_area_score f ON f.school_id = s.school_id AND f.route_id = s.route_id
                   AND f.round = 1 AND f.area_code = s.area_code
              WHERE s.school_id = r.school_id AND s.route_id = r.id AND s.round = 2
                AND {_COMBINED} >= {DEFICIT_BELOW}
                AND (SELECT avg(v) FROM unnest(ARRAY[f.self_score::numeric, f.tutor_score::numeric,
                     f.curator_score::numeric]) AS v) < {DEFICIT_BELOW}), '{{}}'),
    COALESCE((SELECT array_agg(DISTINCT a.course_id) FROM route_activity a
              WHERE a.school_id = r.school_id AND a.route_id = r.id AND a.course_id IS NOT NULL
                AND a.status <> 'cancelled'), '{{}}'),
    now()
FROM individual_route r
WHERE r.school_id = :school_id AND r.id = :route_id
ON CONFLICT (school_id, route_id) DO UPDATE SET
    status = EXCLUDED.status, step = EXCLUDED.step, subject = EXCLUDED.subject,
    deficit_codes = EXCLUDED.deficit_codes, closed_codes = EXCLUDED.closed_codes,
    course_ids = EXCLUDED.course_ids, refreshed_at = EXCLUDED.refreshed_at
"""

REFRESH_STATUS = """
INSERT INTO route_figure (school_id, route_id, region_id, municipality_id, status, step, subject,
                          deficit_codes, closed_codes, course_ids, refreshed_at)
SELECT r.school_id, r.id, r.region_id, r.municipality_id, r.status::text, r.current_step, lower(r.subject),
       '{}', '{}', '{}', now()
FROM individual_route r
WHERE r.school_id = :school_id AND r.id = :route_id
ON CONFLICT (school_id, route_id) DO UPDATE SET
    status = EXCLUDED.status, step = EXCLUDED.step, refreshed_at = EXCLUDED.refreshed_at
"""


async def refresh_route(db: AsyncSession, school_id: uuid.UUID, route_id: uuid.UUID) -> None:
    await db.flush()
    await db.execute(text(REFRESH_ROUTE), {"school_id": school_id, "route_id": route_id})


async def refresh_status(db: AsyncSession, school_id: uuid.UUID, route_id: uuid.UUID) -> None:
    await db.flush()
    await db.execute(text(REFRESH_STATUS), {"school_id": school_id, "route_id": route_id})


@dataclass(frozen=True)
class Cell:
    key: str
    title: str
    count: int

    @property
    def shown(self) -> str:
        return "< 5" if 0 < self.count < SMALL_CELL else f"{self.count:,}".replace(",", "\u00a0")


@dataclass(frozen=True)
class Indicators:
    routes: int
    by_step: list[Cell]
    by_area: list[Cell]
    closed_by_area: list[Cell]
    by_municipality: list[tuple[str, list[int]]]
    by_subject: list[tuple[str, list[int]]]
    courses: list[Cell]
    area_codes: list[str]


_SCOPE = "region_id = :region AND (CAST(:municipality AS uuid) IS NULL OR municipality_id = :municipality)"


_STEPS = f"""
SELECT step, count(*) AS routes, count(*) FILTER (WHERE status <> 'completed') AS open
FROM route_figure WHERE {_SCOPE} GROUP BY step
"""
# Every split of the deficits in one pass over the projection: the codes diagnosed ('d') and
# closed ('c'), by area, by municipality and area, by subject and area.
_CODES = f"""
SELECT x.kind, GROUPING(f.municipality_id) AS no_municipality, GROUPING(f.subject) AS no_subject,
       f.municipality_id, f.subject, x.code, count(*) AS n
FROM route_figure f
CROSS JOIN LATERAL (
    SELECT c, 'd' FROM unnest(f.deficit_codes) AS c
    UNION ALL SELECT c, 'c' FROM unnest(f.closed_codes) AS c
) AS x(code, kind)
WHERE {_SCOPE.replace("region_id", "f.region_id").replace("municipality_id =", "f.municipality_id =")}
GROUP BY GROUPING SETS ((x.kind, x.code), (x.kind, f.municipality_id, x.code), (x.kind, f.subject, x.code))
"""
_COURSES = f"""
SELECT c.id::text, c.title, f.n FROM (
    SELECT course, count(*) AS n FROM route_figure, unnest(course_ids) AS course
    WHERE {_SCOPE} GROUP BY course ORDER BY count(*) DESC LIMIT 10
) f JOIN route_course c ON c.id = f.course ORDER BY f.n DESC, c.title
"""


# The page's figures per worker, keyed by scope and checked against the projection's version
# (one cheap aggregate: the latest recount and the number of routes), as the regional
# dashboards are (regional/indicators/views.py): any write to a route of the scope makes the
# next request count afresh. Bounded; the oldest entry goes first.
_CACHE: OrderedDict[tuple[object, ...], tuple[tuple[object, ...], Indicators]] = OrderedDict()
CACHE_SIZE = 256
_VERSION = f"SELECT max(refreshed_at), count(*) FROM route_figure WHERE {_SCOPE}"


async def indicators(
    db: AsyncSession,
    region_id: uuid.UUID,
    municipality_id: uuid.UUID | None,
    area_titles: dict[str, str],
    municipality_names: dict[uuid.UUID, str],
) -> Indicators:
    key = (region_id, municipality_id, tuple(area_titles.items()))
    row = (await db.execute(text(_VERSION), {"region": region_id, "municipality": municipality_id})).one()
    version = (row[0], row[1], tuple(sorted(municipality_names.items())))
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == version:
        _CACHE.move_to_end(key)
        return cached[1]
    figures = await count_indicators(db, region_id, municipality_id, area_titles, municipality_names)
    _CACHE[key] = (version, figures)
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return figures


async def count_indicators(
    db: AsyncSession,
    region_id: uuid.UUID,
    municipality_id: uuid.UUID | None,
    area_titles: dict[str, str],
    municipality_names: dict[uuid.UUID, str],
) -> Indicators:
    """Every figure of the page, counted in PostgreSQL from the projection (three statements)."""
    params = {"region": region_id, "municipality": municipality_id}
    codes = list(area_titles)
    step_rows = (await db.execute(text(_STEPS), params)).all()
    total = sum(int(r.routes) for r in step_rows)
    open_by_step = {int(r.step): int(r.open) for r in step_rows}
    by_step = [Cell(str(n), title, open_by_step.get(n, 0)) for n, title in STEP_TITLES.items()]
    area_counts: dict[str, int] = {}
    closed_counts: dict[str, int] = {}
    muni_rows: list[tuple[str, str, int]] = []
    subject_rows: list[tuple[str, str, int]] = []
    for row in await db.execute(text(_CODES), params):
        if row.kind == "c":
            if row.no_municipality and row.no_subject:
                closed_counts[row.code] = int(row.n)
        elif row.no_municipality and row.no_subject:
            area_counts[row.code] = int(row.n)
        elif not row.no_municipality:
            muni_rows.append((municipality_names.get(row.municipality_id, "—"), row.code, int(row.n)))
        else:
            subject_rows.append((row.subject or "предмет не указан", row.code, int(row.n)))
    by_area = sorted(
        (Cell(c, area_titles[c], area_counts.get(c, 0)) for c in codes), key=lambda cell: -cell.count
    )
    closed = [Cell(c, area_titles[c], closed_counts.get(c, 0)) for c in codes]
    courses = [Cell(cid, title, int(n)) for cid, title, n in (await db.execute(text(_COURSES), params)).all()]
    return Indicators(
        total,
        by_step,
        by_area,
        closed,
        _pivot(muni_rows, codes, limit=100),
        _pivot(subject_rows, codes, limit=30),
        courses,
        codes,
    )


def _pivot(
    rows: Sequence[tuple[str, str, int]], codes: list[str], *, limit: int
) -> list[tuple[str, list[int]]]:
    table: dict[str, dict[str, int]] = {}
    for name, code, count in rows:
        table.setdefault(name, {})[code] = count
    ordered = sorted(table.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:limit]
    return [(name, [counts.get(c, 0) for c in codes]) for name, counts in ordered]
