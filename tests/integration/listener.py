"""A small consumer service for the messaging tests: it records territory events it applies."""
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import Database
from shared.entrypoints import handles
from shared.events.inbox import InboxMixin


class ListenerBase(DeclarativeBase):
    pass


class ListenerInbox(InboxMixin, ListenerBase):
    pass


class AppliedNode(ListenerBase):
    __tablename__ = "applied_nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(18))
    actor: Mapped[str] = mapped_column(String(100))


class ListenerService:
    name = "listener"
    db = Database(ListenerBase, owner="listener")
    failures_left = 0  # set by a test: how many deliveries fail before one succeeds

    @handles("membership.territory_node_created")
    def on_node_created(self, event):
        self.db.session.add(AppliedNode(code=event["data"]["code"], actor=event["actor"]))
        self.db.session.flush()
        if ListenerService.failures_left > 0:
            ListenerService.failures_left -= 1
            raise RuntimeError("the listener is broken today")
