"""Party members' tables: the member (one per resident, in a branch and optionally a group) and
the history of their steps through the development pipeline."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.membership.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class PartyMember(Base):
    """A resident with a party record 党员: branch and group, category, pipeline stage. The
    ``org_code`` is the branch's territory node (scope and filters follow it)."""

    __tablename__ = "party_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(Integer, ForeignKey("residents.id"), unique=True)
    branch_id: Mapped[int] = mapped_column(Integer, ForeignKey("party_organisations.id"),
                                           index=True)
    group_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("party_organisations.id"), index=True, nullable=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    category: Mapped[str] = mapped_column(String(16), index=True)
    stage: Mapped[str] = mapped_column(String(20), index=True)
    stage_since: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    extended: Mapped[int] = mapped_column(Integer, default=0)  # probationary extensions
    observed_since: Mapped[date | None] = mapped_column(Date, nullable=True)  # last transfer in
    pending_to_code: Mapped[str | None] = mapped_column(String(18), index=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class PartyMemberStep(Base):
    """One step of a member's pipeline, with its date: the history, append-only."""

    __tablename__ = "party_member_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, ForeignKey("party_members.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    from_stage: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_stage: Mapped[str] = mapped_column(String(20))
    on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PartyMemberTransfer(Base):
    """A transfer of the party relationship 组织关系转接, out (to a community of the platform or,
    with a destination text, outside it) or in (from one, or from outside with an origin)."""

    __tablename__ = "party_member_transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, ForeignKey("party_members.id"), index=True)
    direction: Mapped[str] = mapped_column(String(4))
    on: Mapped[date] = mapped_column(Date)
    from_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    to_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)  # destination / origin
    stage: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PartyMemberRegistration(Base):
    """An in-service member's registration 报到 with the community where they live."""

    __tablename__ = "party_member_registrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, ForeignKey("party_members.id"), unique=True)
    community_code: Mapped[str] = mapped_column(String(18), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    workplace: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class PartyPostClaim(Base):
    """A post 岗位 claimed 认岗 by an in-service member in their residential community: one per
    member per year."""

    __tablename__ = "party_post_claims"
    __table_args__ = (UniqueConstraint("member_id", "year", name="uq_party_post_claims_member_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, ForeignKey("party_members.id"), index=True)
    community_code: Mapped[str] = mapped_column(String(18), index=True)
    post: Mapped[str] = mapped_column(String(30), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    claimed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PartyQuotaItem(Base):
    """One record toward a member's yearly "four ones" 四个一: an activity, an act of care, a
    good deed or a suggestion, with its date and text."""

    __tablename__ = "party_quota_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, ForeignKey("party_members.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(String(1000))
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PartyMobileRecord(Base):
    """A mobile member's line in the ledger 流动党员台账: where they are, since when, and their
    one-to-one contact (another party member of the community)."""

    __tablename__ = "party_mobile_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, ForeignKey("party_members.id"), unique=True)
    location: Mapped[str] = mapped_column(String(200))
    since: Mapped[date] = mapped_column(Date)
    contact_id: Mapped[int] = mapped_column(Integer, ForeignKey("party_members.id"), unique=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
