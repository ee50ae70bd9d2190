"""Targeted course offers: a laid-off resident (flagged in membership) offered the next
re-employment course of their community. One offer per (resident, course)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.learning.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class CourseOffer(Base):
    __tablename__ = "course_offers"
    __table_args__ = (UniqueConstraint("resident_id", "course_id",
                                       name="uq_course_offers_resident_course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(Integer, index=True)  # membership's id
    grid_code: Mapped[str] = mapped_column(String(18), index=True)  # the resident's, for scoping
    course_id: Mapped[int] = mapped_column(Integer, ForeignKey("courses.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # offered / accepted / declined
    reason: Mapped[str] = mapped_column(String(20))  # the membership flag that led to it
    source_event_id: Mapped[str] = mapped_column(String(36))  # membership.resident_flagged
    enrolment_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("enrolments.id"),
                                                     nullable=True)  # once accepted
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    responded_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
