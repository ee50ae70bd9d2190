"""The inbox: which consumer has applied which event, written with the event's effect."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class InboxMixin:
    """Mix into a service's declarative Base: ``class InboxEntry(InboxMixin, Base): pass``."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36))
    consumer: Mapped[str] = mapped_column(String(160))
    event_type: Mapped[str] = mapped_column(String(120))
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("event_id", "consumer", name="uq_inbox_event_consumer"),)


def record_delivery(session, model, envelope: dict, consumer: str) -> bool:
    """Note that ``consumer`` applies this event now; False when it already has.

    The row is flushed with the handler's own changes; two workers racing on one event both
    insert, and the unique constraint fails the second commit, whose retry then sees the row.
    """
    seen = session.scalar(
        select(model.id).where(model.event_id == str(envelope["event_id"]),
                               model.consumer == consumer)
    )
    if seen is not None:
        return False
    session.add(model(event_id=str(envelope["event_id"]), consumer=consumer,
                      event_type=envelope["type"]))
    session.flush()
    return True
