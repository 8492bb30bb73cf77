"""The academic year a school's per-year screens show, chosen once and kept across pages.

The years offered are those of the school's programmes plus the current one, so a
programme created for a past year (a school moving onto the platform mid-way) is
reachable from import, matching, the banks, pairs, meetings and the dashboard alike.
`?year=2024-2025` picks a year; the choice is remembered in a cookie scoped to the
school's URLs, and every per-year screen reads it through one dependency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.enums import ScopeType
from litestar.params import SkipValidation
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school
from nastavnik.platform.web import DB
from nastavnik.school.programme.models import Programme
from nastavnik.school.programme.services import local_today
from nastavnik.tenants.dependencies import CurrentSchool, SchoolController
from nastavnik.tenants.models import School

YEAR_COOKIE = "nastavnik_year"
YEAR_COOKIE_MAX_AGE = 180 * 24 * 3600


@dataclass(frozen=True)
class YearChoice:
    """The year to show and the years to offer (newest first)."""

    year: AcademicYear
    years: tuple[AcademicYear, ...]
    # Years that have a programme: the picker marks the others «без программы».
    with_programme: frozenset[int] = frozenset()

    @property
    def start(self) -> int:
        return self.year.start

    @property
    def title(self) -> str:
        return self.year.title

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, label) pairs for a `<select>`, as the form macros take them."""
        return [(y.title, self.label(y)) for y in self.years]

    def label(self, year: AcademicYear) -> str:
        return year.title if year.start in self.with_programme else f"{year.title} (без программы)"

    def offers(self, year: AcademicYear | None) -> bool:
        return year is not None and year in self.years


async def programme_years(db: AsyncSession, school: School) -> list[int]:
    await set_school(db, school.id)
    result = await db.execute(
        select(Programme.academic_year)
        .where(Programme.school_id == school.id)
        .order_by(Programme.academic_year.desc())
    )
    return list(result.scalars())


def default_year(programmes: list[int], today: dt.date) -> AcademicYear:
    """This academic year if it has a programme, else the newest programme's year, else this one."""
    current = AcademicYear.current(today)
    if not programmes or current.start in programmes:
        return current
    return AcademicYear(max(programmes))


def choose_year(
    programmes: list[int], today: dt.date, *, asked: str | None, remembered: str | None
) -> YearChoice:
    """The query's year wins, then the remembered one, then `default_year`.

    A year asked in the URL is shown even without a programme (links from a person's
    card name the year of a profile); a remembered one only while it is still offered.
    """
    current = AcademicYear.current(today)
    years = {AcademicYear(y) for y in programmes} | {current}
    chosen = AcademicYear.parse(asked or "")
    if chosen is not None:
        years.add(chosen)
    else:
        kept = AcademicYear.parse(remembered or "")
        chosen = kept if kept in years else default_year(programmes, today)
    return YearChoice(chosen, tuple(sorted(years, reverse=True)), frozenset(programmes))


async def school_year_choice(
    db: AsyncSession, school: School, *, asked: str | None = None, remembered: str | None = None
) -> YearChoice:
    return choose_year(await programme_years(db, school), local_today(), asked=asked, remembered=remembered)


async def provide_year(request: Request[Any, Any, Any], db: DB, school: CurrentSchool) -> YearChoice:
    asked = request.query_params.get("year")
    return await school_year_choice(
        db,
        school,
        asked=asked if isinstance(asked, str) else None,
        remembered=request.cookies.get(YEAR_COOKIE),
    )


# Injected by name: a handler that takes `chosen: ChosenYear` gets the year of the picker.
ChosenYear = NamedDependency[SkipValidation[YearChoice]]
YEAR_DEPENDENCIES = {"chosen": Provide(provide_year)}


def _school_path(path: str) -> str | None:
    """«/s/sosh2-zar/pairs» → «/s/sosh2-zar/» (the cookie's path: one choice per school)."""
    parts = path.split("/")
    return f"/s/{parts[2]}/" if len(parts) > 2 and parts[1] == "s" and parts[2] else None


def remember_year(app: ASGIApp) -> ASGIApp:
    """Middleware of the per-year controllers: a valid `?year=` is remembered for the school.

    Done on the way out so that every handler of a controller keeps the choice without
    touching its response, fragments and redirects included.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("year", [""])[0]
        year = AcademicYear.parse(asked)
        path = _school_path(scope.get("path", ""))
        if year is None or path is None:
            await app(scope, receive, send)
            return
        settings = scope["litestar_app"].state.settings
        cookie = Cookie(
            key=YEAR_COOKIE,
            value=year.title,
            max_age=YEAR_COOKIE_MAX_AGE,
            path=path,
            httponly=True,
            secure=settings.session_cookie_secure,
            samesite="lax",
        )
        header = cookie.to_encoded_header()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        await app(scope, receive, send_with_cookie)

    return middleware


class YearController(SchoolController):
    """Base of a school controller whose screens are per academic year (`chosen: ChosenYear`)."""

    dependencies = {**SchoolController.dependencies, **YEAR_DEPENDENCIES}  # noqa: RUF012
    middleware = [remember_year]  # noqa: RUF012 - read by Litestar, never mutated
