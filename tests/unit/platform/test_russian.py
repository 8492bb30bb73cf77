"""Declension of names and organisations as documents write them."""

from __future__ import annotations

import pytest

from nastavnik.platform import russian
from nastavnik.platform.documents.text import initials_surname, name_in, surname_initials, title_in
from nastavnik.platform.russian import Case, Gender


@pytest.mark.parametrize(
    ("first", "middle", "gender"),
    [
        ("Андрей", "Николаевич", Gender.MALE),
        ("Анна", "Николаевна", Gender.FEMALE),
        ("Саша", "Ильинична", Gender.FEMALE),
        ("Саша", "Ильич", Gender.MALE),
        ("Эльмира", None, Gender.FEMALE),
        ("Тимур", "Рашид оглы", Gender.MALE),
    ],
)
def test_gender_comes_from_the_patronymic_first(first: str, middle: str | None, gender: Gender) -> None:
    assert russian.gender_of(first, middle) is gender


@pytest.mark.parametrize(
    ("full", "case", "expected"),
    [
        ("Петров Андрей Николаевич", Case.ACCUSATIVE, "А. Н. Петрова"),
        ("Петрова Анна Николаевна", Case.ACCUSATIVE, "А. Н. Петрову"),
        ("Иванова Мария Петровна", Case.DATIVE, "М. П. Ивановой"),
        ("Ким Ольга Игоревна", Case.DATIVE, "О. И. Ким"),
        ("Ким Олег Игоревич", Case.DATIVE, "О. И. Киму"),
        ("Соколова Елена Викторовна", Case.NOMINATIVE, "Е. В. Соколова"),
    ],
)
def test_initials_before_a_declined_surname(full: str, case: Case, expected: str) -> None:
    assert initials_surname(full, case) == expected


def test_whole_names_and_lists() -> None:
    assert name_in("Иванова Мария Петровна", Case.ACCUSATIVE) == "Иванову Марию Петровну"
    assert name_in("Римский-Корсаков Николай Андреевич", Case.GENITIVE) == (
        "Римского-Корсакова Николая Андреевича"
    )
    assert surname_initials("Сидоров Пётр Ильич", Case.DATIVE) == "Сидорову П. И."
    # A single word cannot be split into parts: it stays as typed.
    assert name_in("Иванова", Case.DATIVE) == "Иванова"


@pytest.mark.parametrize(
    ("title", "case", "expected"),
    [
        (
            "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 2»",
            Case.DATIVE,
            "Муниципальному бюджетному общеобразовательному учреждению «Средняя школа № 2»",
        ),
        (
            "Муниципальное бюджетное учреждение дополнительного образования «Центр детского творчества»",
            Case.GENITIVE,
            "Муниципального бюджетного учреждения дополнительного образования «Центр детского творчества»",
        ),
        ("Заместитель директора по УВР", Case.ACCUSATIVE, "Заместителя директора по УВР"),
        ("учитель математики", Case.DATIVE, "учителю математики"),
        ("МБОУ СОШ № 2", Case.DATIVE, "МБОУ СОШ № 2"),
        ("ООО «Завод»", Case.INSTRUMENTAL, "ООО «Завод»"),
    ],
)
def test_titles_decline_up_to_their_head_noun(title: str, case: Case, expected: str) -> None:
    assert title_in(title, case) == expected
