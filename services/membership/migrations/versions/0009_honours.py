"""Honours: the titles assessments granted, on the holder's record

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "honours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("holder_kind", sa.String(length=20), nullable=False),
        sa.Column("holder_ref", sa.String(length=18), nullable=False),
        sa.Column("org_code", sa.String(length=18), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("granted_on", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("title_id"),
    )
    with op.batch_alter_table("honours") as batch_op:
        batch_op.create_index(batch_op.f("ix_honours_holder_ref"), ["holder_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_honours_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_honours_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_honours_household_id"), ["household_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("honours")
