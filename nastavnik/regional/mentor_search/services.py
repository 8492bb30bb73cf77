"""Searching the region's mentor directory: school curators and ЦНППМ tutors.

Reads `mentor_directory_entry` only, never a school's tables; its policy shows the rows of
the transaction's region (`app.region_id`, set by the regional workspaces, and by the
school pages of this feature for their school's region — see `controllers.py`).

Each word of the text is matched two ways at once, so that stemming and typos both work:
Russian full-text search (`физика` finds «учитель физики») over the card, or pg_trgm word
similarity against the same text (`физека` still finds «физики»). Both are served by GIN
indexes; the rank orders full-text hits first.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.ui.pagination import Window, page_number, page_of
from nastavnik.school.directory.models import TS_CONFIG, MentorDirectoryEntry
from nastavnik.school.participants.models import local_today

# Word similarity at which a word of the query counts as found with a typo (pg_trgm `<%`):
# 0.4 lets one letter of a six-letter word be wrong («физека» → «физика»), as the banks do.
WORD_SIMILARITY = 0.4
MAX_QUERY = 200
MAX_WORDS = 6
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


def _text_match(q: str) -> tuple[ColumnElement[bool], ColumnElement[float]]:
    """Every word of the query is found, by its stem (full text) or with a typo (trigrams).

    Word by word, so that «учитель истории» does not also find a teacher of physics through
    the one word they share; each word's test is served by the two GIN indexes.
    """
    config: ColumnElement[Any] = literal_column(f"'{TS_CONFIG}'::regconfig")
    document, plain = MentorDirectoryEntry.search_document, MentorDirectoryEntry.search_text
    words = query_words(q)
    if not words:
        return literal(False), literal(0.0)
    tests = [
        or_(document.op("@@")(func.plainto_tsquery(config, w)), literal(w).op("<%")(plain)) for w in words
    ]
    rank = func.ts_rank(document, func.plainto_tsquery(config, " ".join(words))) + sum(
        (func.word_similarity(w, plain) for w in words), start=literal(0.0)
    )
    return and_(*tests), rank


def search_query(
    query: MentorQuery, *, exclude_school_id: uuid.UUID | None = None, year: int | None = None
) -> Select[MentorDirectoryEntry, int]:
    start = year if year is not None else AcademicYear.current(local_today()).start
    statement = select(MentorDirectoryEntry, free_places().label("free")).where(
        MentorDirectoryEntry.academic_year == start
    )
    if exclude_school_id is not None:
        statement = statement.where(MentorDirectoryEntry.school_id != exclude_school_id)
    if query.competency:
        statement = statement.where(
            MentorDirectoryEntry.competency_codes.contains(cast([query.competency], ARRAY(String(60))))
        )
    if query.form:
        statement = statement.where(
            MentorDirectoryEntry.form_codes.contains(cast([query.form], ARRAY(String(60))))
        )
    if query.subject:
        pattern = "%" + query.subject.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(func.array_to_string(MentorDirectoryEntry.subjects, " ").ilike(pattern))
    if query.municipality:
        statement = statement.where(MentorDirectoryEntry.municipality_id == query.municipality_id)
    if query.free_only:
        statement = statement.where(MentorDirectoryEntry.capacity > MentorDirectoryEntry.load)
    if query.q:
        match, rank = _text_match(query.q)
        return statement.where(match).order_by(
            rank.desc(), MentorDirectoryEntry.full_name, MentorDirectoryEntry.id
        )
    return statement.order_by(MentorDirectoryEntry.full_name, MentorDirectoryEntry.id)


async def set_similarity(db: AsyncSession) -> None:
    await db.execute(text(f"SET LOCAL pg_trgm.word_similarity_threshold = {WORD_SIMILARITY}"))


async def search(
    db: AsyncSession, query: MentorQuery, *, exclude_school_id: uuid.UUID | None = None
) -> tuple[Sequence[tuple[MentorDirectoryEntry, int]], Window]:
    if query.q:
        await set_similarity(db)
    rows, window = await page_of(db, search_query(query, exclude_school_id=exclude_school_id), query.page)
    return rows, window


async def get_entry(db: AsyncSession, entry_id: str) -> MentorDirectoryEntry | None:
    """One card of the directory, if the transaction's scope may read it (else None → 404)."""
    try:
        key = uuid.UUID(entry_id)
    except ValueError:
        return None
    return await db.get(MentorDirectoryEntry, key)
