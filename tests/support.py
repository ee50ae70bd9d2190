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


def at_once(db, count: int, attempt) -> list:
    """``attempt(index, database)`` by ``count`` writers at once, each in its own transaction;
    returns what each returned, or the exception it raised, in index order.

    PostgreSQL: green threads over ``db``'s pool (pg8000 yields while it waits on a lock).
    SQLite's driver waits for the write lock inside C, so there each is a real thread with an
    engine of its own."""
    from shared.db import ServiceDatabase

    outcomes: list = [None] * count

    def run(index, database):
        try:
            outcomes[index] = attempt(index, database)
        except Exception as error:  # noqa: BLE001  (the caller asserts on every outcome)
            outcomes[index] = error

    if db.engine.dialect.name == "postgresql":
        start = eventlet.event.Event()

        def green(index):
            start.wait()
            run(index, db)

        threads = [eventlet.spawn(green, i) for i in range(count)]
        eventlet.sleep(0)
        start.send()
        for thread in threads:
            thread.wait()
        return outcomes
    threading = eventlet.patcher.original("threading")
    databases = [ServiceDatabase(db.base, db.url) for _ in range(count)]
    barrier = threading.Barrier(count)

    def real(index):
        barrier.wait()
        run(index, databases[index])

    threads = [threading.Thread(target=real, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for database in databases:
        database.dispose()
    return outcomes
