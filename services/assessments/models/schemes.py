"""Assessment schemes 考核方案: who is assessed, over which periods, on which weighted
indicators, and the rules that turn other services' events into points."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.assessments.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class Scheme(Base):
    """A scheme over the subjects of one kind within ``org_code``. Only an ``active`` scheme
    counts; one imposed on communities waits in ``pending_approval`` for the district (the
    admission gate 准入). A change bumps ``lock_version`` first (the portable row lock)."""

    __tablename__ = "schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(100))  # who imposes it (区民政局, the street...)
    subject_kind: Mapped[str] = mapped_column(String(20), index=True)  # catalogue.SUBJECT_KINDS
    period: Mapped[str] = mapped_column(String(10))  # catalogue.PERIODS
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the area its subjects lie in
    status: Mapped[str] = mapped_column(String(20), index=True)  # catalogue.SCHEME_STATUSES
    counts_from: Mapped[date] = mapped_column(Date)  # events on or after this day count
    counts_until: Mapped[date | None] = mapped_column(Date, nullable=True)  # inclusive; None: open
    star_thresholds: Mapped[list] = mapped_column(JSON, default=list)  # ascending totals: 1★, 2★...
    bottom_n: Mapped[int] = mapped_column(Integer, default=3)  # flagged at the bottom of a ranking
    description: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Indicator(Base):
    """A weighted indicator of a scheme: its points come from event rules, manual scores
    (inspections) or survey results, as ``source`` says."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(Integer, ForeignKey("schemes.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10))  # catalogue.INDICATOR_SOURCES
    weight: Mapped[float] = mapped_column(Float, default=1.0)  # the total is Σ weight × points
    full_marks: Mapped[float | None] = mapped_column(Float, nullable=True)  # a survey's 100% worth


class ScoringRule(Base):
    """Points for each event of ``event_type`` meeting every condition, to the subject the event
    names in ``subject_field``: ``points``, times the number in ``per_field`` when one is named.
    Conditions: ``[{"field": .., "op": "eq"|"ne"|"gte"|"lte"|"in", "value": ..}]``."""

    __tablename__ = "scoring_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(Integer, ForeignKey("schemes.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(Integer, ForeignKey("indicators.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(120), index=True)
    subject_field: Mapped[str] = mapped_column(String(60))
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    points: Mapped[float] = mapped_column(Float)
    per_field: Mapped[str | None] = mapped_column(String(60), nullable=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
