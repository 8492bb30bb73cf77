"""How values typed by curators and exported by school systems are read."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nastavnik.school.participants.models import TeacherCategory
from nastavnik.school.participants.parsing import (
    clean_name,
    clean_phone,
    name_is_valid,
    name_key,
    parse_bool,
    parse_class,
    parse_date,
    parse_int,
    parse_teacher_category,
    split_full_name,
    split_list,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05.03.2011", dt.date(2011, 3, 5)),
        ("2011-03-05", dt.date(2011, 3, 5)),
        ("5.3.2011", dt.date(2011, 3, 5)),
        ("05/03/2011", dt.date(2011, 3, 5)),
        ("2011-03-05 00:00:00", dt.date(2011, 3, 5)),
        ("01.02.99", dt.date(1999, 2, 1)),
        ("31.02.2011", None),
        ("завтра", None),
        ("", None),
    ],
)
def test_dates_are_read_in_the_forms_schools_use(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7Б", (7, "Б")),
        ("7 б", (7, "Б")),
        ("7-Б", (7, "Б")),
        ("10 «А»", (10, "А")),
        ('11 "В"', (11, "В")),
        ("11А класс", (11, "А")),
        ("5", (5, "")),
        ("12А", None),
        ("0Б", None),
        ("седьмой", None),
    ],
)
def test_classes_are_read_with_any_spacing_and_quotes(text: str, expected: tuple[int, str] | None) -> None:
    assert parse_class(text) == expected


def test_names_are_tidied_but_not_mangled() -> None:
    assert clean_name("  ИВАНОВА  ") == "Иванова"
    assert clean_name("петрова-водкина") == "Петрова-Водкина"
    assert clean_name("Мак-Грегор") == "Мак-Грегор"
    assert clean_name("анна мария") == "Анна Мария"
    assert name_is_valid("Петрова-Водкина")
    assert not name_is_valid("Иванов2")
    assert not name_is_valid("-")


def test_full_names_are_split_surname_first() -> None:
    assert split_full_name("Иванова Мария Петровна") == ("Иванова", "Мария", "Петровна")
    assert split_full_name("Оглы Мамед Рза оглы") == ("Оглы", "Мамед", "Рза оглы")
    assert split_full_name("Иванова") == ("Иванова", "", "")
    assert split_full_name("") == ("", "", "")


def test_the_name_key_ignores_case_spaces_and_yo() -> None:
    day = dt.date(2012, 1, 2)
    assert name_key("Семёнов", "Артём", "", day) == name_key("СЕМЕНОВ ", "артем", "", day)
    assert name_key("Семёнов", "Артём", "", day) != name_key("Семёнов", "Артём", "", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("высшая", TeacherCategory.HIGHEST),
        ("Высшая квалификационная категория", TeacherCategory.HIGHEST),
        ("первая категория", TeacherCategory.FIRST),
        ("СЗД", TeacherCategory.COMPLIANCE),
        ("молодой специалист", TeacherCategory.YOUNG_SPECIALIST),
        ("педагог-наставник", TeacherCategory.MENTOR),
        ("вторая", None),
    ],
)
def test_teacher_categories_are_recognised(text: str, expected: TeacherCategory | None) -> None:
    assert parse_teacher_category(text) is expected


def test_phones_are_normalised_to_plus_seven() -> None:
    assert clean_phone("8 (900) 123-45-67") == "+79001234567"
    assert clean_phone("+7 900 123 45 67") == "+79001234567"
    assert clean_phone("9001234567") == "+79001234567"
    assert clean_phone("") == ""
    assert clean_phone("123") is None


def test_lists_numbers_and_flags() -> None:
    assert split_list("математика, физика; Математика\nинформатика") == [
        "математика",
        "физика",
        "информатика",
    ]
    assert parse_int("25", 0, 70) == 25
    assert parse_int("25.0", 0, 70) == 25
    assert parse_int("71", 0, 70) is None
    assert parse_int("много", 0, 70) is None
    assert parse_bool("Да") and parse_bool("1") and not parse_bool("нет")


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_any_date_written_by_the_platform_reads_back(day: dt.date) -> None:
    assert parse_date(day.strftime("%d.%m.%Y")) == day
    assert parse_date(day.isoformat()) == day


@given(st.integers(min_value=1, max_value=11), st.sampled_from("АБВГДЕЖЗИКЛМ"))
def test_any_class_title_reads_back(grade: int, letter: str) -> None:
    assert parse_class(f"{grade} «{letter}»") == (grade, letter)
    assert parse_class(f"{grade}{letter.lower()}") == (grade, letter)
