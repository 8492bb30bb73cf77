"""Programme per academic year, roadmap templates (two shipped), roadmap rows, attachments,
change history, contingent, document registrations and the school's regulation text.

Seeds the shipped templates from `nastavnik.school.programme.seed_templates`, with
deadlines stored as positions (month, day) within the academic year.

Revision ID: 20261121_03
Revises: 20261121_02
Create Date: 2026-11-21 12:50:28.278163
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.db import new_id, rls_disable_sql, rls_enable_sql
from nastavnik.school.programme.deadlines import parse
from nastavnik.school.programme.seed_templates import SHIPPED_TEMPLATES

revision: str = "20261121_03"
down_revision: str | None = "20261121_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHOOL_OWNED_TABLES = (
    "contingent",
    "school_regulation",
    "programme",
    "programme_stage",
    "document_registration",
    "roadmap_item",
    "roadmap_responsible",
    "roadmap_attachment",
    "roadmap_change",
)
ENUMS = ("programme_model", "roadmap_item_status", "roadmap_change_action", "document_kind")


def upgrade() -> None:
    op.create_table(
        "contingent",
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("pupils", sa.Integer(), nullable=False),
        sa.Column("pupils_10_19", sa.Integer(), nullable=False),
        sa.Column("teachers", sa.Integer(), nullable=False),
        sa.Column("young_teachers", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "pupils >= 0 AND pupils_10_19 >= 0 AND teachers >= 0 AND young_teachers >= 0",
            name=op.f("ck_contingent_non_negative"),
        ),
        sa.CheckConstraint(
            "pupils_10_19 <= pupils AND young_teachers <= teachers", name=op.f("ck_contingent_parts_of_whole")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_contingent")),
        sa.UniqueConstraint("school_id", "academic_year", name=op.f("uq_contingent_school_id_academic_year")),
        info={"school_owned": True},
    )
    template_table = op.create_table(
        "roadmap_template",
        sa.Column("region_id", sa.Uuid(), nullable=True),
        sa.Column("based_on_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("model", sa.Enum("pupils", "teachers", name="programme_model"), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["roadmap_template.id"],
            name=op.f("fk_roadmap_template_based_on_id_roadmap_template"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_roadmap_template_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_template")),
    )
    op.create_index(op.f("ix_roadmap_template_region_id"), "roadmap_template", ["region_id"], unique=False)
    stage_table = op.create_table(
        "roadmap_template_stage",
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["roadmap_template.id"],
            name=op.f("fk_roadmap_template_stage_template_id_roadmap_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_template_stage")),
    )
    op.create_index(
        op.f("ix_roadmap_template_stage_template_id"), "roadmap_template_stage", ["template_id"], unique=False
    )
    item_table = op.create_table(
        "roadmap_template_item",
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("deadline_text", sa.String(length=120), nullable=False),
        sa.Column("starts_month", sa.Integer(), nullable=True),
        sa.Column("starts_day", sa.Integer(), nullable=True),
        sa.Column("due_month", sa.Integer(), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=False),
        sa.Column("responsible_role", postgresql.ENUM(name="staff_role", create_type=False), nullable=True),
        sa.Column("responsible_note", sa.String(length=300), nullable=False),
        sa.Column("expected_result", sa.String(length=500), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(starts_month IS NULL AND starts_day IS NULL) OR (starts_month BETWEEN 1 AND 12 AND starts_day BETWEEN 1 AND 31)",
            name=op.f("ck_roadmap_template_item_starts_position"),
        ),
        sa.CheckConstraint(
            "due_month BETWEEN 1 AND 12 AND due_day BETWEEN 1 AND 31",
            name=op.f("ck_roadmap_template_item_due_position"),
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["roadmap_template_stage.id"],
            name=op.f("fk_roadmap_template_item_stage_id_roadmap_template_stage"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_template_item")),
    )
    op.create_index(
        op.f("ix_roadmap_template_item_stage_id"), "roadmap_template_item", ["stage_id"], unique=False
    )
    op.create_table(
        "school_regulation",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_school_regulation_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["app_user.id"], name=op.f("fk_school_regulation_updated_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_school_regulation")),
        sa.UniqueConstraint("school_id", name=op.f("uq_school_regulation_school_id")),
        info={"school_owned": True},
    )
    op.create_table(
        "programme",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("model", postgresql.ENUM(name="programme_model", create_type=False), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("forms", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("curator_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_by_name", sa.String(length=300), nullable=False),
        sa.Column("approved_by_position", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["app_user.id"], name=op.f("fk_programme_approved_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "curator_id"],
            ["staff_member.school_id", "staff_member.id"],
            name=op.f("fk_programme_school_id_curator_id_staff_member"),
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_programme_school_id_school")),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["roadmap_template.id"],
            name=op.f("fk_programme_template_id_roadmap_template"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_programme")),
        sa.UniqueConstraint("school_id", "academic_year", name=op.f("uq_programme_school_id_academic_year")),
        info={"school_owned": True},
    )
    op.create_table(
        "document_registration",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind", sa.Enum("order", "regulation", "roadmap", "report", name="document_kind"), nullable=False
        ),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("registered_by_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["app_user.id"],
            name=op.f("fk_document_registration_registered_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "programme_id"],
            ["programme.school_id", "programme.id"],
            name=op.f("fk_document_registration_school_id_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_document_registration")),
        sa.UniqueConstraint(
            "school_id",
            "programme_id",
            "kind",
            name=op.f("uq_document_registration_school_id_programme_id_kind"),
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "programme_stage",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "programme_id"],
            ["programme.school_id", "programme.id"],
            name=op.f("fk_programme_stage_school_id_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_programme_stage")),
        info={"school_owned": True},
    )
    op.create_table(
        "roadmap_change",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("item_label", sa.Text(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "approved",
                "item_added",
                "item_changed",
                "item_removed",
                "item_moved",
                "attachment_added",
                "attachment_removed",
                name="roadmap_change_action",
            ),
            nullable=False,
        ),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_roadmap_change_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "programme_id"],
            ["programme.school_id", "programme.id"],
            name=op.f("fk_roadmap_change_school_id_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_roadmap_change")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_roadmap_change_school_id_programme_id",
        "roadmap_change",
        ["school_id", "programme_id"],
        unique=False,
    )
    op.create_table(
        "roadmap_item",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("deadline_text", sa.String(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("responsible_note", sa.String(length=300), nullable=False),
        sa.Column("expected_result", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum("planned", "in_progress", "done", "not_done", "postponed", name="roadmap_item_status"),
            nullable=False,
        ),
        sa.Column("result_text", sa.Text(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "programme_id"],
            ["programme.school_id", "programme.id"],
            name=op.f("fk_roadmap_item_school_id_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "stage_id"],
            ["programme_stage.school_id", "programme_stage.id"],
            name=op.f("fk_roadmap_item_school_id_stage_id_programme_stage"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_roadmap_item")),
        info={"school_owned": True},
    )
    op.create_index("ix_roadmap_item_school_id_due_on", "roadmap_item", ["school_id", "due_on"], unique=False)
    op.create_index(
        "ix_roadmap_item_school_id_programme_id", "roadmap_item", ["school_id", "programme_id"], unique=False
    )
    op.create_table(
        "roadmap_attachment",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "item_id"],
            ["roadmap_item.school_id", "roadmap_item.id"],
            name=op.f("fk_roadmap_attachment_school_id_item_id_roadmap_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["app_user.id"], name=op.f("fk_roadmap_attachment_uploaded_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_roadmap_attachment")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_roadmap_attachment_school_id_item_id",
        "roadmap_attachment",
        ["school_id", "item_id"],
        unique=False,
    )
    op.create_table(
        "roadmap_responsible",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "item_id"],
            ["roadmap_item.school_id", "roadmap_item.id"],
            name=op.f("fk_roadmap_responsible_school_id_item_id_roadmap_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "staff_member_id"],
            ["staff_member.school_id", "staff_member.id"],
            name=op.f("fk_roadmap_responsible_school_id_staff_member_id_staff_member"),
        ),
        sa.PrimaryKeyConstraint(
            "school_id", "item_id", "staff_member_id", name=op.f("pk_roadmap_responsible")
        ),
        info={"school_owned": True},
    )
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_enable_sql(table):
            op.execute(statement)
    _seed_templates(template_table, stage_table, item_table)


def _seed_templates(template_table: sa.Table, stage_table: sa.Table, item_table: sa.Table) -> None:
    templates, stages, items = [], [], []
    for order, seed in enumerate(SHIPPED_TEMPLATES, start=1):
        template_id = new_id()
        templates.append(
            {
                "id": template_id,
                "region_id": None,
                "based_on_id": None,
                "title": seed.title,
                "model": seed.model.value,
                "description": seed.description,
                "goals": seed.goals,
                "active": True,
                "sort_order": order * 10,
            }
        )
        for stage_position, (title, seed_items) in enumerate(seed.stages, start=1):
            stage_id = new_id()
            stages.append(
                {"id": stage_id, "template_id": template_id, "position": stage_position, "title": title}
            )
            for item_position, item in enumerate(seed_items, start=1):
                deadline = parse(item.deadline).deadline
                items.append(
                    {
                        "id": new_id(),
                        "stage_id": stage_id,
                        "position": item_position,
                        "event": item.event,
                        "deadline_text": item.deadline,
                        "starts_month": deadline.starts.month if deadline.starts else None,
                        "starts_day": deadline.starts.day if deadline.starts else None,
                        "due_month": deadline.due.month,
                        "due_day": deadline.due.day,
                        "responsible_role": item.role.value if item.role else None,
                        "responsible_note": item.note,
                        "expected_result": item.result,
                    }
                )
    op.bulk_insert(template_table, templates)
    op.bulk_insert(stage_table, stages)
    op.bulk_insert(item_table, items)


def downgrade() -> None:
    for table in SCHOOL_OWNED_TABLES:
        for statement in rls_disable_sql(table):
            op.execute(statement)
    op.drop_table("roadmap_responsible")
    op.drop_index("ix_roadmap_attachment_school_id_item_id", table_name="roadmap_attachment")
    op.drop_table("roadmap_attachment")
    op.drop_index("ix_roadmap_item_school_id_programme_id", table_name="roadmap_item")
    op.drop_index("ix_roadmap_item_school_id_due_on", table_name="roadmap_item")
    op.drop_table("roadmap_item")
    op.drop_index("ix_roadmap_change_school_id_programme_id", table_name="roadmap_change")
    op.drop_table("roadmap_change")
    op.drop_table("programme_stage")
    op.drop_table("document_registration")
    op.drop_table("programme")
    op.drop_table("school_regulation")
    op.drop_index(op.f("ix_roadmap_template_item_stage_id"), table_name="roadmap_template_item")
    op.drop_table("roadmap_template_item")
    op.drop_index(op.f("ix_roadmap_template_stage_template_id"), table_name="roadmap_template_stage")
    op.drop_table("roadmap_template_stage")
    op.drop_index(op.f("ix_roadmap_template_region_id"), table_name="roadmap_template")
    op.drop_table("roadmap_template")
    op.drop_table("contingent")
    for enum in ENUMS:
        op.execute(f"DROP TYPE IF EXISTS {enum}")
