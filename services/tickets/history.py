"""A ticket's history: every change is one appended ``TicketTransition`` (and, by its caller,
one event). The one place transitions are written, for the lifecycle, the SLA clock and Open311.
"""
from __future__ import annotations

from sqlalchemy import func, select

from services.tickets.models import Ticket, TicketTransition
from shared.events.outbox import utcnow


def append_transition(session, ticket: Ticket, action: str, actor: str, *,
                      to_status: str | None = None, comment: str | None = None,
                      details: dict | None = None) -> TicketTransition:
    """Record ``action`` on ``ticket`` (whose row the caller has locked or just created) and move
    it to ``to_status`` (default: where it is). Returns the new row, flushed (its id is set)."""
    from_status = ticket.status if ticket.id is not None else None
    last = session.scalar(select(func.max(TicketTransition.seq))
                          .where(TicketTransition.ticket_id == ticket.id)) if ticket.id else None
    target = to_status or ticket.status
    transition = TicketTransition(ticket_id=ticket.id, seq=(last or 0) + 1, action=action,
                                  from_status=from_status, to_status=target, actor=actor,
                                  comment=comment, details=details or {}, at=utcnow())
    ticket.status = target
    session.add(transition)
    session.flush()
    return transition
