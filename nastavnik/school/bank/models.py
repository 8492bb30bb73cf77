"""The region's bank of programmes and practices (банк программ и практик) and a school's
methodical collection («методическая копилка»).

A bank item is the region's data (`region_id`), written by the school that authors it
(`author_school_id`) or by the region's ИРО methodists (no author school). Its policies
(migration 20261201_13_02) show published items to the whole region, an item in any
state to its author school, and items sent to moderation to the region's methodists
(`app.bank_moderation`, set only on their pages). A school adopts a published item: the
adoption is recorded region-wide (so the author sees the count) and the content is copied
into the school's own collection, a school-owned table behind the school's policy.

Items never hold people: the form asks for what was done, not for whom, and photos are
attached only with the participants' consent confirmed.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.platform.db import SCHOOL_OWNED, Base, IdMixin, SchoolOwned, TimestampMixin

TS_CONFIG = "russian"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class BankItemKind(enum.StrEnum):
    PROGRAMME = "programme"  # программа наставничества: дорожная карта и планы
    PRACTICE = "practice"  # практика
    CASE = "case"  # кейс
    PLAN_TEMPLATE = "plan_template"  # шаблон персонализированной программы / плана развития


BANK_ITEM_KIND_TITLES: dict[BankItemKind, str] = {
    BankItemKind.PROGRAMME: "Программа наставничества",
    BankItemKind.PRACTICE: "Практика",
    BankItemKind.CASE: "Кейс",
    BankItemKind.PLAN_TEMPLATE: "Шаблон персонализированной программы",
}


class BankItemStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


BANK_ITEM_STATUS_TITLES: dict[BankItemStatus, str] = {
    BankItemStatus.DRAFT: "Черновик",
    BankItemStatus.SUBMITTED: "На модерации",
    BankItemStatus.RETURNED: "Возвращено на доработку",
    BankItemStatus.PUBLISHED: "Опубликовано",
    BankItemStatus.UNPUBLISHED: "Снято с публикации",
}


class BankEventAction(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PUBLISHED = "published"  # a methodist published a region-authored item
    UNPUBLISHED = "unpublished"
    RECOMMENDED = "recommended"
    UNRECOMMENDED = "unrecommended"


BANK_EVENT_TITLES: dict[BankEventAction, str] = {
    BankEventAction.CREATED: "Создан черновик",
    BankEventAction.EDITED: "Изменено",
    BankEventAction.SUBMITTED: "Отправлено на модерацию",
    BankEventAction.RETURNED: "Возвращено на доработку",
    BankEventAction.APPROVED: "Одобрено и опубликовано",
    BankEventAction.PUBLISHED: "Опубликовано ИРО",
    BankEventAction.UNPUBLISHED: "Снято с публикации",
    BankEventAction.RECOMMENDED: "Отмечено как рекомендованное",
    BankEventAction.UNRECOMMENDED: "Снята отметка «Рекомендовано»",
}


class BankItem(IdMixin, TimestampMixin, Base):
    __tablename__ = "bank_item"
    __table_args__ = (
        CheckConstraint(
            "(grade_from IS NULL OR grade_from BETWEEN 1 AND 11) AND "
            "(grade_to IS NULL OR grade_to BETWEEN 1 AND 11) AND "
            "(grade_from IS NULL OR grade_to IS NULL OR grade_from <= grade_to)",
            name="grades",
        ),
        CheckConstraint("author_school_id IS NULL OR municipality_id IS NOT NULL", name="author_place"),
        Index("ix_bank_item_search", "search_document", postgresql_using="gin"),
        Index("ix_bank_item_region_id_status_published_at", "region_id", "status", "published_at"),
        # The facet columns of a region's published items, read by an index-only scan when a
        # search names no words: the heap, with the texts, is not read for the counts.
        Index(
            "ix_bank_item_facets",
            "region_id",
            "status",
            postgresql_include=[
                "id",
                "kind",
                "form_codes",
                "direction_codes",
                "school_kind",
                "municipality_id",
                "grade_from",
                "grade_to",
                "recommended",
                "published_at",
            ],
        ),
    )

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    # NULL: authored by the region (ИРО); else the school that wrote it, and its municipality.
    author_school_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("school.id"), index=True)
    municipality_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[BankItemKind] = mapped_column(_enum(BankItemKind, "bank_item_kind"))
    status: Mapped[BankItemStatus] = mapped_column(
        _enum(BankItemStatus, "bank_item_status"), default=BankItemStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # What was done (a practice, a case), or how the programme is built.
    description: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    # Codes of the region's reference items (kinds «form» and «direction»).
    form_codes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    direction_codes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    # Level: the kind of organisation it suits (SchoolKind value, "" for any) and grades.
    school_kind: Mapped[str] = mapped_column(String(40), default="")
    grade_from: Mapped[int | None]
    grade_to: Mapped[int | None]
    # A programme's roadmap: [{"title", "items": [{"event", "deadline_text", "due_month",
    # "due_day", "starts_month", "starts_day", "responsible_role", "expected_result"}]}].
    roadmap: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # A plan template's (or a programme's) plan: [{"task", "activity", "month"}].
    plan_items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    recommended: Mapped[bool] = mapped_column(default=False)
    # Who answers for the item at the author school: mail about moderation goes there.
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    submitted_at: Mapped[dt.datetime | None]
    published_at: Mapped[dt.datetime | None]
    # Ranks a match: the words found in the title come first (small, so it stays in the row
    # while the long texts go to TOAST — see migration 20261201_13_02).
    title_document: Mapped[str] = mapped_column(
        TSVECTOR, Computed(f"to_tsvector('{TS_CONFIG}'::regconfig, (title)::text)", persisted=True)
    )
    search_text: Mapped[str] = mapped_column(Text, default="")
    search_document: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(
            f"setweight(to_tsvector('{TS_CONFIG}'::regconfig, (title)::text), 'A') || "
            f"setweight(to_tsvector('{TS_CONFIG}'::regconfig, search_text), 'B')",
            persisted=True,
        ),
    )

    @property
    def editable_by_school(self) -> bool:
        return self.status in (BankItemStatus.DRAFT, BankItemStatus.RETURNED)


class BankItemEvent(IdMixin, Base):
    """One step of an item's history: who did what, with the methodist's comment."""

    __tablename__ = "bank_item_event"

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bank_item.id", ondelete="CASCADE"), index=True)
    action: Mapped[BankEventAction] = mapped_column(_enum(BankEventAction, "bank_event_action"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(300), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class BankAttachment(IdMixin, Base):
    __tablename__ = "bank_attachment"
    __table_args__ = (CheckConstraint("NOT is_photo OR consent_confirmed", name="photo_consent"),)

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bank_item.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    is_photo: Mapped[bool] = mapped_column(default=False)
    # The uploader confirmed that everyone in the photo (parents for pupils) agreed to it.
    consent_confirmed: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class BankAdoption(IdMixin, Base):
    """A school took a published item: the region (and the author) may count these."""

    __tablename__ = "bank_adoption"
    __table_args__ = (UniqueConstraint("item_id", "school_id"),)

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), index=True)
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bank_item.id", ondelete="CASCADE"))
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class BankWord(Base):
    """Words of the region's published items: a mistyped query word finds its spelling here
    (pg_trgm) before the full-text search runs, as the mentor directory does."""

    __tablename__ = "bank_word"
    __table_args__ = (
        Index(
            "ix_bank_word_word_trgm", "word", postgresql_using="gin", postgresql_ops={"word": "gin_trgm_ops"}
        ),
    )

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), primary_key=True)
    word: Mapped[str] = mapped_column(String(60), primary_key=True)


class CollectionItem(SchoolOwned, Base):
    """An entry of the school's «методическая копилка»: a copy of a bank item, kept by the
    school whatever happens to the original, with the link back to it."""

    __tablename__ = "collection_item"
    __table_args__ = (
        UniqueConstraint("school_id", "bank_item_id"),
        Index("ix_collection_item_bank_item_id", "bank_item_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), primary_key=True)
    bank_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bank_item.id", ondelete="SET NULL"))
    kind: Mapped[BankItemKind] = mapped_column(_enum(BankItemKind, "bank_item_kind"))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    source_name: Mapped[str] = mapped_column(String(300), default="")
    plan_items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # A programme adopted as the school's own roadmap template.
    roadmap_template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("roadmap_template.id", ondelete="SET NULL"), index=True
    )
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class BankItemVersion(Base):
    """A number per region, renewed by a trigger on every write to the region's bank items.

    Searches of the bank are kept per worker under it (`practice_bank.search`), as the
    mentor directory's are under `MentorDirectoryVersion`. Holds no person.
    """

    __tablename__ = "bank_item_version"

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
