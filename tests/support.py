"""Helpers the broker tests share: waiting for something to happen, and tapping an exchange."""
from __future__ import annotations

import json
import time
import uuid

import eventlet
from kombu import Connection, Exchange, Queue


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05):
    """``predicate()``'s first true value, polled cooperatively; eventlet.Timeout after ``timeout``."""
    with eventlet.Timeout(timeout):
        while True:
            value = predicate()
            if value:
                return value
            eventlet.sleep(interval)


class BrokerTap:
    """A private queue bound to a producer's exchange: what really went out on the broker."""

    def __init__(self, amqp_uri: str, exchange: str = "tickets.events",
                 routing_key: str = "tickets.#"):
        self.connection = Connection(amqp_uri)
        channel = self.connection.channel()
        topic = Exchange(exchange, type="topic", durable=True)
        topic(channel).declare()
        self.queue = Queue(f"test-tap-{uuid.uuid4().hex[:8]}", exchange=topic,
                           routing_key=routing_key, exclusive=True, auto_delete=True)(channel)
        self.queue.declare()
        self.seen: list[dict] = []

    def drain(self, quiet_seconds: float = 0.0) -> list[dict]:
        """Every envelope seen so far, after reading until nothing has come for
        ``quiet_seconds`` (0: what is in the queue now)."""
        quiet_since = time.monotonic()
        while True:
            message = self.queue.get(no_ack=True)
            if message is None:
                if time.monotonic() - quiet_since >= quiet_seconds:
                    return self.seen
                eventlet.sleep(0.05)
                continue
            quiet_since = time.monotonic()
            body = message.payload
            self.seen.append(json.loads(body) if isinstance(body, (bytes, str)) else body)

    def close(self) -> None:
        self.connection.release()
