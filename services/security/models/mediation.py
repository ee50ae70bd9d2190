"""Mediation 人民调解: a dispute's case (opened by hand or from a dispute ticket), its parties and
sessions, and its outcome."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.security.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class MediationCase(Base):
    """One dispute under mediation. ``ticket_id`` is unique: a dispute ticket opens one case
    however often its event arrives. Closing and recording a session bump ``lock_version``
    first (the row lock, portable to SQLite and PostgreSQL)."""

    __tablename__ = "mediation_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the grid's, else the community's
    community_code: Mapped[str] = mapped_column(String(12), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    dispute_type: Mapped[str] = mapped_column(String(12), index=True)  # catalogue.DISPUTE_TYPES
    summary: Mapped[str] = mapped_column(Text)
    mediator_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    mediator_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status: Mapped[str] = mapped_column(String(8), index=True, default="open")
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    agreement_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class MediationParty(Base):
    """A party to the dispute. ``name`` is empty for the reporter of a ticket (the event carries
    no names: only the resident id); the phone is shown masked."""

    __tablename__ = "mediation_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    role: Mapped[str] = mapped_column(String(12))  # catalogue.PARTY_ROLES
    resident_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)


class MediationSession(Base):
    """One sitting of the mediation: when, what was said, who attended."""

    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text)
    attendees: Mapped[list] = mapped_column(JSON, default=list)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
