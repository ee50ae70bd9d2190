"""Party study 学习型党组织: a branch's study sessions, who signed in, the study notes written,
and the marks that a member met a year's quotas (so the event says it once)."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.learning.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class StudySession(Base):
    """One study day or meeting of a branch; at most one of a kind per branch and day, so
    planning a cadence twice adds nothing. Recording attendance bumps ``lock_version`` first
    (the row lock, portable to SQLite and PostgreSQL)."""

    __tablename__ = "study_sessions"
    __table_args__ = (UniqueConstraint("branch_id", "kind", "held_on",
                                       name="uq_study_sessions_branch_kind_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(Integer, index=True)  # membership's party organisation
    branch_name: Mapped[str] = mapped_column(String(100))
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the branch's, for scoping
    kind: Mapped[str] = mapped_column(String(20), index=True)  # catalogue.STUDY_SESSION_KINDS
    held_on: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[time | None] = mapped_column(Time, nullable=True)
    topic: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str | None] = mapped_column(String(200), nullable=True)
    speaker: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note_min_chars: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True, default="scheduled")
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class StudyAttendance(Base):
    """A member's sign-in for a session (present / late / excused / absent); re-posting a
    member's record changes its status."""

    __tablename__ = "study_attendance"
    __table_args__ = (UniqueConstraint("session_id", "party_member_id",
                                       name="uq_study_attendance_session_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, ForeignKey("study_sessions.id"), index=True)
    party_member_id: Mapped[int] = mapped_column(Integer, index=True)  # membership's id
    member_name: Mapped[str] = mapped_column(String(100))  # as membership had it
    status: Mapped[str] = mapped_column(String(12))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class StudyNote(Base):
    """A member's study notes 学习笔记 (and reflection 心得) for a session: one each."""

    __tablename__ = "study_notes"
    __table_args__ = (UniqueConstraint("session_id", "party_member_id",
                                       name="uq_study_notes_session_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, ForeignKey("study_sessions.id"), index=True)
    party_member_id: Mapped[int] = mapped_column(Integer, index=True)
    member_name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)  # characters, whitespace not counted
    reflection: Mapped[str | None] = mapped_column(Text, nullable=True)
    written_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StudyQuotaMark(Base):
    """A member met both yearly quotas: written with ``learning.study_quota_met``, once per
    (member, year), whatever is re-posted afterwards."""

    __tablename__ = "study_quota_marks"
    __table_args__ = (UniqueConstraint("party_member_id", "year",
                                       name="uq_study_quota_marks_member_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_member_id: Mapped[int] = mapped_column(Integer, index=True)
    year: Mapped[int] = mapped_column(Integer)
    branch_id: Mapped[int] = mapped_column(Integer)
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    study_days_attended: Mapped[int] = mapped_column(Integer)
    sessions_attended: Mapped[int] = mapped_column(Integer)
    session_id: Mapped[int] = mapped_column(Integer)  # the session whose sign-in met them
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
