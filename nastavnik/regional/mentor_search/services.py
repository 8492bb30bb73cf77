"""Searching the region's mentor directory: school curators and ЦНППМ tutors.

Reads `mentor_directory_entry` only, never a school's tables; its policy shows the rows of
the transaction's region (`app.region_id`, set by the regional workspaces, and by the
school pages of this feature for their school's region — see `controllers.py`).

Every word of the text must be found: by Russian full-text search with stemming (`физика`
finds «учитель физики») over the card, after a mistyped word has been given its spellings
from the region's vocabulary of card words (pg_trgm similarity: `физека` → «физики»); or
in the name with a typo (`Саколова`). All three are served by GIN indexes, and the page is
read in name order from the region's index.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    func,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.kept import Kept, detached_copy
from nastavnik.platform.ui import pagination
from nastavnik.platform.ui.pagination import Window, page_number
from nastavnik.school.directory.models import TS_CONFIG, MentorDirectoryEntry, MentorDirectoryVersion
from nastavnik.school.participants.models import local_today

# Similarity at which a query word is taken for a vocabulary word with a typo (pg_trgm `%`:
# 0.25 lets one letter of a six-letter word be wrong, «физека» → «физики»; only the three
# closest words are taken), and at which the query is taken for a name with a typo (`<%`:
# 0.6, «Саколова» → «Соколова»; lower, every surname ending in «-ова» would match).
WORD_SIMILARITY = 0.25
NAME_SIMILARITY = 0.6
MAX_QUERY = 200
MAX_WORDS = 6
# Spellings of a mistyped word taken from the vocabulary, and where counting stops.
SPELLINGS = 3
COUNT_CAP = 1000
_WORD_RE = re.compile(r"[\w-]+")


@dataclass(frozen=True)
class MentorQuery:
    q: str = ""
    competency: str = ""
    subject: str = ""
    form: str = ""
    municipality: str = ""
    free_only: bool = False
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> MentorQuery:
        def value(name: str, limit: int = 120) -> str:
            raw = params.get(name, "")
            return raw.strip()[:limit] if isinstance(raw, str) else ""

        return cls(
            q=value("q", MAX_QUERY),
            competency=value("competency", 60),
            subject=value("subject"),
            form=value("form", 60),
            municipality=value("municipality", 40),
            free_only=value("free") in {"1", "on", "true"},
            page=page_number(params),
        )

    @property
    def active(self) -> bool:
        return bool(
            self.q or self.competency or self.subject or self.form or self.municipality or self.free_only
        )

    def params(self) -> dict[str, str]:
        return {
            "q": self.q,
            "competency": self.competency,
            "subject": self.subject,
            "form": self.form,
            "municipality": self.municipality,
            "free": "1" if self.free_only else "",
        }

    @property
    def municipality_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.municipality) if self.municipality else None
        except ValueError:
            return None


def free_places() -> ColumnElement[int]:
    return func.greatest(MentorDirectoryEntry.capacity - MentorDirectoryEntry.load, 0)


def query_words(q: str) -> list[str]:
    """The words of a query (at most `MAX_WORDS`, two letters or more), lower-cased."""
    return [w for w in _WORD_RE.findall(q.lower()) if len(w) > 1][:MAX_WORDS]


async def spellings(db: AsyncSession, region_id: uuid.UUID, words: Sequence[str]) -> dict[str, list[str]]:
    """For each query word, the region's words it may be a typo of (one query for all)."""
    if not words:
        return {}
    rows = await db.execute(
        text(
            "SELECT q.word AS asked, v.word FROM unnest(CAST(:words AS text[])) AS q(word) "
            "CROSS JOIN LATERAL (SELECT w.word FROM mentor_directory_word w "
            "WHERE w.region_id = :region AND w.word % q.word AND w.word <> q.word "
            "ORDER BY w.word <-> q.word LIMIT :n) v"
        ),
        {"words": list(words), "region": region_id, "n": SPELLINGS},
    )
    found: dict[str, list[str]] = {w: [] for w in words}
    for asked, word in rows:
        found[asked].append(word)
    return found


