"""Completing the year (issue 15): pairs' results, cases, contests, incentives, a closed
year's frozen figures and documents, mentors' publication choices, and the public page.

Every school-owned table goes behind FORCEd row-level security. The public page's snapshot
(`public_page`, `public_page_document`) is not school-owned: anonymous visitors read a
published row with no school scope at all, so its policies let anyone SELECT what is
published and only the school itself (app.school_id) see its drafts or write.

Revision ID: 20261201_15_01
Revises: 20261201_16_02
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.db import rls_disable_sql, rls_enable_sql

revision: str = "20261201_15_01"
down_revision: str | None = "20261201_16_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHOOL_OWNED_TABLES = (
    "pair_result",
    "school_cases",
    "school_case_photo",
    "school_contest",
    "contest_nomination",
    "contest_nominee",
    "contest_vote",
    "incentive",
    "mentor_publication",
    "year_record",
    "year_document",
)
ENUMS = (
    "pair_outcome",
    "pair_goals_met",
    "contest_kind",
    "contest_decision_mode",
    "incentive_kind",
    "incentive_recipient",
)
_SCHOOL = "app_current_school()"
PUBLIC_POLICIES: dict[str, list[str]] = {
    "public_page": [
        f"CREATE POLICY page_read ON public_page FOR SELECT USING (published OR school_id = {_SCHOOL})",
        f"CREATE POLICY page_insert ON public_page FOR INSERT WITH CHECK (school_id = {_SCHOOL})",
        (
            f"CREATE POLICY page_update ON public_page FOR UPDATE USING (school_id = {_SCHOOL}) "
            f"WITH CHECK (school_id = {_SCHOOL})"
        ),
        f"CREATE POLICY page_delete ON public_page FOR DELETE USING (school_id = {_SCHOOL})",
    ],
    "public_page_document": [
        (
            "CREATE POLICY file_read ON public_page_document FOR SELECT USING ("
            f"school_id = {_SCHOOL} OR EXISTS (SELECT 1 FROM public_page p "
            "WHERE p.id = public_page_document.page_id AND p.published))"
        ),
        (
            "CREATE POLICY file_insert ON public_page_document FOR INSERT WITH CHECK ("
            f"school_id = {_SCHOOL} AND EXISTS (SELECT 1 FROM public_page p "
            "WHERE p.id = public_page_document.page_id AND p.school_id = public_page_document.school_id))"
        ),
        f"CREATE POLICY file_delete ON public_page_document FOR DELETE USING (school_id = {_SCHOOL})",
    ],
}


def upgrade() -> None:
    op.create_table(
        "public_page",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("school_code", sa.String(length=40), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_public_page_school_id_school"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_page")),
        sa.UniqueConstraint("school_code", name=op.f("uq_public_page_school_code")),
        sa.UniqueConstraint("school_id", name=op.f("uq_public_page_school_id")),
    )
    op.create_table(
        "school_contest",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("mentor_of_year", "best_pair", name="contest_kind"), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("decision_mode", sa.Enum("jury", "curator", name="contest_decision_mode"), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_school_contest_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_school_contest")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_school_contest_school_id_academic_year",
        "school_contest",
        ["school_id", "academic_year"],
        unique=False,
    )
    op.create_table(
        "year_document",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_year_document_school_id_school")),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_year_document")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_year_document_school_id_academic_year",
        "year_document",
        ["school_id", "academic_year"],
        unique=False,
    )
    op.create_table(
        "year_record",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("closed_by_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["app_user.id"], name=op.f("fk_year_record_closed_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_year_record_school_id_school")),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_year_record")),
        sa.UniqueConstraint(
            "school_id", "academic_year", name=op.f("uq_year_record_school_id_academic_year")
        ),
        info={"school_owned": True},
    )
    op.create_index(op.f("ix_year_record_closed_by_id"), "year_record", ["closed_by_id"], unique=False)
    op.create_table(
        "contest_nomination",
        sa.Column("contest_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "contest_id"],
            ["school_contest.school_id", "school_contest.id"],
            name=op.f("fk_contest_nomination_school_id_contest_id_school_contest"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_contest_nomination")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_contest_nomination_school_id_contest_id",
        "contest_nomination",
        ["school_id", "contest_id"],
        unique=False,
    )
    op.create_table(
        "public_page_document",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("page_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["public_page.id"],
            name=op.f("fk_public_page_document_page_id_public_page"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_public_page_document_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_page_document")),
    )
    op.create_index(
        op.f("ix_public_page_document_page_id"), "public_page_document", ["page_id"], unique=False
    )
    op.create_index(
        op.f("ix_public_page_document_school_id"), "public_page_document", ["school_id"], unique=False
    )
    op.create_table(
        "contest_nominee",
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("mentorship_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.String(length=400), nullable=False),
        sa.Column("winner", sa.Boolean(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "mentorship_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_contest_nominee_school_id_mentorship_id_mentorship"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "nomination_id"],
            ["contest_nomination.school_id", "contest_nomination.id"],
            name=op.f("fk_contest_nominee_school_id_nomination_id_contest_nomination"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_contest_nominee_school_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_contest_nominee")),
        sa.UniqueConstraint(
            "school_id",
            "nomination_id",
            "participant_id",
            "mentorship_id",
            name=op.f("uq_contest_nominee_school_id_nomination_id_participant_id_mentorship_id"),
        ),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_contest_nominee_school_id_mentorship_id",
        "contest_nominee",
        ["school_id", "mentorship_id"],
        unique=False,
    )
    op.create_index(
        "ix_contest_nominee_school_id_participant_id",
        "contest_nominee",
        ["school_id", "participant_id"],
        unique=False,
    )
    op.create_table(
        "mentor_publication",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("show_position", sa.Boolean(), nullable=False),
        sa.Column("show_subjects", sa.Boolean(), nullable=False),
        sa.Column("show_experience", sa.Boolean(), nullable=False),
        sa.Column("show_results", sa.Boolean(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_mentor_publication_school_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_mentor_publication")),
        sa.UniqueConstraint(
            "school_id", "participant_id", name=op.f("uq_mentor_publication_school_id_participant_id")
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "school_cases",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("form_title", sa.String(length=300), nullable=False),
        sa.Column("direction_titles", postgresql.ARRAY(sa.String(length=300)), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("quote_author_id", sa.Uuid(), nullable=True),
        sa.Column("best_practice", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_school_cases_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentorship_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_school_cases_school_id_mentorship_id_mentorship"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "quote_author_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_school_cases_school_id_quote_author_id_participant"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_school_cases")),
        info={"school_owned": True},
    )
    op.create_index(op.f("ix_school_cases_created_by_id"), "school_cases", ["created_by_id"], unique=False)
    op.create_index(
        "ix_school_cases_school_id_academic_year",
        "school_cases",
        ["school_id", "academic_year"],
        unique=False,
    )
    op.create_index(
        "ix_school_cases_school_id_mentorship_id",
        "school_cases",
        ["school_id", "mentorship_id"],
        unique=False,
    )
    op.create_index(
        "ix_school_cases_school_id_quote_author_id",
        "school_cases",
        ["school_id", "quote_author_id"],
        unique=False,
    )
    op.create_table(
        "contest_vote",
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("nominee_id", sa.Uuid(), nullable=False),
        sa.Column("voter_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "nomination_id"],
            ["contest_nomination.school_id", "contest_nomination.id"],
            name=op.f("fk_contest_vote_school_id_nomination_id_contest_nomination"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "nominee_id"],
            ["contest_nominee.school_id", "contest_nominee.id"],
            name=op.f("fk_contest_vote_school_id_nominee_id_contest_nominee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["app_user.id"], name=op.f("fk_contest_vote_voter_id_app_user")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_contest_vote")),
        sa.UniqueConstraint(
            "school_id",
            "nomination_id",
            "voter_id",
            name=op.f("uq_contest_vote_school_id_nomination_id_voter_id"),
        ),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_contest_vote_school_id_nominee_id", "contest_vote", ["school_id", "nominee_id"], unique=False
    )
    op.create_index(op.f("ix_contest_vote_voter_id"), "contest_vote", ["voter_id"], unique=False)
    op.create_table(
        "incentive",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "certificate", "gratitude", "regional_nomination", "attestation_record", name="incentive_kind"
            ),
            nullable=False,
        ),
        sa.Column(
            "recipient",
            sa.Enum("participant", "parent", "partner", name="incentive_recipient"),
            nullable=False,
        ),
        sa.Column("participant_id", sa.Uuid(), nullable=True),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column("nominee_id", sa.Uuid(), nullable=True),
        sa.Column("parent_name", sa.String(length=300), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "nominee_id"],
            ["contest_nominee.school_id", "contest_nominee.id"],
            name=op.f("fk_incentive_school_id_nominee_id_contest_nominee"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_incentive_school_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "partner_id"],
            ["partner_organization.school_id", "partner_organization.id"],
            name=op.f("fk_incentive_school_id_partner_id_partner_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_incentive")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_incentive_school_id_academic_year", "incentive", ["school_id", "academic_year"], unique=False
    )
    op.create_index(
        "ix_incentive_school_id_nominee_id", "incentive", ["school_id", "nominee_id"], unique=False
    )
    op.create_index(
        "ix_incentive_school_id_participant_id", "incentive", ["school_id", "participant_id"], unique=False
    )
    op.create_index(
        "ix_incentive_school_id_partner_id", "incentive", ["school_id", "partner_id"], unique=False
    )
    op.create_table(
        "pair_result",
        sa.Column("mentorship_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("final_meeting_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.Enum("completed", "terminated", name="pair_outcome"), nullable=False),
        sa.Column("goals_met", sa.Enum("met", "partly", "not_met", name="pair_goals_met"), nullable=False),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("plan_items_done", sa.Integer(), nullable=False),
        sa.Column("plan_items_total", sa.Integer(), nullable=False),
        sa.Column("mentee_successful", sa.Boolean(), nullable=False),
        sa.Column("continues", sa.Boolean(), nullable=False),
        sa.Column("continued_as_id", sa.Uuid(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["app_user.id"], name=op.f("fk_pair_result_recorded_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "continued_as_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_pair_result_school_id_continued_as_id_mentorship"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "final_meeting_id"],
            ["meeting.school_id", "meeting.id"],
            name=op.f("fk_pair_result_school_id_final_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "mentorship_id"],
            ["mentorship.school_id", "mentorship.id"],
            name=op.f("fk_pair_result_school_id_mentorship_id_mentorship"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_pair_result")),
        sa.UniqueConstraint(
            "school_id", "mentorship_id", name=op.f("uq_pair_result_school_id_mentorship_id")
        ),
        info={"school_owned": True},
    )
    op.create_index(op.f("ix_pair_result_recorded_by_id"), "pair_result", ["recorded_by_id"], unique=False)
    op.create_index(
        "ix_pair_result_school_id_academic_year", "pair_result", ["school_id", "academic_year"], unique=False
    )
    op.create_index(
        "ix_pair_result_school_id_continued_as_id",
        "pair_result",
        ["school_id", "continued_as_id"],
        unique=False,
    )
    op.create_index(
        "ix_pair_result_school_id_final_meeting_id",
        "pair_result",
        ["school_id", "final_meeting_id"],
        unique=False,
    )
    op.create_table(
        "school_case_photo",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("caption", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("consent_confirmed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "case_id"],
            ["school_cases.school_id", "school_cases.id"],
            name=op.f("fk_school_case_photo_school_id_case_id_school_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "person_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_school_case_photo_school_id_person_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_school_case_photo")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_school_case_photo_school_id_case_id", "school_case_photo", ["school_id", "case_id"], unique=False
    )
    op.create_index(
        "ix_school_case_photo_school_id_person_id",
        "school_case_photo",
        ["school_id", "person_id"],
        unique=False,
    )
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_enable_sql(table):
            op.execute(statement)
    for table, statements in PUBLIC_POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for statement in statements:
            op.execute(statement)


def downgrade() -> None:
    for table, statements in PUBLIC_POLICIES.items():
        for statement in statements:
            name = statement.split()[2]
            op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_disable_sql(table):
            op.execute(statement)
    op.drop_index("ix_school_case_photo_school_id_person_id", table_name="school_case_photo")
    op.drop_index("ix_school_case_photo_school_id_case_id", table_name="school_case_photo")
    op.drop_table("school_case_photo")
    op.drop_index("ix_pair_result_school_id_final_meeting_id", table_name="pair_result")
    op.drop_index("ix_pair_result_school_id_continued_as_id", table_name="pair_result")
    op.drop_index("ix_pair_result_school_id_academic_year", table_name="pair_result")
    op.drop_index(op.f("ix_pair_result_recorded_by_id"), table_name="pair_result")
    op.drop_table("pair_result")
    op.drop_index("ix_incentive_school_id_partner_id", table_name="incentive")
    op.drop_index("ix_incentive_school_id_participant_id", table_name="incentive")
    op.drop_index("ix_incentive_school_id_nominee_id", table_name="incentive")
    op.drop_index("ix_incentive_school_id_academic_year", table_name="incentive")
    op.drop_table("incentive")
    op.drop_index(op.f("ix_contest_vote_voter_id"), table_name="contest_vote")
    op.drop_index("ix_contest_vote_school_id_nominee_id", table_name="contest_vote")
    op.drop_table("contest_vote")
    op.drop_index("ix_school_cases_school_id_quote_author_id", table_name="school_cases")
    op.drop_index("ix_school_cases_school_id_mentorship_id", table_name="school_cases")
    op.drop_index("ix_school_cases_school_id_academic_year", table_name="school_cases")
    op.drop_index(op.f("ix_school_cases_created_by_id"), table_name="school_cases")
    op.drop_table("school_cases")
    op.drop_table("mentor_publication")
    op.drop_index("ix_contest_nominee_school_id_participant_id", table_name="contest_nominee")
    op.drop_index("ix_contest_nominee_school_id_mentorship_id", table_name="contest_nominee")
    op.drop_table("contest_nominee")
    op.drop_index(op.f("ix_public_page_document_school_id"), table_name="public_page_document")
    op.drop_index(op.f("ix_public_page_document_page_id"), table_name="public_page_document")
    op.drop_table("public_page_document")
    op.drop_index("ix_contest_nomination_school_id_contest_id", table_name="contest_nomination")
    op.drop_table("contest_nomination")
    op.drop_index(op.f("ix_year_record_closed_by_id"), table_name="year_record")
    op.drop_table("year_record")
    op.drop_index("ix_year_document_school_id_academic_year", table_name="year_document")
    op.drop_table("year_document")
    op.drop_index("ix_school_contest_school_id_academic_year", table_name="school_contest")
    op.drop_table("school_contest")
    op.drop_table("public_page")
    for name in ENUMS:
        op.execute(f"DROP TYPE IF EXISTS {name}")
