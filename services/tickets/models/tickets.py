"""Ticket categories, tickets 工单, their attachments and their transitions (the audit trail).

``ticket_transitions`` is append-only: every change of a ticket (a status change, a reminder, an
extension request, a callback) is one row, and it is what the Open311 update feed serves.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.tickets.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class TicketCategory(Base):
    """A kind of request (an Open311 "service") with its SLA."""

    __tablename__ = "ticket_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # Open311 service_code
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    group: Mapped[str] = mapped_column(String(40), index=True)  # Open311 "group"
    keywords: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    sla_hours: Mapped[int] = mapped_column(Integer)  # due time = accepted/submitted + this
    response_hours: Mapped[int] = mapped_column(Integer)  # to count as "responded" in time
    fee_class: Mapped[str] = mapped_column(String(10), default="free")  # free / low_fee / paid
    is_dispute: Mapped[bool] = mapped_column(Boolean, default=False)
    # Open311 attribute definitions: [{code, datatype, required, description, order,
    # datatype_description, values: [{key, name}]}]; empty = no service definition needed.
    attributes: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)  # Open311 service_request_id
    token: Mapped[str] = mapped_column(String(36), unique=True)  # Open311 token (a uuid4)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    category_code: Mapped[str] = mapped_column(String(40), ForeignKey("ticket_categories.code"),
                                               index=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    fee_class: Mapped[str] = mapped_column(String(10), default="free")
    # who reported: a resident (membership id) or a person named by the channel, or nobody
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_resident_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    reporter_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reporter_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)  # shown masked
    reporter_email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # where: the grid (always), its community and street (derived, for scoping and rates)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    grid_code: Mapped[str] = mapped_column(String(18), index=True)
    community_code: Mapped[str] = mapped_column(String(18), index=True)
    street_code: Mapped[str] = mapped_column(String(18), index=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)  # Open311 attribute answers
    # who is responsible now, and who first received it (stays accountable)
    level: Mapped[str] = mapped_column(String(10), default="community")  # community/street/district
    responsible_code: Mapped[str] = mapped_column(String(18), index=True)
    accountable_code: Mapped[str] = mapped_column(String(18), index=True)
    assignee_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    assignee_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # the clock
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sla_breached_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True,
                                                            index=True)
    due_soon_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    extension_requested_until: Mapped[datetime | None] = mapped_column(UtcDateTime(),
                                                                      nullable=True)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    escalation_count: Mapped[int] = mapped_column(Integer, default=0)
    # the callback 回访
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(String(500), nullable=True)
    satisfied: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow,
                                                 index=True)


class TicketAttachment(Base):
    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(Integer, ForeignKey("tickets.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # Open311 media has none
    media_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TicketTransition(Base):
    """One change of a ticket: who, when, what, why. ``seq`` numbers a ticket's changes."""

    __tablename__ = "ticket_transitions"
    __table_args__ = (UniqueConstraint("ticket_id", "seq", name="uq_ticket_transitions_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # the update feed's cursor
    ticket_id: Mapped[int] = mapped_column(Integer, ForeignKey("tickets.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # assignee, reason, new due time…
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
