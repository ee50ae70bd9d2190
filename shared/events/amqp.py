"""Publishing to RabbitMQ with publisher confirms, over one connection guarded by a green lock."""
from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass

from kombu import Connection, Exchange, Producer

log = logging.getLogger(__name__)

PERSISTENT = 2


class Unconfirmed(Exception):
    """The broker refused (nacked) a message, or did not confirm it in time."""


@dataclass(frozen=True)
class Outgoing:
    body: object
    routing_key: str
    exchange: str = ""
    headers: dict | None = None
    message_id: str | None = None


class ConfirmedPublisher:
    """Publishes persistent JSON messages and returns only once the broker has confirmed them.

    A batch is published in one go and its confirms awaited together (RabbitMQ confirms in
    order, often many at once), rather than one round trip per message. Connection errors
    propagate to the caller (who decides whether to retry); the next publish reconnects.
    """

    def __init__(self, amqp_uri: str, connect_timeout: float = 5, confirm_timeout: float = 30):
        self.amqp_uri = amqp_uri
        self.connect_timeout = connect_timeout
        self.confirm_timeout = confirm_timeout
        self._connection: Connection | None = None
        self._producer: Producer | None = None
        self._declared: set[str] = set()
        self._lock = threading.Lock()
        self._next_tag = 1
        self._unconfirmed: set[int] = set()
        self._nacked: set[int] = set()

    def _ensure(self) -> Producer:
        if self._producer is None:
            connection = Connection(self.amqp_uri, connect_timeout=self.connect_timeout)
            connection.connect()
            channel = connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._connection = connection
            self._producer = Producer(channel)
            self._declared = set()
            self._next_tag = 1  # delivery tags count from 1 on each channel
            self._unconfirmed, self._nacked = set(), set()
        return self._producer

    def _settled(self, tag: int, multiple: bool) -> set[int]:
        settled = {t for t in self._unconfirmed if t <= tag} if multiple else {tag}
        self._unconfirmed -= settled
        return settled

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settled(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked |= self._settled(delivery_tag, multiple)

    def connect(self) -> None:
        """Open the connection now rather than at the first publish."""
        with self._lock:
            self._ensure()

    def reset(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # already broken; we are discarding it
                pass
        self._connection = self._producer = None

    def publish(self, body, *, routing_key: str, exchange: str = "", headers: dict | None = None,
                exchange_type: str = "topic", message_id: str | None = None) -> None:
        self.publish_all([Outgoing(body, routing_key, exchange, headers, message_id)],
                         exchange_type=exchange_type)

    def publish_all(self, messages: list[Outgoing], exchange_type: str = "topic") -> None:
        """Publish every message, then wait until the broker has confirmed them all; raises
        (and has confirmed nothing, as far as the caller knows) if one is refused or late."""
        if not messages:
            return
        with self._lock:
            try:
                producer = self._ensure()
                tags = []
                for message in messages:
                    if message.exchange and message.exchange not in self._declared:
                        Exchange(message.exchange, type=exchange_type,
                                 durable=True)(producer.channel).declare()
                        self._declared.add(message.exchange)
                    tags.append(self._next_tag)
                    self._unconfirmed.add(self._next_tag)
                    self._next_tag += 1
                    producer.publish(
                        message.body,
                        exchange=message.exchange,
                        routing_key=message.routing_key,
                        headers=message.headers or {},
                        serializer="json",
                        delivery_mode=PERSISTENT,
                        message_id=message.message_id,
                        retry=False,
                    )
                self._await_confirms(tags)
            except Exception:
                self.reset()
                raise

    def _await_confirms(self, tags: list[int]) -> None:
        deadline = time.monotonic() + self.confirm_timeout
        waiting = set(tags)
        while waiting & self._unconfirmed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Unconfirmed(f"{len(waiting & self._unconfirmed)} message(s) not confirmed "
                                  f"within {self.confirm_timeout:g} s")
            try:
                self._connection.drain_events(timeout=min(remaining, 1.0))
            except socket.timeout:
                continue
        refused = waiting & self._nacked
        if refused:
            self._nacked -= refused
            raise Unconfirmed(f"the broker refused {len(refused)} message(s)")

    def declare_queue(self, name: str) -> None:
        with self._lock:
            try:
                from kombu import Queue

                Queue(name, durable=True)(self._ensure().channel).declare()
            except Exception:
                self.reset()
                raise

    def close(self) -> None:
        with self._lock:
            self.reset()
