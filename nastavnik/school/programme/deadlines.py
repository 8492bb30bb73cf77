"""Deadlines of roadmap rows as people write them: a date, a month or a period.

«15.10.2025», «до 30.09.2025», «октябрь», «сентябрь–октябрь», «декабрь 2025 – май 2026»,
«с 15 по 29 октября», «в течение года». Templates keep positions within the academic year
(month and day, no year); a school's roadmap resolves them to dates of its own year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from nastavnik.platform.academic_year import AcademicYear

MONTHS = {
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "ма": 5,
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
}
MONTH_NAMES = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
_MONTH_WORD = re.compile(
    r"^(январ[ьяе]|феврал[ьяе]|марта?|марте|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|августа?|августе|"
    r"сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])$"
)
WHOLE_YEAR = re.compile(
    r"^(в течени[ея]( всего| учебного)?( года| периода| реализации.*)?|постоянно|ежемесячно|"
    r"ежегодно|регулярно.*|весь (учебный )?год|в течение учебного года)$"
)
HINT = "Укажите дату (15.10.2025), месяц (октябрь) или период (сентябрь–октябрь, 01.09.2025–15.10.2025)."


UNCLEAR = "Срок записан непонятно. " + HINT


class DeadlineError(ValueError):
    """The text is not a deadline we understand, or lies outside the academic year."""


@dataclass(frozen=True)
class Position:
    """A day within the academic year, without the year: month and day (31 = month end)."""

    month: int
    day: int

    def resolve(self, year: AcademicYear) -> dt.date:
        calendar_year = year.start if self.month >= 9 else year.start + 1
        last = calendar.monthrange(calendar_year, self.month)[1]
        return dt.date(calendar_year, self.month, min(self.day, last))

    @property
    def order(self) -> int:
        return ((self.month - 9) % 12) * 40 + self.day


@dataclass(frozen=True)
class Deadline:
    due: Position
    starts: Position | None = None

    def dates(self, year: AcademicYear) -> tuple[dt.date | None, dt.date]:
        return (self.starts.resolve(year) if self.starts else None), self.due.resolve(year)


@dataclass(frozen=True)
class _Point:
    month: int
    day: int | None  # None: the whole month
    year: int | None


def _normalise(text: str) -> str:
    text = text.strip().lower().replace("ё", "е").replace(",", " ")
    text = re.sub(r"[–—−‒]", "-", text)
    text = re.sub(r"(\d)([а-я])", r"\1 \2", text)
    text = re.sub(r"\s*-\s*", " - ", text)
    text = re.sub(r"(20\d\d)\s*(г\.?|года?)(?=\s|$|-)", r"\1", text)
    text = re.sub(r"[.;]+$", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def _month(word: str) -> int | None:
    if not _MONTH_WORD.match(word):
        return None
    for stem, number in sorted(MONTHS.items(), key=lambda kv: -len(kv[0])):
        if word.startswith(stem):
            return number
    return None


def _year(word: str) -> int | None:
    return int(word) if re.fullmatch(r"20\d\d", word) else None


def _point(text: str) -> _Point:
    """One end of a period: «15.10.2025», «15.10», «октябрь», «октябрь 2025», «15 октября»."""
    words = text.split()
    if not words:
        raise DeadlineError(UNCLEAR)
    numeric = re.fullmatch(r"(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4}))?", words[0])
    if numeric and len(words) == 1:
        year = numeric.group(3)
        full_year = (2000 + int(year) if len(year) == 2 else int(year)) if year else None
        return _checked(_Point(int(numeric.group(2)), int(numeric.group(1)), full_year))
    day: int | None = None
    if words[0].isdigit() and len(words) >= 2:
        day = int(words[0])
        words = words[1:]
    month = _month(words[0])
    if month is None:
        raise DeadlineError(UNCLEAR)
    year_value: int | None = None
    if len(words) == 2:
        year_value = _year(words[1])
        if year_value is None:
            raise DeadlineError(UNCLEAR)
    elif len(words) > 2:
        raise DeadlineError(UNCLEAR)
    return _checked(_Point(month, day, year_value))


def _checked(point: _Point) -> _Point:
    if not 1 <= point.month <= 12:
        raise DeadlineError("В дате нет такого месяца. " + HINT)
    if point.day is not None:
        year = point.year or 2024  # a leap year accepts 29 February
        if not 1 <= point.day <= calendar.monthrange(year, point.month)[1]:
            raise DeadlineError("В этом месяце нет такого числа. " + HINT)
    return point


def _split_period(text: str) -> tuple[str, str] | None:
    match = re.fullmatch(r"с (.+?) по (.+)", text)
    if match:
        return match.group(1), match.group(2)
    if " - " in text:
        first, _, second = text.partition(" - ")
        return first, second
    return None


@dataclass(frozen=True)
class ParsedDeadline:
    deadline: Deadline
    # Calendar years written in the text, to check them against the academic year.
    years: tuple[tuple[Position, int], ...] = ()


def parse(text: str) -> ParsedDeadline:
    """Understand a deadline without a year; raises DeadlineError with a Russian message."""
    clean = _normalise(text or "")
    if not clean:
        raise DeadlineError("Укажите срок. " + HINT)
    if WHOLE_YEAR.match(clean):
        return ParsedDeadline(Deadline(due=Position(8, 31), starts=Position(9, 1)))
    clean = re.sub(r"^(до|не позднее|по)\s+", "", clean)
    period = _split_period(clean)
    if period is None:
        point = _point(clean)
        due = Position(point.month, point.day or 31)
        starts = None if point.day else Position(point.month, 1)
        years: tuple[tuple[Position, int], ...] = ((due, point.year),) if point.year else ()
        return ParsedDeadline(Deadline(due=due, starts=starts), years)
    first_text, second_text = period
    second = _point(second_text)
    # «с 15 по 29 октября»: the month (and year) of the second end apply to the first.
    if re.fullmatch(r"\d{1,2}", first_text.strip()):
        first = _checked(_Point(second.month, int(first_text), second.year))
    else:
        first = _point(first_text)
        if first.year is None and second.year is not None and first.month <= second.month:
            first = _Point(first.month, first.day, second.year)
    starts = Position(first.month, first.day or 1)
    due = Position(second.month, second.day or 31)
    years = tuple((pos, pt.year) for pos, pt in ((starts, first), (due, second)) if pt.year is not None)
    if starts.order > due.order:
        raise DeadlineError("Начало периода позже его окончания в пределах учебного года.")
    return ParsedDeadline(Deadline(due=due, starts=starts), years)


def parse_for_year(text: str, year: AcademicYear) -> tuple[dt.date | None, dt.date]:
    """The dates of a deadline in one academic year; years written in the text must fit it."""
    parsed = parse(text)
    for position, written in parsed.years:
        expected = position.resolve(year).year
        if written != expected:
            msg = (
                f"Срок выходит за учебный год {year.title} "
                f"({year.starts:%d.%m.%Y}–{year.ends:%d.%m.%Y}). Укажите дату внутри него."
            )
            raise DeadlineError(msg)
    return parsed.deadline.dates(year)


def position_of(day: dt.date) -> Position:
    return Position(day.month, day.day)


def describe(position: Position) -> str:
    """«31.10» for a day, used in template listings."""
    return f"{position.day:02d}.{position.month:02d}"
