"""A dispute ticket hears how its mediation 人民调解 ended (``security.mediation_closed``).

The outcome is one step of the ticket's history (``mediation_outcome``, details {outcome,
case_id}) and its event ``tickets.ticket_mediation_recorded``; the status does not move. A
community worker still resolves the ticket (with whatever the agreement needs doing) and the
reporter's callback closes it, so the rates and the reporter's say stay as for any ticket.
"""
from __future__ import annotations

from sqlalchemy import select

from services.tickets.history import append_transition
from services.tickets.models import Ticket, TicketTransition
from services.tickets.tickets import _change as ticket_change  # what every ticket event carries
from shared.db import UnitOfWork
from shared.events.outbox import utcnow
from shared.events.tickets.tickets import ACTION_EVENTS

ACTION = "mediation_outcome"
OUTCOME_TEXT = {"agreement": "调解成功，达成协议 agreement reached",
                "failed": "调解不成 mediation failed", "referred_to_court": "引导诉讼 referred to court"}


def record_outcome(uow: UnitOfWork, envelope: dict) -> dict:
    """Apply ``security.mediation_closed`` to its ticket, once per case (the inbox stops a
    redelivery; a step already recorded for the case stops a second event)."""
    data = envelope["data"]
    if data.get("ticket_id") is None:
        return {"ticket_id": None, "action": "ignore"}
    ticket = uow.session.scalar(select(Ticket).where(Ticket.id == data["ticket_id"])
                                .with_for_update())
    if ticket is None:
        return {"ticket_id": data["ticket_id"], "action": "ignore"}
    for details in uow.session.scalars(select(TicketTransition.details).where(
            TicketTransition.ticket_id == ticket.id, TicketTransition.action == ACTION)):
        if (details or {}).get("case_id") == data["case_id"]:
            return {"ticket_id": ticket.id, "action": "exists"}
    now = utcnow()
    ticket.updated_at = now
    transition = append_transition(
        uow.session, ticket, ACTION, (envelope.get("actor") or "security")[:100],
        comment=f"人民调解 mediation case {data['case_id']}: {OUTCOME_TEXT[data['outcome']]}",
        details={"outcome": data["outcome"], "case_id": data["case_id"]}, at=now)
    uow.emit(ACTION_EVENTS[ACTION], {**ticket_change(ticket, transition), "case_id": data["case_id"],
                                     "outcome": data["outcome"]}, org_code=ticket.grid_code)
    return {"ticket_id": ticket.id, "action": "record", "transition_id": transition.id}
