"""Special populations: supervision files, their visits and screenings; floating checks.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supervision_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("resident_name", sa.String(length=100), nullable=False),
        sa.Column("org_code", sa.String(length=18), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("supervision_until", sa.Date(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("risk_level", sa.String(length=8), nullable=False),
        sa.Column("visit_every_days_override", sa.Integer(), nullable=True),
        sa.Column("helper_name", sa.String(length=100), nullable=False),
        sa.Column("helper_phone", sa.String(length=20), nullable=True),
        sa.Column("helper_relation", sa.String(length=12), nullable=False),
        sa.Column("last_visited_on", sa.Date(), nullable=True),
        sa.Column("next_visit_due", sa.Date(), nullable=False),
        sa.Column("last_screened_on", sa.Date(), nullable=True),
        sa.Column("next_screening_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("closure_reason", sa.String(length=16), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supervision_files", schema=None) as batch_op:
        for column in ("resident_id", "org_code", "next_visit_due", "next_screening_due",
                       "status"):
            batch_op.create_index(batch_op.f(f"ix_supervision_files_{column}"), [column],
                                  unique=False)

    for table, day in (("supervision_visits", "visited_on"),
                       ("supervision_screenings", "screened_on")):
        extra = ([sa.Column("visitor", sa.String(length=100), nullable=False),
                  sa.Column("outcome", sa.String(length=12), nullable=False)]
                 if table == "supervision_visits" else
                 [sa.Column("risk_level", sa.String(length=8), nullable=False)])
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("file_id", sa.Integer(), nullable=False),
            sa.Column(day, sa.Date(), nullable=False),
            *extra,
            sa.Column("notes", sa.Text(), nullable=True),
            sa.Column("recorded_by", sa.String(length=100), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["file_id"], ["supervision_files.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_file_id"), ["file_id"], unique=False)

    op.create_table(
        "floating_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("resident_name", sa.String(length=100), nullable=False),
        sa.Column("org_code", sa.String(length=18), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("checker", sa.String(length=100), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("floating_checks", schema=None) as batch_op:
        for column in ("resident_id", "org_code", "checked_on"):
            batch_op.create_index(batch_op.f(f"ix_floating_checks_{column}"), [column],
                                  unique=False)


def downgrade() -> None:
    op.drop_table("floating_checks")
    op.drop_table("supervision_screenings")
    op.drop_table("supervision_visits")
    op.drop_table("supervision_files")
