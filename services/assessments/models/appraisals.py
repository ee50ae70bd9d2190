"""Appraisals: democratic appraisal rounds of a party branch 民主评议党员 with their ballots and
results, "five goods" 五个好 branch ratings, and party members' commitment cards 承诺卡 with their
peer ratings. Every row carries its branch's territory node as ``org_code`` (scope follows it);
people are membership's ids, never names."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.assessments.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class AppraisalRound(Base):
    """One branch's democratic appraisal for a year: open → voting → counted. ``member_ids`` is
    the roll (the branch's active members when the round was opened). A ballot or a count bumps
    ``lock_version`` first (the portable row lock)."""

    __tablename__ = "appraisal_rounds"
    __table_args__ = (UniqueConstraint("branch_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(Integer, index=True)  # membership's party branch
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the branch's node
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # domain.appraisals.ROUND_STATUSES
    member_ids: Mapped[list] = mapped_column(JSON, default=list)
    ballots: Mapped[int] = mapped_column(Integer, default=0)
    voting_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    counted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class AppraisalBallot(Base):
    """One voter's ballot: ``ratings`` maps a member id (as text) to a rating. One per voter per
    round."""

    __tablename__ = "appraisal_ballots"
    __table_args__ = (UniqueConstraint("round_id", "voter_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, ForeignKey("appraisal_rounds.id"), index=True)
    voter_kind: Mapped[str] = mapped_column(String(20))  # domain.appraisals.VOTER_KINDS
    voter_ref: Mapped[str] = mapped_column(String(64))
    ratings: Mapped[dict] = mapped_column(JSON, default=dict)
    cast_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AppraisalResult(Base):
    """A member's votes and band in a counted round; ``band`` is ``counted_band`` unless the
    branch committee overrode it (with a reason)."""

    __tablename__ = "appraisal_results"
    __table_args__ = (UniqueConstraint("round_id", "party_member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, ForeignKey("appraisal_rounds.id"), index=True)
    party_member_id: Mapped[int] = mapped_column(Integer, index=True)
    excellent_votes: Mapped[int] = mapped_column(Integer)
    qualified_votes: Mapped[int] = mapped_column(Integer)
    basically_qualified_votes: Mapped[int] = mapped_column(Integer)
    unqualified_votes: Mapped[int] = mapped_column(Integer)
    counted_band: Mapped[str] = mapped_column(String(20))
    band: Mapped[str] = mapped_column(String(20), index=True)
    override_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    overridden_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    overridden_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class BranchRating(Base):
    """A branch's "five goods" rating for a year: ``scores`` maps each criterion to 0-20."""

    __tablename__ = "branch_ratings"
    __table_args__ = (UniqueConstraint("branch_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(Integer, index=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=0)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    rated_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class CommitmentCard(Base):
    """A party member's pledge for a year: pledged → published → peer_rated → assessed."""

    __tablename__ = "commitment_cards"
    __table_args__ = (UniqueConstraint("party_member_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_member_id: Mapped[int] = mapped_column(Integer, index=True)
    branch_id: Mapped[int] = mapped_column(Integer, index=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    items: Mapped[list] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(20), index=True)  # domain.appraisals.CARD_STAGES
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    peer_average: Mapped[float | None] = mapped_column(Float, nullable=True)
    peer_ratings: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    assessment_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    assessed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class CommitmentRating(Base):
    """A peer's rating of a published card, 1-5; one per rater per card."""

    __tablename__ = "commitment_ratings"
    __table_args__ = (UniqueConstraint("card_id", "rater_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(Integer, ForeignKey("commitment_cards.id"), index=True)
    rater_ref: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    rated_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
