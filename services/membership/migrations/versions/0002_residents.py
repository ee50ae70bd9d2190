"""Residents and households, with flag and move history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = ("residents",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("grid_code", sa.String(18), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=True),
        sa.Column("learning_family", sa.Boolean(), nullable=False),
        sa.Column("civilised_family", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_households_grid_code", "households", ["grid_code"])
    op.create_table(
        "residents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("id_number_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("id_number_sealed", sa.String(200), nullable=False),
        sa.Column("id_number_masked", sa.String(18), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("grid_code", sa.String(18), nullable=False),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("households.id"), nullable=True),
        sa.Column("residence", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("moved_out_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_residents_grid_code", "residents", ["grid_code"])
    op.create_index("ix_residents_household_id", "residents", ["household_id"])
    op.create_index("ix_residents_name", "residents", ["name"])
    op.create_index("ix_residents_birth_date", "residents", ["birth_date"])
    op.create_table(
        "resident_flags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("residents.id"), nullable=False),
        sa.Column("flag", sa.String(30), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("set_reason", sa.String(500), nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=True),
        sa.Column("cleared_reason", sa.String(500), nullable=True),
        sa.Column("cleared_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_resident_flags_resident_id", "resident_flags", ["resident_id"])
    op.create_index("ix_resident_flags_flag", "resident_flags", ["flag"])
    op.create_table(
        "resident_moves",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("residents.id"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("from_grid_code", sa.String(18), nullable=False),
        sa.Column("to_grid_code", sa.String(18), nullable=True),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_resident_moves_resident_id", "resident_moves", ["resident_id"])


def downgrade() -> None:
    op.drop_table("resident_moves")
    op.drop_table("resident_flags")
    op.drop_table("residents")
    op.drop_table("households")
