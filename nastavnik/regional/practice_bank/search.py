"""Searching the region's bank: Russian full-text search with stemming, typo tolerance from
the bank's vocabulary (pg_trgm), facets by kind, form, direction, level, school kind and
municipality counted in PostgreSQL, one page of cards.

The matching runs in `bank_item_search` (migration 20261201_13_02: as the table's owner, so
that the GIN index serves `@@`, within the transaction's region and published items only);
one statement then counts every facet over the matches and picks the page's ids, and the
cards of the page are read by id as the app role, under the policy. A page costs four
statements whatever the size of the bank.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.kept import Kept, detached_copy
from nastavnik.platform.ui.pagination import Window, page_number
from nastavnik.regional.mentor_search.services import query_words
from nastavnik.regional.practice_bank.services import LEVELS
from nastavnik.school.bank.models import TS_CONFIG, BankItem, BankItemKind, BankItemVersion
from nastavnik.tenants.models import SchoolKind

PAGE_SIZE = 20
MAX_QUERY = 200
# pg_trgm similarity at which a query word is taken for a vocabulary word with a typo
# («наставничиство» → «наставничество»); the closest three spellings are taken.
WORD_SIMILARITY = 0.3
SPELLINGS = 3


@dataclass(frozen=True)
class BankQuery:
    q: str = ""
    kind: str = ""
    form: str = ""
    direction: str = ""
    level: str = ""
    school_kind: str = ""
    municipality: str = ""
    recommended: bool = False
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> BankQuery:
        def value(name: str, limit: int = 60) -> str:
            raw = params.get(name, "")
            return raw.strip()[:limit] if isinstance(raw, str) else ""

        kind = value("kind")
        level = value("level")
        school_kind = value("school_kind")
        return cls(
            q=value("q", MAX_QUERY),
            kind=kind if kind in {k.value for k in BankItemKind} else "",
            form=value("form"),
            direction=value("direction"),
            level=level if level in LEVELS else "",
            school_kind=school_kind if school_kind in {k.value for k in SchoolKind} else "",
            municipality=value("municipality", 40),
            recommended=value("recommended") in {"1", "on", "true"},
            page=page_number(params),
        )

    def params(self, **override: str) -> dict[str, str]:
        values = {
            "q": self.q,
            "kind": self.kind,
            "form": self.form,
            "direction": self.direction,
            "level": self.level,
            "school_kind": self.school_kind,
            "municipality": self.municipality,
            "recommended": "1" if self.recommended else "",
        }
        return {k: v for k, v in (values | override).items() if v}

    @property
    def active(self) -> bool:
        return bool(self.params())

    @property
    def municipality_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.municipality) if self.municipality else None
        except ValueError:
            return None


@dataclass
class Facets:
    """Counts of the matches per value of each facet."""

    total: int = 0
    kind: dict[str, int] = field(default_factory=dict)
    form: dict[str, int] = field(default_factory=dict)
    direction: dict[str, int] = field(default_factory=dict)
    level: dict[str, int] = field(default_factory=dict)
    school_kind: dict[str, int] = field(default_factory=dict)
    municipality: dict[str, int] = field(default_factory=dict)
    recommended: int = 0


async def spellings(db: AsyncSession, region_id: uuid.UUID, words: Sequence[str]) -> dict[str, list[str]]:
    """For each query word, the region's bank words it may be a typo of (one statement)."""
    if not words:
        return {}
    await db.execute(
        text("SELECT set_config('pg_trgm.similarity_threshold', :s, true)"), {"s": str(WORD_SIMILARITY)}
    )
    rows = await db.execute(
        text(
            "SELECT q.word AS asked, v.word FROM unnest(CAST(:words AS text[])) AS q(word) "
            "CROSS JOIN LATERAL (SELECT w.word FROM bank_word w "
            "WHERE w.region_id = :region AND w.word % q.word AND w.word <> q.word "
            "ORDER BY w.word <-> q.word LIMIT :n) v"
        ),
        {"words": list(words), "region": region_id, "n": SPELLINGS},
    )
    found: dict[str, list[str]] = {w: [] for w in words}
    for asked, word in rows:
        found[asked].append(word)
    return found