def _tsquery(words: Sequence[str], corrections: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
    """SQL of a tsquery where every word must be found, by its stem or one of its spellings."""
    parts: list[str] = []
    binds: dict[str, str] = {}
    for i, word in enumerate(words):
        names = [f"w{i}"] + [f"w{i}_{j}" for j in range(len(corrections.get(word, ())))]
        binds |= dict(zip(names, [word, *corrections.get(word, ())], strict=True))
        parts.append("(" + " || ".join(f"plainto_tsquery('{TS_CONFIG}', :{n})" for n in names) + ")")
    return " && ".join(parts), binds


_SEARCH = (
    "SELECT id, total FROM mentor_directory_search(:year, {tsquery}, :name, :competency, :form, :subject, "
    ":free_only, :municipality, :exclude, :cap, :offset, :limit)"
)


async def _matching_ids(
    db: AsyncSession,
    query: MentorQuery,
    year: int,
    corrections: Mapping[str, Sequence[str]],
    exclude_school_id: uuid.UUID | None,
    page: int,
    size: int,
) -> tuple[list[uuid.UUID], int]:
    words = query_words(query.q)
    tsquery, binds = _tsquery(words, corrections) if words else ("CAST(NULL AS tsquery)", {})
    rows = (
        await db.execute(
            text(_SEARCH.format(tsquery=tsquery)),
            binds
            | {
                "year": year,
                "name": " ".join(words) or None,
                "competency": query.competency or None,
                "form": query.form or None,
                # One of the mentor's subjects, as the schools write them («физика»).
                "subject": query.subject.lower() or None,
                "free_only": query.free_only,
                "municipality": query.municipality_id,
                "exclude": exclude_school_id,
                "cap": COUNT_CAP,
                "offset": (page - 1) * size,
                "limit": size,
            },
        )
    ).all()
    return [row.id for row in rows], int(rows[0].total) if rows else 0


async def set_similarity(db: AsyncSession) -> None:
    await db.execute(
        text(
            "SELECT set_config('pg_trgm.word_similarity_threshold', :name, true), "
            "set_config('pg_trgm.similarity_threshold', :word, true)"
        ),
        {"name": str(NAME_SIMILARITY), "word": str(WORD_SIMILARITY)},
    )


SearchResult = tuple[Sequence[tuple[MentorDirectoryEntry, int]], Window]

# Searches kept per worker: (scope, query, directory version) → the page found. A card
# written anywhere in the region renews its version (migration 20261201_16_01).
KEPT = Kept[SearchResult](2_000)


async def search(
    db: AsyncSession, query: MentorQuery, region_id: uuid.UUID, *, exclude_school_id: uuid.UUID | None = None
) -> SearchResult:
    """One page of cards in name order, and the number of matches capped at `COUNT_CAP`.

    A search repeated before any card of the region changes is answered from memory: the
    key holds the transaction's region and municipality (what the policies read), the
    query, the school asking, the year and the directory's version.
    """
    version, municipality = (
        await db.execute(
            select(
                select(MentorDirectoryVersion.version)
                .where(MentorDirectoryVersion.region_id == region_id)
                .scalar_subquery(),
                func.current_setting("app.municipality_id", True),
            )
        )
    ).one()
    key = (
        region_id,
        municipality,
        query,
        exclude_school_id,
        AcademicYear.current(local_today()).start,
        version,
    )
    kept = KEPT.get(key)
    if kept is not None:
        return kept
    rows, window = await _search(db, query, region_id, exclude_school_id=exclude_school_id)
    return KEPT.put(key, ([(detached_copy(entry), free) for entry, free in rows], window))


async def _search(
    db: AsyncSession, query: MentorQuery, region_id: uuid.UUID, *, exclude_school_id: uuid.UUID | None = None
) -> SearchResult:
    """The search itself: matching in `mentor_directory_search` (see migration
    20261201_13_01: as the table's owner, so that the GIN indexes serve it, within the
    transaction's region); the cards of the page then read by id under the app role's policy.
    """
    words = query_words(query.q)
    if words:
        await set_similarity(db)
    corrections = await spellings(db, region_id, words)
    year = AcademicYear.current(local_today()).start
    size = pagination.PAGE_SIZE
    ids, total = await _matching_ids(db, query, year, corrections, exclude_school_id, query.page, size)
    page = query.page
    if not ids and page > 1:
        page = 1
        ids, total = await _matching_ids(db, query, year, corrections, exclude_school_id, page, size)
        page = max(1, -(-min(total, COUNT_CAP) // size))
        if page > 1:
            ids, total = await _matching_ids(db, query, year, corrections, exclude_school_id, page, size)
    rows: Sequence[tuple[MentorDirectoryEntry, int]] = []
    if ids:
        statement = (
            select(MentorDirectoryEntry, free_places().label("free"))
            .where(MentorDirectoryEntry.id.in_(ids))
            .order_by(MentorDirectoryEntry.full_name, MentorDirectoryEntry.id)
        )
        rows = [(entry, int(free)) for entry, free in (await db.execute(statement)).all()]
    return rows, Window(page=page, size=size, total=total, shown=len(rows))


async def get_entry(db: AsyncSession, entry_id: str) -> MentorDirectoryEntry | None:
    """One card of the directory, if the transaction's scope may read it (else None → 404)."""
    try:
        key = uuid.UUID(entry_id)
    except ValueError:
        return None
    return await db.get(MentorDirectoryEntry, key)
