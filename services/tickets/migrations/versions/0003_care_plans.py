"""Care plans, their schedule lines and visits.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), nullable=False, index=True),
        sa.Column("flag", sa.String(30), nullable=False, index=True),
        sa.Column("grid_code", sa.String(18), nullable=False, index=True),
        sa.Column("community_code", sa.String(18), nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        sa.Column("flagged_on", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.String(200), nullable=True),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("resident_id", "flag", name="uq_care_plans_resident_flag"),
    )
    op.create_table(
        "care_schedule_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("care_plans.id"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("last_visited_on", sa.Date(), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=False, index=True),
        sa.UniqueConstraint("plan_id", "kind", name="uq_care_schedule_lines_kind"),
    )
    op.create_table(
        "care_visits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("care_plans.id"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False, index=True),
        sa.Column("visitor", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("notes", sa.String(1000), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("care_visits", "care_schedule_lines", "care_plans"):
        op.drop_table(table)
