"""Schools 社区学校 / 市民学校 / 党校 and their branch schools, the venues classes are held in,
and the teachers who teach (a volunteer of membership, or someone hired)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.learning.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class School(Base):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("org_code", "name", name="uq_schools_org_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the street or community it serves
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), index=True)  # domain.schools.SCHOOL_KINDS
    parent_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("schools.id"), nullable=True,
                                                  index=True)  # a branch school's school
    address: Mapped[str] = mapped_column(String(200))
    founded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    opening_hours: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Venue(Base):
    """A room or centre classes are held in. Sessions booking it lock its row first, so two
    overlapping bookings cannot both pass the clash check."""

    __tablename__ = "venues"
    __table_args__ = (UniqueConstraint("org_code", "name", name="uq_venues_org_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    school_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("schools.id"), nullable=True,
                                                  index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)  # bumped to take the row lock
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Teacher(Base):
    """Who teaches: a membership volunteer (``volunteer_id``; about half of them) or someone
    hired. Scheduling a session locks the teacher's row, as for venues."""

    __tablename__ = "teachers"
    __table_args__ = (UniqueConstraint("volunteer_id", name="uq_teachers_volunteer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)  # volunteer / hired
    volunteer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # membership's id
    name: Mapped[str] = mapped_column(String(100))
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
