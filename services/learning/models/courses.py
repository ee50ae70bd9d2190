"""Courses and their sessions (a class at a time, in a venue, with a teacher)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.learning.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(Integer, ForeignKey("schools.id"), index=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the school's, for scoping
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str] = mapped_column(String(20), index=True)  # domain.courses.CATEGORIES
    target_group: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    # who may enrol, when the course requires it: {age_min, age_max, party_member, laid_off,
    # community_code} (each optional); empty = anyone in the territory
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    format: Mapped[str] = mapped_column(String(20))  # long_course / lecture / hands_on
    teacher_id: Mapped[int] = mapped_column(Integer, ForeignKey("teachers.id"), index=True)
    capacity: Mapped[int] = mapped_column(Integer)
    enrol_opens_at: Mapped[datetime] = mapped_column(UtcDateTime())
    enrol_closes_at: Mapped[datetime] = mapped_column(UtcDateTime())
    confirm_hours: Mapped[int] = mapped_column(Integer, default=48)  # a promoted seat is held so long
    completion_threshold: Mapped[float] = mapped_column(Float, default=0.75)
    # weight of each attendance status towards completion: {present, late, excused, absent}
    attendance_weights: Mapped[dict] = mapped_column(JSON, default=dict)
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)  # 常设课程
    brand: Mapped[bool] = mapped_column(Boolean, default=False)  # 品牌课程
    status: Mapped[str] = mapped_column(String(12), index=True, default="open")
    # seats counted under the course row's lock: enrolled + offered never exceeds capacity
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    next_queue_no: Mapped[int] = mapped_column(Integer, default=1)  # the waitlist's order
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class CourseSession(Base):
    __tablename__ = "course_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(Integer, ForeignKey("courses.id"), index=True)
    venue_id: Mapped[int] = mapped_column(Integer, ForeignKey("venues.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(Integer, ForeignKey("teachers.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    topic: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(12), index=True, default="scheduled")
    # scheduled / held (attendance taken; a volunteer teacher's hours emitted) / cancelled
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
