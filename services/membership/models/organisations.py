"""Organisations' tables: the party organisation tree, civil organisations, units based in the
area and their co-building agreements, cultural teams. Each hangs on a territory node by code
(``org_code``); ids are stable integers (party members will belong to branches and groups)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.membership.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class PartyOrganisation(Base):
    """A street working committee, community party committee, general branch, branch or group.
    A dissolved organisation stays (``status: dissolved``)."""

    __tablename__ = "party_organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("party_organisations.id"), index=True, nullable=True)
    secretary_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    founded_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")
    dissolved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    dissolved_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class CivilOrganisation(Base):
    """A civil organisation 民间组织 of a community and its filing 备案: unfiled → filed → revoked."""

    __tablename__ = "civil_organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    filing_status: Mapped[str] = mapped_column(String(12), default="unfiled", index=True)
    filed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    filing_number: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    revoked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class AreaUnit(Base):
    """A unit based in the area 驻区单位: a government office, enterprise, school, hospital..."""

    __tablename__ = "area_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class CoBuildingAgreement(Base):
    """A co-building agreement 共建协议 between a unit and a community: active, then expired or
    terminated."""

    __tablename__ = "co_building_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("area_units.id"), index=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(12), default="active")
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class CulturalTeam(Base):
    """A cultural team 文艺队伍 of a community: choir, yangge, waist drum, tai chi..."""

    __tablename__ = "cultural_teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    leader_name: Mapped[str] = mapped_column(String(50))
    member_count: Mapped[int] = mapped_column(Integer)
    founded_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
