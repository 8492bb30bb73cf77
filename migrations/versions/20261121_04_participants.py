"""Participants: people, mentee and mentor banks, partner organisations, consents,
imports of pupils and staff, and the background job queue.

Creates the pg_trgm extension (trusted since PostgreSQL 13, so the database owner may
create it) for typo-tolerant name search, and puts every school-owned table behind
row-level security.

Revision ID: 20261121_04
Revises: 20261121_03
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.db import rls_disable_sql, rls_enable_sql

revision: str = "20261121_04"
down_revision: str | None = "20261121_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHOOL_OWNED_TABLES = (
    "partner_organization",
    "participant",
    "mentee_profile",
    "mentee_direction",
    "mentee_request_area",
    "mentor_profile",
    "mentor_direction",
    "mentor_competency",
    "mentor_training",
    "consent",
    "consent_scan",
    "participant_import",
)
ENUMS = (
    "job_status",
    "import_target",
    "import_bank",
    "import_status",
    "partner_kind",
    "participant_kind",
    "teacher_category",
    "consent_signer",
    "consent_scope",
    "mentee_category",
    "request_source",
    "mentee_status",
    "interview_result",
    "mentor_status",
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "background_job",
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "status", sa.Enum("queued", "running", "done", "failed", name="job_status"), nullable=False
        ),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_job")),
    )
    op.create_index(op.f("ix_background_job_status"), "background_job", ["status"], unique=False)
    op.create_table(
        "participant_import",
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("target", sa.Enum("pupils", "staff", name="import_target"), nullable=False),
        sa.Column("bank", sa.Enum("none", "mentees", "mentors", name="import_bank"), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "uploaded", "validating", "validated", "applying", "applied", "failed", name="import_status"
            ),
            nullable=False,
        ),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("corrections", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("errors", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_participant_import_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_participant_import_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_participant_import")),
        info={"school_owned": True},
    )
    op.create_table(
        "partner_organization",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column(
            "kind", sa.Enum("employer", "university", "college", "other", name="partner_kind"), nullable=False
        ),
        sa.Column("inn", sa.String(length=12), nullable=True),
        sa.Column("agreement_number", sa.String(length=60), nullable=False),
        sa.Column("agreement_date", sa.Date(), nullable=True),
        sa.Column("agreement_valid_until", sa.Date(), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_partner_organization_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_partner_organization")),
        info={"school_owned": True},
    )
    op.create_table(
        "participant",
        sa.Column(
            "kind",
            sa.Enum(
                "pupil",
                "teacher",
                "graduate",
                "employer_staff",
                "university_student",
                name="participant_kind",
            ),
            nullable=False,
        ),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("middle_name", sa.String(length=120), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("class_letter", sa.String(length=8), nullable=False),
        sa.Column("subjects", postgresql.ARRAY(sa.String(length=120)), nullable=False),
        sa.Column("experience_years", sa.Integer(), nullable=True),
        sa.Column(
            "teacher_category",
            sa.Enum(
                "young_specialist",
                "none",
                "compliance",
                "first",
                "highest",
                "methodist",
                "mentor",
                name="teacher_category",
            ),
            nullable=True,
        ),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("graduation_year", sa.Integer(), nullable=True),
        sa.Column("partner_organization_id", sa.Uuid(), nullable=True),
        sa.Column("staff_member_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("import_key", sa.String(length=300), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "search_name",
            sa.Text(),
            sa.Computed(
                "translate(lower(last_name || ' ' || first_name || ' ' || middle_name), 'ё', 'е')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "partner_organization_id"],
            ["partner_organization.school_id", "partner_organization.id"],
            name=op.f("fk_participant_school_id_partner_organization_id_partner_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "staff_member_id"],
            ["staff_member.school_id", "staff_member.id"],
            name=op.f("fk_participant_school_id_staff_member_id_staff_member"),
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_participant_school_id_school")),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_participant")),
        sa.UniqueConstraint("school_id", "import_key", name=op.f("uq_participant_school_id_import_key")),
        info={"school_owned": True},
    )
    op.create_index("ix_participant_school_id_kind", "participant", ["school_id", "kind"], unique=False)
    op.create_index(
        "ix_participant_search_name_trgm",
        "participant",
        ["search_name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_name": "gin_trgm_ops"},
    )
    op.create_table(
        "consent",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column(
            "signer", sa.Enum("self", "parent", "legal_representative", name="consent_signer"), nullable=False
        ),
        sa.Column("signer_name", sa.String(length=300), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column(
            "scopes",
            postgresql.ARRAY(sa.Enum("programme", "regional_bank", "publication", name="consent_scope")),
            nullable=False,
        ),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawal_note", sa.Text(), nullable=False),
        sa.Column("scan_filename", sa.String(length=255), nullable=False),
        sa.Column("scan_content_type", sa.String(length=100), nullable=False),
        sa.Column("scan_size", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["app_user.id"], name=op.f("fk_consent_recorded_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_consent_school_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_consent")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_consent_school_id_participant_id", "consent", ["school_id", "participant_id"], unique=False
    )
    op.create_table(
        "mentee_profile",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "pupil",
                "young_teacher",
                "new_teacher",
                "new_technology",
                "no_pedagogical_education",
                "after_attestation",
                "other",
                name="mentee_category",
            ),
            nullable=False,
        ),
        sa.Column("request_text", sa.Text(), nullable=False),
        sa.Column(
            "request_sources",
            postgresql.ARRAY(
                sa.Enum(
                    "questionnaire",
                    "class_teacher",
                    "psychologist",
                    "social_worker",
                    "parent",
                    "personal_file",
                    "methodological_analysis",
                    "attestation",
                    "lesson_visits",
                    "professional_standard",
                    name="request_source",
                )
            ),
            nullable=False,
        ),
        sa.Column(
            "status", sa.Enum("active", "completed", "withdrawn", name="mentee_status"), nullable=False
        ),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_mentee_profile_school_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_mentee_profile")),
        sa.UniqueConstraint(
            "school_id",
            "participant_id",
            "academic_year",
            name=op.f("uq_mentee_profile_school_id_participant_id_academic_year"),
        ),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_mentee_profile_school_id_academic_year",
        "mentee_profile",
        ["school_id", "academic_year"],
        unique=False,
    )
    op.create_table(
        "mentor_profile",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("subjects", postgresql.ARRAY(sa.String(length=120)), nullable=False),
        sa.Column("competencies_text", sa.Text(), nullable=False),
        sa.Column("confirmed_results", sa.Text(), nullable=False),
        sa.Column(
            "interview_result",
            sa.Enum("not_done", "recommended", "not_recommended", name="interview_result"),
            nullable=False,
        ),
        sa.Column("interview_date", sa.Date(), nullable=True),
        sa.Column("interview_note", sa.Text(), nullable=False),
        sa.Column("interviewed_by_id", sa.Uuid(), nullable=True),
        sa.Column("cross_school_search", sa.Boolean(), nullable=False),
        sa.Column(
            "status", sa.Enum("candidate", "selected", "withdrawn", name="mentor_status"), nullable=False
        ),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "interviewed_by_id"],
            ["staff_member.school_id", "staff_member.id"],
            name=op.f("fk_mentor_profile_school_id_interviewed_by_id_staff_member"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_mentor_profile_school_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_mentor_profile")),
        sa.UniqueConstraint(
            "school_id",
            "participant_id",
            "academic_year",
            name=op.f("uq_mentor_profile_school_id_participant_id_academic_year"),
        ),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_mentor_profile_school_id_academic_year",
        "mentor_profile",
        ["school_id", "academic_year"],
        unique=False,
    )
    op.create_table(
        "consent_scan",
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "consent_id"],
            ["consent.school_id", "consent.id"],
            name=op.f("fk_consent_scan_school_id_consent_id_consent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_consent_scan")),
        sa.UniqueConstraint("school_id", "consent_id", name=op.f("uq_consent_scan_school_id_consent_id")),
        info={"school_owned": True},
    )
    op.create_table(
        "mentee_direction",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("mentee_profile_id", sa.Uuid(), nullable=False),
        sa.Column("reference_item_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reference_item_id"],
            ["reference_item.id"],
            name=op.f("fk_mentee_direction_reference_item_id_reference_item"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentee_profile_id"],
            ["mentee_profile.school_id", "mentee_profile.id"],
            name=op.f("fk_mentee_direction_school_id_mentee_profile_id_mentee_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "school_id", "mentee_profile_id", "reference_item_id", name=op.f("pk_mentee_direction")
        ),
        info={"school_owned": True},
    )
    op.create_index(
        op.f("ix_mentee_direction_reference_item_id"), "mentee_direction", ["reference_item_id"], unique=False
    )
    op.create_table(
        "mentee_request_area",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("mentee_profile_id", sa.Uuid(), nullable=False),
        sa.Column("reference_item_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reference_item_id"],
            ["reference_item.id"],
            name=op.f("fk_mentee_request_area_reference_item_id_reference_item"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentee_profile_id"],
            ["mentee_profile.school_id", "mentee_profile.id"],
            name=op.f("fk_mentee_request_area_school_id_mentee_profile_id_mentee_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "school_id", "mentee_profile_id", "reference_item_id", name=op.f("pk_mentee_request_area")
        ),
        info={"school_owned": True},
    )
    op.create_index(
        op.f("ix_mentee_request_area_reference_item_id"),
        "mentee_request_area",
        ["reference_item_id"],
        unique=False,
    )
    op.create_table(
        "mentor_competency",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("reference_item_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reference_item_id"],
            ["reference_item.id"],
            name=op.f("fk_mentor_competency_reference_item_id_reference_item"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            name=op.f("fk_mentor_competency_school_id_mentor_profile_id_mentor_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "school_id", "mentor_profile_id", "reference_item_id", name=op.f("pk_mentor_competency")
        ),
        info={"school_owned": True},
    )
    op.create_index(
        op.f("ix_mentor_competency_reference_item_id"),
        "mentor_competency",
        ["reference_item_id"],
        unique=False,
    )
    op.create_table(
        "mentor_direction",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("reference_item_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reference_item_id"],
            ["reference_item.id"],
            name=op.f("fk_mentor_direction_reference_item_id_reference_item"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            name=op.f("fk_mentor_direction_school_id_mentor_profile_id_mentor_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "school_id", "mentor_profile_id", "reference_item_id", name=op.f("pk_mentor_direction")
        ),
        info={"school_owned": True},
    )
    op.create_index(
        op.f("ix_mentor_direction_reference_item_id"), "mentor_direction", ["reference_item_id"], unique=False
    )
    op.create_table(
        "mentor_training",
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("course", sa.String(length=300), nullable=False),
        sa.Column("provider", sa.String(length=300), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            name=op.f("fk_mentor_training_school_id_mentor_profile_id_mentor_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_mentor_training")),
        info={"school_owned": True},
    )
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_enable_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_disable_sql(table):
            op.execute(statement)
    op.drop_table("mentor_training")
    op.drop_index(op.f("ix_mentor_direction_reference_item_id"), table_name="mentor_direction")
    op.drop_table("mentor_direction")
    op.drop_index(op.f("ix_mentor_competency_reference_item_id"), table_name="mentor_competency")
    op.drop_table("mentor_competency")
    op.drop_index(op.f("ix_mentee_request_area_reference_item_id"), table_name="mentee_request_area")
    op.drop_table("mentee_request_area")
    op.drop_index(op.f("ix_mentee_direction_reference_item_id"), table_name="mentee_direction")
    op.drop_table("mentee_direction")
    op.drop_table("consent_scan")
    op.drop_index("ix_mentor_profile_school_id_academic_year", table_name="mentor_profile")
    op.drop_table("mentor_profile")
    op.drop_index("ix_mentee_profile_school_id_academic_year", table_name="mentee_profile")
    op.drop_table("mentee_profile")
    op.drop_index("ix_consent_school_id_participant_id", table_name="consent")
    op.drop_table("consent")
    op.drop_index(
        "ix_participant_search_name_trgm",
        table_name="participant",
        postgresql_using="gin",
        postgresql_ops={"search_name": "gin_trgm_ops"},
    )
    op.drop_index("ix_participant_school_id_kind", table_name="participant")
    op.drop_table("participant")
    op.drop_table("partner_organization")
    op.drop_table("participant_import")
    op.drop_index(op.f("ix_background_job_status"), table_name="background_job")
    op.drop_table("background_job")
    for name in ENUMS:
        op.execute(f"DROP TYPE IF EXISTS {name}")
    # pg_trgm stays: other schemas or later migrations may rely on it.
