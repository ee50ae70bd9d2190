"""Bulk import of residents: jobs and their rows.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = ("imports",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resident_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("principal", sa.String(100), nullable=False),
        sa.Column("roles", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(18), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "resident_import_rows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("resident_imports.id"),
                  nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("values", sa.Text(), nullable=False),
        sa.Column("id_number_hash", sa.String(64), nullable=True),
        sa.Column("field", sa.String(60), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("import_id", "line", name="uq_resident_import_rows_line"),
    )
    op.create_index("ix_resident_import_rows_import_id", "resident_import_rows", ["import_id"])
    op.create_index("ix_resident_import_rows_state", "resident_import_rows", ["state"])


def downgrade() -> None:
    op.drop_table("resident_import_rows")
    op.drop_table("resident_imports")
