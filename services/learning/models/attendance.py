"""Attendance (one row per session and enrolment, corrected in place) and certificates (at
most one per enrolment: the unique constraint is what makes completion happen exactly once)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.learning.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class Attendance(Base):
    """A resident's status in one session. Posting it again corrects it: the row keeps who
    first recorded it, who changed it last and when, and how often it was corrected."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("session_id", "enrolment_id",
                                       name="uq_attendances_session_enrolment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, ForeignKey("course_sessions.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrolments.id"), index=True)
    course_id: Mapped[int] = mapped_column(Integer, ForeignKey("courses.id"), index=True)
    resident_id: Mapped[int] = mapped_column(Integer, index=True)  # membership's id
    status: Mapped[str] = mapped_column(String(10))  # present / late / excused / absent
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    corrections: Mapped[int] = mapped_column(Integer, default=0)
    first_recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Certificate(Base):
    """A completed course's certificate. ``number`` is set right after the row is inserted
    (its sequence is the row's id), so it is null only inside that transaction."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("enrolment_id", name="uq_certificates_enrolment"),
                      UniqueConstraint("number", name="uq_certificates_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    course_id: Mapped[int] = mapped_column(Integer, ForeignKey("courses.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrolments.id"))
    resident_id: Mapped[int] = mapped_column(Integer, index=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the course's, for scoping
    holder_name: Mapped[str] = mapped_column(String(100))  # as enrolled; masked when shown publicly
    course_title: Mapped[str] = mapped_column(String(100))
    school_name: Mapped[str] = mapped_column(String(100))
    hours: Mapped[float] = mapped_column(Float)  # of the sessions attended (present or late)
    attendance_rate: Mapped[float] = mapped_column(Float)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
