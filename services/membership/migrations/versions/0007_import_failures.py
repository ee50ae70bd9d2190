"""An import job that stopped because a batch kept failing says why.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resident_imports") as batch:
        batch.add_column(sa.Column("failure", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resident_imports") as batch:
        batch.drop_column("failure")
