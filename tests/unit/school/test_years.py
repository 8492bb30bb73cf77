"""The year picker's choice: the URL, then the remembered year, then the programmes' default."""

from __future__ import annotations

import datetime as dt

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.school.years import _school_path, choose_year, default_year

TODAY = dt.date(2026, 12, 1)  # in 2026-2027


def test_years_come_from_the_programmes_plus_the_current_one() -> None:
    chosen = choose_year([2022, 2019], TODAY, asked=None, remembered=None)
    assert [y.title for y in chosen.years] == ["2026-2027", "2022-2023", "2019-2020"]
    # The current year has no programme: the newest programme opens, not an empty year.
    assert chosen.year == AcademicYear(2022)
    assert chosen.label(AcademicYear(2026)) == "2026-2027 (без программы)"
    assert chosen.label(AcademicYear(2022)) == "2022-2023"


def test_the_current_year_opens_when_it_has_a_programme() -> None:
    assert default_year([2025, 2026], TODAY) == AcademicYear(2026)
    assert default_year([], TODAY) == AcademicYear(2026)


def test_the_url_wins_over_the_remembered_year_and_a_stale_cookie_is_ignored() -> None:
    asked = choose_year([2022, 2026], TODAY, asked="2022-2023", remembered="2026-2027")
    assert asked.year == AcademicYear(2022)
    kept = choose_year([2022, 2026], TODAY, asked=None, remembered="2022-2023")
    assert kept.year == AcademicYear(2022)
    # A remembered year whose programme is gone (or garbage) falls back to the default.
    stale = choose_year([2026], TODAY, asked=None, remembered="2019-2020")
    assert stale.year == AcademicYear(2026)
    garbage = choose_year([2026], TODAY, asked="2019-2021", remembered="x")
    assert garbage.year == AcademicYear(2026)


def test_a_year_asked_in_the_url_is_offered_even_without_a_programme() -> None:
    chosen = choose_year([2026], TODAY, asked="2024-2025", remembered=None)
    assert chosen.year == AcademicYear(2024)
    assert AcademicYear(2024) in chosen.years


def test_the_cookie_is_scoped_to_one_school() -> None:
    assert _school_path("/s/sosh2-zar/pairs") == "/s/sosh2-zar/"
    assert _school_path("/s/sosh2-zar") == "/s/sosh2-zar/"
    assert _school_path("/r/region/x") is None
