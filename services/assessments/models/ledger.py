"""The points ledger 积分: append-only entries, each tied to what caused it; the scorecards
maintained from it; the events received, kept so any scorecard can be replayed from them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.assessments.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class ReceivedEvent(Base):
    """Every event assessments listens to, as received (the log replays read)."""

    __tablename__ = "received_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(120), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    org_code: Mapped[str] = mapped_column(String(18))
    data: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class LedgerEntry(Base):
    """One line of points, never edited: a correction is a new entry (``corrects_entry_id``).
    Points are kept in hundredths (``hundredths``), exact on every backend; ``weighted_hundredths``
    is what the entry adds to the scorecard's total (the indicator's weight applied).
    An event counts once per rule and subject: (rule_id, event_id, subject_ref, revision) is
    unique, and a rescoring appends revision 1, 2, ... of the same key."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("rule_id", "event_id", "subject_ref", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(Integer, ForeignKey("schemes.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(Integer, ForeignKey("indicators.id"))
    rule_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("scoring_rules.id"), nullable=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_ref: Mapped[str] = mapped_column(String(40))  # a territory code or a membership id
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # where the subject lies (scope)
    parent_code: Mapped[str] = mapped_column(String(18))  # what it is ranked within
    period_key: Mapped[str] = mapped_column(String(10))  # 2026-11 / 2026-Q4 / 2026
    hundredths: Mapped[int] = mapped_column(Integer)
    weighted_hundredths: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(12))  # catalogue.ENTRY_SOURCES
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    event_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    corrects_entry_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("ledger_entries.id"), nullable=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())  # when what it scores happened
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Scorecard(Base):
    """A subject's figures for one period of a scheme, kept up to date as entries append
    (``total_hundredths`` is Σ of the entries' weighted hundredths) and recomputable from them."""

    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("scheme_id", "subject_ref", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(Integer, ForeignKey("schemes.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_ref: Mapped[str] = mapped_column(String(40))
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    parent_code: Mapped[str] = mapped_column(String(18), index=True)
    period_key: Mapped[str] = mapped_column(String(10), index=True)
    total_hundredths: Mapped[int] = mapped_column(Integer, default=0)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class ScorecardLine(Base):
    """A scorecard's points on one indicator (unweighted hundredths)."""

    __tablename__ = "scorecard_lines"
    __table_args__ = (UniqueConstraint("scorecard_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(Integer, ForeignKey("scorecards.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(Integer, ForeignKey("indicators.id"))
    hundredths: Mapped[int] = mapped_column(Integer, default=0)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)


class SurveyResult(Base):
    """A satisfaction survey's result for a subject and period; its points are entered in the
    ledger (``ledger_entry_id``): the indicator's full marks × satisfied ÷ respondents."""

    __tablename__ = "survey_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(Integer, ForeignKey("schemes.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(Integer, ForeignKey("indicators.id"))
    subject_ref: Mapped[str] = mapped_column(String(40))
    period_key: Mapped[str] = mapped_column(String(10))
    respondents: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ledger_entry_id: Mapped[int] = mapped_column(Integer, ForeignKey("ledger_entries.id"))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
