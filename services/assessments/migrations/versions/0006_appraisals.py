"""Appraisals: democratic appraisal rounds, ballots and results; five goods branch ratings;
commitment cards and their peer ratings.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appraisal_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('org_code', sa.String(length=18), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('member_ids', sa.JSON(), nullable=False),
    sa.Column('ballots', sa.Integer(), nullable=False),
    sa.Column('voting_on', sa.Date(), nullable=True),
    sa.Column('counted_on', sa.Date(), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('branch_id', 'year')
    )
    op.create_index(op.f('ix_appraisal_rounds_branch_id'), 'appraisal_rounds', ['branch_id'], unique=False)
    op.create_index(op.f('ix_appraisal_rounds_org_code'), 'appraisal_rounds', ['org_code'], unique=False)
    op.create_index(op.f('ix_appraisal_rounds_status'), 'appraisal_rounds', ['status'], unique=False)
    op.create_index(op.f('ix_appraisal_rounds_year'), 'appraisal_rounds', ['year'], unique=False)
    op.create_table('branch_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('org_code', sa.String(length=18), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('rated_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('branch_id', 'year')
    )
    op.create_index(op.f('ix_branch_ratings_band'), 'branch_ratings', ['band'], unique=False)
    op.create_index(op.f('ix_branch_ratings_branch_id'), 'branch_ratings', ['branch_id'], unique=False)
    op.create_index(op.f('ix_branch_ratings_org_code'), 'branch_ratings', ['org_code'], unique=False)
    op.create_index(op.f('ix_branch_ratings_year'), 'branch_ratings', ['year'], unique=False)
    op.create_table('commitment_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_member_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('org_code', sa.String(length=18), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('peer_average', sa.Float(), nullable=True),
    sa.Column('peer_ratings', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('assessment_note', sa.String(length=500), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('party_member_id', 'year')
    )
    op.create_index(op.f('ix_commitment_cards_branch_id'), 'commitment_cards', ['branch_id'], unique=False)
    op.create_index(op.f('ix_commitment_cards_org_code'), 'commitment_cards', ['org_code'], unique=False)
    op.create_index(op.f('ix_commitment_cards_party_member_id'), 'commitment_cards', ['party_member_id'], unique=False)
    op.create_index(op.f('ix_commitment_cards_stage'), 'commitment_cards', ['stage'], unique=False)
    op.create_index(op.f('ix_commitment_cards_year'), 'commitment_cards', ['year'], unique=False)
    op.create_table('appraisal_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('voter_kind', sa.String(length=20), nullable=False),
    sa.Column('voter_ref', sa.String(length=64), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('cast_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['appraisal_rounds.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'voter_ref')
    )
    op.create_index(op.f('ix_appraisal_ballots_round_id'), 'appraisal_ballots', ['round_id'], unique=False)
    op.create_table('appraisal_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('party_member_id', sa.Integer(), nullable=False),
    sa.Column('excellent_votes', sa.Integer(), nullable=False),
    sa.Column('qualified_votes', sa.Integer(), nullable=False),
    sa.Column('basically_qualified_votes', sa.Integer(), nullable=False),
    sa.Column('unqualified_votes', sa.Integer(), nullable=False),
    sa.Column('counted_band', sa.String(length=20), nullable=False),
    sa.Column('band', sa.String(length=20), nullable=False),
    sa.Column('override_reason', sa.String(length=500), nullable=True),
    sa.Column('overridden_by', sa.String(length=100), nullable=True),
    sa.Column('overridden_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['appraisal_rounds.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'party_member_id')
    )
    op.create_index(op.f('ix_appraisal_results_band'), 'appraisal_results', ['band'], unique=False)
    op.create_index(op.f('ix_appraisal_results_party_member_id'), 'appraisal_results', ['party_member_id'], unique=False)
    op.create_index(op.f('ix_appraisal_results_round_id'), 'appraisal_results', ['round_id'], unique=False)
    op.create_table('commitment_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('rater_ref', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('rated_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['commitment_cards.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('card_id', 'rater_ref')
    )
    op.create_index(op.f('ix_commitment_ratings_card_id'), 'commitment_ratings', ['card_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_commitment_ratings_card_id'), table_name='commitment_ratings')
    op.drop_table('commitment_ratings')
    op.drop_index(op.f('ix_appraisal_results_round_id'), table_name='appraisal_results')
    op.drop_index(op.f('ix_appraisal_results_party_member_id'), table_name='appraisal_results')
    op.drop_index(op.f('ix_appraisal_results_band'), table_name='appraisal_results')
    op.drop_table('appraisal_results')
    op.drop_index(op.f('ix_appraisal_ballots_round_id'), table_name='appraisal_ballots')
    op.drop_table('appraisal_ballots')
    op.drop_index(op.f('ix_commitment_cards_year'), table_name='commitment_cards')
    op.drop_index(op.f('ix_commitment_cards_stage'), table_name='commitment_cards')
    op.drop_index(op.f('ix_commitment_cards_party_member_id'), table_name='commitment_cards')
    op.drop_index(op.f('ix_commitment_cards_org_code'), table_name='commitment_cards')
    op.drop_index(op.f('ix_commitment_cards_branch_id'), table_name='commitment_cards')
    op.drop_table('commitment_cards')
    op.drop_index(op.f('ix_branch_ratings_year'), table_name='branch_ratings')
    op.drop_index(op.f('ix_branch_ratings_org_code'), table_name='branch_ratings')
    op.drop_index(op.f('ix_branch_ratings_branch_id'), table_name='branch_ratings')
    op.drop_index(op.f('ix_branch_ratings_band'), table_name='branch_ratings')
    op.drop_table('branch_ratings')
    op.drop_index(op.f('ix_appraisal_rounds_year'), table_name='appraisal_rounds')
    op.drop_index(op.f('ix_appraisal_rounds_status'), table_name='appraisal_rounds')
    op.drop_index(op.f('ix_appraisal_rounds_org_code'), table_name='appraisal_rounds')
    op.drop_index(op.f('ix_appraisal_rounds_branch_id'), table_name='appraisal_rounds')
    op.drop_table('appraisal_rounds')
