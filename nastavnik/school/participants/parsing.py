"""Reading people's data as schools type it: dates, classes, names, categories, lists.

The same parsers serve the web forms and the rows of imported files, so a value that a
curator may type is also accepted from a school system's export, and the other way round.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from nastavnik.school.participants.models import TEACHER_CATEGORY_TITLES, TeacherCategory

_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%y")
_DATETIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(text: str) -> dt.date | None:
    """дд.мм.гггг (also гггг-мм-дд from HTML date inputs and exports); None if unreadable."""
    value = _DATETIME_TAIL.sub("", (text or "").strip())
    # The two common forms without strptime, which is slow over a 10,000-row file.
    for pattern, order in ((_DMY, (3, 2, 1)), (_ISO, (1, 2, 3))):
        match = pattern.match(value)
        if match:
            try:
                return dt.date(*(int(match.group(i)) for i in order))
            except ValueError:
                return None
    for fmt in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
        if fmt == "%d.%m.%y" and day.year > dt.datetime.now(dt.UTC).year:
            day = day.replace(year=day.year - 100)  # «01.02.99» is 1999, not 2099
        return day
    return None


# «в феврале 2013 года»: the months in the prepositional case.
MONTHS_PREPOSITIONAL = (
    "январе", "феврале", "марте", "апреле", "мае", "июне",
    "июле", "августе", "сентябре", "октябре", "ноябре", "декабре",
)  # fmt: skip


def impossible_date(text: str) -> str | None:
    """«31.02.2013» → «Такой даты нет: в феврале 2013 года 28 дней.»; None for other texts.

    A date written correctly but absent from the calendar deserves its own message: the
    person typed the form right, the day is wrong.
    """
    value = _DATETIME_TAIL.sub("", (text or "").strip())
    for pattern, order in ((_DMY, (3, 2, 1)), (_ISO, (1, 2, 3))):
        match = pattern.match(value)
        if not match:
            continue
        year, month, day = (int(match.group(i)) for i in order)
        if not 1 <= month <= 12:
            return f"Такой даты нет: месяца {month} не бывает."
        days = calendar.monthrange(year, month)[1]
        if day < 1 or day > days:
            word = "день" if days == 31 else "дней"
            return f"Такой даты нет: в {MONTHS_PREPOSITIONAL[month - 1]} {year} года {days} {word}."
    return None


_CLASS_RE = re.compile(
    r"^\s*(\d{1,2})\s*[-–\s]?\s*[«\"']?\s*([А-ЯЁа-яёA-Za-z]{0,2})\s*[»\"']?\s*(класс|кл\.?)?\s*$"
)


def parse_class(text: str) -> tuple[int, str] | None:
    """«7Б», «7 Б», «7-б», «7 «Б»», «10», «11А класс» → (grade, letter); None if unreadable."""
    match = _CLASS_RE.match(text or "")
    if not match:
        return None
    grade = int(match.group(1))
    if not 1 <= grade <= 11:
        return None
    return grade, match.group(2).upper()


_NAME_RE = re.compile(r"^[А-ЯЁа-яёA-Za-z][А-ЯЁа-яёA-Za-z\-' ]*$")


def clean_name(text: str) -> str:
    """Collapse spaces; «ИВАНОВ» or «иванов» becomes «Иванов», «Иванов-Петров» stays."""
    value = " ".join((text or "").split())
    if value and (value.isupper() or value.islower()):
        value = "-".join(part.capitalize() for part in value.split("-"))
        value = " ".join(word[:1].upper() + word[1:] for word in value.split(" "))
    return value


def name_is_valid(text: str) -> bool:
    return bool(_NAME_RE.match(text)) and len(text) <= 120


def split_full_name(text: str) -> tuple[str, str, str]:
    """«Иванова Мария Петровна» → (last, first, middle); extra words stay in the middle name."""
    parts = (text or "").split()
    if not parts:
        return "", "", ""
    if len(parts) == 1:
        return parts[0], "", ""
    return parts[0], parts[1], " ".join(parts[2:])


def normalise_for_key(text: str) -> str:
    return " ".join((text or "").lower().replace("ё", "е").split())


def name_key(last: str, first: str, middle: str, birth: dt.date | None) -> str:
    """The de-duplication key of a person without an id from a school system."""
    name = normalise_for_key(f"{last} {first} {middle}")
    return f"fio:{name}|{birth.isoformat() if birth else ''}"


def split_list(text: str) -> list[str]:
    """«математика, физика; информатика» → three subjects, without empties and repeats."""
    items: list[str] = []
    for raw in re.split(r"[,;\n]", text or ""):
        item = " ".join(raw.split())
        if item and item.lower() not in {i.lower() for i in items}:
            items.append(item[:120])
    return items


_CATEGORY_ALIASES: dict[str, TeacherCategory] = {
    **{c.value: c for c in TeacherCategory},
    **{title.lower(): c for c, title in TEACHER_CATEGORY_TITLES.items()},
    "молодой педагог": TeacherCategory.YOUNG_SPECIALIST,
    "нет": TeacherCategory.NONE,
    "без кк": TeacherCategory.NONE,
    "сзд": TeacherCategory.COMPLIANCE,
    "соответствие": TeacherCategory.COMPLIANCE,
    "первая": TeacherCategory.FIRST,
    "1": TeacherCategory.FIRST,
    "высшая": TeacherCategory.HIGHEST,
    "методист": TeacherCategory.METHODIST,
    "наставник": TeacherCategory.MENTOR,
}


def parse_teacher_category(text: str) -> TeacherCategory | None:
    value = " ".join((text or "").lower().replace("ё", "е").split())
    value = value.removesuffix(" категория").removesuffix(" квалификационная")
    return _CATEGORY_ALIASES.get(value)


_PHONE_DIGITS = re.compile(r"\D")


def clean_phone(text: str) -> str | None:
    """A Russian phone as +7XXXXXXXXXX; "" for empty; None if it is not a phone number."""
    value = (text or "").strip()
    if not value:
        return ""
    digits = _PHONE_DIGITS.sub("", value)
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    return None


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_int(text: str, low: int, high: int) -> int | None:
    value = (text or "").strip().replace(" ", "")
    value = value.removesuffix(".0")
    if not value.isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


_TRUE = {"да", "yes", "true", "1", "on", "+", "согласен", "согласна"}


def parse_bool(text: str) -> bool:
    return (text or "").strip().lower() in _TRUE
