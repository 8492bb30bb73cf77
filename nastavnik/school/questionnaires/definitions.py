"""What a questionnaire is made of, how answers are checked, and the templates the region ships.

A definition is plain JSON (kept in `questionnaire.definition`):

    {"sections": [{"title": "…", "questions": [
        {"key": "q1", "text": "…", "kind": "single", "required": true,
         "options": ["…", "…"],          # single / multiple
         "reference": "direction",        # reference: one of the school's reference lists
         "parameter": "motivation",       # impact: the parameter measured before/after
         "maps_to": "request_text"}       # intake: the profile field the answer fills
    ]}]}

Answers are a dict key → value, checked here with a Russian message per question.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nastavnik.school.questionnaires.models import QuestionnaireKind


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE5 = "scale5"
    SCALE10 = "scale10"
    NUMBER = "number"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    REFERENCE = "reference"
    # The other side of the year's banks: a mentee picks mentors, a mentor picks mentees
    # (the preferences after the group meeting, passed on to matching).
    PEOPLE = "people"


QUESTION_KIND_TITLES: dict[QuestionKind, str] = {
    QuestionKind.SINGLE: "Один вариант",
    QuestionKind.MULTIPLE: "Несколько вариантов",
    QuestionKind.SCALE5: "Шкала 1-5",
    QuestionKind.SCALE10: "Шкала 1-10",
    QuestionKind.NUMBER: "Число",
    QuestionKind.SHORT_TEXT: "Короткий ответ",
    QuestionKind.LONG_TEXT: "Развёрнутый ответ",
    QuestionKind.REFERENCE: "Выбор из справочника школы",
    QuestionKind.PEOPLE: "Выбор наставника / наставляемого (для подбора пар)",
}

PEOPLE_MAX = 3
# Kinds whose answer is a list of values.
LIST_KINDS = (QuestionKind.MULTIPLE, QuestionKind.REFERENCE, QuestionKind.PEOPLE)

# Reference lists a question may offer (ReferenceKind values) and their titles.
REFERENCE_LISTS: dict[str, str] = {
    "direction": "Направления наставничества",
    "request_area": "Сферы запроса",
    "form": "Формы наставничества",
    "deficit_area": "Области компетенций педагога",
}

# Profile fields an intake answer may fill (the curator reviews and accepts).
MAPS_TO: dict[str, str] = {
    "request_text": "Запрос наставляемого",
    "directions": "Направления (запрос)",
    "request_areas": "Сферы запроса",
    "competencies_text": "Компетенции наставника",
    "mentor_directions": "Направления наставника",
    "capacity": "Сколько наставляемых готов(а) вести",
}

# Stage 2 of monitoring: the same parameters at the start and at the end (seed 002).
IMPACT_PARAMETERS: dict[str, str] = {
    "motivation": "Мотивация и личностный рост",
    "competences": "Уровень компетенций",
    "growth": "Профессиональный и образовательный рост",
    "involvement": "Включённость в деятельность школы",
    "adaptation": "Темп адаптации в коллективе",
    "wish_mentor": "Желание стать наставником",
}

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 4000
NUMBER_MAX = 1_000_000


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    kind: QuestionKind
    required: bool = False
    options: tuple[str, ...] = ()
    reference: str = ""
    parameter: str = ""
    maps_to: str = ""
    hint: str = ""

    @property
    def kind_title(self) -> str:
        return QUESTION_KIND_TITLES[self.kind]

    @property
    def scale_max(self) -> int:
        return 10 if self.kind is QuestionKind.SCALE10 else 5

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "text": self.text, "kind": self.kind.value}
        for name in ("required", "reference", "parameter", "maps_to", "hint"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.options:
            data["options"] = list(self.options)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            key=str(data["key"]),
            text=str(data["text"]),
            kind=QuestionKind(data["kind"]),
            required=bool(data.get("required", False)),
            options=tuple(str(o) for o in data.get("options", ())),
            reference=str(data.get("reference", "")),
            parameter=str(data.get("parameter", "")),
            maps_to=str(data.get("maps_to", "")),
            hint=str(data.get("hint", "")),
        )


@dataclass(frozen=True)
class Section:
    title: str
    questions: tuple[Question, ...]


def sections_of(definition: Mapping[str, Any]) -> list[Section]:
    return [
        Section(str(s.get("title", "")), tuple(Question.from_json(q) for q in s.get("questions", ())))
        for s in definition.get("sections", ())
    ]


def questions_of(definition: Mapping[str, Any]) -> Iterator[Question]:
    for section in sections_of(definition):
        yield from section.questions


def definition_of(sections: list[Section]) -> dict[str, Any]:
    return {
        "sections": [{"title": s.title, "questions": [q.to_json() for q in s.questions]} for s in sections]
    }


# --- answers --------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or value in ("", [])


def parse_answers(
    definition: Mapping[str, Any],
    raw: Mapping[str, list[str]],
    *,
    reference_options: Mapping[str, list[tuple[str, str]]],
    final: bool,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed answers and per-question messages from a submitted form (key → list of values).

    A draft (`final=False`) keeps what is valid and skips the required check, so nobody
    loses what they typed; a final answer needs every required question.
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in questions_of(definition):
        values = [v.strip() for v in raw.get(q.key, []) if v.strip()]
        value, error = _parse_one(q, values, reference_options)
        if error:
            errors[q.key] = error
            # Keep what was typed so the field shows it again.
            answers[q.key] = values if q.kind in LIST_KINDS else (values[0] if values else "")
            continue
        if _is_empty(value):
            # Nobody to choose yet (the person is in neither bank): the question cannot be answered.
            nobody = q.kind is QuestionKind.PEOPLE and not reference_options.get("people")
            if q.required and final and not nobody:
                errors[q.key] = "Ответьте на этот вопрос: он обязательный."
            continue
        answers[q.key] = value
    return answers, errors


def _parse_one(  # noqa: PLR0911, PLR0912 - one branch per kind of question
    q: Question, values: list[str], reference_options: Mapping[str, list[tuple[str, str]]]
) -> tuple[Any, str]:
    if not values:
        return None, ""
    first = values[0]
    match q.kind:
        case QuestionKind.SINGLE:
            return (first, "") if first in q.options else (None, "Выберите один из предложенных вариантов.")
        case QuestionKind.MULTIPLE:
            picked = list(dict.fromkeys(values))
            if any(v not in q.options for v in picked):
                return None, "Отметьте варианты из списка."
            return picked, ""
        case QuestionKind.PEOPLE:
            allowed = {code for code, _ in reference_options.get("people", [])}
            picked = list(dict.fromkeys(values))
            if any(v not in allowed for v in picked):
                return None, "Отметьте людей из списка."
            if len(picked) > PEOPLE_MAX:
                return None, f"Можно выбрать не больше {PEOPLE_MAX}."
            return picked, ""
        case QuestionKind.REFERENCE:
            allowed = {code for code, _ in reference_options.get(q.reference, [])}
            picked = list(dict.fromkeys(values))
            if any(v not in allowed for v in picked):
                return None, "Отметьте варианты из списка."
            return picked, ""
        case QuestionKind.SCALE5 | QuestionKind.SCALE10:
            if not first.isdigit() or not 1 <= int(first) <= q.scale_max:
                return None, f"Поставьте оценку от 1 до {q.scale_max}."
            return int(first), ""
        case QuestionKind.NUMBER:
            text = first.replace(",", ".").replace(" ", "")
            try:
                number = float(text)
            except ValueError:
                return None, "Введите число, например 3 или 4,5."
            if not -NUMBER_MAX <= number <= NUMBER_MAX:
                return None, "Слишком большое число."
            return (int(number) if number.is_integer() else number), ""
        case QuestionKind.SHORT_TEXT:
            if len(first) > SHORT_TEXT_MAX:
                return None, f"Ответ — не длиннее {SHORT_TEXT_MAX} символов; сократите его."
            return first, ""
        case QuestionKind.LONG_TEXT:
            if len(first) > LONG_TEXT_MAX:
                return None, f"Ответ — не длиннее {LONG_TEXT_MAX} символов; сократите его."
            return first, ""
    return None, ""  # pragma: no cover - every kind is matched above


def answer_text(q: Question, value: Any, reference_titles: Mapping[str, str]) -> str:
    """An answer as people read it (exports, the free-text list)."""
    if _is_empty(value):
        return ""
    if q.kind in (QuestionKind.REFERENCE, QuestionKind.PEOPLE):
        return "; ".join(reference_titles.get(str(v), str(v)) for v in value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


# --- the region's templates (seeds 000, 002, 003) --------------------------------------


def _q(key: str, text: str, kind: QuestionKind, **extra: Any) -> dict[str, Any]:
    return Question(key=key, text=text, kind=kind, **extra).to_json()


S5, S10, ONE, MANY = QuestionKind.SCALE5, QuestionKind.SCALE10, QuestionKind.SINGLE, QuestionKind.MULTIPLE
SHORT, LONG, NUM, REF = (
    QuestionKind.SHORT_TEXT,
    QuestionKind.LONG_TEXT,
    QuestionKind.NUMBER,
    QuestionKind.REFERENCE,
)

_FORMAT_OPTIONS = ("Очно", "Онлайн", "Не важно")
_MEETINGS_PER_MONTH = ("1 раз", "2 раза", "3 раза", "4 раза и чаще", "Не было")


def _impact_questions() -> list[dict[str, Any]]:
    texts = {
        "motivation": "Насколько вы мотивированы к саморазвитию и учёбе (работе)?",
        "competences": "Как вы оцениваете свой уровень знаний и умений по направлению наставничества?",
        "growth": "Насколько вы довольны своими образовательными (профессиональными) результатами?",
        "involvement": "Насколько вы включены в проекты и жизнь школы?",
        "adaptation": "Насколько комфортно вам в коллективе (классе)?",
        "wish_mentor": "Насколько вы хотели бы сами стать наставником?",
    }
    return [
        _q(
            f"impact_{p}",
            texts[p],
            S10,
            required=True,
            parameter=p,
            hint="1 — совсем нет, 10 — в полной мере",
        )
        for p in IMPACT_PARAMETERS
    ]


# Self-diagnosis of deficits (seed 002, 3.2; Р-201): statements per area, each rated 1-5
# («5 — владею уверенно, 1 — испытываю серьёзные затруднения»); the area's score is their mean.
_SELF_DIAGNOSIS: dict[str, tuple[str, ...]] = {
    "theory": (
        "Знаю современные научные подходы и теории в преподаваемой области",
        "Слежу за исследованиями в педагогике и психологии и применяю их выводы",
        "Могу обосновать выбор содержания и методов научными данными",
    ),
    "regulatory": (
        "Знаю требования ФГОС и федеральных образовательных программ к своему предмету",
        "Ориентируюсь в законодательстве об образовании и локальных актах школы",
        "Соблюдаю права обучающихся и родителей, знаю порядок аттестации педагогов",
    ),
    "subject": (
        "Уверенно владею содержанием преподаваемого предмета, включая олимпиадный уровень",
        "Готовлю обучающихся к ВПР, ОГЭ и ЕГЭ по своему предмету",
        "Связываю предмет с практикой и другими предметами",
    ),
    "psychology": (
        "Учитываю возрастные и индивидуальные особенности обучающихся",
        "Работаю с обучающимися с ОВЗ, трудностями в обучении и поведении",
        "Выстраиваю конструктивное взаимодействие с родителями",
    ),
    "methods": (
        "Проектирую уроки и занятия по современным методикам и технологиям",
        "Формирую функциональную грамотность и метапредметные результаты",
        "Оцениваю результаты обучающихся по понятным критериям, использую формирующее оценивание",
    ),
    "ict": (
        "Использую цифровые образовательные ресурсы и платформы на уроках",
        "Создаю собственные цифровые материалы и задания",
        "Организую дистанционное и смешанное обучение",
    ),
    "upbringing": (
        "Планирую и провожу воспитательные мероприятия по рабочей программе воспитания",
        "Веду внеурочную деятельность, кружки, проекты с обучающимися",
        "Работаю с классным коллективом и детскими общественными объединениями",
    ),
    "health": (
        "Организую урок с учётом санитарных норм и здоровьесберегающих технологий",
        "Предупреждаю перегрузку обучающихся, чередую виды деятельности",
        "Формирую у обучающихся ценность здорового и безопасного образа жизни",
    ),
}


def _self_diagnosis(area: str) -> dict[str, Any]:
    statements = [
        _q(
            f"s{i}",
            text,
            S5,
            required=True,
            parameter=area,
            hint="5 — владею уверенно, 1 — испытываю серьёзные затруднения",
        )
        for i, text in enumerate(_SELF_DIAGNOSIS[area], start=1)
    ]
    return {
        "sections": [
            {"title": "Оцените себя", "questions": statements},
            {
                "title": "Затруднения",
                "questions": [_q("difficulties", "Какие затруднения в этой области вы испытываете?", LONG)],
            },
        ]
    }


TEMPLATES: dict[QuestionnaireKind, dict[str, Any]] = {
    QuestionnaireKind.MENTEE_INTAKE_PUPIL: {
        "sections": [
            {
                "title": "О себе",
                "questions": [
                    _q("interests", "Чем вы увлекаетесь, что у вас получается лучше всего?", LONG),
                    _q(
                        "difficulties",
                        "С какими трудностями вы сталкиваетесь в учёбе или в общении?",
                        LONG,
                    ),
                ],
            },
            {
                "title": "Запрос на наставничество",
                "questions": [
                    _q(
                        "request",
                        "Чему вы хотели бы научиться с помощью наставника?",
                        LONG,
                        required=True,
                        maps_to="request_text",
                    ),
                    _q(
                        "directions",
                        "Какие направления наставничества вам интересны?",
                        REF,
                        required=True,
                        reference="direction:pupil",
                        maps_to="directions",
                    ),
                    _q(
                        "areas",
                        "В какой сфере нужна помощь?",
                        REF,
                        reference="request_area",
                        maps_to="request_areas",
                    ),
                    _q(
                        "mentor_kind",
                        "Кого вы хотели бы видеть своим наставником?",
                        ONE,
                        options=(
                            "Старшеклассника",
                            "Учителя",
                            "Студента",
                            "Специалиста с предприятия",
                            "Не важно",
                        ),
                    ),
                    _q("format", "Как удобнее встречаться?", ONE, options=_FORMAT_OPTIONS),
                    _q(
                        "readiness",
                        "Насколько вы готовы регулярно встречаться с наставником?",
                        S5,
                        required=True,
                    ),
                ],
            },
        ]
    },
    QuestionnaireKind.MENTEE_INTAKE_TEACHER: {
        "sections": [
            {
                "title": "О себе",
                "questions": [
                    _q("experience", "Педагогический стаж, лет", NUM, required=True),
                    _q("subject", "Преподаваемый предмет", SHORT, required=True),
                ],
            },
            {
                "title": "Профессиональные затруднения",
                "questions": [
                    _q(
                        "deficits",
                        "В каких областях вы испытываете затруднения?",
                        REF,
                        required=True,
                        reference="deficit_area",
                    ),
                    _q(
                        "request",
                        "Опишите, в чём вам нужна помощь наставника",
                        LONG,
                        required=True,
                        maps_to="request_text",
                    ),
                    _q(
                        "directions",
                        "Направления наставничества",
                        REF,
                        reference="direction:teacher",
                        maps_to="directions",
                    ),
                    _q("format", "Удобный формат встреч", ONE, options=_FORMAT_OPTIONS),
                ],
            },
        ]
    },
    QuestionnaireKind.MENTOR_INTAKE: {
        "sections": [
            {
                "title": "Опыт и компетенции",
                "questions": [
                    _q(
                        "competencies",
                        "В чём вы можете помочь наставляемому (знания, умения, опыт)?",
                        LONG,
                        required=True,
                        maps_to="competencies_text",
                    ),
                    _q(
                        "directions",
                        "По каким направлениям готовы быть наставником?",
                        REF,
                        required=True,
                        reference="direction",
                        maps_to="mentor_directions",
                    ),
                    _q(
                        "capacity",
                        "Скольких наставляемых готовы вести одновременно?",
                        NUM,
                        maps_to="capacity",
                    ),
                    _q(
                        "experience",
                        "Был ли у вас опыт наставничества?",
                        ONE,
                        options=("Да, больше года", "Да, меньше года", "Нет"),
                    ),
                    _q("format", "Удобный формат встреч", ONE, options=_FORMAT_OPTIONS),
                    _q("time", "Сколько часов в месяц готовы уделять наставничеству?", NUM),
                ],
            }
        ]
    },
    QuestionnaireKind.PREFERENCES: {
        "sections": [
            {
                "title": "После групповой встречи",
                "questions": [
                    _q(
                        "chosen",
                        "С кем из участников встречи вам было бы интересно работать?",
                        QuestionKind.PEOPLE,
                        required=True,
                        hint="Отметьте одного-трёх человек: куратор учтёт выбор при составлении пар.",
                    ),
                    _q("why", "Почему именно с ними?", LONG),
                    _q("impression", "Насколько полезной была встреча?", S5, required=True),
                    _q("comment", "Что ещё важно знать куратору при составлении пар?", LONG),
                ],
            }
        ]
    },
    QuestionnaireKind.FEEDBACK_MENTOR: {
        "sections": [
            {
                "title": "Работа пары за месяц",
                "questions": [
                    _q(
                        "meetings",
                        "Сколько раз вы встречались за месяц?",
                        ONE,
                        required=True,
                        options=_MEETINGS_PER_MONTH,
                    ),
                    _q("progress", "Насколько продвинулась работа по плану?", S5, required=True),
                    _q("mentee_engagement", "Насколько вовлечён наставляемый?", S5, required=True),
                    _q("done", "Что удалось сделать?", LONG),
                    _q("help", "Какая помощь куратора или психолога нужна?", LONG),
                ],
            }
        ]
    },
    QuestionnaireKind.FEEDBACK_MENTEE: {
        "sections": [
            {
                "title": "Работа с наставником за месяц",
                "questions": [
                    _q(
                        "meetings",
                        "Сколько раз вы встречались за месяц?",
                        ONE,
                        required=True,
                        options=_MEETINGS_PER_MONTH,
                    ),
                    _q("useful", "Насколько полезными были встречи?", S5, required=True),
                    _q("comfort", "Комфортно ли вам работать с наставником?", S5, required=True),
                    _q("learned", "Что нового вы узнали или научились делать?", LONG),
                ],
            }
        ]
    },
    QuestionnaireKind.SATISFACTION: {
        "sections": [
            {
                "title": "Итоги программы",
                "questions": [
                    _q(
                        "satisfaction",
                        "Насколько вы удовлетворены участием в программе наставничества?",
                        S10,
                        required=True,
                    ),
                    _q(
                        "expectations",
                        "Оправдались ли ваши ожидания?",
                        ONE,
                        required=True,
                        options=("Полностью", "Частично", "Нет"),
                    ),
                    _q(
                        "again",
                        "Хотели бы вы участвовать в программе в следующем году?",
                        ONE,
                        options=("Да, наставляемым", "Да, наставником", "Нет", "Пока не знаю"),
                    ),
                    _q("best", "Что было самым полезным?", LONG),
                    _q("improve", "Что стоит изменить в программе?", LONG),
                ],
            }
        ]
    },
    QuestionnaireKind.QUALITY_MENTOR: {
        "sections": [
            {
                "title": "Качество реализации программы",
                "questions": [
                    _q("organisation", "Насколько хорошо была организована программа?", S5, required=True),
                    _q("support", "Достаточно ли было поддержки куратора?", S5, required=True),
                    _q("plan_result", "Насколько выполнен план развития наставляемого?", S5, required=True),
                    _q("strengths", "Сильные стороны программы", LONG),
                    _q("weaknesses", "Что мешало работе пары?", LONG),
                    _q("risks", "Какие риски вы видите на следующий год?", LONG),
                ],
            }
        ]
    },
    QuestionnaireKind.QUALITY_MENTEE: {
        "sections": [
            {
                "title": "Качество реализации программы",
                "questions": [
                    _q("organisation", "Насколько удобно были организованы встречи?", S5, required=True),
                    _q("mentor_help", "Насколько наставник помог вам?", S5, required=True),
                    _q("strengths", "Что понравилось больше всего?", LONG),
                    _q("weaknesses", "Что не понравилось или мешало?", LONG),
                ],
            }
        ]
    },
    QuestionnaireKind.QUALITY_CURATOR: {
        "sections": [
            {
                "title": "Оценка куратора",
                "questions": [
                    _q("roadmap", "Насколько выполнена дорожная карта?", S5, required=True),
                    _q("pairs_result", "Насколько пары достигли целей?", S5, required=True),
                    _q("strengths", "Сильные стороны", LONG),
                    _q("weaknesses", "Слабые стороны", LONG),
                    _q("opportunities", "Возможности", LONG),
                    _q("risks", "Угрозы и риски", LONG),
                ],
            }
        ]
    },
    QuestionnaireKind.IMPACT: {
        "sections": [{"title": "Оценка по параметрам", "questions": _impact_questions()}]
    },
}
TEMPLATES.update(
    {QuestionnaireKind(f"self_diagnosis_{area}"): _self_diagnosis(area) for area in _SELF_DIAGNOSIS}
)
