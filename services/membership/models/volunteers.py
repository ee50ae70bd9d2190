"""Volunteers, volunteer teams and the service-hours ledger's tables.

The ledger tables are append-only: the use cases only ever insert transactions and postings
(the one row that is updated is an account's ``updated_at``, touched to lock the account while
its balance is checked).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.membership.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class Volunteer(Base):
    """A resident enrolled as a volunteer 志愿者 in a community (once per resident)."""

    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(Integer, ForeignKey("residents.id"), unique=True)
    community_code: Mapped[str] = mapped_column(String(18), index=True)
    status: Mapped[str] = mapped_column(String(12), default="active")
    enrolled_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)


class VolunteerSkill(Base):
    __tablename__ = "volunteer_skills"
    __table_args__ = (UniqueConstraint("volunteer_id", "skill_key",
                                       name="uq_volunteer_skills_volunteer_skill"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(Integer, ForeignKey("volunteers.id"), index=True)
    skill: Mapped[str] = mapped_column(String(50))
    skill_key: Mapped[str] = mapped_column(String(50), index=True)  # casefolded, for filtering


class VolunteerTeam(Base):
    """A volunteer team 志愿服务队 of a community (patrol team, help-the-disabled, culture…)."""

    __tablename__ = "volunteer_teams"
    __table_args__ = (UniqueConstraint("community_code", "name",
                                       name="uq_volunteer_teams_community_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_code: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class VolunteerTeamMember(Base):
    __tablename__ = "volunteer_team_members"
    __table_args__ = (UniqueConstraint("team_id", "volunteer_id",
                                       name="uq_volunteer_team_members_team_volunteer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("volunteer_teams.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(Integer, ForeignKey("volunteers.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class HoursAccount(Base):
    """An account of the hours ledger: a volunteer's, or a community's "granted" account for a
    kind of work, or its "redeemed" account. ``key`` names it (see ``domain.volunteers``)."""

    __tablename__ = "hours_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    volunteer_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("volunteers.id"), unique=True, nullable=True)
    community_code: Mapped[str] = mapped_column(String(18), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class HoursTransaction(Base):
    """One balanced movement of hours. ``source_key`` is unique: the same piece of work
    credits a volunteer once; ``reverses_id`` is unique: a transaction is reversed once."""

    __tablename__ = "hours_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    volunteer_id: Mapped[int] = mapped_column(Integer, ForeignKey("volunteers.id"), index=True)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    source_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    org_code: Mapped[str] = mapped_column(String(18))
    activity_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    reverses_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("hours_transactions.id"), unique=True, nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class HoursPosting(Base):
    """One line of a transaction: ``amount`` hundredths of an hour on one account."""

    __tablename__ = "hours_postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("hours_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(Integer, ForeignKey("hours_accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
