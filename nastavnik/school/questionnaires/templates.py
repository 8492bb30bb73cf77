"""The region's questionnaire templates: ИРО methodists edit a draft and publish it as the
next version; schools copy the latest published version (or the platform's own template,
«version 0», while the region has published none) into their own questionnaires."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.db import utcnow
from nastavnik.school.questionnaires.definitions import TEMPLATES, Section, definition_of, sections_of
from nastavnik.school.questionnaires.editing import publish_problems
from nastavnik.school.questionnaires.models import KIND_TITLES, QuestionnaireKind, QuestionnaireTemplate
from nastavnik.tenants.models import Municipality, School


@dataclass(frozen=True)
class RegionTemplate:
    """What a school copies: the region's latest published version or the platform's."""

    kind: QuestionnaireKind
    version: int
    title: str
    definition: dict[str, Any]


@dataclass(frozen=True)
class TemplateRow:
    kind: QuestionnaireKind
    published: QuestionnaireTemplate | None
    draft: QuestionnaireTemplate | None

    @property
    def title(self) -> str:
        current = self.draft or self.published
        return current.title if current else KIND_TITLES[self.kind]

    @property
    def version(self) -> int:
        return self.published.version if self.published else 0

    @property
    def questions(self) -> int:
        current = self.draft or self.published
        definition = current.definition if current else TEMPLATES[self.kind]
        return sum(len(s.questions) for s in sections_of(definition))


def _latest_published(region_id: uuid.UUID) -> Any:
    return (
        select(QuestionnaireTemplate)
        .where(QuestionnaireTemplate.region_id == region_id, QuestionnaireTemplate.published_at.is_not(None))
        .ext(distinct_on(QuestionnaireTemplate.kind))
        .order_by(QuestionnaireTemplate.kind, QuestionnaireTemplate.version.desc())
    )


async def overview(db: AsyncSession, region_id: uuid.UUID) -> list[TemplateRow]:
    """Every kind of questionnaire with the region's published version and draft, in two statements."""
    published = {t.kind: t for t in (await db.execute(_latest_published(region_id))).scalars()}
    drafts = {
        t.kind: t
        for t in await db.scalars(
            select(QuestionnaireTemplate).where(
                QuestionnaireTemplate.region_id == region_id, QuestionnaireTemplate.published_at.is_(None)
            )
        )
    }
    return [TemplateRow(k, published.get(k), drafts.get(k)) for k in QuestionnaireKind]


async def row(db: AsyncSession, region_id: uuid.UUID, kind: QuestionnaireKind) -> TemplateRow:
    published = await db.scalar(_latest_published(region_id).where(QuestionnaireTemplate.kind == kind))
    draft = await db.scalar(
        select(QuestionnaireTemplate).where(
            QuestionnaireTemplate.region_id == region_id,
            QuestionnaireTemplate.kind == kind,
            QuestionnaireTemplate.published_at.is_(None),
        )
    )
    return TemplateRow(kind, published, draft)


async def published_versions(db: AsyncSession, region_id: uuid.UUID) -> dict[QuestionnaireKind, int]:
    rows = await db.execute(
        select(QuestionnaireTemplate.kind, func.max(QuestionnaireTemplate.version))
        .where(QuestionnaireTemplate.region_id == region_id, QuestionnaireTemplate.published_at.is_not(None))
        .group_by(QuestionnaireTemplate.kind)
    )
    return {kind: int(version) for kind, version in rows.all()}


async def region_id_of(db: AsyncSession, school: School) -> uuid.UUID:
    region_id = await db.scalar(
        select(Municipality.region_id).where(Municipality.id == school.municipality_id)
    )
    if region_id is None:  # pragma: no cover - every school belongs to a municipality
        msg = f"school {school.code} has no region"
        raise LookupError(msg)
    return region_id


async def for_school(db: AsyncSession, school: School, kind: QuestionnaireKind) -> RegionTemplate:
    region_id = await region_id_of(db, school)
    published = await db.scalar(_latest_published(region_id).where(QuestionnaireTemplate.kind == kind))
    if published is None:
        return RegionTemplate(kind, 0, KIND_TITLES[kind], TEMPLATES[kind])
    return RegionTemplate(kind, published.version, published.title, published.definition)


async def start_draft(
    db: AsyncSession, region_id: uuid.UUID, kind: QuestionnaireKind, user_id: uuid.UUID | None
) -> QuestionnaireTemplate:
    """The draft being edited: a copy of the latest published version, numbered after it."""
    current = await row(db, region_id, kind)
    if current.draft is not None:
        return current.draft
    base = current.published
    draft = QuestionnaireTemplate(
        region_id=region_id,
        kind=kind,
        version=(base.version if base else 0) + 1,
        title=base.title if base else KIND_TITLES[kind],
        definition=base.definition if base else TEMPLATES[kind],
        created_by_id=user_id,
    )
    db.add(draft)
    await db.flush()
    return draft


async def save_draft(
    db: AsyncSession, draft: QuestionnaireTemplate, sections: list[Section], title: str | None = None
) -> None:
    draft.definition = definition_of(sections)
    if title is not None:
        draft.title = title
    await db.flush()


def publish(draft: QuestionnaireTemplate) -> list[str]:
    """Stamp the draft as published; the problems that stop it otherwise."""
    problems = publish_problems(sections_of(draft.definition))
    if not problems:
        draft.published_at = utcnow()
    return problems


async def discard(db: AsyncSession, draft: QuestionnaireTemplate) -> None:
    await db.execute(
        delete(QuestionnaireTemplate).where(
            QuestionnaireTemplate.id == draft.id, QuestionnaireTemplate.published_at.is_(None)
        )
    )
