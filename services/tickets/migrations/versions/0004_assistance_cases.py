"""Assistance cases, their steps, notice postings and objections.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def _case_id():
    return sa.Column("case_id", sa.Integer(), sa.ForeignKey("assistance_cases.id"),
                     nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "assistance_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False, index=True),
        sa.Column("resident_id", sa.Integer(), nullable=False, index=True),
        sa.Column("grid_code", sa.String(18), nullable=False, index=True),
        sa.Column("community_code", sa.String(18), nullable=False, index=True),
        sa.Column("stage", sa.String(25), nullable=False, index=True),
        sa.Column("open_key", sa.String(40), nullable=True, unique=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.String(1000), nullable=True),
        sa.Column("votes_for", sa.Integer(), nullable=True),
        sa.Column("votes_against", sa.Integer(), nullable=True),
        sa.Column("abstentions", sa.Integer(), nullable=True),
        sa.Column("appraised_on", sa.Date(), nullable=True),
        sa.Column("notice_round", sa.Integer(), nullable=False),
        sa.Column("notice_starts_on", sa.Date(), nullable=True),
        sa.Column("notice_ends_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reason", sa.String(500), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "assistance_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        _case_id(),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_stage", sa.String(25), nullable=True),
        sa.Column("to_stage", sa.String(25), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("comment", sa.String(1000), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("acted_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_assistance_steps_seq"),
    )
    op.create_table(
        "assistance_postings",
        sa.Column("id", sa.Integer(), primary_key=True),
        _case_id(),
        sa.Column("notice_round", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("posted_by", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", "notice_round", "number",
                            name="uq_assistance_postings_number"),
    )
    op.create_table(
        "assistance_objections",
        sa.Column("id", sa.Integer(), primary_key=True),
        _case_id(),
        sa.Column("notice_round", sa.Integer(), nullable=False),
        sa.Column("lodged_on", sa.Date(), nullable=False),
        sa.Column("objector", sa.String(100), nullable=True),
        sa.Column("content", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("answer", sa.String(1000), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("lodged_by", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("assistance_objections", "assistance_postings", "assistance_steps",
                  "assistance_cases"):
        op.drop_table(table)
