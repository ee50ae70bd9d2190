"""Volunteers, volunteer teams and the service-hours ledger.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "volunteers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("residents.id"), nullable=False,
                  unique=True),
        sa.Column("community_code", sa.String(18), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("enrolled_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_volunteers_community_code", "volunteers", ["community_code"])
    op.create_table(
        "volunteer_skills",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteers.id"), nullable=False),
        sa.Column("skill", sa.String(50), nullable=False),
        sa.Column("skill_key", sa.String(50), nullable=False),
        sa.UniqueConstraint("volunteer_id", "skill_key", name="uq_volunteer_skills_volunteer_skill"),
    )
    op.create_index("ix_volunteer_skills_volunteer_id", "volunteer_skills", ["volunteer_id"])
    op.create_index("ix_volunteer_skills_skill_key", "volunteer_skills", ["skill_key"])
    op.create_table(
        "volunteer_teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_code", sa.String(18), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("description", sa.String(500), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("community_code", "name", name="uq_volunteer_teams_community_name"),
    )
    op.create_index("ix_volunteer_teams_community_code", "volunteer_teams", ["community_code"])
    op.create_table(
        "volunteer_team_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("volunteer_teams.id"), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteers.id"), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("team_id", "volunteer_id",
                            name="uq_volunteer_team_members_team_volunteer"),
    )
    op.create_index("ix_volunteer_team_members_team_id", "volunteer_team_members", ["team_id"])
    op.create_index("ix_volunteer_team_members_volunteer_id", "volunteer_team_members",
                    ["volunteer_id"])
    op.create_table(
        "hours_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(80), nullable=False, unique=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteers.id"), nullable=True,
                  unique=True),
        sa.Column("community_code", sa.String(18), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_hours_accounts_community_code", "hours_accounts", ["community_code"])
    op.create_table(
        "hours_transactions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteers.id"), nullable=False),
        sa.Column("source_key", sa.String(200), nullable=False, unique=True),
        sa.Column("source_type", sa.String(20), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("org_code", sa.String(18), nullable=False),
        sa.Column("activity_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("reverses_id", sa.Integer(), sa.ForeignKey("hours_transactions.id"),
                  nullable=True, unique=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_hours_transactions_volunteer_id", "hours_transactions", ["volunteer_id"])
    op.create_table(
        "hours_postings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("transaction_id", sa.Integer(), sa.ForeignKey("hours_transactions.id"),
                  nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("hours_accounts.id"),
                  nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
    )
    op.create_index("ix_hours_postings_transaction_id", "hours_postings", ["transaction_id"])
    op.create_index("ix_hours_postings_account_id", "hours_postings", ["account_id"])


def downgrade() -> None:
    for table in ("hours_postings", "hours_transactions", "hours_accounts",
                  "volunteer_team_members", "volunteer_teams", "volunteer_skills", "volunteers"):
        op.drop_table(table)
