"""When a person's consent to personal-data processing is valid, in Python and in SQL.

A consent is valid on a day when it was signed on or before that day, has not expired,
has not been withdrawn, covers the programme (`ConsentScope.PROGRAMME`), and was signed
by someone entitled to: an adult for themself, or a parent / legal representative. A
pupil under 18 (or of unknown birth date) cannot consent for themself.

Other features filter their pools with `valid_consent_clause()`, e.g. matching:

    select(MentorProfile).join(Participant, ...).where(valid_consent_clause())
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.school.participants.models import (
    Consent,
    ConsentScope,
    ConsentSigner,
    Participant,
    ParticipantKind,
    local_today,
)


def valid_consent_clause(
    on: dt.date | None = None,
    *,
    scope: ConsentScope = ConsentScope.PROGRAMME,
    participant: type[Participant] = Participant,
) -> ColumnElement[bool]:
    """`EXISTS (…)`: the participant row has a consent valid on `on` (default: today)."""
    day = on or local_today()
    adult_at_signing = and_(
        participant.birth_date.is_not(None),
        participant.birth_date <= Consent.signed_on - func.make_interval(18),
    )
    return exists(
        select(literal(1))
        .select_from(Consent)
        .where(
            Consent.school_id == participant.school_id,
            Consent.participant_id == participant.id,
            Consent.withdrawn_at.is_(None),
            Consent.signed_on <= day,
            or_(Consent.valid_until.is_(None), Consent.valid_until >= day),
            Consent.scopes.contains([scope]),
            or_(
                Consent.signer != ConsentSigner.SELF,
                participant.kind != ParticipantKind.PUPIL,
                adult_at_signing,
            ),
        )
    )


def consent_is_valid(
    consent: Consent, person: Participant, on: dt.date, scope: ConsentScope = ConsentScope.PROGRAMME
) -> bool:
    """The same rule as `valid_consent_clause`, for objects already loaded."""
    if not consent.in_force(on) or scope not in consent.scopes:
        return False
    if consent.signer is ConsentSigner.SELF and person.kind is ParticipantKind.PUPIL:
        return not person.is_minor(consent.signed_on)
    return True


async def has_valid_consent(
    db: AsyncSession,
    school_id: uuid.UUID,
    participant_id: uuid.UUID,
    *,
    on: dt.date | None = None,
    scope: ConsentScope = ConsentScope.PROGRAMME,
) -> bool:
    """Whether the person may be paired, exported or shown beyond the curator and director."""
    query = select(Participant.id).where(
        Participant.school_id == school_id,
        Participant.id == participant_id,
        Participant.anonymised_at.is_(None),
        valid_consent_clause(on, scope=scope),
    )
    return (await db.execute(query)).first() is not None


async def consented_ids(
    db: AsyncSession,
    school_id: uuid.UUID,
    participant_ids: list[uuid.UUID],
    *,
    on: dt.date | None = None,
    scope: ConsentScope = ConsentScope.PROGRAMME,
) -> set[uuid.UUID]:
    """Which of these people have a valid consent (one query for a whole list)."""
    if not participant_ids:
        return set()
    query = select(Participant.id).where(
        Participant.school_id == school_id,
        Participant.id.in_(participant_ids),
        Participant.anonymised_at.is_(None),
        valid_consent_clause(on, scope=scope),
    )
    return set((await db.execute(query)).scalars())
