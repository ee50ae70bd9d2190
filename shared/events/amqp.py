"""Publishing to RabbitMQ with publisher confirms, over one connection guarded by a green lock."""
from __future__ import annotations

import logging
import threading

from kombu import Connection, Exchange, Producer

log = logging.getLogger(__name__)

PERSISTENT = 2


class ConfirmedPublisher:
    """Publishes persistent JSON messages and returns only once the broker has confirmed them.

    Connection errors propagate to the caller (who decides whether to retry); the next publish
    reconnects.
    """

    def __init__(self, amqp_uri: str, connect_timeout: float = 5):
        self.amqp_uri = amqp_uri
        self.connect_timeout = connect_timeout
        self._connection: Connection | None = None
        self._producer: Producer | None = None
        self._declared: set[str] = set()
        self._lock = threading.Lock()

    def _ensure(self) -> Producer:
        if self._producer is None:
            connection = Connection(
                self.amqp_uri,
                connect_timeout=self.connect_timeout,
                transport_options={"confirm_publish": True},
            )
            connection.connect()
            self._connection = connection
            self._producer = Producer(connection.channel())
            self._declared = set()
        return self._producer

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
        with self._lock:
            try:
                producer = self._ensure()
                if exchange and exchange not in self._declared:
                    Exchange(exchange, type=exchange_type, durable=True)(producer.channel).declare()
                    self._declared.add(exchange)
                producer.publish(
                    body,
                    exchange=exchange,
                    routing_key=routing_key,
                    headers=headers or {},
                    serializer="json",
                    delivery_mode=PERSISTENT,
                    message_id=message_id,
                    retry=False,
                )
            except Exception:
                self.reset()
                raise

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
