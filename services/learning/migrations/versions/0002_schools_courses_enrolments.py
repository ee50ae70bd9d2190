"""Schools, venues, teachers, courses, their sessions, enrolments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table("schools",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("org_code", sa.String(length=18), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("parent_id", sa.Integer(), nullable=True),
    sa.Column("address", sa.String(length=200), nullable=False),
    sa.Column("founded_on", sa.Date(), nullable=True),
    sa.Column("opening_hours", sa.String(length=200), nullable=True),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["parent_id"], ["schools.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("org_code", "name", name="uq_schools_org_name")
    )
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schools_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_schools_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_schools_parent_id"), ["parent_id"], unique=False)

    op.create_table("teachers",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("org_code", sa.String(length=18), nullable=False),
    sa.Column("kind", sa.String(length=10), nullable=False),
    sa.Column("volunteer_id", sa.Integer(), nullable=True),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("lock_version", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("volunteer_id", name="uq_teachers_volunteer")
    )
    with op.batch_alter_table("teachers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teachers_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_teachers_org_code"), ["org_code"], unique=False)

    op.create_table("courses",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("school_id", sa.Integer(), nullable=False),
    sa.Column("org_code", sa.String(length=18), nullable=False),
    sa.Column("title", sa.String(length=100), nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("category", sa.String(length=20), nullable=False),
    sa.Column("target_group", sa.String(length=20), nullable=True),
    sa.Column("eligibility", sa.JSON(), nullable=False),
    sa.Column("format", sa.String(length=20), nullable=False),
    sa.Column("teacher_id", sa.Integer(), nullable=False),
    sa.Column("capacity", sa.Integer(), nullable=False),
    sa.Column("enrol_opens_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("enrol_closes_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("confirm_hours", sa.Integer(), nullable=False),
    sa.Column("completion_threshold", sa.Float(), nullable=False),
    sa.Column("attendance_weights", sa.JSON(), nullable=False),
    sa.Column("permanent", sa.Boolean(), nullable=False),
    sa.Column("brand", sa.Boolean(), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("seats_taken", sa.Integer(), nullable=False),
    sa.Column("next_queue_no", sa.Integer(), nullable=False),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["school_id"], ["schools.id"], ),
    sa.ForeignKeyConstraint(["teacher_id"], ["teachers.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_courses_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_courses_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_courses_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_courses_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_courses_target_group"), ["target_group"], unique=False)
        batch_op.create_index(batch_op.f("ix_courses_teacher_id"), ["teacher_id"], unique=False)

    op.create_table("venues",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("org_code", sa.String(length=18), nullable=False),
    sa.Column("school_id", sa.Integer(), nullable=True),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("address", sa.String(length=200), nullable=False),
    sa.Column("capacity", sa.Integer(), nullable=False),
    sa.Column("lock_version", sa.Integer(), nullable=False),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["school_id"], ["schools.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("org_code", "name", name="uq_venues_org_name")
    )
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_venues_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_venues_school_id"), ["school_id"], unique=False)

    op.create_table("course_sessions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("course_id", sa.Integer(), nullable=False),
    sa.Column("venue_id", sa.Integer(), nullable=False),
    sa.Column("teacher_id", sa.Integer(), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("topic", sa.String(length=200), nullable=True),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["course_id"], ["courses.id"], ),
    sa.ForeignKeyConstraint(["teacher_id"], ["teachers.id"], ),
    sa.ForeignKeyConstraint(["venue_id"], ["venues.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("course_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_sessions_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_sessions_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_sessions_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_sessions_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_sessions_teacher_id"), ["teacher_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_sessions_venue_id"), ["venue_id"], unique=False)

    op.create_table("enrolments",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("course_id", sa.Integer(), nullable=False),
    sa.Column("resident_id", sa.Integer(), nullable=False),
    sa.Column("resident_name", sa.String(length=100), nullable=False),
    sa.Column("grid_code", sa.String(length=18), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("queue_no", sa.Integer(), nullable=False),
    sa.Column("source", sa.String(length=12), nullable=False),
    sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("confirm_by", sa.DateTime(timezone=True), nullable=True),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["course_id"], ["courses.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("course_id", "resident_id", name="uq_enrolments_course_resident")
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolments_confirm_by"), ["confirm_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolments_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolments_grid_code"), ["grid_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolments_queue_no"), ["queue_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolments_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolments_status"), ["status"], unique=False)




def downgrade() -> None:

    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolments_status"))
        batch_op.drop_index(batch_op.f("ix_enrolments_resident_id"))
        batch_op.drop_index(batch_op.f("ix_enrolments_queue_no"))
        batch_op.drop_index(batch_op.f("ix_enrolments_grid_code"))
        batch_op.drop_index(batch_op.f("ix_enrolments_course_id"))
        batch_op.drop_index(batch_op.f("ix_enrolments_confirm_by"))

    op.drop_table("enrolments")
    with op.batch_alter_table("course_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_sessions_venue_id"))
        batch_op.drop_index(batch_op.f("ix_course_sessions_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_course_sessions_status"))
        batch_op.drop_index(batch_op.f("ix_course_sessions_starts_at"))
        batch_op.drop_index(batch_op.f("ix_course_sessions_ends_at"))
        batch_op.drop_index(batch_op.f("ix_course_sessions_course_id"))

    op.drop_table("course_sessions")
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venues_school_id"))
        batch_op.drop_index(batch_op.f("ix_venues_org_code"))

    op.drop_table("venues")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courses_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_courses_target_group"))
        batch_op.drop_index(batch_op.f("ix_courses_status"))
        batch_op.drop_index(batch_op.f("ix_courses_school_id"))
        batch_op.drop_index(batch_op.f("ix_courses_org_code"))
        batch_op.drop_index(batch_op.f("ix_courses_category"))

    op.drop_table("courses")
    with op.batch_alter_table("teachers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teachers_org_code"))
        batch_op.drop_index(batch_op.f("ix_teachers_kind"))

    op.drop_table("teachers")
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schools_parent_id"))
        batch_op.drop_index(batch_op.f("ix_schools_org_code"))
        batch_op.drop_index(batch_op.f("ix_schools_kind"))

    op.drop_table("schools")

