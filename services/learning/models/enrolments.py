"""Enrolments: one row per (course, resident), its status telling where the resident stands.

enrolled (a seat) · waitlisted (``queue_no`` orders the list) · offered (promoted from the
waitlist: the seat is held until ``confirm_by``) · withdrawn · expired (an offer not confirmed
in time) · completed (the attendance threshold met; a certificate issued).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.learning.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("course_id", "resident_id", name="uq_enrolments_course_resident"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(Integer, ForeignKey("courses.id"), index=True)
    resident_id: Mapped[int] = mapped_column(Integer, index=True)  # membership's id
    resident_name: Mapped[str] = mapped_column(String(100))  # as membership had it (certificates)
    grid_code: Mapped[str] = mapped_column(String(18), index=True)  # the resident's, at enrolment
    status: Mapped[str] = mapped_column(String(12), index=True)
    queue_no: Mapped[int] = mapped_column(Integer, index=True)  # order of arrival on the course
    source: Mapped[str] = mapped_column(String(12), default="self")  # self / offer (targeted)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    confirm_by: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
