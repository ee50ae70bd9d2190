"""The tickets service's tables: one module per area, all on one declarative ``Base``.

Importing this package imports every area, so ``Base.metadata`` is whole (Alembic and the
Database provider rely on that).
"""
from services.tickets.models.assistance import (
    AssistanceCase,
    AssistanceObjection,
    AssistancePosting,
    AssistanceStep,
)
from services.tickets.models.base import Base, InboxEntry, OutboxMessage
from services.tickets.models.care import CarePlan, CareScheduleLine, CareVisit
from services.tickets.models.tickets import Ticket, TicketAttachment, TicketCategory, TicketTransition

__all__ = ["Base", "InboxEntry", "OutboxMessage", "Ticket", "TicketAttachment", "TicketCategory",
           "TicketTransition"]
__all__ += ["CarePlan", "CareScheduleLine", "CareVisit"]
__all__ += ["AssistanceCase", "AssistanceObjection", "AssistancePosting", "AssistanceStep"]
