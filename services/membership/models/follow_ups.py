"""Follow-ups 组织处置 of party members: a member rated unqualified 不合格 in a democratic
appraisal (assessments.member_rated_unqualified) is followed up by the branch until it is
closed with an outcome (``domain`` vocabulary in ``services.membership.follow_ups``)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.membership.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class FollowUp(Base):
    """One follow-up of a party member; at most one per (member, source round), so an event
    delivered again (or sent again under a new id) opens nothing more. Scope follows the
    member's own ``org_code``. Closing bumps ``lock_version`` first (the portable row lock)."""

    __tablename__ = "party_follow_ups"
    __table_args__ = (UniqueConstraint("party_member_id", "source", "source_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_member_id: Mapped[int] = mapped_column(Integer, ForeignKey("party_members.id"),
                                                 index=True)
    reason: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(40))  # "democratic_appraisal"
    source_ref: Mapped[str] = mapped_column(String(40))  # the appraisal round's id
    source_event_id: Mapped[str] = mapped_column(String(36))
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # open / closed
    opened_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    outcome_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
