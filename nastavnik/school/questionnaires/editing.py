"""Editing a questionnaire's sections and questions: pure functions from the current sections
and a submitted form to the new sections, with a Russian message beside each wrong field.

The region's methodists (a draft they publish as a version) and a school's curator (a new
version of the school's copy) edit through the same rules, so a question that fills a card
field or measures a monitoring parameter keeps a type those still understand.
"""

from __future__ import annotations

from collections.abc import Sequence

from nastavnik.platform.web import Form
from nastavnik.school.questionnaires.definitions import (
    IMPACT_PARAMETERS,
    MAPS_TO,
    QUESTION_KIND_TITLES,
    REFERENCE_LISTS,
    Question,
    QuestionKind,
    Section,
)

QUESTION_FIELDS = ("key", "section", "text", "kind", "options", "reference", "required", "hint")
SECTION_FIELDS = ("section", "title")
TEXT_MAX = 500
HINT_MAX = 300
SECTION_TITLE_MAX = 200
OPTION_MAX = 200
OPTIONS_MAX = 30
MIN_OPTIONS = 2
QUESTIONS_MAX = 80
SECTIONS_MAX = 12

# The kinds an answer filling a card field may take (the field is text, a list or a number).
_MAPS_TO_KINDS: dict[str, tuple[QuestionKind, ...]] = {
    "request_text": (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT),
    "competencies_text": (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT),
    "directions": (QuestionKind.REFERENCE,),
    "mentor_directions": (QuestionKind.REFERENCE,),
    "request_areas": (QuestionKind.REFERENCE,),
    "capacity": (QuestionKind.NUMBER,),
}


def find_question(sections: Sequence[Section], key: str) -> tuple[int, Question] | None:
    for index, section in enumerate(sections):
        for q in section.questions:
            if q.key == key:
                return index, q
    return None


def question_form(sections: Sequence[Section], key: str) -> Form | None:
    """The edit form of one question, filled with what it is now."""
    found = find_question(sections, key)
    if found is None:
        return None
    index, q = found
    return Form(
        data={
            "key": q.key,
            "section": str(index),
            "text": q.text,
            "kind": q.kind.value,
            "options": "\n".join(q.options),
            "reference": q.reference.split(":")[0],
            "required": "on" if q.required else "",
            "hint": q.hint,
        }
    )


def _section_index(form: Form, sections: Sequence[Section], *, allow_new: bool) -> int | None:
    raw = form.value("section")
    limit = len(sections) + (1 if allow_new else 0)
    if not raw.isdigit() or int(raw) >= limit:
        form.error("section", "Выберите раздел из списка.")
        return None
    return int(raw)


def parse_question(
    form: Form, sections: Sequence[Section], current: Question | None, *, allow_people: bool = False
) -> Question | None:
    """The question the form describes (a new key for a new one), or None with messages.

    Choosing people (`allow_people`) is for the preferences questionnaire only."""
    text = form.require("text", "Напишите текст вопроса.")
    if len(text) > TEXT_MAX:
        form.error("text", f"Вопрос — не длиннее {TEXT_MAX} символов; сократите его.")
    kind_value = form.require("kind", "Выберите тип ответа.")
    kind = next((k for k in QuestionKind if k.value == kind_value), None)
    if kind_value and kind is None:
        form.error("kind", "Такого типа ответа нет; выберите из списка.")
    if kind is QuestionKind.PEOPLE and not allow_people:
        form.error(
            "kind", "Выбор наставника или наставляемого бывает только в анкете после групповой встречи."
        )
    options = _options(form, kind)
    reference = form.value("reference")
    if kind is QuestionKind.REFERENCE and reference not in REFERENCE_LISTS:
        form.error("reference", "Выберите справочник школы.")
    hint = form.value("hint")
    if len(hint) > HINT_MAX:
        form.error("hint", f"Подсказка — не длиннее {HINT_MAX} символов.")
    if current is not None and kind is not None:
        _check_kind_kept(form, current, kind)
    if current is None and sum(len(s.questions) for s in sections) >= QUESTIONS_MAX:
        form.error("text", f"В анкете уже {QUESTIONS_MAX} вопросов — больше добавить нельзя.")
    if not form.ok or kind is None:
        return None
    if (
        kind is QuestionKind.REFERENCE
        and current is not None
        and current.reference.split(":")[0] == reference
    ):
        reference = current.reference  # keep its audience («direction:pupil»)
    return Question(
        key=current.key if current else _new_key(sections),
        text=text,
        kind=kind,
        required=form.value("required") in {"true", "on", "1"},
        options=options if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else (),
        reference=reference if kind is QuestionKind.REFERENCE else "",
        parameter=current.parameter if current else "",
        maps_to=current.maps_to if current else "",
        hint=hint,
    )


def _options(form: Form, kind: QuestionKind | None) -> tuple[str, ...]:
    options = tuple(dict.fromkeys(o.strip() for o in form.value("options").splitlines() if o.strip()))
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < MIN_OPTIONS:
            form.error("options", "Для выбора нужны хотя бы два варианта — по одному в строке.")
        elif len(options) > OPTIONS_MAX:
            form.error("options", f"Не больше {OPTIONS_MAX} вариантов.")
        elif any(len(o) > OPTION_MAX for o in options):
            form.error("options", f"Каждый вариант — не длиннее {OPTION_MAX} символов.")
    return options


