"""Party members, their pipeline history and their transfers.

Revision ID: 0005
Revises: 0002
Depends on: 0004
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = "0004"


def upgrade() -> None:
    op.create_table(
        "party_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("residents.id"), nullable=False,
                  unique=True),
        sa.Column("branch_id", sa.Integer(), sa.ForeignKey("party_organisations.id"),
                  nullable=False),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("party_organisations.id"),
                  nullable=True),
        sa.Column("org_code", sa.String(18), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("stage_since", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("extended", sa.Integer(), nullable=False),
        sa.Column("observed_since", sa.Date(), nullable=True),
        sa.Column("pending_to_code", sa.String(18), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("branch_id", "group_id", "org_code", "category", "stage", "pending_to_code"):
        op.create_index(f"ix_party_members_{column}", "party_members", [column])

    op.create_table(
        "party_member_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("party_members.id"), nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("from_stage", sa.String(20), nullable=True),
        sa.Column("to_stage", sa.String(20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_party_member_steps_member_id", "party_member_steps", ["member_id"])

    op.create_table(
        "party_member_transfers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("party_members.id"), nullable=False),
        sa.Column("direction", sa.String(4), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("from_code", sa.String(18), nullable=True),
        sa.Column("to_code", sa.String(18), nullable=True),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_party_member_transfers_member_id", "party_member_transfers",
                    ["member_id"])

    op.create_table(
        "party_member_registrations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("party_members.id"), nullable=False,
                  unique=True),
        sa.Column("community_code", sa.String(18), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("workplace", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_party_member_registrations_community_code",
                    "party_member_registrations", ["community_code"])

    op.create_table(
        "party_post_claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("party_members.id"), nullable=False),
        sa.Column("community_code", sa.String(18), nullable=False),
        sa.Column("post", sa.String(30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("claimed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("member_id", "year", name="uq_party_post_claims_member_year"),
    )
    for column in ("member_id", "community_code", "post", "year"):
        op.create_index(f"ix_party_post_claims_{column}", "party_post_claims", [column])

    op.create_table(
        "party_quota_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("party_members.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_party_quota_items_member_id", "party_quota_items", ["member_id"])

    op.create_table(
        "party_mobile_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("party_members.id"), nullable=False,
                  unique=True),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("party_members.id"), nullable=False,
                  unique=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("party_mobile_records")
    op.drop_table("party_quota_items")
    op.drop_table("party_post_claims")
    op.drop_table("party_member_registrations")
    op.drop_table("party_member_transfers")
    op.drop_table("party_member_steps")
    op.drop_table("party_members")
