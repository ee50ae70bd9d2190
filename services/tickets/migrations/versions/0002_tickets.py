"""Ticket categories, tickets, attachments, transitions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ticket_categories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("group", sa.String(40), nullable=False, index=True),
        sa.Column("keywords", sa.String(200), nullable=False),
        sa.Column("sla_hours", sa.Integer(), nullable=False),
        sa.Column("response_hours", sa.Integer(), nullable=False),
        sa.Column("fee_class", sa.String(10), nullable=False),
        sa.Column("is_dispute", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(36), nullable=False, unique=True),
        sa.Column("channel", sa.String(20), nullable=False, index=True),
        sa.Column("category_code", sa.String(40), sa.ForeignKey("ticket_categories.code"),
                  nullable=False, index=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("fee_class", sa.String(10), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("reporter_resident_id", sa.Integer(), nullable=True, index=True),
        sa.Column("reporter_name", sa.String(100), nullable=True),
        sa.Column("reporter_phone", sa.String(20), nullable=True),
        sa.Column("reporter_email", sa.String(200), nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("grid_code", sa.String(18), nullable=False, index=True),
        sa.Column("community_code", sa.String(18), nullable=False, index=True),
        sa.Column("street_code", sa.String(18), nullable=False, index=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("responsible_code", sa.String(18), nullable=False, index=True),
        sa.Column("accountable_code", sa.String(18), nullable=False, index=True),
        sa.Column("assignee_kind", sa.String(20), nullable=True),
        sa.Column("assignee_ref", sa.String(100), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False, index=True),
        _when("accepted_at", True),
        _when("resolved_at", True),
        _when("closed_at", True),
        sa.Column("sla_breached_at", sa.DateTime(timezone=True), nullable=True, index=True),
        _when("due_soon_reminded_at", True),
        _when("extension_requested_until", True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("escalation_count", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.String(500), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        _when("rated_at", True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "ticket_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False,
                  index=True),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("media_type", sa.String(100), nullable=True),
        sa.Column("added_by", sa.String(100), nullable=False),
        _when("added_at"),
    )
    op.create_table(
        "ticket_transitions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False,
                  index=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("comment", sa.String(1000), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.UniqueConstraint("ticket_id", "seq", name="uq_ticket_transitions_seq"),
    )


def downgrade() -> None:
    for table in ("ticket_transitions", "ticket_attachments", "tickets", "ticket_categories"):
        op.drop_table(table)
