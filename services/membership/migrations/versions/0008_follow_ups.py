"""Follow-ups 组织处置 of party members rated unqualified in a democratic appraisal.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = "0005"  # party_members (another branch of the history)


def upgrade() -> None:
    op.create_table("party_follow_ups",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("party_member_id", sa.Integer(), nullable=False),
    sa.Column("reason", sa.String(length=200), nullable=False),
    sa.Column("source", sa.String(length=40), nullable=False),
    sa.Column("source_ref", sa.String(length=40), nullable=False),
    sa.Column("source_event_id", sa.String(length=36), nullable=False),
    sa.Column("year", sa.Integer(), nullable=True),
    sa.Column("status", sa.String(length=10), nullable=False),
    sa.Column("opened_on", sa.Date(), nullable=False),
    sa.Column("outcome", sa.String(length=20), nullable=True),
    sa.Column("outcome_note", sa.String(length=500), nullable=True),
    sa.Column("closed_on", sa.Date(), nullable=True),
    sa.Column("closed_by", sa.String(length=100), nullable=True),
    sa.Column("lock_version", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["party_member_id"], ["party_members.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("party_member_id", "source", "source_ref"),
    )
    with op.batch_alter_table("party_follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_party_follow_ups_party_member_id"),
                              ["party_member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_party_follow_ups_status"), ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("party_follow_ups")
