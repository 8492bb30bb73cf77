"""Writing the region's mentor directory from the school's side.

`sync_mentors` recomputes the directory rows of a school's mentors (all of them, or the
people named) in the same transaction as the change that calls it: a profile saved, a
training added, a consent recorded or withdrawn, a pair formed or closed. A mentor who is
no longer eligible (no consent to the regional bank, withdrew, anonymised, unticked
«готов(а) наставлять в других ОО») loses the row at once. A DELETE, a SELECT of
the eligible profiles and one INSERT … SELECT, whatever the number of mentors.

Runs under the school's own scope (`app.school_id`): the directory's write policy accepts
rows of that school only, with its true region and municipality.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ColumnElement, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.school.directory.models import CrossSchoolPair, CrossSchoolPairStatus, MentorDirectoryEntry
from nastavnik.school.participants.consent_rules import valid_consent_clause
from nastavnik.school.participants.models import (
    ConsentScope,
    MentorProfile,
    MentorStatus,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.school.participants.search import mentor_load_expression

# The card of each eligible profile; which profiles are eligible, and their load, come from
# the ORM expressions shared with the banks (`valid_consent_clause`, `mentor_load_expression`).
_INSERT = """
INSERT INTO mentor_directory_entry (
    id, region_id, municipality_id, school_id, mentor_profile_id, participant_id, academic_year,
    full_name, position, participant_kind, school_name, school_kind, municipality_name,
    subjects, competency_codes, competency_titles, direction_titles, form_codes, trainings,
    competencies_text, capacity, load, search_text
)
SELECT
    gen_random_uuid(), m.region_id, s.municipality_id, s.id, mp.id, p.id, mp.academic_year,
    concat_ws(' ', p.last_name, p.first_name, NULLIF(p.middle_name, '')),
    COALESCE(NULLIF(p.position, ''), ''),
    p.kind::text, s.name, s.kind::text, m.name,
    CASE WHEN cardinality(mp.subjects) > 0 THEN mp.subjects ELSE p.subjects END,
    comp.codes, comp.titles, dir.titles, forms.codes, tr.items,
    mp.competencies_text, mp.capacity, e.load,
    concat_ws(' ',
        p.last_name, p.first_name, p.middle_name, p.position,
        array_to_string(CASE WHEN cardinality(mp.subjects) > 0 THEN mp.subjects ELSE p.subjects END, ' '),
        array_to_string(comp.titles, ' '), array_to_string(dir.titles, ' '),
        mp.competencies_text, array_to_string(tr.items, ' '), s.name, m.name)
FROM unnest(CAST(:profile_ids AS uuid[]), CAST(:loads AS int[])) AS e(profile_id, load)
JOIN mentor_profile mp ON mp.school_id = :school_id AND mp.id = e.profile_id
JOIN participant p ON p.school_id = mp.school_id AND p.id = mp.participant_id
JOIN school s ON s.id = mp.school_id
JOIN municipality m ON m.id = s.municipality_id
CROSS JOIN LATERAL (
    SELECT COALESCE(array_agg(r.code ORDER BY r.sort_order), '{}') AS codes,
           COALESCE(array_agg(r.title ORDER BY r.sort_order), '{}') AS titles
    FROM mentor_competency mc JOIN reference_item r ON r.id = mc.reference_item_id
    WHERE mc.school_id = mp.school_id AND mc.mentor_profile_id = mp.id
) comp
CROSS JOIN LATERAL (
    SELECT COALESCE(array_agg(r.title ORDER BY r.sort_order), '{}') AS titles
    FROM mentor_direction md JOIN reference_item r ON r.id = md.reference_item_id
    WHERE md.school_id = mp.school_id AND md.mentor_profile_id = mp.id
) dir
CROSS JOIN LATERAL (
    SELECT COALESCE(array_agg(r.code ORDER BY r.sort_order), '{}') AS codes
    FROM reference_item r
    WHERE r.kind = 'form' AND r.active AND r.attributes ->> 'mentor' = p.kind::text
) forms
CROSS JOIN LATERAL (
    SELECT COALESCE(array_agg(
               t.course || COALESCE(' (' || NULLIF(t.provider, '') || ')', '')
               || ', ' || extract(year FROM t.completed_on)::int
               ORDER BY t.completed_on DESC), '{}') AS items
    FROM mentor_training t
    WHERE t.school_id = mp.school_id AND t.mentor_profile_id = mp.id
) tr
"""


# The cards' words, names aside, into the region's vocabulary for typo correction.
_WORDS = """
INSERT INTO mentor_directory_word (region_id, word)
SELECT DISTINCT e.region_id, w
FROM mentor_directory_entry e,
     regexp_split_to_table(lower(concat_ws(' ',
         e.position, array_to_string(e.subjects, ' '), array_to_string(e.competency_titles, ' '),
         array_to_string(e.direction_titles, ' '), e.competencies_text, array_to_string(e.trainings, ' '),
         e.school_name, e.municipality_name)), '[^0-9a-zа-яё]+') AS w
