"""Russian declension for documents: people's names and organisations' titles.

Names go through pytrovich (a port of the petrovich rules for anthroponyms), the gender
taken from the patronymic (and the first name where the patronymic is missing); the rest
of a phrase goes through pymorphy3's dictionary. Orders write «возложить на А. Н. Петрова»,
consents «даю согласие Муниципальному бюджетному общеобразовательному учреждению …».

Words this code cannot parse stay as they were typed: a document with one undeclined word is
better than one with a guessed ending.
"""

from __future__ import annotations

import enum
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pymorphy3
    from pytrovich.detector import PetrovichGenderDetector
    from pytrovich.maker import PetrovichDeclinationMaker


class Case(enum.StrEnum):
    """Grammatical case, named by pymorphy's tags."""

    NOMINATIVE = "nomn"
    GENITIVE = "gent"
    DATIVE = "datv"
    ACCUSATIVE = "accs"
    INSTRUMENTAL = "ablt"
    PREPOSITIONAL = "loct"


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@cache
def _petrovich() -> PetrovichDeclinationMaker:
    from pytrovich.maker import PetrovichDeclinationMaker

    return PetrovichDeclinationMaker()


def gender_of(first_name: str | None, middle_name: str | None) -> Gender:
    """The gender a person's name declines by: from the patronymic, else the first name."""
    middle = (middle_name or "").strip().lower()
    if middle.endswith(("вич", "ьич", "ич", "оглы")):
        return Gender.MALE
    if middle.endswith(("вна", "чна", "шна", "кызы")):
        return Gender.FEMALE
    first = (first_name or "").strip()
    if first:
        from pytrovich.enums import Gender as PGender

        try:
            detected = _gender_detector().detect(firstname=first)  # type: ignore[no-untyped-call]
        except (KeyError, ValueError, AttributeError, IndexError):
            return Gender.UNKNOWN
        if detected == PGender.MALE:
            return Gender.MALE
        if detected == PGender.FEMALE:
            return Gender.FEMALE
    return Gender.UNKNOWN


@cache
def _gender_detector() -> PetrovichGenderDetector:
    from pytrovich.detector import PetrovichGenderDetector

    return PetrovichGenderDetector()


_PETROVICH_CASES = {
    Case.GENITIVE: "GENITIVE",
    Case.DATIVE: "DATIVE",
    Case.ACCUSATIVE: "ACCUSATIVE",
    Case.INSTRUMENTAL: "INSTRUMENTAL",
    Case.PREPOSITIONAL: "PREPOSITIONAL",
}


def _decline_part(part: str, value: str, gender: Gender, case: Case) -> str:
    """One part of a name (``lastname``, ``firstname`` or ``middlename``) in ``case``."""
    value = value.strip()
    if not value or case is Case.NOMINATIVE:
        return value
    from pytrovich.enums import Case as PCase
    from pytrovich.enums import Gender as PGender
    from pytrovich.enums import NamePart

    pgender = {
        Gender.MALE: PGender.MALE,
        Gender.FEMALE: PGender.FEMALE,
        Gender.UNKNOWN: PGender.ANDROGYNOUS,
    }[gender]
    name_part = {
        "lastname": NamePart.LASTNAME,
        "firstname": NamePart.FIRSTNAME,
        "middlename": NamePart.MIDDLENAME,
    }[part]
    pcase = getattr(PCase, _PETROVICH_CASES[case])
    # Double-barrelled names decline part by part («Римского-Корсакова»).
    pieces = value.split("-")
    try:
        declined = [_petrovich().make(name_part, pgender, pcase, piece) for piece in pieces]
    except (KeyError, ValueError, IndexError, AttributeError):
        return value
    return "-".join(declined)


def full_name(last: str, first: str, middle: str | None, case: Case = Case.NOMINATIVE) -> str:
    """«Петрову Анну Николаевну» — the whole name in ``case``."""
    gender = gender_of(first, middle)
    parts = [
        _decline_part("lastname", last, gender, case),
        _decline_part("firstname", first, gender, case),
        _decline_part("middlename", middle or "", gender, case),
    ]
    return " ".join(p for p in parts if p)


def initials_surname(last: str, first: str, middle: str | None, case: Case = Case.NOMINATIVE) -> str:
    """«А. Н. Петрова» — initials first, as orders write a person charged with a task."""
    gender = gender_of(first, middle)
    initials = " ".join(f"{p.strip()[0].upper()}." for p in (first, middle or "") if p.strip())
    surname = _decline_part("lastname", last, gender, case)
    return f"{initials} {surname}".strip()


def surname_initials(last: str, first: str, middle: str | None, case: Case = Case.NOMINATIVE) -> str:
    """«Петрова А. Н.» — surname first, as lists and signatures write it."""
    gender = gender_of(first, middle)
    initials = " ".join(f"{p.strip()[0].upper()}." for p in (first, middle or "") if p.strip())
    surname = _decline_part("lastname", last, gender, case)
    return f"{surname} {initials}".strip()


def split_full_name(name: str) -> tuple[str, str, str | None]:
    """«Петров Андрей Николаевич» → ("Петров", "Андрей", "Николаевич")."""
    parts = name.split()
    if len(parts) >= 3:
        return parts[0], parts[1], " ".join(parts[2:])
    if len(parts) == 2:
        return parts[0], parts[1], None
    return (parts[0] if parts else ""), "", None


def decline_full_name(name: str, case: Case) -> str:
    """A name typed as one string («Петров Андрей Николаевич») in ``case``."""
    last, first, middle = split_full_name(name)
    if not first:
        return name
    return full_name(last, first, middle, case)


_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


@lru_cache(maxsize=4096)
def _inflect_word(word: str, case: Case, plural: bool | None) -> tuple[str, bool, bool]:
    """(declined word, is it a noun, its number is plural) of one word of a title."""
    morph = _morph()
    parses = [p for p in morph.parse(word) if "nomn" in p.tag]
    if not parses:
        return word, False, False
    parse = parses[0]
    is_noun = parse.tag.POS == "NOUN"
    grammemes = {case.value}
    number_plural = "plur" in parse.tag if plural is None else plural
    inflected = parse.inflect(grammemes)
    if inflected is None:
        return word, is_noun, number_plural
    out = inflected.word
    if word[:1].isupper():
        out = out[:1].upper() + out[1:]
    if word.isupper() and len(word) > 1:
        out = out.upper()
    return out, is_noun, number_plural


def decline_title(title: str, case: Case) -> str:
    """An organisation's title in ``case``: the words up to its head noun are declined.

    «Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 2»» in the
    dative is «Муниципальному бюджетному общеобразовательному учреждению «Средняя школа
    № 2»»: what follows the head noun (a genitive, a quoted name, an abbreviation) stays.
    """
    if case is Case.NOMINATIVE or not title.strip():
        return title
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(title):
        start, end = match.span()
        before = title[position:start]
        if any(ch in before for ch in '«"(') or (match.group().isupper() and end - start > 1):
            out.append(title[position:])
            return "".join(out)
        word, is_noun, _ = _inflect_word(match.group(), case, None)
        out.append(before)
        out.append(word)
        position = end
        if is_noun:
            out.append(title[position:])
            return "".join(out)
    out.append(title[position:])
    return "".join(out)
