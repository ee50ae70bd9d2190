"""Titles and awards: titles, their steps, objections raised during the public notice

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "titles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("holder_kind", sa.String(length=20), nullable=False),
        sa.Column("holder_ref", sa.String(length=18), nullable=False),
        sa.Column("holder_name", sa.String(length=100), nullable=False),
        sa.Column("org_code", sa.String(length=18), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("nominated_on", sa.Date(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("notice_from", sa.Date(), nullable=True),
        sa.Column("notice_until", sa.Date(), nullable=True),
        sa.Column("granted_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_reason", sa.String(length=500), nullable=True),
        sa.Column("last_step_on", sa.Date(), nullable=False),
        sa.Column("live_key", sa.String(length=120), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("live_key"),
    )
    with op.batch_alter_table("titles") as batch_op:
        batch_op.create_index(batch_op.f("ix_titles_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_titles_year"), ["year"], unique=False)
        batch_op.create_index(batch_op.f("ix_titles_holder_ref"), ["holder_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_titles_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_titles_status"), ["status"], unique=False)

    op.create_table(
        "title_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("status_from", sa.String(length=12), nullable=True),
        sa.Column("status_to", sa.String(length=12), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["title_id"], ["titles.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("title_steps") as batch_op:
        batch_op.create_index(batch_op.f("ix_title_steps_title_id"), ["title_id"], unique=False)

    op.create_table(
        "title_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("raised_by", sa.String(length=100), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["title_id"], ["titles.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("title_objections") as batch_op:
        batch_op.create_index(batch_op.f("ix_title_objections_title_id"), ["title_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("title_objections")
    op.drop_table("title_steps")
    op.drop_table("titles")
