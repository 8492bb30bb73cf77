"""Every school-owned table keeps the tenancy rules of ARCHITECTURE.md."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKeyConstraint, MetaData, Table, Uuid

from nastavnik.models import metadata
from nastavnik.platform.db import SCHOOL_OWNED, school_owned_tables
from nastavnik.regional.indicators.models import REGIONAL_ROLLUP


def school_owned_violations(meta: MetaData = metadata) -> list[str]:
    owned = {t.name for t in meta.sorted_tables if t.info.get(SCHOOL_OWNED)}
    problems: list[str] = []
    for table in meta.sorted_tables:
        if table.name not in owned:
            # A table with a school column that is not marked would escape RLS.
            # Rollups are keyed by school but read by regional scopes, behind policies of their
            # own; so is the mentor directory, the region's projection of consenting mentors
            # (tests/security/test_directory_rls.py). The public page's snapshot is read by
            # anonymous visitors with no school scope (tests/security/test_public_page.py).
            regional = table.info.get(REGIONAL_ROLLUP, False)
            # Adoptions of bank items say which school took which item, for the region to count.
            exempt = {
                "audit_event",
                "mentor_directory_entry",
                "bank_adoption",
                "public_page",
                "public_page_document",
            }
            if "school_id" in table.c and table.name not in exempt and not regional:  # noqa: SIM102
                if not table.c.school_id.nullable:
                    problems.append(f"{table.name}: has school_id NOT NULL but is not marked school-owned")
            continue
        pk = [c.name for c in table.primary_key.columns]
        if "id" in table.c and pk != ["school_id", "id"]:
            problems.append(f"{table.name}: primary key is {pk}, expected ['school_id', 'id']")
        elif "id" not in table.c and (not pk or pk[0] != "school_id"):
            # Pure link tables (no id of their own) are keyed by school_id and their links.
            problems.append(f"{table.name}: primary key {pk} does not start with school_id")
        if table.c.school_id.nullable:
            problems.append(f"{table.name}: school_id is nullable")
        for constraint in table.constraints:
            if not isinstance(constraint, ForeignKeyConstraint):
                continue
            target = constraint.referred_table
            if target.info.get(SCHOOL_OWNED):
                local = [c.name for c in constraint.columns]
                remote = [e.column.name for e in constraint.elements]
                if "school_id" not in local or local.index("school_id") != remote.index("school_id"):
                    problems.append(
                        f"{table.name}: foreign key {local} → {target.name} does not include school_id"
                    )
    return problems


def test_every_school_owned_table_has_school_id_in_its_keys() -> None:
    assert school_owned_tables(), "no school-owned tables found: is the model registry complete?"
    assert school_owned_violations() == []


def test_the_check_catches_a_foreign_key_without_school_id() -> None:
    scratch = MetaData()
    Table(
        "parent",
        scratch,
        Column("school_id", Uuid, primary_key=True),
        Column("id", Uuid, primary_key=True),
        info={SCHOOL_OWNED: True},
    )
    child = Table(
        "child",
        scratch,
        Column("school_id", Uuid, primary_key=True),
        Column("id", Uuid, primary_key=True),
        Column("parent_id", Uuid),
        info={SCHOOL_OWNED: True},
    )
    child.append_constraint(ForeignKeyConstraint(["parent_id"], ["parent.id"]))
    assert school_owned_violations(scratch) == [
        "child: foreign key ['parent_id'] → parent does not include school_id"
    ]


def test_the_check_catches_a_primary_key_without_school_id() -> None:
    scratch = MetaData()
    Table(
        "loose",
        scratch,
        Column("id", Uuid, primary_key=True),
        Column("school_id", Uuid),
        info={SCHOOL_OWNED: True},
    )
    assert "loose: primary key is ['id'], expected ['school_id', 'id']" in school_owned_violations(scratch)
