"""Registration (number and date) of a programme's documents and the school's regulation text."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Date, Enum, ForeignKey, ForeignKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import SCHOOL_OWNED, Base, SchoolOwned, TimestampMixin


class DocumentKind(enum.StrEnum):
    ORDER = "order"  # приказ «Об организации наставничества»
    REGULATION = "regulation"  # Положение о наставничестве
    ROADMAP = "roadmap"  # дорожная карта
    REPORT = "report"  # отчёт об исполнении дорожной карты


DOCUMENT_KIND_TITLES: dict[DocumentKind, str] = {
    DocumentKind.ORDER: "Приказ «Об организации наставничества»",
    DocumentKind.REGULATION: "Положение о наставничестве",
    DocumentKind.ROADMAP: "Дорожная карта",
    DocumentKind.REPORT: "Отчёт об исполнении дорожной карты",
}


class DocumentRegistration(SchoolOwned, TimestampMixin, Base):
    """The number and date a document was registered under in the school's records."""

    __tablename__ = "document_registration"
    __table_args__ = (
        UniqueConstraint("school_id", "programme_id", "kind"),
        ForeignKeyConstraint(
            ["school_id", "programme_id"], ["programme.school_id", "programme.id"], ondelete="CASCADE"
        ),
        {"info": {SCHOOL_OWNED: True}},
    )

    programme_id: Mapped[uuid.UUID]
    kind: Mapped[DocumentKind] = mapped_column(
        Enum(DocumentKind, name="document_kind", values_callable=lambda e: [m.value for m in e])
    )
    number: Mapped[str] = mapped_column(String(40))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    registered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class SchoolRegulation(SchoolOwned, TimestampMixin, Base):
    """The school's own text of the Положение о наставничестве (starts from the default)."""

    __tablename__ = "school_regulation"
    __table_args__ = (UniqueConstraint("school_id"), {"info": {SCHOOL_OWNED: True}})

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