WHERE e.school_id = :school_id AND e.mentor_profile_id = ANY(CAST(:profile_ids AS uuid[]))
  AND length(w) BETWEEN 3 AND 60
ON CONFLICT DO NOTHING
"""


def cross_school_mentees() -> ColumnElement[int]:
    """Mentees a mentor profile has in agreed inter-school pairs (correlated over `MentorProfile`).

    Added to the mentor's load by the pairs feature, so that the school's banks, matching
    and the region's directory all count a mentor's pairs in every school.
    """
    return (
        select(func.count())
        .select_from(CrossSchoolPair)
        .where(
            CrossSchoolPair.mentor_school_id == MentorProfile.school_id,
            CrossSchoolPair.mentor_profile_id == MentorProfile.id,
            CrossSchoolPair.status == CrossSchoolPairStatus.ACCEPTED,
        )
        .correlate(MentorProfile)
        .scalar_subquery()
    )


async def sync_mentors(
    db: AsyncSession,
    school_id: uuid.UUID,
    participant_ids: Iterable[uuid.UUID] | None = None,
    *,
    year: int | None = None,
) -> None:
    """Bring the directory rows of these people (default: every mentor of the school) up to date."""
    start = year if year is not None else AcademicYear.current(local_today()).start
    ids = list(participant_ids) if participant_ids is not None else None
    if ids is not None and not ids:
        return
    await db.flush()
    wipe = delete(MentorDirectoryEntry).where(
        MentorDirectoryEntry.school_id == school_id, MentorDirectoryEntry.academic_year == start
    )
    if ids is not None:
        wipe = wipe.where(MentorDirectoryEntry.participant_id.in_(ids))
    await db.execute(wipe, execution_options={"synchronize_session": False})
    eligible = (
        select(
            MentorProfile.school_id.label("school_id"),
            MentorProfile.id.label("profile_id"),
            mentor_load_expression().label("load"),
        )
        .join(
            Participant,
            (Participant.school_id == MentorProfile.school_id)
            & (Participant.id == MentorProfile.participant_id),
        )
        .where(
            MentorProfile.school_id == school_id,
            MentorProfile.academic_year == start,
            MentorProfile.cross_school_search.is_(True),
            MentorProfile.status != MentorStatus.WITHDRAWN,
            Participant.kind != ParticipantKind.PUPIL,
            Participant.anonymised_at.is_(None),
            valid_consent_clause(),
            valid_consent_clause(scope=ConsentScope.REGIONAL_BANK),
        )
    )
    if ids is not None:
        eligible = eligible.where(Participant.id.in_(ids))
    rows = (await db.execute(eligible)).all()
    if not rows:
        return
    profile_ids = [row.profile_id for row in rows]
    await db.execute(
        text(_INSERT),
        {"school_id": school_id, "profile_ids": profile_ids, "loads": [int(r.load) for r in rows]},
    )
    await db.execute(text(_WORDS), {"school_id": school_id, "profile_ids": profile_ids})
