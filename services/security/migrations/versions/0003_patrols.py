"""Patrols: teams, their members and points, shifts with members and planned points,
check-ins and findings.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table("patrol_teams",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("org_code", sa.String(length=18), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("kind", sa.String(length=30), nullable=False),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("org_code", "name", name="uq_patrol_teams_org_name")
    )
    _index("patrol_teams", "kind", "org_code")

    op.create_table("patrol_team_members",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("team_id", sa.Integer(), nullable=False),
    sa.Column("volunteer_id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("community_code", sa.String(length=18), nullable=False),
    sa.Column("added_by", sa.String(length=100), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["team_id"], ["patrol_teams.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("team_id", "volunteer_id", name="uq_patrol_team_members_team_volunteer")
    )
    _index("patrol_team_members", "team_id", "volunteer_id")

    op.create_table("patrol_points",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("team_id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("grid_code", sa.String(length=18), nullable=False),
    sa.Column("address", sa.String(length=200), nullable=True),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["team_id"], ["patrol_teams.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("team_id", "name", name="uq_patrol_points_team_name")
    )
    _index("patrol_points", "grid_code", "team_id")

    op.create_table("patrol_shifts",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("team_id", sa.Integer(), nullable=False),
    sa.Column("org_code", sa.String(length=18), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("route", sa.String(length=500), nullable=True),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("hours", sa.Float(), nullable=True),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["team_id"], ["patrol_teams.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    _index("patrol_shifts", "org_code", "starts_at", "status", "team_id")

    op.create_table("patrol_shift_members",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("shift_id", sa.Integer(), nullable=False),
    sa.Column("volunteer_id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(["shift_id"], ["patrol_shifts.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("shift_id", "volunteer_id", name="uq_patrol_shift_members_shift_volunteer")
    )
    _index("patrol_shift_members", "shift_id", "volunteer_id")

    op.create_table("patrol_shift_points",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("shift_id", sa.Integer(), nullable=False),
    sa.Column("point_id", sa.Integer(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["point_id"], ["patrol_points.id"], ),
    sa.ForeignKeyConstraint(["shift_id"], ["patrol_shifts.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("shift_id", "point_id", name="uq_patrol_shift_points_shift_point")
    )
    _index("patrol_shift_points", "shift_id")

    op.create_table("patrol_check_ins",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("shift_id", sa.Integer(), nullable=False),
    sa.Column("point_id", sa.Integer(), nullable=False),
    sa.Column("volunteer_id", sa.Integer(), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.String(length=500), nullable=True),
    sa.Column("recorded_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["point_id"], ["patrol_points.id"], ),
    sa.ForeignKeyConstraint(["shift_id"], ["patrol_shifts.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    _index("patrol_check_ins", "shift_id")

    op.create_table("patrol_findings",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("shift_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=30), nullable=False),
    sa.Column("severity", sa.String(length=12), nullable=False),
    sa.Column("description", sa.String(length=1000), nullable=False),
    sa.Column("point_id", sa.Integer(), nullable=True),
    sa.Column("grid_code", sa.String(length=18), nullable=False),
    sa.Column("incident_id", sa.Integer(), nullable=True),
    sa.Column("reported_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["point_id"], ["patrol_points.id"], ),
    sa.ForeignKeyConstraint(["shift_id"], ["patrol_shifts.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    _index("patrol_findings", "grid_code", "incident_id", "shift_id")


def downgrade() -> None:
    for table in ("patrol_findings", "patrol_check_ins", "patrol_shift_points",
                  "patrol_shift_members", "patrol_shifts", "patrol_points",
                  "patrol_team_members", "patrol_teams"):
        op.drop_table(table)
