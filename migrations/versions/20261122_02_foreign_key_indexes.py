"""An index for every foreign key that had none.

Without them, loading a pair's plan items, a mentorship's members or a mentor's
trainings scans the table of every school, and deleting a referenced row (a cascade, or
the check of a plain foreign key) does the same. Composite keys are indexed as they are
declared, `(school_id, …)`, so the tenant column leads as in every other index.
`tests/unit/test_schema_indexes.py` reads the catalog and fails on a foreign key without
an index.

Revision ID: 20261122_02
Revises: 20261122_01
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261122_02"
down_revision: str | None = "20261122_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("consent", ("recorded_by_id",)),
    ("document_registration", ("registered_by_id",)),
    ("incompatibility_mark", ("marked_by_id",)),
    ("incompatibility_mark", ("school_id", "mentor_id")),
    ("matching_exclusion", ("school_id", "mentee_profile_id")),
    ("matching_exclusion", ("school_id", "mentor_profile_id")),
    ("matching_preference", ("school_id", "chooser_id")),
    ("matching_preference", ("school_id", "chosen_id")),
    ("matching_proposal", ("school_id", "mentee_profile_id")),
    ("matching_proposal", ("school_id", "mentor_profile_id")),
    ("matching_round", ("approved_by_id",)),
    ("matching_round", ("created_by_id",)),
    ("matching_round", ("form_id",)),
    ("meeting", ("recorded_by_id",)),
    ("meeting_attendance", ("school_id", "participant_id")),
    ("mentor_profile", ("school_id", "interviewed_by_id")),
    ("mentor_training", ("school_id", "mentor_profile_id")),
    ("mentorship", ("form_id",)),
    ("mentorship", ("school_id", "round_id")),
    ("mentorship_member", ("school_id", "mentorship_id")),
    ("participant", ("school_id", "partner_organization_id")),
    ("participant", ("school_id", "staff_member_id")),
    ("participant_import", ("created_by_id",)),
    ("plan_item", ("school_id", "plan_id")),
    ("programme", ("approved_by_id",)),
    ("programme", ("school_id", "curator_id")),
    ("programme", ("template_id",)),
    ("programme_stage", ("school_id", "programme_id")),
    ("roadmap_attachment", ("uploaded_by_id",)),
    ("roadmap_change", ("actor_id",)),
    ("roadmap_item", ("school_id", "stage_id")),
    ("roadmap_responsible", ("school_id", "staff_member_id")),
    ("roadmap_template", ("based_on_id",)),
    ("school_regulation", ("updated_by_id",)),
    ("staff_member", ("invited_by_id",)),
    ("web_session", ("user_id",)),
)


def _name(table: str, columns: tuple[str, ...]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    for table, columns in INDEXES:
        op.create_index(_name(table, columns), table, list(columns))


def downgrade() -> None:
    for table, columns in reversed(INDEXES):
        op.drop_index(_name(table, columns), table_name=table)
