"""The declarative base of assessments's tables, with the outbox and inbox every service has."""
from sqlalchemy.orm import DeclarativeBase

from shared.events.inbox import InboxMixin
from shared.events.outbox import OutboxMixin


class Base(DeclarativeBase):
    pass


class OutboxMessage(OutboxMixin, Base):
    pass


class InboxEntry(InboxMixin, Base):
    pass
