"""The shipped ticket categories (a data migration): installed once, each only if its code is
not there yet, so a district admin's later changes to a category's SLA are never overwritten.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-23
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

# The shipped catalogue (services/tickets/domain/categories.py); a category added there later
# needs a migration of its own to reach databases already past this one.
from services.tickets.domain.categories import DEFAULT_CATEGORIES as CATEGORIES  # noqa: E402


def upgrade() -> None:
    table = sa.table(
        "ticket_categories",
        sa.column("code", sa.String), sa.column("name", sa.String),
        sa.column("description", sa.String), sa.column("group", sa.String),
        sa.column("keywords", sa.String), sa.column("sla_hours", sa.Integer),
        sa.column("response_hours", sa.Integer), sa.column("fee_class", sa.String),
        sa.column("is_dispute", sa.Boolean), sa.column("attributes", sa.JSON),
        sa.column("active", sa.Boolean), sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    existing = set(connection.scalars(sa.select(table.c.code)))
    now = datetime.now(timezone.utc)
    rows = [{"code": c["code"], "name": c["name"], "description": c.get("description", ""),
             "group": c["group"], "keywords": c.get("keywords", ""),
             "sla_hours": c["sla_hours"], "response_hours": c["response_hours"],
             "fee_class": c.get("fee_class", "free"), "is_dispute": c.get("is_dispute", False),
             "attributes": c.get("attributes", []), "active": True, "created_at": now,
             "updated_at": now}
            for c in CATEGORIES if c["code"] not in existing]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    pass
