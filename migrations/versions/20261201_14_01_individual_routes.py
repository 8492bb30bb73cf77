"""Individual educational routes (ИОМ) of teachers, ЦНППМ tutors and the region's catalogues
(issue 14), with their policies.

A route and its records belong to the teacher's school (`school_isolation`). Two more
policies open them: the tutor assigned to the route (`app.tutor_id`, set by the region's
route pages for a tutor) reads and writes the route and its records; the region's
methodists (`app.routes_region_id`, set only for them) read, create and update the route's
header — to assign a tutor — and read what is inside, never writing it. A tutor also reads the inter-school
pair proposed on a route of theirs. The catalogues and the tutors' list are the region's
(`app.region_id`); `route_figure` is the regional projection of each route (codes only).

Revision ID: 20261201_14_01
Revises: 20261201_11_02
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.platform.db import rls_disable_sql, rls_enable_sql
from nastavnik.platform.migration_helpers import app_role

revision: str = "20261201_14_01"
down_revision: str | None = "20261201_11_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SELF_DIAGNOSIS_AREAS = (
    "theory",
    "regulatory",
    "subject",
    "psychology",
    "methods",
    "ict",
    "upbringing",
    "health",
)
ROUTE_CHILDREN = (
    "route_step",
    "route_diagnosis_survey",
    "route_area_score",
    "route_activity",
    "route_version",
    "route_mentor_proposal",
)
REGION_TABLES = ("region_tutor", "route_course", "route_resource")
_TUTOR = "app_current_tutor()"
_COORDINATOR = "app_routes_region()"
_REGION_SCOPE = (
    "region_id = app_current_region() "
    "AND (app_current_municipality() IS NULL OR municipality_id = app_current_municipality())"
)
# The route's school lies in the route's municipality and region (the header's own columns).
_TRUE_PLACE = (
    "EXISTS (SELECT 1 FROM school s JOIN municipality m ON m.id = s.municipality_id "
    "WHERE s.id = individual_route.school_id AND s.municipality_id = individual_route.municipality_id "
    "AND m.region_id = individual_route.region_id)"
)


def _tutor_of(table: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM individual_route r WHERE r.school_id = "
        f"{table}.school_id AND r.id = {table}.route_id AND r.tutor_id = {_TUTOR})"
    )


def _coordinator_of(table: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM individual_route r WHERE r.school_id = "
        f"{table}.school_id AND r.id = {table}.route_id AND r.region_id = {_COORDINATOR})"
    )


# The teachers of one school of the methodist's region, for assigning a tutor: the
# participant table is behind its school's policy, so the function (run as the owner) scopes
# the statement to that school for its own duration and restores the caller's scope. It
# refuses a school outside `app.routes_region_id`, which only methodists' requests set.
CANDIDATES_FUNCTION = """
CREATE FUNCTION route_teacher_candidates(p_school uuid, p_limit int)
RETURNS TABLE (participant_id uuid, full_name text, "position" text, subjects text[])
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    previous text := COALESCE(current_setting('app.school_id', true), '');
BEGIN
    IF app_routes_region() IS NULL OR NOT EXISTS (
        SELECT 1 FROM school s JOIN municipality m ON m.id = s.municipality_id
        WHERE s.id = p_school AND m.region_id = app_routes_region()
    ) THEN
        RETURN;
    END IF;
    PERFORM set_config('app.school_id', p_school::text, true);
    RETURN QUERY
        SELECT p.id, concat_ws(' ', p.last_name, p.first_name, NULLIF(p.middle_name, '')),
               p.position::text, p.subjects::text[]
        FROM participant p
        WHERE p.school_id = p_school AND p.kind = 'teacher' AND p.anonymised_at IS NULL
        ORDER BY p.last_name, p.first_name, p.id
        LIMIT p_limit;
    PERFORM set_config('app.school_id', previous, true);
