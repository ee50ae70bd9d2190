"""Scorecard reads: the ranking index over scorecards, the explanation index over the ledger,
and the index following a correction chain.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-30
"""
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_scorecards_scheme_period_org", "scorecards",
                    ["scheme_id", "period_key", "org_code"], unique=False)
    op.create_index("ix_ledger_entries_scheme_subject_period", "ledger_entries",
                    ["scheme_id", "subject_ref", "period_key"], unique=False)
    op.create_index("ix_ledger_entries_corrects_entry_id", "ledger_entries",
                    ["corrects_entry_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_corrects_entry_id", table_name="ledger_entries")
    op.drop_index("ix_ledger_entries_scheme_subject_period", table_name="ledger_entries")
    op.drop_index("ix_scorecards_scheme_period_org", table_name="scorecards")
