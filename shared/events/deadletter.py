"""The dead-letter queue: events a handler failed on too many times, with their error.

A failed delivery is republished to its own queue with an attempt count (after a short back
off); the last failure moves it to ``linli.dead-letters`` with the queue, error and traceback
in its headers, and it stays there until an operator replays it (``linli dlq replay``) back to
the queue it came from. Nothing loops forever and nothing is dropped.
"""
from __future__ import annotations

import socket
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone

from kombu import Connection, Queue

from shared.events.amqp import ConfirmedPublisher

DEAD_LETTER_QUEUE = "linli.dead-letters"
ATTEMPTS = "x-linli-attempts"
DL_QUEUE = "x-linli-queue"
DL_ERROR = "x-linli-error"
DL_TRACEBACK = "x-linli-traceback"
DL_FAILED_AT = "x-linli-failed-at"
DL_SERVICE = "x-linli-service"
_DEAD_LETTER_HEADERS = (ATTEMPTS, DL_QUEUE, DL_ERROR, DL_TRACEBACK, DL_FAILED_AT, DL_SERVICE)


def attempts_so_far(headers: dict) -> int:
    try:
        return int((headers or {}).get(ATTEMPTS, 0))
    except (TypeError, ValueError):
        return 0


def retry_later(publisher: ConfirmedPublisher, queue: str, body, headers: dict) -> None:
    """Put a failed delivery back on its own queue, counting the attempt."""
    headers = {**(headers or {}), ATTEMPTS: attempts_so_far(headers) + 1}
    publisher.publish(body, routing_key=queue, headers=headers)


def dead_letter(publisher: ConfirmedPublisher, queue: str, service: str, body, headers: dict,
                exc_info) -> None:
    error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
    tb = "".join(traceback.format_exception(*exc_info))[-4000:]
    publisher.declare_queue(DEAD_LETTER_QUEUE)
    publisher.publish(body, routing_key=DEAD_LETTER_QUEUE, headers={
        **(headers or {}),
        ATTEMPTS: attempts_so_far(headers) + 1,
        DL_QUEUE: queue,
        DL_SERVICE: f"{service}@{socket.gethostname()}",
        DL_ERROR: error[:1000],
        DL_TRACEBACK: tb,
        DL_FAILED_AT: datetime.now(timezone.utc).isoformat(),
    })


@dataclass
class DeadLetter:
    position: int
    event_id: str | None
    event_type: str | None
    queue: str
    error: str
    attempts: int
    failed_at: str
    service: str

    @classmethod
    def from_message(cls, position: int, message) -> "DeadLetter":
        headers = message.headers or {}
        body = message.decode() if hasattr(message, "decode") else message.payload
        body = body if isinstance(body, dict) else {}
        return cls(
            position=position,
            event_id=body.get("event_id"),
            event_type=body.get("type"),
            queue=headers.get(DL_QUEUE, "?"),
            error=headers.get(DL_ERROR, "?"),
            attempts=attempts_so_far(headers),
            failed_at=headers.get(DL_FAILED_AT, "?"),
            service=headers.get(DL_SERVICE, "?"),
        )


def _drain(connection: Connection):
    """Every dead letter, unacknowledged; closing the channel puts the unacked ones back."""
    channel = connection.channel()
    queue = Queue(DEAD_LETTER_QUEUE, durable=True)(channel)
    queue.declare()
    messages = []
    while True:
        message = queue.get(no_ack=False, accept=["json"])
        if message is None:
            break
        messages.append(message)
    return channel, messages


def list_dead_letters(amqp_uri: str, offset: int = 0, limit: int = 50) -> tuple[list[DeadLetter], int]:
    """A page of dead letters (oldest first) and the total; the queue is left as it was."""
    with Connection(amqp_uri) as connection:
        channel, messages = _drain(connection)
        page = [DeadLetter.from_message(i, m) for i, m in enumerate(messages)][offset:offset + limit]
        channel.close()
    return page, len(messages)


def replay_dead_letters(amqp_uri: str, event_id: str | None = None) -> int:
    """Send dead letters (all, or those of one event) back to the queue each came from."""
    publisher = ConfirmedPublisher(amqp_uri)
    replayed = 0
    try:
        with Connection(amqp_uri) as connection:
            channel, messages = _drain(connection)
            for message in messages:
                letter = DeadLetter.from_message(0, message)
                if event_id and letter.event_id != event_id:
                    continue
                headers = {k: v for k, v in (message.headers or {}).items()
                           if k not in _DEAD_LETTER_HEADERS}
                publisher.publish(message.decode(), routing_key=letter.queue, headers=headers)
                message.ack()
                replayed += 1
            channel.close()
    finally:
        publisher.close()
    return replayed
