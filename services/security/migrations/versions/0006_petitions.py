"""Petitions 信访 and their history of steps.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("petitions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("org_code", sa.String(length=18), nullable=False),
    sa.Column("community_code", sa.String(length=12), nullable=False),
    sa.Column("channel", sa.String(length=10), nullable=False),
    sa.Column("petitioners", sa.Integer(), nullable=False),
    sa.Column("is_group", sa.Boolean(), nullable=False),
    sa.Column("subject", sa.String(length=200), nullable=False),
    sa.Column("petitioner_name", sa.String(length=100), nullable=False),
    sa.Column("petitioner_phone", sa.String(length=20), nullable=True),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("registered_on", sa.Date(), nullable=False),
    sa.Column("accepted_on", sa.Date(), nullable=True),
    sa.Column("declined_on", sa.Date(), nullable=True),
    sa.Column("decline_reason", sa.String(length=200), nullable=True),
    sa.Column("extended_until", sa.Date(), nullable=True),
    sa.Column("extension_reason", sa.String(length=200), nullable=True),
    sa.Column("answered_on", sa.Date(), nullable=True),
    sa.Column("answer_text", sa.Text(), nullable=True),
    sa.Column("review_requested_on", sa.Date(), nullable=True),
    sa.Column("reviewed_on", sa.Date(), nullable=True),
    sa.Column("review_text", sa.Text(), nullable=True),
    sa.Column("closed_on", sa.Date(), nullable=True),
    sa.Column("last_step_on", sa.Date(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=True),
    sa.Column("lock_version", sa.Integer(), nullable=False),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        for column in ("org_code", "community_code", "channel", "is_group", "status",
                       "registered_on", "due_on"):
            batch_op.create_index(batch_op.f(f"ix_petitions_{column}"), [column], unique=False)

    op.create_table("petition_steps",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("petition_id", sa.Integer(), nullable=False),
    sa.Column("step", sa.String(length=20), nullable=False),
    sa.Column("status_from", sa.String(length=20), nullable=True),
    sa.Column("status_to", sa.String(length=20), nullable=False),
    sa.Column("happened_on", sa.Date(), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("actor", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ),
    sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("petition_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_petition_steps_petition_id"), ["petition_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("petition_steps")
    op.drop_table("petitions")
