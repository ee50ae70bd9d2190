"""The territory tree, and the outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "territory_nodes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("parent_code", sa.String(18),
                  sa.ForeignKey("territory_nodes.code", onupdate="CASCADE"), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("merged_into", sa.String(18), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_territory_nodes_level", "territory_nodes", ["level"])
    op.create_index("ix_territory_nodes_parent_code", "territory_nodes", ["parent_code"])
    op.create_table(
        "territory_code_aliases",
        sa.Column("old_code", sa.String(18), primary_key=True),
        sa.Column("node_id", sa.Integer(), sa.ForeignKey("territory_nodes.id"), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("territory_code_aliases")
    op.drop_table("territory_nodes")
    op.drop_table("inbox")
    op.drop_table("outbox")