def tsquery_sql(words: Sequence[str], corrections: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
    """A tsquery where every word must be found, by its stem or one of its spellings."""
    parts: list[str] = []
    binds: dict[str, str] = {}
    for i, word in enumerate(words):
        names = [f"w{i}"] + [f"w{i}_{j}" for j in range(len(corrections.get(word, ())))]
        binds |= dict(zip(names, [word, *corrections.get(word, ())], strict=True))
        parts.append("(" + " || ".join(f"plainto_tsquery('{TS_CONFIG}', :{n})" for n in names) + ")")
    return " && ".join(parts), binds


_LEVEL_CASES = " UNION ALL ".join(
    f"SELECT 'level', '{code}', count(*) FROM m WHERE coalesce(m.grade_to, 11) >= {low} "
    f"AND coalesce(m.grade_from, 1) <= {high}"
    for code, (_, low, high) in LEVELS.items()
)

_FACETS = (
    "WITH m AS MATERIALIZED (SELECT * FROM bank_item_search({tsquery}, :kind, :form, :direction, "
    ":school_kind, :municipality, :grade_from, :grade_to, :recommended)) "
    "SELECT 'total' AS facet, '' AS value, count(*) AS n FROM m "
    "UNION ALL SELECT 'recommended', '', count(*) FROM m WHERE m.recommended "
    "UNION ALL SELECT 'kind', m.kind, count(*) FROM m GROUP BY m.kind "
    # unnest() in the select list (one ProjectSet) costs a fraction of a lateral function scan per row.
    "UNION ALL SELECT 'form', s.f, count(*) FROM (SELECT unnest(m.form_codes) AS f FROM m) s GROUP BY s.f "
    "UNION ALL SELECT 'direction', s.d, count(*) FROM (SELECT unnest(m.direction_codes) AS d FROM m) s "
    "GROUP BY s.d "
    "UNION ALL SELECT 'school_kind', m.school_kind, count(*) FROM m GROUP BY m.school_kind "
    "UNION ALL SELECT 'municipality', m.municipality_id::text, count(*) FROM m "
    "WHERE m.municipality_id IS NOT NULL GROUP BY m.municipality_id "
    f"UNION ALL {_LEVEL_CASES} "
    # The page by a top-N sort; its rows are numbered in that order.
    "UNION ALL SELECT 'hit', p.id::text, row_number() OVER () FROM (SELECT m.id FROM m "
    "ORDER BY m.rank DESC, m.recommended DESC, m.published_at DESC, m.id OFFSET :offset LIMIT :limit) p"
)


async def _run(
    db: AsyncSession, query: BankQuery, tsquery: str, binds: dict[str, str], page: int
) -> tuple[Facets, list[uuid.UUID]]:
    level = LEVELS.get(query.level)
    rows = await db.execute(
        text(_FACETS.format(tsquery=tsquery)),
        binds
        | {
            "kind": query.kind or None,
            "form": query.form or None,
            "direction": query.direction or None,
            "school_kind": query.school_kind or None,
            "municipality": query.municipality_id,
            "grade_from": level[1] if level else None,
            "grade_to": level[2] if level else None,
            "recommended": query.recommended,
            "offset": (page - 1) * PAGE_SIZE,
            "limit": PAGE_SIZE,
        },
    )
    facets = Facets()
    hits: list[tuple[int, uuid.UUID]] = []
    for facet, value, n in rows:
        if facet == "total":
            facets.total = int(n)
        elif facet == "recommended":
            facets.recommended = int(n)
        elif facet == "hit":
            hits.append((int(n), uuid.UUID(value)))
        elif n:
            getattr(facets, facet)[value] = int(n)
    return facets, [key for _, key in sorted(hits)]


BankResult = tuple[Sequence[BankItem], Facets, Window]

# Searches kept per worker: (region, query, bank version) → the page and its facets. Any
# write to a bank item of the region renews its version (migration 20261201_16_02); the
# search reads published items only, the same for everyone in the region.
KEPT = Kept[BankResult](2_000)


async def search(db: AsyncSession, query: BankQuery, region_id: uuid.UUID) -> BankResult:
    """One page of published items with the facets' counts; repeated searches from memory."""
    version = await db.scalar(select(BankItemVersion.version).where(BankItemVersion.region_id == region_id))
    key = (region_id, query, version)
    kept = KEPT.get(key)
    if kept is not None:
        return kept
    items, facets, window = await _search(db, query, region_id)
    return KEPT.put(key, ([detached_copy(item) for item in items], facets, window))


async def _search(db: AsyncSession, query: BankQuery, region_id: uuid.UUID) -> BankResult:
    words = query_words(query.q)
    corrections = await spellings(db, region_id, words)
    tsquery, binds = tsquery_sql(words, corrections) if words else ("CAST(NULL AS tsquery)", {})
    page = query.page
    facets, ids = await _run(db, query, tsquery, binds, page)
    last = max(1, -(-facets.total // PAGE_SIZE))
    if not ids and page > last:
        page = last
        facets, ids = await _run(db, query, tsquery, binds, page)
    items: Sequence[BankItem] = []
    if ids:
        found = {i.id: i for i in (await db.execute(select(BankItem).where(BankItem.id.in_(ids)))).scalars()}
        items = [found[key] for key in ids if key in found]
    return items, facets, Window(page=page, size=PAGE_SIZE, total=facets.total, shown=len(items))
