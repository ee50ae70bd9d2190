"""Mediation 人民调解: cases, their parties and sessions.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mediation_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("org_code", sa.String(length=18), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("dispute_type", sa.String(length=12), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("mediator_name", sa.String(length=100), nullable=True),
        sa.Column("mediator_kind", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("agreement_text", sa.Text(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    with op.batch_alter_table("mediation_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_cases_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_cases_community_code"), ["community_code"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_cases_dispute_type"), ["dispute_type"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_cases_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_cases_outcome"), ["outcome"], unique=False)

    op.create_table(
        "mediation_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["mediation_cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mediation_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_parties_case_id"), ["case_id"], unique=False)

    op.create_table(
        "mediation_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["mediation_cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mediation_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_sessions_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("mediation_sessions")
    op.drop_table("mediation_parties")
    op.drop_table("mediation_cases")