def _check_kind_kept(form: Form, current: Question, kind: QuestionKind) -> None:
    if current.parameter and kind is not current.kind:
        title = IMPACT_PARAMETERS.get(current.parameter, current.parameter)
        form.error(
            "kind",
            f"Вопрос измеряет параметр мониторинга «{title}»: тип ответа «{current.kind_title}» "
            "менять нельзя, иначе входной и итоговый замеры не сравнить.",
        )
    allowed = _MAPS_TO_KINDS.get(current.maps_to)
    if allowed and kind not in allowed:
        form.error(
            "kind",
            f"Ответ заполняет поле карточки «{MAPS_TO.get(current.maps_to, current.maps_to)}»: "
            f"оставьте тип «{QUESTION_KIND_TITLES[allowed[0]]}».",
        )
    if current.kind is QuestionKind.PEOPLE and kind is not QuestionKind.PEOPLE:
        form.error("kind", "Этот вопрос передаёт выбор в подбор пар: тип ответа менять нельзя.")


def _new_key(sections: Sequence[Section]) -> str:
    taken = {q.key for s in sections for q in s.questions}
    number = len(taken) + 1
    while f"q{number}" in taken:
        number += 1
    return f"q{number}"


def add_question(
    sections: Sequence[Section], form: Form, *, allow_people: bool = False
) -> list[Section] | None:
    out = list(sections)
    index = _section_index(form, out, allow_new=True)
    question = parse_question(form, out, None, allow_people=allow_people)
    if question is None or index is None:
        return None
    if index == len(out):
        out.append(Section("Дополнительные вопросы", ()))
    out[index] = Section(out[index].title, (*out[index].questions, question))
    return out


def save_question(
    sections: Sequence[Section], form: Form, *, allow_people: bool = False
) -> list[Section] | None:
    """The question changed in place (or moved to the end of another section)."""
    found = find_question(sections, form.value("key"))
    if found is None:
        form.error("text", "Такого вопроса в анкете уже нет — обновите страницу.")
        return None
    old_index, current = found
    index = _section_index(form, sections, allow_new=False)
    question = parse_question(form, sections, current, allow_people=allow_people)
    if question is None or index is None:
        return None
    if index == old_index:
        return [
            Section(s.title, tuple(question if q.key == current.key else q for q in s.questions))
            for s in sections
        ]
    out = [Section(s.title, tuple(q for q in s.questions if q.key != current.key)) for s in sections]
    out[index] = Section(out[index].title, (*out[index].questions, question))
    return out


def delete_question(sections: Sequence[Section], key: str, form: Form) -> list[Section] | None:
    found = find_question(sections, key)
    if found is None:
        form.error("__all__", "Такого вопроса в анкете уже нет.")
        return None
    _, question = found
    if question.parameter:
        form.error(
            "__all__",
            "Вопрос измеряет параметр мониторинга влияния: его можно изменить, но не удалить.",
        )
        return None
    return [Section(s.title, tuple(q for q in s.questions if q.key != key)) for s in sections]


def move_question(sections: Sequence[Section], key: str, step: int) -> list[Section] | None:
    """One place up (-1) or down (+1) within its section."""
    found = find_question(sections, key)
    if found is None:
        return None
    index, _ = found
    questions = list(sections[index].questions)
    at = next(i for i, q in enumerate(questions) if q.key == key)
    to = at + step
    if not 0 <= to < len(questions):
        return list(sections)
    questions[at], questions[to] = questions[to], questions[at]
    out = list(sections)
    out[index] = Section(out[index].title, tuple(questions))
    return out


def _section_title(form: Form) -> str:
    title = form.require("title", "Напишите название раздела.")
    if len(title) > SECTION_TITLE_MAX:
        form.error("title", f"Название — не длиннее {SECTION_TITLE_MAX} символов.")
    return title


def add_section(sections: Sequence[Section], form: Form) -> list[Section] | None:
    title = _section_title(form)
    if len(sections) >= SECTIONS_MAX:
        form.error("title", f"В анкете уже {SECTIONS_MAX} разделов — больше добавить нельзя.")
    if not form.ok:
        return None
    return [*sections, Section(title, ())]


def rename_section(sections: Sequence[Section], form: Form) -> list[Section] | None:
    index = _section_index(form, sections, allow_new=False)
    title = _section_title(form)
    if index is None or not form.ok:
        return None
    out = list(sections)
    out[index] = Section(title, out[index].questions)
    return out


def delete_section(sections: Sequence[Section], form: Form) -> list[Section] | None:
    index = _section_index(form, sections, allow_new=False)
    if index is None:
        return None
    if sections[index].questions:
        form.error(
            "section",
            f"В разделе «{sections[index].title}» есть вопросы: сначала удалите их или перенесите "
            "в другой раздел.",
        )
        return None
    return [s for i, s in enumerate(sections) if i != index]


def publish_problems(sections: Sequence[Section]) -> list[str]:
    """What stops a version from being given to people."""
    problems = [
        f"Раздел «{s.title}» пуст: добавьте в него вопросы или удалите его."
        for s in sections
        if not s.questions
    ]
    if not any(s.questions for s in sections):
        problems.append("В анкете нет ни одного вопроса.")
    return problems
