"""The region's bank of programmes and practices, and a school's methodical collection (issue 13).

`bank_item` is region-level data with policies of its own: the whole region
(`app.region_id`) reads published items; the author school (`app.school_id`) reads and
edits its items while they are drafts or returned, and sends them to moderation; the
region's ИРО methodists (`app.bank_moderation`, set only on their pages) read every item
sent to moderation and approve, return, unpublish and recommend, and publish items of
their own. A school never publishes by itself: its policies accept only the draft and
moderation states. Events, attachments and the vocabulary follow the item; adoptions are
recorded region-wide (which school took which item, no person) so the author sees the
count; the collection (`collection_item`) is school-owned like every school table.

RLS is enabled, not FORCEd, on `bank_item`: its search runs as the table's owner in
`bank_item_search` (SECURITY DEFINER, the same scope as the read policy, from the
transaction's settings only), so that the GIN index serves `@@` — the app role stays
under the policies. A school's roadmap template (`roadmap_template.school_id`) is a copy
of a programme already published in the region.

Revision ID: 20261201_13_02
Revises: 20261201_16_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.db import rls_disable_sql, rls_enable_sql
from nastavnik.platform.migration_helpers import app_role

revision: str = "20261201_13_02"
down_revision: str | None = "20261201_16_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REGION = "NULLIF(current_setting('app.region_id', true), '')::uuid"
_MODERATION = "NULLIF(current_setting('app.bank_moderation', true), '')::uuid"
_SCHOOL = "app_current_school()"
_SCHOOL_STATES = "status IN ('draft', 'submitted', 'returned')"
# A school writes items of its own, under its true region and municipality.
_OWN_ITEM = (
    f"author_school_id = {_SCHOOL} AND {_SCHOOL_STATES} AND NOT recommended AND EXISTS ("
    "SELECT 1 FROM school s JOIN municipality m ON m.id = s.municipality_id "
    "WHERE s.id = bank_item.author_school_id AND s.municipality_id = bank_item.municipality_id "
    "AND m.region_id = bank_item.region_id)"
)
# The item a child row belongs to is one this scope may edit (the subquery runs under
# bank_item's own read policy).
_EDITABLE_PARENT = (
    "EXISTS (SELECT 1 FROM bank_item i WHERE i.id = {table}.item_id AND "
    f"(i.author_school_id = {_SCHOOL} OR i.region_id = {_MODERATION}))"
)
_VISIBLE_PARENT = "EXISTS (SELECT 1 FROM bank_item i WHERE i.id = {table}.item_id)"

POLICIES: dict[str, list[str]] = {
    "bank_item": [
        (
            "CREATE POLICY bank_read ON bank_item FOR SELECT USING ("
            f"(region_id = {_REGION} AND status = 'published') OR author_school_id = {_SCHOOL} "
            f"OR (region_id = {_MODERATION} AND status <> 'draft'))"
        ),
        f"CREATE POLICY bank_school_insert ON bank_item FOR INSERT WITH CHECK ({_OWN_ITEM})",
        (
            "CREATE POLICY bank_school_update ON bank_item FOR UPDATE USING ("
            f"author_school_id = {_SCHOOL} AND status IN ('draft', 'returned')) WITH CHECK ({_OWN_ITEM})"
        ),
        (
            "CREATE POLICY bank_school_delete ON bank_item FOR DELETE USING ("
            f"author_school_id = {_SCHOOL} AND status = 'draft')"
        ),
        (
            "CREATE POLICY bank_region_insert ON bank_item FOR INSERT WITH CHECK ("
            f"region_id = {_MODERATION} AND author_school_id IS NULL)"
        ),
        (
            "CREATE POLICY bank_moderate ON bank_item FOR UPDATE USING ("
            f"region_id = {_MODERATION} AND status <> 'draft') WITH CHECK (region_id = {_MODERATION})"
        ),
    ],
    "bank_item_event": [
        (
            "CREATE POLICY event_read ON bank_item_event FOR SELECT USING ("
            + _VISIBLE_PARENT.format(table="bank_item_event")
            + ")"
        ),
        (
            "CREATE POLICY event_write ON bank_item_event FOR INSERT WITH CHECK ("
            + _EDITABLE_PARENT.format(table="bank_item_event")
            + ")"
        ),
    ],
    "bank_attachment": [
        (
            "CREATE POLICY attachment_read ON bank_attachment FOR SELECT USING ("
            + _VISIBLE_PARENT.format(table="bank_attachment")
            + ")"
        ),
        (
            "CREATE POLICY attachment_write ON bank_attachment FOR INSERT WITH CHECK ("
            + _EDITABLE_PARENT.format(table="bank_attachment")
            + ")"
        ),
        (
            "CREATE POLICY attachment_delete ON bank_attachment FOR DELETE USING ("
            + _EDITABLE_PARENT.format(table="bank_attachment")
            + ")"
        ),
    ],
    "bank_adoption": [
        (
            "CREATE POLICY adoption_read ON bank_adoption FOR SELECT USING ("
            f"region_id = {_REGION} OR region_id = {_MODERATION} OR school_id = {_SCHOOL})"
        ),
        (
            "CREATE POLICY adoption_add ON bank_adoption FOR INSERT WITH CHECK ("
            f"school_id = {_SCHOOL} AND EXISTS (SELECT 1 FROM bank_item i WHERE i.id = bank_adoption.item_id "
            "AND i.status = 'published' AND i.region_id = bank_adoption.region_id))"
        ),
    ],
    "bank_word": [
        f"CREATE POLICY word_read ON bank_word FOR SELECT USING (region_id = {_REGION})",
        f"CREATE POLICY word_add ON bank_word FOR INSERT WITH CHECK (region_id = {_MODERATION})",
    ],
}

# The search of the bank, run as the table's owner: under the app role's row-level
# security PostgreSQL cannot use the GIN index for `@@` (not leakproof). The scope is the
# read policy's published part — the transaction's region, never a parameter — and the
# function returns the facet columns of the matches only (no text): the cards of a page
# are then read by id under the app role's policy.
SEARCH_FUNCTION = f"""
CREATE FUNCTION bank_item_search(
    p_text tsquery, p_kind text, p_form text, p_direction text, p_school_kind text,
    p_municipality uuid, p_grade_from int, p_grade_to int, p_recommended boolean
) RETURNS TABLE (
    id uuid, kind text, form_codes varchar[], direction_codes varchar[], school_kind varchar,
    municipality_id uuid, grade_from int, grade_to int, recommended boolean, rank real,
    published_at timestamptz
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
-- A word found in a quarter of the bank still reads fewer pages through the GIN index than
-- a scan that would detoast every item's document.
SET enable_seqscan = off AS $$
DECLARE
    conditions text := 'i.region_id = $1 AND i.status = ''published''';
BEGIN
    -- Only the conditions asked for, so that each search is planned for what it filters on.
    IF p_text IS NOT NULL THEN conditions := conditions || ' AND i.search_document @@ $2'; END IF;
    IF p_kind IS NOT NULL THEN conditions := conditions || ' AND i.kind::text = $3'; END IF;
    IF p_form IS NOT NULL THEN conditions := conditions || ' AND i.form_codes @> ARRAY[$4]::varchar[]'; END IF;
    IF p_direction IS NOT NULL THEN
        conditions := conditions || ' AND i.direction_codes @> ARRAY[$5]::varchar[]';
    END IF;
    IF p_school_kind IS NOT NULL THEN
        conditions := conditions || ' AND (i.school_kind = $6 OR i.school_kind = '''')';
    END IF;
    IF p_municipality IS NOT NULL THEN conditions := conditions || ' AND i.municipality_id = $7'; END IF;
    -- A level (grades) overlaps the item's grades; an item without grades suits any.
    IF p_grade_from IS NOT NULL THEN
        conditions := conditions || ' AND coalesce(i.grade_to, 11) >= $8 AND coalesce(i.grade_from, 1) <= $9';
    END IF;
    IF p_recommended THEN conditions := conditions || ' AND i.recommended'; END IF;
    RETURN QUERY EXECUTE
        'SELECT i.id, i.kind::text, i.form_codes, i.direction_codes, i.school_kind, i.municipality_id, '
        || 'i.grade_from, i.grade_to, i.recommended, '
        || CASE WHEN p_text IS NULL THEN '0::real' ELSE '(i.title_document @@ $2)::int::real' END
        || ', i.published_at FROM bank_item i WHERE ' || conditions
    USING {_REGION}, p_text, p_kind, p_form, p_direction, p_school_kind, p_municipality,
        p_grade_from, p_grade_to;
END
$$
"""


def upgrade() -> None:
    op.add_column("roadmap_template", sa.Column("school_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_roadmap_template_school_id_school"),
        "roadmap_template",
        "school",
        ["school_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index(op.f("ix_roadmap_template_school_id"), "roadmap_template", ["school_id"], unique=False)
    op.create_table(
        "bank_item",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("author_school_id", sa.Uuid(), nullable=True),
        sa.Column("municipality_id", sa.Uuid(), nullable=True),
        sa.Column("author_name", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("programme", "practice", "case", "plan_template", name="bank_item_kind"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("draft", "submitted", "returned", "published", "unpublished", name="bank_item_status"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("keywords", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("form_codes", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("direction_codes", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("school_kind", sa.String(length=40), nullable=False),
        sa.Column("grade_from", sa.Integer(), nullable=True),
        sa.Column("grade_to", sa.Integer(), nullable=True),
        sa.Column("roadmap", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("plan_items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recommended", sa.Boolean(), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "title_document",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('russian'::regconfig, (title)::text)", persisted=True),
            nullable=False,
        ),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "search_document",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('russian'::regconfig, (title)::text), 'A') || "
                "setweight(to_tsvector('russian'::regconfig, search_text), 'B')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(grade_from IS NULL OR grade_from BETWEEN 1 AND 11) AND "
            "(grade_to IS NULL OR grade_to BETWEEN 1 AND 11) AND "
            "(grade_from IS NULL OR grade_to IS NULL OR grade_from <= grade_to)",
            name=op.f("ck_bank_item_grades"),
        ),
        sa.CheckConstraint(
            "author_school_id IS NULL OR municipality_id IS NOT NULL", name=op.f("ck_bank_item_author_place")
        ),
        sa.ForeignKeyConstraint(
            ["author_school_id"], ["school.id"], name=op.f("fk_bank_item_author_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_bank_item_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_bank_item_municipality_id_municipality")
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_bank_item_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_item")),
    )
    # The long texts (and the full document) go to TOAST, so that a search reads narrow rows:
    # the facet columns of thousands of matches fit in a few hundred pages.
    op.execute("ALTER TABLE bank_item SET (toast_tuple_target = 512)")
    op.create_index(op.f("ix_bank_item_author_school_id"), "bank_item", ["author_school_id"], unique=False)
    op.create_index(op.f("ix_bank_item_created_by_id"), "bank_item", ["created_by_id"], unique=False)
    op.create_index(op.f("ix_bank_item_municipality_id"), "bank_item", ["municipality_id"], unique=False)
    op.create_index(
        "ix_bank_item_region_id_status_published_at",
        "bank_item",
        ["region_id", "status", "published_at"],
        unique=False,
    )
    op.create_index(
        "ix_bank_item_search", "bank_item", ["search_document"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_bank_item_facets",
        "bank_item",
        ["region_id", "status"],
        unique=False,
        postgresql_include=[
            "id", "kind", "form_codes", "direction_codes", "school_kind", "municipality_id",
            "grade_from", "grade_to", "recommended", "published_at",
        ],
    )  # fmt: skip
    op.create_table(
        "bank_item_event",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "created",
                "edited",
                "submitted",
                "returned",
                "approved",
                "published",
                "unpublished",
                "recommended",
                "unrecommended",
                name="bank_event_action",
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=300), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_bank_item_event_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["bank_item.id"],
            name=op.f("fk_bank_item_event_item_id_bank_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_item_event")),
    )
    op.create_index(op.f("ix_bank_item_event_actor_id"), "bank_item_event", ["actor_id"], unique=False)
    op.create_index(op.f("ix_bank_item_event_item_id"), "bank_item_event", ["item_id"], unique=False)
    op.create_table(
        "bank_attachment",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("is_photo", sa.Boolean(), nullable=False),
        sa.Column("consent_confirmed", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "NOT is_photo OR consent_confirmed", name=op.f("ck_bank_attachment_photo_consent")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["bank_item.id"],
            name=op.f("fk_bank_attachment_item_id_bank_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["app_user.id"], name=op.f("fk_bank_attachment_uploaded_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_attachment")),
    )
    op.create_index(op.f("ix_bank_attachment_item_id"), "bank_attachment", ["item_id"], unique=False)
    op.create_index(
        op.f("ix_bank_attachment_uploaded_by_id"), "bank_attachment", ["uploaded_by_id"], unique=False
    )
    op.create_table(
        "bank_adoption",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["bank_item.id"], name=op.f("fk_bank_adoption_item_id_bank_item"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_bank_adoption_region_id_region")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_bank_adoption_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_adoption")),
        sa.UniqueConstraint("item_id", "school_id", name=op.f("uq_bank_adoption_item_id_school_id")),
    )
    op.create_index(op.f("ix_bank_adoption_region_id"), "bank_adoption", ["region_id"], unique=False)
    op.create_index(op.f("ix_bank_adoption_school_id"), "bank_adoption", ["school_id"], unique=False)
    op.create_table(
        "bank_word",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("word", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_bank_word_region_id_region")),
        sa.PrimaryKeyConstraint("region_id", "word", name=op.f("pk_bank_word")),
    )
    op.create_index(
        "ix_bank_word_word_trgm",
        "bank_word",
        ["word"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )
    op.create_table(
        "collection_item",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("bank_item_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            postgresql.ENUM(
                "programme", "practice", "case", "plan_template", name="bank_item_kind", create_type=False
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("plan_items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("roadmap_template_id", sa.Uuid(), nullable=True),
        sa.Column("added_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["app_user.id"], name=op.f("fk_collection_item_added_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["bank_item_id"],
            ["bank_item.id"],
            name=op.f("fk_collection_item_bank_item_id_bank_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["roadmap_template_id"],
            ["roadmap_template.id"],
            name=op.f("fk_collection_item_roadmap_template_id_roadmap_template"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_collection_item_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_collection_item")),
        sa.UniqueConstraint(
            "school_id", "bank_item_id", name=op.f("uq_collection_item_school_id_bank_item_id")
        ),
        info={"school_owned": True},
    )
    op.create_index(op.f("ix_collection_item_added_by_id"), "collection_item", ["added_by_id"], unique=False)
    op.create_index("ix_collection_item_bank_item_id", "collection_item", ["bank_item_id"], unique=False)
    op.create_index(
        op.f("ix_collection_item_roadmap_template_id"),
        "collection_item",
        ["roadmap_template_id"],
        unique=False,
    )
    for statement in rls_enable_sql("collection_item"):
        op.execute(statement)
    for table, statements in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        if table != "bank_item":
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for statement in statements:
            op.execute(statement)
    op.execute(SEARCH_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION bank_item_search FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION bank_item_search TO {app_role()}")


def downgrade() -> None:
    op.execute("DROP FUNCTION bank_item_search")
    for statement in rls_disable_sql("collection_item"):
        op.execute(statement)
    op.drop_index(op.f("ix_collection_item_roadmap_template_id"), table_name="collection_item")
    op.drop_index("ix_collection_item_bank_item_id", table_name="collection_item")
    op.drop_index(op.f("ix_collection_item_added_by_id"), table_name="collection_item")
    op.drop_table("collection_item")
    op.drop_index("ix_bank_word_word_trgm", table_name="bank_word")
    op.drop_table("bank_word")
    op.drop_index(op.f("ix_bank_adoption_school_id"), table_name="bank_adoption")
    op.drop_index(op.f("ix_bank_adoption_region_id"), table_name="bank_adoption")
    op.drop_table("bank_adoption")
    op.drop_index(op.f("ix_bank_attachment_uploaded_by_id"), table_name="bank_attachment")
    op.drop_index(op.f("ix_bank_attachment_item_id"), table_name="bank_attachment")
    op.drop_table("bank_attachment")
    op.drop_index(op.f("ix_bank_item_event_item_id"), table_name="bank_item_event")
    op.drop_index(op.f("ix_bank_item_event_actor_id"), table_name="bank_item_event")
    op.drop_table("bank_item_event")
    op.drop_index("ix_bank_item_facets", table_name="bank_item")
    op.drop_index("ix_bank_item_search", table_name="bank_item", postgresql_using="gin")
    op.drop_index("ix_bank_item_region_id_status_published_at", table_name="bank_item")
    op.drop_index(op.f("ix_bank_item_municipality_id"), table_name="bank_item")
    op.drop_index(op.f("ix_bank_item_created_by_id"), table_name="bank_item")
    op.drop_index(op.f("ix_bank_item_author_school_id"), table_name="bank_item")
    op.drop_table("bank_item")
    for name in ("bank_event_action", "bank_item_status", "bank_item_kind"):
        op.execute(f"DROP TYPE IF EXISTS {name}")
    op.drop_index(op.f("ix_roadmap_template_school_id"), table_name="roadmap_template")
    op.drop_constraint(op.f("fk_roadmap_template_school_id_school"), "roadmap_template", type_="foreignkey")
    op.drop_column("roadmap_template", "school_id")
