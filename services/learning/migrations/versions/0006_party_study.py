"""Party study: study sessions, their attendance, study notes and yearly quota marks.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op


revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("study_sessions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("branch_id", sa.Integer(), nullable=False),
    sa.Column("branch_name", sa.String(length=100), nullable=False),
    sa.Column("org_code", sa.String(length=18), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("held_on", sa.Date(), nullable=False),
    sa.Column("starts_at", sa.Time(), nullable=True),
    sa.Column("topic", sa.String(length=200), nullable=False),
    sa.Column("venue", sa.String(length=200), nullable=True),
    sa.Column("speaker", sa.String(length=100), nullable=True),
    sa.Column("note_min_chars", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cancel_reason", sa.String(length=200), nullable=True),
    sa.Column("lock_version", sa.Integer(), nullable=False),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("branch_id", "kind", "held_on", name="uq_study_sessions_branch_kind_day")
    )
    with op.batch_alter_table("study_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_sessions_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_study_sessions_held_on"), ["held_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_study_sessions_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_study_sessions_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_study_sessions_status"), ["status"], unique=False)

    op.create_table("study_attendance",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("session_id", sa.Integer(), nullable=False),
    sa.Column("party_member_id", sa.Integer(), nullable=False),
    sa.Column("member_name", sa.String(length=100), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("recorded_by", sa.String(length=100), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["session_id"], ["study_sessions.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("session_id", "party_member_id", name="uq_study_attendance_session_member")
    )
    with op.batch_alter_table("study_attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_attendance_party_member_id"), ["party_member_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_study_attendance_session_id"), ["session_id"], unique=False)

    op.create_table("study_notes",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("session_id", sa.Integer(), nullable=False),
    sa.Column("party_member_id", sa.Integer(), nullable=False),
    sa.Column("member_name", sa.String(length=100), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("length", sa.Integer(), nullable=False),
    sa.Column("reflection", sa.Text(), nullable=True),
    sa.Column("written_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["session_id"], ["study_sessions.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("session_id", "party_member_id", name="uq_study_notes_session_member")
    )
    with op.batch_alter_table("study_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_notes_party_member_id"), ["party_member_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_study_notes_session_id"), ["session_id"], unique=False)

    op.create_table("study_quota_marks",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("party_member_id", sa.Integer(), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("branch_id", sa.Integer(), nullable=False),
    sa.Column("org_code", sa.String(length=18), nullable=False),
    sa.Column("study_days_attended", sa.Integer(), nullable=False),
    sa.Column("sessions_attended", sa.Integer(), nullable=False),
    sa.Column("session_id", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("party_member_id", "year", name="uq_study_quota_marks_member_year")
    )
    with op.batch_alter_table("study_quota_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_quota_marks_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_study_quota_marks_party_member_id"), ["party_member_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("study_quota_marks")
    op.drop_table("study_notes")
    op.drop_table("study_attendance")
    op.drop_table("study_sessions")
