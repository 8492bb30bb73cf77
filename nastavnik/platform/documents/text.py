"""Russian text conventions for documents: dates, names with initials, file names."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

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


def initials_surname(full_name: str) -> str:
    """«Иванова Мария Петровна» → «М. П. Иванова» (surname first in the input)."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name.strip()
    surname, *given = parts
    initials = " ".join(f"{name[0]}." for name in given if name)
    return f"{initials} {surname}"


def surname_initials(full_name: str) -> str:
    """«Иванова Мария Петровна» → «Иванова М. П.» (as in lists and tables)."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name.strip()
    surname, *given = parts
    return f"{surname} " + " ".join(f"{name[0]}." for name in given if name)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value that keeps a Cyrillic file name (RFC 6266 / 5987)."""
    clean = _UNSAFE.sub("_", filename).strip() or "document"
    ascii_fallback = clean.encode("ascii", "replace").decode().replace("?", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(clean)}"