END
$$
"""


def _enable_policies() -> None:
    for area in SELF_DIAGNOSIS_AREAS:
        op.execute(f"ALTER TYPE questionnaire_kind ADD VALUE IF NOT EXISTS 'self_diagnosis_{area}'")
    op.execute(
        "CREATE FUNCTION app_current_tutor() RETURNS uuid LANGUAGE sql STABLE AS "
        "$$ SELECT NULLIF(current_setting('app.tutor_id', true), '')::uuid $$"
    )
    op.execute(
        "CREATE FUNCTION app_routes_region() RETURNS uuid LANGUAGE sql STABLE AS "
        "$$ SELECT NULLIF(current_setting('app.routes_region_id', true), '')::uuid $$"
    )
    for statement in rls_enable_sql("individual_route"):
        op.execute(statement)
    op.execute(f"CREATE POLICY tutor_read ON individual_route FOR SELECT USING (tutor_id = {_TUTOR})")
    op.execute(
        f"CREATE POLICY tutor_update ON individual_route FOR UPDATE USING (tutor_id = {_TUTOR}) "
        f"WITH CHECK (tutor_id = {_TUTOR})"
    )
    op.execute(
        f"CREATE POLICY coordinator_read ON individual_route FOR SELECT USING (region_id = {_COORDINATOR})"
    )
    op.execute(
        "CREATE POLICY coordinator_insert ON individual_route FOR INSERT "
        f"WITH CHECK (region_id = {_COORDINATOR} AND {_TRUE_PLACE})"
    )
    op.execute(
        f"CREATE POLICY coordinator_update ON individual_route FOR UPDATE USING (region_id = {_COORDINATOR}) "
        f"WITH CHECK (region_id = {_COORDINATOR} AND {_TRUE_PLACE})"
    )
    for table in ROUTE_CHILDREN:
        for statement in rls_enable_sql(table):
            op.execute(statement)
        op.execute(
            f"CREATE POLICY tutor_access ON {table} USING ({_tutor_of(table)}) WITH CHECK ({_tutor_of(table)})"
        )
        op.execute(f"CREATE POLICY coordinator_read ON {table} FOR SELECT USING ({_coordinator_of(table)})")
    op.execute("ALTER TABLE route_figure ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE route_figure FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY regional_read ON route_figure FOR SELECT USING ({_REGION_SCOPE})")
    op.execute(
        "CREATE POLICY school_write ON route_figure "
        "USING (school_id = app_current_school()) WITH CHECK (school_id = app_current_school())"
    )
    # Writes only: the tutor and the methodist read the projection through `regional_read`
    # (their pages scope the region), and a policy with a subquery that also applied to
    # SELECT would be evaluated on every row the regional pages count.
    op.execute(
        f"CREATE POLICY tutor_insert ON route_figure FOR INSERT WITH CHECK ({_tutor_of('route_figure')})"
    )
    op.execute(
        f"CREATE POLICY tutor_update ON route_figure FOR UPDATE USING ({_tutor_of('route_figure')}) "
        f"WITH CHECK ({_tutor_of('route_figure')})"
    )
    op.execute(
        f"CREATE POLICY coordinator_insert ON route_figure FOR INSERT WITH CHECK (region_id = {_COORDINATOR})"
    )
    op.execute(
        f"CREATE POLICY coordinator_update ON route_figure FOR UPDATE USING (region_id = {_COORDINATOR}) "
        f"WITH CHECK (region_id = {_COORDINATOR})"
    )
    for table in REGION_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY region_scope ON {table} "
            "USING (region_id = app_current_region()) WITH CHECK (region_id = app_current_region())"
        )
    # Additive: the pair's own policies (20261201_13_01) stay as they are.
    op.execute(
        "CREATE POLICY route_tutor_read ON cross_school_pair FOR SELECT USING (EXISTS ("
        "SELECT 1 FROM route_mentor_proposal p JOIN individual_route r "
        "ON r.school_id = p.school_id AND r.id = p.route_id "
        f"WHERE p.cross_school_pair_id = cross_school_pair.id AND r.tutor_id = {_TUTOR}))"
    )
    op.execute(CANDIDATES_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION route_teacher_candidates FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION route_teacher_candidates TO {app_role()}")


def _disable_policies() -> None:
    op.execute("DROP FUNCTION route_teacher_candidates")
    op.execute("DROP POLICY route_tutor_read ON cross_school_pair")
    for table in (*ROUTE_CHILDREN, "individual_route"):
        for statement in rls_disable_sql(table):
            op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "region_tutor",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=400), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_region_tutor_region_id_region")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_region_tutor_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_tutor")),
        sa.UniqueConstraint("region_id", "email", name=op.f("uq_region_tutor_region_id_email")),
    )
    op.create_index(op.f("ix_region_tutor_user_id"), "region_tutor", ["user_id"], unique=False)
    op.create_table(
        "route_course",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("provider", sa.String(length=300), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=60), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("area_codes", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("imported_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["app_user.id"], name=op.f("fk_route_course_imported_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_route_course_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_course")),
        sa.UniqueConstraint(
            "region_id",
            "title",
            "provider",
            "starts_on",
            name=op.f("uq_route_course_region_id_title_provider_starts_on"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(op.f("ix_route_course_imported_by_id"), "route_course", ["imported_by_id"], unique=False)
    op.create_index("ix_route_course_region_id_title", "route_course", ["region_id", "title"], unique=False)
    op.create_table(
        "route_resource",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind", sa.Enum("internship_site", "community", name="route_resource_kind"), nullable=False
        ),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("area_codes", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_route_resource_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_resource")),
    )
    op.create_index("ix_route_resource_region_id_kind", "route_resource", ["region_id", "kind"], unique=False)
    op.create_table(
        "individual_route",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("tutor_id", sa.Uuid(), nullable=True),
        sa.Column("tutor_name", sa.String(length=400), nullable=False),
        sa.Column("status", sa.Enum("requested", "active", "completed", name="route_status"), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        sa.Column("teacher_name", sa.String(length=400), nullable=False),
        sa.Column("teacher_position", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("school_name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("request_note", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_by_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("diagnosis_round", sa.Integer(), nullable=False),
        sa.Column("roadmap_version", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["app_user.id"], name=op.f("fk_individual_route_assigned_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_individual_route_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_individual_route_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["app_user.id"], name=op.f("fk_individual_route_requested_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            name=op.f("fk_individual_route_school_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_individual_route_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["tutor_id"], ["region_tutor.id"], name=op.f("fk_individual_route_tutor_id_region_tutor")
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_individual_route")),
        sa.UniqueConstraint(
            "school_id", "participant_id", name=op.f("uq_individual_route_school_id_participant_id")
        ),
        info={"school_owned": True},
    )
    op.create_index(
        op.f("ix_individual_route_assigned_by_id"), "individual_route", ["assigned_by_id"], unique=False
    )
    op.create_index(
        op.f("ix_individual_route_municipality_id"), "individual_route", ["municipality_id"], unique=False
    )
    op.create_index(
        "ix_individual_route_region_id_status", "individual_route", ["region_id", "status"], unique=False
    )
    op.create_index(
        op.f("ix_individual_route_requested_by_id"), "individual_route", ["requested_by_id"], unique=False
    )
    op.create_index(
        "ix_individual_route_tutor_id_teacher_name",
        "individual_route",
        ["tutor_id", "teacher_name"],
        unique=False,
    )
    op.create_table(
        "route_activity",
        sa.Column(
            "kind",
            sa.Enum("course", "trial", "project", "measure", name="route_activity_kind"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("resource_id", sa.Uuid(), nullable=True),
        sa.Column("details", sa.String(length=600), nullable=False),
        sa.Column("area_codes", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("planned", "in_progress", "done", "cancelled", name="route_activity_status"),
            nullable=False,
        ),
        sa.Column("product_title", sa.String(length=300), nullable=False),
        sa.Column("product_url", sa.String(length=1000), nullable=False),
        sa.Column("product_filename", sa.String(length=255), nullable=False),
        sa.Column("product_media_type", sa.String(length=120), nullable=False),
        sa.Column("product_file", sa.LargeBinary(), nullable=True),
        sa.Column("teacher_view", sa.Text(), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["route_course.id"], name=op.f("fk_route_activity_course_id_route_course")
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["route_resource.id"], name=op.f("fk_route_activity_resource_id_route_resource")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "route_id"],
            ["individual_route.school_id", "individual_route.id"],
            name=op.f("fk_route_activity_school_id_route_id_individual_route"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_route_activity")),
        info={"school_owned": True},
    )
    op.create_index("ix_route_activity_course_id", "route_activity", ["course_id"], unique=False)
    op.create_index("ix_route_activity_resource_id", "route_activity", ["resource_id"], unique=False)
    op.create_index(
        "ix_route_activity_school_id_route_id", "route_activity", ["school_id", "route_id"], unique=False
    )
    op.create_table(
        "route_area_score",
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=60), nullable=False),
        sa.Column("self_score", sa.Numeric(precision=3, scale=2, asdecimal=False), nullable=True),
        sa.Column("tutor_score", sa.Integer(), nullable=True),
        sa.Column("curator_score", sa.Integer(), nullable=True),
        sa.Column("self_comment", sa.Text(), nullable=False),
        sa.Column("achievements", sa.Text(), nullable=False),
        sa.Column("reflection", sa.Text(), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "route_id"],
            ["individual_route.school_id", "individual_route.id"],
            name=op.f("fk_route_area_score_school_id_route_id_individual_route"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_route_area_score")),
        sa.UniqueConstraint(
            "school_id",
            "route_id",
            "round",
            "area_code",
            name=op.f("uq_route_area_score_school_id_route_id_round_area_code"),
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "route_diagnosis_survey",
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=60), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "route_id"],
            ["individual_route.school_id", "individual_route.id"],
            name=op.f("fk_route_diagnosis_survey_school_id_route_id_individual_route"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "survey_id"],
            ["survey.school_id", "survey.id"],
            name=op.f("fk_route_diagnosis_survey_school_id_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_route_diagnosis_survey")),
        sa.UniqueConstraint(
            "school_id",
            "route_id",
            "round",
            "area_code",
            name=op.f("uq_route_diagnosis_survey_school_id_route_id_round_area_code"),
        ),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_route_diagnosis_survey_school_id_survey_id",
        "route_diagnosis_survey",
        ["school_id", "survey_id"],
        unique=False,
    )
    op.create_table(
        "route_figure",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("deficit_codes", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("closed_codes", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("course_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column(
            "refreshed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_route_figure_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_route_figure_region_id_region")),
        sa.ForeignKeyConstraint(
            ["school_id", "route_id"],
            ["individual_route.school_id", "individual_route.id"],
            name=op.f("fk_route_figure_school_id_route_id_individual_route"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_route_figure_school_id_school")),
        sa.PrimaryKeyConstraint("school_id", "route_id", name=op.f("pk_route_figure")),
        info={"regional_rollup": True},
    )
    op.create_index("ix_route_figure_municipality_id", "route_figure", ["municipality_id"], unique=False)
    op.create_index(
        "ix_route_figure_region_id_municipality_id",
        "route_figure",
        ["region_id", "municipality_id"],
        unique=False,
    )
    op.create_table(
        "route_step",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status", sa.Enum("not_started", "in_progress", "done", name="route_step_status"), nullable=False
        ),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=400), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "route_id"],
            ["individual_route.school_id", "individual_route.id"],
            name=op.f("fk_route_step_school_id_route_id_individual_route"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_route_step")),
        sa.UniqueConstraint(
            "school_id", "route_id", "number", name=op.f("uq_route_step_school_id_route_id_number")
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "route_version",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("change", sa.String(length=600), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("author", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id", "route_id"],
            ["individual_route.school_id", "individual_route.id"],
            name=op.f("fk_route_version_school_id_route_id_individual_route"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_route_version")),
        sa.UniqueConstraint(
            "school_id", "route_id", "number", name=op.f("uq_route_version_school_id_route_id_number")
        ),
        info={"school_owned": True},
    )
    op.create_table(
        "route_mentor_proposal",
        sa.Column("area_code", sa.String(length=60), nullable=False),
        sa.Column("mentor_school_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_name", sa.String(length=400), nullable=False),
        sa.Column("mentor_position", sa.String(length=200), nullable=False),
        sa.Column("mentor_school_name", sa.String(length=200), nullable=False),
        sa.Column("competency_titles", postgresql.ARRAY(sa.String(length=300)), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("proposed", "requested", "dismissed", name="route_proposal_status"),
            nullable=False,
        ),
        sa.Column("proposed_by", sa.String(length=400), nullable=False),
        sa.Column("cross_school_pair_id", sa.Uuid(), nullable=True),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["cross_school_pair_id"],
            ["cross_school_pair.id"],
            name=op.f("fk_route_mentor_proposal_cross_school_pair_id_cross_school_pair"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_school_id"], ["school.id"], name=op.f("fk_route_mentor_proposal_mentor_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["school_id", "route_id"],
            ["individual_route.school_id", "individual_route.id"],
            name=op.f("fk_route_mentor_proposal_school_id_route_id_individual_route"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "id", name=op.f("pk_route_mentor_proposal")),
        info={"school_owned": True},
    )
    op.create_index(
        "ix_route_mentor_proposal_cross_school_pair_id",
        "route_mentor_proposal",
        ["cross_school_pair_id"],
        unique=False,
    )
    op.create_index(
        "ix_route_mentor_proposal_mentor",
        "route_mentor_proposal",
        ["mentor_school_id", "mentor_profile_id"],
        unique=False,
    )
    op.create_index(
        "ix_route_mentor_proposal_school_id_route_id",
        "route_mentor_proposal",
        ["school_id", "route_id"],
        unique=False,
    )
    _enable_policies()


def downgrade() -> None:
    _disable_policies()
    op.drop_index("ix_route_mentor_proposal_school_id_route_id", table_name="route_mentor_proposal")
    op.drop_index("ix_route_mentor_proposal_mentor", table_name="route_mentor_proposal")
    op.drop_index("ix_route_mentor_proposal_cross_school_pair_id", table_name="route_mentor_proposal")
    op.drop_table("route_mentor_proposal")
    op.drop_table("route_version")
    op.drop_table("route_step")
    op.drop_index("ix_route_figure_region_id_municipality_id", table_name="route_figure")
    op.drop_index("ix_route_figure_municipality_id", table_name="route_figure")
    op.drop_table("route_figure")
    op.drop_index("ix_route_diagnosis_survey_school_id_survey_id", table_name="route_diagnosis_survey")
    op.drop_table("route_diagnosis_survey")
    op.drop_table("route_area_score")
    op.drop_index("ix_route_activity_school_id_route_id", table_name="route_activity")
    op.drop_index("ix_route_activity_resource_id", table_name="route_activity")
    op.drop_index("ix_route_activity_course_id", table_name="route_activity")
    op.drop_table("route_activity")
    op.drop_index("ix_individual_route_tutor_id_teacher_name", table_name="individual_route")
    op.drop_index(op.f("ix_individual_route_requested_by_id"), table_name="individual_route")
    op.drop_index("ix_individual_route_region_id_status", table_name="individual_route")
    op.drop_index(op.f("ix_individual_route_municipality_id"), table_name="individual_route")
    op.drop_index(op.f("ix_individual_route_assigned_by_id"), table_name="individual_route")
    op.drop_table("individual_route")
    op.drop_index("ix_route_resource_region_id_kind", table_name="route_resource")
    op.drop_table("route_resource")
    op.drop_index("ix_route_course_region_id_title", table_name="route_course")
    op.drop_index(op.f("ix_route_course_imported_by_id"), table_name="route_course")
    op.drop_table("route_course")
    op.drop_index(op.f("ix_region_tutor_user_id"), table_name="region_tutor")
    op.drop_table("region_tutor")
    op.execute("DROP FUNCTION app_routes_region()")
    op.execute("DROP FUNCTION app_current_tutor()")
    for name in (
        "route_proposal_status",
        "route_step_status",
        "route_activity_status",
        "route_activity_kind",
        "route_status",
        "route_resource_kind",
    ):
        op.execute(f"DROP TYPE {name}")
    # The questionnaire kinds stay: PostgreSQL cannot drop an enum value.
