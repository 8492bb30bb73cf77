"""Regions, municipalities, schools (the tenants) and each school's staff."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.db import Base, IdMixin, SchoolOwned, TimestampMixin


class SchoolKind(enum.StrEnum):
    GENERAL = "general"
    ADDITIONAL = "additional"
    PRESCHOOL = "preschool"
    VOCATIONAL = "vocational"


SCHOOL_KIND_TITLES: dict[SchoolKind, str] = {
    SchoolKind.GENERAL: "Общеобразовательная организация",
    SchoolKind.ADDITIONAL: "Организация дополнительного образования",
    SchoolKind.PRESCHOOL: "Дошкольная образовательная организация",
    SchoolKind.VOCATIONAL: "Профессиональная образовательная организация",
}


class Region(IdMixin, TimestampMixin, Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="region", order_by="Municipality.name"
    )


class Municipality(IdMixin, TimestampMixin, Base):
    __tablename__ = "municipality"

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    region: Mapped[Region] = relationship(back_populates="municipalities")
    schools: Mapped[list[School]] = relationship(back_populates="municipality", order_by="School.name")


class School(IdMixin, TimestampMixin, Base):
    """An educational organisation (ОО): one tenant."""

    __tablename__ = "school"

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    full_name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[SchoolKind] = mapped_column(
        Enum(SchoolKind, name="school_kind", values_callable=lambda e: [m.value for m in e])
    )
    inn: Mapped[str | None] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(500), default="")

    municipality: Mapped[Municipality] = relationship(back_populates="schools")


class StaffMember(SchoolOwned, TimestampMixin, Base):
    """A person working at a school with their roles there (mirrors Keycloak groups)."""

    __tablename__ = "staff_member"
    __table_args__ = (
        UniqueConstraint("school_id", "email"),
        {"info": {"school_owned": True}},
    )

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    last_name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120))
    middle_name: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[list[Role]] = mapped_column(
        ARRAY(Enum(Role, name="staff_role", values_callable=lambda e: [m.value for m in e]))
    )
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    invited_at: Mapped[dt.datetime | None]
    left_at: Mapped[dt.datetime | None]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()
