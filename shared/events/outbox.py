"""The transactional outbox and its relay.

A service writes its events as outbox rows in the same transaction as the change. The relay
claims a batch of unpublished rows (an atomic UPDATE with a lease, ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two relays never claim the same row), publishes the batch and awaits its publisher confirms,
and marks them published. A relay that dies between publishing and marking leaves its lease to
expire and the rows are published again: delivery is at least once, and consumers' inboxes
make the repeat harmless.
"""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import JSON, BigInteger, Index, Integer, String, select, update
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.events.amqp import ConfirmedPublisher, Outgoing
from shared.events.registry import exchange_name, make_envelope
from shared.sqltypes import UtcDateTime

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class OutboxMixin:
    """Mix into a service's declarative Base: ``class OutboxMessage(OutboxMixin, Base): pass``."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(120))
    envelope: Mapped[dict] = mapped_column(JSON)
    headers: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    @declared_attr.directive
    def __table_args__(cls):
        return (Index("ix_outbox_unpublished", "published_at", "id"),)


def new_outbox_message(model, event_name: str, data: dict, org_code: str, caller):
    actor = caller.principal if caller else "system"
    envelope = make_envelope(event_name, data, org_code, actor)
    headers = {f"nameko.{k}": v for k, v in (caller.to_context_data() if caller else {}).items()
               if v is not None}
    return model(
        event_id=envelope["event_id"], event_type=event_name, envelope=envelope, headers=headers
    )


class OutboxRelay:
    def __init__(self, session_factory, model, amqp_uri: str, batch_size: int = 200,
                 idle_seconds: float = 0.5, relay_id: str | None = None):
        self.session_factory = session_factory
        self.model = model
        self.publisher = ConfirmedPublisher(amqp_uri)
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.relay_id = relay_id or uuid.uuid4().hex
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self.published_total = 0

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        self.publisher.close()

    def _claim(self) -> list:
        outbox = self.model
        now = utcnow()
        claim = uuid.uuid4().hex
        with self.session_factory() as session, session.begin():
            claimable = (
                select(outbox.id)
                .where(outbox.published_at.is_(None))
                .where((outbox.claimed_until.is_(None)) | (outbox.claimed_until < now))
                .order_by(outbox.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            session.execute(
                update(outbox)
                .where(outbox.id.in_(claimable.scalar_subquery()))
                .where(outbox.published_at.is_(None))
                .where((outbox.claimed_until.is_(None)) | (outbox.claimed_until < now))
                .values(claimed_by=claim, claimed_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
        with self.session_factory() as session:
            rows = session.execute(
                select(outbox.id, outbox.event_type, outbox.envelope, outbox.headers)
                .where(outbox.claimed_by == claim)
                .order_by(outbox.id)
            ).all()
        return rows

    def _settle(self, published_ids: list[int], unpublished_ids: list[int]) -> None:
        outbox = self.model
        with self.session_factory() as session, session.begin():
            if published_ids:
                session.execute(
                    update(outbox).where(outbox.id.in_(published_ids))
                    .values(published_at=utcnow(), claimed_until=None)
                    .execution_options(synchronize_session=False)
                )
            if unpublished_ids:  # give them back at once rather than waiting out the lease
                session.execute(
                    update(outbox).where(outbox.id.in_(unpublished_ids))
                    .values(claimed_by=None, claimed_until=None)
                    .execution_options(synchronize_session=False)
                )

    def relay_once(self) -> int:
        """Publish one batch; returns how many were published. Raises if the broker fails."""
        rows = self._claim()
        published: list[int] = []
        try:
            self.publisher.publish_all([
                Outgoing(row.envelope, row.event_type, exchange_name(row.event_type),
                         row.headers, row.envelope["event_id"]) for row in rows])
            published = [row.id for row in rows]
        finally:
            self._settle(published, [row.id for row in rows[len(published):]])
            self.published_total += len(published)
        return len(published)

    def run(self) -> None:
        """Publish until stopped: at once when woken by a commit, else every ``idle_seconds``."""
        backoff = self.idle_seconds
        while not self._stopped.is_set():
            try:
                count = self.relay_once()
                backoff = self.idle_seconds
            except Exception as exc:
                if self._stopped.is_set():
                    break
                log.warning("outbox relay could not publish, will retry",
                            extra={"error": repr(exc), "retry_in": backoff})
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, 10)
                continue
            if count < self.batch_size:
                self._wake.wait(self.idle_seconds)
                self._wake.clear()

    def pending(self) -> int:
        from sqlalchemy import func

        with self.session_factory() as session:
            return session.scalar(
                select(func.count()).select_from(self.model)
                .where(self.model.published_at.is_(None))
            )
