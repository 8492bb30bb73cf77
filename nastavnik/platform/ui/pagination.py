"""Bounded lists: one page of rows and its total in one round trip, and the pager's links.

Every list page reads `page_of(...)` and renders `ui.pager(...)` from `_macros/ui.html`, so
a page's statement count and size stay the same whatever the school holds (the shape the
participant banks use: offset pages of 50, the total from a window count over the matches).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

# Rows per page. Read at call time, so a test may lower it to see several pages.
PAGE_SIZE = 50
# Past this page a link is refused as nonsense rather than scanned (offset cost grows).
MAX_PAGE = 100_000


def group_digits(number: int) -> str:
    """2 500, 12 345: Russian typography groups thousands with a (non-breaking) space."""
    return f"{number:,}".replace(",", "\u00a0")


def page_number(params: Mapping[str, Any], name: str = "page") -> int:
    """The page asked for in the query string; anything odd is the first page."""
    value = params.get(name, "")
    if isinstance(value, str) and value.strip().isdigit():
        return min(max(int(value.strip()), 1), MAX_PAGE)
    return 1


@dataclass(frozen=True)
class Window:
    """Where a page sits in its list: rows `first`–`last` of `total`, and how to link its neighbours."""

    page: int
    size: int
    total: int
    shown: int
    base_url: str = ""
    params: tuple[tuple[str, str], ...] = field(default=())
    target: str = ""
    param: str = "page"  # the query parameter of this list's page (several lists on one page)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return self.first + self.shown - 1 if self.shown else 0

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def summary(self) -> str:
        if self.shown == self.total:
            return f"Всего: {group_digits(self.total)}"
        return f"Показаны {group_digits(self.first)}–{group_digits(self.last)} из {group_digits(self.total)}"

    @property
    def numbers(self) -> list[int]:
        """Page numbers around the current one (two either side), as the bank pager shows them."""
        return list(range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1))

    def linked(
        self, base_url: str, params: Mapping[str, Any] | None = None, target: str = "", param: str = "page"
    ) -> Window:
        """The same window with the list's URL and filters, which every page link keeps.

        `target` is the CSS selector of the list's container that htmx swaps; without
        JavaScript the links are plain links to the whole page. `param` names this list's
        page in the query string when a page holds several lists (the others' pages are
        among `params` and kept).
        """
        kept = tuple((k, str(v)) for k, v in (params or {}).items() if v not in ("", None) and k != param)
        return replace(self, base_url=base_url, params=kept, target=target, param=param)

    def url(self, page: int) -> str:
        values = [*self.params, *(((self.param, str(page)),) if page > 1 else ())]
        return f"{self.base_url}?{urlencode(values)}" if values else self.base_url


async def page_of(
    db: AsyncSession, query: Select[*tuple[Any, ...]], page: int, size: int | None = None
) -> tuple[Sequence[Any], Window]:
    """One page of `query`'s rows (ordered by the caller) and where it sits in the list.

    The total comes from a window count over the matches in the same statement; a page past
    the end (the list shrank since the link was made) shows the last page instead.
    """
    size = size or PAGE_SIZE
    counted = query.add_columns(func.count().over().label("window_total"))
    rows = (await db.execute(counted.limit(size).offset((page - 1) * size))).all()
    if not rows and page > 1:
        total = int(await db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
        page = max(1, -(-total // size))
        rows = (await db.execute(counted.limit(size).offset((page - 1) * size))).all()
    total = int(rows[0][-1]) if rows else 0
    single = len(query.column_descriptions) == 1
    found = [row[0] if single else tuple(row)[:-1] for row in rows]
    return found, Window(page=page, size=size, total=total, shown=len(found))
