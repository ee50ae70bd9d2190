"""Special populations: supervision files of released prisoners 刑释解教 and people under
community correction 社区矫正 (restricted to security officers), their visits and
re-screenings; and floating-population registration checks.

No ID number is stored (membership keeps it): a file names its resident by membership's id and
the name membership gave. The next due dates are kept on the file so "overdue" is a query.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.security.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class SupervisionFile(Base):
    """One person's file, with a one-to-one helper (帮教人); at most one open per resident."""

    __tablename__ = "supervision_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(Integer, index=True)  # membership's
    resident_name: Mapped[str] = mapped_column(String(100))  # as membership gave it
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the resident's grid
    category: Mapped[str] = mapped_column(String(24))  # catalogue.SUPERVISION_CATEGORIES
    released_on: Mapped[date] = mapped_column(Date)
    supervision_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    opened_on: Mapped[date] = mapped_column(Date)
    risk_level: Mapped[str] = mapped_column(String(8))
    visit_every_days_override: Mapped[int | None] = mapped_column(Integer, nullable=True)
    helper_name: Mapped[str] = mapped_column(String(100))
    helper_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    helper_relation: Mapped[str] = mapped_column(String(12))
    last_visited_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_visit_due: Mapped[date] = mapped_column(Date, index=True)
    last_screened_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_screening_due: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(8), index=True)
    closure_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class SupervisionVisit(Base):
    __tablename__ = "supervision_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(Integer, ForeignKey("supervision_files.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    visitor: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(12))
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SupervisionScreening(Base):
    __tablename__ = "supervision_screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(Integer, ForeignKey("supervision_files.id"), index=True)
    screened_on: Mapped[date] = mapped_column(Date)
    risk_level: Mapped[str] = mapped_column(String(8))
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class FloatingCheck(Base):
    """A registration check of a floating resident 流动人口 (not restricted)."""

    __tablename__ = "floating_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(Integer, index=True)
    resident_name: Mapped[str] = mapped_column(String(100))
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the resident's grid
    checked_on: Mapped[date] = mapped_column(Date, index=True)
    checker: Mapped[str] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
