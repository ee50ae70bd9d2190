"""Assistance cases 救助审批 (minimum allowance, medical aid): the case, its steps (append-only
history), the postings of its public notice 三榜公示 and the objections 异议 lodged against it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.tickets.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class AssistanceCase(Base):
    __tablename__ = "assistance_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    resident_id: Mapped[int] = mapped_column(Integer, index=True)  # membership's id
    grid_code: Mapped[str] = mapped_column(String(18), index=True)
    community_code: Mapped[str] = mapped_column(String(18), index=True)
    stage: Mapped[str] = mapped_column(String(25), index=True)
    # "<resident_id>:<kind>" while the case is open, NULL once decided: one open case per
    # resident and kind, kept by a unique constraint (NULLs never collide)
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    applied_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    votes_for: Mapped[int | None] = mapped_column(Integer, nullable=True)
    votes_against: Mapped[int | None] = mapped_column(Integer, nullable=True)
    abstentions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    appraised_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_round: Mapped[int] = mapped_column(Integer, default=0)
    notice_starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class AssistanceStep(Base):
    """One step of a case: who, when, what, why. ``seq`` numbers a case's steps."""

    __tablename__ = "assistance_steps"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_assistance_steps_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("assistance_cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    from_stage: Mapped[str | None] = mapped_column(String(25), nullable=True)
    to_stage: Mapped[str] = mapped_column(String(25))
    actor: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    acted_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AssistancePosting(Base):
    """One of the three postings 三榜 of a notice period (``notice_round`` counts the periods)."""

    __tablename__ = "assistance_postings"
    __table_args__ = (UniqueConstraint("case_id", "notice_round", "number",
                                       name="uq_assistance_postings_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("assistance_cases.id"), index=True)
    notice_round: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3
    posted_on: Mapped[date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200))
    posted_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AssistanceObjection(Base):
    __tablename__ = "assistance_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("assistance_cases.id"), index=True)
    notice_round: Mapped[int] = mapped_column(Integer)
    lodged_on: Mapped[date] = mapped_column(Date)
    objector: Mapped[str | None] = mapped_column(String(100), nullable=True)  # may be anonymous
    content: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10))  # pending / answered
    answer: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    lodged_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
