"""The region's mentor directory and inter-school pairs (issue 13), with their policies.

`mentor_directory_entry` is the regional projection of consenting mentors: the region (or
one municipality of it, `app.municipality_id`) reads it through `app.region_id`; a school
reads it when its pages scope the transaction to their region too, and writes only its own
rows, stamped with its true region and municipality. `cross_school_pair` and its meetings
are readable and writable by exactly the two schools of the pair; nobody deletes them.

Revision ID: 20261201_13_01
Revises: 20261201_12_02
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.migration_helpers import app_role

revision: str = "20261201_13_01"
down_revision: str | None = "20261201_12_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_REGION = "NULLIF(current_setting('app.region_id', true), '')::uuid"
_MUNICIPALITY = "NULLIF(current_setting('app.municipality_id', true), '')::uuid"
_SCHOOL = "app_current_school()"
# A school writes directory rows of its own, under its true region and municipality.
_OWN_DIRECTORY_ROW = (
    f"school_id = {_SCHOOL} AND EXISTS (SELECT 1 FROM school s JOIN municipality m ON m.id = s.municipality_id "
    "WHERE s.id = mentor_directory_entry.school_id AND s.municipality_id = mentor_directory_entry.municipality_id "
    "AND m.region_id = mentor_directory_entry.region_id)"
)
_PAIR_PARTY = f"(mentee_school_id = {_SCHOOL} OR mentor_school_id = {_SCHOOL})"

POLICIES: dict[str, list[str]] = {
    "mentor_directory_entry": [
        (
            "CREATE POLICY directory_read ON mentor_directory_entry FOR SELECT USING ("
            f"(region_id = {_REGION} AND ({_MUNICIPALITY} IS NULL OR municipality_id = {_MUNICIPALITY})) "
            f"OR school_id = {_SCHOOL})"
        ),
        f"CREATE POLICY directory_insert ON mentor_directory_entry FOR INSERT WITH CHECK ({_OWN_DIRECTORY_ROW})",
        (
            f"CREATE POLICY directory_update ON mentor_directory_entry FOR UPDATE USING (school_id = {_SCHOOL}) "
            f"WITH CHECK ({_OWN_DIRECTORY_ROW})"
        ),
        f"CREATE POLICY directory_delete ON mentor_directory_entry FOR DELETE USING (school_id = {_SCHOOL})",
    ],
    # The vocabulary of a region's cards: read by the region, added to by its schools.
    "mentor_directory_word": [
        f"CREATE POLICY word_read ON mentor_directory_word FOR SELECT USING (region_id = {_REGION})",
        (
            "CREATE POLICY word_add ON mentor_directory_word FOR INSERT WITH CHECK (EXISTS ("
            "SELECT 1 FROM school s JOIN municipality m ON m.id = s.municipality_id "
            f"WHERE s.id = {_SCHOOL} AND m.region_id = mentor_directory_word.region_id))"
        ),
    ],
    "cross_school_pair": [
        f"CREATE POLICY pair_read ON cross_school_pair FOR SELECT USING {_PAIR_PARTY}",
        (
            "CREATE POLICY pair_request ON cross_school_pair FOR INSERT WITH CHECK ("
            f"mentee_school_id = {_SCHOOL} AND mentor_school_id <> {_SCHOOL})"
        ),
        f"CREATE POLICY pair_update ON cross_school_pair FOR UPDATE USING {_PAIR_PARTY} WITH CHECK {_PAIR_PARTY}",
    ],
    # A meeting is visible where its pair is (the subquery is itself under pair_read).
    "cross_school_meeting": [
        (
            "CREATE POLICY meeting_read ON cross_school_meeting FOR SELECT USING ("
            "EXISTS (SELECT 1 FROM cross_school_pair p WHERE p.id = cross_school_meeting.pair_id))"
        ),
        (
            "CREATE POLICY meeting_log ON cross_school_meeting FOR INSERT WITH CHECK ("
            f"logged_by_school_id = {_SCHOOL} AND "
            "EXISTS (SELECT 1 FROM cross_school_pair p WHERE p.id = cross_school_meeting.pair_id))"
        ),
    ],
}


# The search of the directory, run as the table's owner (SECURITY DEFINER). Under the app
# role's row-level security PostgreSQL cannot use the GIN indexes for `@@`, `<%` or `@>`
# (those operators are not leakproof, so they may only run after the policy), and every
# search would read the whole table. The function applies the same scope as the read
# policy — the transaction's region and municipality, never a parameter — and returns ids
# only: the cards themselves are then read by id as the app role, under the policy.
SEARCH_FUNCTION = f"""
CREATE FUNCTION mentor_directory_search(
    p_year int, p_text tsquery, p_name text, p_competency text, p_form text, p_subject text,
    p_free_only boolean, p_municipality uuid, p_exclude_school uuid, p_cap int, p_offset int, p_limit int
) RETURNS TABLE (id uuid, total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    conditions text := 'e.region_id = $1 AND ($2 IS NULL OR e.municipality_id = $2) AND e.academic_year = $3';
BEGIN
    -- Only the conditions asked for, so that each search is planned for what it filters on.
    IF p_text IS NOT NULL THEN
        -- A union of two index scans (the words by stem; the whole text as a name with a
        -- typo): an OR of the two makes the planner read the table row by row.
        conditions := conditions || ' AND e.id IN (SELECT t.id FROM mentor_directory_entry t '
            || 'WHERE t.search_document @@ $4'
            || CASE WHEN p_name IS NOT NULL
                    THEN ' UNION ALL SELECT t.id FROM mentor_directory_entry t WHERE $5 <% t.full_name'
                    ELSE '' END || ')';
    END IF;
    IF p_competency IS NOT NULL THEN
        conditions := conditions || ' AND e.competency_codes @> ARRAY[$6]::varchar[]';
    END IF;
    IF p_form IS NOT NULL THEN conditions := conditions || ' AND e.form_codes @> ARRAY[$7]::varchar[]'; END IF;
    IF p_subject IS NOT NULL THEN
        conditions := conditions || ' AND e.subjects @> ARRAY[$8]::varchar[]';
    END IF;
    IF p_free_only THEN conditions := conditions || ' AND e.capacity > e.load'; END IF;
    IF p_municipality IS NOT NULL THEN conditions := conditions || ' AND e.municipality_id = $9'; END IF;
    IF p_exclude_school IS NOT NULL THEN conditions := conditions || ' AND e.school_id <> $10'; END IF;
    RETURN QUERY EXECUTE
        'WITH matches AS (SELECT e.id, e.full_name FROM mentor_directory_entry e WHERE ' || conditions
        || ' ORDER BY e.full_name, e.id LIMIT $11 + 1) '
        || 'SELECT m.id, (SELECT count(*) FROM matches) FROM matches m ORDER BY m.full_name, m.id '
        || 'OFFSET $12 LIMIT $13'
    USING {_REGION}, {_MUNICIPALITY}, p_year, p_text, p_name, p_competency, p_form, p_subject,
        p_municipality, p_exclude_school, p_cap, p_offset, p_limit;
END
$$
"""


def _enable_policies() -> None:
    for table, statements in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        # The directory's owner runs its search function; the app role stays under the policies.
        if table != "mentor_directory_entry":
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for statement in statements:
            op.execute(statement)
    op.execute(SEARCH_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION mentor_directory_search FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION mentor_directory_search TO {app_role()}")


def upgrade() -> None:
    # Kept on downgrade: PostgreSQL cannot drop an enum value, and no row needs it gone.
    op.execute("ALTER TYPE consent_scope ADD VALUE IF NOT EXISTS 'inter_school'")
    op.create_table(
        "cross_school_pair",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("mentee_school_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_school_id", sa.Uuid(), nullable=False),
        sa.Column("mentee_participant_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested", "accepted", "declined", "withdrawn", "completed", name="cross_school_pair_status"
            ),
            nullable=False,
        ),
        sa.Column("mentee_name", sa.String(length=400), nullable=False),
        sa.Column("mentee_kind", sa.String(length=40), nullable=False),
        sa.Column("direction_titles", postgresql.ARRAY(sa.String(length=300)), nullable=False),
        sa.Column("mentor_name", sa.String(length=400), nullable=False),
        sa.Column("mentor_position", sa.String(length=200), nullable=False),
        sa.Column("mentor_subjects", postgresql.ARRAY(sa.String(length=120)), nullable=False),
        sa.Column("mentor_competency_titles", postgresql.ARRAY(sa.String(length=300)), nullable=False),
        sa.Column("mentor_contact", sa.String(length=320), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("mentor_agreed", sa.Boolean(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_number", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "mentee_school_id <> mentor_school_id", name=op.f("ck_cross_school_pair_two_schools")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["app_user.id"], name=op.f("fk_cross_school_pair_decided_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["form_id"], ["reference_item.id"], name=op.f("fk_cross_school_pair_form_id_reference_item")
        ),
        sa.ForeignKeyConstraint(
            ["mentee_school_id", "mentee_participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_cross_school_pair_mentee_school_id_mentee_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_school_id"], ["school.id"], name=op.f("fk_cross_school_pair_mentee_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["mentor_school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            name=op.f("fk_cross_school_pair_mentor_school_id_mentor_profile_id_mentor_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_school_id"], ["school.id"], name=op.f("fk_cross_school_pair_mentor_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_cross_school_pair_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["app_user.id"], name=op.f("fk_cross_school_pair_requested_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cross_school_pair")),
    )
    op.create_index(
        op.f("ix_cross_school_pair_decided_by_id"), "cross_school_pair", ["decided_by_id"], unique=False
    )
    op.create_index(op.f("ix_cross_school_pair_form_id"), "cross_school_pair", ["form_id"], unique=False)
    op.create_index(
        "ix_cross_school_pair_mentee",
        "cross_school_pair",
        ["mentee_school_id", "mentee_participant_id"],
        unique=False,
    )
    op.create_index(
        "ix_cross_school_pair_mentor",
        "cross_school_pair",
        ["mentor_school_id", "mentor_profile_id"],
        unique=False,
    )
    op.create_index(op.f("ix_cross_school_pair_region_id"), "cross_school_pair", ["region_id"], unique=False)
    op.create_index(
        op.f("ix_cross_school_pair_requested_by_id"), "cross_school_pair", ["requested_by_id"], unique=False
    )
    op.create_table(
        "mentor_directory_entry",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=400), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("participant_kind", sa.String(length=40), nullable=False),
        sa.Column("school_name", sa.String(length=200), nullable=False),
        sa.Column("school_kind", sa.String(length=40), nullable=False),
        sa.Column("municipality_name", sa.String(length=200), nullable=False),
        sa.Column("subjects", postgresql.ARRAY(sa.String(length=120)), nullable=False),
        sa.Column("competency_codes", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("competency_titles", postgresql.ARRAY(sa.String(length=300)), nullable=False),
        sa.Column("direction_titles", postgresql.ARRAY(sa.String(length=300)), nullable=False),
        sa.Column("form_codes", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("trainings", postgresql.ARRAY(sa.String(length=400)), nullable=False),
        sa.Column("competencies_text", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("load", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "search_document",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('russian'::regconfig, search_text)", persisted=True),
            nullable=False,
        ),
        sa.Column("synced_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_mentor_directory_entry_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_mentor_directory_entry_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            name=op.f("fk_mentor_directory_entry_school_id_mentor_profile_id_mentor_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_mentor_directory_entry_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_directory_entry")),
        sa.UniqueConstraint(
            "school_id",
            "mentor_profile_id",
            name=op.f("uq_mentor_directory_entry_school_id_mentor_profile_id"),
        ),
    )
    op.create_index(
        "ix_mentor_directory_entry_competency_codes",
        "mentor_directory_entry",
        ["competency_codes"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        op.f("ix_mentor_directory_entry_municipality_id"),
        "mentor_directory_entry",
        ["municipality_id"],
        unique=False,
    )
    op.create_index(
        "ix_mentor_directory_entry_region_id_full_name",
        "mentor_directory_entry",
        ["region_id", "full_name"],
        unique=False,
    )
    op.create_index(
        "ix_mentor_directory_entry_search",
        "mentor_directory_entry",
        ["search_document"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_mentor_directory_entry_subjects",
        "mentor_directory_entry",
        ["subjects"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_mentor_directory_entry_full_name_trgm",
        "mentor_directory_entry",
        ["full_name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"full_name": "gin_trgm_ops"},
    )
    op.create_table(
        "mentor_directory_word",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("word", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_mentor_directory_word_region_id_region")
        ),
        sa.PrimaryKeyConstraint("region_id", "word", name=op.f("pk_mentor_directory_word")),
    )
    op.create_index(
        "ix_mentor_directory_word_word_trgm",
        "mentor_directory_word",
        ["word"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )
    op.create_table(
        "cross_school_meeting",
        sa.Column("pair_id", sa.Uuid(), nullable=False),
        sa.Column("logged_by_school_id", sa.Uuid(), nullable=False),
        sa.Column("logged_by_id", sa.Uuid(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["logged_by_id"], ["app_user.id"], name=op.f("fk_cross_school_meeting_logged_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_school_id"],
            ["school.id"],
            name=op.f("fk_cross_school_meeting_logged_by_school_id_school"),
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["cross_school_pair.id"],
            name=op.f("fk_cross_school_meeting_pair_id_cross_school_pair"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cross_school_meeting")),
    )
    op.create_index(
        op.f("ix_cross_school_meeting_logged_by_id"), "cross_school_meeting", ["logged_by_id"], unique=False
    )
    op.create_index(
        op.f("ix_cross_school_meeting_logged_by_school_id"),
        "cross_school_meeting",
        ["logged_by_school_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cross_school_meeting_pair_id"), "cross_school_meeting", ["pair_id"], unique=False
    )
    _enable_policies()


def downgrade() -> None:
    op.drop_index(op.f("ix_cross_school_meeting_pair_id"), table_name="cross_school_meeting")
    op.drop_index(op.f("ix_cross_school_meeting_logged_by_school_id"), table_name="cross_school_meeting")
    op.drop_index(op.f("ix_cross_school_meeting_logged_by_id"), table_name="cross_school_meeting")
    op.drop_table("cross_school_meeting")
    op.drop_index("ix_mentor_directory_word_word_trgm", table_name="mentor_directory_word")
    op.drop_table("mentor_directory_word")
    op.drop_index("ix_mentor_directory_entry_full_name_trgm", table_name="mentor_directory_entry")
    op.drop_index("ix_mentor_directory_entry_subjects", table_name="mentor_directory_entry")
    op.drop_index(
        "ix_mentor_directory_entry_search", table_name="mentor_directory_entry", postgresql_using="gin"
    )
    op.drop_index("ix_mentor_directory_entry_region_id_full_name", table_name="mentor_directory_entry")
    op.drop_index(op.f("ix_mentor_directory_entry_municipality_id"), table_name="mentor_directory_entry")
    op.drop_index(
        "ix_mentor_directory_entry_competency_codes",
        table_name="mentor_directory_entry",
        postgresql_using="gin",
    )
    op.drop_table("mentor_directory_entry")
    op.drop_index(op.f("ix_cross_school_pair_requested_by_id"), table_name="cross_school_pair")
    op.drop_index(op.f("ix_cross_school_pair_region_id"), table_name="cross_school_pair")
    op.drop_index("ix_cross_school_pair_mentor", table_name="cross_school_pair")
    op.drop_index("ix_cross_school_pair_mentee", table_name="cross_school_pair")
    op.drop_index(op.f("ix_cross_school_pair_form_id"), table_name="cross_school_pair")
    op.drop_index(op.f("ix_cross_school_pair_decided_by_id"), table_name="cross_school_pair")
    op.drop_table("cross_school_pair")
    op.execute("DROP FUNCTION mentor_directory_search")
    op.execute("DROP TYPE cross_school_pair_status")
