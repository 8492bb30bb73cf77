"""Russian text conventions for documents: dates, names with initials, file names."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from nastavnik.platform import russian
from nastavnik.platform.russian import Case

MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def format_date(day: dt.date | None, blank: str = "") -> str:
    """дд.мм.гггг, the form used in tables and registration lines."""
    return day.strftime("%d.%m.%Y") if day else blank


def format_date_long(day: dt.date | None) -> str:
    """«01» сентября 2025 г. — or a blank to fill in by hand."""
    if day is None:
        return "«___» ____________ 20___ г."
    return f"«{day.day:02d}» {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def initials_surname(full_name: str, case: Case = Case.NOMINATIVE) -> str:
    """«Иванова Мария Петровна» → «М. П. Иванова» (surname first in the input), in ``case``."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name.strip()
    last, first, middle = russian.split_full_name(full_name)
    return russian.initials_surname(last, first, middle, case)


def surname_initials(full_name: str, case: Case = Case.NOMINATIVE) -> str:
    """«Иванова Мария Петровна» → «Иванова М. П.» (as in lists and tables), in ``case``."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name.strip()
    last, first, middle = russian.split_full_name(full_name)
    return russian.surname_initials(last, first, middle, case)


def name_in(full_name: str, case: Case) -> str:
    """The whole name in ``case``: «Иванову Марию Петровну» (accusative)."""
    return russian.decline_full_name(full_name.strip(), case)


def title_in(title: str, case: Case) -> str:
    """An organisation's title or a position in ``case``: «заместителя директора по УВР»."""
    return russian.decline_title(title, case)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value that keeps a Cyrillic file name (RFC 6266 / 5987)."""
    clean = _UNSAFE.sub("_", filename).strip() or "document"
    ascii_fallback = clean.encode("ascii", "replace").decode().replace("?", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(clean)}"
