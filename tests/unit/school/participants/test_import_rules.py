"""Column mapping, header detection and corrections of imports (no database)."""

from __future__ import annotations

from nastavnik.platform.tabular import Table
from nastavnik.school.participants.importing import (
    column_samples,
    guess_mapping,
    locate_header,
    mapping_problems,
    save_corrections,
)
from nastavnik.school.participants.models import ImportTarget, ParticipantImport


def test_headers_of_school_systems_are_recognised() -> None:
    headers = ["№", "Ф.И.О.", "Дата рождения", "Класс", "E-mail", "Примечание", "Что-то ещё"]
    assert guess_mapping(headers, ImportTarget.PUPILS) == {
        "1": "full_name",
        "2": "birth_date",
        "3": "class_name",
        "4": "email",
        "5": "notes",
    }
    staff = ["Фамилия", "Имя", "Отчество", "Должность", "Преподаваемые предметы", "Пед. стаж", "Категория"]
    assert guess_mapping(staff, ImportTarget.STAFF) == {
        "0": "last_name",
        "1": "first_name",
        "2": "middle_name",
        "3": "position",
        "4": "subjects",
        "5": "experience_years",
        "6": "teacher_category",
    }
    # A class column means nothing in a staff file, a subject nothing in a pupils' one.
    assert guess_mapping(["ФИО", "Класс"], ImportTarget.STAFF) == {"0": "full_name"}
    assert guess_mapping(["ФИО", "ФИО"], ImportTarget.PUPILS) == {"0": "full_name"}


def test_the_header_row_is_found_under_a_title() -> None:
    table = Table(
        headers=["Список 7 «Б» класса", "", ""],
        rows=[["", "", ""], ["Фамилия", "Имя", "Класс"], ["Иванов", "Иван", "7Б"]],
    )
    parsed = locate_header(table, ImportTarget.PUPILS)
    assert parsed.headers == ["Фамилия", "Имя", "Класс"]
    assert parsed.first_line == 4
    assert parsed.rows == [["Иванов", "Иван", "7Б"]]
    assert column_samples(parsed) == ["Иванов", "Иван", "7Б"]


def test_mapping_problems_name_what_is_missing() -> None:
    assert mapping_problems({"0": "full_name", "1": "class_name"}, ImportTarget.PUPILS) == []
    assert mapping_problems({"0": "last_name", "1": "first_name"}, ImportTarget.STAFF) == []
    problems = mapping_problems({"0": "last_name", "1": "last_name"}, ImportTarget.PUPILS)
    assert any("ФИО" in p for p in problems)
    assert any("классом" in p for p in problems)
    assert any("2 столбцов" in p for p in problems)


def test_corrections_keep_only_known_fields_and_count_changes() -> None:
    imp = ParticipantImport(target=ImportTarget.PUPILS, corrections={"3": {"birth_date": "01.01.2012"}})
    changed = save_corrections(
        imp,
        {
            "fix_3_birth_date": "01.01.2012",
            "fix_3_class_name": " 7Б ",
            "fix_x_last_name": "Х",
            "fix_4_password": "x",
            "_csrf_token": "t",
        },
    )
    assert changed == 1
    assert imp.corrections == {"3": {"birth_date": "01.01.2012", "class_name": "7Б"}}
