"""Grid workers assigned to grids, incidents and their transitions.

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


def _indexes(table: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table("grid_worker_assignments",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("grid_code", sa.String(length=18), nullable=False),
    sa.Column("worker_id", sa.String(length=100), nullable=False),
    sa.Column("name", sa.String(length=50), nullable=False),
    sa.Column("phone", sa.String(length=20), nullable=True),
    sa.Column("since", sa.Date(), nullable=False),
    sa.Column("until", sa.Date(), nullable=True),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    )
    _indexes("grid_worker_assignments", ["grid_code", "worker_id", "until"])

    op.create_table("incidents",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=30), nullable=False),
    sa.Column("severity", sa.String(length=10), nullable=False),
    sa.Column("level", sa.String(length=10), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("grid_code", sa.String(length=18), nullable=False),
    sa.Column("community_code", sa.String(length=12), nullable=False),
    sa.Column("address", sa.String(length=200), nullable=True),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("reporter_kind", sa.String(length=20), nullable=False),
    sa.Column("reporter_ref", sa.String(length=100), nullable=True),
    sa.Column("reported_by", sa.String(length=100), nullable=False),
    sa.Column("source_type", sa.String(length=30), nullable=True),
    sa.Column("source_id", sa.String(length=64), nullable=True),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("assignee_kind", sa.String(length=20), nullable=True),
    sa.Column("assignee_ref", sa.String(length=100), nullable=True),
    sa.Column("handled_by", sa.String(length=100), nullable=True),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("result", sa.Text(), nullable=True),
    sa.Column("verified_by", sa.String(length=100), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("rating", sa.Integer(), nullable=True),
    sa.Column("escalated_to", sa.String(length=10), nullable=True),
    sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("disputed", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    )
    _indexes("incidents", ["community_code", "due_at", "grid_code", "kind", "level",
                           "reported_at", "severity", "status"])

    op.create_table("incident_transitions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("incident_id", sa.Integer(), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("action", sa.String(length=30), nullable=False),
    sa.Column("from_status", sa.String(length=20), nullable=True),
    sa.Column("to_status", sa.String(length=20), nullable=False),
    sa.Column("actor", sa.String(length=100), nullable=False),
    sa.Column("comment", sa.Text(), nullable=True),
    sa.Column("details", sa.JSON(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("incident_id", "seq", name="uq_incident_transition_seq"),
    )
    _indexes("incident_transitions", ["at", "incident_id"])


def downgrade() -> None:
    op.drop_table("incident_transitions")
    op.drop_table("incidents")
    op.drop_table("grid_worker_assignments")
