"""Residents and households' tables: the ID number is stored only as a keyed hash (uniqueness,
lookup), an AES-GCM sealed copy and its mask, never in clear."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.membership.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class Household(Base):
    """A household 户: an address in a grid, its members (residents pointing at it), a
    representative among them and its designations."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(200))
    grid_code: Mapped[str] = mapped_column(String(18), index=True)
    representative_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    learning_family: Mapped[bool] = mapped_column(Boolean, default=False)
    civilised_family: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)


class Resident(Base):
    """A resident 居民, registered 户籍 or floating 流动; moved out residents stay."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    gender: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date, index=True)
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_sealed: Mapped[str] = mapped_column(String(200))
    id_number_masked: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    address: Mapped[str] = mapped_column(String(200))
    grid_code: Mapped[str] = mapped_column(String(18), index=True)
    household_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("households.id"), index=True, nullable=True)
    residence: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="active")
    moved_out_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)


class ResidentFlag(Base):
    """One period of a flag on a resident: set (with reason and date) and, once cleared, the
    clearing; the rows are the history, the uncleared ones the current flags."""

    __tablename__ = "resident_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(Integer, ForeignKey("residents.id"), index=True)
    flag: Mapped[str] = mapped_column(String(30), index=True)
    set_on: Mapped[date] = mapped_column(Date)
    set_reason: Mapped[str] = mapped_column(String(500))
    set_by: Mapped[str] = mapped_column(String(100))
    cleared_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    cleared_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    cleared_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)


class ResidentMove(Base):
    """A move within the territory (grid to grid) or out of it (``to_grid_code`` empty)."""

    __tablename__ = "resident_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(Integer, ForeignKey("residents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    from_grid_code: Mapped[str] = mapped_column(String(18))
    to_grid_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    moved_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
