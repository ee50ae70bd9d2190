"""Organisations: the party organisation tree, civil organisations, units based in the area and
their co-building agreements, cultural teams.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = ("organisations",)
depends_on = None


def _timestamps():
    return [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "party_organisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("org_code", sa.String(18), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("party_organisations.id"),
                  nullable=True),
        sa.Column("secretary_name", sa.String(50), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("dissolved_on", sa.Date(), nullable=True),
        sa.Column("dissolved_reason", sa.String(500), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_party_organisations_org_code", "party_organisations", ["org_code"])
    op.create_index("ix_party_organisations_parent_id", "party_organisations", ["parent_id"])

    op.create_table(
        "civil_organisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("org_code", sa.String(18), nullable=False),
        sa.Column("contact_name", sa.String(50), nullable=False),
        sa.Column("contact_phone", sa.String(20), nullable=False),
        sa.Column("filing_status", sa.String(12), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("filing_number", sa.String(40), nullable=True, unique=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revoked_reason", sa.String(500), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_civil_organisations_org_code", "civil_organisations", ["org_code"])
    op.create_index("ix_civil_organisations_filing_status", "civil_organisations",
                    ["filing_status"])

    op.create_table(
        "area_units",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("org_code", sa.String(18), nullable=False),
        *_timestamps(),
    )
    op.create_index("ix_area_units_org_code", "area_units", ["org_code"])

    op.create_table(
        "co_building_agreements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("area_units.id"), nullable=False),
        sa.Column("org_code", sa.String(18), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("summary", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(500), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_co_building_agreements_unit_id", "co_building_agreements", ["unit_id"])
    op.create_index("ix_co_building_agreements_org_code", "co_building_agreements",
                    ["org_code"])

    op.create_table(
        "cultural_teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("org_code", sa.String(18), nullable=False),
        sa.Column("leader_name", sa.String(50), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("founded_on", sa.Date(), nullable=False),
        *_timestamps(),
    )
    op.create_index("ix_cultural_teams_org_code", "cultural_teams", ["org_code"])


def downgrade() -> None:
    for table in ("cultural_teams", "co_building_agreements", "area_units",
                  "civil_organisations", "party_organisations"):
        op.drop_table(table)
