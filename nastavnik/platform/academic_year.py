"""Academic years (учебный год): 1 September to 31 August, written «2025-2026»."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_TITLE_RE = re.compile(r"^\s*(\d{4})\s*[-–—/]\s*(\d{4})\s*$")


@dataclass(frozen=True, order=True)
class AcademicYear:
    start: int

    @property
    def title(self) -> str:
        return f"{self.start}-{self.start + 1}"

    @property
    def starts(self) -> dt.date:
        return dt.date(self.start, 9, 1)

    @property
    def ends(self) -> dt.date:
        return dt.date(self.start + 1, 8, 31)

    def contains(self, day: dt.date) -> bool:
        return self.starts <= day <= self.ends

    def outside_message(self, what: str = "Дата") -> str:
        """The message beside a date field when the date falls outside this year."""
        period = f"с {self.starts:%d.%m.%Y} по {self.ends:%d.%m.%Y}"
        return f"{what} — в пределах {self.title} учебного года: {period}."

    def previous(self) -> AcademicYear:
        return AcademicYear(self.start - 1)

    def next(self) -> AcademicYear:
        return AcademicYear(self.start + 1)

    def __str__(self) -> str:
        return self.title

    @classmethod
    def current(cls, today: dt.date | None = None) -> AcademicYear:
        day = today or dt.datetime.now(dt.UTC).date()
        return cls(day.year if day.month >= 9 else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> AcademicYear | None:
        """«2025-2026» (also with an en dash or a slash); None if it is not a valid year pair."""
        match = _TITLE_RE.match(text or "")
        if not match:
            return None
        first, second = int(match.group(1)), int(match.group(2))
        if second != first + 1 or not 2000 <= first <= 2100:
            return None
        return cls(first)
