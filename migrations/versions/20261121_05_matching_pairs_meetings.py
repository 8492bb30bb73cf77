"""Matching rounds and proposals, pairs and groups with development plans, meetings.

Every new table is school-owned and goes behind row-level security.

Revision ID: 20261121_05
Revises: 20261121_04
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.db import rls_disable_sql, rls_enable_sql

revision: str = "20261121_05"
down_revision: str | None = "20261121_04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHOOL_OWNED_TABLES = (
    "matching_settings",
    "matching_round",
    "matching_proposal",
    "matching_exclusion",
    "incompatibility_mark",
    "matching_preference",
    "mentorship",
    "mentorship_direction",
    "mentorship_member",
    "development_plan",
    "plan_item",
    "meeting",
    "meeting_attendance",
)
ENUMS = (
    "matching_mode",
    "matching_round_status",
    "preference_side",
    "mentorship_status",
    "mentorship_member_role",
    "meeting_kind",
    "meeting_format",
)


def upgrade() -> None:
    op.create_table(
        "matching_round",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column("mode", sa.Enum("best_fit", "coverage", name="matching_mode"), nullable=False),
        sa.Column(
            "status", sa.Enum("draft", "approved", "cancelled", name="matching_round_status"), nullable=False
        ),
        sa.Column("weights", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("stats", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("order_number", sa.String(length=40), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["app_user.id"], name=op.f("fk_matching_round_approved_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_matching_round_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["form_id"], ["reference_item.id"], name=op.f("fk_matching_round_form_id_reference_item")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_matching_round_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_matching_round")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_matching_round_school_id_academic_year",
        "matching_round",
        ["school_id", "academic_year"],
        unique=False,
    )
    op.create_table(
        "matching_settings",
        sa.Column("weights", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_matching_settings_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_matching_settings")),
        sa.UniqueConstraint("school_id", name=op.f("uq_matching_settings_school_id")),
        info={"school_owned": True},
    )
    op.create_table(
        "mentorship",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("forming", "active", "completed", "terminated", name="mentorship_status"),
            nullable=False,
        ),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("round_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"], ["reference_item.id"], name=op.f("fk_mentorship_form_id_reference_item")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "round_id"],
            ["matching_round.school_id", "matching_round.id"],
            name=op.f("fk_mentorship_school_id_round_id_matching_round"),
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_mentorship_school_id_school")),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_mentorship")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_mentorship_school_id_academic_year", "mentorship", ["school_id", "academic_year"], unique=False
    )
    op.create_table(
        "development_plan",
        sa.Column("mentorship_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("expected_results", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "mentorship_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_development_plan_school_id_mentorship_id_mentorship"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_development_plan")),
        sa.UniqueConstraint(
            "school_id", "mentorship_id", name=op.f("uq_development_plan_school_id_mentorship_id")
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "incompatibility_mark",
        sa.Column("mentee_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("marked_by_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["marked_by_id"], ["app_user.id"], name=op.f("fk_incompatibility_mark_marked_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentee_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_incompatibility_mark_school_id_mentee_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentor_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_incompatibility_mark_school_id_mentor_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_incompatibility_mark")),
        sa.UniqueConstraint(
            "school_id",
            "mentee_id",
            "mentor_id",
            name=op.f("uq_incompatibility_mark_school_id_mentee_id_mentor_id"),
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "matching_preference",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("side", sa.Enum("mentee", "mentor", name="preference_side"), nullable=False),
        sa.Column("chooser_id", sa.Uuid(), nullable=False),
        sa.Column("chosen_id", sa.Uuid(), nullable=False),
        sa.Column("entered_by_link", sa.Boolean(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "chooser_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_matching_preference_school_id_chooser_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "chosen_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_matching_preference_school_id_chosen_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_matching_preference")),
        sa.UniqueConstraint(
            "school_id",
            "academic_year",
            "side",
            "chooser_id",
            "chosen_id",
            name=op.f("uq_matching_preference_school_id_academic_year_side_chooser_id_chosen_id"),
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "meeting",
        sa.Column("mentorship_id", sa.Uuid(), nullable=True),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "organisational",
                "trial",
                "planning",
                "regular",
                "final",
                "group_meeting",
                "final_ceremony",
                name="meeting_kind",
            ),
            nullable=False,
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("format", sa.Enum("in_person", "online", name="meeting_format"), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["app_user.id"], name=op.f("fk_meeting_recorded_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentorship_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_meeting_school_id_mentorship_id_mentorship"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_meeting_school_id_school")),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_meeting")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_meeting_school_id_academic_year", "meeting", ["school_id", "academic_year"], unique=False
    )
    op.create_index(
        "ix_meeting_school_id_mentorship_id_held_on",
        "meeting",
        ["school_id", "mentorship_id", "held_on"],
        unique=False,
    )
    op.create_table(
        "mentorship_direction",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("mentorship_id", sa.Uuid(), nullable=False),
        sa.Column("reference_item_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reference_item_id"],
            ["reference_item.id"],
            name=op.f("fk_mentorship_direction_reference_item_id_reference_item"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentorship_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_mentorship_direction_school_id_mentorship_id_mentorship"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "school_id", "mentorship_id", "reference_item_id", name=op.f("pk_mentorship_direction")
        ),
        info={"school_owned": True},
    )
    op.create_index(
        op.f("ix_mentorship_direction_reference_item_id"),
        "mentorship_direction",
        ["reference_item_id"],
        unique=False,
    )
    op.create_table(
        "mentorship_member",
        sa.Column("mentorship_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.Enum("mentor", "mentee", name="mentorship_member_role"), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "mentorship_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_mentorship_member_school_id_mentorship_id_mentorship"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_mentorship_member_school_id_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_mentorship_member")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_mentorship_member_school_id_participant_id",
        "mentorship_member",
        ["school_id", "participant_id"],
        unique=False,
    )
    op.create_table(
        "matching_exclusion",
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("mentee_profile_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "mentee_profile_id"],
            ["mentee_profile.school_id", "mentee_profile.id"],
            name=op.f("fk_matching_exclusion_school_id_mentee_profile_id_mentee_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            name=op.f("fk_matching_exclusion_school_id_mentor_profile_id_mentor_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "round_id"],
            ["matching_round.school_id", "matching_round.id"],
            name=op.f("fk_matching_exclusion_school_id_round_id_matching_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_matching_exclusion")),
        sa.UniqueConstraint(
            "school_id",
            "round_id",
            "mentee_profile_id",
            "mentor_profile_id",
            name=op.f("uq_matching_exclusion_school_id_round_id_mentee_profile_id_mentor_profile_id"),
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "matching_proposal",
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("mentee_profile_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("as_group", sa.Boolean(), nullable=False),
        sa.Column("unmatched_reason", sa.String(length=40), nullable=False),
        sa.Column("unmatched_text", sa.Text(), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "mentee_profile_id"],
            ["mentee_profile.school_id", "mentee_profile.id"],
            name=op.f("fk_matching_proposal_school_id_mentee_profile_id_mentee_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            name=op.f("fk_matching_proposal_school_id_mentor_profile_id_mentor_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "round_id"],
            ["matching_round.school_id", "matching_round.id"],
            name=op.f("fk_matching_proposal_school_id_round_id_matching_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_matching_proposal")),
        sa.UniqueConstraint(
            "school_id",
            "round_id",
            "mentee_profile_id",
            name=op.f("uq_matching_proposal_school_id_round_id_mentee_profile_id"),
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "meeting_attendance",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "meeting_id"],
            ["meeting.school_id", "meeting.id"],
            name=op.f("fk_meeting_attendance_school_id_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_meeting_attendance_school_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_meeting_attendance")),
        sa.UniqueConstraint(
            "school_id",
            "meeting_id",
            "participant_id",
            name=op.f("uq_meeting_attendance_school_id_meeting_id_participant_id"),
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "plan_item",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("activity", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "plan_id"],
            ["development_plan.school_id", "development_plan.id"],
            name=op.f("fk_plan_item_school_id_plan_id_development_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_plan_item")),
        info={"school_owned": True},
    )
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_enable_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_disable_sql(table):
            op.execute(statement)
    op.drop_table("plan_item")
    op.drop_table("meeting_attendance")
    op.drop_table("matching_proposal")
    op.drop_table("matching_exclusion")
    op.drop_index("ix_mentorship_member_school_id_participant_id", table_name="mentorship_member")
    op.drop_table("mentorship_member")
    op.drop_index(op.f("ix_mentorship_direction_reference_item_id"), table_name="mentorship_direction")
    op.drop_table("mentorship_direction")
    op.drop_index("ix_meeting_school_id_mentorship_id_held_on", table_name="meeting")
    op.drop_index("ix_meeting_school_id_academic_year", table_name="meeting")
    op.drop_table("meeting")
    op.drop_table("matching_preference")
    op.drop_table("incompatibility_mark")
    op.drop_table("development_plan")
    op.drop_index("ix_mentorship_school_id_academic_year", table_name="mentorship")
    op.drop_table("mentorship")
    op.drop_table("matching_settings")
    op.drop_index("ix_matching_round_school_id_academic_year", table_name="matching_round")
    op.drop_table("matching_round")
    for name in ENUMS:
        op.execute(f"DROP TYPE IF EXISTS {name}")
