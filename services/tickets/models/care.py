"""Care plans 关爱计划: one per (resident, flag), its schedule lines (one per visit kind, with the
next due day, so "missed" is a plain indexed query) and the visits recorded."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.tickets.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class CarePlan(Base):
    __tablename__ = "care_plans"
    # exactly one plan per (resident, flag), however often or however many flag events arrive
    __table_args__ = (UniqueConstraint("resident_id", "flag", name="uq_care_plans_resident_flag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(Integer, index=True)  # membership's id
    flag: Mapped[str] = mapped_column(String(30), index=True)
    grid_code: Mapped[str] = mapped_column(String(18), index=True)
    community_code: Mapped[str] = mapped_column(String(18), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # open / closed
    flagged_on: Mapped[date] = mapped_column(Date)  # the day membership set the flag
    starts_on: Mapped[date] = mapped_column(Date)  # the day the plan (last) opened
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    close_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    opened_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class CareScheduleLine(Base):
    """One kind of visit of a plan: its cadence, the last visit that counted, the next due day."""

    __tablename__ = "care_schedule_lines"
    __table_args__ = (UniqueConstraint("plan_id", "kind", name="uq_care_schedule_lines_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(Integer, ForeignKey("care_plans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    every_days: Mapped[int] = mapped_column(Integer)
    last_visited_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_due_on: Mapped[date] = mapped_column(Date, index=True)


class CareVisit(Base):
    __tablename__ = "care_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(Integer, ForeignKey("care_plans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    visitor: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
