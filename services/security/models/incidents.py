"""Grid workers 网格员 assigned to grids, and incidents 事件 with their history of steps."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.security.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class GridWorkerAssignment(Base):
    """A worker (a principal, as tokens carry it in ``sub``) holding a grid from ``since`` until
    ``until`` (open = still holding it). A worker may hold several grids."""
    __tablename__ = "grid_worker_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(18), index=True)
    worker_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)  # shown masked
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)  # catalogue.INCIDENT_KINDS
    severity: Mapped[str] = mapped_column(String(10), index=True)  # catalogue.SEVERITIES
    level: Mapped[str] = mapped_column(String(10), index=True)  # red / yellow / blue
    status: Mapped[str] = mapped_column(String(20), index=True)
    grid_code: Mapped[str] = mapped_column(String(18), index=True)  # scoping
    community_code: Mapped[str] = mapped_column(String(12), index=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str] = mapped_column(Text)
    reporter_kind: Mapped[str] = mapped_column(String(20))
    reporter_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reported_by: Mapped[str] = mapped_column(String(100))  # the reporting principal
    source_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    source_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    occurred_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    assignee_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    assignee_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    verified_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    escalated_to: Mapped[str | None] = mapped_column(String(10), nullable=True)  # "street"
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class IncidentTransition(Base):
    """One step of an incident's history (its first is ``report``)."""
    __tablename__ = "incident_transitions"
    __table_args__ = (UniqueConstraint("incident_id", "seq", name="uq_incident_transition_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(Integer, ForeignKey("incidents.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
