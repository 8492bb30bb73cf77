"""Roadmap deadlines as curators write them, resolved within one academic year."""

from __future__ import annotations

import datetime as dt

import pytest

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.school.programme.deadlines import DeadlineError, Position, parse, parse_for_year

YEAR = AcademicYear(2025)
D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.10.2025", (None, D(2025, 10, 15))),
        ("до 30.09.2025", (None, D(2025, 9, 30))),
        ("30 сентября", (None, D(2025, 9, 30))),
        ("октябрь", (D(2025, 10, 1), D(2025, 10, 31))),
        ("Сентябрь–октябрь", (D(2025, 9, 1), D(2025, 10, 31))),
        ("сентябрь-октябрь 2025 г.", (D(2025, 9, 1), D(2025, 10, 31))),
        ("декабрь 2025 – май 2026", (D(2025, 12, 1), D(2026, 5, 31))),
        ("Февраль – май 2026", (D(2026, 2, 1), D(2026, 5, 31))),
        ("с 15 по 29октября 2025 г.", (D(2025, 10, 15), D(2025, 10, 29))),
        ("01.09.2025–15.10.2025", (D(2025, 9, 1), D(2025, 10, 15))),
        ("в течение года", (D(2025, 9, 1), D(2026, 8, 31))),
        ("постоянно", (D(2025, 9, 1), D(2026, 8, 31))),
        ("май", (D(2026, 5, 1), D(2026, 5, 31))),
    ],
)
def test_deadline_texts_resolve_to_dates_of_the_year(text: str, expected: tuple[object, object]) -> None:
    assert parse_for_year(text, YEAR) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Укажите срок"),
        ("когда-нибудь", "Срок записан непонятно"),
        ("до 01.10.2022", "Срок выходит за учебный год 2025-2026"),
        ("январь 2025", "Срок выходит за учебный год 2025-2026"),
        ("май–сентябрь", "Начало периода позже его окончания"),
        ("31.02.2026", "нет такого числа"),
        ("15.13.2025", "нет такого месяца"),
    ],
)
def test_bad_deadlines_are_refused_with_a_russian_message(text: str, message: str) -> None:
    with pytest.raises(DeadlineError, match=message):
        parse_for_year(text, YEAR)


def test_template_positions_follow_the_calendar_of_each_year() -> None:
    february = parse("февраль").deadline
    assert february.due == Position(2, 31)
    assert february.dates(AcademicYear(2027)) == (D(2028, 2, 1), D(2028, 2, 29))
    assert february.dates(AcademicYear(2025)) == (D(2026, 2, 1), D(2026, 2, 28))
