"""A ticket's history: every change is one appended ``TicketTransition`` (and, by its caller,
one event). The one place transitions are written, for the lifecycle, the SLA clock and Open311.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from services.tickets.models import Ticket, TicketTransition
from shared.events.outbox import utcnow


def append_transition(session, ticket: Ticket, action: str, actor: str, *,
                      to_status: str | None = None, comment: str | None = None,
                      details: dict | None = None, at: datetime | None = None) -> TicketTransition:
    """Record ``action`` on ``ticket`` (whose row the caller has locked or just created) and move
    it to ``to_status`` (default: where it is). ``at``: when it happened (default now; demo data
    and back-dated imports give it). Returns the new row, flushed (its id is set)."""
    if ticket.id is None:  # a new ticket: flush it first, its history hangs on its id
        session.flush()
    last = session.scalar(select(func.max(TicketTransition.seq))
                          .where(TicketTransition.ticket_id == ticket.id))
    from_status = ticket.status if last else None  # the first change comes from nowhere
    target = to_status or ticket.status
    transition = TicketTransition(ticket_id=ticket.id, seq=(last or 0) + 1, action=action,
                                  from_status=from_status, to_status=target, actor=actor,
                                  comment=comment, details=details or {}, at=at or utcnow())
    ticket.status = target
    session.add(transition)
    session.flush()
    return transition
