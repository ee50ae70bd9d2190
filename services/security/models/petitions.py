"""Petitions 信访: each petition with its deadlines as they stand, and its history of steps."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.security.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class Petition(Base):
    """A registered petition. ``due_on`` is the deadline of the step it waits for (None when it
    waits for none), kept on every step so "overdue" is one indexed comparison. A step bumps
    ``lock_version`` first (the row lock, portable to SQLite and PostgreSQL)."""

    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # grid or community, scoping
    community_code: Mapped[str] = mapped_column(String(12), index=True)
    channel: Mapped[str] = mapped_column(String(10), index=True)  # domain.petitions.CHANNELS
    petitioners: Mapped[int] = mapped_column(Integer)
    is_group: Mapped[bool] = mapped_column(Boolean, index=True)
    subject: Mapped[str] = mapped_column(String(200))
    petitioner_name: Mapped[str] = mapped_column(String(100))
    petitioner_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)  # shown masked
    status: Mapped[str] = mapped_column(String(20), index=True)
    registered_on: Mapped[date] = mapped_column(Date, index=True)
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    declined_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decline_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    extended_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    extension_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    answer_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reviewed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    review_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    last_step_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class PetitionStep(Base):
    """One step of a petition's history (registered, accepted, extended, answered, ...)."""

    __tablename__ = "petition_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(Integer, ForeignKey("petitions.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    status_from: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status_to: Mapped[str] = mapped_column(String(20))
    happened_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
