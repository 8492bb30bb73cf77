"""Checking answers against a questionnaire: one Russian message per question, drafts keep
what is valid, every shipped template is well-formed."""

from __future__ import annotations

from nastavnik.school.questionnaires.definitions import (
    IMPACT_PARAMETERS,
    TEMPLATES,
    Question,
    QuestionKind,
    Section,
    definition_of,
    parse_answers,
    questions_of,
)
from nastavnik.school.questionnaires.models import QuestionnaireKind

REFS = {"direction": [("d1", "Раскрытие потенциала"), ("d2", "Профориентация")]}
DEFINITION = definition_of(
    [
        Section(
            "Раздел",
            (
                Question("one", "Один", QuestionKind.SINGLE, required=True, options=("Да", "Нет")),
                Question("many", "Несколько", QuestionKind.MULTIPLE, options=("А", "Б", "В")),
                Question("s5", "Шкала", QuestionKind.SCALE5, required=True),
                Question("s10", "Шкала 10", QuestionKind.SCALE10),
                Question("n", "Число", QuestionKind.NUMBER),
                Question("short", "Коротко", QuestionKind.SHORT_TEXT),
                Question("ref", "Справочник", QuestionKind.REFERENCE, reference="direction"),
            ),
        )
    ]
)


def test_valid_answers_are_typed() -> None:
    raw = {"one": ["Да"], "many": ["А", "В", "А"], "s5": ["5"], "s10": ["10"], "n": ["4,5"], "ref": ["d2"]}
    answers, errors = parse_answers(DEFINITION, raw, reference_options=REFS, final=True)
    assert errors == {}
    assert answers == {"one": "Да", "many": ["А", "В"], "s5": 5, "s10": 10, "n": 4.5, "ref": ["d2"]}


def test_each_bad_answer_gets_its_own_message_and_keeps_what_was_typed() -> None:
    raw = {
        "one": ["Может быть"],
        "many": ["Г"],
        "s5": ["6"],
        "s10": ["ноль"],
        "n": ["много"],
        "short": ["х" * 301],
        "ref": ["чужое"],
    }
    answers, errors = parse_answers(DEFINITION, raw, reference_options=REFS, final=True)
    assert errors == {
        "one": "Выберите один из предложенных вариантов.",
        "many": "Отметьте варианты из списка.",
        "s5": "Поставьте оценку от 1 до 5.",
        "s10": "Поставьте оценку от 1 до 10.",
        "n": "Введите число, например 3 или 4,5.",
        "short": "Ответ — не длиннее 300 символов; сократите его.",
        "ref": "Отметьте варианты из списка.",
    }
    assert answers["n"] == "много" and answers["many"] == ["Г"]


def test_required_questions_wait_for_the_final_answer() -> None:
    draft, errors = parse_answers(DEFINITION, {"s10": ["3"]}, reference_options=REFS, final=False)
    assert errors == {} and draft == {"s10": 3}
    _, errors = parse_answers(DEFINITION, {"s10": ["3"]}, reference_options=REFS, final=True)
    assert set(errors) == {"one", "s5"}


def test_every_template_has_unique_keys_and_the_impact_one_measures_every_parameter() -> None:
    assert set(TEMPLATES) == set(QuestionnaireKind)
    for definition in TEMPLATES.values():
        keys = [q.key for q in questions_of(definition)]
        assert keys and len(keys) == len(set(keys))
    measured = {q.parameter for q in questions_of(TEMPLATES[QuestionnaireKind.IMPACT])}
    assert measured == set(IMPACT_PARAMETERS)
