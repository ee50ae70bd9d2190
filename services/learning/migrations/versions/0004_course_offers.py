"""Targeted course offers to laid-off residents.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "course_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=18), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("source_event_id", sa.String(length=36), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"]),
        sa.ForeignKeyConstraint(["enrolment_id"], ["enrolments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resident_id", "course_id", name="uq_course_offers_resident_course"),
    )
    with op.batch_alter_table("course_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_offers_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_offers_grid_code"), ["grid_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_offers_resident_id"), ["resident_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_course_offers_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("course_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_offers_status"))
        batch_op.drop_index(batch_op.f("ix_course_offers_resident_id"))
        batch_op.drop_index(batch_op.f("ix_course_offers_grid_code"))
        batch_op.drop_index(batch_op.f("ix_course_offers_course_id"))
    op.drop_table("course_offers")
