"""Attendance per session and enrolment; certificates.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("first_recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"]),
        sa.ForeignKeyConstraint(["enrolment_id"], ["enrolments.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["course_sessions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "enrolment_id", name="uq_attendances_session_enrolment"),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendances_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendances_enrolment_id"), ["enrolment_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_attendances_resident_id"), ["resident_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_attendances_session_id"), ["session_id"], unique=False)

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=18), nullable=False),
        sa.Column("holder_name", sa.String(length=100), nullable=False),
        sa.Column("course_title", sa.String(length=100), nullable=False),
        sa.Column("school_name", sa.String(length=100), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("attendance_rate", sa.Float(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"]),
        sa.ForeignKeyConstraint(["enrolment_id"], ["enrolments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enrolment_id", name="uq_certificates_enrolment"),
        sa.UniqueConstraint("number", name="uq_certificates_number"),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_resident_id"), ["resident_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("certificates")
    op.drop_table("attendances")
